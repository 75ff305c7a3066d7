"""The persona playbook: risk tags and recommended plays, read from YAML a team can edit.

The shipped preset (``presets/persona_playbook.yaml``) follows the domain brief, section 6.
Conditions are small comparisons, parsed here (never ``eval``-ed)::

    avg_order_value <= 0.5 * base      # persona median against the median of all customers
    d(satisfaction_mean) <= -0.2       # standardised difference against all customers
    revenue_share >= 2 * customer_share
    tag:declining                      # another rule's tag

Examples
--------
>>> book = Playbook.load("default")
>>> sorted(book.tags)[:2]
['complex_decision_chain', 'declining']
>>> book.plays[-1].name
'deepen_value'
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segmentation.config import INVALID, Custom, ListOf, MapOf, Mistakes, Record, Text, coerce, read_yaml

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


@dataclass(frozen=True)
class Rule:
    """A risk tag or a play: a name, words for people, and conditions that must all hold."""

    name: str
    label: str
    text: str  # meaning of a tag, actions of a play
    when: tuple[Condition, ...]

    def features(self) -> set[str]:
        return {f for c in self.when if (f := c.feature())}


def _rule(key: str) -> Record:
    return Record(
        {
            "name": Text(),
            "label": Text(),
            key: Text(),
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
            return Rule(name, entry.get("label", name), entry.get(text_key, ""), tuple(entry.get("when", [])))

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

    def evaluate(self, values: dict[str, Any], available: set[str]) -> tuple[list[str], Rule, list[str]]:
        """Tags that hold, the play chosen, and notes on rules skipped for missing features."""
        notes, tags = [], set()
        for rule in self.tags.values():
            missing = rule.features() - available
            if missing:
                notes.append(f"tag {rule.name} not checked: no {', '.join(sorted(missing))}")
            elif all(c.holds(values, tags) for c in rule.when):
                tags.add(rule.name)
        for rule in self.plays:
            if rule.features() - available:
                continue
            if all(c.holds(values, tags) for c in rule.when):
                return [t for t in self.tags if t in tags], rule, notes
        return [t for t in self.tags if t in tags], self.plays[-1], notes


__all__ = ["Condition", "Playbook", "Rule"]
