"""Reasons that set a customer apart from retained customers of the same buying rhythm."""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.reasons import (
    RetainedReference,
    customer_reasons,
    first_reason_shares,
    retained_reference,
    rhythm_band,
)


class _Model:
    """A churn model that only looks at how rarely a customer buys and at unanswered contacts."""

    classes_ = np.array([False, True])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 0.05 + 0.4 * (X["purchases_t12m"] <= 4) + 0.4 * (X["no_reply_streak"] >= 2)
        return np.column_stack([1 - p, p])


def _customers(n: int, *, gap: float, purchases: float, no_reply: float) -> pd.DataFrame:
    X = pd.DataFrame(0.0, index=[f"c{i}" for i in range(n)], columns=list(CHURN_FEATURES))
    X["usual_gap_days"], X["purchases_t12m"], X["no_reply_streak"] = gap, purchases, no_reply
    X["days_since_last_order"], X["tenure_days"] = gap / 2, 1000.0
    for column in ("order_size_change", "reply_hours_recent", "reply_hours_before", "satisfaction_last"):
        X[column] = np.nan
    return X


def test_a_warning_most_retained_customers_of_the_same_rhythm_share_is_no_reason():
    # retained project buyers (every ~150 days) all buy rarely; retained monthly buyers never do
    rare = _customers(40, gap=150, purchases=2, no_reply=0)
    monthly = _customers(40, gap=20, purchases=15, no_reply=0).rename(index=lambda i: f"m{i}")
    reference = retained_reference(pd.concat([rare, monthly]), np.zeros(80, dtype=bool))
    assert isinstance(reference, RetainedReference)
    assert reference.common.loc["every 91 to 180 days", "rarely_buys"] == 1.0
    assert reference.common.loc["every 30 days or less", "rarely_buys"] == 0.0
    # at risk: a project buyer with unanswered contacts, and a monthly buyer who now buys rarely
    at_risk = pd.concat(
        [
            _customers(1, gap=150, purchases=2, no_reply=3).rename(index={"c0": "project"}),
            _customers(1, gap=20, purchases=3, no_reply=0).rename(index={"c0": "monthly"}),
        ]
    )
    reasons = customer_reasons(_Model(), at_risk, reference)
    assert reasons.loc["project", "reason_signals"] == "no_reply"  # buying rarely is normal for a project buyer
    assert reasons.loc["monthly", "reason_signals"] == "rarely_buys"  # but not for a monthly buyer
    # one reference for everyone (a Series) keeps the old behaviour: every warning that points the warning way
    flat = customer_reasons(_Model(), at_risk, pd.concat([rare, monthly]).median())
    assert set(flat.loc["project", "reason_signals"].split(",")) == {"no_reply", "rarely_buys"}


def test_a_rhythm_band_with_few_retained_customers_is_compared_with_all_of_them():
    X = pd.concat([_customers(40, gap=20, purchases=15, no_reply=0), _customers(3, gap=400, purchases=1, no_reply=0)])
    X.index = [f"c{i}" for i in range(len(X))]
    reference = retained_reference(X, np.zeros(len(X), dtype=bool), min_customers=30)
    rare = _customers(1, gap=400, purchases=1, no_reply=0)
    assert rhythm_band(rare).iloc[0] == "every 181 days or more"
    assert reference.features(rare).loc["c0", "purchases_t12m"] == reference.medians.loc["all", "purchases_t12m"]


def test_first_reason_shares_count_the_high_band_only():
    table = pd.DataFrame({"band": ["high"] * 4 + ["low"], "signals": ["a,b", "a", "", "b", "a"]})
    assert first_reason_shares(table).to_dict() == {"a": 0.5, "none": 0.25, "b": 0.25}
