"""Customer features: hand-computed cases, input forms, and CDNOW against an independent pandas computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmentation.datasets.cdnow import load_cdnow
from segmentation.features import FEATURES, btyd_summary, customer_features


@pytest.fixture
def tx():
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c"],
            "order_id": ["1", "2", "3", "4", "5", "6"],
            "order_date": pd.to_datetime(
                ["2023-06-15", "2024-08-01", "2024-08-01", "2024-09-20", "2024-07-10", "2024-10-05"]
            ),
            "amount": [100.0, 30.0, 20.0, 50.0, 70.0, 999.0],
        }
    )


def test_orders_are_distinct_orders_whatever_the_lines_per_day():
    """Orders of several lines, several orders a day, three orders on four lines: counted exactly."""
    rng = np.random.default_rng(3)
    rows = []
    for customer in range(300):
        for day in rng.choice(60, size=rng.integers(1, 8), replace=False):
            for order in range(rng.integers(1, 4)):  # 1 to 3 orders that day
                rows += [(f"c{customer}", f"o{customer}-{day}-{order}", day)] * int(rng.integers(1, 4))  # 1-3 lines
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "day"])
    tx["order_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(tx.pop("day"), unit="D")
    tx["amount"] = rng.uniform(1, 100, len(tx)).round(2)
    f = customer_features(tx, as_of="2024-03-31")
    expected = tx.groupby("customer_id")["order_id"].nunique().astype(float)
    pd.testing.assert_series_equal(f["orders"], expected.rename("orders"), check_index_type=False)
    assert (f["orders"] > f["purchase_days"]).sum() > 200  # most customers had a day with several orders


def test_hand_computed_features(tx):
    f = customer_features(tx, as_of="2024-09-30", time_unit="D")
    assert f.index.tolist() == ["a", "b"]  # c bought after as_of
    a = f.loc["a"]
    assert a["rfm_recency_days"] == 10
    assert a["purchase_days"] == 3 and a["orders"] == 4
    assert a["monetary_total"] == 200 and a["monetary_mean"] == pytest.approx(200 / 3)
    assert a["revenue_t12m"] == 100 and a["revenue_prev12m"] == 100  # 2023-06-15 is in (2022-09-30, 2023-09-30]
    assert a["value_growth"] == 0
    assert a["purchase_days_last90"] == 2 and a["purchase_days_prev90"] == 0 and a["purchase_trend"] == 1
    assert a["revenue_last90"] == 100 and a["revenue_trend"] == 1
    span = (pd.Timestamp("2024-09-20") - pd.Timestamp("2023-06-15")).days
    assert a["mean_gap_days"] == span / 2
    assert a["btyd_frequency"] == 2 and a["btyd_recency"] == span
    assert a["btyd_T"] == (pd.Timestamp("2024-09-30") - pd.Timestamp("2023-06-15")).days
    assert a["btyd_monetary"] == 50  # repeat days: 2024-08-01 (50) and 2024-09-20 (50)
    b = f.loc["b"]
    assert np.isnan(b["value_growth"]) and np.isnan(b["mean_gap_days"]) and b["btyd_monetary"] == 0
    assert list(f.columns) == list(FEATURES)


def test_tenure_counts_from_first_deal_date_when_known(tx):
    customers = pd.DataFrame({"customer_id": ["a", "b"], "first_deal_date": pd.to_datetime(["2020-01-01", None])})
    f = customer_features(tx, as_of="2024-09-30", customers=customers)
    assert f.loc["a", "tenure_days"] == (pd.Timestamp("2024-09-30") - pd.Timestamp("2020-01-01")).days
    assert f.loc["b", "tenure_days"] == (pd.Timestamp("2024-09-30") - pd.Timestamp("2024-07-10")).days


def test_lines_after_as_of_change_nothing(tx):
    later = pd.concat([tx, tx.assign(order_id="x", order_date=pd.Timestamp("2024-10-01"), amount=1e6)])
    pd.testing.assert_frame_equal(
        customer_features(tx, as_of="2024-09-30"), customer_features(later, as_of="2024-09-30")
    )


def test_same_result_from_frame_dataset_csv_and_parquet(sample_dir, sample_dataset):
    as_of = "2025-06-30"
    from_frame = customer_features(sample_dataset.transactions, as_of=as_of)
    from_csv = customer_features(sample_dir / "transactions.csv", as_of=as_of)
    pq = sample_dir.parent / "tx.parquet"
    sample_dataset.transactions.to_parquet(pq)
    from_parquet = customer_features(pq, as_of=as_of)
    pd.testing.assert_frame_equal(from_frame, from_csv)
    pd.testing.assert_frame_equal(from_frame, from_parquet)
    from_dataset = customer_features(sample_dataset, as_of=as_of)  # brings its first-deal dates
    assert (from_dataset["tenure_days"] >= from_frame["tenure_days"]).all()


def test_leading_zero_ids_survive_a_csv_path(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("customer_id,order_id,order_date,amount\n007,1,2024-01-01,5\n")
    assert customer_features(path, as_of="2024-02-01").index.tolist() == ["007"]


def pandas_btyd_reference(lines: pd.DataFrame, end: pd.Timestamp, days_per_unit: float) -> pd.DataFrame:
    """lifetimes' summary_data_from_transaction_data(freq="D", freq_multiplier=k), written out in pandas."""
    lines = lines[lines["order_date"] <= end]
    daily = lines.groupby(["customer_id", "order_date"], as_index=False)["amount"].sum()
    daily = daily.sort_values(["customer_id", "order_date"])
    g = daily.groupby("customer_id")
    first, last, count = g["order_date"].min(), g["order_date"].max(), g.size()
    out = pd.DataFrame(
        {
            "frequency": (count - 1).astype(float),
            "recency": (last - first).dt.days / days_per_unit,
            "T": (end - first).dt.days / days_per_unit,
        }
    )
    daily["is_first"] = g.cumcount() == 0
    out["monetary_value"] = daily[~daily["is_first"]].groupby("customer_id")["amount"].mean()
    out["monetary_value"] = out["monetary_value"].fillna(0.0)
    out.index = out.index.astype(str)
    out.index.name = "customer_id"
    return out.sort_index()


@pytest.mark.parametrize("end", ["1997-09-30", "1998-06-30"])
def test_cdnow_summary_equals_the_lifetimes_definition(end):
    ds = load_cdnow()
    ours = btyd_summary(ds, as_of=end, time_unit="W")
    reference = pandas_btyd_reference(ds.transactions, pd.Timestamp(end), 7.0)
    pd.testing.assert_frame_equal(ours, reference, check_exact=False, rtol=1e-9)
    assert len(ours) == 23_570  # everybody's first purchase falls in the first quarter of 1997
    assert ours["frequency"].sum() == reference["frequency"].sum()


def _first_days_of_many_lines(seed: int = 5) -> pd.DataFrame:
    """Customers with 1 to 7 lines on their first day (some orders of several lines, some days of
    several orders), later days of 1 to 3 lines, lines in random order."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(400):
        first = int(rng.integers(0, 300))
        days = [first] * int(rng.integers(1, 8)) + [
            first + int(d) for d in rng.integers(1, 400, rng.integers(0, 6)) for _ in range(int(rng.integers(1, 4)))
        ]
        rows += [(f"c{customer:03d}", f"o{customer}-{day}-{i % 2}", day) for i, day in enumerate(days)]
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "day"]).sample(frac=1.0, random_state=seed)
    tx["order_date"] = pd.Timestamp("2023-01-01") + pd.to_timedelta(tx.pop("day"), unit="D")
    tx["amount"] = rng.uniform(1, 500, len(tx)).round(2)
    return tx


def test_one_pass_summary_sums_first_days_of_any_number_of_lines():
    """DuckDB's one-pass summary keeps the 4 earliest lines of each customer; a first day of more
    lines is summed again from the customer's lines. Both give the reference's monetary value."""
    from segmentation import features

    tx, end = _first_days_of_many_lines(), pd.Timestamp("2024-06-30")
    assert features._per_customer_summary_duckdb(features._to_ibis(tx), end) is not None  # the one-pass form
    first_day_lines = tx.groupby("customer_id")["order_date"].transform("min").eq(tx["order_date"])
    lines = first_day_lines.groupby(tx["customer_id"]).sum()
    assert (lines < features.FIRST_DAY_LINES).sum() > 100 and (lines >= features.FIRST_DAY_LINES).sum() > 100
    ours = btyd_summary(tx, as_of=end, time_unit="W")
    pd.testing.assert_frame_equal(ours, pandas_btyd_reference(tx, end, 7.0), check_exact=False, rtol=1e-9)


def test_summary_of_a_long_history_takes_the_group_by(monkeypatch):
    """Beyond BITSTRING_MAX_DAYS of history (a bitstring of one bit per day per customer) the
    summary groups by customer and day instead, with the same result."""
    from segmentation import features

    tx, end = _first_days_of_many_lines(), pd.Timestamp("2024-06-30")
    one_pass = btyd_summary(tx, as_of=end, time_unit="D")
    monkeypatch.setattr(features, "BITSTRING_MAX_DAYS", 365)
    assert features._per_customer_summary_duckdb(features._to_ibis(tx), end) is None
    pd.testing.assert_frame_equal(btyd_summary(tx, as_of=end, time_unit="D"), one_pass, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(one_pass, pandas_btyd_reference(tx, end, 1.0), check_exact=False, rtol=1e-9)


def test_summary_with_no_line_before_the_end_is_empty():
    tx = _first_days_of_many_lines()
    s = btyd_summary(tx, as_of="2022-12-31")
    assert s.empty and list(s.columns) == ["frequency", "recency", "T", "monetary_value"]


def test_cdnow_sample_summary_matches_published_counts():
    """Fader, Hardie and Lee (2005): of the 2,357 sampled customers, 1,411 made no repeat purchase
    in the 39-week calibration period; 2,457 repeat purchase days in all."""
    s = btyd_summary(load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    assert len(s) == 2_357
    assert (s["frequency"] == 0).sum() == 1_411
    assert s["frequency"].sum() == 2_457
    assert s["T"].max() == pytest.approx(272 / 7)  # first bought on 1997-01-01


def test_an_ibis_table_from_another_connection_runs_on_its_own_backend(tx):
    import ibis

    con = ibis.duckdb.connect()
    table = con.create_table("orders", tx)  # needs sqlglot < 28 with Ibis 12 (see pyproject.toml)
    pd.testing.assert_frame_equal(
        customer_features(table, as_of="2024-09-30"), customer_features(tx, as_of="2024-09-30")
    )


def test_bad_transactions_argument_is_named():
    with pytest.raises(TypeError, match="transactions must be a DataFrame, Dataset, path or Ibis table, got int"):
        customer_features(3, as_of="2024-01-01")
    with pytest.raises(ValueError, match=r"missing columns \['amount'\]"):
        customer_features(pd.DataFrame({"customer_id": [], "order_id": [], "order_date": []}), as_of="2024-01-01")
    with pytest.raises(ValueError, match="time_unit must be one of"):
        customer_features(pd.DataFrame(), as_of="2024-01-01", time_unit="fortnight")
