"""Churn and lifetime-value plots draw the computed tables and return their Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.holdout import holdout_check, probability_alive_matrix
from segmentation.churn.metrics import gains_curve, roc_pr_curves
from segmentation.churn.plots import (
    plot_alive_matrix,
    plot_calibration,
    plot_gains,
    plot_holdout_by_frequency,
    plot_holdout_tracking,
    plot_importance,
    plot_roc_pr,
)
from segmentation.datasets.cdnow import calibration_summary, load_cdnow

Y = pd.Series([0, 0, 1, 1, 0, 1, 0, 0])
SCORES = pd.DataFrame(
    {"gradient_boosting": [0.1, 0.2, 0.8, 0.7, 0.3, 0.9, 0.2, 0.1], "recency_rule": [1, 5, 3, 4, 2, 6, 7, 8]}
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("curve", ["roc", "pr"])
def test_roc_and_pr_curves(curve):
    ax = plot_roc_pr(roc_pr_curves(Y, SCORES), curve=curve)
    labels = [line.get_label() for line in ax.get_lines()]
    assert {"gradient_boosting", "recency_rule"} <= set(labels)


def test_calibration_and_gains():
    cal = pd.DataFrame(
        {
            "scorer": ["gradient_boosting"] * 2,
            "bin": ["0.0-0.1", "0.9-1.0"],
            "customers": [4, 4],
            "mean_predicted": [0.05, 0.95],
            "observed_rate": [0.0, 1.0],
        }
    )
    assert len(plot_calibration(cal).get_lines()) == 2
    gains = pd.concat([gains_curve(Y, SCORES[c]).assign(scorer=c) for c in SCORES])
    ax = plot_gains(gains)
    assert ax.get_xlabel().startswith("share of customers called")


def test_importance_bars():
    imp = pd.DataFrame({"feature": ["a", "b"], "importance": [0.02, 0.01], "importance_std": [0.001, 0.002]})
    assert len(plot_importance(imp).patches) == 2


def test_btyd_plots():
    bg = BetaGeoModel().fit(calibration_summary())
    ax = plot_alive_matrix(probability_alive_matrix(bg, T=39, max_frequency=10))
    assert ax.images and ax.get_ylabel() == "repeat purchases"
    check = holdout_check(
        load_cdnow(sample=True).transactions, bg, calibration_end="1997-09-30", holdout_end="1998-06-30"
    )
    assert len(plot_holdout_tracking(check.tracking).get_lines()) == 2
    assert len(plot_holdout_by_frequency(check.by_frequency).get_lines()) == 2
