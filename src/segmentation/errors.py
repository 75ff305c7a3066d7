"""Problems found in a team's data, and the exceptions that carry them.

Every problem names the file, the column, the first offending rows (as a spreadsheet
shows them: the header is row 1) and what was expected, so a user can act on it.

Examples
--------
>>> p = Problem("error", "transactions.csv", "amount", "not a number", rows=(3, 7),
...             expected="a number such as 1234.50", examples=("abc",))
>>> print(p)
ERROR transactions.csv, column 'amount', rows 3, 7: not a number (got 'abc'); expected a number such as 1234.50
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning", "info"]

#: How many row numbers and example values a message shows before "(+N more)".
SHOWN = 5


@dataclass(frozen=True)
class Problem:
    """One finding about the input: an error (data not usable), a warning or a note."""

    severity: Severity
    file: str
    column: str | None
    message: str
    rows: tuple[int, ...] = ()
    expected: str | None = None
    examples: tuple[str, ...] = field(default=())
    count: int | None = None

    @property
    def n_rows(self) -> int:
        return self.count if self.count is not None else len(self.rows)

    def __str__(self) -> str:
        where = self.file
        if self.column:
            where += f", column '{self.column}'"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:SHOWN])
            more = self.n_rows - min(len(self.rows), SHOWN)
            where += f", row{'s' if self.n_rows > 1 else ''} {shown}" + (f" (+{more} more)" if more else "")
        text = f"{self.severity.upper()} {where}: {self.message}"
        if self.examples:
            text += " (got " + ", ".join(repr(e) for e in self.examples[:3]) + ")"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


def problem_at(
    severity: Severity,
    file: str,
    column: str | None,
    message: str,
    rows: Iterable[int],
    *,
    expected: str | None = None,
    examples: Iterable[object] = (),
) -> Problem:
    """Build a :class:`Problem`, keeping the first rows and distinct examples."""
    rows = sorted(int(r) for r in rows)
    distinct: list[str] = []
    for e in examples:
        s = str(e)
        if len(s) > 60:
            s = s[:57] + "..."
        if s not in distinct:
            distinct.append(s)
        if len(distinct) == 3:
            break
    return Problem(severity, file, column, message, tuple(rows[:SHOWN]), expected, tuple(distinct), len(rows))


class WorkbenchError(ValueError):
    """Base class of the workbench's errors about input (a ``ValueError``)."""


class DataContractError(WorkbenchError):
    """The data does not meet the contract; ``problems`` lists every finding at once."""

    def __init__(self, problems: Sequence[Problem], report: object | None = None):
        self.problems = list(problems)
        self.report = report
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"The data cannot be used: {len(errors)} problem{'s' if len(errors) != 1 else ''} found."
        super().__init__("\n".join([head, *(f"- {p}" for p in errors)]))


class InsufficientDataError(WorkbenchError):
    """The data is valid but too small or too short for the analysis asked for.

    The message says what was found and what the analysis needs, e.g. "tuning 3 tiers
    needs at least 6 customers, got 1".
    """


class ConfigError(WorkbenchError):
    """A configuration file (mapping, policy, rules) is not valid."""


class StaleDataError(WorkbenchError):
    """The data does not cover the period a report is asked for: a stale or incomplete export.

    Raised when the quarter has no orders, or when the data's last order is well before the
    quarter ends. The message names the quarter, the data's last order date and what to do;
    the command line exits with its own status (3) so that a scheduler can tell "export the
    data again" from a broken run.

    Examples
    --------
    >>> raise StaleDataError("quarter 2025Q3 has no orders: the data's last order is on 2024-09-27")
    Traceback (most recent call last):
    ...
    segmentation.errors.StaleDataError: quarter 2025Q3 has no orders: the data's last order is on 2024-09-27
    """


__all__ = [
    "ConfigError",
    "DataContractError",
    "InsufficientDataError",
    "Problem",
    "SHOWN",
    "StaleDataError",
    "WorkbenchError",
    "problem_at",
]
