"""The lifetime-value report's tables (segmentation.btyd.report) against the computations they come from."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import segmentation.btyd.report as report_module
from segmentation.btyd.choice import compare_models
from segmentation.btyd.clv import clv_table
from segmentation.btyd.report import (
    choice_sentences,
    clv_totals,
    comparison_table,
    lifetime_value_report,
    model_words,
    parameters_table,
    top_customers,
    value_sentences,
)
from segmentation.datasets.cdnow import load_cdnow
from segmentation.errors import InsufficientDataError, WorkbenchError

CALIBRATION_END, AS_OF = "1997-09-30", "1998-06-30"
SETTINGS = {"horizon": 39, "discount_rate": 0.1, "interval": 0.9, "draws": 20, "random_state": 3}


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow(sample=True)


@pytest.fixture(scope="module")
def result(cdnow):
    return lifetime_value_report(cdnow, calibration_end=CALIBRATION_END, as_of=AS_OF, **SETTINGS)


def test_the_comparison_is_compare_models_with_the_chosen_first(cdnow, result):
    direct = compare_models(cdnow, calibration_end=CALIBRATION_END, holdout_end=AS_OF)
    table = comparison_table(result.comparison)
    assert result.comparison.chosen == direct.chosen == table.index[0] == "bgnbd"
    expected = direct.table.drop(columns="failure").astype(float).loc[table.index]
    pd.testing.assert_frame_equal(table, expected)
    assert table.loc["bgnbd", "bucket_error"] == table["bucket_error"].min()


def test_the_values_are_clv_table_of_the_chosen_model_on_all_the_data(cdnow, result):
    table, model, gamma_gamma = clv_table(cdnow.transactions, calibration_end=AS_OF, model="bgnbd", **SETTINGS)
    pd.testing.assert_frame_equal(result.table, table)
    assert result.model == "bgnbd" and result.skipped == {}
    params = parameters_table(result)
    expected = pd.concat([model.summary(), gamma_gamma.summary()]).reset_index(drop=True)
    pd.testing.assert_frame_equal(params[["estimate", "standard_error", "lower_95", "upper_95"]], expected)
    assert params["model"].tolist() == ["bgnbd"] * 4 + ["gamma_gamma"] * 3
    assert params["parameter"].tolist() == ["r", "alpha", "a", "b", "p", "q", "gamma"]
    assert (params["lower_95"] < params["estimate"]).all() and (params["estimate"] < params["upper_95"]).all()

    totals = clv_totals(result).iloc[0]
    assert totals["customers"] == len(table)
    for column in ("clv", "clv_lower", "clv_upper", "expected_purchases"):
        assert totals[column] == pytest.approx(table[column].sum())
    assert totals["clv_lower"] < totals["clv"] < totals["clv_upper"]

    top = top_customers(result, 5)
    assert top["customer_id"].tolist() == table["clv"].sort_values(ascending=False).index[:5].tolist()
    assert top["clv"].is_monotonic_decreasing and (top["clv_lower"] <= top["clv"]).all()
    assert (top["clv"] <= top["clv_upper"]).all()


def test_the_same_seed_gives_the_same_ranges(cdnow, result):
    again = lifetime_value_report(cdnow, calibration_end=CALIBRATION_END, as_of=AS_OF, **SETTINGS)
    pd.testing.assert_frame_equal(again.table, result.table)


@pytest.mark.parametrize("language", ["en", "zh", "zh_Hant"])
def test_page_tables_name_the_models_and_parameters(result, language):
    shown = model_words(comparison_table(result.comparison), language, chosen="bgnbd")
    assert shown["model"].iloc[0] in ("BG/NBD (chosen)", "BG/NBD（选用）", "BG/NBD（選用）")
    assert shown["model"].iloc[1:].tolist() == ["MBG/NBD", "Pareto/NBD"]
    assert all(re.fullmatch(r"\d\.\d{3}", v) for v in shown["bucket_error"])
    params = model_words(parameters_table(result), language)
    assert params["parameter"].tolist() == ["r", "α", "a", "b", "p", "q", "γ"]
    assert set(params["model"]) == {"BG/NBD", "Gamma-Gamma"}


def test_the_choice_is_said_with_its_figures(result):
    table = comparison_table(result.comparison)
    first = choice_sentences(result)[0]
    assert first.startswith("BG/NBD was chosen.")
    for model in ("bgnbd", "mbgnbd", "pareto_nbd"):
        assert f"{table.loc[model, 'bucket_error']:.3f}" in first
    assert (
        f"{table.loc['bgnbd', 'predicted']:,.0f} repeat purchases against {table.loc['bgnbd', 'actual']:,.0f}" in first
    )
    assert f"({table.loc['bgnbd', 'total_error']:+.1%})" in first
    zh = choice_sentences(result, "zh")[0]
    assert zh.startswith("选用 BG/NBD。") and "1997年9月30日" in zh
    assert re.findall(r"[A-Za-z]{3,}", re.sub(r"[A-Za-z]+/NBD", "", zh)) == []


def test_value_sentences_give_the_total_and_its_range(result):
    totals = clv_totals(result).iloc[0]
    lines = value_sentences(result, "en", currency="USD")
    assert "fitted again on all the orders up to 1998-06-30" in lines[0] and "39 weeks" in lines[0]
    assert f"worth {totals['clv']:,.0f} USD together, between {totals['clv_lower']:,.0f} USD" in lines[1]
    assert "middle 90% of their values over 20 draws" in lines[1]
    assert lines[2].startswith("Order values: the Gamma-Gamma model")
    zh = value_sentences(result, "zh")
    assert "¥" in zh[1] and "20 次抽样" in zh[1]


def test_a_best_model_that_cannot_be_refitted_gives_way_to_the_next(cdnow, monkeypatch):
    real = clv_table

    def refuse_bgnbd(data, **kwargs):
        if kwargs["model"] == "bgnbd":
            raise InsufficientDataError("BG/NBD: the data cannot identify the parameters")
        return real(data, **kwargs)

    monkeypatch.setattr(report_module, "clv_table", refuse_bgnbd)
    result = lifetime_value_report(cdnow, calibration_end=CALIBRATION_END, as_of=AS_OF, **SETTINGS)
    by_error = comparison_table(result.comparison)["bucket_error"].sort_values()
    assert result.comparison.chosen == "bgnbd" and result.model == by_error.index[1]
    assert list(result.skipped) == ["bgnbd"]
    said = choice_sentences(result)[-1]
    assert said.startswith("BG/NBD did better on the holdout but cannot be fitted")
    assert said.endswith("the customers are valued with Pareto/NBD, the next best.")
    assert np.isfinite(result.table["clv_upper"]).all()


def test_the_holdout_must_lie_before_as_of(cdnow):
    with pytest.raises(WorkbenchError, match="calibration_end must be before as_of"):
        lifetime_value_report(cdnow, calibration_end=AS_OF, as_of=CALIBRATION_END)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_each_candidate_gets_its_own_tracking_panel(result, language):
    import matplotlib.pyplot as plt

    from segmentation.btyd.tracking_plots import plot_candidate_tracking

    tracking = result.comparison.tracking()
    axes = plot_candidate_tracking(tracking, chosen="bgnbd", language=language)
    try:
        assert [ax.get_title() for ax in axes] == ["BG/NBD", "MBG/NBD", "Pareto/NBD"]
        for ax, model in zip(axes, ["bgnbd", "mbgnbd", "pareto_nbd"], strict=True):
            made, predicted = ax.get_lines()
            assert made.get_ydata().tolist() == tracking["actual"].tolist()
            assert predicted.get_ydata().tolist() == tracking[model].tolist()
        assert axes[0].get_lines()[1].get_linewidth() > axes[1].get_lines()[1].get_linewidth()  # the chosen one
        if language == "zh":
            assert axes[0].get_ylabel() == "累计复购次数" and "选用" in axes[0].get_lines()[1].get_label()
    finally:
        plt.close("all")


def test_a_tracking_panel_needs_one_axes_per_model(result):
    import matplotlib.pyplot as plt

    from segmentation.btyd.report import candidate_tracking
    from segmentation.btyd.tracking_plots import plot_candidate_tracking

    tracking = result.comparison.tracking()
    with pytest.raises(WorkbenchError, match="model must be one of"):
        candidate_tracking(tracking, "bgbb")
    _, ax = plt.subplots()
    with pytest.raises(WorkbenchError, match=r"one Axes per model \(3\), got 1"):
        plot_candidate_tracking(tracking, axes=[ax])
    plt.close("all")
