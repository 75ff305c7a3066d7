"""The churn model: scikit-learn's API contract, calibration, parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import applicable_estimator_checks, check_name

from segmentation.churn.model import ChurnModel

_EVERY, _NOT_APPLICABLE, _APPLICABLE = applicable_estimator_checks(
    [ChurnModel(), ChurnModel(method="logistic"), ChurnModel(calibration=None)]
)


def test_only_the_array_api_check_is_left_out():
    left_out = {check_name(check) for _, check in _EVERY} - {check_name(c) for _, c in _APPLICABLE}
    assert left_out == _NOT_APPLICABLE
    assert len(_APPLICABLE) >= 3 * 45


@pytest.mark.parametrize(("estimator", "check"), _APPLICABLE, ids=lambda x: check_name(x) if callable(x) else repr(x))
def test_scikit_learn_api_contract(estimator, check):
    check(estimator)


def _noisy(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"days_since_last_order": rng.uniform(0, 300, n), "noise": rng.normal(size=n)})
    X.loc[rng.random(n) < 0.2, "noise"] = np.nan  # empty signals are allowed
    p = 1 / (1 + np.exp(-(X["days_since_last_order"] - 150) / 40))
    return X, rng.random(n) < p, p


@pytest.mark.parametrize("method", ["gradient_boosting", "logistic"])
def test_probabilities_are_calibrated(method):
    X, y, p_true = _noisy(8000)
    model = ChurnModel(method=method).fit(X.iloc[:4000], y[:4000])
    p = model.predict_proba(X.iloc[4000:])[:, 1]
    truth = p_true.iloc[4000:].to_numpy()
    assert np.abs(p - truth).mean() < 0.05  # close to the true probability, customer by customer
    bins = pd.qcut(p, 5, labels=False, duplicates="drop")  # and churn rates match per fifth of the list
    observed = pd.Series(y[4000:]).groupby(bins).mean()
    predicted = pd.Series(p).groupby(bins).mean()
    assert (observed - predicted).abs().max() < 0.05
    assert model.calibrated_ and model.base_rate_ == pytest.approx(y[:4000].mean())


def test_the_same_seed_gives_the_same_probabilities():
    X, y, _ = _noisy()
    a = ChurnModel(random_state=3).fit(X, y).predict_proba(X)
    b = ChurnModel(random_state=3).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_params_reach_the_underlying_model():
    X, y, _ = _noisy(500)
    model = ChurnModel(calibration=None, params={"max_iter": 7}).fit(X, y)
    assert model.estimator_.n_iter_ == 7 and not model.calibrated_


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "forest"}, "'method' parameter of ChurnModel must be one of"),
        ({"calibration": "platt"}, "'calibration' parameter of ChurnModel must be one of"),
        ({"cv": 1}, "'cv' parameter of ChurnModel must be an int >= 2"),
    ],
    ids=["method", "calibration", "cv"],
)
def test_bad_parameters_are_named(kwargs, match):
    X, y, _ = _noisy(200)
    with pytest.raises(ValueError, match=match):
        ChurnModel(**kwargs).fit(X, y)


def test_one_class_is_refused_with_a_message():
    X, _, _ = _noisy(100)
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        ChurnModel().fit(X, np.zeros(100, dtype=bool))
