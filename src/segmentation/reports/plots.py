"""Plots made for a report page: what differs between the tier-tuning candidates, on one chart.

Each takes computed tables and an optional ``ax`` and returns the Axes; nothing here computes a
result that a page does not show.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> cuts = pd.DataFrame({"candidate": ["current", "current"], "code": ["current", "current"],
...                      "tier": ["A", "B"], "threshold": [500.0, 200.0]})
>>> ax = plot_candidate_cuts(pd.Series([900.0, 600.0, 300.0, 100.0, 50.0]), cuts)
>>> [t.get_text() for t in ax.get_legend().get_texts()][::2]
['customers, largest first', 'current: A ≥ 500, B ≥ 200']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new
from segmentation.i18n import format_number, message

_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_COLORS = ("#1b1b1b", "#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#a6761d")


def plot_candidate_cuts(
    values: pd.Series,
    cuts: pd.DataFrame,
    *,
    currency: str = "CNY",
    language: str = "en",
    ax: Axes | None = None,
    **kwargs: object,
) -> Axes:
    """One revenue-concentration (Lorenz) curve with every candidate's thresholds marked on it.

    Parameters
    ----------
    values : Series
        One value per customer (the policy's metric).
    cuts : DataFrame
        :func:`segmentation.reports.pages.candidate_cuts`: ``candidate, code, tier, threshold``.
    currency : str, default "CNY"
    language : str, default "en"

    Each candidate gets one marker and colour; a marker sits where its threshold cuts the curve
    (the share of customers at or above it, and their share of revenue), and the legend lists the
    thresholds. Candidates with the same thresholds share a place, so what differs shows at once.
    """
    ax = axes_or_new(ax, (7.2, 4.6))
    ordered = np.sort(values.fillna(0).to_numpy(dtype=float))[::-1]
    total = ordered.sum() or 1.0
    x = np.r_[0, np.arange(1, len(ordered) + 1) / max(len(ordered), 1)] * 100
    y = np.r_[0, np.cumsum(ordered) / total] * 100
    ax.plot(x, y, color="#1f5fa8", linewidth=1.5, label=message("reports.plot.curve", language), **kwargs)
    ax.plot([0, 100], [0, 100], color="grey", linestyle=":", linewidth=1, label=message("reports.plot.equal", language))
    for i, (code, group) in enumerate(cuts.groupby("code", sort=False)):
        k = [int((ordered >= t).sum()) for t in group["threshold"]]
        where = ", ".join(
            f"{tier} ≥ {format_number(t, language)}" for tier, t in zip(group["tier"], group["threshold"], strict=True)
        )
        ax.plot(
            x[k],
            y[k],
            linestyle="none",
            marker=_MARKERS[i % len(_MARKERS)],
            markersize=8 - i * 0.6,
            markerfacecolor="none" if i else _COLORS[0],
            color=_COLORS[i % len(_COLORS)],
            label=f"{group['candidate'].iloc[0]}: {where}",
        )
        for tier, xi, yi in zip(group["tier"], x[k], y[k], strict=True):
            ax.annotate(tier, (xi, yi), textcoords="offset points", xytext=(5, -12), fontsize=7, color=_COLORS[i % 7])
    ax.set_xlabel(message("reports.plot.customers_axis", language))
    ax.set_ylabel(message("reports.plot.revenue_axis", language, currency=currency))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_title(message("reports.plot.cuts_title", language))
    ax.legend(loc="lower right", fontsize=7)
    return ax


__all__ = ["plot_candidate_cuts"]
