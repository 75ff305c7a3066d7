"""Fit times of the repeat-buying models on a million customers, each against lifetimes' same model in the same run.

    .venv/bin/pip install -r bench/requirements.txt     # lifetimes 0.11.3, the reference (benchmarks only)
    .venv/bin/python bench/btyd_fits.py --customers 1000000 --runs 3

Data, made once per run (not timed):

- BG/NBD, MBG/NBD and Pareto/NBD: the order lines of ``bgnbd_million.simulate`` (purchases from
  BG/NBD with CDNOW's published parameters, 39 weeks), summarised by ``btyd_summary`` in weeks;
- BG/BB: histories drawn from BG/BB itself with the donations paper's parameters (alpha 1.204,
  beta 0.750, gamma 0.657, delta 2.783), each customer with 1 to 10 yearly opportunities.

Both fitters get the same summary: ours evaluates its distinct histories, lifetimes its rows
(``--lifetimes-input distinct`` gives lifetimes the distinct histories with their counts as
``weights``, to time the likelihood and the optimiser alone). Every fit is timed ``--runs``
times in this process, models imported and data made before the clock starts; the median, the
minimum and the parameters side by side are printed and appended to
bench/results/btyd_fits.jsonl.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import pandas as pd
from _results import record  # bench/ is on the path when a script here runs
from bgnbd_million import simulate

from segmentation.btyd.bgbb import BetaGeoBetaBinomModel
from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.features import btyd_summary

BGBB_TRUE = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


def simulate_bgbb(n: int, seed: int) -> pd.DataFrame:
    """``frequency, recency, periods`` of ``n`` customers drawn from BG/BB (:data:`BGBB_TRUE`), 1 to 10 opportunities."""
    rng = np.random.default_rng(seed)
    p = rng.beta(BGBB_TRUE["alpha"], BGBB_TRUE["beta"], n)
    theta = rng.beta(BGBB_TRUE["gamma"], BGBB_TRUE["delta"], n)
    periods = rng.integers(1, 11, n)
    alive = np.ones(n, dtype=bool)
    frequency, recency = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    for t in range(1, 11):
        alive &= rng.random(n) >= theta  # drop out before opportunity t
        buys = alive & (t <= periods) & (rng.random(n) < p)
        frequency += buys
        recency[buys] = t
    return pd.DataFrame({"frequency": frequency, "recency": recency, "periods": periods})


def _lifetimes_fitters():
    from lifetimes import BetaGeoBetaBinomFitter, BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

    return {
        "bgnbd": BetaGeoFitter,
        "mbgnbd": ModifiedBetaGeoFitter,
        "pareto_nbd": ParetoNBDFitter,
        "bgbb": BetaGeoBetaBinomFitter,
    }


OURS = {
    "bgnbd": BetaGeoModel,
    "mbgnbd": ModifiedBetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "bgbb": BetaGeoBetaBinomModel,
}


def _timed(fit, runs: int):
    times, fitted = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        fitted = fit()
        times.append(time.perf_counter() - t0)
    return fitted, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=list(OURS), choices=list(OURS))
    parser.add_argument("--lifetimes-input", choices=["rows", "distinct"], default="rows")
    args = parser.parse_args()
    lifetimes = _lifetimes_fitters()
    t0 = time.perf_counter()
    continuous = btyd_summary(simulate(args.customers, args.random_state), as_of="1997-09-30", time_unit="W")
    discrete = simulate_bgbb(args.customers, args.random_state)
    print(f"data made in {time.perf_counter() - t0:.0f} s")
    rows = []
    for name in args.models:
        summary = discrete if name == "bgbb" else continuous
        columns = list(OURS[name].SUMMARY_COLUMNS)
        ours, our_times = _timed(lambda: OURS[name]().fit(summary), args.runs)  # noqa: B023 (called at once)
        data = summary[columns]
        weights = None
        if args.lifetimes_input == "distinct":
            grouped = data.groupby(columns).size().reset_index(name="weight")
            data, weights = grouped[columns], grouped["weight"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lifetimes' own deprecation and overflow warnings
            theirs, their_times = _timed(
                lambda: lifetimes[name]().fit(*(data[c] for c in columns), weights=weights),  # noqa: B023
                args.runs,
            )
        their_params = {k: float(theirs.params_[k]) for k in ours.params_}
        difference = max(abs(their_params[k] / v - 1) for k, v in ours.params_.items())
        row = {
            "model": name,
            "customers": len(summary),
            "distinct_histories": ours.n_unique_,
            "ours_median_s": round(statistics.median(our_times), 3),
            "ours_min_s": round(min(our_times), 3),
            "lifetimes_median_s": round(statistics.median(their_times), 3),
            "lifetimes_min_s": round(min(their_times), 3),
            "ratio": round(statistics.median(their_times) / statistics.median(our_times), 1),
            "params": {k: round(v, 4) for k, v in ours.params_.items()},
            "lifetimes_params": {k: round(v, 4) for k, v in their_params.items()},
            "largest_relative_difference": float(f"{difference:.2g}"),
            "lifetimes_input": args.lifetimes_input,
            "runs": args.runs,
        }
        rows.append(record("btyd_fits", row))
    print("\nmodel        customers  distinct  ours s (min)     lifetimes s (min)   ratio  params differ by")
    for r in rows:
        print(
            f"{r['model']:<11}{r['customers']:>10,}{r['distinct_histories']:>10,}"
            f"{r['ours_median_s']:>9.2f} ({r['ours_min_s']:.2f}){r['lifetimes_median_s']:>11.2f} "
            f"({r['lifetimes_min_s']:.2f}){r['ratio']:>9.1f}x  {r['largest_relative_difference']:.1e}"
        )


if __name__ == "__main__":
    main()
