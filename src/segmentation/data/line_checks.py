"""The data contract's checks on order lines, as engine queries.

The rules are those of :mod:`segmentation.data.loading`; this module writes them in SQL so that
millions of lines are checked where they lie (DuckDB), with the same findings and messages:

- each column of each line is read by a *fast rule* in SQL when its text is already in the
  contract's form (an id without spaces around it, an ISO date, a plain number, a typed Parquet
  value); a line with any other value is *dirty* and goes to the pandas parsers of
  :mod:`segmentation.data.parsing`, alone with the other dirty lines (repairs such as ``¥1,200``,
  ``(300)``, ``2024/03/01``; bad values and their messages);
- counts are aggregate queries, and only the first offending rows are fetched for a message;
- exact duplicates are found by hashing each line's contract values, then compared in full
  within the few groups that share a hash.

Examples
--------
>>> rule = column_rule("amount", "amount", "VARCHAR")
>>> rule.value
'TRY_CAST("amount" AS DOUBLE)'
>>> column_rule("customer_id", "id", "DOUBLE") is None  # pandas reads 7.0 as "7": left to it
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from segmentation.errors import SHOWN, Problem, problem_at

if TYPE_CHECKING:
    import duckdb

__all__ = ["ColumnRule", "Hits", "column_rule", "duplicate_rows", "engine_hits", "merged_problem", "quote"]

#: Control characters a broken export leaves in text (as in the loader's cleaning), and the
#: whitespace Python's ``str.strip`` removes at either end (RE2 classes).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_EDGE = r"^[\s\pZ\x85]|[\s\pZ\x85]$"
_TEXT_DIRTY = f"{_CONTROL}|{_EDGE}"
#: ISO dates read by the fast rule; other years go to pandas, which knows its own range.
_ISO_DATE = r"(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}"
_PLAIN_NUMBER = r"-?[0-9]{1,15}(\.[0-9]{1,15})?"
_NUMERIC_TYPES = ("DOUBLE", "FLOAT", "REAL", "DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT")
_INTEGER_TYPES = ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UINTEGER", "UBIGINT", "USMALLINT")
_DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def quote(name: str) -> str:
    """A column name as a SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnRule:
    """How the engine reads one column of a line that is not dirty.

    ``value`` is SQL for the typed value, NULL when the cell is blank; ``dirty`` is SQL true when
    the cell needs pandas; ``example`` is SQL, over the typed column, for the value as the file
    shows it (for messages).
    """

    value: str
    dirty: str
    example: str


def column_rule(name: str, kind: str, sql_type: str) -> ColumnRule | None:
    """The fast rule for column ``name`` of contract ``kind`` stored as ``sql_type``; None if pandas must read it.

    Examples
    --------
    >>> column_rule("order_date", "date", "TIMESTAMP").value
    'CAST(CAST("order_date" AS DATE) AS TIMESTAMP)'
    """
    c = quote(name)
    base = sql_type.split("(")[0].upper()
    text = base == "VARCHAR"
    text_blank = f"({c} IS NULL OR {c} = '')"
    text_dirty = f"({c} IS NOT NULL AND regexp_matches({c}, '{_TEXT_DIRTY}'))"
    if kind in ("id", "category", "text"):
        if text:
            return ColumnRule(f"NULLIF({c}, '')", text_dirty, c)
        if kind == "id" and base in _INTEGER_TYPES:
            return ColumnRule(f"CAST({c} AS VARCHAR)", "FALSE", c)
        return None
    if kind == "date":
        if text:
            iso = f"(regexp_full_match({c}, '{_ISO_DATE}') AND TRY_CAST({c} AS DATE) IS NOT NULL)"
            value = f"CAST(TRY_CAST({c} AS DATE) AS TIMESTAMP)"
            return ColumnRule(value, f"(NOT {text_blank} AND NOT {iso})", f"strftime({c}, '%Y-%m-%d')")
        if base in _DATE_TYPES:
            return ColumnRule(f"CAST(CAST({c} AS DATE) AS TIMESTAMP)", "FALSE", f"CAST({c} AS VARCHAR)")
        return None
    if kind in ("amount", "number", "integer"):
        if text:
            plain = f"regexp_full_match({c}, '{_PLAIN_NUMBER}')"
            return ColumnRule(f"TRY_CAST({c} AS DOUBLE)", f"(NOT {text_blank} AND NOT {plain})", c)
        if base in _NUMERIC_TYPES:
            value = f"CAST({c} AS DOUBLE)"
            return ColumnRule(value, f"({c} IS NOT NULL AND NOT isfinite({value}))", c)
        return None
    return None


@dataclass(frozen=True)
class Hits:
    """Offending lines found on one side (engine or pandas): how many, the first rows, examples by row."""

    count: int
    rows: tuple[int, ...] = ()
    examples: tuple[tuple[int, object], ...] = ()

    @classmethod
    def from_pandas(cls, rows: pd.Series, examples: pd.Series | None = None) -> Hits:
        """Hits from the rows (and the values) of the lines a mask selects in a frame.

        The examples kept are the first three distinct ones by row, as :func:`problem_at` picks them.
        """
        ordered = np.sort(rows.to_numpy(dtype="int64"))
        pairs: list[tuple[int, object]] = []
        if examples is not None:
            seen: set[str] = set()
            by_row = pd.Series(examples.to_numpy(), index=rows.to_numpy(dtype="int64")).sort_index(kind="stable")
            for row, value in by_row.items():
                text = str(value)
                text = text if len(text) <= 60 else text[:57] + "..."  # as problem_at shows it
                if text not in seen:
                    seen.add(text)
                    pairs.append((int(row), value))
                if len(seen) == 3:
                    break
        return cls(len(ordered), tuple(int(r) for r in ordered[:SHOWN]), tuple(pairs))


def engine_hits(
    con: duckdb.DuckDBPyConnection, relation: str, condition: str, count: int, example: str | None = None
) -> Hits:
    """The first rows (and first distinct examples) of the lines of ``relation`` where ``condition`` holds."""
    if count == 0:
        return Hits(0)
    rows = con.sql(f"SELECT _row FROM {relation} WHERE {condition} ORDER BY _row LIMIT {SHOWN}").fetchall()
    pairs: list[tuple[int, object]] = []
    if example is not None:
        pairs = con.sql(
            f"SELECT min(_row) AS first, {example} AS example FROM {relation} WHERE {condition} "
            f"GROUP BY example ORDER BY first LIMIT {2 * SHOWN}"
        ).fetchall()
    return Hits(count, tuple(r for (r,) in rows), tuple(pairs))


def merged_problem(
    severity: str, file: str, column: str | None, message: str, hits: list[Hits], *, expected: str | None = None
) -> Problem | None:
    """One problem from the hits of both sides (their rows never overlap), as ``problem_at`` words it."""
    total = sum(h.count for h in hits)
    if total == 0:
        return None
    rows = sorted(r for h in hits for r in h.rows)[:SHOWN]
    examples = [value for _, value in sorted((p for h in hits for p in h.examples), key=lambda p: p[0])]
    found = problem_at(severity, file, column, message, rows, expected=expected, examples=examples)  # type: ignore[arg-type]
    return replace(found, count=total)


def duplicate_rows(relation: str, columns: list[str]) -> str:
    """SQL selecting ``_row`` of every exact duplicate line of ``relation`` (all but the first of each),
    and ``_first``, the row of the line it repeats.

    The lines are hashed on ``columns`` and the hashes sorted (faster than grouping ten million
    distinct keys); only lines whose hash is shared are compared in full.
    """
    cols = ", ".join(quote(c) for c in columns)
    shared = f"SELECT h FROM (SELECT h, lag(h) OVER (ORDER BY h) AS before FROM (SELECT hash({cols}) AS h FROM {relation})) WHERE h = before"
    return (
        f"SELECT _row, _first FROM (SELECT _row, row_number() OVER w AS n, first_value(_row) OVER w AS _first "
        f"FROM {relation} WHERE hash({cols}) IN ({shared}) WINDOW w AS (PARTITION BY {cols} ORDER BY _row)) "
        "WHERE n > 1"
    )
