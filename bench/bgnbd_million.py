"""Time BG/NBD (and CLV) on a generated history of a million customers.

    .venv/bin/python bench/bgnbd_million.py --customers 1000000

Purchases are simulated from the BG/NBD process itself (rates ~ Gamma(r, alpha), drop-out
after each purchase with p ~ Beta(a, b), CDNOW's published parameters), first purchases spread
over a quarter, times in days, for a 39-week calibration period. The order lines go through the
real pipeline: btyd_summary (DuckDB) in weeks, then BetaGeoModel.fit on the distinct
(frequency, recency, T) rows. Prints the timings, the distinct histories, and the parameters
recovered against the true ones; appends one JSON line to bench/results/bgnbd_million.jsonl.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _results import record  # bench/ is on the path when a script here runs

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.clv import customer_lifetime_value
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.features import btyd_summary

TRUE = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


def simulate(n: int, seed: int, weeks: float = 39.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("1997-01-01")
    first_day = rng.integers(0, 90, n)
    end_day = int(weeks * 7)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n) / 7  # per day
    p = rng.beta(TRUE["a"], TRUE["b"], n)
    cust, day = [np.arange(n)], [first_day.astype(float)]
    now, alive = first_day.astype(float), np.ones(n, dtype=bool)
    while alive.any():
        idx = np.nonzero(alive)[0]
        now[idx] += rng.exponential(1 / np.maximum(lam[idx], 1e-12))
        ok = now[idx] <= end_day
        idx = idx[ok]
        cust.append(idx)
        day.append(np.floor(now[idx]))
        gone = rng.random(len(idx)) < p[idx]  # drop out after this purchase
        alive[:] = False
        alive[idx[~gone]] = True
    c, d = np.concatenate(cust), np.concatenate(day)
    spend = rng.gamma(6.25, 1 / rng.gamma(3.74, 1 / 15.44, n))[c] if len(c) else np.zeros(0)
    return pd.DataFrame(
        {
            "customer_id": c.astype(str),
            "order_id": np.arange(len(c)).astype(str),
            "order_date": start + pd.to_timedelta(d, unit="D"),
            "amount": np.round(spend, 2),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tx = simulate(args.customers, args.random_state)
    simulate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = btyd_summary(tx, as_of="1997-09-30", time_unit="W")
    summary_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bg = BetaGeoModel().fit(summary)
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    gg = GammaGammaModel().fit(summary)
    gg_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    clv = customer_lifetime_value(bg, gg, summary, horizon=39, discount_rate=0.1)
    clv_s = time.perf_counter() - t0
    result = {
        "customers": len(summary),
        "order_lines": len(tx),
        "distinct_histories": bg.n_unique_,
        "simulate_s": round(simulate_s, 1),
        "summary_s": round(summary_s, 1),
        "bgnbd_fit_s": round(fit_s, 2),
        "gamma_gamma_fit_s": round(gg_s, 2),
        "clv_39_weeks_s": round(clv_s, 1),
        "params": {k: round(v, 4) for k, v in bg.params_.items()},
        "true_params": TRUE,
        "log_likelihood": round(bg.log_likelihood_, 1),
        "clv_total": round(float(clv["clv"].sum()), 0),
    }
    record("bgnbd_million", result)


if __name__ == "__main__":
    main()
