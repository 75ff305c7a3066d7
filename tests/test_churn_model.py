"""The churn model: scikit-learn's API contract, calibration, parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import applicable_estimator_checks, check_name
from sklearn.utils.estimator_checks import check_classifiers_train
from threadpoolctl import threadpool_limits

from segmentation.churn.model import ChurnModel

#: scikit-learn's checks run on small configurations: 10 boosting iterations instead of 300. The contract they
#: test (shapes, classes, errors, pickling, parameters, row order, ...) does not depend on the number of trees;
#: how well the default model learns does, and test_the_default_model_learns_at_full_size checks it.
SMALL = {"max_iter": 10}
ESTIMATORS = [ChurnModel(params=SMALL), ChurnModel(method="logistic"), ChurnModel(calibration=None, params=SMALL)]
_EVERY, _NOT_APPLICABLE, _APPLICABLE = applicable_estimator_checks(ESTIMATORS)


def test_only_the_array_api_check_is_left_out():
    left_out = {check_name(check) for _, check in _EVERY} - {check_name(c) for _, c in _APPLICABLE}
    assert left_out == _NOT_APPLICABLE
    assert len(_APPLICABLE) >= 3 * 45


def test_the_small_configurations_run_every_check_of_the_default_model():
    """Small settings change the time a check takes, not which checks run."""
    _, _, default = applicable_estimator_checks([ChurnModel()])
    names = [check_name(c) for _, c in default]
    for small in ESTIMATORS:
        assert [check_name(c) for e, c in _APPLICABLE if e is small] == names


# One OpenMP thread for the checks: each check makes hundreds of fits on ~100 rows, and on a busy 2-core
# machine the two threads of every tiny parallel loop of the gradient boosting wait for each other; one
# thread is about 25 times faster there (and gives the same model).
@pytest.mark.parametrize(("estimator", "check"), _APPLICABLE, ids=lambda x: check_name(x) if callable(x) else repr(x))
def test_scikit_learn_api_contract(estimator, check):
    with threadpool_limits(limits=1):
        check(estimator)


def test_the_default_model_learns_at_full_size():
    """The one full-size check: the default model (300 iterations, isotonic calibration on 3 folds) fits,
    predicts and gives probabilities as scikit-learn's classifier contract asks, and is accurate on blobs."""
    with threadpool_limits(limits=1):
        check_classifiers_train("ChurnModel", ChurnModel())


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
