"""The load report: what was read, repaired, excluded and found, table by table.

Nothing is dropped silently: for every table ``rows_read == rows_clean + rows_repaired +
rows_excluded``, and each repair or exclusion rule has its own count.

Examples
--------
>>> t = TableReport("transactions", "transactions.csv", rows_read=10)
>>> t.exclude("refund (negative amount)", 2); t.rows_loaded = 8; t.rows_repaired = 1
>>> t.rows_clean, t.balanced
(7, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from segmentation.errors import Problem


@dataclass
class TableReport:
    """Counts for one table."""

    table: str
    file: str | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_repaired: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    excluded: dict[str, int] = field(default_factory=dict)
    repaired: dict[str, int] = field(default_factory=dict)
    translated: dict[str, int] = field(default_factory=dict)  # values given in the mapping's words, per column

    def exclude(self, rule: str, n: int) -> None:
        if n:
            self.excluded[rule] = self.excluded.get(rule, 0) + int(n)

    def repair(self, rule: str, n: int) -> None:
        if n:
            self.repaired[rule] = self.repaired.get(rule, 0) + int(n)

    def translate(self, what: str, n: int) -> None:
        """Count values written in the team's words and translated by the mapping (not a repair)."""
        if n:
            self.translated[what] = self.translated.get(what, 0) + int(n)

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    @property
    def rows_clean(self) -> int:
        return self.rows_loaded - self.rows_repaired

    @property
    def balanced(self) -> bool:
        """Every row read is accounted for: clean + repaired + excluded."""
        return self.rows_read == self.rows_clean + self.rows_repaired + self.rows_excluded


@dataclass
class LoadReport:
    """Everything found while loading a data directory."""

    source: str
    tables: dict[str, TableReport] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    complaints: dict[str, int] = field(default_factory=dict)  # contacts counted as complaints, per rule
    words_seen: dict[str, set[str]] = field(default_factory=dict, repr=False)  # mapping words found, per column

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when the data is usable (no errors; warnings and notes allowed)."""
        return not self.errors

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def to_frame(self) -> pd.DataFrame:
        """One row per table: file, rows read, clean, repaired, excluded, loaded."""
        rows = [
            {
                "table": t.table,
                "file": t.file,
                "rows_read": t.rows_read,
                "rows_clean": t.rows_clean,
                "rows_repaired": t.rows_repaired,
                "rows_excluded": t.rows_excluded,
                "rows_loaded": t.rows_loaded,
            }
            for t in self.tables.values()
        ]
        return pd.DataFrame(
            rows, columns=["table", "file", "rows_read", "rows_clean", "rows_repaired", "rows_excluded", "rows_loaded"]
        )

    def to_text(self) -> str:
        """A plain-text report for the terminal."""
        lines = [f"Data: {self.source}"]
        for t in self.tables.values():
            if t.file is None:
                lines.append(f"  {t.table}: not provided")
                continue
            how = ", ".join(x for x in (t.encoding, f"delimiter {t.delimiter!r}" if t.delimiter else None) if x)
            lines.append(
                f"  {t.table} ({t.file}{'; ' + how if how else ''}): {t.rows_read:,} rows read, "
                f"{t.rows_loaded:,} loaded ({t.rows_repaired:,} repaired), {t.rows_excluded:,} excluded"
            )
            for rule, n in t.repaired.items():
                lines.append(f"      repaired {n:,}: {rule}")
            for rule, n in t.excluded.items():
                lines.append(f"      excluded {n:,}: {rule}")
            for what, n in t.translated.items():
                lines.append(f"      translated by the mapping {n:,}: {what}")
        for severity in ("error", "warning", "info"):
            found = [p for p in self.problems if p.severity == severity]
            if found:
                lines.append(f"{severity.capitalize()}s ({len(found)}):" if severity != "info" else "Notes:")
                lines.extend(f"  - {str(p).split(' ', 1)[1]}" for p in found)
        lines.append("Usable: yes" if self.ok else "Usable: no (fix the errors above)")
        return "\n".join(lines)


__all__ = ["LoadReport", "TableReport"]
