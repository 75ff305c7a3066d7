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

import yaml

from segmentation.config import coerce
from segmentation.data.contract import TABLES
from segmentation.errors import ConfigError

_TOP_KEYS = {"files", "columns", "csv", "date_formats", "values", "personal"}
_VALUE_COLUMNS = {"direction", "rating", "channel"}


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
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{path}: cannot read the mapping file: {exc}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str | None = None) -> ColumnMapping:
        where = source or "mapping"
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: expected a mapping with keys {sorted(_TOP_KEYS)}, got {type(data).__name__}")
        errors: list[str] = []
        unknown = set(data) - _TOP_KEYS
        if unknown:
            errors.append(f"unknown keys {sorted(unknown)}; expected some of {sorted(_TOP_KEYS)}")
        files = data.get("files") or {}
        for table in files:
            if table not in TABLES:
                errors.append(f"files: unknown table {table!r}; expected one of {list(TABLES)}")
        columns = data.get("columns") or {}
        for table, renames in columns.items():
            if table not in TABLES:
                errors.append(f"columns: unknown table {table!r}; expected one of {list(TABLES)}")
                continue
            targets = list((renames or {}).values())
            for source_name, target in (renames or {}).items():
                if target not in TABLES[table].column_names:
                    errors.append(
                        f"columns.{table}: {source_name!r} maps to {target!r}, which is not a column of "
                        f"{table}; expected one of {list(TABLES[table].column_names)}"
                    )
            dupes = sorted({t for t in targets if targets.count(t) > 1})
            if dupes:
                errors.append(f"columns.{table}: several columns map to {dupes}")
        csv = data.get("csv") or {}
        bad_csv = set(csv) - {"encoding", "delimiter"}
        if bad_csv:
            errors.append(f"csv: unknown keys {sorted(bad_csv)}; expected encoding, delimiter")
        delimiter = str(csv.get("delimiter", "auto"))
        if delimiter != "auto" and len(delimiter) != 1:
            errors.append(f"csv.delimiter must be 'auto' or one character, got {delimiter!r}")
        values = data.get("values") or {}
        for column in values:
            if column not in _VALUE_COLUMNS:
                errors.append(f"values: unknown column {column!r}; expected some of {sorted(_VALUE_COLUMNS)}")
        formats = data.get("date_formats") or []
        if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
            errors.append(f"date_formats must be a list of strftime formats such as '%d/%m/%Y', got {formats!r}")
        personal = data.get("personal") or []
        pairs: list[tuple[str, str]] = []
        for entry in personal if isinstance(personal, list) else [personal]:
            table, _, column = str(entry).partition(".")
            spec = TABLES.get(table)
            col = next((c for c in spec.columns if c.name == column), None) if spec else None
            if col is None or col.kind != "text":
                texts = [f"{t}.{c.name}" for t, ts in TABLES.items() for c in ts.columns if c.kind == "text"]
                errors.append(f"personal: {entry!r} is not a text column of the contract; expected some of {texts}")
            else:
                pairs.append((table, column))
        if errors:
            raise ConfigError(f"{where}: the mapping is not valid:\n- " + "\n- ".join(errors))
        return cls(
            files={str(k): str(v) for k, v in files.items()},
            columns={t: {str(k): str(v) for k, v in (r or {}).items()} for t, r in columns.items()},
            encoding=str(csv.get("encoding", "auto")),
            delimiter=delimiter,
            date_formats=tuple(formats),
            values={c: {str(k).strip().lower(): v for k, v in m.items()} for c, m in values.items()},
            personal=tuple(pairs),
            source=source,
        )

    def rename(self, table: str, names: list[str]) -> list[str]:
        """Return the contract names for a file's header (unmapped names stay as they are)."""
        renames = self.columns.get(table, {})
        return [renames.get(n, n) for n in names]


__all__ = ["ColumnMapping"]
