"""Tune tier thresholds from data and compare the candidates with the current policy.

Candidates (each keeps the policy's tiers, labels and tenure rules; only the band
boundaries on its metric change):

``revenue_share``
    the top customers who make ``revenue_shares`` of revenue (cumulative, top tier first);
``target_shares``
    thresholds that put ``target_shares`` of customers in each tier (top tier first);
``natural_breaks``
    Fisher-Jenks natural breaks (jenkspy) of the metric on a log scale, on a seeded sample
    of at most ``jenks_sample`` customers with a positive metric (revenue is heavy-tailed:
    on the raw scale the breaks isolate a handful of outliers);
``time_split``
    the boundaries, from a grid of quantiles, that best separate the *next* quarter's value
    and retention, chosen on the split that ends one quarter before ``as_of``.

Every candidate (and the current policy) is then measured on the same footing: tier sizes
and revenue shares at ``as_of``; stability (share of customers whose tier changed between
the previous quarter end and ``as_of``); and next-quarter separation on the latest split
(graded one quarter before ``as_of``, outcomes in the quarter up to ``as_of``) — a split
the time-split candidate was not chosen on.

**Separation**, in plain words (:meth:`TierTuning.separation_meaning`): the share of the differences
between customers in what they did next quarter (revenue; whether they bought again) that their tier
alone explains (eta squared, the correlation ratio). 0: the tier says nothing about next quarter; 1: the
customers of a tier all behaved alike. ``separation`` is the mean of the two.

**Recommendation** (:attr:`TierTuning.recommended`, :meth:`TierTuning.recommendation`): among the
candidates that give every tier at least ``min_share`` of customers and the top tier at most
``max_top_share`` (a policy putting most customers in A is wrong for the business, however well it
separates), the one with the highest separation; but the current policy is kept when its separation is
within ``tolerance`` of that best one, since changing thresholds moves customers between tiers (and
their account managers) for little gain. With no eligible candidate, the current policy is kept.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> t = generate_sample(600, random_state=1)
>>> tuning = tune_tiers(t["transactions"], as_of="2025-09-30", policy="abc")
>>> sorted(tuning.candidates)
['current', 'natural_breaks', 'revenue_share', 'target_shares', 'time_split']
>>> tuning.table.loc["target_shares", "share_A"].round(2)
np.float64(0.05)
>>> tuning.recommended in tuning.candidates
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.data.writers import write_text
from segmentation.errors import InsufficientDataError
from segmentation.features import customer_features
from segmentation.i18n import (
    check_language,
    format_amount,
    format_date,
    format_number,
    format_percent,
    message,
)
from segmentation.periods import as_date
from segmentation.value.tiers import TierPolicy

QUARTER = pd.DateOffset(months=3)
DEFAULT_TARGET_SHARES = {2: (0.2, 0.8), 3: (0.05, 0.15, 0.80), 4: (0.03, 0.07, 0.20, 0.70)}
#: The candidates :func:`tune_tiers` proposes, in order (``current`` is the policy as it is).
CANDIDATES = ("current", "revenue_share", "target_shares", "natural_breaks", "time_split")


@dataclass(frozen=True)
class TierTuning:
    """Candidate policies, how each performs, and which one is recommended.

    Attributes
    ----------
    candidates : dict of str to TierPolicy
    table : DataFrame
        One row per candidate (see :func:`tune_tiers`).
    policy : TierPolicy
        The current policy.
    notes : list of str
        Candidates the data could not give, and why (English; :attr:`problems` for other languages).
    recommended : str
        The candidate recommended by the rule of the module docstring.
    as_of : Timestamp
    min_share, max_top_share, tolerance : float
        The bounds and the margin the recommendation used.
    problems : list of tuple
        ``(message key, values)`` behind each note, to say it in another language.
    """

    candidates: dict[str, TierPolicy]
    table: pd.DataFrame  # one row per candidate
    policy: TierPolicy  # the current policy
    notes: list[str] = field(default_factory=list)  # candidates the data could not give, and why
    recommended: str = "current"
    as_of: pd.Timestamp | None = None
    min_share: float = 0.01
    max_top_share: float = 0.20
    tolerance: float = 0.05
    problems: list[tuple[str, dict]] = field(default_factory=list)

    def thresholds(self) -> dict[str, list[float]]:
        """Each candidate's boundaries, top tier first (one fewer than the tiers).

        Examples
        --------
        >>> from segmentation.value.tiers import TierPolicy
        >>> p = TierPolicy.coerce("abc")
        >>> TierTuning({"current": p}, pd.DataFrame(), p).thresholds()
        {'current': [500000.0, 200000.0]}
        """
        names = self.policy.names[:-1]
        return {name: [float(c.tier(n).min) for n in names] for name, c in self.candidates.items()}

    def candidate_label(self, name: str, language: str = "en") -> str:
        """A candidate's name in words (``"natural breaks"``)."""
        return message(f"value.tuning.candidate.{name}", check_language(language)) if name in CANDIDATES else name

    def separation_meaning(self, language: str = "en") -> str:
        """What "separation" means, in plain words, for a reader of the tuning table."""
        language = check_language(language)
        as_of = "" if self.as_of is None else format_date(self.as_of, language)
        return message("value.tuning.separation", language, as_of=as_of)

    def rule(self, language: str = "en") -> str:
        """The recommendation rule in plain words, with this run's bounds."""
        language = check_language(language)
        return message(
            "value.tuning.rule",
            language,
            min_share=format_percent(self.min_share, language, digits=0),
            max_top_share=format_percent(self.max_top_share, language, digits=0),
            tolerance=format_percent(self.tolerance, language, digits=0),
        )

    def _cuts(self, name: str, language: str) -> str:
        parts = [
            message(
                "value.tuning.threshold",
                language,
                tier=tier,
                amount=format_amount(cut, language, currency=self.policy.currency),
            )
            for tier, cut in zip(self.policy.names, self.thresholds()[name], strict=False)
        ]
        return message("value.tuning.threshold_separator", language).join(parts)

    def recommendation(self, language: str = "en") -> str:
        """Which candidate is recommended and why, in plain words.

        Examples
        --------
        >>> from segmentation.datasets.sample import generate_sample
        >>> t = generate_sample(600, random_state=1)
        >>> tuning = tune_tiers(t["transactions"], as_of="2025-09-30", policy="abc")
        >>> tuning.recommendation().startswith("Recommended: ")
        True
        >>> tuning.recommendation("zh").startswith("推荐：")
        True
        """
        language = check_language(language)
        t = self.table

        def sep(name: str) -> str:
            return format_number(t.loc[name, "separation"], language, digits=2)

        eligible = t.index[t["eligible"]] if "eligible" in t else []
        best = max(eligible, key=lambda n: t.loc[n, "separation"]) if len(eligible) else None
        percent = {k: format_percent(getattr(self, k), language, digits=0) for k in ("min_share", "max_top_share")}
        if best is None:
            return message(
                "value.tuning.recommend_none_eligible", language, thresholds=self._cuts("current", language), **percent
            )
        if best == "current" and self.recommended == "current":
            return message(
                "value.tuning.recommend_current_best",
                language,
                thresholds=self._cuts("current", language),
                current=sep("current"),
            )
        if self.recommended == "current":
            return message(
                "value.tuning.recommend_keep",
                language,
                thresholds=self._cuts("current", language),
                current=sep("current"),
                best=sep(best),
                candidate=self.candidate_label(best, language),
                tolerance=format_percent(self.tolerance, language, digits=0),
            )
        name = self.recommended
        return message(
            "value.tuning.recommend_change",
            language,
            candidate=self.candidate_label(name, language),
            thresholds=self._cuts(name, language),
            best=sep(name),
            current=sep("current"),
            top_share=format_percent(t.loc[name, f"share_{self.policy.names[0]}"], language, digits=0),
            changed=format_percent(t.loc[name, "changed_tier_share"], language, digits=0),
        )

    def notes_in(self, language: str = "en") -> list[str]:
        """:attr:`notes` in ``language``."""
        language = check_language(language)
        out = []
        for key, values in self.problems:
            values = {**values, "candidate": self.candidate_label(values["candidate"], language)}
            out.append(message(key, language, **values))
        return out

    def export(self, name: str, path: str | Path) -> Path:
        """Write candidate ``name`` as a policy YAML file that ``TierPolicy.load`` reads."""
        if name not in self.candidates:
            raise KeyError(f"no candidate {name!r}; candidates are {sorted(self.candidates)}")
        return write_text(path, self.candidates[name].to_yaml())


class _NoCandidate(InsufficientDataError):
    """A method that cannot propose thresholds on this data, with the message that says why."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(message(key, "en", **values))


def _thresholds_from_shares(values: np.ndarray, shares: tuple[float, ...]) -> list[float]:
    """Thresholds putting ``shares`` of customers (top first) above each boundary."""
    cumulative = np.cumsum(shares)[:-1]
    return [float(np.quantile(values, 1 - c, method="higher")) for c in cumulative]


def _thresholds_from_revenue(values: np.ndarray, revenue_shares: tuple[float, ...]) -> list[float]:
    ordered = np.sort(values)[::-1]
    cumulative = np.cumsum(ordered) / max(ordered.sum(), 1e-12)
    return [float(ordered[min(np.searchsorted(cumulative, s), len(ordered) - 1)]) for s in revenue_shares]


def _natural_breaks(values: np.ndarray, n_tiers: int, sample: int, seed: int) -> list[float]:
    import jenkspy

    positive = values[values > 0]
    if len(np.unique(positive)) <= n_tiers:
        raise _NoCandidate(
            "value.tuning.too_few_values", candidate="natural_breaks", tiers=n_tiers, got=len(np.unique(positive))
        )
    rng = np.random.default_rng(seed)
    if len(positive) > sample:
        positive = rng.choice(positive, sample, replace=False)
    breaks = jenkspy.jenks_breaks(np.log10(positive), n_classes=n_tiers)
    return [float(10**b) for b in sorted(breaks[1:-1], reverse=True)]


def _eta_squared(groups: np.ndarray, y: np.ndarray) -> float:
    """Share of the variance of ``y`` explained by the groups (correlation ratio)."""
    total = ((y - y.mean()) ** 2).sum()
    if total == 0:
        return 0.0
    counts = np.bincount(groups)
    sums = np.bincount(groups, weights=y)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return float((counts * (means - y.mean()) ** 2).sum() / total)


def _split(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Features at a quarter end with the next quarter's revenue and retention."""
    after = after.reindex(before.index)
    return before.assign(
        next_revenue=after["monetary_total"] - before["monetary_total"],
        retained=(after["purchase_days"] > before["purchase_days"]).astype(float),
    )


def _band_index(policy: TierPolicy, features: pd.DataFrame) -> np.ndarray:
    return policy.assign(features)["tier"].cat.codes.to_numpy()


def _time_split_thresholds(
    policy: TierPolicy, split: pd.DataFrame, grid: int, min_share: float, max_top_share: float
) -> list[float]:
    values = split[policy.metric].fillna(0).to_numpy()
    candidates = np.unique(np.quantile(values, np.linspace(0.5, 0.995, grid), method="higher"))
    value_y = np.log1p(split["next_revenue"].clip(lower=0).to_numpy())
    retained = split["retained"].to_numpy()
    best, best_score = None, -np.inf
    k = len(policy.tiers) - 1
    for combo in itertools.combinations(candidates[::-1], k):
        thresholds = list(combo)  # descending
        groups = np.searchsorted(-np.array(thresholds), -values, side="right")  # 0 = top band
        shares = np.bincount(groups, minlength=k + 1) / len(values)
        if shares.min() < min_share or shares[0] > max_top_share:
            continue
        score = (_eta_squared(groups, value_y) + _eta_squared(groups, retained)) / 2
        if score > best_score:
            best, best_score = thresholds, score
    if best is None:
        raise _NoCandidate(
            "value.tuning.no_split",
            candidate="time_split",
            min_share=format_percent(min_share, "en", digits=0),
            max_top_share=format_percent(max_top_share, "en", digits=0),
        )
    return [float(t) for t in best]


def tune_tiers(
    data: object,
    *,
    as_of: str | pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    customers: pd.DataFrame | None = None,
    revenue_shares: tuple[float, ...] | None = None,
    target_shares: tuple[float, ...] | None = None,
    jenks_sample: int = 3000,
    grid: int = 30,
    min_share: float = 0.01,
    max_top_share: float = 0.20,
    tolerance: float = 0.05,
    random_state: int = 0,
) -> TierTuning:
    """Propose tier thresholds by several methods and measure each against the current policy.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        Needs at least 15 months of history before ``as_of`` (12 for the trailing metric,
        3 for the time split).
    as_of : str or Timestamp
        The quarter end being graded.
    policy : TierPolicy, preset name or path, default "abc"
        The current policy; candidates keep its tiers and tenure rules.
    customers : DataFrame, optional
        Customer table (first-deal dates for tenure).
    revenue_shares : tuple of float, optional
        Cumulative revenue share reached by each boundary, top first. Default: 1/2, 3/4, 7/8, ...
    target_shares : tuple of float, optional
        Share of customers per tier, top first; sums to 1. Default: 5/15/80% for three tiers,
        3/7/20/70% for four.
    jenks_sample : int, default 3000
        Natural breaks are computed on at most this many customers.
    grid : int, default 30
        Quantiles tried per boundary by the time-split search.
    min_share, max_top_share : float
        The time-split search keeps only boundaries giving every tier at least ``min_share`` of
        customers and the top tier at most ``max_top_share``; only candidates within the same
        bounds can be recommended.
    tolerance : float, default 0.05
        The current policy is recommended when its separation is within this share of the best
        eligible candidate's (0.05: at least 95% of it).
    random_state : int, default 0
        Seed of the natural-breaks sample.

    Returns
    -------
    TierTuning
        ``table`` has one row per candidate: thresholds, ``share_<tier>``, ``revenue_share_<tier>``,
        ``changed_tier_share`` (share of customers whose tier changed since the previous quarter end),
        ``separation_value`` and ``separation_retention`` (eta squared of next-quarter log revenue
        and of retention across tiers), ``separation`` (their mean), ``retention_<tier>`` and
        ``eligible`` (within ``min_share`` and ``max_top_share``). ``recommended`` names the
        candidate the rule of the module docstring recommends.
    """
    policy = TierPolicy.coerce(policy)
    as_of = as_date(as_of, name="as_of")
    n_tiers = len(policy.tiers)
    if n_tiers < 2:
        raise ValueError("tuning needs a policy with at least two tiers")
    revenue_shares = revenue_shares or tuple(1 - 0.5**i for i in range(1, n_tiers))
    target_shares = target_shares or DEFAULT_TARGET_SHARES.get(n_tiers, tuple([1 / n_tiers] * n_tiers))
    increasing = all(0 < s < 1 for s in revenue_shares) and all(np.diff(revenue_shares) > 0)
    if len(revenue_shares) != n_tiers - 1 or not increasing:
        raise ValueError(f"revenue_shares must be {n_tiers - 1} increasing shares in (0, 1), got {revenue_shares}")
    if len(target_shares) != n_tiers or abs(sum(target_shares) - 1) > 1e-9:
        raise ValueError(f"target_shares must be {n_tiers} shares summing to 1, got {target_shares}")

    now, last_q, two_q = (
        customer_features(data, as_of=d, customers=customers) for d in (as_of, as_of - QUARTER, as_of - 2 * QUARTER)
    )
    if len(now) < 2 * n_tiers:
        raise InsufficientDataError(
            f"tuning {n_tiers} tiers needs at least {2 * n_tiers} customers with a purchase "
            f"on or before {as_of:%Y-%m-%d}, got {len(now)}"
        )
    values = now[policy.metric].fillna(0).to_numpy()
    latest = _split(last_q, now)  # graded a quarter ago, outcomes up to as_of
    earlier = _split(two_q, last_q)  # used only to choose the time-split candidate

    methods = {
        "revenue_share": lambda: _thresholds_from_revenue(values, revenue_shares),
        "target_shares": lambda: _thresholds_from_shares(values, target_shares),
        "natural_breaks": lambda: _natural_breaks(values, n_tiers, jenks_sample, random_state),
        "time_split": lambda: _time_split_thresholds(policy, earlier, grid, min_share, max_top_share),
    }
    candidates, problems = {"current": policy}, []
    for name, method in methods.items():
        try:
            cuts = sorted(set(method()), reverse=True)
        except _NoCandidate as exc:
            problems.append((exc.key, exc.values))
            continue
        if len(cuts) == n_tiers - 1:
            # rounded to the roundest boundaries that grade today's customers alike (143470, not 143470.22999999998)
            candidates[name] = policy.with_thresholds(cuts, name=f"{policy.name}_{name}", values=values)
        else:
            shown = ", ".join(f"{c:,.0f}" for c in cuts)
            problems.append(("value.tuning.coincide", {"candidate": name, "cuts": shown}))

    rows = []
    value_y = np.log1p(latest["next_revenue"].clip(lower=0).to_numpy())
    for name, cand in candidates.items():
        band_now = _band_index(cand, now)
        band_prev = pd.Series(_band_index(cand, latest), index=latest.index).reindex(now.index)
        row: dict[str, object] = {"candidate": name}
        for t in cand.tiers:
            row[f"min_{t.tier}"] = t.min
        counts = np.bincount(band_now, minlength=n_tiers)
        revenue = np.bincount(band_now, weights=values, minlength=n_tiers)
        for i, t in enumerate(cand.tiers):
            row[f"share_{t.tier}"] = counts[i] / len(now)
            row[f"revenue_share_{t.tier}"] = revenue[i] / max(values.sum(), 1e-12)
        known = band_prev.notna()
        row["changed_tier_share"] = float((band_prev[known].to_numpy() != band_now[known.to_numpy()]).mean())
        groups = _band_index(cand, latest)
        row["separation_value"] = _eta_squared(groups, value_y)
        row["separation_retention"] = _eta_squared(groups, latest["retained"].to_numpy())
        row["separation"] = (row["separation_value"] + row["separation_retention"]) / 2
        for i, t in enumerate(cand.tiers):
            member = groups == i
            row[f"retention_{t.tier}"] = float(latest["retained"].to_numpy()[member].mean()) if member.any() else np.nan
        row["eligible"] = bool(counts.min() / len(now) >= min_share and counts[0] / len(now) <= max_top_share)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("candidate")
    recommended = _recommend(table, tolerance)
    tuning = TierTuning(
        candidates, table, policy, [], recommended, as_of, min_share, max_top_share, tolerance, problems
    )
    tuning.notes.extend(tuning.notes_in("en"))
    return tuning


def _recommend(table: pd.DataFrame, tolerance: float) -> str:
    """The eligible candidate that separates best, or ``current`` when it is within ``tolerance`` of it."""
    eligible = table.loc[table["eligible"], "separation"]
    if eligible.empty:
        return "current"
    best = eligible.idxmax()  # first of equals, in CANDIDATES order (current first)
    current = table.loc["current", "separation"]
    if best != "current" and table.loc["current", "eligible"] and current >= (1 - tolerance) * eligible[best]:
        return "current"
    return str(best)


__all__ = ["CANDIDATES", "DEFAULT_TARGET_SHARES", "QUARTER", "TierTuning", "tune_tiers"]
