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
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from segmentation._plotting import axes_or_new
from segmentation.churn.backtest import BASELINES

#: The main model is drawn solid and thick, the others thinner; baselines dashed.
_MAIN = "gradient_boosting"


def _style(name: str) -> dict:
    return {"linewidth": 2.4 if name == _MAIN else 1.3, "linestyle": "--" if name in BASELINES else "-"}


def plot_roc_pr(curves: pd.DataFrame, *, curve: str = "roc", ax: Axes | None = None, **kwargs) -> Axes:
    """ROC (``curve="roc"``) or precision-recall (``"pr"``) curves, one line per scorer."""
    if curve not in ("roc", "pr"):
        raise ValueError(f"curve must be 'roc' or 'pr', got {curve!r}")
    ax = axes_or_new(ax, (5.0, 5.0))
    for name, part in curves.loc[curves["curve"] == curve].groupby("scorer", sort=False):
        ax.plot(part["x"], part["y"], label=name, **{**_style(name), **kwargs})
    if curve == "roc":
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":")
        ax.set(xlabel="false positive rate", ylabel="true positive rate (share of churners caught)", title="ROC curve")
    else:
        ax.set(
            xlabel="recall (share of churners caught)",
            ylabel="precision (share of the list who churn)",
            title="Precision-recall curve",
        )
    ax.set(xlim=(0, 1), ylim=(0, 1.02))
    ax.legend(fontsize="small")
    return ax


def plot_calibration(table: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Observed churn rate against the mean predicted probability per bin, one line per scorer."""
    ax = axes_or_new(ax, (5.0, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":", label="perfect calibration")
    for name, part in table.groupby("scorer", sort=False):
        ax.plot(
            part["mean_predicted"],
            part["observed_rate"],
            marker="o",
            markersize=3,
            label=name,
            **{**_style(name), **kwargs},
        )
    ax.set(
        xlabel="predicted churn probability",
        ylabel="observed churn rate",
        xlim=(0, 1),
        ylim=(0, 1),
        title="Calibration",
    )
    ax.legend(fontsize="small")
    return ax


def plot_gains(gains: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Cumulative gains: share of churners caught when calling the top share of the list."""
    ax = axes_or_new(ax, (5.0, 5.0))
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle=":", label="random list")
    for name, part in gains.groupby("scorer", sort=False):
        x = np.r_[0, part["share_called"]]
        ax.plot(x, np.r_[0, part["share_caught"]], label=name, **{**_style(name), **kwargs})
    for share in (0.1, 0.2):
        ax.axvline(share, color="grey", linewidth=0.6)
    ax.set(
        xlabel="share of customers called (highest risk first)",
        ylabel="share of churners caught",
        xlim=(0, 1),
        ylim=(0, 1),
        title="Gains",
    )
    ax.legend(fontsize="small")
    return ax


def plot_importance(importance: pd.DataFrame, *, top: int = 15, ax: Axes | None = None, **kwargs) -> Axes:
    """Horizontal bars of permutation importance (drop in ROC AUC), most important on top."""
    part = importance.head(top).iloc[::-1]
    ax = axes_or_new(ax, (6.4, 0.3 * len(part) + 1.2))
    ax.barh(part["feature"], part["importance"], xerr=part["importance_std"], color="#4c72b0", **kwargs)
    ax.set(xlabel="drop in ROC AUC when shuffled", title="What drives the churn score")
    return ax


def plot_alive_matrix(matrix: pd.DataFrame, *, ax: Axes | None = None, cmap: str = "RdYlGn", **kwargs) -> Axes:
    """Heat map of P(alive): repeat purchases (rows, from the top) by recency (columns)."""
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
    ax.figure.colorbar(image, ax=ax, label="probability alive")
    ax.set(
        xlabel="recency (time of the last purchase, since the first)",
        ylabel="repeat purchases",
        title="Probability alive by frequency and recency",
    )
    return ax


def plot_holdout_tracking(tracking: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Cumulative repeat purchases of the cohort, actual against predicted; the holdout shaded."""
    ax = axes_or_new(ax, (7.0, 4.0))
    ax.plot(tracking["t"], tracking["actual"], color="black", label="actual", **kwargs)
    ax.plot(tracking["t"], tracking["predicted"], color="#dd8452", linestyle="--", label="BG/NBD", **kwargs)
    holdout = tracking.loc[tracking["holdout"], "t"]
    if len(holdout):
        ax.axvspan(holdout.min() - 1, holdout.max(), color="grey", alpha=0.12, label="holdout")
    ax.set(
        xlabel="time since the cohort's first purchase (time units)",
        ylabel="cumulative repeat purchases",
        title="Tracking: calibration and holdout",
    )
    ax.legend()
    return ax


def plot_holdout_by_frequency(by_frequency: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Mean holdout repeat purchases per calibration frequency, actual against predicted."""
    ax = axes_or_new(ax)
    x = np.arange(len(by_frequency))
    ax.plot(x, by_frequency["actual"], color="black", marker="o", label="actual", **kwargs)
    ax.plot(x, by_frequency["predicted"], color="#dd8452", marker="s", linestyle="--", label="BG/NBD", **kwargs)
    ax.set_xticks(x, by_frequency["frequency"])
    ax.set(
        xlabel="repeat purchases in calibration",
        ylabel="mean repeat purchases in holdout",
        title="Conditional expectations",
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
]
