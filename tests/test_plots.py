"""Plots draw what they are given (Agg backend; assertions on the drawn artists)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from domain_words import english_words

from segmentation.value import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_lorenz_curve_ends_at_100_and_marks_cut_points():
    values = pd.Series([600_000.0, 300_000.0, 50_000.0, 50_000.0])
    ax = plots.plot_lorenz(values, thresholds=[500_000, 200_000], tier_names=["A", "B"])
    x, y = ax.lines[0].get_data()
    assert y[-1] == pytest.approx(100) and x[-1] == pytest.approx(100)
    assert y[1] == pytest.approx(60)  # the top customer makes 60% of revenue
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("A ≥ 500,000 CNY") and "25% of customers, 60% of revenue" in t for t in texts)
    assert ax.get_xlabel() == "customers (%), largest first"


def test_tier_sizes_bars_and_labels():
    tiers = pd.DataFrame(
        {
            "tier": pd.Categorical(["A", "C", "C", "C"], categories=["A", "B", "C"]),
            "revenue_t12m": [900.0, 50.0, 30.0, 20.0],
        }
    )
    ax = plots.plot_tier_sizes(tiers, revenue="revenue_t12m")
    assert [p.get_height() for p in ax.patches] == [1, 0, 3]
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "1 (25%)\n90% of revenue"  # a share needs no currency (was "90% of CNY revenue")


def test_segment_map_counts_cells():
    scores = pd.DataFrame({"r_score": [5, 5, 1], "f_score": [5, 5, 1], "segment": ["Champions", "Champions", "Lost"]})
    ax = plots.plot_segment_map(scores)
    image = ax.images[0].get_array()
    assert image[4, 4] == 2 and image[0, 0] == 1 and image.sum() == 3
    assert {"Champions\n2", "Lost\n1"} <= {t.get_text() for t in ax.texts}


def test_migration_heat_map_writes_every_count():
    matrix = pd.DataFrame(
        [[3, 1], [0, 5]],
        index=pd.Index(["A", "B"], name="previous tier"),
        columns=pd.Index(["A", "B"], name="current tier"),
    )
    ax = plots.plot_migration(matrix)
    assert np.array_equal(ax.images[0].get_array(), matrix.to_numpy())
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "3", "5"]
    assert ax.get_ylabel() == "previous tier"


def test_plots_draw_on_a_given_axes():
    fig, ax = plt.subplots()
    assert plots.plot_lorenz(pd.Series([1.0, 2.0]), ax=ax) is ax


def test_candidates_share_one_revenue_curve_with_their_cut_points_marked():
    values = pd.Series([600_000.0, 300_000.0, 50_000.0, 50_000.0])
    cuts = {"current": [500_000, 200_000], "natural_breaks": [250_000, 40_000]}
    ax = plots.plot_lorenz_candidates(
        values, cuts, tier_names=["A", "B"], labels={"natural_breaks": "natural breaks"}, recommended="natural_breaks"
    )
    curve, equal, current, breaks = ax.lines
    assert len(curve.get_xdata()) == 5 and list(current.get_xdata()) == [25.0, 50.0]  # one curve, cut points on it
    assert list(breaks.get_ydata()) == [90.0, 100.0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[2] == (
        "current:\nA ≥ 500,000 CNY (25% of customers, 60% of revenue)\nB ≥ 200,000 CNY (50% of customers, 90% of revenue)"
    )
    assert legend[3].startswith("natural breaks (recommended):\nA ≥ 250,000 CNY")
    ax.figure.canvas.draw()
    box, figure = ax.get_legend().get_window_extent(), ax.figure.bbox
    assert box.x0 >= ax.get_window_extent().x1 and box.x1 <= figure.x1  # beside the curve, on the figure
    assert breaks.get_markersize() > current.get_markersize()


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_value_plots_draw_in_chinese(language):
    values = pd.Series([600_000.0, 300_000.0, 50_000.0, 50_000.0])
    ax = plots.plot_lorenz(values, thresholds=[500_000], tier_names=["A"], language=language)
    ax.figure.canvas.draw()
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *[t.get_text() for t in ax.texts]]
    texts += [t.get_text() for t in ax.get_legend().get_texts()]
    assert not [t for t in texts if english_words(t)]
    assert any("500,000" in t and "CNY" not in t for t in ax.texts[0].get_text().split("\n"))
    if language == "zh":
        assert ax.texts[0].get_text() == "A ≥ ¥500,000\n占客户 25%，占销售额 60%"
    ax = plots.plot_lorenz_candidates(values, {"current": [500_000]}, tier_names=["A"], language=language)
    ax.figure.canvas.draw()
    assert not [t.get_text() for t in ax.get_legend().get_texts() if english_words(t.get_text(), allowed=("current",))]
    tiers = pd.DataFrame({"tier": pd.Categorical(["A", "B", "B"]), "revenue_t12m": [9.0, 1.0, 0.0]})
    ax = plots.plot_tier_sizes(tiers, revenue="revenue_t12m", language=language)
    assert not [
        t
        for t in [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.texts]
        if english_words(t)
    ]
    matrix = pd.DataFrame([[3, 1], [0, 5]], index=["A", "B"], columns=["A", "B"])
    ax = plots.plot_migration(matrix, language=language)
    assert not english_words(ax.get_title() + ax.get_xlabel() + ax.get_ylabel())
    scores = pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1]})
    ax = plots.plot_segment_map(scores, language=language)
    assert not english_words(ax.get_title() + ax.get_xlabel() + ax.get_ylabel())


def test_the_segment_map_names_preset_segments_in_the_readers_language():
    from segmentation.value.plots import plot_segment_map

    scores = pd.DataFrame(
        {"r_score": [5, 1, 3], "f_score": [5, 1, 3], "segment": ["Champions", "Lost", "Our own"]},
        index=["a", "b", "c"],
    )
    texts = [t.get_text().split("\n")[0] for t in plot_segment_map(scores, language="zh").texts]
    assert sorted(texts) == sorted(["冠军客户", "已流失", "Our own"])  # a team's own name stays as it is
    english = [t.get_text().split("\n")[0] for t in plot_segment_map(scores).texts]
    assert sorted(english) == sorted(["Champions", "Lost", "Our own"])
