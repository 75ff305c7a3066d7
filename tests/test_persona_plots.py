"""Persona plots draw what they are given (Agg backend; assertions on the drawn artists)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

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
