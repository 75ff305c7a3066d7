"""The churn-risk list: sorted by value at risk, reasons that match the data, bands, no personal data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from domain_words import english_words

from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.model import churn_probability
from segmentation.churn.reasons import SIGNALS, customer_reasons
from segmentation.churn.risk import churn_risk, risk_bands
from segmentation.data.dataset import Dataset
from segmentation.datasets.sample import generate_sample
from segmentation.errors import WorkbenchError

pytestmark = pytest.mark.heavy

CUTOFF = "2025-06-30"


@pytest.fixture(scope="module")
def data():
    t = generate_sample(800, random_state=9)
    return Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})


@pytest.fixture(scope="module")
def risk(data):
    return churn_risk(data, cutoff=CUTOFF)


def test_the_list_has_every_active_customer_sorted_by_value_at_risk(risk):
    t = risk.table
    assert list(t.columns[:6]) == [
        "customer_id",
        "tier",
        "churn_probability",
        "band",
        "revenue_t12m",
        "value_at_risk",
    ]
    assert t["customer_id"].is_unique and set(t["customer_id"]) == set(risk.features.index)
    assert t["value_at_risk"].is_monotonic_decreasing
    assert np.allclose(t["value_at_risk"], t["churn_probability"] * t["revenue_t12m"])
    assert risk.value_column == t.attrs["value_column"] == "revenue_t12m"
    assert np.allclose(
        t.set_index("customer_id")["revenue_t12m"], risk.features["revenue_t12m"].reindex(t["customer_id"])
    )
    assert t["churn_probability"].between(0, 1).all() and t["tier"].notna().all()


def test_no_personal_data_in_the_list(risk, data):
    personal = {"name", "contact_name", "contact_phone", "contact_email"}
    assert not personal & set(risk.table.columns)
    text = risk.table.astype(str).to_numpy().ravel()
    phones = set(data.customers["contact_phone"].dropna())
    assert not any(v in phones for v in text)


def test_high_risk_customers_get_reasons_that_match_their_figures(risk):
    t = risk.table.set_index("customer_id")
    flagged = t.loc[t["band"].isin(["high", "medium"])]
    assert len(flagged) > 20
    assert (flagged["reason_1"] != "").all()
    checked = 0
    for customer, row in flagged.iterrows():
        f = risk.features.loc[customer]
        for reason in row[["reason_1", "reason_2", "reason_3"]]:
            if m := re.fullmatch(r"no order for ([\d,]+) days.*", reason):
                assert int(m.group(1).replace(",", "")) == f["days_since_last_order"]
                checked += 1
            if m := re.fullmatch(r"satisfaction fell from (\d) to (\d)", reason):
                assert (int(m.group(1)), int(m.group(2))) == (f["satisfaction_previous"], f["satisfaction_last"])
                checked += 1
            if m := re.fullmatch(r"replies slowed from ([\d,]+) h to ([\d,]+) h", reason):
                assert float(m.group(2).replace(",", "")) > float(m.group(1).replace(",", ""))
                checked += 1
    assert checked > 10


def test_every_feature_belongs_to_exactly_one_signal():
    owners = [f for s in SIGNALS.values() for f in s.features]
    assert sorted(owners) == sorted(CHURN_FEATURES)


def test_importance_comes_from_a_quarter_the_model_had_not_seen(risk):
    imp = risk.importance
    assert set(imp["feature"]) == set(CHURN_FEATURES)
    assert imp["importance"].is_monotonic_decreasing and imp["importance"].iloc[0] > 0
    assert [c.strftime("%Y-%m-%d") for c in risk.training_cutoffs] == [
        "2024-03-31",
        "2024-06-30",
        "2024-09-30",
        "2024-12-31",
    ]  # recorded losses within 6 months: the last training label closes on the cutoff


def test_later_data_changes_nothing(data, risk):
    tx = data.transactions
    later = tx.loc[tx["order_date"] > pd.Timestamp(CUTOFF)]
    shorter = Dataset.from_frames(
        transactions=tx.drop(later.index),
        customers=data.customers,
        interactions=data.interactions,
        surveys=data.surveys,
        churn_events=data.churn_events,
    )
    again = churn_risk(shorter, cutoff=CUTOFF, importance=False)  # the importance's second model changes nothing
    pd.testing.assert_frame_equal(again.table, risk.table)
    assert again.importance is None


def test_customers_explained_on_demand_get_the_reasons_of_the_full_list(data, risk):
    lean = churn_risk(data, cutoff=CUTOFF, importance=False, reasons=False)
    assert list(lean.table.columns) == [
        "customer_id",
        "tier",
        "churn_probability",
        "band",
        "revenue_t12m",
        "value_at_risk",
    ]
    pd.testing.assert_frame_equal(lean.table, risk.table[lean.table.columns])
    some = risk.table["customer_id"].iloc[[40, 0, 7, -1]]
    full = risk.table.set_index("customer_id").loc[some, ["reason_1", "reason_2", "reason_3", "reasons", "signals"]]
    explained = lean.explain(some)
    assert explained.index.tolist() == some.tolist()
    pd.testing.assert_frame_equal(explained.reset_index(drop=True), full.reset_index(drop=True))
    shown = lean.with_reasons(some)
    assert (
        shown["reasons"].notna().sum() == len(some)
        and shown.set_index("customer_id").loc[some, "reasons"].notna().all()
    )
    pd.testing.assert_frame_equal(lean.with_reasons(), risk.table)
    with pytest.raises(WorkbenchError, match=r"not in the risk list.*'nobody'"):
        lean.explain(["nobody", some.iloc[0]])


def test_reasons_from_the_known_probability_equal_those_predicted_afresh(risk):
    X = risk.features.head(200)
    reference = X.median()
    known = churn_probability(risk.model, X)
    pd.testing.assert_frame_equal(
        customer_reasons(risk.model, X, reference, probability=known), customer_reasons(risk.model, X, reference)
    )


def test_bands_by_capacity_follow_the_value_at_risk(data):
    r = churn_risk(data, cutoff=CUTOFF, capacity=(10, 30))
    assert r.table["band"].tolist()[:40] == ["high"] * 10 + ["medium"] * 30
    assert (r.table["band"].iloc[40:] == "low").all()


def test_bands_by_probability():
    p = pd.Series([0.9, 0.5, 0.3, 0.25, 0.1])
    assert risk_bands(p, high=0.5, medium=0.25).tolist() == ["high", "high", "medium", "medium", "low"]
    with pytest.raises(WorkbenchError, match="0 <= medium <= high <= 1"):
        risk_bands(p, high=0.2, medium=0.4)


def test_a_cutoff_without_earlier_quarters_is_refused(data):
    with pytest.raises(WorkbenchError, match="no earlier quarter end to learn from"):
        churn_risk(data, cutoff="2023-06-30")


def test_a_value_passed_names_its_column(data, risk):
    ids = risk.features.index
    clv = pd.Series(np.arange(len(ids), dtype=float) * 10.0, index=ids, name="clv")
    lean = churn_risk(data, cutoff=CUTOFF, importance=False, reasons=False, value=clv)
    t = lean.table.set_index("customer_id")
    assert lean.value_column == "clv" and "revenue_t12m" not in t and "expected_value" not in t
    assert t["clv"].to_dict() == clv.to_dict()
    p = risk.table.set_index("customer_id")["churn_probability"].reindex(t.index)
    assert np.allclose(t["value_at_risk"], p * clv.reindex(t.index))
    assert t["value_at_risk"].is_monotonic_decreasing
    unnamed = churn_risk(data, cutoff=CUTOFF, importance=False, reasons=False, value=clv.rename(None))
    assert unnamed.value_column == "value" and "value" in unnamed.table
    with pytest.raises(WorkbenchError, match="value: a Series named 'band' would clash"):
        churn_risk(data, cutoff=CUTOFF, importance=False, reasons=False, value=clv.rename("band"))
    with pytest.raises(WorkbenchError, match=r"value: no value for 1 of the \d+ customers"):
        churn_risk(data, cutoff=CUTOFF, importance=False, reasons=False, value=clv.iloc[1:])


def test_a_chinese_list_gives_every_reason_in_chinese(data, risk):
    zh = churn_risk(data, cutoff=CUTOFF, language="zh")
    # the same scores and order: only the words change
    pd.testing.assert_frame_equal(
        zh.table[["customer_id", "churn_probability", "band"]], risk.table[["customer_id", "churn_probability", "band"]]
    )
    reasons = zh.table["reasons"].dropna()
    assert len(reasons) == len(zh.table)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in reasons)
    assert english_words(" ".join(reasons)) == []
    # a list explains itself in another language on demand
    top = zh.table["customer_id"].head(3)
    assert zh.explain(top, language="en")["reasons"].str.contains(r"[A-Za-z]{3,}").all()
