"""BG/NBD: the published CDNOW figures, weighting by unique rows, predictions' properties."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.datasets.cdnow import calibration_summary
from segmentation.errors import WorkbenchError

# Fader, Hardie and Lee (2005), "Counting your customers the easy way", CDNOW sample,
# 39-week calibration from 1997-01-01, weeks as the unit.
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4


@pytest.fixture(scope="module")
def cdnow_summary():
    return calibration_summary()


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return BetaGeoModel().fit(cdnow_summary)


def test_cdnow_summary_matches_the_paper_data(cdnow_summary):
    assert len(cdnow_summary) == 2357
    assert cdnow_summary.loc["00018", "T"] == pytest.approx(38.43, abs=0.01)
    assert int((cdnow_summary["frequency"] == 0).sum()) == 1411  # 60% made no repeat purchase


def test_reproduces_the_published_parameters(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.005), name
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LL, rel=0.005)
    assert fitted.converged_ and fitted.n_customers_ == 2357 and fitted.n_unique_ < 2357


def test_unique_rows_with_weights_equal_the_full_likelihood(cdnow_summary, fitted):
    from segmentation.btyd.bgnbd import _log_likelihood

    p = np.array([fitted.params_[k] for k in ("r", "alpha", "a", "b")])
    one_each = np.ones(len(cdnow_summary))
    full = _log_likelihood(p, *(cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T")), one_each)
    assert full == pytest.approx(fitted.log_likelihood_, rel=1e-12)


def test_row_order_does_not_matter(cdnow_summary, fitted):
    shuffled = BetaGeoModel().fit(cdnow_summary.sample(frac=1.0, random_state=1))
    assert shuffled.params_ == pytest.approx(fitted.params_, rel=1e-6)


def test_probability_alive_properties(fitted):
    s = pd.DataFrame({"frequency": [0.0, 5, 5, 5], "recency": [0.0, 38, 20, 5], "T": [39.0, 39, 39, 39]})
    alive = fitted.probability_alive(s)
    assert alive.iloc[0] == 1.0  # no repeat: never seen to drop out
    assert alive.iloc[1] > alive.iloc[2] > alive.iloc[3]  # longer silence, less likely alive
    assert ((alive > 0) & (alive <= 1)).all()


def test_expected_purchases(fitted):
    s = pd.DataFrame({"frequency": [2.0, 2.0], "recency": [30.0, 30.0], "T": [38.0, 38.0]})
    short, long = fitted.expected_purchases(s, 10).iloc[0], fitted.expected_purchases(s, 39).iloc[0]
    assert 0 < short < long
    assert fitted.expected_purchases(s, 0).iloc[0] == pytest.approx(0.0)
    # A new customer's expected repeat purchases grow with time from 0.
    curve = fitted.expected_repeat_purchases(np.array([0.0, 10, 39, 78]))
    assert curve[0] == pytest.approx(0.0) and (np.diff(curve) > 0).all()


def test_bad_summary_is_named():
    s = pd.DataFrame(
        {"frequency": [1.0, 0.0, 2.0], "recency": [5.0, 3.0, 50.0], "T": [10.0, 10.0, 40.0]}, index=["a", "b", "c"]
    )
    with pytest.raises(WorkbenchError) as err:
        BetaGeoModel().fit(s)
    assert "1 rows with recency after T (first: ['c'])" in str(err.value)
    assert "1 rows with recency > 0 but no repeat purchase (first: ['b'])" in str(err.value)
    with pytest.raises(WorkbenchError, match=r"missing columns \['T'\]"):
        BetaGeoModel().fit(s.drop(columns="T"))


@pytest.mark.parametrize("params", [(0.243, 4.414, 0.793, 2.426), (1.0, 1.0, 1.0, 1.0), (3.0, 20.0, 0.01, 1.5)])
def test_the_exact_gradient_matches_finite_differences(params):
    """fit uses the exact gradient; it must be the derivative of the log-likelihood it maximises."""
    from scipy.optimize import approx_fprime

    from segmentation.btyd.bgnbd import _log_likelihood, _log_likelihood_and_gradient

    s = calibration_summary()
    x, tx, T = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.arange(len(x)) % 3 + 1.0  # weights, as for the distinct histories
    p = np.array(params)
    value, gradient = _log_likelihood_and_gradient(p, x, tx, T, w)
    assert value == pytest.approx(_log_likelihood(p, x, tx, T, w), rel=1e-12)
    numeric = approx_fprime(p, lambda q: _log_likelihood(q, x, tx, T, w), 1e-6 * p)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-2)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"penalizer": -5},
            "The 'penalizer' parameter of BetaGeoModel must be a float in the range [0.0, inf). Got -5 instead.",
        ),
        (
            {"initial": (1.0, -1.0, 1.0, 1.0)},
            "The 'initial' parameter of BetaGeoModel must be None or 4 numbers > 0 (starting r, alpha, a, b). "
            "Got (1.0, -1.0, 1.0, 1.0) instead.",
        ),
        (
            {"initial": (1.0, 1.0, 1.0)},
            "The 'initial' parameter of BetaGeoModel must be None or 4 numbers > 0 (starting r, alpha, a, b). "
            "Got (1.0, 1.0, 1.0) instead.",
        ),
        ({"initial": (1.0, 0.0, 1.0, np.nan)}, "The 'initial' parameter of BetaGeoModel must be None or 4 numbers > 0"),
        (
            {"initial": "ones"},
            "The 'initial' parameter of BetaGeoModel must be an array-like or None. Got 'ones' instead.",
        ),
        ({"max_iter": 0}, "The 'max_iter' parameter of BetaGeoModel must be an int in the range [1, inf). Got 0"),
    ],
    ids=["penalizer", "initial-negative", "initial-length", "initial-nan", "initial-text", "max_iter"],
)
def test_bad_parameters_are_named_before_fitting(cdnow_summary, params, message):
    """Before, penalizer=-5 or a negative start ended in 'BG/NBD did not converge: ABNORMAL'."""
    with pytest.raises(ValueError, match=re.escape(message)):
        BetaGeoModel(**params).fit(cdnow_summary)


def test_a_fit_that_does_not_converge_warns(cdnow_summary):
    with pytest.warns(ConvergenceWarning, match="BG/NBD did not converge after 2 iterations .*increase max_iter"):
        model = BetaGeoModel(max_iter=2).fit(cdnow_summary)
    assert not model.converged_ and model.n_iter_ == 2


def test_the_published_fit_converges_without_a_warning(cdnow_summary):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = BetaGeoModel().fit(cdnow_summary)
    assert model.converged_ and 1 < model.n_iter_ < model.max_iter


def test_starting_values_where_the_likelihood_fails_are_an_error_not_a_fit(cdnow_summary):
    with pytest.raises(WorkbenchError, match=r"likelihood cannot be evaluated from initial=\(1e\+200.*other starting"):
        BetaGeoModel(initial=(1e200, 1e200, 1e200, 1e200)).fit(cdnow_summary)


def numerical_hessian(function, params: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Second central differences of ``function`` (the log-likelihood's values only), steps relative to each parameter."""
    n = len(params)
    h = step * params
    hessian = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            corners = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                p = params.copy()
                p[i] += si * h[i]
                p[j] += sj * h[j]
                corners.append(function(p))
            hessian[i, j] = (corners[0] - corners[1] - corners[2] + corners[3]) / (4 * h[i] * h[j])
    return hessian


def test_standard_errors_agree_with_an_independent_numerical_hessian(cdnow_summary, fitted):
    from segmentation.btyd.bgnbd import _log_likelihood

    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    w = np.ones(len(x))
    p = np.array([fitted.params_[k] for k in ("r", "alpha", "a", "b")])
    cov = np.linalg.inv(-numerical_hessian(lambda q: _log_likelihood(q, x, tx, T, w), p))
    expected = np.sqrt(np.diag(cov))
    np.testing.assert_allclose(list(fitted.standard_errors_.values()), expected, rtol=0.01)
    np.testing.assert_allclose(fitted.covariance_, cov, rtol=0.01, atol=1e-6)
    table = fitted.summary()
    assert table.index.tolist() == ["r", "alpha", "a", "b"]
    assert table.columns.tolist() == ["estimate", "standard_error", "lower_95", "upper_95"]
    assert (table["lower_95"] < table["estimate"]).all() and (table["estimate"] < table["upper_95"]).all()
    # The interval is exp(log(theta) +- 1.96 se / theta): symmetric on the log scale.
    np.testing.assert_allclose(
        np.log(table["upper_95"] / table["estimate"]), 1.959964 * table["standard_error"] / table["estimate"], rtol=1e-6
    )


def test_a_fit_that_did_not_converge_has_no_standard_errors(cdnow_summary):
    with pytest.warns(ConvergenceWarning, match="have no standard errors"):
        model = BetaGeoModel(max_iter=2).fit(cdnow_summary)
    assert np.isnan(list(model.standard_errors_.values())).all() and model.summary()["standard_error"].isna().all()


@pytest.mark.parametrize("t", [0.0, 1.0, 39.0, 78.0])
def test_probability_of_n_purchases_is_a_distribution_with_the_expected_mean(fitted, t):
    n = np.arange(0, 600)
    p = fitted.probability_of_n_purchases(t, n)
    assert (p >= 0).all() and p.sum() == pytest.approx(1.0, abs=1e-10)
    assert (n * p).sum() == pytest.approx(float(fitted.expected_repeat_purchases(t)), rel=1e-9, abs=1e-12)


def test_probability_of_n_purchases_refuses_fractions(fitted):
    with pytest.raises(WorkbenchError, match=r"n must hold whole numbers of purchases >= 0, got \[1\.5\]"):
        fitted.probability_of_n_purchases(39, [1.5])
