"""The feature aggregation on Spark (Ibis's PySpark backend) equals DuckDB's, column for column.

Spark runs in local mode (2 cores, no UI). The order lines are loaded into Spark; the same
``customer_features`` call then runs there, and only the per-customer table comes back to
pandas: every result Spark returns is checked to be per customer, never the order lines.
"""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.features import btyd_summary, customer_features

pytestmark = pytest.mark.heavy

AS_OF = "2025-09-30"


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("segmentation-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def orders(spark, sample_dataset):
    """The sample's order lines as a Spark table, seen through Ibis, with a record of what Spark returned."""
    import ibis

    con = ibis.pyspark.connect(spark)
    lines = sample_dataset.transactions[["customer_id", "order_id", "order_date", "amount"]]
    spark.createDataFrame(lines).createOrReplaceTempView("orders")  # as a team's Spark job would have it
    table = con.table("orders")
    returned: list[pd.DataFrame] = []
    mp = pytest.MonkeyPatch()
    for method in ("execute", "to_pyarrow"):  # every way a result leaves Spark through Ibis
        original = getattr(type(con), method)

        def recording(self, expr, *args, _original=original, **kwargs):
            result = _original(self, expr, *args, **kwargs)
            returned.append(result if isinstance(result, pd.DataFrame) else result.to_pandas())
            return result

        mp.setattr(type(con), method, recording)
    yield table, returned
    mp.undo()


def test_features_from_spark_equal_those_from_duckdb(orders, sample_dataset):
    table, returned = orders
    returned.clear()
    on_spark = customer_features(table, as_of=AS_OF, customers=sample_dataset.customers)
    on_duckdb = customer_features(sample_dataset.transactions, as_of=AS_OF, customers=sample_dataset.customers)
    assert list(on_spark.columns) == list(on_duckdb.columns) and len(on_duckdb) > 300
    assert on_spark.index.equals(on_duckdb.index)
    for column in on_duckdb.columns:
        pd.testing.assert_series_equal(
            on_spark[column], on_duckdb[column], check_exact=False, rtol=1e-12, obj=f"feature {column}"
        )
    # Only the per-customer table came back: one row per customer, no order-line column.
    assert returned and all(len(r) <= len(on_duckdb) for r in returned)
    assert all(not {"order_id", "amount"} & set(r.columns) for r in returned)


def test_btyd_summary_from_spark_equals_duckdbs(orders, sample_dataset):
    table, _ = orders
    pd.testing.assert_frame_equal(
        btyd_summary(table, as_of=AS_OF, time_unit="W"),
        btyd_summary(sample_dataset.transactions, as_of=AS_OF, time_unit="W"),
        check_exact=False,
        rtol=1e-12,
    )
