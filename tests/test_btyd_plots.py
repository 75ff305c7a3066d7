"""The model-comparison tracking plot: what is drawn, in each language."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from segmentation.btyd.choice import compare_models  # noqa: E402
from segmentation.btyd.plots import model_label, plot_model_tracking  # noqa: E402
from segmentation.datasets.cdnow import load_cdnow  # noqa: E402


@pytest.fixture(scope="module")
def comparison():
    return compare_models(load_cdnow(sample=True), calibration_end="1997-09-30", holdout_end="1998-06-30")


@pytest.mark.parametrize(
    ("language", "actual", "chosen"),
    [("en", "actual", "BG/NBD (chosen)"), ("zh", "实际", "BG/NBD（选用）"), ("zh_Hant", "實際", "BG/NBD（選用）")],
)
def test_one_line_per_model_the_chosen_one_marked(comparison, language, actual, chosen):
    tracking = comparison.tracking()
    ax = plot_model_tracking(tracking, chosen=comparison.chosen, language=language)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == [actual, chosen, "MBG/NBD", "Pareto/NBD"]
    np.testing.assert_array_equal(lines[2].get_ydata(), tracking["mbgnbd"])
    assert lines[1].get_linewidth() > lines[2].get_linewidth()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(ax.patches) == 1  # the holdout, shaded
    plt.close("all")


def test_draws_on_the_axes_given():
    fig, ax = plt.subplots()
    tracking = {"t": [1.0, 2.0], "holdout": [False, True], "actual": [1.0, 2.0], "mine": [1.0, 1.5]}
    assert plot_model_tracking(pd.DataFrame(tracking), ax=ax) is ax
    assert [line.get_label() for line in ax.get_lines()] == ["actual", "mine"]
    assert model_label("bgbb", "zh") == "BG/BB"
    plt.close(fig)
