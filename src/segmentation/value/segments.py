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

from segmentation.config import INVALID, Custom, ListOf, Mistakes, Number, Record, Text, coerce, read_yaml


def _schema(n_bins: int) -> Record:
    """The shape of a segment-rules file (see presets/rfm_segments.yaml), for scores 1..``n_bins``."""

    def score_range(value: object) -> object:
        ok = (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        )
        return tuple(value) if ok and 1 <= value[0] <= value[1] <= n_bins else INVALID

    scores = Custom(score_range, expected=f"[low, high] with 1 <= low <= high <= {n_bins}")
    segment = Record({"name": Text(), "r": scores, "f": scores, "m": scores}, required=("name",))

    def label(i: int, item: object) -> str:
        return f"segment {i} ({item['name']})" if isinstance(item, dict) and item.get("name") else f"segment {i}"

    return Record(
        {
            "n_bins": Number(minimum=2, integer=True),
            "fallback": Text(),
            "segments": ListOf(segment, label=label, expected="a list of at least one segment", min_items=1),
        },
        required=("segments",),
    )


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
        mistakes = Mistakes()
        n_bins = Number(minimum=2, integer=True).check(
            data.get("n_bins", 5), "", Mistakes(), "n_bins"
        )  # reported below
        n_bins = 5 if n_bins is INVALID else n_bins
        clean = _schema(n_bins).check(data, "", mistakes)
        clean = {} if clean is INVALID else clean
        full = (1, n_bins)
        rules = [
            SegmentRule(r["name"], r.get("r", full), r.get("f", full), r.get("m", full))
            for r in clean.get("segments", [])
            if "name" in r
        ]
        names = [r.name for r in rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            mistakes.add("", f"segment names used twice: {dupes}")
        mistakes.raise_if_any(source, "segment rules")
        return cls(tuple(rules), n_bins, clean.get("fallback", "Others"))

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
