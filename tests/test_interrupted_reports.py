"""Killing a report run midway leaves no complete-looking output, and the next run succeeds.

A scheduled run can die at any point (the machine reboots, systemd stops the job and every process
in it). The run is started as a separate process and killed, with its kernel, with SIGKILL at two
points: while the notebook runs, and while the tables are being written. The state of the folder is
an event the test waits for (the file system), never a duration.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from segmentation.cli import main

pytestmark = pytest.mark.heavy

QUARTER = "2025Q3"
NAME = "quarterly_review"
FOLDER = f"{NAME}_{QUARTER}"


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the kernel runs in a session of its own)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_when(out: Path, data: Path, ready) -> None:
    """Start a report run, wait until ``ready(staging folder)`` holds, then SIGKILL it and its kernel."""
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "segmentation.cli",
            "report",
            NAME,
            "--data",
            str(data),
            "--quarter",
            QUARTER,
            "--out",
            str(out),
            "--no-progress",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300  # a safety net against a hung run, not a measurement
    try:
        while not any(ready(p) for p in out.glob(f".{FOLDER}.*.partial")):
            assert run.poll() is None, "the run ended before the point where it was to be killed"
            assert time.monotonic() < deadline, "the run never reached the point where it was to be killed"
            time.sleep(0.05)
    finally:
        _kill_tree(run.pid)
        run.wait()


def _kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and every process below it, with no window for a new child to escape.

    Each process is stopped (SIGSTOP) before its children are listed, so none can start another
    (a kernel being launched, say) between the listing and the kill; the tree is listed again until
    it stops growing. Killing first would let a child started meanwhile outlive its parent.
    """
    stopped: set[int] = set()
    while True:
        tree = {pid, *_descendants(pid)}
        if tree <= stopped:
            break
        for p in tree - stopped:
            _signal(p, signal.SIGSTOP)
        stopped |= tree
    for p in stopped:
        _signal(p, signal.SIGKILL)
    # SIGKILL is delivered, not completed: a child forked for the kernel (it holds the run's lock file until its
    # exec) may still be exiting. Wait until every killed process is gone or a zombie, so the next run finds
    # the lock free. A zombie holds no files.
    deadline = time.monotonic() + 60  # a safety net, not a measurement
    while any(_alive(p) for p in stopped):
        assert time.monotonic() < deadline, "killed processes did not exit"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _tables_started(staging: Path) -> bool:
    return any(staging.glob("*.csv"))


def _notebook_started(staging: Path) -> bool:
    return (staging / f"{NAME}.ipynb").is_file()


def _visible(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def _complete(folder: Path) -> None:
    names = {p.name for p in folder.iterdir()}
    assert {f"{NAME}.html", f"{NAME}.ipynb", f"{NAME}.xlsx", "kpis.csv", "at_risk.csv", "personas.csv"} <= names


@pytest.mark.parametrize("point", [_notebook_started, _tables_started], ids=["running", "writing tables"])
def test_a_killed_first_run_leaves_nothing_that_looks_complete(point, sample_dir, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    _kill_when(out, sample_dir, point)
    assert _visible(out) == [], "a killed run left a visible report or file"
    assert any(out.glob(f".{FOLDER}.*.partial"))  # the half-written run is there, hidden
    assert (
        main(["report", NAME, "--data", str(sample_dir), "--quarter", QUARTER, "--out", str(out), "--no-progress"]) == 0
    )
    assert _visible(out) == [FOLDER]
    _complete(out / FOLDER)
    assert not list(out.glob(f".{FOLDER}.*.partial")), "the next run did not clear the killed run's folder"


def test_a_killed_rerun_keeps_the_previous_report_intact(sample_dir, tmp_path):
    out = tmp_path / "reports"
    assert (
        main(["report", NAME, "--data", str(sample_dir), "--quarter", QUARTER, "--out", str(out), "--no-progress"]) == 0
    )
    before = {p.name: p.read_bytes() for p in (out / FOLDER).iterdir()}
    _kill_when(out, sample_dir, _tables_started)
    assert _visible(out) == [FOLDER]
    assert {p.name: p.read_bytes() for p in (out / FOLDER).iterdir()} == before, "the previous report was touched"
