"""Plots of RFM and tier results. Each function takes computed tables and an optional
``ax``, draws with ``ax.*`` and returns the Axes; nothing here computes a result or shows
or saves a figure. Computation modules never import this one.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> ax = plot_tier_sizes(pd.DataFrame({"tier": pd.Categorical(["A", "B", "B", "C"])}))
>>> [t.get_text() for t in ax.get_xticklabels()]
['A', 'B', 'C']
>>> plot_tier_sizes(pd.DataFrame({"tier": pd.Categorical(["A", "B"])}), language="zh").get_title()
'各级别客户数'

Every function takes a keyword-only ``language`` (``"en"``, ``"zh"``, ``"zh_Hant"``) for its words;
amounts are shown in the locale's style (``500,000 CNY`` in English, ``¥500,000`` in Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new, tier_color
from segmentation.i18n import (
    check_language,
    format_amount,
    format_number,
    format_percent,
    message,
    value_word,
)

_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _pct(share: float, language: str) -> str:
    return format_percent(share, language, digits=0)


def _curve(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values largest first, and the Lorenz curve's x (share of customers) and y (share of revenue)."""
    ordered = np.sort(values.fillna(0).to_numpy(dtype=float))[::-1]
    total = ordered.sum() or 1.0
    x = np.r_[0, np.arange(1, len(ordered) + 1) / max(len(ordered), 1)]
    y = np.r_[0, np.cumsum(ordered) / total]
    return ordered, x, y


def _draw_curve(ax: Axes, x: np.ndarray, y: np.ndarray, language: str, **kwargs: object) -> None:
    label = message("value.plot.customers_largest_first", language)
    ax.plot(x * 100, y * 100, color="#1f5fa8", label=label, **kwargs)
    equal = message("value.plot.equal_shares", language)
    ax.plot([0, 100], [0, 100], color="grey", linestyle=":", linewidth=1, label=equal)
    ax.set_xlabel(message("value.plot.lorenz_x", language))
    ax.set_ylabel(message("value.plot.lorenz_y", language))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)


def plot_lorenz(
    values: pd.Series,
    *,
    thresholds: Sequence[float] = (),
    tier_names: Sequence[str] = (),
    currency: str = "CNY",
    ax: Axes | None = None,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """Pareto/Lorenz curve: share of revenue against share of customers, top customers first.

    Parameters
    ----------
    values : Series
        One value per customer (trailing-12-month revenue, say).
    thresholds : sequence of float
        Tier cut-points, drawn where they fall on the curve (top tier's first).
    tier_names : sequence of str
        Names of the tiers the cut-points open (``["A", "B"]``), for the labels.
    currency : str, default "CNY"
    language : str, default "en"

    To compare several candidate thresholds, draw them on one curve with :func:`plot_lorenz_candidates`.
    """
    language = check_language(language)
    ax = axes_or_new(ax)
    ordered, x, y = _curve(values)
    _draw_curve(ax, x, y, language, **kwargs)
    for i, cut in enumerate(thresholds):
        k = int((ordered >= cut).sum())
        name = tier_names[i] if i < len(tier_names) else message("value.plot.cut", language, n=i + 1)
        ax.axvline(x[k] * 100, color=tier_color(name, i), linestyle="--", linewidth=1)
        ax.annotate(
            message(
                "value.plot.cut_label",
                language,
                tier=name,
                amount=format_amount(cut, language, currency=currency),
                customers=_pct(x[k], language),
                revenue=_pct(y[k], language),
            ),
            (x[k] * 100, y[k] * 100),
            textcoords="offset points",
            xytext=(6, -28),
            fontsize=8,
        )
    ax.set_title(message("value.plot.lorenz_title", language))
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_lorenz_candidates(
    values: pd.Series,
    thresholds: Mapping[str, Sequence[float]],
    *,
    tier_names: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    recommended: str | None = None,
    currency: str = "CNY",
    ax: Axes | None = None,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """One revenue curve with every candidate's cut-points on it: one chart instead of one per candidate.

    The curve is the same whatever the thresholds; only where they cut it differs. Each candidate's
    cut-points are drawn as markers of its own shape and colour, and the legend beside the curve says,
    per candidate, each tier's threshold and the shares of customers and revenue above it.

    Parameters
    ----------
    values : Series
        One value per customer (the policy's metric).
    thresholds : mapping of str to sequence of float
        Candidate name -> its cut-points, top tier's first (``TierTuning.thresholds()``).
    tier_names : sequence of str
        The tiers the cut-points open (``["A", "B"]``).
    labels : mapping of str to str, optional
        Candidate name -> its name in words (``TierTuning.candidate_label``); default: the name.
    recommended : str, optional
        The candidate marked as recommended (drawn larger, named so in the legend).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> v = pd.Series([600_000.0, 300_000.0, 50_000.0, 50_000.0])
    >>> ax = plot_lorenz_candidates(v, {"current": [500_000, 200_000], "other": [250_000, 40_000]},
    ...                             tier_names=["A", "B"], recommended="other")
    >>> [t.get_text().split(":")[0] for t in ax.get_legend().get_texts()][2:]
    ['current', 'other (recommended)']
    """
    language = check_language(language)
    ax = axes_or_new(ax, (10.0, 5.5))
    ordered, x, y = _curve(values)
    _draw_curve(ax, x, y, language, **kwargs)
    for j, (name, cuts) in enumerate(thresholds.items()):
        shown = (labels or {}).get(name, name)
        if name == recommended:
            shown = f"{shown} ({message('value.plot.recommended', language)})"
        points, words = [], []
        for i, cut in enumerate(cuts):
            k = int((ordered >= cut).sum())
            tier = tier_names[i] if i < len(tier_names) else message("value.plot.cut", language, n=i + 1)
            points.append((x[k] * 100, y[k] * 100))
            words.append(
                message(
                    "value.plot.candidate_cut",
                    language,
                    tier=tier,
                    amount=format_amount(cut, language, currency=currency),
                    customers=_pct(x[k], language),
                    revenue=_pct(y[k], language),
                )
            )
        px, py = zip(*points, strict=True) if points else ((), ())
        ax.plot(
            px,
            py,
            linestyle="none",
            marker=_MARKERS[j % len(_MARKERS)],
            markersize=10 if name == recommended else 7,
            markeredgecolor="black" if name == recommended else "none",
            color=f"C{(j + 1) % 10}",
            label=message("value.plot.candidate_legend", language, candidate=shown, cuts="\n".join(words)),
        )
    ax.set_title(message("value.plot.candidates_title", language))
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False, labelspacing=0.9)
    if ax.figure.get_layout_engine() is None:
        ax.figure.set_layout_engine("constrained")  # the legend beside the axes stays on the figure
    return ax


def plot_tier_sizes(
    tiers: pd.DataFrame,
    *,
    revenue: str | None = None,
    currency: str = "CNY",
    ax: Axes | None = None,
    language: str = "en",
    **kwargs: object,
) -> Axes:
    """Customers per tier (bars, labelled with the share); with ``revenue``, its share too.

    ``currency`` is kept for callers; a share of revenue needs no unit.
    """
    language = check_language(language)
    ax = axes_or_new(ax)
    tier = tiers["tier"]
    names = list(tier.cat.categories) if isinstance(tier.dtype, pd.CategoricalDtype) else sorted(tier.unique())
    counts = tier.value_counts().reindex(names, fill_value=0)
    bars = ax.bar(names, counts.to_numpy(), color=[tier_color(n, i) for i, n in enumerate(names)], **kwargs)
    total = counts.sum() or 1
    labels = [
        message("value.plot.bar_label", language, count=format_number(c, language), share=_pct(c / total, language))
        for c in counts
    ]
    if revenue is not None:
        rev = tiers.groupby("tier", observed=False)[revenue].sum().reindex(names, fill_value=0)
        share = rev / (rev.sum() or 1)
        labels = [
            f"{lab}\n{message('value.plot.bar_revenue', language, share=_pct(s, language))}"
            for lab, s in zip(labels, share, strict=True)
        ]
    ax.bar_label(bars, labels=labels, fontsize=8)
    ax.set_xlabel(message("value.plot.tier", language))
    ax.set_ylabel(message("value.plot.customers", language))
    ax.set_ylim(0, counts.max() * 1.25 + 1)
    ax.set_title(message("value.plot.tier_sizes_title", language))
    return ax


def _segment_word(name: str, language: str) -> str:
    """A preset segment's name in the reader's language; a team's own segment names as they are."""
    key = re.sub(r"[^0-9a-z]+", "_", str(name).lower()).strip("_")
    word = value_word("segment", key, language)
    return str(name) if word == key else word


def plot_segment_map(
    scores: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Blues", language: str = "en", **kwargs: object
) -> Axes:
    """RFM segment map: customers by recency score (x) and frequency score (y), with the most
    common segment of each cell written in it (segment names as the rules file gives them)."""
    language = check_language(language)
    ax = axes_or_new(ax, (6.4, 5.2))
    n = int(max(scores["r_score"].max(), scores["f_score"].max(), 5))
    grid = pd.crosstab(scores["f_score"], scores["r_score"]).reindex(
        index=range(1, n + 1), columns=range(1, n + 1), fill_value=0
    )
    image = ax.imshow(grid.to_numpy(), origin="lower", cmap=cmap, extent=(0.5, n + 0.5, 0.5, n + 0.5), **kwargs)
    if "segment" in scores:
        top = scores.groupby(["f_score", "r_score"], observed=True)["segment"].agg(
            lambda s: s.astype(str).mode().iloc[0]
        )
        peak = grid.to_numpy().max()
        for (f, r), name in top.items():
            dark = grid.loc[f, r] > peak * 0.6
            ax.text(
                r,
                f,
                f"{_segment_word(name, language)}\n{format_number(grid.loc[f, r], language)}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    ax.figure.colorbar(image, ax=ax, label=message("value.plot.customers", language))
    ax.set_xlabel(message("value.plot.recency_score", language))
    ax.set_ylabel(message("value.plot.frequency_score", language))
    ax.set_xticks(range(1, n + 1))
    ax.set_yticks(range(1, n + 1))
    ax.set_title(message("value.plot.segment_map_title", language))
    return ax


def plot_migration(
    matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Purples", language: str = "en", **kwargs: object
) -> Axes:
    """Heat map of a tier migration matrix (previous tier rows, current tier columns).

    The axes are named in ``language``; rows and columns keep the matrix's labels (tier names).
    """
    language = check_language(language)
    ax = axes_or_new(ax, (5.2, 4.4))
    values = matrix.to_numpy()
    image = ax.imshow(values, cmap=cmap, **kwargs)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            dark = values[i, j] > values.max() * 0.6
            shown = format_number(values[i, j], language)
            ax.text(j, i, shown, ha="center", va="center", color="white" if dark else "black", fontsize=9)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in matrix.index])
    ax.set_xlabel(message("value.plot.current_tier", language))
    ax.set_ylabel(message("value.plot.previous_tier", language))
    ax.figure.colorbar(image, ax=ax, label=message("value.plot.customers", language))
    ax.set_title(message("value.plot.migration_title", language))
    return ax


__all__ = ["plot_lorenz", "plot_lorenz_candidates", "plot_migration", "plot_segment_map", "plot_tier_sizes"]
