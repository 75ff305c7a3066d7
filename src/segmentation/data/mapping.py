"""Map a team's own file names, column names and values onto the data contract.

A team writes a small YAML file instead of editing its exports::

    files:                      # file per table, relative to the data directory
      transactions: 订单导出.xlsx
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
    values:                     # extra words for coded columns
      direction: {客户来电: inbound}
      rating: {还行: 3}
    personal: [customers.name]  # more columns holding personal data, masked when loaded
                                # (for customers who are people; contact fields always are)

Examples
--------
>>> m = ColumnMapping.from_dict({"columns": {"transactions": {"CustomerID": "customer_id"}}})
>>> m.rename("transactions", ["CustomerID", "amount"])
['customer_id', 'amount']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmentation.config import INVALID, Custom, ListOf, MapOf, Mistakes, Record, Text, coerce, read_yaml
from segmentation.data.contract import TABLES

_VALUE_COLUMNS = ("channel", "direction", "rating")


def _delimiter(value: object) -> object:
    return str(value) if value == "auto" or (isinstance(value, str) and len(value) == 1) else INVALID


def _date_format(value: object) -> object:
    return value if isinstance(value, str) and "%" in value else INVALID


def _personal(value: object) -> object:
    """One entry, or a list of entries, as a list."""
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


_TABLE_NAMES = tuple(TABLES)
#: The shape of a mapping file (see the module docstring).
_SCHEMA = Record(
    {
        "files": MapOf(Text(), keys=_TABLE_NAMES, noun="table"),
        "columns": MapOf(MapOf(Text()), keys=_TABLE_NAMES, noun="table", value_key="{}"),
        "csv": Record({"encoding": Text(), "delimiter": Custom(_delimiter, expected="'auto' or one character")}),
        "date_formats": ListOf(
            Custom(_date_format, expected="a strftime format such as '%d/%m/%Y'"),
            expected="a list of strftime formats such as '%d/%m/%Y'",
        ),
        "values": MapOf(MapOf(Custom(lambda v: v)), keys=_VALUE_COLUMNS, noun="column"),
        "personal": Custom(_personal),
    }
)


@dataclass(frozen=True)
class ColumnMapping:
    """How a team's files translate to the contract. The default maps nothing."""

    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    encoding: str = "auto"
    delimiter: str = "auto"
    date_formats: tuple[str, ...] = ()
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    personal: tuple[tuple[str, str], ...] = ()  # (table, column) masked when loaded
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
            targets = list(renames.values())
            dupes = sorted({t for t in targets if targets.count(t) > 1})
            if dupes:
                mistakes.add(f"columns.{table}", f"several columns map to {dupes}")
        personal = clean.get("personal", [])
        texts = [f"{t}.{c.name}" for t, ts in TABLES.items() for c in ts.columns if c.kind == "text"]
        for entry in personal:
            if entry not in texts:
                mistakes.add("personal", f"{entry!r} is not a text column of the contract; expected some of {texts}")
        mistakes.raise_if_any(source or "mapping", "mapping")
        csv = clean.get("csv", {})
        return cls(
            files=clean.get("files", {}),
            columns=columns,
            encoding=csv.get("encoding", "auto"),
            delimiter=csv.get("delimiter", "auto"),
            date_formats=tuple(clean.get("date_formats", [])),
            values={c: {str(k).strip().lower(): v for k, v in m.items()} for c, m in clean.get("values", {}).items()},
            personal=tuple(tuple(entry.split(".", 1)) for entry in personal),
            source=source,
        )

    def rename(self, table: str, names: list[str]) -> list[str]:
        """Return the contract names for a file's header (unmapped names stay as they are)."""
        renames = self.columns.get(table, {})
        return [renames.get(n, n) for n in names]


__all__ = ["ColumnMapping"]
