"""The engine that holds a data set's order lines: DuckDB in process by default, or any Ibis backend.

A loaded :class:`~segmentation.data.dataset.Dataset` keeps its order lines in the engine as
:class:`OrderLines`: a Parquet file is scanned where it lies and a frame is registered without a
copy; the checks of the data contract run there as queries (see
:mod:`segmentation.data.line_checks`); the per-customer aggregations read the same table. Only
per-customer and per-period results come back as pandas frames. ``Dataset.transactions`` still
gives a pandas frame for exploration: the lines are copied out on demand, once, with a
:class:`LargeTableWarning` above :data:`WARN_ROWS` lines.

Examples
--------
>>> import pandas as pd
>>> con = connect()
>>> frame = pd.DataFrame({"_row": [2, 3], "customer_id": ["a", "b"], "amount": [5.0, 7.0]})
>>> lines = OrderLines(con.create_table("lines", frame, temp=True))
>>> len(lines), lines.to_pandas()["customer_id"].tolist()
(2, ['a', 'b'])
"""

from __future__ import annotations

import contextlib
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from segmentation.data.contract import TABLES
from segmentation.errors import Problem
from segmentation.threads import thread_count

if TYPE_CHECKING:
    import duckdb
    import ibis.expr.types as ir
    from ibis.backends.duckdb import Backend

    from segmentation.data.mapping import ColumnMapping
    from segmentation.data.readers import RawTable

__all__ = [
    "MIN_LINES_ENV",
    "WARN_ROWS",
    "LargeTableWarning",
    "LineSource",
    "OrderLines",
    "connect",
    "engine_min_lines",
    "frame_source",
    "parquet_source",
]

#: Lines above which ``Dataset.transactions`` warns that it copies the order lines into memory.
WARN_ROWS = 5_000_000

#: The environment variable that sets from how many lines a CSV, Excel or in-memory table of order
#: lines is checked in the engine (Parquet files always are). Below it pandas does the same checks
#: faster than the engine starts; ``0`` sends every table to the engine.
MIN_LINES_ENV = "SEGMENTATION_ENGINE_LINES"
_MIN_LINES = 20_000


class LargeTableWarning(UserWarning):
    """A table held in the engine is being copied into a pandas frame; it may not fit in memory."""


def engine_min_lines() -> int:
    """Lines from which a CSV, Excel or in-memory table of order lines is checked in the engine.

    ``SEGMENTATION_ENGINE_LINES`` when set, else 20,000.

    Examples
    --------
    >>> engine_min_lines()
    20000
    """
    raw = os.environ.get(MIN_LINES_ENV, "").strip()
    return int(raw) if raw.isdigit() else _MIN_LINES


def connect() -> Backend:
    """A new in-process DuckDB (an Ibis backend) using :func:`segmentation.threads.thread_count` threads.

    Examples
    --------
    >>> connect().name
    'duckdb'
    """
    import duckdb
    import ibis

    con = ibis.duckdb.connect(threads=thread_count())
    # A page or a log never shows a progress bar. (In a notebook kernel without ipywidgets DuckDB
    # refuses the setting, and shows none.)
    with contextlib.suppress(duckdb.Error):
        con.con.execute("SET enable_progress_bar = false")
    return con


class OrderLines:
    """Order lines held in the engine: an Ibis table with the contract columns and ``_row``.

    ``_row`` is the line's row in the file (as a spreadsheet numbers it), which orders the lines
    when they are copied out.

    Parameters
    ----------
    table : ibis Table
        The lines, on DuckDB or any Ibis backend.
    rows : int, optional
        Their number, when already counted.
    """

    def __init__(self, table: ir.Table, rows: int | None = None):
        self.table = table
        self._rows = rows
        self._ids: list[str] | None = None
        #: Lines the loader repaired to read them (for the load report).
        self.rows_repaired = 0

    def __len__(self) -> int:
        if self._rows is None:
            self._rows = int(self.table.count().to_pyarrow().as_py())
        return self._rows

    @property
    def backend(self) -> str:
        """The engine's name: ``"duckdb"``, ``"pyspark"``, ..."""
        import ibis

        return ibis.get_backend(self.table).name

    def customer_ids(self) -> list[str]:
        """The distinct customer ids of the lines, sorted as Python sorts text (counted once, then kept)."""
        if self._ids is None:
            self._ids = sorted(self.table.select("customer_id").distinct().to_pyarrow().column(0).to_pylist())
        return self._ids

    def to_pandas(self) -> pd.DataFrame:
        """The lines as a pandas frame in file order, without ``_row`` (warns above :data:`WARN_ROWS`)."""
        if len(self) > WARN_ROWS:
            warnings.warn(
                f"copying {len(self):,} order lines from the engine into memory; the workbench's own "
                "computations read them in the engine (Dataset.lines)",
                LargeTableWarning,
                stacklevel=3,
            )
        table = self.table.order_by("_row").drop("_row") if "_row" in self.table.columns else self.table
        frame = table.to_pyarrow().to_pandas(date_as_object=False)
        for name in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[name]):
                frame[name] = frame[name].astype("datetime64[us]")
            elif pd.api.types.is_object_dtype(frame[name]) or pd.api.types.is_string_dtype(frame[name]):
                frame[name] = frame[name].astype("str")
        return frame

    def __repr__(self) -> str:
        return f"OrderLines({len(self):,} lines on {self.backend})"


@dataclass
class LineSource:
    """A file or frame of order lines as an engine view: contract column names, ``_row``, no blank rows.

    Plays the part of :class:`~segmentation.data.readers.RawTable` for the engine's checks.
    """

    table: str
    file: str
    con: Backend
    relation: str
    types: dict[str, str]
    rows: int
    blank_rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    #: Whether the values were screened when read (see ``RawTable.screened``).
    screened: bool = True

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def columns(self) -> list[str]:
        return [c for c in self.types if c != "_row"]


def _describe(db: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: sql_type for name, sql_type, *_ in db.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()}


def parquet_source(path: Path, table: str, mapping: ColumnMapping) -> LineSource | None:
    """The order lines of a Parquet file as an engine view, read where they lie; None to leave it to pandas.

    A file DuckDB cannot read goes to the pandas reader, whose message names the cause; so does a
    file with numbers or dates stored as text, which the reader screens (decimal marks, offsets).
    A pandas index saved in the file (``__index_level_0__``) is not a column, as pandas reads it.
    """
    import duckdb

    from segmentation.data.line_checks import quote
    from segmentation.data.readers import read_header

    con = connect()
    db = con.con
    path_sql = "'" + str(path).replace("'", "''") + "'"
    scan = f"read_parquet({path_sql}, file_row_number = true)"
    try:
        types = _describe(db, scan)
    except duckdb.Error:
        return None
    header = [c for c in types if c != "file_row_number" and not re.fullmatch(r"__index_level_\d+__", c)]
    renamed, problems = read_header(header, table, mapping, path.name)
    if any(p.severity == "error" for p in problems):
        return LineSource(table, path.name, con, "", {}, 0, problems=problems)
    names = ", ".join(f"{quote(old)} AS {quote(new)}" for old, new in zip(header, renamed, strict=True))
    blank = " AND ".join(f"{quote(c)} IS NULL" for c in header) or "FALSE"
    db.execute(
        f"CREATE TEMP VIEW file_lines AS SELECT {names}, file_row_number + 2 AS _row, {blank} AS _blank FROM {scan}"
    )
    (total,) = db.sql(f"SELECT count(*) FROM read_parquet({path_sql})").fetchall()[0]  # from the footer
    # A column without a null in any row group (the footer's statistics) means no blank line: no scan.
    (never_null,) = db.sql(
        f"SELECT count(*) FROM (SELECT path_in_schema FROM parquet_metadata({path_sql}) GROUP BY ALL "
        "HAVING count(stats_null_count) = count(*) AND sum(stats_null_count) = 0)"
    ).fetchall()[0]
    if never_null:
        blank_rows = 0
    else:
        (blank_rows,) = db.sql("SELECT count(*) FROM file_lines WHERE _blank").fetchall()[0]
    db.execute("CREATE TEMP VIEW source_lines AS SELECT * EXCLUDE (_blank) FROM file_lines WHERE NOT _blank")
    types = _describe(db, "source_lines")
    spec = TABLES[table]
    text_values = [c for c in spec.columns_of_kind("amount", "number", "integer", "date") if types.get(c) == "VARCHAR"]
    if text_values:  # numbers and dates written as text: pandas screens them (decimal marks, offsets)
        return None
    if "amount" in types:
        problems += _screen_amounts(db, "source_lines", path.name, mapping)
    return LineSource(table, path.name, con, "source_lines", types, total - blank_rows, blank_rows, problems)


def _screen_amounts(db: duckdb.DuckDBPyConnection, relation: str, file: str, mapping: ColumnMapping) -> list[Problem]:
    """The reader's screening of typed amounts (:mod:`segmentation.data.screening`), as queries.

    Amounts above the mapping's ``max_amount`` are refused; so is a table whose every readable
    amount is a refund.
    """
    from segmentation.data.line_checks import engine_hits, merged_problem
    from segmentation.data.screening import ceiling_words, refunds_only_words

    value = 'CAST("amount" AS DOUBLE)'
    huge = f"(isfinite({value}) AND abs({value}) > {float(mapping.max_amount)!r})"
    readable = f'("amount" IS NOT NULL AND isfinite({value}) AND NOT {huge})'
    counts = db.sql(
        f"SELECT count(*) FILTER (WHERE {huge}), count(*) FILTER (WHERE {readable}), "
        f"count(*) FILTER (WHERE {readable} AND {value} >= 0) FROM {relation}"
    ).fetchall()[0]
    found = []
    if counts[0]:
        message, expected = ceiling_words(mapping.max_amount)
        hits = engine_hits(db, relation, huge, counts[0], f"CAST({value} AS VARCHAR)")
        found.append(merged_problem("error", file, "amount", message, [hits], expected=expected))
    if counts[1] and not counts[2]:
        message, expected = refunds_only_words(counts[1])
        hits = engine_hits(db, relation, readable, counts[1], f"CAST({value} AS VARCHAR)")
        found.append(merged_problem("error", file, "amount", message, [hits], expected=expected))
    return found


def frame_source(raw: RawTable) -> LineSource | None:
    """A table read by pandas (CSV, Excel, a frame) registered in the engine without a copy.

    None when a column holds Python objects other than text, which the engine cannot scan as one type.
    """
    frame = raw.frame
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column) and pd.api.types.infer_dtype(column, skipna=True) not in (
            "string",
            "empty",
        ):
            return None
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            return None
    import pyarrow as pa

    con = connect()
    # As an Arrow table: DuckDB scans pandas' Arrow-backed text columns far faster so than as a frame.
    con.con.register("source_lines", pa.Table.from_pandas(frame, preserve_index=False))
    return LineSource(
        raw.table,
        raw.file,
        con,
        "source_lines",
        _describe(con.con, "source_lines"),
        len(frame),
        raw.blank_rows,
        list(raw.problems),
        raw.encoding,
        raw.delimiter,
        raw.screened,
    )
