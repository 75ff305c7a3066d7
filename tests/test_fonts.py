"""Charts draw Chinese labels with a font installed with the workbench: no empty box, no warning.

matplotlib warns ``Glyph ... missing from font(s) DejaVu Sans`` for every character it cannot draw;
here that warning is an error, so a label drawn as a box fails the test.
"""

from __future__ import annotations

import warnings

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager

from segmentation import _plotting
from segmentation.personas import plots as persona_plots
from segmentation.review import plots as review_plots
from segmentation.value import plots as value_plots

TIERS = ["重点客户", "成长客户", "普通客户"]
REASONS = ["价格原因", "服务不满意", "被竞争对手挖走", "業務調整"]  # the last in Traditional characters
PERSONAS = {0: "大型高频采购客户", 1: "小型低客单价耗材客户"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _draw_strictly(ax) -> None:
    """Render the figure; any warning (a missing glyph above all) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.canvas.draw()


def _texts(ax) -> list[str]:
    shown = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    shown += [t.get_text() for t in ax.texts]
    shown += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        shown += [t.get_text() for t in legend.get_texts()]
    return shown


def test_the_font_is_a_file_of_the_installed_package_and_has_every_glyph():
    path = _plotting.cjk_font_path()
    assert path is not None and path.is_file() and path.parent.name == "pylopdf_fonts_zh_cn"  # not a system font
    font = font_manager.get_font(str(path))
    assert font.family_name == _plotting.CJK_FAMILY
    for text in [*TIERS, *REASONS, *PERSONAS.values(), "达标 未达标 ¥1,234,567 123.5万 2025年9月30日"]:
        missing = [c for c in text if c.strip() and font.get_char_index(ord(c)) == 0]
        assert not missing, f"{text}: no glyph for {missing}"


def test_latin_text_keeps_the_default_font_first():
    family = matplotlib.rcParams["font.family"]
    assert family[0] == "sans-serif" and family[-1] == _plotting.CJK_FAMILY
    found = font_manager.fontManager._find_fonts_by_props(font_manager.FontProperties(family=family))
    assert [font_manager.get_font(p).family_name for p in found][:2] == ["DejaVu Sans", _plotting.CJK_FAMILY]


def test_a_figure_with_chinese_labels_renders_without_a_missing_glyph():
    fig, ax = plt.subplots()
    ax.bar(TIERS, [3, 5, 20])
    ax.set_title("客户分层：重点客户 (S) 与 A 级")
    ax.set_xlabel("层级")
    ax.legend(["流失原因：价格原因"])
    _draw_strictly(ax)


def test_without_the_fallback_the_same_figure_warns():
    """The check above can fail: with the default font alone the glyphs are missing."""
    with matplotlib.rc_context({"font.family": ["sans-serif"]}):
        fig, ax = plt.subplots()
        ax.set_title("重点客户")
        with pytest.raises(UserWarning, match="missing from font"), warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()


def test_the_fallback_comes_back_after_matplotlib_settings_are_reset():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        assert _plotting.CJK_FAMILY not in matplotlib.rcParams["font.family"]
        ax = value_plots.plot_tier_sizes(pd.DataFrame({"tier": pd.Categorical(TIERS, categories=TIERS)}))
        assert matplotlib.rcParams["font.family"][-1] == _plotting.CJK_FAMILY
        _draw_strictly(ax)


def test_the_workbench_plots_draw_chinese_tiers_reasons_and_personas():
    tiers = pd.DataFrame(
        {"tier": pd.Categorical(TIERS * 2, categories=TIERS), "revenue_t12m": [900.0, 300, 50, 800, 200, 10]}
    )
    distribution = pd.DataFrame(
        {
            "tier": TIERS,
            "label": ["核心", "成长", "普通"],
            "customers": [10, 40, 150],
            "customer_share": [0.05, 0.2, 0.75],
            "revenue_share": [0.5, 0.3, 0.2],
        }
    )
    reasons = pd.DataFrame({"reason": REASONS, "last_4_quarters": [12, 8, 5, 2], "quarter": [3, 2, 1, 0]})
    profiles = pd.DataFrame(
        [[1.2, -0.5], [-0.8, 0.9]],
        index=pd.Index(list(PERSONAS), name="persona_id"),
        columns=["purchase_days", "revenue_t12m"],
    )
    axes = [
        value_plots.plot_tier_sizes(tiers, revenue="revenue_t12m", currency="元"),
        review_plots.plot_tier_distribution(distribution),
        review_plots.plot_churn_reasons(reasons),
    ]
    projection = pd.DataFrame({"pc1": np.arange(4.0), "pc2": [0.0, 1, 0, 1], "persona_id": [0, 0, 1, 1]})
    projection.attrs["explained_variance_ratio"] = [0.5, 0.2]
    axes.append(persona_plots.plot_persona_projection(projection, names=pd.Series(PERSONAS)))
    axes.append(persona_plots.plot_profile_heatmap(profiles, names=pd.Series(PERSONAS)))
    for ax in axes:
        _draw_strictly(ax)
    shown = "".join(text for ax in axes for text in _texts(ax))
    for word in [*TIERS, *REASONS, *PERSONAS.values()]:
        assert word in shown, f"{word} is not on any chart"
