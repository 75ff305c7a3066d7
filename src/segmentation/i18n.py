"""Words and numbers in the reader's language: message catalogues and locale formats.

Every word a reader sees (headings, KPI names, reasons, table headers, sheet names, file-facing
messages) comes from a catalogue, never from an if/else in code. A catalogue is one YAML file per
stage and language, ``segmentation/locales/<language>/<stage>.yaml``, whose nested keys become dotted
message keys prefixed by the stage: ``churn.yaml``'s ``reason: {complaints: ...}`` is the message
``churn.reason.complaints``. A message is a :meth:`str.format` template; one with a ``count`` may be a
mapping of plural forms (``one``, ``other``) chosen by Babel's plural rules. tests/test_i18n.py fails
when a language lacks a message another language has, or one that the code asks for.

Numbers, money, percentages and dates are formatted by Babel in the language's locale.

Examples
--------
>>> format_money(1234567, "zh")
'¥1,234,567'
>>> format_money(1234567, "en")
'CN¥1,234,567'
>>> format_date("2025-09-30", "zh")
'2025年9月30日'
>>> format_percent(0.8679245283, "en")
'86.8%'
>>> resolve_language(None, {"language": "zh"})
'zh'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml
from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from segmentation.errors import ConfigError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "catalogue",
    "check_language",
    "currency_name",
    "format_amount",
    "format_compact",
    "format_date",
    "format_day",
    "format_money",
    "format_number",
    "format_percent",
    "message",
    "resolve_language",
    "value_word",
]

#: The languages with a catalogue: code -> the language's own name for itself.
LANGUAGES = {"en": "English", "zh": "简体中文", "zh_Hant": "繁體中文"}
DEFAULT_LANGUAGE = "en"
#: The Babel locale that formats each language's numbers and dates.
_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN", "zh_Hant": "zh_Hant_TW"}
_PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")


def check_language(language: object) -> str:
    """``language`` if a catalogue exists for it; a ConfigError naming the choices otherwise.

    Examples
    --------
    >>> check_language("zh")
    'zh'
    """
    if language in LANGUAGES:
        return str(language)
    # Common spellings of the same two languages
    aliases = {"zh_cn": "zh", "zh-cn": "zh", "zh_hans": "zh", "zh-hans": "zh", "zh_tw": "zh_Hant", "zh-tw": "zh_Hant"}
    alias = aliases.get(str(language).lower())
    if alias:
        return alias
    choices = ", ".join(f"{k} ({v})" for k, v in LANGUAGES.items())
    raise ConfigError(f"language must be one of {choices}; got {language!r}")


def resolve_language(language: str | None = None, *sources: object) -> str:
    """The language in force: ``language`` if given, else the first source that names one, else English.

    Parameters
    ----------
    language : str, optional
        The user's explicit choice (``--language``, ``-p language=``, ``language=``).
    *sources : object
        Where a default may come from, in order (a tier policy, a mapping file): an object with a
        ``language`` attribute or a mapping with a ``language`` key; None is skipped.

    Examples
    --------
    >>> resolve_language("en", {"language": "zh"})
    'en'
    >>> resolve_language()
    'en'
    """
    if language:
        return check_language(language)
    for source in sources:
        found = source.get("language") if isinstance(source, Mapping) else getattr(source, "language", None)
        if found:
            return check_language(found)
    return DEFAULT_LANGUAGE


def _flatten(tree: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in tree.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping) and not set(value) <= set(_PLURAL_FORMS):
            _flatten(value, name, out)
        else:
            out[name] = value


@cache
def catalogue(language: str) -> dict[str, Any]:
    """Every message of ``language``: dotted key -> template (or a mapping of plural forms).

    Examples
    --------
    >>> catalogue("zh")["i18n.language"]
    '简体中文'
    """
    language = check_language(language)
    out: dict[str, Any] = {}
    folder = resources.files("segmentation") / "locales" / language
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            tree = yaml.safe_load(item.read_text(encoding="utf-8")) or {}
            _flatten(tree, item.name.removesuffix(".yaml"), out)
    return out


def message(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The message ``key`` in ``language``, filled with ``values``.

    A message with plural forms is chosen by ``values["count"]`` under the language's plural rules.
    A key missing from the catalogue is a KeyError (tests/test_i18n.py keeps catalogues complete).

    Examples
    --------
    >>> message("i18n.example_count", "en", count=1)
    '1 customer'
    >>> message("i18n.example_count", "en", count=3)
    '3 customers'
    >>> message("i18n.example_count", "zh", count=3)
    '3 位客户'
    """
    found = catalogue(language)[key]
    if isinstance(found, Mapping):
        form = Locale.parse(_LOCALES[language]).plural_form(abs(values.get("count", 0)))
        found = found.get(form, found["other"])
    return str(found).format(**values) if values else str(found)


def currency_name(currency: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A currency as a reader names it: the code in English (``CNY``), the locale's name otherwise.

    Examples
    --------
    >>> currency_name("CNY", "en"), currency_name("CNY", "zh")
    ('CNY', '人民币')
    """
    if check_language(language) == "en":
        return currency
    return babel_numbers.get_currency_name(currency, locale=_LOCALES[language])


def value_word(column: str, value: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A data value of a coded column in words: the catalogue's word for a known code, else the value.

    Known codes are the contract's and the sample data's (``locales/<language>/values.yaml``); a
    team's own values (``制造业``, a region of its own) are customer data and shown as they are.

    Examples
    --------
    >>> value_word("industry", "manufacturing", "zh"), value_word("industry", "制造业", "zh")
    ('制造业', '制造业')
    >>> value_word("category", "online_meeting", "en")
    'online_meeting'
    """
    key = f"values.{column}.{value}"
    found = catalogue(check_language(language)).get(key)
    return str(found) if found is not None else str(value)


def format_number(value: float, language: str = DEFAULT_LANGUAGE, *, digits: int = 0) -> str:
    """A number with the locale's grouping and ``digits`` decimals (``1,234.5``).

    Examples
    --------
    >>> format_number(2208.67, "en")
    '2,209'
    >>> format_number(2022, "zh", digits=1)
    '2,022.0'
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_LOCALES[check_language(language)])


def format_money(value: float, language: str = DEFAULT_LANGUAGE, *, currency: str = "CNY", digits: int = 0) -> str:
    """An amount of ``currency`` in the locale's style (``¥1,234,567`` in Chinese).

    Examples
    --------
    >>> format_money(1234.5, "zh", digits=2)
    '¥1,234.50'
    """
    pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_currency(
        value, currency, format=pattern, locale=_LOCALES[check_language(language)], currency_digits=False
    )


def format_amount(value: float, language: str = DEFAULT_LANGUAGE, *, currency: str = "CNY") -> str:
    """An amount as the house writes it: ``1,234,567 CNY`` in English, the locale's money otherwise.

    Examples
    --------
    >>> format_amount(1234567, "en"), format_amount(1234567, "zh")
    ('1,234,567 CNY', '¥1,234,567')
    """
    if check_language(language) == "en":
        return f"{format_number(value, language)} {currency}"
    return format_money(value, language, currency=currency)


def format_percent(value: float, language: str = DEFAULT_LANGUAGE, *, digits: int = 1) -> str:
    """A share as a percentage with ``digits`` decimals (``86.8%``).

    Examples
    --------
    >>> format_percent(0.95, "zh", digits=0)
    '95%'
    """
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return babel_numbers.format_percent(value, format=pattern, locale=_LOCALES[check_language(language)])


def format_compact(value: float, language: str = DEFAULT_LANGUAGE, *, digits: int = 1) -> str:
    """A large number in the locale's short form (``123.5万``, ``1.2M``).

    Examples
    --------
    >>> format_compact(1234567, "zh")
    '123.5万'
    >>> format_compact(1234567, "en")
    '1.2M'
    """
    return babel_numbers.format_compact_decimal(
        value, locale=_LOCALES[check_language(language)], fraction_digits=digits
    )


def format_day(value: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A day as the house writes it: ISO in English (``2025-09-30``), the long date otherwise.

    Examples
    --------
    >>> format_day("2025-09-30", "en"), format_day("2025-09-30", "zh")
    ('2025-09-30', '2025年9月30日')
    """
    if check_language(language) == "en":
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return format_date(value, language)


def format_date(value: object, language: str = DEFAULT_LANGUAGE, *, style: str = "long") -> str:
    """A date in the locale's ``style`` (``long``: ``2025年9月30日``, ``September 30, 2025``).

    Examples
    --------
    >>> format_date("2025-09-30", "en")
    'September 30, 2025'
    >>> format_date("2025-09-30", "en", style="medium")
    'Sep 30, 2025'
    """
    day = pd.Timestamp(value).date()
    return babel_dates.format_date(day, format=style, locale=_LOCALES[check_language(language)])
