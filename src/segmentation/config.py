"""The workbench's YAML configs: presets shipped inside the package, one loader and one schema checker.

Five kinds of config are read from YAML a team can edit: tier policies, service levels, RFM
segment rules, the persona playbook and column mappings. Each reads its file with
:func:`read_yaml` (a preset by name, or a file by path), declares the shape it expects as a
:class:`Record` of fields, and checks it with :meth:`Spec.check`, which collects *every*
mistake (where it is, what was expected, what was got) into one :class:`Mistakes`; the
kind's own cross-field checks (gaps between tier bands, a play naming an unknown tag) add to
the same list, and :meth:`Mistakes.raise_if_any` raises one :class:`ConfigError` naming the
file and listing them all. :func:`coerce` turns what a caller passed (an object, a preset
name, a path or a dict) into the config object.

Examples
--------
>>> sorted(available("tiers"))
['abc', 'sabc']
>>> read_yaml("tiers", "abc")["name"]
'abc'
>>> schema = Record({"name": Text(), "every_months": Number(minimum=1, maximum=24, integer=True)})
>>> mistakes = Mistakes()
>>> schema.check({"name": "call", "every_months": 0, "colour": "red"}, "contact 1", mistakes)
{'name': 'call'}
>>> mistakes.raise_if_any("my.yaml", "service levels")
Traceback (most recent call last):
...
segmentation.errors.ConfigError: my.yaml: the service levels are not valid:
- contact 1: unknown keys ['colour']; expected some of ['every_months', 'name']
- contact 1: every_months must be a whole number from 1 to 24, got 0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from segmentation.errors import ConfigError

_PREFIX = {
    "tiers": "tiers_",
    "segments": "rfm_segments",
    "playbook": "persona_playbook",
    "service": "service_",
    "mapping": None,  # no presets: a team's own file only
}


def available(kind: str) -> list[str]:
    """Names of the presets of one kind shipped with the package."""
    prefix = _PREFIX[kind]
    if prefix is None:
        return []
    names = [p.name for p in resources.files("segmentation.presets").iterdir() if p.name.endswith(".yaml")]
    return [n[len(prefix) : -5] or "default" for n in names if n.startswith(prefix)]


def read_yaml(kind: str, name_or_path: str | Path) -> dict[str, Any]:
    """Read a preset by name (``"abc"``) or a user's YAML file by path.

    The mapping read carries its origin under ``"_source"`` (``"preset 'abc'"`` or the path), for
    messages. An empty file reads as an empty mapping.

    Raises
    ------
    ConfigError
        The file is missing (naming the presets), unreadable, not YAML or not a mapping.
    """
    text: str
    source = str(name_or_path)
    if str(name_or_path) in available(kind):
        file = f"{_PREFIX[kind]}{'' if name_or_path == 'default' else name_or_path}.yaml"
        text = resources.files("segmentation.presets").joinpath(file).read_text(encoding="utf-8")
        source = f"preset {name_or_path!r}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            presets = available(kind)
            raise ConfigError(
                f"{path}: no such file" + (f", and not a preset; presets are {presets}" if presets else "")
            )
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    data.setdefault("_source", source)
    return data


T = TypeVar("T")

#: Returned by :meth:`Spec.check` for a value with a mistake (the mistake is in the list).
INVALID = object()


def _where(where: str, label: str) -> str:
    return f"{where}, {label}" if where and label else where or label


def _number_words(minimum: float | None, maximum: float | None, integer: bool) -> str:
    noun = "a whole number" if integer else "a number"
    if minimum is not None and maximum is not None:
        return f"{noun} from {minimum:g} to {maximum:g}"
    return f"{noun} >= {minimum:g}" if minimum is not None else noun


class Mistakes:
    """Every mistake found in one config, each ``"<where>: <what>"``; raised together."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, text: str) -> None:
        self.items.append(f"{where}: {text}" if where else text)

    def wrong(self, where: str, key: str, expected: str, got: object) -> None:
        """A value that is not what was expected: ``<where>: <key> must be <expected>, got <got>``."""
        self.add(where, f"{key} must be {expected}, got {got!r}" if key else f"expected {expected}, got {got!r}")

    def raise_if_any(self, source: str, what: str) -> None:
        """Raise one :class:`ConfigError` listing every mistake: ``<source>: the <what> is not valid: ...``."""
        if self.items:
            verb = "are" if what.endswith("s") else "is"
            error = ConfigError(f"{source}: the {what} {verb} not valid:\n- " + "\n- ".join(self.items))
            error.source, error.mistakes = source, list(self.items)
            raise error


class Spec:
    """What one value of a config must be."""

    expected = "a value"

    def check(self, value: object, where: str, mistakes: Mistakes, key: str = "") -> Any:
        """``value`` cleaned, or :data:`INVALID` after adding its mistakes (found at ``where``, under ``key``)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Spec):
    """A finite number (never a bool), within bounds; ``integer`` for whole numbers."""

    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False

    @property
    def expected(self) -> str:
        return _number_words(self.minimum, self.maximum, self.integer)

    def check(self, value, where, mistakes, key=""):
        ok = isinstance(value, int if self.integer else (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value)
        ok = ok and (self.minimum is None or value >= self.minimum) and (self.maximum is None or value <= self.maximum)
        if not ok:
            mistakes.wrong(where, key, self.expected, value)
            return INVALID
        return int(value) if self.integer else float(value)


@dataclass(frozen=True)
class Text(Spec):
    """A name or a text; YAML numbers (a tier named ``1``) are read as text."""

    expected: str = "a text"

    def check(self, value, where, mistakes, key=""):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
            mistakes.wrong(where, key, self.expected, value)
            return INVALID
        return str(value)


@dataclass(frozen=True)
class Custom(Spec):
    """A value read by ``read``: it returns the value, :data:`INVALID` when it is not ``expected``, or
    raises ``ValueError`` with the mistake's own words."""

    read: Callable[[object], Any]
    expected: str = "a value"

    def check(self, value, where, mistakes, key=""):
        try:
            got = self.read(value)
        except ValueError as exc:
            mistakes.add(where, f"{key}: {exc}" if key else str(exc))
            return INVALID
        if got is INVALID:
            mistakes.wrong(where, key, self.expected, value)
        return got


@dataclass(frozen=True)
class ListOf(Spec):
    """A list; ``label(i, item)`` names item ``i`` (from 1) in messages, else ``key[i]``."""

    item: Spec
    label: Callable[[int, object], str] | None = None
    expected: str = "a list"
    min_items: int = 0

    def check(self, value, where, mistakes, key=""):
        if not isinstance(value, list) or len(value) < self.min_items:
            mistakes.wrong(where, key, self.expected, value)
            return INVALID
        out = []
        for i, item in enumerate(value, start=1):
            if self.label is not None:
                got = self.item.check(item, _where(where, self.label(i, item)), mistakes)
            else:
                got = self.item.check(item, where, mistakes, f"{key}[{i}]" if key else f"item {i}")
            if got is not INVALID:
                out.append(got)
        return out


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping of names to values: ``keys`` lists the names allowed (``noun`` names one in messages);
    ``label(name)`` names a value's place, else ``value_key`` (a format of the name) is its key."""

    value: Spec
    keys: tuple[str, ...] | None = None
    noun: str = "key"
    label: Callable[[str], str] | None = None
    value_key: str = "{}"
    expected: str = "a mapping"
    min_items: int = 0

    def check(self, value, where, mistakes, key=""):
        value = {} if value is None and not self.min_items else value  # ``columns: {transactions: }``
        if not isinstance(value, dict) or len(value) < self.min_items:
            mistakes.wrong(where, key, self.expected, value)
            return INVALID
        here = _where(where, key)
        out = {}
        for name, item in value.items():
            if self.keys is not None and name not in self.keys:
                mistakes.add(here, f"unknown {self.noun} {name!r}; expected one of {list(self.keys)}")
                continue
            if self.label is not None:
                got = self.value.check(item, _where(where, self.label(str(name))), mistakes)
            else:
                got = self.value.check(item, here, mistakes, self.value_key.format(name))
            if got is not INVALID:
                out[str(name)] = got
        return out


@dataclass(frozen=True)
class Record(Spec):
    """A mapping with known keys: ``fields`` (key -> spec), of which ``required`` must be given.

    Unknown keys are mistakes; a key given as null (``key:`` with nothing after it) counts as not
    given. The result holds the keys given and valid.
    """

    fields: dict[str, Spec]
    required: tuple[str, ...] = ()
    expected: str = field(default="")

    def check(self, value, where, mistakes, key=""):
        here = _where(where, key)
        value = {} if value is None else value  # ``tier C:`` with nothing under it
        if not isinstance(value, dict):
            mistakes.wrong(where, key, self.expected or f"a mapping with keys {sorted(self.fields)}", value)
            return INVALID
        unknown = sorted(str(k) for k in value if k not in self.fields and k != "_source")
        if unknown:
            mistakes.add(here, f"unknown keys {unknown}; expected some of {sorted(self.fields)}")
        out = {}
        for name, spec in self.fields.items():
            item = value.get(name)
            if item is None:
                if name in self.required:
                    mistakes.add(here, f"{name} is needed ({spec.expected})")
                continue
            got = spec.check(item, here, mistakes, name)
            if got is not INVALID:
                out[name] = got
        return out


def coerce(cls: type[T], value: object, *, what: str) -> T:
    """``value`` as a ``cls``: an instance is kept, a preset name or path is loaded, a mapping is read.

    The body of every config kind's ``coerce`` classmethod (``TierPolicy.coerce``, ...), so that
    every function taking a config accepts the same four forms.

    Raises
    ------
    ConfigError
        For anything else, naming ``what`` was expected.

    Examples
    --------
    >>> from segmentation.value.tiers import TierPolicy
    >>> coerce(TierPolicy, "abc", what="tier policy").names
    ['A', 'B', 'C']
    >>> coerce(TierPolicy, 3, what="tier policy")
    Traceback (most recent call last):
    ...
    segmentation.errors.ConfigError: expected a tier policy (a TierPolicy, a preset name, a YAML file or a mapping), got int 3
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return cls.from_dict(dict(value))  # type: ignore[attr-defined]
    if isinstance(value, (str, Path)):
        return cls.load(value)  # type: ignore[attr-defined]
    raise ConfigError(
        f"expected a {what} (a {cls.__name__}, a preset name, a YAML file or a mapping), "
        f"got {type(value).__name__} {value!r}"
    )


__all__ = [
    "INVALID",
    "Custom",
    "ListOf",
    "MapOf",
    "Mistakes",
    "Number",
    "Record",
    "Spec",
    "Text",
    "available",
    "coerce",
    "read_yaml",
]
