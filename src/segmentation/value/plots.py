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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new, tier_color


def plot_lorenz(
    values: pd.Series,
    *,
    thresholds: Sequence[float] = (),
    tier_names: Sequence[str] = (),
    currency: str = "CNY",
    ax: Axes | None = None,
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
    """
    ax = axes_or_new(ax)
    ordered = np.sort(values.fillna(0).to_numpy(dtype=float))[::-1]
    total = ordered.sum() or 1.0
    x = np.r_[0, np.arange(1, len(ordered) + 1) / max(len(ordered), 1)]
    y = np.r_[0, np.cumsum(ordered) / total]
    ax.plot(x * 100, y * 100, color="#1f5fa8", label="customers, largest first", **kwargs)
    ax.plot([0, 100], [0, 100], color="grey", linestyle=":", linewidth=1, label="equal shares")
    for i, cut in enumerate(thresholds):
        k = int((ordered >= cut).sum())
        name = tier_names[i] if i < len(tier_names) else f"cut {i + 1}"
        ax.axvline(x[k] * 100, color=tier_color(name, i), linestyle="--", linewidth=1)
        ax.annotate(
            f"{name} ≥ {cut:,.0f} {currency}\n{x[k]:.0%} of customers, {y[k]:.0%} of revenue",
            (x[k] * 100, y[k] * 100),
            textcoords="offset points",
            xytext=(6, -28),
            fontsize=8,
        )
    ax.set_xlabel("customers (%), largest first")
    ax.set_ylabel("cumulative revenue (%)")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_title("Revenue concentration")
    ax.legend(loc="lower right", fontsize=8)
    return ax


def plot_tier_sizes(
    tiers: pd.DataFrame,
    *,
    revenue: str | None = None,
    currency: str = "CNY",
    ax: Axes | None = None,
    **kwargs: object,
) -> Axes:
    """Customers per tier (bars, labelled with the share); with ``revenue``, its share too."""
    ax = axes_or_new(ax)
    tier = tiers["tier"]
    names = list(tier.cat.categories) if isinstance(tier.dtype, pd.CategoricalDtype) else sorted(tier.unique())
    counts = tier.value_counts().reindex(names, fill_value=0)
    bars = ax.bar(names, counts.to_numpy(), color=[tier_color(n, i) for i, n in enumerate(names)], **kwargs)
    total = counts.sum() or 1
    labels = [f"{c:,} ({c / total:.0%})" for c in counts]
    if revenue is not None:
        rev = tiers.groupby("tier", observed=False)[revenue].sum().reindex(names, fill_value=0)
        share = rev / (rev.sum() or 1)
        labels = [f"{lab}\n{s:.0%} of {currency} revenue" for lab, s in zip(labels, share, strict=True)]
    ax.bar_label(bars, labels=labels, fontsize=8)
    ax.set_xlabel("tier")
    ax.set_ylabel("customers")
    ax.set_ylim(0, counts.max() * 1.25 + 1)
    ax.set_title("Customers per tier")
    return ax


def plot_segment_map(scores: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Blues", **kwargs: object) -> Axes:
    """RFM segment map: customers by recency score (x) and frequency score (y), with the most
    common segment of each cell written in it."""
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
                f"{name}\n{grid.loc[f, r]:,}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    ax.figure.colorbar(image, ax=ax, label="customers")
    ax.set_xlabel("recency score (5 = bought most recently)")
    ax.set_ylabel("frequency score (5 = most purchase days)")
    ax.set_xticks(range(1, n + 1))
    ax.set_yticks(range(1, n + 1))
    ax.set_title("RFM segment map")
    return ax


def plot_migration(matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "Purples", **kwargs: object) -> Axes:
    """Heat map of a tier migration matrix (previous tier rows, current tier columns)."""
    ax = axes_or_new(ax, (5.2, 4.4))
    values = matrix.to_numpy()
    image = ax.imshow(values, cmap=cmap, **kwargs)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            dark = values[i, j] > values.max() * 0.6
            ax.text(j, i, f"{values[i, j]:,}", ha="center", va="center", color="white" if dark else "black", fontsize=9)
    ax.set_xticks(range(values.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in matrix.index])
    ax.set_xlabel(f"{matrix.columns.name or 'current tier'}")
    ax.set_ylabel(f"{matrix.index.name or 'previous tier'}")
    ax.figure.colorbar(image, ax=ax, label="customers")
    ax.set_title("Tier migration")
    return ax


__all__ = ["plot_lorenz", "plot_migration", "plot_segment_map", "plot_tier_sizes"]
