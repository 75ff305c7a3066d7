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


#: A number written with ``.`` as decimal mark: ``1234.5``, ``1,234.50``, ``12,34,567.8`` (Indian groups), ``1e6``.
_DOT_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3}|\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?"
#: A number written with ``,`` as decimal mark: ``1234,5``, ``1.234,50``.
_COMMA_NUMBER = r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"


class DecimalMark(NamedTuple):
    """What a column's values say about their decimal mark.

    ``decimal`` is ``","`` or ``"."`` when some values can only be read one way and none the other,
    ``""`` when no value decides (``1,234`` alone reads both ways) and ``"mixed"`` when values
    contradict each other. The masks name the rows: ``comma`` (only a decimal comma reads them,
    ``1234,50``), ``dot`` (only a decimal point, ``12.5`` or ``1,234.50``) and ``ambiguous`` (both,
    giving different numbers: ``1,234`` is 1234 or 1.234).
    """

    decimal: str
    comma: pd.Series
    dot: pd.Series
    ambiguous: pd.Series


#: Numbers pandas reads as they are and Arrow casts to the same float: digits, one point, a minus.
_SIMPLE_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"


def _fullmatch_ascii(text: pd.Series, pattern: str) -> pd.Series:
    """``text.str.fullmatch(pattern)`` for a pattern of ASCII classes, by Arrow's RE2 on the whole column
    (pandas runs some patterns through Python's ``re``, value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.match_substring_regex(
        pa.array(text.astype("string").fillna(""), type=pa.large_string()), f"^(?:{pattern})$"
    )
    return pd.Series(found.to_numpy(zero_copy_only=False), index=text.index, dtype=bool)


def _plain_numbers(text: pd.Series) -> pd.Series:
    """``pd.to_numeric(text, errors="coerce")`` as floats, fast on long columns.

    Simple numbers (``1234.50``, ``-7``) are cast by Arrow, a whole column at once; pandas reads the
    others, which decide what is plain (``1e5``, ``+3``) as it always has.
    """
    if len(text) < 100_000:
        return pd.to_numeric(text, errors="coerce").astype(float)
    import pyarrow as pa
    import pyarrow.compute as pc

    simple = _fullmatch_ascii(text, _SIMPLE_NUMBER[1:-1])
    values = pd.Series(np.nan, index=text.index)
    array = pa.array(text[simple].astype("string"), type=pa.large_string())
    values[simple] = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    rest = ~simple & (text != "")
    if rest.any():
        values[rest] = pd.to_numeric(text[rest], errors="coerce").astype(float)
    return values


def _as_dot(text: pd.Series) -> pd.Series:
    ok = text.str.fullmatch(_DOT_NUMBER) & text.str.contains(r"\d", regex=True)
    return pd.to_numeric(text.where(ok).str.replace(",", "", regex=False), errors="coerce")


def _as_comma(text: pd.Series) -> pd.Series:
    ok = text.str.fullmatch(_COMMA_NUMBER)
    converted = text.where(ok).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(converted, errors="coerce")


def _number_text(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Stripped text of numbers without currency marks, spaces and accountant's brackets; the bracketed rows."""
    cleaned = text.str.replace(_CURRENCY, "", regex=True)
    negative = cleaned.str.match(r"^\(.*\)$")
    return cleaned.str.strip("()"), negative


def _mark(text: pd.Series, plain: pd.Series) -> DecimalMark:
    """:func:`decimal_mark` of stripped ``text`` whose plain numbers (``1234.5``, ``7``) are ``plain``.

    A plain number has no comma, so only the few other values are cleaned and read both ways: a
    plain number with a point reads only with a decimal point, unless it is ``1.234`` (1234 with
    a thousands point).
    """
    odd = plain.isna() & (text != "")
    body, _ = _number_text(text[odd])
    dot, comma = _as_dot(body), _as_comma(body)
    marked = body.str.contains(r"[.,]", regex=True)  # 12 or 1e5 read the same either way
    only_comma = _false(text)
    only_comma[odd] = marked & comma.notna() & dot.isna()
    only_dot = _false(text)
    only_dot[odd] = marked & dot.notna() & comma.isna()
    ambiguous = _false(text)
    ambiguous[odd] = dot.notna() & comma.notna() & (dot != comma)
    dotted = plain.notna() & text.str.contains(".", regex=False)
    grouped = dotted & _fullmatch_ascii(text, r"[-+]?[0-9]{1,3}\.[0-9]{3}")  # plain numbers: ASCII digits
    only_dot |= dotted & ~grouped
    ambiguous |= grouped
    if only_comma.any() and only_dot.any():
        decimal = "mixed"
    else:
        decimal = "," if only_comma.any() else "." if only_dot.any() else ""
    return DecimalMark(decimal, only_comma.astype(bool), only_dot.astype(bool), ambiguous.astype(bool))


def decimal_mark(s: pd.Series) -> DecimalMark:
    """Which decimal mark a column of numbers written as text uses, read from the values alone.

    Parameters
    ----------
    s : Series
        The column as text (currency marks and brackets are ignored).

    Returns
    -------
    DecimalMark
        The mark the values agree on, and the rows that decide it or leave it open.

    Examples
    --------
    >>> import pandas as pd
    >>> decimal_mark(pd.Series(["1234,50", "12", "1.234,56"])).decimal
    ','
    >>> decimal_mark(pd.Series(["1,234.50", "12.5"])).decimal
    '.'
    >>> m = decimal_mark(pd.Series(["1,5", "2.5", "1,234"]))
    >>> m.decimal, m.comma.tolist(), m.dot.tolist(), m.ambiguous.tolist()
    ('mixed', [True, False, False], [False, True, False], [False, False, True])
    """
    if pd.api.types.is_numeric_dtype(s):
        return DecimalMark(".", _false(s), _false(s), _false(s))
    text = _text(s)
    return _mark(text, _plain_numbers(text))


def parse_amounts(s: pd.Series, *, decimal: str = "auto", ceiling: float | None = None) -> Parsed:
    """Numbers, repairing thousands separators, currency marks and ``(1,200)`` negatives.

    Parameters
    ----------
    s : Series
        Text (or numbers from a typed file).
    decimal : {"auto", ".", ","}
        The decimal mark. ``auto`` reads it from the column (:func:`decimal_mark`): a decimal comma
        when some values can only be read so (``1234,50``, ``1.234,56``) and none only with a point;
        a point otherwise. When the values contradict each other, the rows that need a comma are
        ``bad`` (the loader refuses them and names the rows of both kinds).
    ceiling : float, optional
        Values whose size is above it are ``bad`` (``1e308`` is no amount).

    Examples
    --------
    >>> import pandas as pd
    >>> parse_amounts(pd.Series(["1234,50", "(12,5)", "7"])).values.tolist()
    [1234.5, -12.5, 7.0]
    >>> parse_amounts(pd.Series(["1,234", "5"]), decimal=",").values.tolist()
    [1.234, 5.0]
    >>> parse_amounts(pd.Series(["5", "1e308"]), ceiling=1e12).bad.tolist()
    [False, True]
    """
    if pd.api.types.is_numeric_dtype(s):
        values = s.astype(float)
        bad = values.isna() | ~np.isfinite(values.fillna(0))
        if ceiling is not None:
            bad |= values.abs() > ceiling
        return Parsed(values, _false(s), bad, s.isna())
    text = _text(s)
    plain = _plain_numbers(text)
    mark = decimal if decimal in (",", ".") else _mark(text, plain).decimal
    if mark == ",":
        todo = text.str.contains(r"[.,]", regex=True) | (plain.isna() & (text != ""))  # 12, 1e5: the same either way
    else:
        todo = plain.isna() & (text != "")
    body, negative = _number_text(text[todo])
    read = _as_comma(body) if mark == "," else _as_dot(body)
    values = plain.copy()
    values[todo] = read.where(~negative, -read).astype(float)
    blank = text == ""
    bad = values.isna() | ~np.isfinite(values.fillna(0))
    if ceiling is not None:
        bad |= values.abs() > ceiling
    repaired = ~bad & ~blank & (plain.isna() | (values != plain))
    return Parsed(values, repaired, bad, blank)


def parse_numbers(s: pd.Series, *, decimal: str = "auto") -> Parsed:
    """Optional numbers: blanks become missing values, other unparseable text is ``bad``.

    ``decimal`` is read as by :func:`parse_amounts`.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_numbers(pd.Series(["2,5", ""])).values.tolist()[0], parse_numbers(pd.Series(["2,5", ""])).bad.tolist()
    (2.5, [False, False])
    """
    parsed = parse_amounts(s, decimal=decimal)
    return parsed._replace(bad=parsed.bad & ~parsed.blank)


#: An ISO 8601 time with a UTC offset: ``2024-03-01T10:00:00+08:00``, ``2024-03-01 10:00Z``.
ISO_OFFSET = r"^(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _naive(got: pd.Series) -> pd.Series:
    """Dates read with a ``%z`` format as the clock showed them, without their offset."""
    return got.dt.tz_localize(None) if getattr(got.dt, "tz", None) is not None else got


def parse_dates(s: pd.Series, extra_formats: Sequence[str] = ()) -> Parsed:
    """Dates (midnight), from ISO 8601, the unambiguous :data:`DATE_FORMATS`, the
    team's ``extra_formats`` or Excel serial day numbers. Non-ISO rows count as repaired.

    A time with a UTC offset (``2024-03-01T23:30:00-05:00``) is the date written in its own
    offset (2024-03-01, the day the customer saw), whatever the other rows' offsets; it counts
    as repaired, since the time and offset are dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> p = parse_dates(pd.Series(["2024-03-01T23:30:00-05:00", "2024-03-02T01:00:00+08:00", "2024-03-03"]))
    >>> p.values.dt.strftime("%Y-%m-%d").tolist(), p.repaired.tolist()
    (['2024-03-01', '2024-03-02', '2024-03-03'], [True, True, False])
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        values = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
        values = values.astype("datetime64[us]").dt.normalize()
        return Parsed(values, _false(s), values.isna(), s.isna())
    text = _text(s)
    offset = pd.Series(np.nan, index=text.index, dtype=object)
    timed = text.str.len() > 10  # a date alone has no offset
    offset[timed] = text[timed].str.extract(ISO_OFFSET, expand=False)
    iso = text.where(offset.isna(), offset)
    values = pd.to_datetime(iso.where(iso.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")), format="ISO8601", errors="coerce")
    values = _naive(values).astype("datetime64[us]")
    todo = values.isna() & (text != "")
    for fmt in (*DATE_FORMATS, *extra_formats):
        if not todo.any():
            break
        got = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        got = _naive(got).dropna()
        values[got.index] = got
        todo = values.isna() & (text != "")
    if todo.any():
        serial = pd.to_numeric(text[todo], errors="coerce")
        serial = serial[(serial >= EXCEL_SERIALS[0]) & (serial <= EXCEL_SERIALS[1])]
        values[serial.index] = EXCEL_EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    values = values.dt.normalize()
    blank = text == ""
    repaired = ~blank & values.notna() & (offset.notna() | ~text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}"))
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
    "ISO_OFFSET",
    "DecimalMark",
    "Parsed",
    "RATING_WORDS",
    "decimal_mark",
    "parse_amounts",
    "parse_categories",
    "parse_dates",
    "parse_directions",
    "parse_ids",
    "parse_numbers",
    "parse_ratings",
]
