"""Time and profile the quarterly review on the bench's review data, loading apart from computing.

    .venv/bin/python bench/review_profile.py                       # load, then review_quarter, timed
    .venv/bin/python bench/review_profile.py --profile 25          # and the 25 costliest calls (cumulative)
    .venv/bin/python bench/review_profile.py --report              # the report command end to end
    .venv/bin/python bench/review_profile.py --save DIR            # the review's tables, to compare two versions
    .venv/bin/python bench/review_profile.py --compare A B         # are two saved sets of tables the same?

The data is the bench's ``--review-customers`` folder (``generate_sample`` for 100,000
customers over three years, as Parquet files; made once by ``bench/run.py``'s
``customer_data`` and cached in ``bench/data/``). Every figure is wall time and CPU time
(this process's user and system time, every thread counted; for ``--report``, that of the
command and its notebook kernel): on a shared machine wall time alone says little, so measure
two versions one after the other, in the same minute.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pickle
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
QUARTER = "2025Q3"


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> dict[str, float]:
    wall, cpu = _clock()
    return {"wall_s": round(wall - start[0], 2), "cpu_s": round(cpu - start[1], 2)}


def review(folder: Path, quarter: str, profile: int, save: Path | None) -> dict:
    """Load the folder as the report does, then compute the review; each step timed."""
    from segmentation.data.loading import load_dataset
    from segmentation.review.quarterly import review_quarter

    start = _clock()
    data = load_dataset(folder)
    data.transactions  # noqa: B018 - the order lines as a frame, whatever the loader keeps them in
    out = {"load": _since(start)}
    profiler = cProfile.Profile() if profile else None
    start = _clock()
    if profiler:
        profiler.enable()
    result = review_quarter(data, quarter=quarter)
    if profiler:
        profiler.disable()
    out["review_quarter"] = _since(start)
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(profile)
        out["profile"] = text.getvalue()
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)
        tables = {**result.tables(), "notes": pd.DataFrame({"note": result.notes})}
        tables["headline"] = pd.DataFrame({"line": result.headline()})
        (save / "tables.pkl").write_bytes(pickle.dumps(tables))
    return out


def report(folder: Path, quarter: str) -> dict:
    """The report command end to end, in a new process: wall time and the CPU time of it and its kernel."""
    with tempfile.TemporaryDirectory(prefix="review-profile-") as out_dir:
        command = [sys.executable, "-m", "segmentation.cli", "report", "quarterly_review", "--data", str(folder)]
        command += ["--quarter", quarter, "--out", out_dir, "--no-progress"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"report": {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mb": round(after.ru_maxrss / 1024)}}


def compare(a: Path, b: Path) -> list[str]:
    """The tables of two ``--save`` folders that differ (none: the same review)."""
    left = pickle.loads((a / "tables.pkl").read_bytes())
    right = pickle.loads((b / "tables.pkl").read_bytes())
    differ = sorted(set(left) ^ set(right))
    for name in sorted(set(left) & set(right)):
        try:
            pd.testing.assert_frame_equal(left[name], right[name], check_exact=True)
        except AssertionError as error:
            differ.append(f"{name}: {str(error).splitlines()[0:3]}")
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder of tables (default: the bench's 100,000 customers)")
    parser.add_argument("--quarter", default=QUARTER)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print the N costliest calls")
    parser.add_argument("--report", action="store_true", help="time the report command instead")
    parser.add_argument("--save", type=Path, help="write the review's tables here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        differ = compare(*args.compare)
        print("the same" if not differ else "\n".join(differ))
        raise SystemExit(1 if differ else 0)
    folder = args.data
    if folder is None:
        sys.path.insert(0, str(HERE))
        from run import customer_data  # bench/run.py: the review data, made once

        folder = customer_data(100_000, 3)
    result = report(folder, args.quarter) if args.report else review(folder, args.quarter, args.profile, args.save)
    text = result.pop("profile", None)
    print(json.dumps(result))
    if text:
        print(text)


if __name__ == "__main__":
    main()
