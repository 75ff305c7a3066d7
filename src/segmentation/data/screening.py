"""Screen a file's values as read, before they are cleaned: what the parsers cannot judge row by row.

A parser reads one value at a time; some mistakes only show across a column or a table:

- the decimal mark (``1234,50`` in a European ``;`` export is 1234.5, not 123450): read from the
  column's values, refused when the values contradict each other or cannot decide;
- UTC offsets on dates (``2024-03-01T10:00:00+08:00``): each is the date written, noted;
- absurd amounts (``1e308``) above the mapping's ``max_amount``;
- a transactions file holding only refunds: nothing would be left to analyse.

Each finding is a :class:`~segmentation.errors.Problem` naming the file, the column and the rows.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.mapping import ColumnMapping
>>> frame = pd.DataFrame({"amount": ["1234,50", "12,5"], "_row": [2, 3]})
>>> [str(p) for p in screen_values(frame, "transactions", "t.csv", ";", ColumnMapping())]
["INFO t.csv, column 'amount', rows 2, 3: read with a decimal comma (1234,50 is 1234.5), as these values can only be read so; set decimal: '.' in the mapping if that is wrong (got '1234,50', '12,5')"]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.data.contract import TABLES
from segmentation.data.mapping import ColumnMapping
from segmentation.data.parsing import ISO_OFFSET, decimal_mark, parse_amounts
from segmentation.errors import Problem, problem_at

ROW = "_row"
_NUMBER_KINDS = ("amount", "number", "integer")


def _rows_reading(rows: pd.Series, values: pd.Series, mark: str) -> str:
    """``rows 2, 5 read only with a decimal comma (such as '1,5')``: the first rows of one kind."""
    shown = ", ".join(map(str, rows.head(3))) + (f" (+{len(rows) - 3:,} more)" if len(rows) > 3 else "")
    verb = "reads" if len(rows) == 1 else "read"
    return f"row{'s' if len(rows) > 1 else ''} {shown} {verb} only with {mark} (such as {values.iloc[0]!r})"


def _decimal_problems(frame: pd.DataFrame, column: str, file: str, delimiter: str | None) -> list[Problem]:
    values = frame[column]
    mark = decimal_mark(values)
    rows = frame[ROW]
    if mark.decimal == "mixed":
        return [
            problem_at(
                "error",
                file,
                column,
                "the decimal mark cannot be told: "
                + _rows_reading(rows[mark.comma], values[mark.comma], "a decimal comma")
                + ", but "
                + _rows_reading(rows[mark.dot], values[mark.dot], "a decimal point"),
                rows[mark.comma | mark.dot],
                expected="one decimal mark in a column: correct the export, or name the mark in the mapping "
                "(decimal: ',' or decimal: '.'), which refuses the values written the other way",
            )
        ]
    if mark.decimal == "" and delimiter == ";" and mark.ambiguous.any():
        return [
            problem_at(
                "error",
                file,
                column,
                "the decimal mark cannot be told: in a ';' file (a European export) these values read two "
                "ways ('1,234' is 1.234 with a decimal comma, 1234 with a thousands comma) and no value decides",
                rows[mark.ambiguous],
                expected="the mark named in the mapping: decimal: ',' (1,234 is 1.234) or decimal: '.' (1,234 is 1234)",
                examples=values[mark.ambiguous],
            )
        ]
    if mark.decimal == ",":
        return [
            problem_at(
                "info",
                file,
                column,
                "read with a decimal comma (1234,50 is 1234.5), as these values can only be read so; "
                "set decimal: '.' in the mapping if that is wrong",
                rows[mark.comma],
                examples=values[mark.comma],
            )
        ]
    return []


def _offset_problems(frame: pd.DataFrame, column: str, file: str) -> list[Problem]:
    text = frame[column].astype("string").fillna("").str.strip()
    offset = text.str.len() > 10  # a date alone has no offset: only longer values are matched
    offset[offset] = text[offset].str.match(ISO_OFFSET)
    if not offset.any():
        return []
    return [
        problem_at(
            "info",
            file,
            column,
            f"{int(offset.sum()):,} date{'s carry' if offset.sum() != 1 else ' carries'} a time and a UTC offset: each is read as the date written "
            "in its own offset (2024-03-01T23:30-05:00 is 2024-03-01) and counted as repaired",
            frame.loc[offset, ROW],
            examples=text[offset],
        )
    ]


def ceiling_words(ceiling: float) -> tuple[str, str]:
    """The message and the expectation for amounts above the mapping's ``max_amount``."""
    return (
        f"amount above the ceiling of {ceiling:,.0f}: no order line is that large, the value is "
        "broken (a misplaced exponent, an id in the amount column)",
        "a plausible amount; if such amounts are real, raise max_amount in the mapping",
    )


def refunds_only_words(lines: int) -> tuple[str, str]:
    """The message and the expectation for a transactions table whose every amount is a refund."""
    return (
        f"no purchases: all {lines:,} lines with an amount are refunds (negative amounts), "
        "which are kept apart from purchases, so nothing is left to analyse",
        "at least one purchase (an amount of 0 or more); if the export writes sales as "
        "negative numbers, flip the sign before loading",
    )


def _amount_problems(frame: pd.DataFrame, table: str, file: str, mapping: ColumnMapping) -> list[Problem]:
    parsed = parse_amounts(frame["amount"], decimal=mapping.decimal)
    found = []
    ceiling = mapping.max_amount
    huge = (parsed.values.abs() > ceiling) & np.isfinite(parsed.values)  # inf and NaN: not read at all
    if huge.any():
        message, expected = ceiling_words(ceiling)
        found.append(
            problem_at(
                "error",
                file,
                "amount",
                message,
                frame.loc[huge, ROW],
                expected=expected,
                examples=frame.loc[huge, "amount"],
            )
        )
    readable = parsed.values[~parsed.bad & ~parsed.blank]
    if table == "transactions" and len(readable) and (readable < 0).all():
        message, expected = refunds_only_words(len(readable))
        rows, examples = frame.loc[readable.index, ROW], frame.loc[readable.index, "amount"]
        found.append(problem_at("error", file, "amount", message, rows, expected=expected, examples=examples))
    return found


def screen_values(
    frame: pd.DataFrame, table: str, file: str, delimiter: str | None, mapping: ColumnMapping
) -> list[Problem]:
    """The problems found across the columns of a table as read (text, or typed from Parquet/Excel).

    Parameters
    ----------
    frame : DataFrame
        The records with contract column names and ``_row`` (the spreadsheet row number).
    table : str
        The contract table.
    file : str
        The file's name, for messages.
    delimiter : str or None
        The CSV delimiter (``";"`` makes ``1,234`` ambiguous), None for workbooks and Parquet.
    mapping : ColumnMapping
        ``decimal`` (``auto`` reads the mark from the values) and ``max_amount``.

    Returns
    -------
    list of Problem
        Errors refuse the table; notes say what was decided.
    """
    spec = TABLES[table]
    found: list[Problem] = []
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        if column.kind in _NUMBER_KINDS and mapping.decimal == "auto":
            found += _decimal_problems(frame, column.name, file, delimiter)
        if column.kind == "date" and not pd.api.types.is_datetime64_any_dtype(frame[column.name]):
            found += _offset_problems(frame, column.name, file)
    if "amount" in frame.columns and not any(p.severity == "error" for p in found):
        found += _amount_problems(frame, table, file, mapping)
    return found


def duplicate_problem(
    file: str, frame: pd.DataFrame, kept: pd.DataFrame, dupes: pd.Series, contract: list[str]
) -> tuple[str, Problem]:
    """The load-report rule and the warning for lines excluded as duplicates.

    Lines are duplicates when they are equal on the contract columns; when they differ in a column
    the contract ignores, the message says so and names it, rather than calling them exact copies.

    Parameters
    ----------
    file : str
        The file's name.
    frame : DataFrame
        The table as read, with every column of the file and ``_row``.
    kept : DataFrame
        The parsed contract columns (with ``_row``), on the same index as ``frame``.
    dupes : Series of bool
        The lines of ``kept`` excluded as repeats of an earlier line.
    contract : list of str
        The contract columns the duplicates were found on.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"amount": ["5", "5"], "note": ["a", "b"], "_row": [2, 3]})
    >>> kept = pd.DataFrame({"amount": [5.0, 5.0], "_row": [2, 3]})
    >>> rule, p = duplicate_problem("t.csv", raw, kept, pd.Series([False, True]), ["amount"])
    >>> rule
    'duplicate lines (equal on the contract columns)'
    >>> print(p)
    WARNING t.csv, row 3: duplicate line excluded (kept the first): equal to an earlier line on every contract column; they differ only in note, which the contract ignores
    """
    extra = [c for c in frame.columns if c not in contract and c != ROW and not str(c).startswith("_")]
    rows = kept.loc[dupes, ROW]
    differing = []
    if extra:
        group = kept.groupby(contract, dropna=False, sort=False).ngroup()
        first = pd.Series(kept.index, index=kept.index).groupby(group).transform("first")  # each line's first copy
        repeats = dupes.index[dupes]
        for column in extra:
            theirs = frame.loc[repeats, column].astype("string").fillna("").to_numpy()
            originals = frame.loc[first[repeats], column].astype("string").fillna("").to_numpy()
            if (theirs != originals).any():
                differing.append(str(column))
    if differing:
        message = (
            "duplicate line excluded (kept the first): equal to an earlier line on every contract column; "
            f"they differ only in {', '.join(differing)}, which the contract ignores"
        )
        return "duplicate lines (equal on the contract columns)", problem_at("warning", file, None, message, rows)
    return "exact duplicate lines", problem_at(
        "warning", file, None, "exact duplicate line excluded (kept the first)", rows
    )


__all__ = ["ceiling_words", "duplicate_problem", "refunds_only_words", "screen_values"]
