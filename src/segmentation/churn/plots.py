"""Plots of churn and lifetime-value results.

Each function takes a computed table and an optional ``ax``, draws, and returns the Axes:

- :func:`plot_roc_pr`: ROC or precision-recall curves (:func:`~segmentation.churn.metrics.roc_pr_curves`);
- :func:`plot_calibration`: predicted against observed churn (``ChurnBacktest.calibration``);
- :func:`plot_gains`: share of churners caught against share of customers called (``ChurnBacktest.gains``);
- :func:`plot_importance`: permutation importance (:func:`~segmentation.churn.reasons.signal_importance`);
- :func:`plot_alive_matrix`: P(alive) by frequency and recency (:func:`~segmentation.btyd.holdout.probability_alive_matrix`);
- :func:`plot_holdout_tracking` and :func:`plot_holdout_by_frequency` (:class:`~segmentation.btyd.holdout.HoldoutCheck`).

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> table = pd.DataFrame({"scorer": ["m", "m"], "bin": ["0.0-0.1", "0.9-1.0"], "customers": [5, 5],
...                       "mean_predicted": [0.05, 0.95], "observed_rate": [0.0, 1.0]})
>>> plot_calibration(table).get_xlabel()
'predicted churn probability'
>>> plot_calibration(table, language="zh").get_xlabel()
'预测流失概率'

Every function takes a keyword-only ``language`` (``"en"``, ``"zh"``, ``"zh_Hant"``): titles, axes,
legends and the scorers' and features' names are drawn in it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new
from segmentation.churn.backtest import BASELINES
from segmentation.churn.reasons import feature_label
from segmentation.i18n import check_language, message

#: The main model is drawn solid and thick, the others thinner; baselines dashed.
_MAIN = "gradient_boosting"


#: The scorers of the backtest whose names the catalogue has (others are shown as they are named).
_SCORERS = ("gradient_boosting", "logistic", *BASELINES)


def _style(name: str) -> dict:
    return {"linewidth": 2.4 if name == _MAIN else 1.3, "linestyle": "--" if name in BASELINES else "-"}


def scorer_label(name: str, language: str = "en") -> str:
    """A scorer's name in words (``"gradient boosting"``); a scorer of the caller's own keeps its name.

    Examples
    --------
    >>> scorer_label("recency_rule", "zh"), scorer_label("my_model")
    ('按距上次下单时间排序', 'my_model')
    """
    return message(f"churn.scorer.{name}", check_language(language)) if name in _SCORERS else str(name)


def plot_roc_pr(
    curves: pd.DataFrame, *, curve: str = "roc", ax: Axes | None = None, language: str = "en", **kwargs
) -> Axes:
    """ROC (``curve="roc"``) or precision-recall (``"pr"``) curves, one line per scorer."""
    if curve not in ("roc", "pr"):
        raise ValueError(f"curve must be 'roc' or 'pr', got {curve!r}")
    language = check_language(language)
    ax = axes_or_new(ax, (5.0, 5.0))
    for name, part in curves.loc[curves["curve"] == curve].groupby("scorer", sort=False):
        ax.plot(part["x"], part["y"], label=scorer_label(name, language), **{**_style(name), **kwargs})
    if curve == "roc":
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":")
        ax.set(
            xlabel=message("churn.plot.false_positive_rate", language),
            ylabel=message("churn.plot.true_positive_rate", language),
            title=message("churn.plot.roc_title", language),
        )
    else:
        ax.set(
            xlabel=message("churn.plot.recall", language),
            ylabel=message("churn.plot.precision", language),
            title=message("churn.plot.pr_title", language),
        )
    ax.set(xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(fontsize="small")
    return ax


def plot_calibration(table: pd.DataFrame, *, ax: Axes | None = None, language: str = "en", **kwargs) -> Axes:
    """Observed churn rate against the mean predicted probability per bin, one line per scorer.

    The curves can run anywhere in the square, so the legend sits below the axes, never on them.
    """
    language = check_language(language)
    ax = axes_or_new(ax, (5.0, 5.8))
    ax.plot(
        [0, 1],
        [0, 1],
        color="grey",
        linewidth=0.8,
        linestyle=":",
        label=message("churn.plot.perfect_calibration", language),
    )
    for name, part in table.groupby("scorer", sort=False):
        ax.plot(
            part["mean_predicted"],
            part["observed_rate"],
            marker="o",
            markersize=3,
            label=scorer_label(name, language),
            **{**_style(name), **kwargs},
        )
    ax.set(
        xlabel=message("churn.plot.predicted_probability", language),
        ylabel=message("churn.plot.observed_rate", language),
        xlim=(0, 1),
        ylim=(0, 1),
        title=message("churn.plot.calibration_title", language),
    )
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    if ax.figure.get_layout_engine() is None:
        ax.figure.set_layout_engine("constrained")  # keeps the legend below the axes inside the figure
    return ax


def plot_gains(gains: pd.DataFrame, *, ax: Axes | None = None, language: str = "en", **kwargs) -> Axes:
    """Cumulative gains: share of churners caught when calling the top share of the list."""
    language = check_language(language)
    ax = axes_or_new(ax, (5.0, 5.0))
    ax.plot(
        [0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":", label=message("churn.plot.random_list", language)
    )
    for name, part in gains.groupby("scorer", sort=False):
        x = np.r_[0, part["share_called"]]
        ax.plot(x, np.r_[0, part["share_caught"]], label=scorer_label(name, language), **{**_style(name), **kwargs})
    for share in (0.1, 0.2):
        ax.axvline(share, color="grey", linewidth=0.6)
    ax.set(
        xlabel=message("churn.plot.share_called", language),
        ylabel=message("churn.plot.share_caught", language),
        xlim=(0, 1),
        ylim=(0, 1),
        title=message("churn.plot.gains_title", language),
    )
    ax.legend(fontsize="small")
    return ax


def plot_importance(
    importance: pd.DataFrame, *, top: int = 15, ax: Axes | None = None, language: str = "en", **kwargs
) -> Axes:
    """Horizontal bars of permutation importance (drop in ROC AUC), most important on top.

    Bars are named by what the feature measures (:func:`~segmentation.churn.reasons.feature_label`),
    not by its column name.
    """
    language = check_language(language)
    part = importance.head(top).iloc[::-1]
    ax = axes_or_new(ax, (6.4, 0.3 * len(part) + 1.2))
    y = np.arange(len(part))
    ax.barh(y, part["importance"], xerr=part["importance_std"], color="#4c72b0", **kwargs)
    ax.set_yticks(y, [feature_label(f, language) for f in part["feature"]])
    ax.set(
        xlabel=message("churn.plot.importance_axis", language), title=message("churn.plot.importance_title", language)
    )
    return ax


def plot_alive_matrix(
    matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "RdYlGn", language: str = "en", **kwargs
) -> Axes:
    """Heat map of P(alive): repeat purchases (rows, from the top) by recency (columns)."""
    language = check_language(language)
    ax = axes_or_new(ax, (6.4, 5.0))
    recency = matrix.columns.to_numpy(dtype=float)
    image = ax.imshow(
        matrix.to_numpy(dtype=float),
        aspect="auto",
        origin="upper",
        cmap=cmap,
        vmin=0,
        vmax=1,
        extent=(recency.min(), recency.max(), matrix.index.max() + 0.5, matrix.index.min() - 0.5),
        **kwargs,
    )
    ax.figure.colorbar(image, ax=ax, label=message("churn.plot.probability_alive", language))
    ax.set(
        xlabel=message("churn.plot.alive_recency", language),
        ylabel=message("churn.plot.repeat_purchases", language),
        title=message("churn.plot.alive_title", language),
    )
    return ax


def plot_holdout_tracking(tracking: pd.DataFrame, *, ax: Axes | None = None, language: str = "en", **kwargs) -> Axes:
    """Cumulative repeat purchases of the cohort, actual against predicted; the holdout shaded."""
    language = check_language(language)
    ax = axes_or_new(ax, (7.0, 4.0))
    ax.plot(tracking["t"], tracking["actual"], color="black", label=message("churn.plot.actual", language), **kwargs)
    ax.plot(
        tracking["t"],
        tracking["predicted"],
        color="#dd8452",
        linestyle="--",
        label=message("churn.plot.predicted", language),
        **kwargs,
    )
    holdout = tracking.loc[tracking["holdout"], "t"]
    if len(holdout):
        ax.axvspan(
            holdout.min() - 1, holdout.max(), color="grey", alpha=0.12, label=message("churn.plot.holdout", language)
        )
    ax.set(
        xlabel=message("churn.plot.tracking_time", language),
        ylabel=message("churn.plot.cumulative_repeat", language),
        title=message("churn.plot.tracking_title", language),
    )
    ax.legend()
    return ax


def plot_holdout_by_frequency(
    by_frequency: pd.DataFrame, *, ax: Axes | None = None, language: str = "en", **kwargs
) -> Axes:
    """Mean holdout repeat purchases per calibration frequency, actual against predicted."""
    language = check_language(language)
    ax = axes_or_new(ax)
    x = np.arange(len(by_frequency))
    actual, predicted = message("churn.plot.actual", language), message("churn.plot.predicted", language)
    ax.plot(x, by_frequency["actual"], color="black", marker="o", label=actual, **kwargs)
    ax.plot(x, by_frequency["predicted"], color="#dd8452", marker="s", linestyle="--", label=predicted, **kwargs)
    ax.set_xticks(x, by_frequency["frequency"])
    ax.set(
        xlabel=message("churn.plot.calibration_repeat", language),
        ylabel=message("churn.plot.holdout_mean", language),
        title=message("churn.plot.conditional_title", language),
    )
    ax.legend()
    return ax


__all__ = [
    "plot_alive_matrix",
    "plot_calibration",
    "plot_gains",
    "plot_holdout_by_frequency",
    "plot_holdout_tracking",
    "plot_importance",
    "plot_roc_pr",
    "scorer_label",
]
