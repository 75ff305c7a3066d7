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
from segmentation.review.kpis import kpi_definitions, kpi_scorecard, quarterly_kpis
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


def _with_windows(**windows: str) -> ServiceLevels:
    """The abc preset with some KPIs measured over other windows."""
    levels = ServiceLevels.load("abc")
    return ServiceLevels(
        levels.name, levels.rules, levels.targets, levels.all_tiers, {**levels.windows, **windows}, levels.source
    )


def test_kpis_by_hand(data):
    # retention over the quarter: the first fixture's customers all start in 2025
    k = quarterly_kpis(data, quarter="2025Q3", service=_with_windows(retention_rate="quarter"))
    assert k.attrs["customers"] == 3 and k.attrs["lost_before"] == 1  # a, b, c; e was lost in May
    assert _kpi(k, "All", "retention_rate")[["numerator", "denominator"]].tolist() == [2, 3]
    assert _kpi(k, "A", "retention_rate")["status"] == "met"  # a bought again: 100% >= 95%
    assert _kpi(k, "B", "retention_rate")[["value", "status"]].tolist() == [0.0, "missed"]
    assert _kpi(k, "All", "quarterly_repurchase_rate")[["numerator", "denominator"]].tolist() == [2, 3]
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
    # coverage over the same 6 months: a and b answered, of a, b, c and e (customers on 2025-03-31; e is
    # recorded lost only in May)
    assert _kpi(k, "All", "survey_coverage")["value"] == pytest.approx(2 / 4)
    # value growth of a: 700k in the year to Q3 end against 0 before -> no base
    assert _kpi(k, "A", "value_growth")["status"] == "not computed"
    assert _kpi(k, "All", "survey_coverage")["status"] == "no target"
    assert set(k["status"]) <= {"met", "missed", "no target", "not computed"}


def test_kpis_without_optional_tables_say_why(data):
    bare = Dataset.from_frames(transactions=data.transactions)
    k = quarterly_kpis(bare, quarter="2025Q3", service=_with_windows(retention_rate="quarter"))
    assert (
        k.loc[k["kpi"].isin(["activity", "satisfaction_rate", "survey_coverage", "churn_rate"]), "status"]
        == "not computed"
    ).all()
    assert len(k.attrs["not_computed"]) == 4
    assert _kpi(k, "All", "retention_rate")["value"] == pytest.approx(2 / 4)  # e counts: not known to be lost


@pytest.fixture
def two_years() -> Dataset:
    """Customers active on 2024-09-30, the start of the year to 2025Q3's end, with what they did since.

    p: A in the year to 2024-09-30 (600k), buys again in 2025-02 (not in Q3), contacted monthly in Q3;
    q: B (250k), never buys again, recorded lost 2025-03-01; r: C (1k), buys in Q3 only;
    s: C, last purchase 2023-08-01 (inactive on 2024-09-30: not in the yearly population);
    t: joins in 2025-05 (not in the yearly population, in the quarterly one).
    """
    tx = pd.DataFrame(
        {
            "customer_id": ["p", "p", "q", "r", "r", "s", "t"],
            "order_id": list("1234567"),
            "order_date": _d(
                "2024-03-01", "2025-02-10", "2024-06-01", "2024-09-01", "2025-08-20", "2023-08-01", "2025-05-05"
            ),
            "amount": [600_000.0, 200_000.0, 250_000.0, 1_000.0, 4_000.0, 500.0, 3_000.0],
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": ["p", "p", "p", "r", "r"],
            "date": _d("2024-12-01", "2025-07-01", "2025-08-01", "2025-04-01", "2025-09-01"),
            "channel": ["visit", "phone", "phone", "email", "email"],
            "direction": ["proactive", "proactive", "proactive", "inbound", "proactive"],
            "response_hours": [np.nan, 3.0, np.nan, np.nan, np.nan],
        }
    )
    surveys = pd.DataFrame(
        {"customer_id": ["p", "q", "r"], "date": _d("2025-01-10", "2025-05-01", "2025-08-01"), "rating": [5, 2, 4]}
    )
    events = pd.DataFrame({"customer_id": ["q"], "date": _d("2025-03-01"), "reason": ["price"]})
    return Dataset.from_frames(transactions=tx, interactions=interactions, surveys=surveys, churn_events=events)


def test_each_kpi_over_its_default_window_by_hand(two_years):
    k = quarterly_kpis(two_years, quarter="2025Q3")  # the abc preset: the handbook's windows
    assert k.set_index(["tier", "kpi"])["window"].xs("All").to_dict() == ServiceLevels.load("abc").windows
    assert k.attrs["windows"]["year"]["start"] == pd.Timestamp("2024-09-30")
    assert k.attrs["windows"]["year"]["customers"] == 3  # p, q, r; s inactive, t not yet a customer
    # yearly renewal: p bought again (2025-02), r bought again (2025-08), q never -> 2 of 3
    assert _kpi(k, "All", "retention_rate")[["numerator", "denominator"]].tolist() == [2, 3]
    assert _kpi(k, "A", "retention_rate")[["value", "status"]].tolist() == [1.0, "met"]  # p: tier A a year ago
    assert _kpi(k, "B", "retention_rate")[["value", "status"]].tolist() == [0.0, "missed"]  # q
    # the quarter beside it: at 2025-06-30, p, r and t are customers (q was recorded lost); only r bought in Q3
    assert _kpi(k, "All", "quarterly_repurchase_rate")[["numerator", "denominator"]].tolist() == [1, 3]
    assert _kpi(k, "All", "quarterly_repurchase_rate")["window"] == "quarter"
    # churn over the quarter: nobody at 2025-06-30 was recorded lost in Q3
    assert _kpi(k, "All", "churn_rate")[["numerator", "denominator"]].tolist() == [0, 3]
    # activity over the quarter: p 2 proactive + 1 reply = 3, r 1 proactive = 1; per month: 4 / 3 over 3 customers
    assert _kpi(k, "All", "activity")["value"] == pytest.approx(4 / 3 / 3)
    # value growth over the year: 200k + 4k in the year to 2025-09-30 against 600k + 250k + 1k the year before
    growth = _kpi(k, "All", "value_growth")
    assert growth[["numerator", "denominator"]].tolist() == [204_000 - 851_000, 851_000]
    # half year (2025-03-31 to 2025-09-30): at 2025-03-31 p and r are customers (q lost on 03-01);
    # r answered 4 in August, p's January answer is outside: 1 respondent of 2, satisfied
    assert _kpi(k, "All", "survey_coverage")[["numerator", "denominator"]].tolist() == [1, 2]
    assert _kpi(k, "All", "satisfaction_rate")[["value", "window"]].tolist() == [1.0, "half_year"]


def test_a_window_set_in_the_service_levels_changes_what_is_measured(two_years, tmp_path):
    quarterly = quarterly_kpis(
        two_years, quarter="2025Q3", service=_with_windows(retention_rate="quarter", value_growth="quarter")
    )
    # retention over the quarter is the quarterly repurchase rate: 1 of p, r, t
    assert _kpi(quarterly, "All", "retention_rate")[["numerator", "denominator"]].tolist() == [1, 3]
    # value growth over the quarter: Q3 2025 (4k) against Q3 2024 (1k, r on 2024-09-01) for p, r, t
    assert _kpi(quarterly, "All", "value_growth")[["numerator", "denominator"]].tolist() == [3_000, 1_000]
    path = tmp_path / "s.yaml"
    path.write_text(
        "windows: {churn_rate: year}\ntiers:\n  A: {targets: {churn_rate: 0.2}}\n  B: {}\n  C: {}\n", encoding="utf-8"
    )
    k = quarterly_kpis(two_years, quarter="2025Q3", service=path)
    # churn over the year: q (at 2024-09-30 in tier B) was recorded lost on 2025-03-01 -> 1 of 3
    assert _kpi(k, "All", "churn_rate")[["numerator", "denominator", "window"]].tolist() == [1, 3, "year"]
    assert _kpi(k, "A", "churn_rate")[["value", "status"]].tolist() == [0.0, "met"]


def test_the_scorecard_and_the_definitions_state_each_window(two_years):
    k = quarterly_kpis(two_years, quarter="2025Q3")
    card = kpi_scorecard(k)
    assert card.loc["A", "retention_rate"] == "100.0% over 12 months (target 95%): met"
    assert card.loc["All", "quarterly_repurchase_rate"].endswith("over the quarter")
    # the definitions table shows each KPI by its name, never its code (issue 19 item 6)
    d = kpi_definitions(ServiceLevels.load("abc"), TierPolicy.load("abc")).set_index("kpi")
    assert d.loc["Satisfaction rate", "window"] == "6 months" and d.loc["Activity", "window"] == "quarter"
    assert "in the tier they had then" in d.loc["Retention rate", "population"]


def test_overdue_contacts_by_hand(data):
    c = overdue_contacts(data, as_of="2025-09-30")
    got = c.overdue.set_index(["customer_id", "contact"])["days_overdue"].to_dict()
    # a (A): visit 2025-07-03 is within 3 months; call 2025-08-03 + 1 month = 2025-09-03 -> 27 days late
    # b and e are recorded lost and not checked; c (C): e-mail 2025-06-01 + 3 months -> 29 days late;
    # c was never called, but the contact data begin on 2025-06-01: the call is due only on 2025-12-01
    assert got == {("a", "call"): 27, ("c", "message or e-mail"): 29}
    # with contact data said to cover the year, c's call is due from c's start (2025-02-01): 60 days late
    since = overdue_contacts(data, as_of="2025-09-30", contacts_since="2025-01-01")
    assert since.overdue.set_index(["customer_id", "contact"])["days_overdue"].to_dict()[("c", "call")] == 60
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
        "    targets: {retention: 0.9, activity: -1}\nwindows: {activity: month}\n"
    )
    with pytest.raises(ConfigError) as err:
        ServiceLevels.load(bad)
    text = str(err.value)
    for part in (
        "every_months must be a whole number",
        "channels must be 'any' or a list",
        "unknown KPI 'retention'",
        "target of activity must be a number >= 0",
        "window of activity must be one of ['quarter', 'half_year', 'year'], got 'month'",
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
