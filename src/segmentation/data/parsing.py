"""Turn text columns into typed values, telling which rows were repaired or are unusable.

Each parser returns a :class:`Parsed`: the typed values, a mask of rows whose text had to
be repaired to parse (counted in the load report), a mask of rows that could not be parsed
(reported as problems) and a mask of blank rows (no value given). Already-typed columns (from Parquet) pass
through unchanged.

Examples
--------
>>> import pandas as pd
>>> p = parse_amounts(pd.Series(["1,234.50", "¥1,200", "12", "abc"]))
>>> p.values.tolist()[:3], p.repaired.tolist(), p.bad.tolist()
([1234.5, 1200.0, 12.0], [True, True, False, False], [False, False, False, True])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from segmentation.data.contract import DIRECTIONS

#: Unambiguous formats tried, in order, after ISO 8601. Day/month orders that could be
#: read two ways (01/02/2024) are deliberately absent: a team adds its own in the mapping.
DATE_FORMATS = ("%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Excel serial day numbers accepted as dates: 1954-10-04 .. 2119-01-09. Smaller or larger
#: numbers are far more likely a truncated or wrong value than a date.
EXCEL_SERIALS = (20_000, 80_000)

RATING_WORDS: dict[str, int] = {
    "very satisfied": 5,
    "satisfied": 4,
    "neutral": 3,
    "unsatisfied": 2,
    "dissatisfied": 2,
    "very unsatisfied": 1,
    "very dissatisfied": 1,
    "非常满意": 5,
    "很满意": 5,
    "满意": 4,
    "一般": 3,
    "不满意": 2,
    "非常不满意": 1,
    "很不满意": 1,
}
DIRECTION_WORDS: dict[str, str] = {
    "proactive": "proactive",
    "outbound": "proactive",
    "outgoing": "proactive",
    "主动": "proactive",
    "inbound": "inbound",
    "incoming": "inbound",
    "被动": "inbound",
    "客户来电": "inbound",
    "来电": "inbound",
}
_CURRENCY = r"[¥￥$€£]|RMB|CNY|USD|EUR|元|\s"


class Parsed(NamedTuple):
    """Typed values, with the rows repaired to parse them, the rows that failed and the blanks."""

    values: pd.Series
    repaired: pd.Series
    bad: pd.Series
    blank: pd.Series


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").str.strip()


def _false(s: pd.Series) -> pd.Series:
    return pd.Series(False, index=s.index)


def parse_ids(s: pd.Series) -> Parsed:
    """Ids as strings; surrounding spaces are repaired, blanks are ``bad``.

    Integral numbers from typed files become plain digits (``7.0`` -> ``"7"``); text keeps
    its leading zeros (``"007"`` stays ``"007"``).
    """
    if pd.api.types.is_float_dtype(s) and (s.dropna() % 1 == 0).all():
        s = s.astype("Int64")
    original = s.astype("string").fillna("")
    values = original.str.strip()
    blank = values == ""
    return Parsed(values.astype(str), (values != original) & ~blank, blank, blank)


def parse_amounts(s: pd.Series) -> Parsed:
    """Numbers, repairing thousands separators, currency marks and ``(1,200)`` negatives."""
    if pd.api.types.is_numeric_dtype(s):
        values = s.astype(float)
        return Parsed(values, _false(s), values.isna() | ~np.isfinite(values.fillna(0)), s.isna())
    text = _text(s)
    plain = pd.to_numeric(text, errors="coerce")
    todo = plain.isna() & (text != "")
    cleaned = text[todo].str.replace(_CURRENCY, "", regex=True).str.replace(",", "", regex=False)
    negative = cleaned.str.match(r"^\(.*\)$")
    cleaned = cleaned.str.strip("()")
    fixed = pd.to_numeric(cleaned, errors="coerce").where(~negative, lambda v: -v)
    values = plain.astype(float)
    values[todo] = fixed.astype(float)
    bad = values.isna() | ~np.isfinite(values.fillna(0))
    return Parsed(values, todo & ~bad, bad, text == "")


def parse_numbers(s: pd.Series) -> Parsed:
    """Optional numbers: blanks become missing values, other unparseable text is ``bad``."""
    parsed = parse_amounts(s)
    return parsed._replace(bad=parsed.bad & ~parsed.blank)


def parse_dates(s: pd.Series, extra_formats: Sequence[str] = ()) -> Parsed:
    """Dates (midnight), from ISO 8601, the unambiguous :data:`DATE_FORMATS`, the
    team's ``extra_formats`` or Excel serial day numbers. Non-ISO rows count as repaired.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        values = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        values = values.astype("datetime64[us]").dt.normalize()
        return Parsed(values, _false(s), values.isna(), s.isna())
    text = _text(s)
    values = pd.to_datetime(text.where(text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")), format="ISO8601", errors="coerce")
    values = values.astype("datetime64[us]")
    todo = values.isna() & (text != "")
    for fmt in (*DATE_FORMATS, *extra_formats):
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        values[got.dropna().index] = got.dropna()
        todo = values.isna() & (text != "")
    if todo.any():
        serial = pd.to_numeric(text[todo], errors="coerce")
        serial = serial[(serial >= EXCEL_SERIALS[0]) & (serial <= EXCEL_SERIALS[1])]
        values[serial.index] = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    values = values.dt.normalize()
    blank = text == ""
    repaired = ~blank & values.notna() & ~text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")
    return Parsed(values, repaired, values.isna(), blank)


def parse_ratings(s: pd.Series, extra_words: Mapping[str, int] | None = None) -> Parsed:
    """Ratings as numbers on the 1-5 scale; words such as "满意" or "very satisfied" are mapped
    (counted as repaired). Range is checked by the schema, not here."""
    if pd.api.types.is_numeric_dtype(s):
        values = s.astype(float)
        return Parsed(values, _false(s), values.isna(), s.isna())
    words = {**RATING_WORDS, **(extra_words or {})}
    text = _text(s)
    values = pd.to_numeric(text, errors="coerce").astype(float)
    mapped = text.str.lower().map(words)
    repaired = values.isna() & mapped.notna()
    values = values.where(~repaired, mapped.astype(float))
    return Parsed(values, repaired, values.isna(), text == "")


def parse_directions(s: pd.Series, extra_words: Mapping[str, str] | None = None) -> Parsed:
    """``proactive`` or ``inbound``; synonyms (outbound, 主动, 来电, ...) are repaired."""
    words = {**DIRECTION_WORDS, **(extra_words or {})}
    text = _text(s)
    mapped = text.str.lower().map(words)
    bad = mapped.isna()
    values = mapped.fillna(text).astype(str)
    return Parsed(values, ~bad & ~text.isin(DIRECTIONS), bad, text == "")


def parse_categories(s: pd.Series) -> Parsed:
    """Free categories: trimmed text; blanks become missing."""
    text = _text(s)
    blank = text == ""
    return Parsed(text.where(~blank).astype("str"), _false(s), _false(s), blank)


__all__ = [
    "DATE_FORMATS",
    "DIRECTION_WORDS",
    "EXCEL_EPOCH",
    "EXCEL_SERIALS",
    "Parsed",
    "RATING_WORDS",
    "parse_amounts",
    "parse_categories",
    "parse_dates",
    "parse_directions",
    "parse_ids",
    "parse_numbers",
    "parse_ratings",
]
