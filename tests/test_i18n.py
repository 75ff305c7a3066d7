"""Message catalogues: every language has every message, and every message the code asks for exists."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import segmentation as seg
from segmentation.errors import ConfigError
from segmentation.i18n import LANGUAGES, catalogue, check_language, format_money, message, resolve_language

PACKAGE = Path(seg.__file__).resolve().parent


def keys_used_in_code() -> dict[str, str]:
    """Every literal key passed to ``message(...)`` in the package -> where it is asked for."""
    used = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "message"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                used.setdefault(node.args[0].value, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return used


def fields(template: object) -> set[str]:
    forms = template.values() if isinstance(template, dict) else [template]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(str(form)) if name}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_has_the_same_messages_as_english(language):
    english, other = catalogue("en"), catalogue(language)
    assert sorted(set(english) - set(other)) == [], f"missing from {language}"
    assert sorted(set(other) - set(english)) == [], f"in {language} but not in English"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_translations_use_the_same_placeholders(language):
    english, other = catalogue("en"), catalogue(language)
    wrong = {k: (fields(english[k]), fields(other[k])) for k in english if fields(english[k]) != fields(other[k])}
    assert wrong == {}


def test_every_message_the_code_asks_for_is_in_the_catalogue():
    missing = {key: where for key, where in keys_used_in_code().items() if key not in catalogue("en")}
    assert missing == {}


def test_plural_forms_follow_the_language():
    assert message("i18n.example_count", "en", count=1) == "1 customer"
    assert message("i18n.example_count", "en", count=2) == "2 customers"
    assert message("i18n.example_count", "zh_Hant", count=2) == "2 位客戶"


def test_language_resolution_and_bad_language():
    assert resolve_language(None, None, {"language": "zh"}) == "zh"
    assert check_language("zh-TW") == "zh_Hant"
    with pytest.raises(ConfigError, match="language must be one of en"):
        check_language("fr")


def test_money_formats_per_locale():
    assert format_money(3464, "zh") == "¥3,464"
    assert format_money(3464, "zh_Hant", currency="CNY").endswith("3,464")
