"""Per-customer sums and counts over a table's lines (order lines, interactions), run by DuckDB through Ibis.

The review's line-level questions (revenue in a window, who bought, contacts) are Ibis
expressions over the lines; only the per-customer answer comes back to pandas. A frame is
handed to DuckDB without a copy and read on **one thread**: the lines are summed in their
order, so the same frame gives the same bits in every run and process (several threads add
partial sums in the order they finish).

Examples
--------
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 5.0],
...                    "order_date": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"])})
>>> t = lines(tx, ["customer_id", "order_date", "amount"])
>>> per_customer(t.group_by("customer_id").aggregate(revenue=t.amount.sum()))["revenue"].tolist()
[3.0, 5.0]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import ibis.expr.types as ir


def lines(data: pd.DataFrame, columns: list[str]) -> ir.Table:
    """The ``columns`` of a frame of lines as an Ibis table bound to its own one-thread DuckDB (no copy)."""
    import ibis

    con = ibis.duckdb.connect(threads=1)
    return con.create_view("lines", ibis.memtable(data[columns]), overwrite=True)


def per_customer(expr: ir.Table) -> pd.DataFrame:
    """Run a per-customer expression: a frame indexed by ``customer_id`` (strings), sorted."""
    frame = expr.to_pyarrow().to_pandas().astype({"customer_id": str})
    return frame.set_index("customer_id").sort_index()


def timestamp(day: pd.Timestamp):
    """``day`` as an Ibis timestamp literal (compared with the lines' datetimes)."""
    import ibis

    return ibis.timestamp(pd.Timestamp(day).to_pydatetime())


__all__ = ["lines", "per_customer", "timestamp"]
