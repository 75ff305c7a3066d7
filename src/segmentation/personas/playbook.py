"""The persona playbook: risk tags and recommended plays, read from YAML a team can edit.

The shipped preset (``presets/persona_playbook.yaml``) follows the domain brief, section 6.
Conditions are small comparisons, parsed here (never ``eval``-ed)::

    avg_order_value <= 0.5 * base      # persona median against the median of all customers
    d(satisfaction_mean) <= -0.2       # standardised difference against all customers
    revenue_share >= 2 * customer_share
    tag:declining                      # another rule's tag

A rule's ``label`` and its text (``meaning`` of a tag, ``actions`` of a play) are either one text
or one per language (``label: {en: declining, zh: 业绩下滑, zh_Hant: 業績下滑}``); a language the
file does not give falls back to English, then to the first one given.

Examples
--------
>>> book = Playbook.load("default")
>>> sorted(book.tags)[:2]
['complex_decision_chain', 'declining']
>>> book.plays[-1].name
'deepen_value'
>>> book.plays[-1].label_in("zh")
'成熟客户：深挖价值（交叉销售、向上销售）'
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segmentation.config import INVALID, Custom, ListOf, MapOf, Mistakes, Record, Text, coerce, read_yaml
from segmentation.i18n import LANGUAGES, check_language, message

_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_PERSONA_TERMS = ("customer_share", "revenue_share", "revenue_change_90d")
_CONDITION = re.compile(
    r"^\s*(?P<term>d\((?P<dfeat>\w+)\)|\w+)\s*(?P<op><=|>=|<|>)\s*"
    r"(?P<num>[-+]?\d+(?:\.\d+)?)\s*(?:\*\s*(?P<ref>\w+))?\s*$"
)


@dataclass(frozen=True)
class Condition:
    """One parsed comparison (or a ``tag:<name>`` test)."""

    text: str
    term: str  # feature name, persona term, or tag name
    kind: str  # "median", "d", "persona", "tag"
    op: str = ">="
    number: float = 0.0
    ref: str | None = None  # "base" or a persona term

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Parse one condition; raise ``ValueError`` with what was expected."""
        if not isinstance(text, str):
            raise ValueError(f"expected a text condition, got {text!r}")
        if text.strip().startswith("tag:"):
            return cls(text, text.strip()[4:].strip(), "tag")
        match = _CONDITION.match(text)
        if not match:
            raise ValueError(f"{text!r} is not '<term> <op> <number> [* base]' (op one of <, <=, >, >=)")
        term, ref = match["dfeat"] or match["term"], match["ref"]
        kind = "d" if match["dfeat"] else ("persona" if term in _PERSONA_TERMS else "median")
        if ref is not None and ref != "base" and ref not in _PERSONA_TERMS:
            raise ValueError(f"{text!r}: '* {ref}' must be '* base' or a persona term {list(_PERSONA_TERMS)}")
        if ref == "base" and kind != "median":
            raise ValueError(f"{text!r}: '* base' compares a feature's median; it cannot follow {term}")
        return cls(text, term, kind, match["op"], float(match["num"]), ref)

    def feature(self) -> str | None:
        """The feature this condition needs, if any."""
        return self.term if self.kind in {"median", "d"} else None

    def holds(self, values: dict[str, Any], tags: set[str]) -> bool:
        """Evaluate against one persona's ``values`` (see :func:`persona_values`)."""
        if self.kind == "tag":
            return self.term in tags
        left = values[("d", self.term)] if self.kind == "d" else values[self.term]
        right = self.number
        if self.ref == "base":
            right *= values[("base", self.term)]
        elif self.ref is not None:
            right *= values[self.ref]
        return bool(_OPS[self.op](left, right))


def _in(words: Mapping[str, str], language: str, default: str) -> str:
    """``words`` in ``language``, else in English, else the first given, else ``default``."""
    for key in (language, "en"):
        if words.get(key):
            return words[key]
    return next(iter(words.values()), default)


@dataclass(frozen=True)
class Rule:
    """A risk tag or a play: a name, words for people, and conditions that must all hold.

    ``label`` and ``text`` are the English words (or the only ones given); ``labels`` and ``texts``
    hold them per language (:meth:`label_in`, :meth:`text_in`).
    """

    name: str
    label: str
    text: str  # meaning of a tag, actions of a play
    when: tuple[Condition, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)

    def features(self) -> set[str]:
        return {f for c in self.when if (f := c.feature())}

    def label_in(self, language: str = "en") -> str:
        """The label in ``language`` (English, or the only text given, when the file has no such language)."""
        return _in(self.labels, check_language(language), self.label)

    def text_in(self, language: str = "en") -> str:
        """The meaning (tag) or actions (play) in ``language``, with the same fallback as :meth:`label_in`."""
        return _in(self.texts, check_language(language), self.text)


def _words(value: object) -> dict[str, str] | object:
    """One text (for every language) or a mapping of language to text, as ``{language: text}``."""
    if isinstance(value, bool) or value == "":
        return INVALID
    if isinstance(value, (str, int, float)):
        return {"": str(value)}
    if isinstance(value, Mapping) and value:
        unknown = sorted(str(k) for k in value if k not in LANGUAGES)
        if unknown:
            raise ValueError(f"languages {unknown} have no catalogue; use {sorted(LANGUAGES)}")
        empty = sorted(str(k) for k, v in value.items() if not isinstance(v, (str, int, float)) or v == "")
        if empty:
            raise ValueError(f"languages {empty} must each have a text")
        return {str(k): str(v) for k, v in value.items()}
    return INVALID


_WORDS = Custom(_words, expected="a text, or a mapping of language (en, zh, zh_Hant) to text")


def _rule(key: str) -> Record:
    return Record(
        {
            "name": Text(),
            "label": _WORDS,
            key: _WORDS,
            "when": ListOf(Custom(Condition.parse), expected="a list of conditions"),
        }
    )


def _play_label(i: int, entry: object) -> str:
    return f"play {entry['name']!r}" if isinstance(entry, dict) and entry.get("name") else f"play #{i}"


#: The shape of a playbook file (see presets/persona_playbook.yaml).
_SCHEMA = Record(
    {
        "name": Text(),
        "description": Text(),
        "risk_tags": MapOf(
            _rule("meaning"),
            label=lambda name: f"risk tag {name!r}",
            expected="a mapping of tag name to rule",
        ),
        "plays": ListOf(
            _rule("actions"),
            label=_play_label,
            expected="a list of at least one play (the last one usually has no conditions)",
            min_items=1,
        ),
    },
    required=("plays",),
)


@dataclass(frozen=True)
class Playbook:
    """Risk tags (all that hold are given) and plays (the first that holds is given)."""

    name: str
    tags: dict[str, Rule]
    plays: tuple[Rule, ...]
    source: str = "playbook"

    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> Playbook:
        """Read the preset ``"default"`` or a YAML file; every mistake is reported at once."""
        return cls.from_dict(read_yaml("playbook", name_or_path))

    @classmethod
    def coerce(cls, value: Playbook | str | Path | dict) -> Playbook:
        """A playbook, a preset name, a YAML file or a mapping, as a playbook (see :func:`~segmentation.config.coerce`)."""
        return coerce(cls, value, what="playbook")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Playbook:
        """Build and check a playbook; every mistake is reported in one :class:`ConfigError`."""
        source = data.get("_source", "playbook")
        mistakes = Mistakes()
        clean = _SCHEMA.check(data, "", mistakes)
        clean = {} if clean is INVALID else clean

        def rule(name: str, entry: dict, text_key: str) -> Rule:
            labels, texts = entry.get("label", {}), entry.get(text_key, {})
            return Rule(
                name,
                _in(labels, "en", name),
                _in(texts, "en", ""),
                tuple(entry.get("when", [])),
                {k: v for k, v in labels.items() if k},
                {k: v for k, v in texts.items() if k},
            )

        tags = {name: rule(name, entry, "meaning") for name, entry in clean.get("risk_tags", {}).items()}
        plays = [
            rule(entry.get("name", f"#{i}"), entry, "actions") for i, entry in enumerate(clean.get("plays", []), 1)
        ]
        named = [(f"risk tag {r.name!r}", r) for r in tags.values()] + [(f"play {r.name!r}", r) for r in plays]
        for where, r in named:
            for c in r.when:
                if c.kind == "tag" and c.term not in tags:
                    mistakes.add(where, f"tag:{c.term} names no risk tag; tags are {sorted(tags)}")
        mistakes.raise_if_any(source, "playbook")
        return cls(clean.get("name", "playbook"), tags, tuple(plays), source)

    def evaluate(
        self,
        values: dict[str, Any],
        available: set[str],
        *,
        language: str = "en",
        feature_words: Callable[[str, str], str] | None = None,
    ) -> tuple[list[str], Rule, list[str]]:
        """Tags that hold, the play chosen, and notes (in ``language``) on rules skipped for missing
        features; ``feature_words(feature, language)`` names a feature in the notes (default: its column)."""
        language = check_language(language)
        notes, tags = [], set()
        for rule in self.tags.values():
            missing = rule.features() - available
            if missing:
                names = [feature_words(f, language) if feature_words else f for f in sorted(missing)]
                separator = message("personas.list_separator", language)
                notes.append(
                    message(
                        "personas.note.tag_not_checked",
                        language,
                        tag=rule.label_in(language),
                        features=separator.join(names),
                    )
                )
            elif all(c.holds(values, tags) for c in rule.when):
                tags.add(rule.name)
        for rule in self.plays:
            if rule.features() - available:
                continue
            if all(c.holds(values, tags) for c in rule.when):
                return [t for t in self.tags if t in tags], rule, notes
        return [t for t in self.tags if t in tags], self.plays[-1], notes


__all__ = ["Condition", "Playbook", "Rule"]
