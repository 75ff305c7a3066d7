"""The package as a scheduler installs it: a wheel, outside the checkout, runs a report."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.heavy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("segmentation-*.whl")
    return built


def test_the_wheel_holds_every_module_preset_template_and_report_notebook(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "src" / "segmentation"
    expected = {f"segmentation/{p.relative_to(package).as_posix()}" for p in package.rglob("*") if p.is_file()}
    expected = {n for n in expected if "__pycache__" not in n}
    expected |= {f"segmentation/reports/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected - names == set()


def test_an_installed_wheel_runs_a_report_from_another_folder(wheel, sample_dir, tmp_path):
    """``pip install`` (no checkout, no editable install): the report finds its notebook in the package."""
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("SEGMENTATION_NOTEBOOKS", None)
    where = subprocess.run(
        [sys.executable, "-c", "import segmentation.reports.runner as r; print(r.__file__); print(r.notebook_dir())"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where
    done = subprocess.run(
        [
            str(site / "bin" / "segmentation"),
            "report",
            "explore",
            "--data",
            str(sample_dir),
            "--quarter",
            "2025Q3",
            "--out",
            "reports",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (elsewhere / "reports" / "explore_2025Q3" / "explore.html").is_file()
