"""Shared fixtures: small sample data sets written once per session."""

from __future__ import annotations

import os

# One OpenMP thread per test process (set before scikit-learn loads; report kernels inherit it). The suite runs
# one worker per core (pytest-xdist): OpenMP pools of the default size then spin against each other, and a
# 400-customer quarterly review took 36 s instead of 7 s on the loaded machine. BLAS keeps its default, and
# test_determinism still compares a one-thread run with the machine's threads.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# The workbench's own setting (segmentation.threads): its OpenMP and DuckDB pools, one thread per worker too.
os.environ.setdefault("SEGMENTATION_THREADS", "1")
# Where a test clears that variable to use the machine's threads (test_determinism), waiting threads sleep
# instead of spinning, so a busy other worker does not slow it five-fold (it does not change a result).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import matplotlib

matplotlib.use("Agg")

import pytest
from hypothesis import settings

from segmentation.datasets.sample import write_sample

# Property tests draw their examples from a fixed seed: a failure in CI reproduces locally.
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.load_profile("deterministic")


def pytest_collection_modifyitems(items):
    """Files marked ``heavy`` (report runs, Spark, whole commands) go first.

    The workers take whole files in collection order; with the heavy ones last, one worker ran
    them alone at the end while the other idled.
    """
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


SAMPLE_CUSTOMERS = 400
SAMPLE_SEED = 7


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """A 400-customer sample in CSV (seed 7)."""
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, SAMPLE_CUSTOMERS, random_state=SAMPLE_SEED)
    return out


@pytest.fixture(scope="session")
def sample_dataset(sample_dir):
    from segmentation import load_dataset

    return load_dataset(sample_dir, today="2025-10-01")


def applicable_estimator_checks(estimators: list) -> tuple[list, set[str], list]:
    """scikit-learn's estimator checks for ``estimators``, without check_array_api_input.

    That check does not apply (the models are numpy-only; scikit-learn itself skips it unless
    SCIPY_ARRAY_API is set). Returns (all checks, the names left out, the applicable checks).
    """
    from sklearn.utils.estimator_checks import parametrize_with_checks

    every = parametrize_with_checks(estimators).mark.args[1]
    left_out = {"check_array_api_input"}
    applicable = [(est, check) for est, check in every if check_name(check) not in left_out]
    return every, left_out, applicable


def check_name(check) -> str:
    return getattr(check, "func", check).__name__
