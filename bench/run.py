"""The benchmark suite: one command, data generated with the sample generator, a table and JSON.

    .venv/bin/pip install -r bench/requirements.txt       # lifetimes, the reference (benchmarks only)
    .venv/bin/python bench/run.py --lines 1000000 10000000 --runs 5

For each size the order lines are generated once with ``segmentation.sample_data`` (about 20
lines per customer over three years) and cached as Parquet in ``bench/data/``. Every measured
run is a fresh Python process, so its peak memory (the process's high-water mark, VmHWM, interpreter and imports included)
is its own; imports are done before the clock starts. The table shows the median, min and max of the runs, the peak memory, and the
ratio of the reference's median to ours, and how far our summary is from each reference's;
``bench/results/run.json`` holds every number.

Tasks, each starting from the Parquet file:

- ``read``: ``pd.read_parquet`` alone (the floor any pandas-based code pays);
- ``summary``: the buy-till-you-die summary, ``btyd_summary`` (DuckDB reads the file);
- ``summary_lifetimes``: lifetimes' ``summary_data_from_transaction_data`` (``freq="D"``);
- ``summary_pandas``: a plain pandas groupby computing the same summary;
- ``features``: the full feature table, ``customer_features``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
END = "2025-09-30"
TASKS = ("read", "summary", "summary_lifetimes", "summary_pandas", "features")
REFERENCES = {"summary": ("summary_lifetimes", "summary_pandas")}


def order_lines(lines: int, seed: int = 11) -> Path:
    """Parquet file of about ``lines`` order lines from the sample generator (made once, then cached)."""
    path = HERE / "data" / f"orders_{lines}.parquet"
    if not path.exists():
        from segmentation.sample_data import generate_sample

        path.parent.mkdir(exist_ok=True)
        tx = generate_sample(max(lines // 20, 100), seed=seed)["transactions"]  # about 20 lines per customer
        tx[["customer_id", "order_id", "order_date", "amount"]].to_parquet(path, index=False)
    return path


def _summary_pandas(tx: pd.DataFrame) -> pd.DataFrame:
    end = pd.Timestamp(END)
    daily = tx.assign(day=tx["order_date"].dt.normalize()).groupby(["customer_id", "day"], sort=False)["amount"].sum()
    daily = daily.reset_index()
    g = daily.groupby("customer_id", sort=True)
    first, last, n = g["day"].min(), g["day"].max(), g["day"].size()
    total, first_amount = g["amount"].sum(), daily.loc[g["day"].idxmin(), ["customer_id", "amount"]]
    first_amount = first_amount.set_index("customer_id")["amount"]
    frequency = (n - 1).astype(float)
    repeat = (total - first_amount).where(frequency > 0, 0.0)
    return pd.DataFrame({"frequency": frequency, "recency": (last - first).dt.days.astype(float),
                         "T": (end - first).dt.days.astype(float),
                         "monetary_value": (repeat / frequency.where(frequency > 0)).fillna(0.0)})  # fmt: skip


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_task(task: str, path: Path) -> dict:
    """Run one task in this process; return its seconds (imports excluded), peak memory and result size."""
    import ibis.backends.duckdb  # noqa: F401  (Ibis loads its backend on first use: an import, kept off the clock)

    from segmentation.features import btyd_summary, customer_features

    if task == "summary_lifetimes":  # only this task needs the reference installed
        from lifetimes.utils import summary_data_from_transaction_data
    start = time.perf_counter()
    if task == "read":
        out = pd.read_parquet(path)
    elif task == "summary":
        out = btyd_summary(path, observation_end=END, time_unit="D")
    elif task == "summary_lifetimes":
        tx = pd.read_parquet(path)
        out = summary_data_from_transaction_data(tx, "customer_id", "order_date", monetary_value_col="amount",
                                                 observation_period_end=END, freq="D")  # fmt: skip
    elif task == "summary_pandas":
        out = _summary_pandas(pd.read_parquet(path))
    elif task == "features":
        out = customer_features(path, as_of=END)
    else:
        raise SystemExit(f"unknown task {task!r}; expected one of {TASKS}")
    return {"seconds": time.perf_counter() - start, "peak_mb": _peak_mb(), "rows": len(out)}


def measure(task: str, path: Path, runs: int) -> dict:
    """``runs`` fresh processes of one task: median, min, max seconds and the largest peak memory."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--one", task, str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            return {"task": task, "error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    seconds = [r["seconds"] for r in results]
    return {"task": task, "runs": runs, "median_s": statistics.median(seconds), "min_s": min(seconds),
            "max_s": max(seconds), "peak_mb": max(r["peak_mb"] for r in results), "rows": results[0]["rows"]}  # fmt: skip


def differences(path: Path, references: list[str]) -> dict[str, float]:
    """Largest absolute difference between our summary and each reference's (they must agree before speed counts)."""
    from segmentation.features import btyd_summary

    ours = btyd_summary(path, observation_end=END, time_unit="D")
    tx = pd.read_parquet(path)
    out = {}
    for ref in references:
        if ref == "summary_lifetimes":
            from lifetimes.utils import summary_data_from_transaction_data

            theirs = summary_data_from_transaction_data(tx, "customer_id", "order_date", monetary_value_col="amount",
                                                        observation_period_end=END, freq="D")  # fmt: skip
        else:
            theirs = _summary_pandas(tx)
        theirs = theirs.set_axis(theirs.index.astype(str)).reindex(ours.index)[ours.columns]
        out[ref] = float(np.nanmax(np.abs(ours.to_numpy() - theirs.to_numpy())))
    return out


def table(rows: list[dict]) -> str:
    head = f"{'lines':>11} {'task':<18} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8} {'ratio':>14}"
    out = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            out.append(f"{r['lines']:>11,} {r['task']:<18} error: {r['error'][:60]}")
            continue
        ratio = " ".join(f"{k.split('_')[-1]} {v:.1f}x" for k, v in r.get("ratios", {}).items())
        out.append(f"{r['lines']:>11,} {r['task']:<18} {r['median_s']:>9.2f} {r['min_s']:>7.2f} {r['max_s']:>7.2f} "
                   f"{r['peak_mb']:>8,.0f} {ratio:>14}")  # fmt: skip
    for r in rows:
        for ref, diff in r.get("max_abs_difference", {}).items():
            out.append(f"{r['lines']:>11,} {r['task']} equals {ref} to {diff:.1e} (largest absolute difference)")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--one", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_task(args.one[0], Path(args.one[1]))))
        return
    rows = []
    for lines in args.lines:
        path = order_lines(lines)
        actual = len(pd.read_parquet(path, columns=["customer_id"]))
        measured = {t: measure(t, path, args.runs) for t in args.tasks}
        for task, m in measured.items():
            refs = [r for r in REFERENCES.get(task, ()) if "median_s" in measured.get(r, {}) and "median_s" in m]
            if refs:
                m["ratios"] = {r: measured[r]["median_s"] / m["median_s"] for r in refs}
                m["max_abs_difference"] = differences(path, refs)
            rows.append({"lines": actual, **m})
        print(table([r for r in rows if r["lines"] == actual]), flush=True)
    out = HERE / "results" / "run.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"\n{table(rows)}\n\nWritten: {out}")


if __name__ == "__main__":
    main()
