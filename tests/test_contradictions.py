"""Dates one table contradicts in another are warned about, with counts, rows and examples (issue 23, item 6)."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.data.loading import load_frames, load_with_report

ORDERS = pd.DataFrame(
    {
        "customer_id": ["A", "A", "B", "B", "C"],
        "order_id": ["1", "2", "3", "4", "5"],
        "order_date": pd.to_datetime(["2024-01-05", "2024-09-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
        "amount": [10.0, 20.0, 5.0, 5.0, 8.0],
    }
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D"],
        "first_deal_date": pd.to_datetime(["2024-05-01", "2024-01-01", None, "2023-01-01"]),
    }
)
LOST = pd.DataFrame(
    {
        "customer_id": ["A", "B", "C", "D"],
        "date": pd.to_datetime(["2024-06-30", "2024-06-30", "2024-01-15", "2024-02-01"]),
        "reason": ["price"] * 4,
    }
)


def _warnings(report) -> dict[str, object]:
    return {
        p.message.split(":")[0]: p
        for p in report.problems
        if p.severity == "warning" and not p.message.startswith("core column absent")
    }


def _check(report) -> None:
    found = _warnings(report)
    deal = found["1 customer has a first deal dated after their first order"]
    assert (deal.file, deal.column, deal.rows) == ("customers (frames)", "first_deal_date", (2,))
    assert deal.examples == ("A: first deal 2024-05-01, first order 2024-01-05",)
    kept = found["1 customer recorded as lost kept ordering afterwards"]
    assert kept.rows == (2,) and kept.examples == ("A: lost 2024-06-30, ordered until 2024-09-01",)
    early = found["2 customers recorded as lost before their first order (or without any order)"]
    assert early.rows == (4, 5)
    assert early.examples == ("C: lost 2024-01-15, first order 2024-04-01", "D: lost 2024-02-01, no order")


def test_contradicting_dates_are_warned_and_the_data_stays_usable():
    ds = load_frames(transactions=ORDERS, customers=CUSTOMERS, churn_events=LOST)
    assert len(ds.transactions) == len(ORDERS)
    _check(ds.report)


def test_the_engine_finds_the_same_contradictions(tmp_path, monkeypatch):
    monkeypatch.setenv("SEGMENTATION_ENGINE_LINES", "0")
    ds = load_frames(transactions=ORDERS, customers=CUSTOMERS, churn_events=LOST)
    assert ds.lines is not None  # the order lines were checked in DuckDB
    _check(ds.report)


@pytest.mark.parametrize("table", ["customers", "churn_events"])
def test_consistent_dates_give_no_warning(table):
    customers = CUSTOMERS.assign(first_deal_date=pd.to_datetime(["2024-01-01", "2024-01-01", None, None]))
    lost = LOST.iloc[[1]].assign(date=pd.to_datetime(["2024-12-31"]))
    given = {"customers": customers, "churn_events": lost if table == "churn_events" else None}
    ds = load_frames(transactions=ORDERS, **given)
    assert not _warnings(ds.report)


def test_files_name_their_own_rows(tmp_path):
    ORDERS.to_csv(tmp_path / "transactions.csv", index=False)
    CUSTOMERS.to_csv(tmp_path / "customers.csv", index=False)
    LOST.to_csv(tmp_path / "churn_events.csv", index=False)
    ds, report = load_with_report(tmp_path, today="2025-01-01")
    assert ds is not None
    found = _warnings(report)
    assert found["1 customer has a first deal dated after their first order"].file == "customers.csv"
    assert found["1 customer recorded as lost kept ordering afterwards"].file == "churn_events.csv"
