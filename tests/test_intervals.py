"""CLV intervals from parameter draws: seeded, around the point estimate, wider with fewer customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.clv import clv_table, customer_lifetime_value
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.btyd.intervals import clv_interval, parameter_draws
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.datasets.cdnow import calibration_summary, load_cdnow
from segmentation.datasets.sample import generate_sample
from segmentation.errors import WorkbenchError

MODELS = [BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel]


@pytest.fixture(scope="module")
def cdnow():
    summary = calibration_summary()
    return summary, GammaGammaModel().fit(summary)


@pytest.fixture(scope="module", params=MODELS, ids=lambda m: m.__name__)
def fitted(request, cdnow):
    summary, gg = cdnow
    return request.param().fit(summary)


def test_the_interval_holds_the_point_estimate_of_every_customer(cdnow, fitted):
    summary, gg = cdnow
    bands = clv_interval(fitted, gg, summary, horizon=39, draws=100)
    point = customer_lifetime_value(fitted, gg, summary, horizon=39)["clv"]
    assert bands.index.equals(summary.index)
    assert ((bands["clv_lower"] <= point) & (point <= bands["clv_upper"])).all()
    assert (bands["clv_lower"] > 0).all() and (bands["clv_upper"] > bands["clv_lower"]).all()


def test_seeded_and_deterministic(cdnow):
    summary, gg = cdnow
    bg = BetaGeoModel().fit(summary)
    head = summary.head(50)
    first, again = (clv_interval(bg, gg, head, horizon=39, draws=50, random_state=3) for _ in range(2))
    pd.testing.assert_frame_equal(first, again)
    other = clv_interval(bg, gg, head, horizon=39, draws=50, random_state=4)
    assert not np.allclose(first.to_numpy(), other.to_numpy())
    assert first.attrs == {"interval": 0.9, "draws": 50, "random_state": 3, "rejected": 0}


def test_fewer_customers_wider_intervals(cdnow):
    """Fitted on a quarter of CDNOW's customers, every one of them gets a wider interval (widths about double)."""
    summary, gg = cdnow
    quarter = summary.sample(frac=0.25, random_state=1)
    full = clv_interval(BetaGeoModel().fit(summary), gg, quarter, horizon=39, draws=100)
    small = clv_interval(BetaGeoModel().fit(quarter), GammaGammaModel().fit(quarter), quarter, horizon=39, draws=100)
    widths = (small["clv_upper"] - small["clv_lower"]) / (full["clv_upper"] - full["clv_lower"])
    assert (widths > 1).all() and widths.median() > 1.5


def test_a_lower_level_gives_a_narrower_interval(cdnow):
    summary, gg = cdnow
    bg = BetaGeoModel().fit(summary)
    wide, narrow = (clv_interval(bg, gg, summary.head(100), horizon=39, draws=100, interval=v) for v in (0.9, 0.5))
    assert (narrow["clv_lower"] >= wide["clv_lower"]).all() and (narrow["clv_upper"] <= wide["clv_upper"]).all()


def test_draws_follow_the_normal_approximation_on_the_log_scale(cdnow):
    summary, _ = cdnow
    bg = BetaGeoModel().fit(summary)
    draws = parameter_draws(bg, 20_000, np.random.default_rng(0))
    estimate = np.array(list(bg.params_.values()))
    assert (draws > 0).all()
    np.testing.assert_allclose(np.log(draws).mean(axis=0), np.log(estimate), atol=0.01)
    actual, expected = np.cov(np.log(draws).T), bg.covariance_ / np.outer(estimate, estimate)
    np.testing.assert_allclose(np.diag(actual), np.diag(expected), rtol=0.05)

    def correlation(c):
        return c / np.sqrt(np.outer(np.diag(c), np.diag(c)))

    np.testing.assert_allclose(correlation(actual), correlation(expected), atol=0.03)


def _gamma_gamma(q: float, se_q: float) -> GammaGammaModel:
    model = GammaGammaModel()
    model.params_ = {"p": 6.0, "q": q, "gamma": 15.0}
    model.covariance_ = np.diag([0.5, se_q, 2.0]) ** 2
    return model


def test_gamma_gamma_draws_without_a_finite_mean_are_drawn_again(cdnow):
    summary, _ = cdnow
    bg = BetaGeoModel().fit(summary)
    bands = clv_interval(bg, _gamma_gamma(1.2, 0.3), summary.head(20), horizon=39, draws=200)
    assert 20 < bands.attrs["rejected"] < 200  # about a quarter of the draws have q <= 1
    assert np.isfinite(bands.to_numpy()).all()
    with pytest.raises(WorkbenchError, match=r"fewer than 200 of 10000 parameter draws have q > 1"):
        clv_interval(bg, _gamma_gamma(0.5, 0.05), summary.head(20), horizon=39, draws=200)


def test_a_fit_without_standard_errors_has_no_interval(cdnow):
    summary, gg = cdnow
    with pytest.warns(ConvergenceWarning):
        bg = BetaGeoModel(max_iter=2).fit(summary)
    with pytest.raises(WorkbenchError, match="BetaGeoModel has no standard errors"):
        clv_interval(bg, gg, summary, horizon=39)


@pytest.mark.parametrize(
    ("setting", "value", "message"), [("interval", 1.0, "interval must be"), ("draws", 5, "draws")]
)
def test_bad_settings_are_named(cdnow, setting, value, message):
    summary, gg = cdnow
    with pytest.raises(WorkbenchError, match=message):
        clv_interval(BetaGeoModel().fit(summary), gg, summary, horizon=39, **{setting: value})


def test_clv_table_adds_the_interval_columns():
    tx = load_cdnow(sample=True).transactions
    table, _, _ = clv_table(tx, calibration_end="1997-09-30", horizon=39, interval=0.8, draws=50, random_state=2)
    assert table.columns[-2:].tolist() == ["clv_lower", "clv_upper"]
    assert ((table["clv_lower"] <= table["clv"]) & (table["clv"] <= table["clv_upper"])).all()
    assert table.attrs["interval"] == {"interval": 0.8, "draws": 50, "random_state": 2, "rejected": 0}
    plain, _, _ = clv_table(tx, calibration_end="1997-09-30", horizon=39)
    assert "clv_lower" not in plain and plain.attrs["interval"] is None


def test_bgbb_and_observed_order_values_get_an_interval_too():
    """Observed order values are taken as known: the interval is the purchase model's alone."""
    tx = generate_sample(400, random_state=7)["transactions"]
    table, _, gg = clv_table(
        tx, calibration_end="2024-12-31", horizon=4, time_unit="Q", model="bgbb", interval=0.9, draws=50
    )
    assert gg is None and table.attrs["order_value_used"] == "observed"
    assert ((table["clv_lower"] <= table["clv"] + 1e-9) & (table["clv"] <= table["clv_upper"] + 1e-9)).all()
    ratio = table["clv_upper"] / table["expected_order_value"]
    assert ratio.nunique() < len(table)  # one interval of discounted purchases per distinct history


def test_expectations_that_are_not_finite_are_an_error_not_a_silent_nan(cdnow, monkeypatch):
    summary, gg = cdnow
    bg = BetaGeoModel().fit(summary)
    monkeypatch.setattr(BetaGeoModel, "_expected_purchases", lambda self, x, tx, T, t: np.full(len(x), np.nan))
    with pytest.raises(WorkbenchError, match="BetaGeoModel: the expected purchases are not finite for 20 parameter"):
        clv_interval(bg, gg, summary.head(5), horizon=3, draws=20)
