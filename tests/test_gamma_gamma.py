"""Gamma-Gamma: the published CDNOW figures and the shrinkage of expected order values."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.datasets.cdnow import calibration_summary
from segmentation.errors import WorkbenchError

# Fader and Hardie (2013), "The Gamma-Gamma model of monetary value": CDNOW sample,
# 946 customers with repeat purchases in the 39-week calibration period.
PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


@pytest.fixture(scope="module")
def fitted():
    summary = calibration_summary()
    return GammaGammaModel().fit(summary), summary


def test_reproduces_the_published_parameters(fitted):
    model, _ = fitted
    for name, value in PUBLISHED.items():
        assert model.params_[name] == pytest.approx(value, rel=0.005), name
    assert model.n_customers_ == 946 and model.n_excluded_ == 1411


def test_expected_value_shrinks_towards_the_population_mean(fitted):
    model, _ = fitted
    mean = model.population_mean_
    s = pd.DataFrame({"frequency": [0.0, 1, 10, 1], "monetary_value": [0.0, 200, 200, 5]})
    e = model.expected_order_value(s)
    assert e.iloc[0] == pytest.approx(mean)  # no repeats: the population mean
    assert mean < e.iloc[1] < e.iloc[2] < 200  # more orders seen, less shrinkage
    assert 5 < e.iloc[3] < mean


def test_too_few_repeat_customers_is_a_message():
    s = pd.DataFrame({"frequency": [0.0, 1.0], "monetary_value": [0.0, 10.0]})
    with pytest.raises(WorkbenchError, match="needs at least 2 customers with a repeat purchase"):
        GammaGammaModel().fit(s)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"initial": (1.0, 1.0, -2.0)},
            "The 'initial' parameter of GammaGammaModel must be None or 3 numbers > 0 (starting p, q, gamma). "
            "Got (1.0, 1.0, -2.0) instead.",
        ),
        ({"initial": (0.0, 1.0, 1.0, 1.0)}, "The 'initial' parameter of GammaGammaModel must be None or 3 numbers > 0"),
        ({"max_iter": -1}, "The 'max_iter' parameter of GammaGammaModel must be an int in the range [1, inf). Got -1"),
    ],
    ids=["initial-negative", "initial-length", "max_iter"],
)
def test_bad_parameters_are_named_before_fitting(fitted, params, message):
    _, summary = fitted
    with pytest.raises(ValueError, match=re.escape(message)):
        GammaGammaModel(**params).fit(summary)


def test_a_fit_that_does_not_converge_warns(fitted):
    model, summary = fitted
    assert model.converged_
    with pytest.warns(ConvergenceWarning, match="Gamma-Gamma did not converge after 5 iterations .*increase max_iter"):
        short = GammaGammaModel(max_iter=5).fit(summary)
    assert not short.converged_ and short.n_iter_ == 5
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert GammaGammaModel().fit(summary).converged_


def test_an_unconverged_fit_with_an_infinite_mean_says_why(fitted):
    _, summary = fitted
    with pytest.raises(WorkbenchError, match=r"q = 0\.390 <= 1.*stopped after 2 iterations, before converging"):
        GammaGammaModel(max_iter=2, initial=(1.0, 1.0, 1.0)).fit(summary)


def test_standard_errors_agree_with_an_independent_numerical_hessian(fitted):
    from scipy.optimize import approx_fprime

    from segmentation.btyd.gamma_gamma import _log_likelihood

    model, summary = fitted
    repeat = summary.loc[summary["frequency"] > 0]
    x, m = repeat["frequency"].to_numpy(float), repeat["monetary_value"].to_numpy(float)
    w = np.ones(len(x))
    p = np.array([model.params_[k] for k in ("p", "q", "gamma")])

    def gradient(q):
        return approx_fprime(q, lambda v: _log_likelihood(v, x, m, w), 1e-7 * q)

    h = 1e-4 * p
    hessian = np.column_stack(
        [(gradient(p + h[j] * np.eye(3)[j]) - gradient(p - h[j] * np.eye(3)[j])) / (2 * h[j]) for j in range(3)]
    )
    expected = np.sqrt(np.diag(np.linalg.inv(-(hessian + hessian.T) / 2)))
    np.testing.assert_allclose(list(model.standard_errors_.values()), expected, rtol=0.01)
    assert model.summary().index.tolist() == ["p", "q", "gamma"]
