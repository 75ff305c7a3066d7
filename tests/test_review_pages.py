"""The quarterly review's pages on small hand-computed data: overdue contacts counted from the
contact data start, one population per table, both kinds of tier move."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.data.dataset import Dataset
from segmentation.review.contact_policy import overdue_contacts


def _d(*days: str) -> pd.Series:
    return pd.to_datetime(pd.Series(days)).astype("datetime64[us]")


@pytest.fixture
def contact_data() -> Dataset:
    # old: A (600k), a customer since 2019, never contacted proactively (one inbound call opens the contact data);
    # seen: C, a customer since 2019, e-mailed 2025-02-10, never called; fresh: C, first order 2025-08-01.
    tx = pd.DataFrame(
        {
            "customer_id": ["old", "seen", "fresh"],
            "order_id": ["1", "2", "3"],
            "order_date": _d("2025-03-01", "2025-05-01", "2025-08-01"),
            "amount": [600_000.0, 10_000.0, 5_000.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["old", "seen", "fresh"],
            "first_deal_date": pd.to_datetime(["2019-01-01", "2019-06-01", None]),
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": ["old", "seen"],
            "date": _d("2025-01-01", "2025-02-10"),
            "channel": ["phone", "email"],
            "direction": ["inbound", "proactive"],
        }
    )
    return Dataset.from_frames(transactions=tx, customers=customers, interactions=interactions)


def test_overdue_counts_from_the_contact_data_start(contact_data):
    c = overdue_contacts(contact_data, as_of="2025-09-30")
    assert c.contacts_since == pd.Timestamp("2025-01-01")  # the first interaction, inbound or not
    got = c.overdue.set_index(["customer_id", "contact"])[["due_since", "days_overdue"]]
    # seen: e-mail 2025-02-10 + 3 months = 2025-05-10 -> 143 days; never called: counted from the
    # contact data start 2025-01-01 (not the 2019 first deal) + 6 months = 2025-07-01 -> 91 days
    assert got.to_dict("index") == {
        ("seen", "call"): {"due_since": pd.Timestamp("2025-07-01"), "days_overdue": 91},
        ("seen", "message or e-mail"): {"due_since": pd.Timestamp("2025-05-10"), "days_overdue": 143},
    }


def test_customers_never_contacted_are_a_group_of_their_own(contact_data):
    c = overdue_contacts(contact_data, as_of="2025-09-30")
    # old: no proactive contact; counted from 2025-01-01, its monthly call due 2025-02-01 -> 241 days.
    # fresh: counted from its first order 2025-08-01, first due 2025-11-01: not yet due, not listed.
    never = c.never_contacted
    assert never[["customer_id", "tier", "customer_since", "counted_from", "first_due", "days_since_due"]].to_dict(
        "records"
    ) == [
        {
            "customer_id": "old",
            "tier": "A",
            "customer_since": pd.Timestamp("2019-01-01"),
            "counted_from": pd.Timestamp("2025-01-01"),
            "first_due": pd.Timestamp("2025-02-01"),
            "days_since_due": 241,
        }
    ]
    assert "old" not in set(c.overdue["customer_id"])
    summary = c.summary.set_index(["tier", "contact"])
    assert summary.loc[("A", "call"), ["customers", "overdue", "never_contacted"]].tolist() == [1, 0, 1]
    assert summary.loc[("A", "visit"), ["customers", "overdue", "never_contacted"]].tolist() == [1, 0, 1]
    assert summary.loc[("C", "call"), ["customers", "overdue", "never_contacted", "share_overdue"]].tolist() == [
        2,
        1,
        0,
        0.5,
    ]


def test_the_contact_data_start_can_be_given(contact_data):
    c = overdue_contacts(contact_data, as_of="2025-09-30", contacts_since="2024-01-01")
    assert c.contacts_since == pd.Timestamp("2024-01-01")
    # seen's call: 2024-01-01 + 6 months = 2024-07-01 -> 365 + 91 days
    assert c.overdue.set_index(["customer_id", "contact"]).loc[("seen", "call"), "days_overdue"] == 456
    assert c.never_contacted["first_due"].tolist() == [pd.Timestamp("2024-02-01")]


@pytest.fixture
def moves_data() -> Dataset:
    # a: A at both quarter ends; lapse: last order 2024-08-01 (active on 2025-06-30, not on 2025-09-30);
    # gone: only 2023; back: 2023, then again 2025-08-15; new: first order 2025-09-01.
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "lapse", "gone", "back", "back", "new"],
            "order_id": list("123456"),
            "order_date": _d("2025-01-10", "2024-08-01", "2023-01-01", "2023-03-01", "2025-08-15", "2025-09-01"),
            "amount": [600_000.0, 1_000.0, 50.0, 70.0, 5_000.0, 2_000.0],
        }
    )
    return Dataset.from_frames(transactions=tx)


def test_the_migration_matrix_counts_the_tier_tables_customers(moves_data):
    from segmentation.review.trends import tier_distribution
    from segmentation.value.regrading import regrade

    tiers = tier_distribution(moves_data, quarter="2025Q3").set_index("tier")
    assert tiers["customers"].to_dict() == {"A": 1, "B": 0, "C": 2, "total": 3}  # a; back, new
    assert tiers.attrs["inactive"] == 2  # lapse, gone
    r = regrade(moves_data, previous="2025-06-30", current="2025-09-30", active_days=365)
    assert r.matrix.columns.tolist() == ["A", "B", "C", "inactive"]
    assert r.matrix.to_dict("index") == {
        "new": {"A": 0, "B": 0, "C": 1, "inactive": 0},
        "A": {"A": 1, "B": 0, "C": 0, "inactive": 0},
        "B": {"A": 0, "B": 0, "C": 0, "inactive": 0},
        "C": {"A": 0, "B": 0, "C": 0, "inactive": 1},
        "inactive": {"A": 0, "B": 0, "C": 1, "inactive": 1},
    }
    columns = r.matrix.sum()
    assert columns.drop("inactive").to_dict() == tiers["customers"].drop("total").to_dict()
    assert columns["inactive"] == tiers.attrs["inactive"]
    log = r.changes.set_index("customer_id")
    assert log["move"].to_dict() == {"back": "returned", "lapse": "lapsed", "new": "new"}
    assert log.loc["lapse", ["previous_tier", "current_tier"]].tolist() == ["C", "inactive"]
    # 2024-08-01 to 2025-09-30: 425 days, 4 whole quarters of 91.3 days
    assert log.loc["lapse", "reason"] == "no orders in the last 365 days (last order on 2024-08-01, 4 quarters ago)"
    assert log.loc["back", "reason"] == (
        "ordered again on 2025-08-15 after no orders since 2023-03-01; trailing-12-month revenue 5,000"
    )


def test_without_active_days_every_customer_is_graded(moves_data):
    from segmentation.value.regrading import regrade

    r = regrade(moves_data, previous="2025-06-30", current="2025-09-30")
    assert r.matrix.columns.tolist() == ["A", "B", "C"]
    assert r.matrix["C"].sum() == 4  # lapse, gone, back and new: C on revenue alone
    assert set(r.changes["move"]) == {"new"}


@pytest.fixture
def review_of_moves():
    from segmentation.review.quarterly import review_quarter

    # t12m at 2025-06-30 -> at 2025-09-30: up1 180k (C) -> 520k (A); up2 100k (C) -> 250k (B);
    # down1 600k (A) -> 10k (C); down2 300k (B) -> 1k (C); down3 900k (A) -> 300k (B)
    orders = {
        "up1": [("2025-01-10", 180_000.0), ("2025-08-01", 340_000.0)],
        "up2": [("2025-02-01", 100_000.0), ("2025-09-01", 150_000.0)],
        "down1": [("2024-09-15", 600_000.0), ("2025-07-01", 10_000.0)],
        "down2": [("2024-08-10", 300_000.0), ("2025-09-10", 1_000.0)],
        "down3": [("2024-09-01", 900_000.0), ("2025-08-01", 300_000.0)],
    }
    rows = [(cid, day, amount) for cid, lines in orders.items() for day, amount in lines]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    tx["order_id"] = [str(i) for i in range(len(tx))]
    tx["order_date"] = pd.to_datetime(tx["order_date"])
    return review_quarter(Dataset.from_frames(transactions=tx), quarter="2025Q3", churn=False, personas=False)


def test_upgrades_and_downgrades_are_both_shown_with_every_count(review_of_moves):
    r = review_of_moves
    assert r.move_counts()[["move", "customers"]].values.tolist() == [
        ["upgrade", 2],
        ["downgrade", 3],
        ["new", 0],
        ["lapsed", 0],
        ["returned", 0],
    ]
    tables = r.move_tables(top_n=2)
    assert list(tables) == [
        "Downgrades: 3 customers, the first 2 shown (all in tier_changes.csv)",
        "Upgrades: 2 customers, all shown",
    ]
    down, up = tables.values()
    # downgrades: from A first, the larger fall first (down3 lost 600k, down1 590k); down2 fell from B
    assert down["customer_id"].tolist() == ["down3", "down1"]
    # upgrades: to A first
    assert up["customer_id"].tolist() == ["up1", "up2"]
    assert r.tier_moves()["customer_id"].tolist() == ["down3", "down1", "down2", "up1", "up2"]
    assert r.move_summary()[:2] == ["2 customers: moved up a tier or more.", "3 customers: moved down a tier or more."]


def test_an_unknown_kind_of_move_is_refused(review_of_moves):
    from segmentation.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match=r"move: expected one of \['upgrade', 'downgrade', 'new', 'lapsed', "):
        review_of_moves.tier_moves("sideways")
