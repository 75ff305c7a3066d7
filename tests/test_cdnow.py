"""The CDNOW loader maps the real purchase logs onto the contract."""

from __future__ import annotations

from segmentation.datasets.cdnow import load_cdnow, read_cdnow_lines


def test_master_has_the_published_size():
    ds = load_cdnow()
    assert len(ds.customers) == 23_570
    assert len(ds.transactions) == 69_659
    assert ds.customers_derived and ds.missing_tables() == ["customers", "interactions", "surveys", "churn_events"]
    t = ds.report.tables["transactions"]
    assert t.rows_read == t.rows_loaded == 69_659 and t.rows_excluded == 0
    assert ds.transactions["order_date"].min().strftime("%Y-%m-%d") == "1997-01-01"
    assert ds.transactions["order_date"].max().strftime("%Y-%m-%d") == "1998-06-30"


def test_ids_keep_leading_zeros_and_amounts_match_the_file():
    ds = load_cdnow()
    raw = read_cdnow_lines()
    assert ds.transactions["customer_id"].iloc[0] == "00001"
    assert abs(ds.transactions["amount"].sum() - raw["dollar_value"].astype(float).sum()) < 1e-6
    zero = (raw["dollar_value"].astype(float) == 0).sum()
    assert zero > 0 and any("zero-amount" in p.message for p in ds.report.problems)


def test_sample_has_2357_customers():
    ds = load_cdnow(sample=True)
    assert ds.customers["customer_id"].nunique() == 2_357
    assert len(ds.transactions) == 6_919
