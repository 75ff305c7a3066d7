"""Dates and quarters as the workbench reads them: :func:`as_date` for every date argument,
and quarters as the reports name them (``"2025Q3"``) with the dates they stand for.

Examples
--------
>>> as_date("2025-09-30", name="as_of")
Timestamp('2025-09-30 00:00:00')
>>> q = quarter("2025q3")
>>> str(q), q.start, q.end, q.previous_end
('2025Q3', Timestamp('2025-07-01 00:00:00'), Timestamp('2025-09-30 00:00:00'), Timestamp('2025-06-30 00:00:00'))
>>> [str(p) for p in q.trailing(3)]
['2025Q1', '2025Q2', '2025Q3']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from segmentation.errors import ConfigError, WorkbenchError

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


def as_date(value: str | date | pd.Timestamp | np.datetime64, *, name: str) -> pd.Timestamp:
    """Read a date argument: every public function taking a date reads it with this.

    Parameters
    ----------
    value : str, date, datetime, Timestamp or numpy datetime64
        A date such as ``"2025-09-30"``; a time of day is dropped.
    name : str
        The parameter's name, for the message.

    Returns
    -------
    Timestamp
        Midnight of that day.

    Raises
    ------
    WorkbenchError
        Naming the parameter, what it got and what it expects (also for numbers, which pandas
        would read as nanoseconds since 1970, and for empty or missing values).

    Examples
    --------
    >>> as_date(pd.Timestamp("2025-09-30 17:45"), name="cutoff")
    Timestamp('2025-09-30 00:00:00')
    >>> as_date("2024-13-45", name="as_of")
    Traceback (most recent call last):
    ...
    segmentation.errors.WorkbenchError: as_of: cannot be read as a date (got '2024-13-45'); expected a date such as 2025-09-30
    """
    readable = isinstance(value, (str, date, np.datetime64))  # datetime and Timestamp are dates
    try:
        day = pd.Timestamp(value) if readable else pd.NaT
    except (TypeError, ValueError, OverflowError):
        day = pd.NaT
    if day is pd.NaT:
        raise WorkbenchError(f"{name}: cannot be read as a date (got {value!r}); expected a date such as 2025-09-30")
    return day.normalize()


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: ``start`` and ``end`` are its first and last day."""

    period: pd.Period

    def __str__(self) -> str:
        return f"{self.period.year}Q{self.period.quarter}"

    @property
    def start(self) -> pd.Timestamp:
        return self.period.start_time.normalize()

    @property
    def end(self) -> pd.Timestamp:
        return self.period.end_time.normalize()

    @property
    def previous_end(self) -> pd.Timestamp:
        """The day before the quarter starts (the previous quarter end)."""
        return self.start - pd.Timedelta(days=1)

    @property
    def months(self) -> int:
        return 3

    def shift(self, n: int) -> Quarter:
        return Quarter(self.period + n)

    def trailing(self, n: int) -> list[Quarter]:
        """The ``n`` quarters ending with this one, oldest first."""
        return [self.shift(-i) for i in range(n - 1, -1, -1)]


def months_before(day: pd.Timestamp, months: int) -> pd.Timestamp:
    """``day`` moved ``months`` back; a month end stays a month end (three months before 2025-05-31 is
    2025-02-28).

    Examples
    --------
    >>> months_before(pd.Timestamp("2025-09-30"), 12), months_before(pd.Timestamp("2025-05-31"), 3)
    (Timestamp('2024-09-30 00:00:00'), Timestamp('2025-02-28 00:00:00'))
    """
    day = pd.Timestamp(day)
    return day - pd.offsets.MonthEnd(months) if day.is_month_end else day - pd.DateOffset(months=months)


def quarter(value: str | Quarter | pd.Period) -> Quarter:
    """Parse ``"2025Q3"`` (also ``2025-Q3``, ``2025q3``) into a :class:`Quarter`.

    Raises
    ------
    ConfigError
        Naming the value and the expected form.
    """
    if isinstance(value, Quarter):
        return value
    if isinstance(value, pd.Period):
        return Quarter(value.asfreq("Q"))
    match = _PATTERN.match(str(value))
    if not match:
        raise ConfigError(f"quarter: expected a quarter such as 2025Q3, got {value!r}")
    return Quarter(pd.Period(f"{match[1]}Q{match[2]}", freq="Q"))


def quarter_of(day: str | pd.Timestamp) -> Quarter:
    """The quarter a day falls in.

    Examples
    --------
    >>> str(quarter_of("2025-09-30"))
    '2025Q3'
    """
    return Quarter(as_date(day, name="day").to_period("Q"))


__all__ = ["Quarter", "as_date", "months_before", "quarter", "quarter_of"]
