"""Thread pools set deliberately: one setting for the cores, BLAS on one thread, idle threads sleep."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from segmentation.churn.model import ChurnModel
from segmentation.errors import ConfigError
from segmentation.threads import ENV, thread_count, thread_limits


def test_the_setting_gives_the_thread_count(monkeypatch):
    monkeypatch.setenv(ENV, "3")
    assert thread_count() == 3
    monkeypatch.delenv(ENV)
    assert thread_count() >= 1


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_a_bad_setting_is_refused_with_its_name(monkeypatch, raw):
    monkeypatch.setenv(ENV, raw)
    with pytest.raises(ConfigError, match=f"{ENV} must be a whole number of threads, at least 1; got '{raw}'"):
        thread_count()


def test_within_the_limits_blas_has_one_thread_and_openmp_the_setting(monkeypatch):
    monkeypatch.setenv(ENV, "2")
    with thread_limits():
        pools = threadpool_info()
    assert all(p["num_threads"] == 1 for p in pools if p["user_api"] == "blas")
    assert all(p["num_threads"] == 2 for p in pools if p["user_api"] == "openmp")


def test_the_churn_model_fits_within_the_limits(monkeypatch):
    import segmentation.churn.model as churn_model

    seen = []
    real_clone = churn_model.clone

    def spying_clone(estimator):
        seen.append({p["user_api"]: p["num_threads"] for p in threadpool_info()})
        return real_clone(estimator)

    monkeypatch.setattr(churn_model, "clone", spying_clone)
    # 2, not 1: the suite's workers already run OpenMP on one thread, so only 2 shows the setting applied
    monkeypatch.setenv(ENV, "2")
    rng = np.random.default_rng(0)
    ChurnModel(calibration=None).fit(rng.normal(size=(200, 3)), rng.random(200) < 0.3)
    assert seen and seen[0].get("blas", 1) == 1 and seen[0]["openmp"] == 2


def test_importing_the_package_makes_idle_openmp_threads_sleep():
    code = (
        "import os; os.environ.pop('OMP_WAIT_POLICY', None); import segmentation; print(os.environ['OMP_WAIT_POLICY'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "PASSIVE"
    kept = (
        "import os; os.environ['OMP_WAIT_POLICY'] = 'ACTIVE'; import segmentation; print(os.environ['OMP_WAIT_POLICY'])"
    )
    assert (
        subprocess.run([sys.executable, "-c", kept], capture_output=True, text=True, check=True).stdout.strip()
        == "ACTIVE"
    )
