"""Persona plots draw what they are given (Agg backend; assertions on the drawn artists)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from domain_words import english_words

from segmentation.personas import plots as pp


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_k_selection_scales_scores_and_marks_the_chosen_k():
    scores = pd.DataFrame(
        {
            "k": [3, 4, 5],
            "silhouette": [0.2, 0.3, 0.25],
            "calinski_harabasz": [9.0, 8, 7],
            "davies_bouldin": [1.5, 1.2, 1.4],
            "bic": [np.nan] * 3,
            "stability": [0.9, 0.95, 0.99],
            "chosen": [False, True, False],
        }
    )
    ax = pp.plot_k_selection(scores)
    labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labels == [
        "silhouette",
        "Calinski-Harabasz",
        "Davies-Bouldin (lower is better, flipped)",
        "stability (bootstrap ARI)",
    ]
    davies = ax.lines[2].get_ydata()
    assert list(davies) == pytest.approx([0.0, 1.0, 1 / 3])  # lowest DB (k=4) scores 1
    assert any(t.get_text() == "chosen k = 4" for t in ax.texts)
    assert ax.lines[-1].get_xdata()[0] == 4  # the vertical marker


def test_projection_colours_each_persona_and_counts_all():
    proj = pd.DataFrame({"pc1": [0.0, 1, 2, 3], "pc2": [0.0, 1, 0, 1], "persona_id": [0, 0, 1, 1]})
    proj.attrs["explained_variance_ratio"] = [0.5, 0.2]
    ax = pp.plot_persona_projection(proj, names=pd.Series({0: "small", 1: "large"}), max_points=3)
    assert [c.get_label() for c in ax.collections] == ["0: small (2)", "1: large (2)"]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 3  # sampled down, legend counts all
    assert ax.get_xlabel() == "first principal component (50% of variance)"
    assert tuple(ax.collections[1].get_facecolor()[0][:3]) == pytest.approx(pp.persona_color(1)[:3])


def test_heatmap_keeps_the_strongest_features():
    diffs = pd.DataFrame({"weak": [0.1, -0.1], "strong": [2.0, -2.0], "mid": [-1.0, 1.0]}, index=[0, 1])
    ax = pp.plot_profile_heatmap(diffs, max_features=2)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["strong", "mid"]
    assert [t.get_text() for t in ax.texts] == ["+2.0", "-1.0", "-2.0", "+1.0"]


def test_feature_bars_show_one_persona_strongest_first():
    diffs = pd.DataFrame({"a": [0.2, 0.0], "b": [-1.5, 0.0], "c": [0.9, 0.0]}, index=[3, 4])
    ax = pp.plot_persona_features(diffs, 3, top=2, name="big buyers")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b"]  # drawn bottom-up: strongest on top
    assert [p.get_width() for p in ax.patches] == [0.9, -1.5]
    assert ax.get_title() == "Persona 3: big buyers"


def test_heatmap_and_bars_name_features_in_words():
    diffs = pd.DataFrame(
        {"channel_share_event": [2.0, -2.0], "avg_order_value": [-1.0, 1.0], "size_band=small": [0.5, -0.5]},
        index=[0, 1],
    )
    ax = pp.plot_profile_heatmap(diffs)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "share of contacts by event",
        "revenue per order",
        "size: small",
    ]
    ax = pp.plot_profile_heatmap(diffs, language="zh")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["活动联系占比", "平均订单金额", "规模：小型"]
    ax = pp.plot_persona_features(diffs, 0, top=1, language="zh", name="大客户")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["活动联系占比"]
    assert ax.get_title() == "画像 0：大客户"


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_persona_plots_draw_in_chinese(language):
    scores = pd.DataFrame(
        {
            "k": [3, 4],
            "silhouette": [0.2, 0.3],
            "calinski_harabasz": [9.0, 8],
            "davies_bouldin": [1.5, 1.2],
            "bic": [np.nan] * 2,
            "stability": [0.9, 0.95],
            "chosen": [False, True],
        }
    )
    ax = pp.plot_k_selection(scores, language=language)
    ax.figure.canvas.draw()
    texts = [ax.get_xlabel(), ax.get_ylabel(), *[t.get_text() for t in ax.texts]]
    texts += [t.get_text() for t in ax.get_legend().get_texts()]
    assert not [t for t in texts if english_words(t)]
    proj = pd.DataFrame({"pc1": [0.0, 1, 2, 3], "pc2": [0.0, 1, 0, 1], "persona_id": [0, 0, 1, 1]})
    proj.attrs["explained_variance_ratio"] = [0.5, 0.2]
    ax = pp.plot_persona_projection(proj, language=language)
    ax.figure.canvas.draw()
    texts = [ax.get_xlabel(), ax.get_ylabel(), *[t.get_text() for t in ax.get_legend().get_texts()]]
    assert not [t for t in texts if english_words(t)]
    diffs = pd.DataFrame({"channel_share_phone": [1.0, -1.0], "contacts_per_month": [0.3, -0.3]}, index=[0, 1])
    ax = pp.plot_profile_heatmap(diffs, names=pd.Series({0: "大客户", 1: "小客户"}), language=language)
    ax.figure.canvas.draw()
    texts = [ax.get_title(), *[t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]]
    assert not [t for t in texts if english_words(t)]
