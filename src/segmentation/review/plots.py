"""Plots of the quarterly review: the three pictures the manuals ask for (customer growth, tier
distribution, churn reasons) and the warning signals behind the risk list. Each takes a
computed table and an optional ``ax`` and returns the Axes.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> reasons = pd.DataFrame({"reason": ["price", "competitor"], "quarter": [3, 1], "last_4_quarters": [9, 4],
...                         "share": [0.69, 0.31]})
>>> [t.get_text() for t in plot_churn_reasons(reasons).get_yticklabels()]
['competitor', 'price']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new, tier_color
from segmentation.i18n import currency_name, message, value_word
from segmentation.review.words import churn_reason_word, number


def plot_customer_growth(
    growth: pd.DataFrame, *, language: str = "en", ax: Axes | None = None, **kwargs: object
) -> Axes:
    """Active customers per quarter (line) with new and lost customers (bars).

    Quarters whose active count is too low because the data starts inside its window are
    drawn with a hollow marker.
    """
    ax = axes_or_new(ax, (7.2, 4.0))
    x = np.arange(len(growth))
    width = 0.38
    ax.bar(
        x - width / 2,
        growth["new_customers"],
        width,
        color="#4f9d69",
        label=message("review.plot.new_customers", language),
    )
    if growth["lost_customers"].notna().any():
        ax.bar(
            x + width / 2,
            growth["lost_customers"].fillna(0),
            width,
            color="#c45a4a",
            label=message("review.plot.lost_customers", language),
        )
    ax.set_ylabel(message("review.plot.new_lost_axis", language))
    ax.set_xticks(x, growth["quarter"], rotation=45 if len(growth) > 8 else 0)
    ax.set_xlabel(message("review.plot.quarter", language))
    line_ax = ax.twinx()
    complete = growth["history_complete"].to_numpy(dtype=bool)
    line_ax.plot(
        x,
        growth["active_customers"],
        color="#1f5fa8",
        marker="o",
        label=message("review.plot.active_customers", language),
        **kwargs,
    )
    if (~complete).any():
        line_ax.plot(
            x[~complete],
            growth["active_customers"][~complete],
            "o",
            mfc="white",
            color="#1f5fa8",
            label=message("review.plot.active_incomplete", language),
        )
    line_ax.set_ylabel(message("review.plot.active_axis", language))
    line_ax.set_ylim(0, max(growth["active_customers"].max() * 1.15, 1))
    handles = ax.get_legend_handles_labels()[0] + line_ax.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)
    ax.set_title(message("review.plot.growth_title", language))
    return ax


def plot_tier_distribution(
    tiers: pd.DataFrame, *, currency: str = "CNY", language: str = "en", ax: Axes | None = None, **kwargs: object
) -> Axes:
    """Share of customers and share of the quarter's revenue per tier (paired bars)."""
    ax = axes_or_new(ax, (6.4, 4.0))
    t = tiers.loc[tiers["tier"] != "total"]
    x = np.arange(len(t))
    colors = [tier_color(n, i) for i, n in enumerate(t["tier"])]
    width = 0.38
    a = ax.bar(x - width / 2, t["customer_share"] * 100, width, color=colors, edgecolor="black", **kwargs)
    b = ax.bar(x + width / 2, t["revenue_share"].fillna(0) * 100, width, color=colors, hatch="//", edgecolor="black")
    ax.bar_label(
        a,
        labels=[message("review.plot.customers_label", language, n=number(c, language)) for c in t["customers"]],
        fontsize=7,
    )
    ax.bar_label(b, labels=[f"{s:.0%}" for s in t["revenue_share"].fillna(0)], fontsize=7)
    labels = [value_word("tier_label", lab, language) if lab else "" for lab in t["label"].fillna("")]
    ax.set_xticks(x, [f"{n} {lab}".strip() for n, lab in zip(t["tier"], labels, strict=True)])
    ax.set_ylabel(message("review.plot.share_axis", language))
    ax.set_ylim(0, 115)
    ax.set_title(message("review.plot.tiers_title", language, currency=currency_name(currency, language)))
    return ax


def plot_churn_reasons(
    reasons: pd.DataFrame, *, language: str = "en", ax: Axes | None = None, **kwargs: object
) -> Axes:
    """Lost customers per recorded reason: the last quarters (light) and the quarter (dark)."""
    ax = axes_or_new(ax, (6.4, 3.6))
    longer = next(c for c in reasons.columns if c.startswith("last_"))
    r = reasons.iloc[::-1]
    y = np.arange(len(r))
    n = int(longer.split("_")[1])
    ax.barh(y, r[longer], color="#d9b3ad", label=message("review.plot.last_quarters", language, n=n, count=n), **kwargs)
    ax.barh(y, r["quarter"], color="#c45a4a", height=0.5, label=message("review.plot.this_quarter", language))
    ax.set_yticks(y, [churn_reason_word(code, language) for code in r["reason"]])
    ax.set_xlabel(message("review.plot.lost_customers", language))
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(message("review.plot.reasons_title", language))
    return ax


def plot_risk_signals(signals: pd.DataFrame, *, language: str = "en", ax: Axes | None = None, **kwargs: object) -> Axes:
    """How often each warning signal is a reason among the high-risk customers."""
    ax = axes_or_new(ax, (6.4, 3.6))
    s = signals.iloc[::-1]
    y = np.arange(len(s))
    bars = ax.barh(y, s["share_of_high_risk"] * 100, color="#e08a3c", **kwargs)
    ax.bar_label(bars, labels=[f"{c:,}" for c in s["customers"]], fontsize=7, padding=2)
    ax.set_yticks(y, s["signal"])
    ax.set_xlabel(message("review.plot.signals_axis", language))
    ax.set_xlim(0, 110)
    ax.set_title(message("review.plot.signals_title", language))
    return ax


__all__ = ["plot_churn_reasons", "plot_customer_growth", "plot_risk_signals", "plot_tier_distribution"]
