"""The benchmark suite: one command, data generated with the sample generator, a table and JSON.

    .venv/bin/pip install -r bench/requirements.txt       # lifetimes, the reference (benchmarks only)
    .venv/bin/python bench/run.py                          # every task at the issue's sizes, 5 runs each

Every measured run is a fresh Python process, so its peak memory (the process's high-water
mark, VmHWM, interpreter and imports included) is its own; imports are done before the clock
starts. The table shows the median, min and max of the runs, the peak memory, and the ratio
of the reference's median to ours; ``bench/results/run.json`` holds every number (each size's
tasks are merged into it as soon as they are measured: a later run of a task replaces its row).

Data (generated once with ``segmentation.datasets.sample.generate_sample``, seed 11, cached in
``bench/data/``, git-ignored):

- ``--lines``: order lines over three years (about 20 per customer), the four columns only;
- ``--customers``: for the fits, the BTYD summary (weeks) of that many customers simulated
  from BG/NBD and Gamma-Gamma themselves (see ``fit_data``); for the personas, every table for
  that many customers over one year (about 10 order lines each) and their persona features;
- ``--review-customers``: every table for that many customers over three years, as files a
  team would hand over.

Tasks on order lines: ``read`` (``pd.read_parquet`` alone), ``summary`` (``btyd_summary``,
DuckDB reading the file), ``summary_lifetimes`` (lifetimes' ``summary_data_from_transaction_data``,
``freq="D"``), ``summary_pandas`` (a plain pandas groupby), ``features`` (``customer_features``),
and the whole command ``segmentation score`` (process start to file written; peak memory of the
command's process) on the lines as Parquet (``score``), as CSV (``score_csv``) and as CSV with 1%
dirty lines over every repair rule (``score_dirty``, see ``DIRTY_RULES``).

Tasks on customers: ``bgnbd`` and ``bgnbd_lifetimes`` (BG/NBD fits on the same summary),
``pareto_nbd`` and ``pareto_nbd_lifetimes`` (Pareto/NBD fits on the same summary),
``gamma_gamma`` and ``gamma_gamma_lifetimes`` (Gamma-Gamma fits on the repeat buyers),
``persona_features`` and ``personas`` (``PersonaModel`` with k chosen automatically, on the
persona features).

``review``: ``segmentation report quarterly_review`` end to end (a new process loading and
checking the files, the notebook kernel, the HTML and tables), peak memory of the largest process.
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
QUARTER = "2025Q3"
LINE_TASKS = ("read", "summary", "summary_lifetimes", "summary_pandas", "features", "score", "score_csv", "score_dirty")
#: Whole ``segmentation score`` commands (process start to file written) and the folder each reads.
SCORE_TASKS = {"score": "parquet", "score_csv": "csv", "score_dirty": "dirty_csv"}
FIT_TASKS = ("bgnbd", "bgnbd_lifetimes", "pareto_nbd", "pareto_nbd_lifetimes", "gamma_gamma", "gamma_gamma_lifetimes")
PERSONA_TASKS = ("persona_features", "personas")
TASKS = (*LINE_TASKS, *FIT_TASKS, *PERSONA_TASKS, "review")
REFERENCES = {
    "summary": ("summary_lifetimes", "summary_pandas"),
    "score": ("summary_lifetimes",),
    "score_csv": ("summary_lifetimes",),
    "score_dirty": ("score_csv",),
    "bgnbd": ("bgnbd_lifetimes",),
    "pareto_nbd": ("pareto_nbd_lifetimes",),
    "gamma_gamma": ("gamma_gamma_lifetimes",),
}
TABLES = ("customers", "transactions", "interactions", "surveys", "churn_events")


def order_lines(lines: int, seed: int = 11) -> Path:
    """Parquet file of about ``lines`` order lines from the sample generator (made once, then cached)."""
    path = HERE / "data" / f"orders_{lines}.parquet"
    if not path.exists():
        from segmentation.datasets.sample import generate_sample

        path.parent.mkdir(exist_ok=True)
        tx = generate_sample(max(lines // 20, 100), random_state=seed)["transactions"]  # about 20 lines per customer
        tx[["customer_id", "order_id", "order_date", "amount"]].to_parquet(path, index=False)
    return path


#: Dirty values written into 1% of the lines of ``score_dirty``, one rule after the other: every
#: repair the loader makes (spaces, control characters, currency marks, brackets, dates in other
#: formats), blank ids, refunds and zero amounts.
DIRTY_RULES = (
    ("customer_id", lambda v: "  " + v + " "),
    ("customer_id", lambda v: v.str.slice(0, 0)),
    ("order_id", lambda v: v + "\x00"),
    ("order_id", lambda v: "\u3000" + v),
    ("amount", lambda v: "¥" + v.astype(float).map("{:,.2f}".format)),
    ("amount", lambda v: "(" + v.astype(float).map("{:,.2f}".format) + ")"),
    ("amount", lambda v: "-" + v),
    ("amount", lambda v: v.str.slice(0, 0) + "0"),
    ("order_date", lambda v: v.str.replace("-", "/")),
    ("order_date", lambda v: v.str.replace("-", "")),
)


def score_folder(lines: Path, kind: str, seed: int = 11) -> Path:
    """A data folder for ``segmentation score`` from the order lines file (made once, then cached).

    ``parquet`` links the file itself; ``csv`` writes it as a CSV file; ``dirty_csv`` writes the CSV
    file with 1% of its lines made dirty by :data:`DIRTY_RULES` (the same number of lines per rule).
    """
    folder = lines.parent / f"{lines.stem}_{kind}"
    if (folder / "done").exists():
        return folder
    folder.mkdir(exist_ok=True)
    if kind == "parquet":
        (folder / "transactions.parquet").unlink(missing_ok=True)
        (folder / "transactions.parquet").symlink_to(lines)
    else:
        tx = pd.read_parquet(lines)
        text = pd.DataFrame(
            {
                "customer_id": tx["customer_id"].astype(str),
                "order_id": tx["order_id"].astype(str),
                "order_date": tx["order_date"].dt.strftime("%Y-%m-%d"),
                "amount": tx["amount"].map("{:.2f}".format),
            }
        )
        if kind == "dirty_csv":
            rows = np.random.default_rng(seed).permutation(len(text))[: len(text) // 100]
            for (column, rule), part in zip(DIRTY_RULES, np.array_split(rows, len(DIRTY_RULES)), strict=True):
                text.loc[part, column] = rule(text.loc[part, column]).to_numpy()
        text.to_csv(folder / "transactions.csv", index=False)
    (folder / "done").touch()
    return folder


def customer_data(customers: int, years: int, seed: int = 11) -> Path:
    """A folder with every table for ``customers`` customers as Parquet files (made once, then cached).

    With ``years=1`` it also holds the persona features (``persona_features.parquet``) as of the last day.
    """
    folder = HERE / "data" / f"customers_{customers}_{years}y"
    if not (folder / "done").exists():
        from segmentation.datasets.sample import generate_sample

        folder.mkdir(parents=True, exist_ok=True)
        tables = generate_sample(customers, random_state=seed, years=years)
        for name in TABLES:
            tables[name].to_parquet(folder / f"{name}.parquet", index=False)
        del tables
        if years == 1:
            from segmentation.personas.features import persona_features

            features = persona_features(_dataset(folder), as_of=END)
            features.attrs = {}  # its notes hold dates, which Parquet's metadata cannot
            features.to_parquet(folder / "persona_features.parquet")
        (folder / "done").touch()
    return folder


def fit_data(customers: int, seed: int = 11) -> Path:
    """The BTYD summary (weeks) of ``customers`` customers whose purchases follow BG/NBD and Gamma-Gamma.

    Simulated with CDNOW's published parameters (``bgnbd_million.simulate``: 39 weeks, first
    purchases over a quarter), then summarised by ``btyd_summary``. The fits are compared on
    data their models describe: on the sample generator's B2B customers BG/NBD's drop-out
    parameter ``a`` goes to about 0.005 and Gamma-Gamma's ``q`` below 1 (no finite mean
    spend, which our model refuses), where a flat likelihood, not the fitter, decides the digits.
    """
    folder = HERE / "data" / f"fits_{customers}"
    path = folder / "summary_W.parquet"
    if not path.exists():
        from bgnbd_million import simulate  # bench/ is on the path when a script here runs

        from segmentation.features import btyd_summary

        folder.mkdir(parents=True, exist_ok=True)
        btyd_summary(simulate(customers, seed), as_of="1997-09-30", time_unit="W").to_parquet(path)
    return folder


def _dataset(folder: Path):
    from segmentation.data.dataset import Dataset

    return Dataset.from_frames(**{name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES})


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
    return pd.DataFrame(
        {
            "frequency": frequency,
            "recency": (last - first).dt.days.astype(float),
            "T": (end - first).dt.days.astype(float),
            "monetary_value": (repeat / frequency.where(frequency > 0)).fillna(0.0),
        }
    )


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_task(task: str, path: Path) -> dict:
    """Run one task in this process; return its seconds (imports and input reading excluded unless
    reading is the task), peak memory and result size (and fitted parameters for the fits)."""
    # Each task imports what it needs, before the clock: peak memory counts its own modules only.
    if task in ("summary", "features"):
        import ibis.backends.duckdb  # noqa: F401  (Ibis loads its backend on first use: an import, off the clock)

        from segmentation.features import btyd_summary, customer_features
    if task.endswith("_lifetimes"):  # only these tasks need the reference installed
        from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
        from lifetimes.utils import summary_data_from_transaction_data
    if task == "bgnbd":
        from segmentation.btyd.bgnbd import BetaGeoModel
    if task == "gamma_gamma":
        from segmentation.btyd.gamma_gamma import GammaGammaModel
    if task == "pareto_nbd":
        from segmentation.btyd.pareto_nbd import ParetoNBDModel
    if task in PERSONA_TASKS:
        from segmentation.personas.features import clustering_columns, persona_features
        from segmentation.personas.model import PersonaModel
    extra: dict = {}
    summary = pd.read_parquet(path / "summary_W.parquet") if task.startswith(("bgnbd", "pareto", "gamma")) else None
    repeat = summary.loc[summary["frequency"] > 0] if summary is not None else None
    data = _dataset(path) if task == "persona_features" else None
    X = pd.read_parquet(path / "persona_features.parquet") if task == "personas" else None
    X = X[clustering_columns(X)] if X is not None else None
    if task in SCORE_TASKS:
        import resource
        import shutil
        import tempfile

        out_dir = tempfile.mkdtemp(prefix="bench-score-")
        command = [
            str(Path(sys.executable).with_name("segmentation")),
            "score",
            str(score_folder(path, SCORE_TASKS[task])),
            "--as-of",
            END,
            "--policy",
            "abc",
            "--out",
            str(Path(out_dir) / "scores.parquet"),
        ]
    if task == "review":
        import resource
        import shutil
        import tempfile

        out_dir = tempfile.mkdtemp(prefix="bench-review-")
        command = [
            str(Path(sys.executable).with_name("segmentation")),
            "report",
            "quarterly_review",
            "--data",
            str(path),
            "--quarter",
            QUARTER,
            "--out",
            out_dir,
            "--no-progress",
        ]
    start = time.perf_counter()
    if task == "read":
        out = pd.read_parquet(path)
    elif task == "summary":
        out = btyd_summary(path, as_of=END, time_unit="D")
    elif task == "summary_lifetimes":
        tx = pd.read_parquet(path)
        out = summary_data_from_transaction_data(
            tx, "customer_id", "order_date", monetary_value_col="amount", observation_period_end=END, freq="D"
        )
    elif task == "summary_pandas":
        out = _summary_pandas(pd.read_parquet(path))
    elif task == "features":
        out = customer_features(path, as_of=END)
    elif task == "bgnbd":
        out, extra = summary, {"params": BetaGeoModel().fit(summary).params_}
    elif task == "bgnbd_lifetimes":
        fitted = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        out, extra = summary, {"params": {k: float(fitted.params_[k]) for k in ("r", "alpha", "a", "b")}}
    elif task == "pareto_nbd":
        out, extra = summary, {"params": ParetoNBDModel().fit(summary).params_}
    elif task == "pareto_nbd_lifetimes":
        fitted = ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
        out, extra = summary, {"params": {k: float(fitted.params_[k]) for k in ("r", "alpha", "s", "beta")}}
    elif task == "gamma_gamma":
        out, extra = repeat, {"params": GammaGammaModel().fit(summary).params_}
    elif task == "gamma_gamma_lifetimes":
        fitted = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        out, extra = repeat, {"params": {k: float(fitted.params_[k]) for k in ("p", "q", "v")}}
    elif task == "persona_features":
        out = persona_features(data, as_of=END)
    elif task == "personas":
        model = PersonaModel().fit(X)
        out, extra = X, {"k": model.n_clusters_, "chosen_on": model.selection_size_}
    elif task in SCORE_TASKS:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        out = pd.read_parquet(Path(out_dir) / "scores.parquet", columns=["customer_id"])
    elif task == "review":
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr[-2000:])
        out = list(Path(out_dir).rglob("*.html"))
    else:
        raise SystemExit(f"unknown task {task!r}; expected one of {TASKS}")
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    if task == "review" or task in SCORE_TASKS:
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        shutil.rmtree(out_dir)  # about 18 MB of report per run, not needed once timed
    return {"seconds": seconds, "peak_mb": peak, "rows": len(out), **extra}


def measure(task: str, path: Path, runs: int) -> dict:
    """``runs`` fresh processes of one task: median, min, max seconds and the largest peak memory."""
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, __file__, "--one", task, str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            return {"task": task, "error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    seconds = [r["seconds"] for r in results]
    return {
        "task": task,
        "runs": runs,
        "median_s": statistics.median(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "peak_mb": max(r["peak_mb"] for r in results),
        "rows": results[0]["rows"],
        **{k: v for k, v in results[0].items() if k not in ("seconds", "peak_mb", "rows")},
    }


def differences(path: Path, references: list[str]) -> dict[str, float]:
    """Largest absolute difference between our summary and each reference's (they must agree before speed counts)."""
    from segmentation.features import btyd_summary

    ours = btyd_summary(path, as_of=END, time_unit="D")
    tx = pd.read_parquet(path)
    out = {}
    for ref in references:
        if ref == "summary_lifetimes":
            from lifetimes.utils import summary_data_from_transaction_data

            theirs = summary_data_from_transaction_data(
                tx, "customer_id", "order_date", monetary_value_col="amount", observation_period_end=END, freq="D"
            )
        else:
            theirs = _summary_pandas(tx)
        theirs = theirs.set_axis(theirs.index.astype(str)).reindex(ours.index)[ours.columns]
        out[ref] = float(np.nanmax(np.abs(ours.to_numpy() - theirs.to_numpy())))
    return out


def _size(r: dict) -> str:
    return f"{r['size']:>10,} {r['unit']:<9}"


def table(rows: list[dict]) -> str:
    head = (
        f"{'size':<20} {'task':<22} {'median s':>9} {'min s':>7} {'max s':>7} {'peak MB':>8}  ratio (reference / ours)"
    )
    out = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            out.append(f"{_size(r)} {r['task']:<22} error: {r['error'][:70]}")
            continue
        ratio = ", ".join(f"{k} {v:.1f}x" for k, v in r.get("ratios", {}).items())
        if "k" in r:
            ratio = f"k = {r['k']} (chosen on {r['chosen_on']:,})"
        out.append(
            f"{_size(r)} {r['task']:<22} {r['median_s']:>9.2f} {r['min_s']:>7.2f} {r['max_s']:>7.2f} "
            f"{r['peak_mb']:>8,.0f}  {ratio}"
        )
    for r in rows:
        for ref, diff in r.get("max_abs_difference", {}).items():
            out.append(f"{_size(r)} {r['task']} equals {ref} to {diff:.1e} (largest absolute difference)")
    for r in rows:
        theirs = r.get("reference_params")
        if theirs:
            pairs = [f"{k} {v:.4g} / {theirs[k]:.4g}" for k, v in r["params"].items()]
            out.append(
                f"{_size(r)} {r['task']} parameters, ours / lifetimes: {', '.join(pairs)}; "
                f"largest relative difference {r['params_relative_difference']:.1e}, "
                f"equal to 3 significant digits: {r['params_equal_3sf']}"
            )
    return "\n".join(out)


#: Our parameter names against lifetimes' (its Gamma-Gamma calls the scale ``v``).
SAME_PARAMETER = {"gamma": "v"}


def _compare_params(m: dict, ref: dict) -> None:
    """Put lifetimes' parameters beside ours, with the largest relative difference and the 3-digit check."""
    theirs = {k: ref["params"][SAME_PARAMETER.get(k, k)] for k in m["params"]}
    m["reference_params"] = theirs
    m["params_relative_difference"] = max(abs(v - theirs[k]) / abs(theirs[k]) for k, v in m["params"].items())
    m["params_equal_3sf"] = all(f"{v:.3g}" == f"{theirs[k]:.3g}" for k, v in m["params"].items())


def _with_ratios(measured: dict[str, dict], differences_from: Path | None) -> None:
    for task, m in measured.items():
        refs = [r for r in REFERENCES.get(task, ()) if "median_s" in measured.get(r, {}) and "median_s" in m]
        if not refs:
            continue
        m["ratios"] = {r.split("_")[-1]: measured[r]["median_s"] / m["median_s"] for r in refs}
        if differences_from is not None and task == "summary":
            m["max_abs_difference"] = differences(differences_from, refs)
        if "params" in m:
            _compare_params(m, measured[refs[0]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--customers", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--review-customers", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--one", nargs=2, metavar=("TASK", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_task(args.one[0], Path(args.one[1]))))
        return
    rows: list[dict] = []
    plan = [(n, "lines", order_lines, [t for t in args.tasks if t in LINE_TASKS]) for n in args.lines]
    plan += [(n, "customers", fit_data, [t for t in args.tasks if t in FIT_TASKS]) for n in args.customers]
    plan += [
        (n, "customers", lambda n: customer_data(n, years=1), [t for t in args.tasks if t in PERSONA_TASKS])
        for n in args.customers
    ]
    plan += [
        (n, "customers", lambda n: customer_data(n, years=3), [t for t in args.tasks if t == "review"])
        for n in args.review_customers
    ]
    for n, unit, make, tasks in plan:
        if not tasks:
            continue
        path = make(n)
        size = len(pd.read_parquet(path, columns=["customer_id"])) if unit == "lines" else n
        measured = {t: measure(t, path, args.runs) for t in tasks}
        _with_ratios(measured, path if unit == "lines" else None)
        batch = [{"size": size, "unit": unit, **m} for m in measured.values()]
        rows += batch
        print(table(batch), flush=True)
        _record(batch)
    print(f"\n{table(rows)}\n\nWritten: {RESULTS}")


RESULTS = HERE / "results" / "run.json"


def _record(batch: list[dict]) -> None:
    """Merge a batch into results/run.json as soon as it is measured (a later run of a task replaces its row)."""
    key = lambda r: (r["size"], r["unit"], r["task"])  # noqa: E731
    old = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    new = {key(r) for r in batch}
    merged = [r for r in old if "unit" in r and key(r) not in new] + batch
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(merged, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
