"""How well can a churn list rank the planted losses of the sample data? Ours against an oracle.

    .venv/bin/python bench/churn_truth.py --seeds 3 5 11          # about a minute per seed

Not a timing: an accuracy measurement that is too slow for the test suite. For each seed it
generates the 3,000-customer sample, scores the active customers at 2025-03-31 with
``churn_risk`` under every churn definition, and judges each list against the customers truly
lost in the two quarters after the cutoff (``truth.csv``'s ``churned_on``; customers already
lost by the cutoff are left out). Beside them, two **oracles** trained on the truth itself, on
the same training quarter ends and the same features: the churn model (``ChurnModel``) and a
regularised logistic regression. An oracle is what the features can give at best when the
label is exactly what the business means; a definition close to the oracle has nothing left to
learn from these signals.

The table prints ROC AUC, lift at 10% and the planted churners' share of the high band as a
multiple of their base rate.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from segmentation.churn.features import DEFAULT_HORIZONS, churn_features, horizon_end, previous_cutoffs
from segmentation.churn.metrics import score_metrics
from segmentation.churn.model import ChurnModel
from segmentation.churn.risk import churn_risk
from segmentation.data.dataset import Dataset
from segmentation.datasets.sample import generate_sample

CUTOFF = pd.Timestamp("2025-03-31")
HORIZON = 6  # months: "lost in the following two quarters"


def truly_lost(truth: pd.Series, ids: pd.Index, cutoff: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """(lost within the horizon, still a customer at the cutoff) for ``ids``."""
    lost_on = truth.reindex(ids)
    keep = ~(lost_on <= cutoff)
    return (lost_on > cutoff) & (lost_on <= horizon_end(cutoff, HORIZON)), keep


def judge(name: str, score: pd.Series, truth: pd.Series, high: pd.Series | None = None) -> dict:
    lost, keep = truly_lost(truth, score.index, CUTOFF)
    m = score_metrics(lost[keep], score[keep])
    row = {"list": name, "roc_auc": m["roc_auc"], "lift_10": m["lift_10"]}
    if high is not None:
        in_high = high.reindex(score.index).fillna(False).astype(bool) & keep
        row["high_band_share_x"] = lost[in_high].mean() / lost[keep].mean() if in_high.any() else np.nan
    return row


def oracles(data: Dataset, truth: pd.Series, seed: int) -> list[dict]:
    earliest = pd.Timestamp(data.transactions["order_date"].min()) + pd.Timedelta(days=365)
    cutoffs = previous_cutoffs(CUTOFF, horizon_months=DEFAULT_HORIZONS["recorded"], n=4, earliest=earliest)
    frames = []
    for c in cutoffs:
        X = churn_features(data, cutoff=c)
        lost, keep = truly_lost(truth, X.index, c)
        frames.append((X[keep], lost[keep].astype(int)))
    X_train = pd.concat([f[0] for f in frames])
    y_train = pd.concat([f[1] for f in frames]).to_numpy()
    X = churn_features(data, cutoff=CUTOFF)
    logistic = make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True), StandardScaler(), LogisticRegression(C=0.1, max_iter=5000)
    )
    rows = []
    for name, model in (("oracle: churn model on truth", ChurnModel()), ("oracle: logistic on truth", logistic)):
        model.fit(X_train, y_train)
        rows.append(judge(name, pd.Series(model.predict_proba(X)[:, 1], index=X.index), truth))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[3, 5, 11])
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # a measurement script: sklearn's convergence chatter is not the point
    rows = []
    for seed in args.seeds:
        tables = generate_sample(args.customers, random_state=seed)
        truth = tables.pop("truth").set_index("customer_id")["churned_on"]
        data = Dataset.from_frames(**tables)
        for definition in ("recorded", "lapsed", "quiet_quarter"):
            risk = churn_risk(data, cutoff=CUTOFF, definition=definition, importance=False, reasons=False)
            table = risk.table.set_index("customer_id")
            rows.append(
                {
                    "seed": seed,
                    **judge(definition, table["churn_probability"], truth, table["band"].eq("high")),
                }
            )
        rows += [{"seed": seed, **row} for row in oracles(data, truth, seed)]
        print(pd.DataFrame(rows[-5:]).round(3).to_string(index=False), flush=True)
    print()
    print(pd.DataFrame(rows).pivot_table(index="list", values=["roc_auc", "lift_10"], aggfunc="mean").round(3))


if __name__ == "__main__":
    main()
