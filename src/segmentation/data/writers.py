"""Write result tables by file suffix: ``.csv``, ``.parquet`` or ``.xlsx``, ready for Excel.

Every table is masked first (:func:`segmentation.data.privacy.mask_personal`): contact names,
phones and e-mails never leave the workbench in clear. In a workbook, text is always written
as text: a customer named ``=HYPERLINK(...)`` stays a name and never becomes a live formula
(spreadsheet writers store a string starting with ``=`` as a formula unless told not to). Workbooks
carry no time stamp, so the same tables give the same bytes, like CSV files.

A CSV file is safe to open in a spreadsheet: a text cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return (what Excel or LibreOffice would run as a formula) is written with a single
quote in front (OWASP's rule for CSV injection), and :func:`read_output` takes the quote off again.
Numbers, negative ones included, are written as they are.

Every file is written to a temporary file beside its target and then renamed into place
(:func:`atomic_path`): a failure half-way leaves the previous file, or none, never a truncated one.

CSV files are UTF-8 with a byte-order mark by default (``csv_encoding="utf-8-sig"``): Excel, opened
by a double click on Chinese Windows, reads a file without the mark as GBK and garbles every Chinese
name. ``"utf-8"`` writes no mark (for tools that choke on it), ``"gb18030"`` the encoding Excel
assumes there (it holds every character).

A workbook shows each number as a reader expects (:func:`column_formats`): shares as percentages,
amounts of money with the currency, counts without decimals, dates as dates; its header row is
frozen and filterable and its columns are as wide as their contents (within limits).

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> path = write_table(pd.DataFrame({"a": [1]}), pathlib.Path(tempfile.mkdtemp()) / "out" / "t.csv")
>>> path.read_bytes()
b'\\xef\\xbb\\xbfa\\n1\\n'
>>> column_formats(pd.DataFrame({"customer_share": [0.25], "revenue_t12m": [1e6], "customers": [3]}))
{'customer_share': 'percent', 'revenue_t12m': 'money', 'customers': 'integer'}
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.errors import WorkbenchError

SUFFIXES = (".csv", ".parquet", ".xlsx")
#: The encodings a CSV file can be written in (``--csv-encoding``), the default first.
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")
DEFAULT_CSV_ENCODING = CSV_ENCODINGS[0]
#: How a workbook shows each kind of column (see :func:`column_formats`); money gets its currency.
KINDS = ("percent", "money", "integer", "id", "decimal", "date", "datetime", "text")
_NUMBER_FORMATS = {
    "percent": "0.0%",
    "integer": "#,##0",
    "id": "0",
    "decimal": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
}
# Words in a column name (split at "_" and spaces) that say what its numbers are.
_PERCENT_WORDS = {"share", "rate", "probability", "pct", "percent", "ratio", "change"}
_MONEY_WORDS = {"revenue", "amount", "monetary", "clv", "spend", "price", "aov"}
_MONEY_NAMES = {"value_at_risk", "avg_order_value", "order_value", "expected_value", "value_per_customer"}
_ID_WORDS = {"id", "year", "k"}
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: What a CSV text cell may not begin with (a spreadsheet would read it as a formula); a leading
#: quote before one of them is doubled so that reading back is exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"'+[=+\-@\t\r]")
#: Numbers written keep 12 significant digits. Linear algebra sums in an order that depends
#: on the number of threads (and, under load, on their scheduling), which changes the last
#: bits of a result; at 12 digits the same data, parameters and seed give byte-identical files.
DIGITS = 12
FLOAT_FORMAT = f"%.{DIGITS}g"


def significant(frame: pd.DataFrame, digits: int = DIGITS) -> pd.DataFrame:
    """``frame`` with its float columns rounded to ``digits`` significant digits.

    Two values that differ only beyond the ``digits``-th digit become the same number.

    Examples
    --------
    >>> significant(pd.DataFrame({"p": [0.038871913597540726, 0.03887191359754072], "n": [1, 2]}))["p"].nunique()
    1
    """
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    if not floats:
        return frame
    out = frame.copy()
    for column in floats:
        x = out[column].to_numpy(dtype=float)
        usable = np.isfinite(x) & (x != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            power = 10.0 ** np.where(usable, np.floor(np.log10(np.abs(x))), 0.0)
            usable &= power > 0  # below 1e-323 there is nothing left to round
            out[column] = np.where(usable, np.round(x / np.where(usable, power, 1.0), digits - 1) * power, x)
    return out


def column_formats(frame: pd.DataFrame, formats: Mapping[str, object] | None = None) -> dict[str, str]:
    """How a workbook shows each column: one of :data:`KINDS`, from ``formats`` or the column itself.

    A column not named in ``formats`` is judged by its type and the words of its name: dates are
    ``date`` (or ``datetime`` when a time of day is set); numbers are ``percent`` when the name speaks
    of a share, rate, probability or change (``customer_share``, ``churn_rate``), ``money`` when it
    speaks of revenue, amounts or value (``revenue_t12m``, ``value_at_risk``), ``id`` for ids and years
    (no thousands separator), ``integer`` when every value is whole, else ``decimal``; anything else is
    ``text``. A table whose column mixes units row by row (a KPI table's ``value``) names a kind per
    row in ``formats`` (a sequence as long as the table); this function then reports ``"mixed"``.

    Examples
    --------
    >>> t = pd.DataFrame({"persona_id": [1], "churn_probability": [0.2], "days": [3.0], "lift": [1.5],
    ...                   "end": pd.to_datetime(["2025-09-30"]), "tier": ["A"]})
    >>> column_formats(t)
    {'persona_id': 'id', 'churn_probability': 'percent', 'days': 'integer', 'lift': 'decimal', 'end': 'date', 'tier': 'text'}
    >>> column_formats(t, {"lift": "percent"})["lift"]
    'percent'
    """
    formats = dict(formats or {})
    unknown = {name: kind for name, kind in formats.items() if isinstance(kind, str) and kind not in KINDS}
    if unknown:
        raise WorkbenchError(f"formats: unknown kind(s) {unknown}; expected one of {', '.join(KINDS)}")
    kinds = {}
    for name in frame.columns:
        given = formats.get(name)
        if isinstance(given, str):
            kinds[name] = given
        elif given is not None:
            if len(given) != len(frame):
                raise WorkbenchError(f"formats[{name!r}]: one kind per row is {len(frame)} kinds, got {len(given)}")
            kinds[name] = "mixed"
        else:
            kinds[name] = _kind(name, frame[name])
    return kinds


def _kind(name: object, column: pd.Series) -> str:
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(column):
        return _cells(column)[1]
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        kind = _cells(column)[1] if column.dtype == object else "text"
        return kind if kind in ("date", "datetime") else "text"
    words = set(re.split(r"[^0-9a-z]+", str(name).lower())) - {""}
    values = column.to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    whole = bool(np.all(finite == np.round(finite)))
    if words & _PERCENT_WORDS:
        return "percent"
    if words & _MONEY_WORDS or str(name).lower() in _MONEY_NAMES:
        return "money"
    if whole and (words & _ID_WORDS or str(name).lower().endswith("id")):
        return "id"
    return "integer" if whole else "decimal"


def _money_format(currency: str, language: str) -> str:
    """An Excel number format for amounts of ``currency``: the symbol as the language writes it (``"CN¥"#,##0.00``)."""
    from segmentation.i18n import format_money

    prefix, _, suffix = format_money(1, language, currency=currency).partition("1")
    quoted = lambda text: f'"{text}"' if text.strip() else text  # noqa: E731
    return f"{quoted(prefix)}#,##0.00{quoted(suffix)}"


def _width(kind: str, header: object, values: list, money: str) -> float:
    """A column's width in characters: its header and its longest value as shown, within limits."""
    width = _text_width(str(header))
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)]
    if kind in ("date", "datetime"):
        width = max(width, 10 if kind == "date" else 19)
    elif numbers and kind in ("percent", "money", "integer", "decimal", "id", "mixed"):
        largest = max(abs(v) for v in numbers)
        shown = {
            "percent": f"{largest:.1%}",
            "money": f"{largest:,.2f}" + money.replace('"', "").replace("#,##0.00", ""),
            "integer": f"{largest:,.0f}",
            "id": f"{largest:.0f}",
        }.get(kind, f"{largest:,.2f}")
        width = max(width, len(shown) + 1)
    texts = [v for v in values[:5000] if isinstance(v, str)]
    if texts:
        width = max(width, max(_text_width(v) for v in texts))
    return float(min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH))


def _text_width(text: str) -> int:
    """Characters as wide as they show: a Chinese character takes two columns."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _excel(
    tables: dict[str, pd.DataFrame],
    path: Path,
    *,
    index: bool = False,
    currency: str = "CNY",
    language: str = "en",
    formats: Mapping[str, Mapping[str, object]] | None = None,
) -> None:
    """One sheet per table, written value by value with XlsxWriter.

    Text is always stored as text (no formula, link or number is made from a string), empty
    values as blank cells, infinities as the text ``inf`` (as pandas writes them); numbers and
    dates carry the format of their kind (:func:`column_formats`; ``formats`` maps a table name to
    its column kinds). The header row is bold, frozen and has filter buttons; columns are as wide as
    their contents. The document's creation time is fixed and XlsxWriter dates every zip entry
    1980-01-01, so the same tables give the same bytes. pandas' ``to_excel`` builds a styled cell
    object per value; writing the plain values is several times faster (the quarterly review's
    75,000 overdue contacts: 21 s through pandas and openpyxl, 6 s here).
    """
    import xlsxwriter

    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    formats = formats or {}
    with xlsxwriter.Workbook(path, options) as book:
        book.set_properties({"created": _FIXED_TIME})
        header = book.add_format({"bold": True})
        money = _money_format(currency, language)
        styles = {kind: book.add_format({"num_format": pattern}) for kind, pattern in _NUMBER_FORMATS.items()}
        styles["money"] = book.add_format({"num_format": money})
        for name, table in tables.items():
            table = table.reset_index() if index else table
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, [_plain(c) for c in table.columns.tolist()], header)  # a persona id stays a number
            sheet.freeze_panes(1, 0)
            if table.shape[1]:
                sheet.autofilter(0, 0, len(table), table.shape[1] - 1)
            given = formats.get(name, {})
            kinds = column_formats(table, given)
            cells = [_cells(table.iloc[:, j]) for j in range(table.shape[1])]
            style = []
            for j, column in enumerate(table.columns):
                kind = kinds[column]
                if kind == "mixed":
                    style.append([styles.get(k) for k in given[column]])
                else:
                    style.append(styles.get(kind))
                sheet.set_column(j, j, _width(kind, column, cells[j][0], money))
            for r, row in enumerate(zip(*(values for values, _ in cells), strict=True), start=1):
                for c, value in enumerate(row):
                    if value is not None:
                        cell_style = style[c][r - 1] if isinstance(style[c], list) else style[c]
                        sheet.write(r, c, value, cell_style if not isinstance(value, str) else None)


_FIXED_TIME = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)
_PLAIN = (str, bool, int, float, datetime.date)  # what a sheet cell holds as it is (datetime is a date)


def _cells(column: pd.Series) -> tuple[list, str]:
    """A column as plain Python values for a sheet (``None``: an empty cell) and its kind."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(column):
        known = column.dropna()
        kind = "date" if (known == known.dt.normalize()).all() else "datetime"
        return [None if pd.isna(v) else v.to_pydatetime() for v in column], kind
    if pd.api.types.is_float_dtype(column):
        x = column.to_numpy(dtype=float, na_value=np.nan)
        text = np.where(x > 0, "inf", "-inf")
        values = np.where(np.isnan(x), None, np.where(np.isinf(x), text, x.astype(object)))
        return values.tolist(), "number"
    values = [None if v is None else _plain(v) for v in column.astype(object).where(column.notna(), None).tolist()]
    dates = [v for v in values if isinstance(v, datetime.date)]  # Python dates in a column of objects
    if not dates:
        return values, "value"
    timed = any(
        isinstance(v, datetime.datetime) and v != datetime.datetime.combine(v.date(), datetime.time(), v.tzinfo)
        for v in dates
    )
    return values, "datetime" if timed else "date"


def _plain(value):
    """``value`` as a sheet cell holds it: text, number, truth value or date; anything else as text."""
    return value if isinstance(value, _PLAIN) else str(value)


def write_table(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    index: bool = False,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    currency: str = "CNY",
    language: str = "en",
    formats: Mapping[str, object] | None = None,
) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names; parent folders are created.

    Personal columns are masked first (:func:`segmentation.data.privacy.mask_personal`).

    Parameters
    ----------
    frame : DataFrame
    path : str or Path
        ``.csv``, ``.parquet`` or ``.xlsx``.
    index : bool, default False
        Write the index as the first column(s).
    csv_encoding : {"utf-8-sig", "utf-8", "gb18030"}, default "utf-8-sig"
        A CSV file's encoding: UTF-8 with a byte-order mark (Excel reads Chinese right), plain
        UTF-8, or GB18030.
    currency, language : str
        How a workbook shows amounts of money (``"CN¥"#,##0.00`` in English, ``"¥"#,##0.00`` in Chinese).
    formats : mapping, optional
        A workbook's column kinds where the names do not tell (see :func:`column_formats`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_table(pd.DataFrame({"name": ["王芳商贸"]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv",
    ...                 csv_encoding="gb18030")
    >>> p.read_bytes().decode("gb18030")
    'name\\n王芳商贸\\n'
    """
    return _write(
        _prepared(frame),
        path,
        index=index,
        csv_encoding=csv_encoding,
        currency=currency,
        language=language,
        formats=formats,
    )


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """What every written table goes through: personal data masked, numbers to :data:`DIGITS` digits."""
    from segmentation.data.privacy import mask_personal

    return significant(mask_personal(frame))


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block succeeds.

    When the block raises (a full disk, Ctrl-C), the temporary file is removed and ``path`` keeps
    its previous content, or does not exist: a reader never finds a truncated file. Parent
    folders are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "policy.yaml"
    >>> with atomic_path(target) as partial:
    ...     _ = partial.write_text("tiers: []\\n")
    >>> target.read_text(), [p.name for p in target.parent.iterdir()]
    ('tiers: []\\n', ['policy.yaml'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (:func:`atomic_path`); parent folders are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> write_text(pathlib.Path(tempfile.mkdtemp()) / "run.json", "{}").read_text()
    '{}'
    """
    path = Path(path)
    with atomic_path(path) as partial:
        partial.write_text(text, encoding=encoding)
    return path


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula prefixed by a single quote.

    Text cells (and text column names) beginning with one of :data:`FORMULA_STARTS` get a ``'``
    in front; so do those that already begin with quotes followed by one of them, so that
    :func:`read_output` gives back exactly what was written. Numbers are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": ["=HYPERLINK(\\"x\\")", "-2", "C1"], "delta": [-2.5, 1.0, 0.0]})
    >>> formula_safe(t).values.tolist()
    [['\\'=HYPERLINK("x")', -2.5], ["'-2", 1.0], ['C1', 0.0]]
    """
    out = None
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position]
        if values.dtype != object and not pd.api.types.is_string_dtype(values) and not _text_categories(values):
            continue
        risky = values.map(lambda v: isinstance(v, str) and _FORMULA.match(v) is not None)
        if not risky.any():
            continue
        out = frame.copy() if out is None else out
        out.isetitem(position, values.astype(object).map(_neutralised))
    names = [_neutralised(c) for c in frame.columns]
    if names != list(frame.columns):
        out = (frame.copy() if out is None else out).set_axis(names, axis=1)
    return frame if out is None else out


def _text_categories(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object


def _neutralised(value: object) -> object:
    return "'" + value if isinstance(value, str) and _FORMULA.match(value) else value


def _restored(value: object) -> object:
    return value[1:] if isinstance(value, str) and _ESCAPED_FORMULA.match(value) else value


def check_csv_encoding(encoding: object) -> str:
    """``encoding`` if CSV files can be written in it (:data:`CSV_ENCODINGS`); an error naming the choices.

    Examples
    --------
    >>> check_csv_encoding("GB18030")
    'gb18030'
    """
    name = str(encoding).lower().replace("_", "-")
    name = {"utf8": "utf-8", "utf8-sig": "utf-8-sig", "utf-8-bom": "utf-8-sig"}.get(name, name)
    if name not in CSV_ENCODINGS:
        raise WorkbenchError(f"csv_encoding must be one of {', '.join(CSV_ENCODINGS)}; got {encoding!r}")
    return name


def _write(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    index: bool = False,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    currency: str = "CNY",
    language: str = "en",
    formats: Mapping[str, object] | None = None,
) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise WorkbenchError(f"{path}: unknown output format {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    encoding = check_csv_encoding(csv_encoding)
    with atomic_path(path) as partial:
        if suffix == ".csv":
            _csv(frame, partial, index=index, encoding=encoding)
        elif suffix == ".parquet":
            frame.to_parquet(partial, index=index)
        else:
            _excel(
                {"Sheet1": frame},
                partial,
                index=index,
                currency=currency,
                language=language,
                formats={"Sheet1": formats or {}},
            )
    return path


def _csv(frame: pd.DataFrame, path: Path, *, index: bool, encoding: str) -> None:
    """Write a CSV file with its text cells made safe for spreadsheets (:func:`formula_safe`)."""
    safe = formula_safe(frame)
    if index and (safe.index.dtype == object or pd.api.types.is_string_dtype(safe.index)):
        safe = safe.set_axis(safe.index.map(_neutralised), axis=0)
    safe.to_csv(
        path,
        index=index,
        lineterminator="\n",
        date_format="%Y-%m-%d",
        float_format=FLOAT_FORMAT,
        encoding=encoding,
    )


def transcode_csv(path: str | Path, encoding: str) -> Path:
    """Rewrite a CSV file the workbench wrote (in any of :data:`CSV_ENCODINGS`) in ``encoding``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_table(pd.DataFrame({"名称": ["客户"]}), pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> transcode_csv(p, "utf-8").read_bytes().decode("utf-8")
    '名称\\n客户\\n'
    """
    path = Path(path)
    text = _decode_csv(path)
    data = text.encode(check_csv_encoding(encoding))
    with atomic_path(path) as partial:
        partial.write_bytes(data)
    return path


def _decode_csv(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def write_report_tables(
    tables: dict[str, pd.DataFrame],
    folder: str | Path | None,
    *,
    workbook: str = "tables.xlsx",
    csv_encoding: str = DEFAULT_CSV_ENCODING,
    currency: str = "CNY",
    language: str = "en",
    formats: Mapping[str, Mapping[str, object]] | None = None,
) -> dict[str, Path]:
    """Write a report's tables: one CSV each plus one Excel workbook with a sheet per table.

    Personal data is masked (:func:`segmentation.data.privacy.mask_personal`) before anything is
    written. With ``folder`` None nothing is written (a notebook run without an output folder).
    ``csv_encoding``, ``currency``, ``language`` and ``formats`` (per table name) are those of
    :func:`write_table`.

    Returns
    -------
    dict of Path
        The file written per table name, and ``"workbook"``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> paths = write_report_tables({"kpis": pd.DataFrame({"kpi": ["retention_rate"], "value": [0.9]})},
    ...                             pathlib.Path(tempfile.mkdtemp()), workbook="review.xlsx")
    >>> sorted(p.name for p in paths.values())
    ['kpis.csv', 'review.xlsx']
    """
    if folder is None:
        return {}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    masked = {name: _prepared(table) for name, table in tables.items()}
    paths = {name: _write(table, folder / f"{name}.csv", csv_encoding=csv_encoding) for name, table in masked.items()}
    book = folder / workbook
    with atomic_path(book) as partial:
        _excel(masked, partial, currency=currency, language=language, formats=formats)
    paths["workbook"] = book
    return paths


def read_output(path: str | Path) -> pd.DataFrame:
    """Read back a table the workbench wrote (ids stay text: ``customer_id`` "007").

    A CSV file is read in whichever of :data:`CSV_ENCODINGS` it was written, and the quote that
    made a text cell safe for spreadsheets (:func:`formula_safe`) is taken off.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_table(pd.DataFrame({"customer_id": ["007"], "persona_id": [1]}),
    ...                 pathlib.Path(tempfile.mkdtemp()) / "a.csv")
    >>> read_output(p)["customer_id"].tolist()
    ['007']
    >>> p = write_table(pd.DataFrame({"customer_id": ["=1+1", "'@x", "C2"]}), p)
    >>> p.read_text(encoding="utf-8-sig").split(), read_output(p)["customer_id"].tolist()
    (['customer_id', "'=1+1", "''@x", 'C2'], ['=1+1', "'@x", 'C2'])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise WorkbenchError(f"{path}: no such file")
    if suffix not in SUFFIXES:
        raise WorkbenchError(f"{path}: unknown table format {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    if suffix == ".csv":
        frame = pd.read_csv(io.StringIO(_decode_csv(path)), dtype={"customer_id": str})
        frame = frame.set_axis([_restored(c) for c in frame.columns], axis=1)
        for position in range(frame.shape[1]):
            column = frame.iloc[:, position]
            if column.dtype == object or pd.api.types.is_string_dtype(column):
                frame.isetitem(position, frame.iloc[:, position].map(_restored))
        return frame
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_excel(path, dtype={"customer_id": str})
    return frame.astype({"customer_id": str}) if "customer_id" in frame else frame


__all__ = [
    "CSV_ENCODINGS",
    "DEFAULT_CSV_ENCODING",
    "DIGITS",
    "FLOAT_FORMAT",
    "FORMULA_STARTS",
    "KINDS",
    "SUFFIXES",
    "atomic_path",
    "check_csv_encoding",
    "column_formats",
    "formula_safe",
    "read_output",
    "significant",
    "transcode_csv",
    "write_report_tables",
    "write_table",
    "write_text",
]
