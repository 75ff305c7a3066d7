"""The review's words and numbers in the reader's language: KPI names, windows, statuses, days and amounts.

English keeps the workbench's plain machine-neutral style (``2025-09-30``, ``1,234,567 CNY``); the
other languages use their locale's formats through :mod:`segmentation.i18n` (``2025年9月30日``,
``¥1,234,567``). Every word comes from the ``review`` catalogue (``locales/<language>/review.yaml``);
keys built here from a code (a KPI, a window, a status) only ever use the fixed codes of
:data:`~segmentation.review.service_levels.KPIS`, :data:`~segmentation.review.service_levels.WINDOWS`,
:data:`STATUSES` and :data:`BANDS`, which tests/test_review_language.py checks against every catalogue.

Examples
--------
>>> day("2025-09-30", "en"), day("2025-09-30", "zh")
('2025-09-30', '2025年9月30日')
>>> amount(1234567, "en", "CNY"), amount(1234567, "zh", "CNY")
('1,234,567 CNY', '¥1,234,567')
>>> kpi_name("retention_rate", "en"), kpi_name("retention_rate", "zh")
('Retention rate', '留存率')
>>> status_word("met", "zh"), status_word("missed", "zh")
('达标', '未达标')
"""

from __future__ import annotations

from segmentation.i18n import catalogue, format_amount, format_day, format_number, format_percent, message

#: The statuses a KPI can have (see :mod:`segmentation.review.kpis`).
STATUSES = ("met", "missed", "no target", "not computed")
#: The churn-risk bands.
BANDS = ("high", "medium", "low")
#: The kinds of tier move (see :data:`segmentation.value.regrading.MOVES`).
MOVE_WORDS = ("upgrade", "downgrade", "new", "lapsed", "returned", "inactive")


#: A date (``2025-09-30`` in English, ``2025年9月30日`` in Chinese) and an amount (``1,234,567 CNY``,
#: ``¥1,234,567``): the house's formats, defined once in :mod:`segmentation.i18n`.
day = format_day


def amount(value: float, language: str = "en", currency: str = "CNY") -> str:
    """An amount of money: ``1,234,567 CNY`` in English, ``¥1,234,567`` in Chinese."""
    return format_amount(value, language, currency=currency)


def number(value: float, language: str = "en", *, digits: int = 0) -> str:
    """A count or a figure with the locale's grouping (``1,234``)."""
    return format_number(value, language, digits=digits)


def percent(value: float, language: str = "en", *, digits: int = 1) -> str:
    """A share as a percentage (``86.8%``)."""
    return format_percent(value, language, digits=digits)


def _code(key: str) -> str:
    return str(key).replace(" ", "_").replace("-", "_")


def kpi_name(kpi: str, language: str = "en") -> str:
    """The reader's name of a KPI (``Retention rate``, ``留存率``); an unknown code is shown as words."""
    key = f"review.kpi.{kpi}.name"
    return message(key, language) if key in catalogue(language) else str(kpi).replace("_", " ")


def kpi_definition(kpi: str, language: str = "en") -> str:
    """What a KPI measures, in words."""
    return message(f"review.kpi.{kpi}.definition", language)


def window_words(window: str, language: str = "en", *, article: bool = True) -> str:
    """A KPI window in words: ``the quarter``, ``6 months``, ``12 months`` (``本季度``, ``近6个月``)."""
    text = message(f"review.window.{window}", language)
    return text if article else text.removeprefix("the ")


def status_word(status: str, language: str = "en") -> str:
    """A KPI status in words (``met`` -> ``达标``)."""
    return message(f"review.status.{_code(status)}", language)


def churn_reason_word(code: str, language: str = "en") -> str:
    """A recorded churn reason in words (``slow_response`` -> ``slow response``, ``响应慢``); a team's own code as words."""
    key = f"review.churn_reason.{code}"
    return message(key, language) if key in catalogue(language) else str(code).replace("_", " ")


def band_word(band: str, language: str = "en") -> str:
    """A churn-risk band in words (``high`` -> ``高``)."""
    return message(f"review.band.{band}", language)


def move_word(move: str, language: str = "en") -> str:
    """A kind of tier move in words (``upgrade`` -> ``升级``)."""
    return message(f"review.move.{move}", language)


__all__ = [
    "BANDS",
    "MOVE_WORDS",
    "STATUSES",
    "amount",
    "band_word",
    "churn_reason_word",
    "day",
    "kpi_definition",
    "kpi_name",
    "move_word",
    "number",
    "percent",
    "status_word",
    "window_words",
]
