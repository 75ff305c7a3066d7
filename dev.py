#!/usr/bin/env python3
"""Set up a local virtual environment and run the workbench's everyday tasks.

Needs nothing but Python 3.11+. The first call creates ``.venv/`` beside this file and
installs the package with its test extras; later calls reinstall only when
``pyproject.toml`` changed.

    python3 dev.py demo      # the main job on the built-in sample data
    python3 dev.py test      # lint, format check and the whole test suite (what CI runs)
    python3 dev.py lab       # JupyterLab on notebooks/
    python3 dev.py cli ARGS  # any `segmentation` command, e.g. `cli validate data/sample`
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
# One test worker per core; a test file stays on one worker, so its module fixtures run once.
PARALLEL = ["--numprocesses", "auto", "--dist", "loadfile"]


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_environment() -> None:
    """Create ``.venv`` and install the package when missing or out of date."""
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs on the system's Python, which may be older)
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("Installing the workbench and its dependencies (first run: about 4 minutes) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "--quiet", "-e", f"{ROOT}[test,spark]"], check=True)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    task, *rest = argv or ["help"]
    if task in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    ruff = str(BIN / "ruff")
    commands = {
        "demo": [[str(BIN / "segmentation"), "demo", *rest]],
        # ruff first: a lint or format error fails in seconds, before the suite's minutes
        "test": [
            [ruff, "check", "."],
            [ruff, "format", "--check", "."],
            [str(PYTHON), "-m", "pytest", *PARALLEL, *rest],
        ],
        "lab": [[str(BIN / "jupyter"), "lab", str(ROOT / "notebooks"), *rest]],
        "cli": [[str(BIN / "segmentation"), *rest]],
    }
    if task not in commands:
        print(f"Unknown task {task!r}; expected one of {', '.join(commands)}.", file=sys.stderr)
        return 2
    ensure_environment()
    for command in commands[task]:
        code = subprocess.run(command, cwd=ROOT).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
