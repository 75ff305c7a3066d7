"""Churn and lifetime-value plots draw the computed tables and return their Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from domain_words import english_words

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.holdout import holdout_check, probability_alive_matrix
from segmentation.churn.backtest import BASELINES
from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.metrics import gains_curve, roc_pr_curves
from segmentation.churn.plots import (
    plot_alive_matrix,
    plot_calibration,
    plot_gains,
    plot_holdout_by_frequency,
    plot_holdout_tracking,
    plot_importance,
    plot_roc_pr,
    scorer_label,
)
from segmentation.churn.reasons import feature_label
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
    assert {"gradient boosting", "recency rule"} <= set(labels)  # words, not the scorers' code names


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


def test_importance_bars_are_named_in_words():
    imp = pd.DataFrame(
        {"feature": ["no_reply_streak", "my_feature"], "importance": [0.02, 0.01], "importance_std": [0.0, 0.0]}
    )
    en = [t.get_text() for t in plot_importance(imp).get_yticklabels()]
    zh = [t.get_text() for t in plot_importance(imp, language="zh").get_yticklabels()]
    assert en == ["my_feature", "unanswered contacts in a row"]  # most important on top; unknown kept as named
    assert zh == ["my_feature", "连续未回复的联系次数"]


def test_every_churn_feature_and_scorer_has_words_in_every_language():
    for language in ("en", "zh", "zh_Hant"):
        assert all(feature_label(f, language) != f for f in CHURN_FEATURES)
        assert all(scorer_label(s, language) != s for s in ("gradient_boosting", "logistic", *BASELINES))


def test_the_calibration_legend_does_not_cover_the_curves():
    cal = pd.DataFrame(
        {
            "scorer": ["gradient_boosting"] * 2 + ["logistic"] * 2 + list(BASELINES) * 2,
            "mean_predicted": [0.1, 0.9] * 2 + [0.2, 0.2, 0.2, 0.8, 0.8, 0.8],
            "observed_rate": [0.05, 0.95] * 2 + [0.9, 0.8, 0.7, 0.1, 0.2, 0.3],
        }
    )
    ax = plot_calibration(cal)
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    plot_area = ax.get_window_extent()
    assert legend.y1 <= plot_area.y0  # wholly below the axes
    assert fig.bbox.contains(legend.x0, legend.y0) and fig.bbox.contains(legend.x1, legend.y1)  # and on the figure
    assert len(ax.get_legend().get_texts()) == 6  # perfect calibration + five scorers


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_churn_plots_draw_in_chinese(language):
    cal = pd.DataFrame(
        {"scorer": ["gradient_boosting"] * 2, "mean_predicted": [0.05, 0.95], "observed_rate": [0.0, 1.0]}
    )
    ax = plot_calibration(cal, language=language)
    ax.figure.canvas.draw()
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0] in ("概率校准", "機率校準")
    assert not [t for t in texts if english_words(t)]
    gains = pd.concat([gains_curve(Y, SCORES[c]).assign(scorer=c) for c in SCORES])
    ax = plot_gains(gains, language=language)
    labels = [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()] + [t.get_text() for t in ax.get_legend().get_texts()]
    assert not [t for t in labels if english_words(t)]
    ax = plot_roc_pr(roc_pr_curves(Y, SCORES), curve="pr", language=language)
    assert not english_words(ax.get_xlabel() + ax.get_ylabel() + ax.get_title())


def test_btyd_plots():
    bg = BetaGeoModel().fit(calibration_summary())
    ax = plot_alive_matrix(probability_alive_matrix(bg, T=39, max_frequency=10))
    assert ax.images and ax.get_ylabel() == "repeat purchases"
    check = holdout_check(
        load_cdnow(sample=True).transactions, bg, calibration_end="1997-09-30", holdout_end="1998-06-30"
    )
    assert len(plot_holdout_tracking(check.tracking).get_lines()) == 2
    assert len(plot_holdout_by_frequency(check.by_frequency).get_lines()) == 2
