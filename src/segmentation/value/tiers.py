"""Value tiers from a YAML policy: presets ``abc`` and ``sabc``, or a team's own.

A policy grades one metric (trailing-12-month revenue by default) into bands from the top
tier down. ``min`` is inclusive and ``max`` exclusive, and the bands must cover every value
from 0 up with no gap and no overlap. A tier may also require a tenure
(``min_tenure_days``); a customer above its threshold without that tenure is graded
``otherwise``. A policy with gaps, overlaps, unknown keys or a missing tier is refused
with every mistake named.

Examples
--------
>>> policy = TierPolicy.load("abc")
>>> f = pd.DataFrame({"revenue_t12m": [600_000, 500_000, 499_999.99, 0.0], "tenure_days": [900] * 4})
>>> policy.assign(f)["tier"].tolist()
['A', 'A', 'B', 'C']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from segmentation.config import INVALID, Custom, ListOf, Mistakes, Number, Record, Text, coerce, read_yaml
from segmentation.features import FEATURES


def _metric(value: object) -> str:
    if value not in FEATURES:
        raise ValueError(f"{value!r} is not a customer feature; expected one of {sorted(FEATURES)}")
    return str(value)


METRIC_WORDS = {
    "revenue_t12m": "trailing-12-month revenue",
    "monetary_total": "revenue to date",
    "monetary_mean": "revenue per purchase day",
}


_AMOUNT = Number(minimum=0)
_TIER = Record(
    {"tier": Text(), "label": Text(), "min": _AMOUNT, "max": _AMOUNT, "min_tenure_days": _AMOUNT, "otherwise": Text()},
    required=("tier",),
)
#: The shape of a tier policy file (see presets/tiers_abc.yaml).
_SCHEMA = Record(
    {
        "name": Text(),
        "description": Text(),
        "metric": Custom(_metric, expected=f"one of {sorted(FEATURES)}"),
        "currency": Text(),
        "tiers": ListOf(
            _TIER,
            label=lambda i, t: f"tier {t['tier']}" if isinstance(t, dict) and "tier" in t else f"tier {i}",
            expected="a list of at least one tier",
            min_items=1,
        ),
    },
    required=("tiers",),
)


@dataclass(frozen=True)
class Tier:
    """One band of a policy."""

    tier: str
    label: str
    min: float | None = None
    max: float | None = None
    min_tenure_days: float | None = None
    otherwise: str | None = None


@dataclass(frozen=True)
class TierPolicy:
    """An ordered set of tiers on one metric (top tier first)."""

    name: str
    tiers: tuple[Tier, ...]
    metric: str = "revenue_t12m"
    currency: str = "CNY"
    source: str = "policy"

    @classmethod
    def load(cls, name_or_path: str | Path) -> TierPolicy:
        """A preset (``"abc"``, ``"sabc"``) or a YAML file."""
        data = read_yaml("tiers", name_or_path)
        return cls.from_dict(data, source=data.pop("_source"))

    @classmethod
    def coerce(cls, value: TierPolicy | str | Path | dict) -> TierPolicy:
        """A policy, a preset name, a YAML file or a mapping, as a policy (see :func:`~segmentation.config.coerce`)."""
        return coerce(cls, value, what="tier policy")

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "policy") -> TierPolicy:
        """Build and check a policy; every mistake is reported in one :class:`ConfigError`."""
        mistakes = Mistakes()
        clean = _SCHEMA.check(data, "", mistakes)
        clean = {} if clean is INVALID else clean
        tiers = [
            Tier(
                t["tier"],
                t.get("label", t["tier"]),
                t.get("min"),
                t.get("max"),
                t.get("min_tenure_days"),
                t.get("otherwise"),
            )
            for t in clean.get("tiers", [])
            if "tier" in t
        ]
        names = [t.tier for t in tiers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            mistakes.add("", f"tier names used twice: {dupes}")
        raw = data.get("tiers") if isinstance(data.get("tiers"), list) else []
        read = clean.get("tiers", [])
        bounds = ("min", "max", "min_tenure_days")
        every_bound_read = len(read) == len(raw) and all(
            all(k in t for k in bounds if isinstance(r, dict) and r.get(k) is not None)
            for r, t in zip(raw, read, strict=True)
        )
        if every_bound_read:  # else the bands would show gaps that are only the unread bounds
            for text in _band_errors(tiers):
                mistakes.add("", text)
        for i, t in enumerate(tiers):
            if t.otherwise is not None and t.otherwise not in names[i + 1 :]:
                mistakes.add(
                    f"tier {t.tier}", f"otherwise names {t.otherwise!r}, which is not a tier below it (tiers: {names})"
                )
            if (t.otherwise is None) != (t.min_tenure_days is None):
                mistakes.add(f"tier {t.tier}", "min_tenure_days and otherwise go together")
        mistakes.raise_if_any(source, "tier policy")
        name = clean.get("name", Path(source).stem)
        return cls(name, tuple(tiers), clean.get("metric", "revenue_t12m"), clean.get("currency", "CNY"), source)

    @property
    def names(self) -> list[str]:
        return [t.tier for t in self.tiers]

    def tier(self, name: str) -> Tier:
        return next(t for t in self.tiers if t.tier == name)

    @property
    def metric_words(self) -> str:
        return METRIC_WORDS.get(self.metric, self.metric)

    def assign(self, features: pd.DataFrame) -> pd.DataFrame:
        """Tier and label of each customer, indexed like ``features``.

        Parameters
        ----------
        features : DataFrame
            Needs the policy's metric and, when a tier requires tenure, ``tenure_days``.
        """
        if self.metric not in features:
            raise ValueError(f"policy {self.name!r}: features lack the metric column {self.metric!r}")
        value = features[self.metric].fillna(0.0).to_numpy(dtype=float)
        band = np.full(len(value), len(self.tiers) - 1)
        for i in range(len(self.tiers) - 2, -1, -1):  # bottom-up: the highest band whose min holds wins
            band = np.where(value >= self.tiers[i].min, i, band)
        names = np.array(self.names, dtype=object)[band]
        for t in self.tiers:
            if t.min_tenure_days is not None:
                if "tenure_days" not in features:
                    raise ValueError(f"policy {self.name!r}: tier {t.tier} needs the column 'tenure_days'")
                short = (names == t.tier) & (features["tenure_days"].to_numpy(dtype=float) < t.min_tenure_days)
                names = np.where(short, t.otherwise, names)
        labels = pd.Series(names).map({t.tier: t.label for t in self.tiers}).to_numpy()
        tier = pd.Categorical(names, categories=self.names, ordered=True)
        return pd.DataFrame({"tier": tier, "tier_label": labels}, index=features.index)

    def with_thresholds(
        self, thresholds: list[float], *, name: str | None = None, values: object | None = None
    ) -> TierPolicy:
        """A copy with new band boundaries (top tier's min first, one per boundary).

        With ``values`` (the metric of the customers the boundaries were found on), each boundary
        is rounded to the roundest number that grades every one of them as the exact boundary
        does (:meth:`rounded`): a file then says ``min: 143470``, not ``min: 143470.22999999998``.
        """
        if len(thresholds) != len(self.tiers) - 1:
            raise ValueError(
                f"policy {self.name!r} has {len(self.tiers)} tiers: give {len(self.tiers) - 1} "
                f"thresholds, got {len(thresholds)}"
            )
        if values is not None:
            thresholds = _rounded_thresholds([float(t) for t in thresholds], values)
        tiers = []
        for i, t in enumerate(self.tiers):
            low = float(thresholds[i]) if i < len(thresholds) else None
            high = float(thresholds[i - 1]) if i > 0 else None
            tiers.append(replace(t, min=low, max=high))
        policy = replace(self, tiers=tuple(tiers), name=name or self.name)
        return TierPolicy.from_dict(policy.to_dict(), source=f"{policy.name} (tuned)")

    def thresholds(self) -> list[float | None]:
        """The band boundaries, top tier's min first (one fewer than the tiers)."""
        return [t.min for t in self.tiers[:-1]]

    def rounded(self, values: object) -> TierPolicy:
        """A copy whose boundaries are the roundest numbers that grade ``values`` exactly as this policy does.

        A boundary found from data is a customer's value, often with the noise of a float sum
        (``143470.22999999998``); written as it is, a file shows 17 digits, and rounded to the
        nearest cent (``143470.23``) it would drop that very customer a tier. Each boundary may move
        anywhere above the largest value below it and up to the smallest value at or above it without
        changing any customer's tier; this picks the number with the fewest significant digits in
        that range (a multiple of a power of ten, nearest the boundary, at most two decimals). Tiers
        of these ``values`` stay identical; tenure rules and labels are kept.

        Parameters
        ----------
        values : array-like
            The policy's metric for the customers graded (missing values count as 0, as in
            :meth:`assign`).

        Examples
        --------
        >>> p = TierPolicy.load("abc").with_thresholds([143470.22999999998, 20123.4567])
        >>> values = [900_000, 143470.22999999998, 143402.10, 20123.4567, 18_000.0, 5.0]
        >>> r = p.rounded(values)
        >>> r.thresholds()
        [143470.0, 20000.0]
        >>> grade = lambda policy: policy.assign(pd.DataFrame({"revenue_t12m": values}))["tier"].tolist()
        >>> grade(r) == grade(p) == ["A", "A", "B", "B", "C", "C"]
        True
        >>> [t["min"] for t in r.to_dict()["tiers"][:2]]
        [143470, 20000]
        """
        bounds = self.thresholds()
        if any(b is None for b in bounds):
            raise ValueError(f"policy {self.name!r}: every tier but the last needs a min to be rounded")
        return self.with_thresholds(bounds, name=self.name, values=values)

    def to_dict(self) -> dict:
        tiers = []
        for t in self.tiers:
            item = {"tier": t.tier, "label": t.label}
            for key in ("min", "max", "min_tenure_days"):
                value = getattr(t, key)
                if value is not None:
                    item[key] = int(value) if float(value).is_integer() else value
            if t.otherwise:
                item["otherwise"] = t.otherwise
            tiers.append(item)
        return {"name": self.name, "metric": self.metric, "currency": self.currency, "tiers": tiers}

    def to_yaml(self) -> str:
        """The policy as YAML, loadable with :meth:`load`."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def to_frame(self) -> pd.DataFrame:
        """The bands as a table for reports."""
        return pd.DataFrame(
            [
                {
                    "tier": t.tier,
                    "label": t.label,
                    "from (incl.)": t.min,
                    "to (excl.)": t.max,
                    "min_tenure_days": t.min_tenure_days,
                    "otherwise": t.otherwise,
                }
                for t in self.tiers
            ]
        )


def _roundest(low: float, high: float) -> float:
    """The number with the fewest significant digits in ``(low, high]`` (at most two decimals), nearest ``high``.

    Examples
    --------
    >>> _roundest(143402.10, 143470.22999999998), _roundest(-np.inf, 20123.4567), _roundest(0.5, 0.57)
    (143470.0, 20000.0, 0.57)
    """
    if not np.isfinite(high) or high <= 0:
        return high
    for exponent in range(int(np.floor(np.log10(high))), -3, -1):
        step, digits = 10.0**exponent, max(0, -exponent)
        k = np.floor(high / step)
        if round((k + 1) * step, digits) <= high:  # high / step fell just below a whole number
            k += 1
        candidate = round(k * step, digits)
        if low < candidate <= high and candidate > 0:
            return float(candidate)
    return high


def _rounded_thresholds(thresholds: list[float], values: object) -> list[float]:
    """Each boundary (descending) moved to the roundest number that grades ``values`` alike; order kept."""
    x = np.sort(np.nan_to_num(np.asarray(values, dtype=float), nan=0.0))
    out: list[float] = []
    for t in thresholds:
        below = x[x < t]
        above = x[x >= t]
        low = below[-1] if len(below) else -np.inf
        high = above[0] if len(above) else t
        if out:  # strictly below the boundary above it, which may itself have moved
            high = min(high, np.nextafter(out[-1], -np.inf))
        candidate = _roundest(low, high) if low < high else t
        out.append(candidate if low < candidate <= high else t)
    return out


def _band_errors(tiers: list[Tier]) -> list[str]:
    """Gaps, overlaps and open ends of the bands, top tier first."""
    if not tiers:
        return []
    errors = []
    if tiers[0].max is not None:
        errors.append(
            f"tier {tiers[0].tier} is the top tier: it must have no max (values above "
            f"{tiers[0].max:,.0f} would have no tier)"
        )
    if tiers[-1].min not in (None, 0.0):
        errors.append(
            f"tier {tiers[-1].tier} is the bottom tier: it must have no min (values below "
            f"{tiers[-1].min:,.0f} would have no tier)"
        )
    for upper, lower in zip(tiers, tiers[1:], strict=False):
        if upper.min is None:
            errors.append(f"tier {upper.tier}: min is needed (it is above tier {lower.tier})")
            continue
        if lower.max is None:
            errors.append(f"tier {lower.tier}: max is needed (it is below tier {upper.tier})")
            continue
        if upper.min > lower.max:
            errors.append(
                f"gap between tiers {lower.tier} and {upper.tier}: values from {lower.max:,.0f} "
                f"to {upper.min:,.0f} have no tier"
            )
        elif upper.min < lower.max:
            errors.append(f"tiers {upper.tier} and {lower.tier} overlap from {upper.min:,.0f} to {lower.max:,.0f}")
    for t in tiers:
        if t.min is not None and t.max is not None and t.min >= t.max:
            errors.append(f"tier {t.tier}: min {t.min:,.0f} must be below max {t.max:,.0f}")
    return errors


__all__ = ["METRIC_WORDS", "Tier", "TierPolicy"]
