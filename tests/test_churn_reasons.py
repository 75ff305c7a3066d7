"""Reasons that set a customer apart from retained customers of the same buying rhythm."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from domain_words import english_words

from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.reasons import (
    SIGNALS,
    RetainedReference,
    customer_reasons,
    first_reason_shares,
    retained_reference,
    rhythm_band,
    signal_label,
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


#: One customer of whom every warning signal's words are true.
WARNING_ROW = {
    "days_since_last_order": 200.0,
    "usual_gap_days": 70.0,
    "overdue_ratio": 2.9,
    "purchases_t12m": 3.0,
    "purchases_last_quarter": 1.0,
    "purchases_prev_quarter": 3.0,
    "frequency_trend": -0.5,
    "revenue_t12m": 1000.0,
    "revenue_trend": -0.5,
    "order_size_recent": 100.0,
    "order_size_change": -0.4,
    "tenure_days": 90.0,
    "contacts_last_quarter": 0.0,
    "no_reply_streak": 3.0,
    "reply_hours_recent": 30.0,
    "reply_hours_before": 10.0,
    "reply_delay_change": 2.0,
    "complaints_last_quarter": 2.0,
    "complaints_t12m": 3.0,
    "satisfaction_last": 2.0,
    "satisfaction_previous": 4.0,
    "satisfaction_change": -2.0,
}


def test_every_warning_reads_the_same_in_english_as_before():
    words = {name: signal.words(pd.Series(WARNING_ROW)) for name, signal in SIGNALS.items()}
    assert words == {
        "no_recent_order": "no order for 200 days (usually every 70)",
        "frequency_down": "orders down 67% on the quarter before (1 purchase day, was 3)",
        "rarely_buys": "buys rarely (3 purchase days in 12 months, about every 70 days): a quiet quarter is common",
        "order_size_down": "order size down 40% on the half-year before",
        "revenue_down": "revenue down 67% on the quarter before",
        "no_reply": "no reply to our last 3 contacts",
        "slower_replies": "replies slowed from 10 h to 30 h",
        "satisfaction_fell": "satisfaction fell from 4 to 2",
        "complaints": "2 complaints in the last quarter",
        "few_contacts": "no contact with us in the last quarter",
        "new_customer": "new customer (90 days)",
    }


def test_plural_forms_in_english_reasons():
    one = pd.Series({**WARNING_ROW, "no_reply_streak": 1.0, "complaints_last_quarter": 1.0})
    assert SIGNALS["no_reply"].words(one) == "no reply to our last contact"
    assert SIGNALS["complaints"].words(one) == "1 complaint in the last quarter"
    assert SIGNALS["complaints"].words(one, "zh") == "上一季度投诉 1 次"


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_every_warning_is_wholly_chinese(language):
    row = pd.Series(WARNING_ROW)
    variants = [row, pd.Series({**WARNING_ROW, "usual_gap_days": np.nan, "satisfaction_previous": np.nan})]
    for r in variants:
        for name, signal in SIGNALS.items():
            words = signal.words(r, language)
            assert words and not english_words(words), (name, words)
        for name in SIGNALS:
            assert not english_words(signal_label(name, language))
    assert SIGNALS["complaints"].words(row, "zh") == "上一季度投诉 2 次"
    assert SIGNALS["no_reply"].words(row, "zh") == "最近 3 次联系均未回复"
    bands = rhythm_band(pd.DataFrame({"usual_gap_days": [12.0, 75.0, 120.0, 400.0, np.nan]}), language=language)
    assert not [b for b in bands if english_words(b)]


def test_reasons_are_joined_in_the_language():
    X = pd.DataFrame([WARNING_ROW], index=["c1"])
    reference = pd.Series({**dict.fromkeys(WARNING_ROW, 0.0), "purchases_t12m": 20.0})
    en = customer_reasons(_Model(), X, reference)
    zh = customer_reasons(_Model(), X, reference, language="zh")
    assert en.loc["c1", "reason_signals"] == zh.loc["c1", "reason_signals"] == "rarely_buys,no_reply"
    assert zh.loc["c1", "reasons"] == "；".join(zh.loc["c1", ["reason_1", "reason_2"]])
    assert not english_words(zh.loc["c1", "reasons"])
    with pytest.raises(ValueError, match="language must be one of"):
        customer_reasons(_Model(), X, reference, language="fr")


def test_warns_is_true_exactly_where_a_signal_has_words():
    from segmentation.churn.features import churn_features
    from segmentation.churn.reasons import warns
    from segmentation.data.dataset import Dataset
    from segmentation.datasets.sample import generate_sample

    t = generate_sample(400, random_state=3)
    ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
    X = churn_features(ds, cutoff="2025-06-30")
    X.iloc[::7, :] = np.nan  # empty signals too
    rows = X.to_dict("records")
    for name, signal in SIGNALS.items():
        expected = np.array([signal.words(r) is not None for r in rows])
        np.testing.assert_array_equal(warns(X, name), expected, err_msg=name)
