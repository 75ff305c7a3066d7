"""Customer features as of a date, aggregated once with Ibis (DuckDB by default).

The aggregation is written once as an Ibis expression, so it runs wherever Ibis does:
embedded DuckDB for pandas frames, CSV and Parquet files, or the backend of an Ibis table
passed in (a Spark table, for instance). The buy-till-you-die summary also has a one-pass
form that DuckDB runs faster. Only the per-customer table comes back to pandas; the order
lines never do.

Two meanings of "recency" are kept apart by name:

``rfm_recency_days``
    days from the last purchase to the as-of date (small is good) — RFM's recency.
``btyd_recency``
    time from the first to the last purchase, in ``time_unit`` — the buy-till-you-die
    recency, with age ``btyd_T`` = first purchase to the as-of date.

Purchases are counted in *purchase days*: several orders on one day count once, as in the
buy-till-you-die literature. All windows end on ``as_of`` inclusive.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_id": ["1", "2", "3", "4"],
...     "order_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-03-01", "2024-02-01"]),
...     "amount": [10.0, 5.0, 30.0, 7.0]})
>>> f = customer_features(tx, as_of="2024-03-31", time_unit="D")
>>> f.loc["a", ["rfm_recency_days", "purchase_days", "monetary_total", "btyd_frequency", "btyd_recency",
...             "btyd_T", "btyd_monetary"]].tolist()
[30.0, 2.0, 45.0, 1.0, 60.0, 90.0, 30.0]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from segmentation.periods import as_date
from segmentation.threads import thread_count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from segmentation.data.dataset import Dataset

#: Days in each time unit accepted for the buy-till-you-die summary.
TIME_UNITS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}

#: The columns of :func:`customer_features`, with their meaning (shown in docs and reports).
FEATURES = {
    "first_purchase": "date of the first purchase up to as_of",
    "last_purchase": "date of the last purchase up to as_of",
    "rfm_recency_days": "days from the last purchase to as_of (RFM recency; small is good)",
    "purchase_days": "distinct days with a purchase (RFM frequency)",
    "orders": "distinct orders",
    "monetary_total": "revenue up to as_of",
    "monetary_mean": "revenue per purchase day",
    "tenure_days": "days since the first-deal date when known, else since the first purchase",
    "revenue_t12m": "revenue in the 12 months up to as_of",
    "revenue_prev12m": "revenue in the 12 months before those",
    "value_growth": "(revenue_t12m - revenue_prev12m) / revenue_prev12m; empty when prev12m is 0",
    "purchase_days_last90": "purchase days in the last 90 days",
    "purchase_days_prev90": "purchase days in the 90 days before those",
    "revenue_last90": "revenue in the last 90 days",
    "revenue_prev90": "revenue in the 90 days before those",
    "purchase_trend": "(last90 - prev90) / (last90 + prev90) of purchase days, in [-1, 1]; 0 when both are 0",
    "revenue_trend": "the same for revenue",
    "mean_gap_days": "mean days between purchase days; empty with one purchase day",
    "btyd_frequency": "repeat purchase days (purchase days - 1)",
    "btyd_recency": "first to last purchase, in time_unit (buy-till-you-die recency)",
    "btyd_T": "first purchase to as_of, in time_unit (customer age)",
    "btyd_monetary": "mean revenue of the repeat purchase days (0 without repeats)",
}


def _to_ibis(transactions: object) -> ir.Table:
    """An Ibis table of the order lines from a frame, a Dataset, a file path or an Ibis table."""
    import ibis
    import ibis.expr.types as ir

    from segmentation.data.dataset import Dataset

    columns = ["customer_id", "order_id", "order_date", "amount"]
    if isinstance(transactions, Dataset):
        if transactions.lines is not None:
            return transactions.lines.table
        transactions = transactions.transactions
    if isinstance(transactions, ir.Table):
        return transactions
    if isinstance(transactions, pd.DataFrame):
        missing = [c for c in columns if c not in transactions.columns]
        if missing:
            raise ValueError(f"transactions: missing columns {missing}; expected {columns}")
        # Its own DuckDB on one thread: the lines are summed in their order, so the same frame gives
        # the same bits in every process (threads add partial sums in the order they finish).
        con = ibis.duckdb.connect(threads=1)
        return con.create_table("order_lines", transactions[columns], temp=True)
    if isinstance(transactions, (str, Path)):
        path = Path(transactions)
        con = ibis.duckdb.connect(threads=thread_count())
        if path.suffix.lower() == ".parquet":
            return con.read_parquet(path)
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            return con.read_csv(path, types={"customer_id": "VARCHAR", "order_id": "VARCHAR"})
        raise ValueError(f"{path}: expected a .csv or .parquet file of transactions")
    raise TypeError(f"transactions must be a DataFrame, Dataset, path or Ibis table, got {type(transactions).__name__}")


#: Money is summed as exact decimals (6 places) and turned back into floats at the end: a sum of
#: floats depends on the order of its terms, which an engine running several threads does not fix,
#: and the same lines must give the same bits in every run.
MONEY = "decimal(38, 6)"


def _purchase_lines(transactions: object, as_of: pd.Timestamp) -> ir.Table:
    """The order lines on or before ``as_of``, with their ``day``."""
    import ibis

    t = _to_ibis(transactions)
    day = t.order_date.cast("date")
    return t.filter(day <= ibis.date(as_of.date())).mutate(day=day)


def _order_hash(order_id: ir.StringColumn) -> ir.IntegerColumn:
    """A 64-bit hash of the order id: DuckDB's ``hash``, Spark's ``xxhash64`` (its ``hash`` has 32 bits).

    Other backends get Ibis's ``hash``, whose width is the backend's.
    """
    import ibis

    backend = ibis.get_backend(order_id).name
    name, returns = {"pyspark": ("xxhash64", "int64"), "duckdb": ("hash", "uint64")}.get(backend, (None, None))
    if name is not None:
        function = ibis.udf.scalar.builtin(lambda value: None, name=name, signature=(("string",), returns))
        return function(order_id)
    return order_id.hash()


def aggregate_purchases(data: object, *, as_of: str | pd.Timestamp) -> ir.Table:
    """The per-customer aggregation of ``data`` (as in :func:`customer_features`) as an Ibis expression (not executed).

    One row per customer with a purchase on or before ``as_of``: first and last purchase
    day, purchase days, orders, revenue, the first day's revenue and the windowed sums.

    The order lines are grouped once by customer and day. Distinct orders are counted
    without a distinct count over every line (the slowest step by far): a day whose lines
    carry one order id hash holds one order, and only the customers with a day of several
    hashes are counted exactly. The count is exact unless two different order ids of one
    customer on one day have the same 64-bit hash (odds of about one in 10**19 for each such pair).
    """
    import ibis

    as_of = as_date(as_of, name="as_of")
    raw = _to_ibis(data)
    t = _purchase_lines(raw, as_of)
    order_hash = _order_hash(t.order_id)
    daily = t.group_by("customer_id", "day").aggregate(
        amount=t.amount.cast(MONEY).sum(), lowest=order_hash.min(), highest=order_hash.max()
    )

    def since(offset: pd.DateOffset | pd.Timedelta) -> ibis.Expr:
        return ibis.date((as_of - offset).date())

    def window_sum(value: ibis.Expr, start, end) -> ibis.Expr:
        inside = (daily.day > start) & (daily.day <= end) if end is not None else daily.day > start
        return inside.ifelse(value, 0).sum()

    one = ibis.literal(1)
    y1, y2 = since(pd.DateOffset(years=1)), since(pd.DateOffset(years=2))
    d90, d180 = since(pd.Timedelta(days=90)), since(pd.Timedelta(days=180))
    per_customer = daily.group_by("customer_id").aggregate(
        first_purchase=daily.day.min(),
        last_purchase=daily.day.max(),
        purchase_days=daily.count(),
        monetary_total=daily.amount.sum(),
        first_day_amount=daily.amount.argmin(daily.day),
        revenue_t12m=window_sum(daily.amount, y1, None),
        revenue_prev12m=window_sum(daily.amount, y2, y1),
        purchase_days_last90=window_sum(one, d90, None),
        purchase_days_prev90=window_sum(one, d180, d90),
        revenue_last90=window_sum(daily.amount, d90, None),
        revenue_prev90=window_sum(daily.amount, d180, d90),
        several_days=(daily.lowest != daily.highest).ifelse(1, 0).sum(),
    )
    # Exact counts for the few customers with a day of several orders, from their lines alone.
    # The customer-days are consumed once (a second consumer makes DuckDB keep all of them), and
    # the lines are scanned again rather than shared (a shared scan keeps every line in memory).
    several = per_customer.filter(per_customer.several_days > 0).select("customer_id")
    orders = raw.select("customer_id", "order_id", day=raw.order_date.cast("date"))
    orders = orders.filter(orders.day <= ibis.date(as_of.date()))
    lines = orders.semi_join(several, "customer_id")
    counted = lines.group_by("customer_id", "day").aggregate(orders=lines.order_id.nunique())
    extra = counted.group_by("customer_id").aggregate(extra_orders=(counted.orders - 1).sum())
    joined = per_customer.left_join(extra, "customer_id")
    columns = {c: joined[c] for c in per_customer.columns if c != "several_days"}
    money = (
        "monetary_total",
        "first_day_amount",
        "revenue_t12m",
        "revenue_prev12m",
        "revenue_last90",
        "revenue_prev90",
    )
    columns |= {c: joined[c].cast("float64") for c in money}
    return joined.select(**columns, orders=joined.purchase_days + joined.extra_orders.fill_null(0))


#: Longest span of days (first purchase day to the end) for which DuckDB counts each customer's
#: purchase days with a bitstring of one bit per day (span / 8 bytes per customer) instead of a
#: group-by of the order lines by customer and day; longer histories take the group-by.
BITSTRING_MAX_DAYS = 4096

#: Lines of the first purchase day kept per customer in DuckDB's one-pass summary; customers with
#: more lines than this on their first day have that day's revenue summed again from their lines.
FIRST_DAY_LINES = 4


def _duckdb_functions() -> dict:
    """DuckDB's own functions used by the one-pass summary, as Ibis builtins."""
    import ibis

    def bitstring_agg(value, low, high): ...
    def bit_count(bits): ...
    def min_by_amount(arg, value, n): ...
    def min_by_day(arg, value, n): ...

    agg, scalar = ibis.udf.agg.builtin, ibis.udf.scalar.builtin
    return {
        "bitstring_agg": agg(bitstring_agg, signature=(("int64", "int64", "int64"), "binary")),
        "bit_count": scalar(bit_count, signature=(("binary",), "int64")),
        "earliest_amounts": agg(
            min_by_amount, name="min_by", signature=(("float64", "date", "int64"), "array<float64>")
        ),
        "earliest_days": agg(min_by_day, name="min_by", signature=(("date", "date", "int64"), "array<date>")),
    }


def _per_customer_summary_duckdb(transactions: object, end: pd.Timestamp) -> ir.Table | None:
    """Purchase days, first and last day, revenue and first-day revenue per customer, in one
    pass of DuckDB over the order lines (``None`` when that pass does not apply).

    The generic expression groups the lines by customer and day first (10M lines: 7.9M groups, the
    summary's largest cost). Here one group-by per customer does it all:

    - purchase days: ``bit_count`` of a ``bitstring_agg`` of the days (one bit per day since the
      first purchase in the data; histories longer than :data:`BITSTRING_MAX_DAYS` return ``None``);
    - first-day revenue: the amounts and days of the :data:`FIRST_DAY_LINES` earliest lines
      (``min_by(…, n)``), summed in sorted order over those on the first day; a customer whose
      earliest lines all fall on the first day gets that day summed again from their lines alone.

    Missing amounts count as 0, as they do in the totals.
    """
    import ibis

    raw = _to_ibis(transactions)
    t = _purchase_lines(raw, end)
    if ibis.get_backend(t).name != "duckdb":
        return None
    start = t.day.min().to_pyarrow().as_py()  # the date column alone
    if start is None or (end.date() - start).days >= BITSTRING_MAX_DAYS:
        return None
    span = (end.date() - start).days
    f = _duckdb_functions()
    bitstring_agg, bit_count, earliest_amounts, earliest_days = (
        f["bitstring_agg"],
        f["bit_count"],
        f["earliest_amounts"],
        f["earliest_days"],
    )
    n = ibis.literal(FIRST_DAY_LINES, "int64")
    amount = t.amount.cast("float64").fill_null(0.0)
    offset = t.day.delta(ibis.date(start), unit="day").cast("int64")
    per = t.group_by("customer_id").aggregate(
        days=bit_count(bitstring_agg(offset, ibis.literal(0, "int64"), ibis.literal(span, "int64"))),
        first=t.day.min(),
        last=t.day.max(),
        total=amount.cast(MONEY).sum().cast("float64"),
        amounts=earliest_amounts(amount, t.day, n),
        dates=earliest_days(t.day, t.day, n),
    )
    # min_by(…, n) lists its rows by day, so in both lists the first day's lines come first (in any
    # order among themselves): with fewer than n of them, position i is a first-day line in both.
    on_first = [(per.dates[i] == per.first).ifelse(per.amounts[i], 0.0) for i in range(FIRST_DAY_LINES)]
    full = (per.dates.length() == FIRST_DAY_LINES) & (per.dates[FIRST_DAY_LINES - 1] == per.first)
    per = per.select(
        "customer_id", "days", "first", "last", "total", full=full, first_amount=ibis.array(on_first).sort().sums()
    )  # sorted: one sum whatever the order
    # Customers whose earliest lines all fall on their first day: that day's revenue from their lines.
    # The lines are scanned again rather than shared (a shared scan keeps every line in memory).
    lines = raw.select("customer_id", day=raw.order_date.cast("date"), amount=raw.amount.cast("float64").fill_null(0.0))
    full = per.filter(per.full).select(full_id="customer_id", full_first="first")
    exact = lines.join(full, [lines.customer_id == full.full_id, lines.day == full.full_first])
    exact = exact.group_by("customer_id").aggregate(exact_amount=exact.amount.cast(MONEY).sum().cast("float64"))
    joined = per.left_join(exact, "customer_id")
    return joined.select(
        "customer_id", "days", "first", "last", "total", first_amount=joined.exact_amount.fill_null(joined.first_amount)
    )


def summary_expression(data: object, *, as_of: str | pd.Timestamp, time_unit: str = "W") -> ir.Table:
    """The buy-till-you-die summary of ``data`` as an Ibis expression: see :func:`btyd_summary`.

    On DuckDB, one group-by of the order lines by customer (``_per_customer_summary_duckdb``;
    building it runs one small query, the first purchase day); on other backends (Spark), one
    group-by by customer and day and one by customer. The arithmetic runs in the engine either way.
    """
    import ibis

    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {list(TIME_UNITS)}, got {time_unit!r}")
    end = as_date(as_of, name="as_of")
    raw = _to_ibis(data)
    per = _per_customer_summary_duckdb(raw, end)
    if per is None:
        per = _per_customer_summary(raw, end)
    unit, repeats = TIME_UNITS[time_unit], per.days - 1
    return per.select(
        "customer_id",
        frequency=repeats.cast("float64"),
        recency=per.last.delta(per.first, unit="day").cast("float64") / unit,
        T=ibis.date(end.date()).delta(per.first, unit="day").cast("float64") / unit,
        monetary_value=(repeats > 0).ifelse((per.total - per.first_amount) / repeats, 0.0),
    )


def _per_customer_summary(transactions: object, end: pd.Timestamp) -> ir.Table:
    """Purchase days, first and last day, revenue and first-day revenue per customer, on any backend."""
    t = _purchase_lines(transactions, end)
    daily = t.group_by("customer_id", "day").aggregate(amount=t.amount.cast(MONEY).sum())
    return daily.group_by("customer_id").aggregate(
        days=daily.count(),
        first=daily.day.min(),
        last=daily.day.max(),
        total=daily.amount.sum().cast("float64"),
        first_amount=daily.amount.argmin(daily.day).cast("float64"),
    )


def _per_customer(expr: ir.Table, *, index: bool = True) -> pd.DataFrame:
    """Run a per-customer expression; sorted by ``customer_id`` (its index, or a column when ``index=False``).

    Dates come back as datetimes. (Arithmetic on a frame indexed by pandas' Arrow-backed strings
    rebuilds the index's lookup table on every aligned operation: ``index=False`` avoids that.)
    """
    frame = expr.to_pyarrow().to_pandas(date_as_object=False).astype({"customer_id": str})
    frame = frame.sort_values("customer_id", ignore_index=True)
    return frame.set_index("customer_id") if index else frame


def _trend(last: pd.Series, prev: pd.Series) -> pd.Series:
    total = last + prev
    return ((last - prev) / total.where(total != 0)).fillna(0.0)


def customer_features(
    data: pd.DataFrame | Dataset | str | Path | ir.Table,
    *,
    as_of: str | pd.Timestamp,
    customers: pd.DataFrame | None = None,
    time_unit: str = "W",
) -> pd.DataFrame:
    """Per-customer purchase features as of a date.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        Order lines with ``customer_id, order_id, order_date, amount``. A
        :class:`~segmentation.data.dataset.Dataset` also supplies its customer table.
        A ``.csv``/``.parquet`` path is read by DuckDB directly (no validation); an Ibis
        table runs on its own backend.
    as_of : str or Timestamp
        Last day of data used (inclusive). Later lines are ignored.
    customers : DataFrame, optional
        Customer table; its ``first_deal_date`` sets the tenure when given.
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Unit of ``btyd_recency`` and ``btyd_T`` (days per unit: 1, 7, 30.44, 365.25).

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), one row per customer with a purchase on or before
        ``as_of``; the columns of :data:`FEATURES`.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
    ...     "order_date": pd.to_datetime(["2024-01-01", "2024-06-01"]), "amount": [5.0, 9.0]})
    >>> customer_features(tx, as_of="2024-03-31").index.tolist()  # b bought after as_of
    ['a']
    """
    from segmentation.data.dataset import Dataset

    if time_unit not in TIME_UNITS:
        raise ValueError(f"time_unit must be one of {list(TIME_UNITS)}, got {time_unit!r}")
    if isinstance(data, Dataset):
        customers = data.customers if customers is None else customers
    as_of = as_date(as_of, name="as_of")
    f = _per_customer(aggregate_purchases(data, as_of=as_of), index=False)
    for c in ("first_purchase", "last_purchase"):
        f[c] = f[c].astype("datetime64[us]")
    numeric = [c for c in f.columns if c not in ("customer_id", "first_purchase", "last_purchase")]
    f[numeric] = f[numeric].astype(float)
    unit = TIME_UNITS[time_unit]
    span_days = (f["last_purchase"] - f["first_purchase"]).dt.days.astype(float)
    age_days = (as_of - f["first_purchase"]).dt.days.astype(float)
    f["rfm_recency_days"] = (as_of - f["last_purchase"]).dt.days.astype(float)
    f["monetary_mean"] = f["monetary_total"] / f["purchase_days"]
    start = f["first_purchase"]
    if customers is not None and "first_deal_date" in customers:
        deal = customers.set_index("customer_id")["first_deal_date"].reindex(f["customer_id"])
        deal = deal.set_axis(f.index)
        start = deal.where(deal.notna() & (deal <= as_of), start).astype("datetime64[us]")
    f["tenure_days"] = (as_of - start).dt.days.astype(float)
    f["value_growth"] = (f["revenue_t12m"] - f["revenue_prev12m"]) / f["revenue_prev12m"].where(
        f["revenue_prev12m"] > 0
    )
    f["purchase_trend"] = _trend(f["purchase_days_last90"], f["purchase_days_prev90"])
    f["revenue_trend"] = _trend(f["revenue_last90"], f["revenue_prev90"])
    repeats = f["purchase_days"] - 1
    f["mean_gap_days"] = span_days / repeats.where(repeats > 0)
    f["btyd_frequency"] = repeats
    f["btyd_recency"] = span_days / unit
    f["btyd_T"] = age_days / unit
    f["btyd_monetary"] = ((f["monetary_total"] - f["first_day_amount"]) / repeats.where(repeats > 0)).fillna(0.0)
    return f.set_index("customer_id")[list(FEATURES)]


def btyd_summary(
    data: pd.DataFrame | Dataset | str | Path | ir.Table,
    *,
    as_of: str | pd.Timestamp,
    time_unit: str = "W",
) -> pd.DataFrame:
    """The buy-till-you-die summary: ``frequency, recency, T, monetary_value`` per customer.

    The same definitions as lifetimes' ``summary_data_from_transaction_data`` with
    ``freq="D"`` and ``freq_multiplier`` = days per ``time_unit``: purchases are counted per
    day, the first purchase day is not a repeat, recency and T are measured from the first
    purchase day, monetary_value is the mean revenue of the repeat purchase days (0 without
    repeats). (lifetimes' ``freq="W"`` instead buckets dates into calendar weeks first.)

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        The order lines, as in :func:`customer_features`.
    as_of : str or Timestamp
        Last day of data used (inclusive); ``T`` runs up to it.
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Unit of ``recency`` and ``T``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a"], "order_id": ["1", "2"],
    ...     "order_date": pd.to_datetime(["1997-01-01", "1997-01-15"]), "amount": [5.0, 9.0]})
    >>> btyd_summary(tx, as_of="1997-01-29").loc["a"].tolist()
    [1.0, 2.0, 4.0, 9.0]
    """
    return _per_customer(summary_expression(data, as_of=as_of, time_unit=time_unit))


def summary_from_features(features: pd.DataFrame) -> pd.DataFrame:
    """The buy-till-you-die summary from a :func:`customer_features` table already computed."""
    out = features[["btyd_frequency", "btyd_recency", "btyd_T", "btyd_monetary"]]
    return out.set_axis(["frequency", "recency", "T", "monetary_value"], axis=1)


def describe_features() -> pd.DataFrame:
    """The feature columns and their meaning, as a table for reports and notebooks."""
    return pd.DataFrame({"feature": list(FEATURES), "meaning": list(FEATURES.values())})


__all__ = [
    "FEATURES",
    "TIME_UNITS",
    "aggregate_purchases",
    "btyd_summary",
    "customer_features",
    "describe_features",
    "summary_expression",
    "summary_from_features",
]
