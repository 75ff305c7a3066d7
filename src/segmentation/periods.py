"""Quarters as the reports name them (``"2025Q3"``) and the dates they stand for.

Examples
--------
>>> q = quarter("2025q3")
>>> str(q), q.start, q.end, q.previous_end
('2025Q3', Timestamp('2025-07-01 00:00:00'), Timestamp('2025-09-30 00:00:00'), Timestamp('2025-06-30 00:00:00'))
>>> [str(p) for p in q.trailing(3)]
['2025Q1', '2025Q2', '2025Q3']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from segmentation.errors import ConfigError

_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")


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
    return Quarter(pd.Timestamp(day).to_period("Q"))


__all__ = ["Quarter", "quarter", "quarter_of"]
