"""RFMScorer, BetaGeoModel, GammaGammaModel, ParetoNBDModel, ModifiedBetaGeoModel and BetaGeoBetaBinomModel: DataFrame estimators, and the scikit-learn contract they meet.

They find their columns by name and refuse numpy arrays (see the note in each module's
docstring). scikit-learn's ``check_estimator`` checks feed arrays, so most of them cannot
pass: every check still runs here. A check not listed in :data:`EXPECTED_FAILED` must pass;
a listed one must fail, and for the reason given (the array refused), so the list cannot go
stale in either direction. The parts of the contract those checks cover are then tested on
DataFrames, the input these estimators take.
"""

from __future__ import annotations

import inspect
import pickle
import re

import numpy as np
import pandas as pd
import pytest
from conftest import applicable_estimator_checks, check_name
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.bgbb import BetaGeoBetaBinomModel
from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.datasets.cdnow import calibration_summary
from segmentation.datasets.donations import load_donations
from segmentation.errors import WorkbenchError
from segmentation.value.rfm import RFMScorer

#: The checks that fit a numpy array, the same for the three estimators.
ARRAY_CHECKS = [
    "check_fit_score_takes_y",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_n_features_in_after_fitting",
    "check_estimators_dtypes",
    "check_dtype_object",
    "check_pipeline_consistency",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_fit2d_predict1d",
]
ARRAY = "fits a numpy array; the estimator finds its columns by name, so it refuses arrays (tested on DataFrames below)"
#: Checks that fit an array to see a particular refusal: ours comes first and says an array has no column names.
PARTICULAR = {
    "check_complex_data": "wants 'Complex data not supported' for a complex array; the array is refused first",
    "check_estimators_empty_data_messages": (
        "an empty array is refused with a ValueError as it wants, but for a 12x0 array it wants scikit-learn's "
        "'0 feature(s)' message; the array is refused first (a frame without the columns is refused, naming them)"
    ),
    "check_estimators_nan_inf": (
        "wants a message about NaN or inf for an array holding them; the array is refused first "
        "(NaN in a frame is refused, naming the column or the rows)"
    ),
    "check_fit2d_1sample": "wants a message about one sample for a one-row array; the array is refused first",
    "check_positive_only_tag_during_fit": "fits an array of negative values; the array is refused first",
}
TRANSFORMER_CHECKS = ["check_transformer_data_not_an_array", "check_transformer_general"]
#: For each estimator, every scikit-learn check it does not meet, and why.
EXPECTED_FAILED = {
    "RFMScorer": {**dict.fromkeys(ARRAY_CHECKS + TRANSFORMER_CHECKS, ARRAY), **PARTICULAR},
    "BetaGeoModel": {**dict.fromkeys(ARRAY_CHECKS, ARRAY), **PARTICULAR},
    "GammaGammaModel": {**dict.fromkeys(ARRAY_CHECKS, ARRAY), **PARTICULAR},
    "ParetoNBDModel": {**dict.fromkeys(ARRAY_CHECKS, ARRAY), **PARTICULAR},
    "ModifiedBetaGeoModel": {**dict.fromkeys(ARRAY_CHECKS, ARRAY), **PARTICULAR},
    "BetaGeoBetaBinomModel": {**dict.fromkeys(ARRAY_CHECKS, ARRAY), **PARTICULAR},
}
#: The words of the refusal every expected failure must come from.
REFUSAL = "an array has no column names"

ESTIMATORS = [
    RFMScorer(),
    BetaGeoModel(),
    GammaGammaModel(),
    ParetoNBDModel(),
    ModifiedBetaGeoModel(),
    BetaGeoBetaBinomModel(),
]
_EVERY, _NOT_APPLICABLE, _APPLICABLE = applicable_estimator_checks(ESTIMATORS)


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


@pytest.mark.parametrize(("estimator", "check"), _APPLICABLE, ids=lambda x: check_name(x) if callable(x) else repr(x))
def test_scikit_learn_checks(estimator, check):
    """A check not in EXPECTED_FAILED passes; one in it fails because the array was refused."""
    reason = EXPECTED_FAILED[type(estimator).__name__].get(check_name(check))
    if reason is None:
        check(estimator)
        return
    with pytest.raises(Exception) as info:  # any failure; its cause is asserted below
        check(estimator)
    refused = [e for e in _chain(info.value) if isinstance(e, WorkbenchError) and REFUSAL in str(e)]
    assert refused, f"{check_name(check)} failed for another reason than {reason!r}: {info.value!r}"


def test_every_expected_failure_is_a_check_that_runs():
    for estimator in ESTIMATORS:
        names = {check_name(c) for e, c in _APPLICABLE if e is estimator}
        assert set(EXPECTED_FAILED[type(estimator).__name__]) <= names
        assert len(names) - len(EXPECTED_FAILED[type(estimator).__name__]) >= 15  # met: see the module docstrings
    assert {check_name(c) for _, c in _EVERY} - {check_name(c) for _, c in _APPLICABLE} == _NOT_APPLICABLE


def _section(doc: str, start: str, end: str) -> set[str]:
    text = doc.split(start, 1)[1].split(end, 1)[0]
    return set(re.findall(r"check_\w+", text))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_the_module_docstring_lists_the_checks_met_and_not_met(estimator):
    """The note in each module's docstring says which checks pass and which do not: it must stay true."""
    doc = inspect.getmodule(type(estimator)).__doc__
    names = {check_name(c) for e, c in _APPLICABLE if e is estimator}
    not_met = set(EXPECTED_FAILED[type(estimator).__name__])
    assert _section(doc, "- met:", "- not met") == names - not_met
    assert _section(doc, "- not met", "- not applicable") == not_met
    assert _section(doc, "- not applicable", "\n\n") == _NOT_APPLICABLE


# ---------------------------------------------------------------------------------------------------------------
# The contract on DataFrames: what the array-fed checks above cannot show.


def _customers(n=120, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id_number": np.arange(n),
            "rfm_recency_days": rng.integers(0, 400, n).astype(float),
            "purchase_days": rng.integers(1, 12, n).astype(float),
            "monetary_total": rng.lognormal(6, 1, n),
            "region": rng.choice(["north", "south"], n),
        },
        index=[f"C{i:03d}" for i in range(n)],
    )


def _donors() -> pd.DataFrame:
    """A BG/BB summary: every fourth donor of the donations data (counts of opportunities, not durations)."""
    return load_donations().iloc[::4]


@pytest.fixture(scope="module")
def summary() -> pd.DataFrame:
    return calibration_summary()


#: For each estimator: a frame for fit (by fixture name or builder), its output methods, and a parameter to set.
CASES = {
    "RFMScorer": (RFMScorer(), {"transform": lambda m, X: m.transform(X)}, ("n_bins", 4)),
    "BetaGeoModel": (
        BetaGeoModel(),
        {
            "probability_alive": lambda m, X: m.probability_alive(X),
            "expected_purchases": lambda m, X: m.expected_purchases(X, 10),
        },
        ("penalizer", 0.001),
    ),
    "GammaGammaModel": (
        GammaGammaModel(),
        {"expected_order_value": lambda m, X: m.expected_order_value(X)},
        ("max_iter", 500),
    ),
    "ParetoNBDModel": (
        ParetoNBDModel(),
        {
            "probability_alive": lambda m, X: m.probability_alive(X),
            "expected_purchases": lambda m, X: m.expected_purchases(X, 10),
        },
        ("penalizer", 0.001),
    ),
    "ModifiedBetaGeoModel": (
        ModifiedBetaGeoModel(),
        {
            "probability_alive": lambda m, X: m.probability_alive(X),
            "expected_purchases": lambda m, X: m.expected_purchases(X, 10),
        },
        ("penalizer", 0.001),
    ),
    "BetaGeoBetaBinomModel": (
        BetaGeoBetaBinomModel(),
        {
            "probability_alive": lambda m, X: m.probability_alive(X),
            "expected_purchases": lambda m, X: m.expected_purchases(X, 5),
        },
        ("penalizer", 0.001),
    ),
}
NAMES = list(CASES)


@pytest.fixture(params=NAMES)
def case(request, summary):
    estimator, methods, param = CASES[request.param]
    X = {"RFMScorer": _customers(), "BetaGeoBetaBinomModel": _donors()}.get(request.param, summary)
    return clone(estimator), X, methods, param


def _outputs(model, X, methods) -> dict:
    return {name: method(model, X) for name, method in methods.items()}


def _assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        if isinstance(a[name], pd.DataFrame):
            pd.testing.assert_frame_equal(a[name], b[name])
        else:
            pd.testing.assert_series_equal(a[name], b[name])


def test_clone_and_params(case):
    estimator, X, _, (param, value) = case
    params = estimator.get_params()
    copy = clone(estimator)
    assert copy is not estimator and copy.get_params() == params
    assert copy.set_params(**{param: value}) is copy and copy.get_params()[param] == value
    assert estimator.get_params() == params  # the original is untouched
    with pytest.raises(ValueError, match="Invalid parameter"):
        copy.set_params(no_such_parameter=1)
    fitted = clone(estimator).fit(X)
    check_is_fitted(fitted)
    unfitted = clone(fitted)  # a clone has the parameters, not the fitted state
    assert unfitted.get_params() == params
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted)


def test_fit_returns_self_and_leaves_parameters_and_input_alone(case):
    estimator, X, _, _ = case
    before, params = X.copy(), estimator.get_params()
    assert estimator.fit(X) is estimator
    pd.testing.assert_frame_equal(X, before)
    assert estimator.get_params() == params
    assert not {k for k in vars(estimator) if not k.endswith("_") and not k.startswith("_")} - set(params)


def test_not_fitted_error_before_fit(case):
    estimator, X, methods, _ = case
    for method in methods.values():
        with pytest.raises(NotFittedError):
            method(estimator, X)


def test_refit_gives_the_same_model(case):
    estimator, X, methods, _ = case
    first = _outputs(clone(estimator).fit(X), X, methods)
    model = clone(estimator).fit(X)
    model.fit(X)
    _assert_same(first, _outputs(model, X, methods))


def test_pickle_round_trip(case):
    estimator, X, methods, _ = case
    model = estimator.fit(X)
    again = pickle.loads(pickle.dumps(model))
    _assert_same(_outputs(model, X, methods), _outputs(again, X, methods))


def test_row_order_and_subsets_change_nothing(case):
    estimator, X, methods, _ = case
    model = estimator.fit(X)
    whole = _outputs(model, X, methods)
    shuffled = X.sample(frac=1.0, random_state=0)
    _assert_same(whole, {k: v.loc[X.index] for k, v in _outputs(model, shuffled, methods).items()})
    half = X.iloc[::2]
    _assert_same({k: v.loc[half.index] for k, v in whole.items()}, _outputs(model, half, methods))


def test_feature_names_are_the_fitted_frames_columns(case):
    estimator, X, _, _ = case
    model = estimator.fit(X)
    assert isinstance(model.feature_names_in_, np.ndarray) and model.feature_names_in_.dtype == object
    assert model.feature_names_in_.tolist() == X.columns.tolist()
    assert model.n_features_in_ == X.shape[1]


def test_outputs_take_the_columns_by_name(case):
    """Other columns, in another order, or missing: only the named ones matter after fit."""
    estimator, X, methods, _ = case
    model = estimator.fit(X)
    reordered = X[X.columns[::-1]].assign(unrelated=1.0)
    _assert_same(_outputs(model, X, methods), _outputs(model, reordered, methods))


@pytest.mark.parametrize("kind", ["ndarray", "sparse"])
def test_arrays_are_refused_with_what_is_expected(case, kind):
    estimator, X, _, _ = case
    numbers = X.select_dtypes("number").to_numpy()
    data = numbers if kind == "ndarray" else sparse.csr_array(numbers)
    words = REFUSAL if kind == "ndarray" else "sparse input is not supported"
    with pytest.raises(WorkbenchError, match=rf"pandas DataFrame with the columns \[.*{words}|{words}.*DataFrame"):
        estimator.fit(data)


def test_rfm_feature_names_out_and_pipeline():
    X = _customers()
    scorer = RFMScorer().fit(X)
    assert scorer.get_feature_names_out().tolist() == ["r_score", "f_score", "m_score", "rfm"]
    assert scorer.get_feature_names_out(X.columns).tolist() == ["r_score", "f_score", "m_score", "rfm"]
    with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
        scorer.get_feature_names_out(["a", "b", "c"])
    with pytest.raises(NotFittedError):
        RFMScorer().get_feature_names_out()
    pd.testing.assert_frame_equal(make_pipeline(RFMScorer()).fit_transform(X), scorer.transform(X))
