"""Map a team's own file names, column names and values onto the data contract.

A team writes a small YAML file instead of editing its exports::

    language: zh                # the reports' default language: en, zh or zh_Hant
    files:                      # file per table, relative to the data directory
      transactions: {file: 订单导出.xlsx, sheet: 2, header_row: 3}   # or just the file name
      customers: 客户.csv
    columns:                    # their column name: contract column
      transactions:
        客户编号: customer_id
        订单号: order_id
        下单日期: order_date
        金额: amount
    csv:
      encoding: auto            # auto (UTF-8, UTF-8 with BOM, then GBK), or a codec name
      delimiter: auto           # auto, or one character such as ";"
    date_formats: ["%d/%m/%Y"]  # tried after the built-in unambiguous formats
    decimal: auto               # auto (read from each column's values), "." or ","
    max_amount: 1.0e+12         # larger amounts are refused as absurd
    max_excluded: 0.5           # a table losing a larger share of its lines to exclusions is refused
    values:                     # the team's words for the contract's values, per column
      channel: {电话: phone, 拜访: visit, 微信: sms_chat}
      topic: {投诉: complaint}
      reason: {价格原因: price}
      direction: {客户来电: inbound}
      rating: {还行: 3}
    complaints:                 # which contacts are complaints (defaults shown)
      column: topic             # a contact whose topic (after values:) is one of `values` ...
      values: [complaint]
      keywords: {zh: [客诉]}    # ... else whose topic holds a keyword (added to the built-in ones)
    personal: [customers.name]  # more columns holding personal data, masked when loaded
                                # (for customers who are people; contact fields always are)

Examples
--------
>>> m = ColumnMapping.from_dict({"columns": {"transactions": {"CustomerID": "customer_id"}}})
>>> m.rename("transactions", ["CustomerID", "amount"])
['customer_id', 'amount']
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmentation.config import INVALID, Custom, ListOf, MapOf, Mistakes, Record, Text, coerce, read_yaml
from segmentation.data.complaints import COMPLAINT_COLUMNS, COMPLAINT_KEYWORDS, COMPLAINT_VALUES
from segmentation.data.contract import CHANNELS, CHURN_REASONS, DIRECTIONS, NEED_TYPES, TABLES
from segmentation.errors import ConfigError
from segmentation.i18n import LANGUAGES, check_language

#: The columns whose values a mapping may translate, with the contract values each may map to (None: any
#: text, the column's categories are the team's own). ``channel`` also translates ``customers.preferred_channel``
#: unless ``preferred_channel`` has words of its own.
VALUE_COLUMNS: dict[str, tuple[object, ...] | None] = {
    "channel": CHANNELS,
    "preferred_channel": CHANNELS,
    "direction": DIRECTIONS,
    "topic": None,
    "reason": CHURN_REASONS,
    "industry": None,
    "size_band": None,
    "region": None,
    "need_type": NEED_TYPES,
    "category": None,
    "rating": (1, 2, 3, 4, 5),
}


def _delimiter(value: object) -> object:
    return str(value) if value == "auto" or (isinstance(value, str) and len(value) == 1) else INVALID


def _date_format(value: object) -> object:
    return value if isinstance(value, str) and "%" in value else INVALID


def _personal(value: object) -> object:
    """One entry, or a list of entries, as a list."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _file_entry(value: object) -> object:
    """A file name, or ``{file:, sheet:, header_row:}``, as a dict."""
    if isinstance(value, str) and value:
        return {"file": value}
    if not isinstance(value, dict):
        return INVALID
    unknown = sorted(str(k) for k in value if k not in ("file", "sheet", "header_row"))
    if unknown:
        raise ValueError(f"unknown keys {unknown}; expected some of ['file', 'header_row', 'sheet']")
    out: dict[str, Any] = {}
    if value.get("file") is not None:
        if not isinstance(value["file"], str) or not value["file"]:
            raise ValueError(f"file must be a file name, got {value['file']!r}")
        out["file"] = value["file"]
    sheet = value.get("sheet")
    if sheet is not None:
        if isinstance(sheet, bool) or not isinstance(sheet, (str, int)) or (isinstance(sheet, int) and sheet < 1):
            raise ValueError(f"sheet must be a sheet name or its position from 1, got {sheet!r}")
        out["sheet"] = sheet
    header = value.get("header_row")
    if header is not None:
        if isinstance(header, bool) or not isinstance(header, int) or header < 1:
            raise ValueError(f"header_row must be the row number of the header, from 1, got {header!r}")
        out["header_row"] = header
    return out


def _decimal(value: object) -> object:
    return value if value in ("auto", ".", ",") else INVALID


def _max_amount(value: object) -> object:
    """A positive finite number; YAML reads ``1e12`` (no dot) as text, so text numbers are read too."""
    if isinstance(value, bool):
        return INVALID
    try:
        number = float(value)
    except (TypeError, ValueError):
        return INVALID
    return number if math.isfinite(number) and number > 0 else INVALID


def _share(value: object) -> object:
    """A share of lines, from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return INVALID
    return float(value) if 0 <= value <= 1 else INVALID


def _value_word(value: object) -> object:
    return value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else INVALID


#: The ceiling on an amount when the mapping sets none (``max_amount``): no order line is worth 10^12.
MAX_AMOUNT = 1e12
#: The share of a table's lines that exclusions (blank ids, duplicates, unknown customers) may take
#: when the mapping sets none (``max_excluded``): above it the rest no longer stands for the data.
MAX_EXCLUDED = 0.5
_TABLE_NAMES = tuple(TABLES)
#: The shape of a mapping file (see the module docstring).
_SCHEMA = Record(
    {
        "language": Text(),
        "files": MapOf(
            Custom(_file_entry, expected="a file name or {file: ..., sheet: ..., header_row: ...}"),
            keys=_TABLE_NAMES,
            noun="table",
        ),
        "columns": MapOf(MapOf(Text()), keys=_TABLE_NAMES, noun="table", value_key="{}"),
        "csv": Record({"encoding": Text(), "delimiter": Custom(_delimiter, expected="'auto' or one character")}),
        "date_formats": ListOf(
            Custom(_date_format, expected="a strftime format such as '%d/%m/%Y'"),
            expected="a list of strftime formats such as '%d/%m/%Y'",
        ),
        "decimal": Custom(_decimal, expected="'auto', '.' or ','"),
        "max_amount": Custom(_max_amount, expected="a positive number such as 1.0e+12"),
        "max_excluded": Custom(_share, expected="a share of lines from 0 to 1, such as 0.5"),
        "values": MapOf(MapOf(Custom(_value_word, expected="a value")), keys=tuple(VALUE_COLUMNS), noun="column"),
        "complaints": Record(
            {
                "column": Custom(
                    lambda v: v if v in COMPLAINT_COLUMNS else INVALID,
                    expected=f"one of {list(COMPLAINT_COLUMNS)} (a column of interactions)",
                ),
                "values": ListOf(Text(), expected="a list of values such as [complaint]"),
                "keywords": MapOf(ListOf(Text(), expected="a list of words"), keys=tuple(LANGUAGES), noun="language"),
            }
        ),
        "personal": Custom(_personal),
    }
)


@dataclass(frozen=True)
class ColumnMapping:
    """How a team's files translate to the contract. The default maps nothing."""

    files: dict[str, str] = field(default_factory=dict)
    sheets: dict[str, str | int] = field(default_factory=dict)  # table -> sheet name or position (from 1)
    header_rows: dict[str, int] = field(default_factory=dict)  # table -> row of the header (from 1)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str = "auto"
    delimiter: str = "auto"
    date_formats: tuple[str, ...] = ()
    decimal: str = "auto"  # the decimal mark of numbers written as text: auto, "." or ","
    max_amount: float = MAX_AMOUNT  # amounts larger than this are refused
    max_excluded: float = MAX_EXCLUDED  # a larger share of a table's lines excluded refuses it
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    personal: tuple[tuple[str, str], ...] = ()  # (table, column) masked when loaded
    complaint_column: str = "topic"
    complaint_values: tuple[str, ...] = COMPLAINT_VALUES
    complaint_keywords: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(COMPLAINT_KEYWORDS))
    extra_complaint_keywords: tuple[str, ...] = ()  # the keywords the mapping added
    language: str | None = None
    source: str | None = None

    @classmethod
    def coerce(cls, value: ColumnMapping | str | Path | dict) -> ColumnMapping:
        """A mapping, a YAML file or a dict, as a mapping (see :func:`~segmentation.config.coerce`)."""
        return coerce(cls, value, what="column mapping")

    @classmethod
    def load(cls, path: str | Path) -> ColumnMapping:
        """Read and check a mapping file; every mistake is reported at once."""
        data = read_yaml("mapping", path)
        return cls.from_dict(data, source=data.pop("_source"))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str | None = None) -> ColumnMapping:
        """Build and check a mapping; every mistake is reported in one :class:`ConfigError`."""
        mistakes = Mistakes()
        clean = _SCHEMA.check(data, "", mistakes)
        clean = {} if clean is INVALID else clean
        columns = clean.get("columns", {})
        for table, renames in columns.items():
            allowed = list(TABLES[table].column_names)
            for theirs, target in renames.items():
                if target not in allowed:
                    mistakes.add(
                        f"columns.{table}",
                        f"{theirs!r} maps to {target!r}, which is not a column of {table}; expected one of {allowed}",
                    )
            dupes = sorted(t for t, n in Counter(renames.values()).items() if n > 1)
            if dupes:
                mistakes.add(f"columns.{table}", f"several columns map to {dupes}")
        values = _check_values(clean.get("values", {}), mistakes)
        language = clean.get("language")
        if language is not None:
            try:
                language = check_language(language)
            except ConfigError as exc:
                mistakes.add("language", str(exc))
        personal = clean.get("personal", [])
        texts = [f"{t}.{c.name}" for t, ts in TABLES.items() for c in ts.columns if c.kind == "text"]
        for entry in personal:
            if entry not in texts:
                mistakes.add("personal", f"{entry!r} is not a text column of the contract; expected some of {texts}")
        mistakes.raise_if_any(source or "mapping", "mapping")
        csv = clean.get("csv", {})
        files = clean.get("files", {})
        complaints = clean.get("complaints", {})
        added = complaints.get("keywords", {})
        keywords = {lang: (*COMPLAINT_KEYWORDS.get(lang, ()), *added.get(lang, ())) for lang in LANGUAGES}
        return cls(
            files={t: e["file"] for t, e in files.items() if "file" in e},
            sheets={t: e["sheet"] for t, e in files.items() if "sheet" in e},
            header_rows={t: e["header_row"] for t, e in files.items() if "header_row" in e},
            columns=columns,
            encoding=csv.get("encoding", "auto"),
            delimiter=csv.get("delimiter", "auto"),
            date_formats=tuple(clean.get("date_formats", [])),
            decimal=clean.get("decimal", "auto"),
            max_amount=clean.get("max_amount", MAX_AMOUNT),
            max_excluded=clean.get("max_excluded", MAX_EXCLUDED),
            values=values,
            personal=tuple(tuple(entry.split(".", 1)) for entry in personal),
            complaint_column=complaints.get("column", "topic"),
            complaint_values=tuple(complaints.get("values", COMPLAINT_VALUES)),
            complaint_keywords=keywords,
            extra_complaint_keywords=tuple(w for words in added.values() for w in words),
            language=language,
            source=source,
        )

    def words(self, column: str) -> dict[str, Any]:
        """The team's words for ``column`` (lower case) and the contract value each stands for.

        ``preferred_channel`` uses the words of ``channel`` unless it has its own.

        Examples
        --------
        >>> ColumnMapping.from_dict({"values": {"channel": {"电话": "phone"}}}).words("preferred_channel")
        {'电话': 'phone'}
        """
        if column == "preferred_channel" and column not in self.values:
            column = "channel"
        return self.values.get(column, {})

    def rename(self, table: str, names: list[str]) -> list[str]:
        """Return the contract names for a file's header (unmapped names stay as they are)."""
        renames = self.columns.get(table, {})
        return [renames.get(n, n) for n in names]


def _check_values(values: dict[str, dict[str, Any]], mistakes: Mistakes) -> dict[str, dict[str, Any]]:
    """The ``values:`` words, lower-cased; every target the loader does not use is a mistake."""
    out: dict[str, dict[str, Any]] = {}
    for column, words in values.items():
        allowed = VALUE_COLUMNS[column]
        clean: dict[str, Any] = {}
        for theirs, target in words.items():
            if column == "rating":
                ok = isinstance(target, int) and not isinstance(target, bool) and target in allowed
            else:
                target = str(target)
                ok = allowed is None or target in allowed
            if not ok:
                mistakes.add(
                    f"values.{column}",
                    f"{theirs!r} maps to {target!r}, which the loader does not use for {column}; "
                    f"expected one of {list(allowed)}",
                )
                continue
            key = str(theirs).strip().lower()
            if key in clean and clean[key] != target:
                mistakes.add(f"values.{column}", f"{theirs!r} is given twice, as {clean[key]!r} and {target!r}")
            clean[key] = target
        out[column] = clean
    return out


__all__ = ["MAX_AMOUNT", "VALUE_COLUMNS", "ColumnMapping"]
