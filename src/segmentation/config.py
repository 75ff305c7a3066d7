"""YAML presets shipped inside the package (tier policies, RFM segment rules, playbooks, service levels).

Examples
--------
>>> sorted(available("tiers"))
['abc', 'sabc']
>>> read_yaml("tiers", "abc")["name"]
'abc'
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from segmentation.errors import ConfigError

_PREFIX = {"tiers": "tiers_", "segments": "rfm_segments", "playbook": "persona_playbook", "service": "service_"}


def available(kind: str) -> list[str]:
    """Names of the presets of one kind shipped with the package."""
    prefix = _PREFIX[kind]
    names = [p.name for p in resources.files("segmentation.presets").iterdir() if p.name.endswith(".yaml")]
    return [n[len(prefix) : -5] or "default" for n in names if n.startswith(prefix)]


def read_yaml(kind: str, name_or_path: str | Path) -> dict[str, Any]:
    """Read a preset by name (``"abc"``) or a user's YAML file by path."""
    text: str
    source = str(name_or_path)
    if str(name_or_path) in available(kind):
        file = f"{_PREFIX[kind]}{'' if name_or_path == 'default' else name_or_path}.yaml"
        text = resources.files("segmentation.presets").joinpath(file).read_text(encoding="utf-8")
        source = f"preset {name_or_path!r}"
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(f"{path}: no such file, and not a preset; presets are {available(kind)}")
        text = path.read_text(encoding="utf-8-sig")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    data.setdefault("_source", source)
    return data


T = TypeVar("T")


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


__all__ = ["available", "coerce", "read_yaml"]
