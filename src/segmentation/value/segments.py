"""Named RFM segments from ordered rules in a YAML file a team can edit.

The default rules (``presets/rfm_segments.yaml``) are the common ones of R's ``rfm``
package. Rules are tried in order; the first whose R, F and M ranges (inclusive) all hold
names the segment; a customer no rule matches gets the ``fallback`` name ("Others"). So
every customer gets exactly one segment.

Examples
--------
>>> rules = SegmentRules.load()
>>> scores = pd.DataFrame({"r_score": [5, 1, 3], "f_score": [5, 1, 1], "m_score": [5, 1, 5]})
>>> rules.assign(scores).tolist()
['Champions', 'Lost', 'Promising']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.config import coerce, read_yaml
from segmentation.errors import ConfigError


@dataclass(frozen=True)
class SegmentRule:
    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]


@dataclass(frozen=True)
class SegmentRules:
    """Ordered segment rules on 1..``n_bins`` scores."""

    rules: tuple[SegmentRule, ...]
    n_bins: int = 5
    fallback: str = "Others"

    @classmethod
    def load(cls, name_or_path: str | Path = "default") -> SegmentRules:
        """The default preset, or a team's YAML file; mistakes are reported together."""
        data = read_yaml("segments", name_or_path)
        return cls.from_dict(data, source=data.pop("_source"))

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "segment rules") -> SegmentRules:
        """Build and check rules; every mistake is reported in one :class:`ConfigError`."""
        data = {k: v for k, v in data.items() if k != "_source"}
        errors = []
        unknown = set(data) - {"n_bins", "fallback", "segments"}
        if unknown:
            errors.append(f"unknown keys {sorted(unknown)}; expected n_bins, fallback, segments")
        n_bins = data.get("n_bins", 5)
        if not isinstance(n_bins, int) or n_bins < 2:
            errors.append(f"n_bins must be an integer >= 2, got {n_bins!r}")
            n_bins = 5
        rules = []
        for i, item in enumerate(data.get("segments") or [], start=1):
            if not isinstance(item, dict):
                errors.append(f"segment {i}: expected a mapping with name, r, f, m")
                continue
            bad_keys = set(item) - {"name", "r", "f", "m"}
            if bad_keys:
                errors.append(f"segment {i} ({item.get('name')}): unknown fields {sorted(bad_keys)}")
            ranges = {}
            for dim in "rfm":
                value = item.get(dim, [1, n_bins])
                ok = (
                    isinstance(value, list)
                    and len(value) == 2
                    and all(isinstance(v, int) for v in value)
                    and 1 <= value[0] <= value[1] <= n_bins
                )
                if not ok:
                    errors.append(
                        f"segment {i} ({item.get('name')}): {dim} must be [low, high] with "
                        f"1 <= low <= high <= {n_bins}, got {value!r}"
                    )
                    value = [1, n_bins]
                ranges[dim] = tuple(value)
            if not item.get("name"):
                errors.append(f"segment {i}: a name is needed")
            rules.append(SegmentRule(str(item.get("name")), ranges["r"], ranges["f"], ranges["m"]))
        if not rules:
            errors.append("no segments defined")
        names = [r.name for r in rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            errors.append(f"segment names used twice: {dupes}")
        if errors:
            raise ConfigError(f"{source}: the segment rules are not valid:\n- " + "\n- ".join(errors))
        return cls(tuple(rules), n_bins, str(data.get("fallback", "Others")))

    @classmethod
    def coerce(cls, value: SegmentRules | str | Path | dict) -> SegmentRules:
        """Rules, a preset name, a YAML file or a mapping, as rules (see :func:`~segmentation.config.coerce`)."""
        return coerce(cls, value, what="set of segment rules")

    @property
    def names(self) -> list[str]:
        """Segment names in rule order, the fallback last."""
        return [r.name for r in self.rules] + [self.fallback]

    def assign(self, scores: pd.DataFrame) -> pd.Series:
        """The segment of each customer (first matching rule), as an ordered categorical."""
        r, f, m = (scores[c].to_numpy() for c in ("r_score", "f_score", "m_score"))
        conditions = [
            (r >= x.r[0]) & (r <= x.r[1]) & (f >= x.f[0]) & (f <= x.f[1]) & (m >= x.m[0]) & (m <= x.m[1])
            for x in self.rules
        ]
        labels = np.select(conditions, [x.name for x in self.rules], default=self.fallback)
        return pd.Series(pd.Categorical(labels, categories=self.names), index=scores.index, name="segment")

    def to_frame(self) -> pd.DataFrame:
        """The rules as a table (for reports)."""
        return pd.DataFrame(
            [
                {"segment": x.name, "r": f"{x.r[0]}-{x.r[1]}", "f": f"{x.f[0]}-{x.f[1]}", "m": f"{x.m[0]}-{x.m[1]}"}
                for x in self.rules
            ]
        )


__all__ = ["SegmentRule", "SegmentRules"]
