"""Quarterly KPIs, overdue contacts and service levels on small hand-computed data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmentation.data.dataset import Dataset
from segmentation.data.privacy import mask_personal
from segmentation.errors import ConfigError
from segmentation.periods import quarter
from segmentation.review.contact_policy import overdue_contacts
from segmentation.review.kpis import quarterly_kpis
from segmentation.review.service_levels import ServiceLevels
from segmentation.review.trends import customer_growth, tier_distribution
from segmentation.value.tiers import TierPolicy


def _d(*days: str) -> pd.Series:
    return pd.to_datetime(pd.Series(days)).astype("datetime64[us]")


@pytest.fixture
def data() -> Dataset:
    # a: A tier (600k in the year to 2025-06-30), buys again in Q3; b: B tier, silent in Q3;
    # c: C tier, buys in Q3; d: bought only in 2023 (not a customer at the start); e: lost before Q3.
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c", "d", "e"],
            "order_id": list("1234567"),
            "order_date": _d(
                "2024-10-01", "2025-08-01", "2025-01-15", "2025-02-01", "2025-09-30", "2023-05-01", "2025-03-01"
            ),
            "amount": [600_000.0, 100_000.0, 250_000.0, 1_000.0, 3_000.0, 50.0, 10.0],
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "date": _d("2025-07-03", "2025-08-03", "2025-09-03", "2025-07-10", "2025-06-01"),
            "channel": ["visit", "phone", "phone", "email", "email"],
            "direction": ["proactive", "proactive", "inbound", "proactive", "proactive"],
            "response_hours": [5.0, np.nan, np.nan, 12.0, np.nan],
        }
    )
    surveys = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b", "c"],
            "date": _d("2025-06-20", "2025-03-01", "2025-09-01", "2024-01-01"),
            "rating": [5, 5, 2, 4],
        }
    )
    events = pd.DataFrame(
        {"customer_id": ["e", "b"], "date": _d("2025-05-01", "2025-09-15"), "reason": ["price", "competitor"]}
    )
    return Dataset.from_frames(transactions=tx, interactions=interactions, surveys=surveys, churn_events=events)


def _kpi(table: pd.DataFrame, tier: str, kpi: str) -> pd.Series:
    return table.set_index(["tier", "kpi"]).loc[(tier, kpi)]


def test_kpis_by_hand(data):
    k = quarterly_kpis(data, quarter="2025Q3")
    assert k.attrs["customers"] == 3 and k.attrs["lost_before"] == 1  # a, b, c; e was lost in May
    assert _kpi(k, "All", "retention_rate")[["numerator", "denominator"]].tolist() == [2, 3]
    assert _kpi(k, "A", "retention_rate")["status"] == "met"  # a bought again: 100% >= 95%
    assert _kpi(k, "B", "retention_rate")[["value", "status"]].tolist() == [0.0, "missed"]
    assert _kpi(k, "B", "churn_rate")["value"] == 1.0  # b recorded lost in September
    # a: visit with a reply (2) + phone (1) + inbound (1) = 4 in 3 months; b: e-mail with a reply (2)
    assert _kpi(k, "A", "activity")["value"] == pytest.approx(4 / 3)
    assert _kpi(k, "A", "activity")["status"] == "missed"  # target 5 a month
    assert _kpi(k, "B", "activity")["value"] == pytest.approx(2 / 3)
    # survey window: 6 months to 2025-09-30; b's latest answer (2) counts, c's 2024 answer does not
    assert _kpi(k, "B", "satisfaction_rate")["value"] == 0.0
    assert _kpi(k, "A", "satisfaction_rate")["value"] == 1.0
    assert _kpi(k, "C", "satisfaction_rate")["status"] == "not computed"
    assert "no survey answers in the 6 months" in _kpi(k, "C", "satisfaction_rate")["note"]
    assert _kpi(k, "All", "survey_coverage")["value"] == pytest.approx(2 / 3)
    # value growth of a: 700k in the year to Q3 end against 0 before -> no base
    assert _kpi(k, "A", "value_growth")["status"] == "not computed"
    assert _kpi(k, "All", "survey_coverage")["status"] == "no target"
    assert set(k["status"]) <= {"met", "missed", "no target", "not computed"}


def test_kpis_without_optional_tables_say_why(data):
    bare = Dataset.from_frames(transactions=data.transactions)
    k = quarterly_kpis(bare, quarter="2025Q3")
    assert (
        k.loc[k["kpi"].isin(["activity", "satisfaction_rate", "survey_coverage", "churn_rate"]), "status"]
        == "not computed"
    ).all()
    assert len(k.attrs["not_computed"]) == 4
    assert _kpi(k, "All", "retention_rate")["value"] == pytest.approx(2 / 4)  # e counts: not known to be lost


def test_overdue_contacts_by_hand(data):
    c = overdue_contacts(data, as_of="2025-09-30")
    got = c.overdue.set_index(["customer_id", "contact"])["days_overdue"].to_dict()
    # a (A): visit 2025-07-03 is within 3 months; call 2025-08-03 + 1 month = 2025-09-03 -> 27 days late
    # b and e are recorded lost and not checked; c (C): e-mail 2025-06-01 + 3 months -> 29 days late;
    # c was never called: a customer since 2025-02-01, due 2025-08-01 -> 60 days late
    assert got == {("a", "call"): 27, ("c", "message or e-mail"): 29, ("c", "call"): 60}
    assert c.overdue.attrs["lost"] == 2  # b and e
    summary = c.summary.set_index(["tier", "contact"])
    assert summary.loc[("A", "visit"), ["customers", "overdue"]].tolist() == [1, 0]


def test_overdue_contacts_without_interactions():
    tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": _d("2025-01-01"), "amount": [1.0]})
    c = overdue_contacts(Dataset.from_frames(transactions=tx), as_of="2025-09-30")
    assert c.overdue.empty and "no interactions table" in c.missing


def test_tier_distribution_and_growth(data):
    t = tier_distribution(data, quarter="2025Q3").set_index("tier")
    assert t.loc["total", "customers"] == 4 and t.attrs["inactive"] == 1  # d is long inactive
    assert t.loc["A", "revenue_quarter"] == 100_000 and t.loc["total", "revenue_share"] == 1.0
    g = customer_growth(data, quarter="2025Q3", n_quarters=10).set_index("quarter")
    assert g.loc["2025Q3", ["new_customers", "lost_customers"]].tolist() == [0, 1]
    # the data start on 2023-05-01: the year before 2023Q2's end reaches back before it, 2024Q2's does not
    assert not g.loc["2023Q2", "history_complete"] and g.loc["2024Q2", "history_complete"]


def test_service_levels_name_every_mistake(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text(
        "tiers:\n  A:\n    contacts:\n      - {contact: call, channels: phone, every_months: 0}\n"
        "    targets: {retention: 0.9, activity: -1}\nsurvey_window_months: 40\n"
    )
    with pytest.raises(ConfigError) as err:
        ServiceLevels.load(bad)
    text = str(err.value)
    for part in (
        "every_months must be a whole number",
        "channels must be 'any' or a list",
        "unknown KPI 'retention'",
        "target of activity must be a number >= 0",
        "survey_window_months",
    ):
        assert part in text
    assert ServiceLevels.for_policy(TierPolicy.load("sabc")).name == "sabc"
    with pytest.raises(ConfigError, match="not tiers of policy"):
        ServiceLevels.for_policy(TierPolicy.load("abc"), "sabc")


def test_quarter_parsing_and_masking():
    assert str(quarter(" 2024-q4 ")) == "2024Q4" and quarter("2025Q1").previous_end == pd.Timestamp("2024-12-31")
    with pytest.raises(ConfigError, match="expected a quarter such as 2025Q3, got '2025Q0'"):
        quarter("2025Q0")
    people = pd.DataFrame(
        {
            "contact_name": ["Ann Lee", None],
            "contact_phone": ["+1 (555) 010-2345", ""],
            "contact_email": ["ann@x.org", "broken"],
        }
    )
    masked = mask_personal(people)
    assert masked.iloc[0].tolist() == ["A***", "***-2345", "a***@x.org"]
    assert pd.isna(masked.iloc[1, 0]) and masked.iloc[1, 1] == "" and masked.iloc[1, 2] == "***"
    pd.testing.assert_frame_equal(mask_personal(masked), masked)  # masking twice changes nothing
