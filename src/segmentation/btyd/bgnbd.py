"""The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005), fitted by maximum likelihood.

While alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase
they drop out with probability p ~ Beta(a, b). A customer is summarised by ``frequency`` (x,
repeat purchases), ``recency`` (t_x, first to last purchase) and ``T`` (first purchase to the
end of the calibration period), all in one time unit
(:func:`segmentation.features.btyd_summary`).

The closed-form log-likelihood (paper, equation 6) is evaluated on the **unique**
``(x, t_x, T)`` rows with their counts as weights, so a million customers with a few
thousand distinct histories fit in seconds. Parameters are optimised on the log scale with
L-BFGS-B (scipy); when it stops before converging (``max_iter`` reached, or a line search
that cannot progress) the model warns with a :class:`~sklearn.exceptions.ConvergenceWarning`
and ``converged_`` is False.

A DataFrame estimator
---------------------
:class:`BetaGeoModel` is fitted on a summary, one row per customer, whose columns are found
by name: ``frequency``, ``recency`` and ``T`` (:func:`segmentation.features.btyd_summary`;
other columns such as ``monetary_value`` are allowed). The three are different quantities
with constraints between them (``recency <= T``, no recency without a repeat purchase), so
a position-based numpy array would be an invitation to swap two of them silently: arrays
and sparse matrices are refused with a :class:`~segmentation.errors.WorkbenchError` that
says what is expected. ``feature_names_in_`` and ``n_features_in_`` are the columns of the
summary seen by ``fit``; the prediction methods take any summary holding the three columns.
The parameters are validated in ``fit`` (scikit-learn's ``InvalidParameterError``, a
``ValueError``): ``penalizer`` >= 0, ``initial`` four numbers > 0, ``max_iter`` >= 1.

scikit-learn has no tag for "needs named columns" (``two_d_array=False`` would make
``check_estimator`` skip every check, hiding the ones that pass); the tags say
``positive_only`` (counts and durations are never negative). tests/test_estimators.py runs
every ``check_estimator`` check and fails if one of these stops passing or one of the
expected failures starts passing:

- met: check_estimator_cloneable, check_estimator_tags_renamed, check_valid_tag_types,
  check_estimator_repr, check_no_attributes_set_in_init, check_estimators_unfitted,
  check_do_not_raise_errors_in_init_or_set_params, check_mixin_order,
  check_estimator_sparse_tag, check_estimator_sparse_array, check_estimator_sparse_matrix,
  check_parameters_default_constructible, check_get_params_invariance, check_set_params,
  check_fit1d, check_fit_non_negative;
- not met, because they fit a numpy array (refused: no column names):
  check_fit_score_takes_y, check_estimators_overwrite_params,
  check_dont_overwrite_parameters, check_estimators_fit_returns_self,
  check_readonly_memmap_input, check_n_features_in_after_fitting,
  check_positive_only_tag_during_fit, check_estimators_dtypes, check_complex_data,
  check_dtype_object, check_estimators_empty_data_messages, check_estimators_nan_inf,
  check_pipeline_consistency, check_estimators_pickle (both), check_f_contiguous_array_estimator,
  check_methods_sample_order_invariance, check_methods_subset_invariance,
  check_fit2d_1sample, check_fit2d_1feature, check_dict_unchanged, check_fit_idempotent,
  check_fit_check_is_fitted, check_n_features_in, check_fit2d_predict1d;
- not applicable: check_array_api_input (numpy only; scikit-learn skips it).

The parts of the contract those checks would cover are tested on summaries instead
(tests/test_estimators.py): clone, get/set params, fit returns self and leaves its
parameters and input alone, refitting gives the same result, the not-fitted error, pickling,
row order, ``feature_names_in_``.

Examples
--------
>>> from segmentation.datasets.cdnow import calibration_summary
>>> summary = calibration_summary()  # CDNOW sample, 39 weeks from 1997-01-01, weeks
>>> model = BetaGeoModel().fit(summary)
>>> {k: round(v, 3) for k, v in model.params_.items()}
{'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
>>> round(model.log_likelihood_, 1)
-9582.4
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, InvalidParameterError
from sklearn.utils.validation import check_is_fitted, validate_data

from segmentation.errors import WorkbenchError

SUMMARY_COLUMNS = ("frequency", "recency", "T")
PARAMS = ("r", "alpha", "a", "b")


def check_summary(summary: pd.DataFrame, columns: tuple[str, ...] = SUMMARY_COLUMNS) -> pd.DataFrame:
    """Refuse a summary that is not a DataFrame, lacks columns, or has negative or impossible values, naming the rows.

    Returns the ``columns`` as floats.

    Examples
    --------
    >>> check_summary(pd.DataFrame({"frequency": [2], "recency": [5.0], "T": [10.0]})).dtypes.tolist()
    [dtype('float64'), dtype('float64'), dtype('float64')]
    >>> check_summary(np.ones((2, 3)))
    Traceback (most recent call last):
    ...
    segmentation.errors.WorkbenchError: summary: expected a pandas DataFrame with the columns ['frequency', 'recency', 'T'] (see segmentation.features.btyd_summary), got ndarray; an array has no column names
    """
    expected = f"a pandas DataFrame with the columns {list(columns)} (see segmentation.features.btyd_summary)"
    if sparse.issparse(summary):
        raise WorkbenchError(
            f"summary: sparse input is not supported; expected {expected}, got {type(summary).__name__}"
        )
    if not isinstance(summary, pd.DataFrame):
        raise WorkbenchError(
            f"summary: expected {expected}, got {type(summary).__name__}; an array has no column names"
        )
    missing = [c for c in columns if c not in summary]
    if missing:
        raise WorkbenchError(
            f"summary: missing columns {missing}; expected {list(columns)} (see segmentation.features.btyd_summary)"
        )
    values = summary[list(columns)].astype(float)
    problems = []
    bad = values.isna().any(axis=1) | (values < 0).any(axis=1)
    if bad.any():
        problems.append(f"{int(bad.sum())} rows with an empty or negative value (first: {list(values.index[bad][:5])})")
    if {"recency", "T"} <= set(columns):
        late = values["recency"] > values["T"] + 1e-9
        if late.any():
            problems.append(f"{int(late.sum())} rows with recency after T (first: {list(values.index[late][:5])})")
        no_repeat = (values["frequency"] == 0) & (values["recency"] > 0)
        if no_repeat.any():
            problems.append(
                f"{int(no_repeat.sum())} rows with recency > 0 but no repeat purchase "
                f"(first: {list(values.index[no_repeat][:5])})"
            )
    if problems:
        raise WorkbenchError("summary: " + "; ".join(problems))
    return values


def _terms(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray):
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    term1 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    term2 = np.full_like(term1, -np.inf)
    term2[repeat] = betaln(a + 1, b + x[repeat] - 1) - betaln(a, b) - (r + x[repeat]) * np.log(alpha + tx[repeat])
    return a1, term1, term2, repeat


def _log_likelihood(params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    a1, term1, term2, _ = _terms(params, x, tx, T)
    return float(np.sum(w * (a1 + np.logaddexp(term1, term2))))


def _log_likelihood_and_gradient(params: np.ndarray, x, tx, T, w) -> tuple[float, np.ndarray]:
    """The log-likelihood and its exact gradient in ``r, alpha, a, b`` (digamma terms; paper, equation 6)."""
    r, alpha, a, b = params
    a1, term1, term2, repeat = _terms(params, x, tx, T)
    both = np.logaddexp(term1, term2)
    w1, w2 = np.exp(term1 - both), np.exp(term2 - both)  # the weight of each term; w2 = 0 without repeats
    base_a, base_b = digamma(a) - digamma(a + b), digamma(b) - digamma(a + b)
    abx = digamma(a + b + x)
    log_t, log_tx = np.log(alpha + T), np.log(alpha + tx)
    xm1 = np.where(repeat, x - 1, 0.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w1 * log_t - w2 * log_tx
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + tx))
    d_a = w1 * (digamma(a) - abx - base_a) + w2 * (digamma(a + 1) - abx - base_a)
    d_b = w1 * (digamma(b + x) - abx - base_b) + w2 * (np.where(repeat, digamma(b + xm1), 0.0) - abx - base_b)
    gradient = np.array([np.sum(w * d) for d in (d_r, d_alpha, d_a, d_b)])
    return float(np.sum(w * (a1 + both))), gradient


def _check_initial(estimator: BaseEstimator, names: tuple[str, ...]) -> np.ndarray:
    """The ``initial`` parameter of ``estimator`` as positive floats, one per name in ``names``.

    Raises scikit-learn's ``InvalidParameterError`` (a ``ValueError``) naming the parameter.

    Examples
    --------
    >>> _check_initial(BetaGeoModel(initial=(1, -1, 1, 1)), PARAMS)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'initial' parameter of BetaGeoModel must be 4 numbers > 0 (starting r, alpha, a, b). Got (1, -1, 1, 1) instead.
    """
    value = estimator.initial
    try:
        start = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        start = None
    if start is None or start.shape != (len(names),) or not (np.isfinite(start) & (start > 0)).all():
        raise InvalidParameterError(
            f"The 'initial' parameter of {type(estimator).__name__} must be {len(names)} numbers > 0 "
            f"(starting {', '.join(names)}). Got {value!r} instead."
        )
    return start


def _warn_not_converged(model: str, result, max_iter: int) -> None:
    """A ``ConvergenceWarning`` for an optimiser ``result`` that did not converge."""
    hint = "increase max_iter" if result.nit >= max_iter else "try other starting values (initial)"
    warnings.warn(
        f"{model} did not converge after {result.nit} iterations ({result.message}); "
        f"the parameters are the last iterate, not a maximum of the likelihood: {hint}",
        ConvergenceWarning,
        stacklevel=3,
    )


class BetaGeoModel(BaseEstimator):
    """BG/NBD: purchase counts and the probability that a customer is still alive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, >= 0 (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default (1, 1, 1, 1)
        Starting ``r, alpha, a, b``, each > 0.
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (without the penalty).
    n_customers_, n_unique_ : int
        Customers fitted, and distinct ``(frequency, recency, T)`` rows evaluated.
    converged_ : bool
        Whether the optimiser converged (when not, ``fit`` warned).
    n_iter_ : int
        Iterations the optimiser ran.
    n_features_in_ : int
        Number of columns of the summary seen by ``fit``.
    feature_names_in_ : ndarray of str
        The columns of the summary seen by ``fit`` (three of them are used).

    Examples
    --------
    >>> BetaGeoModel(penalizer=-5).fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'penalizer' parameter of BetaGeoModel must be a float in the range [0.0, inf). Got -5 instead.
    """

    _parameter_constraints: dict = {
        "penalizer": [Interval(Real, 0, None, closed="left")],
        "initial": ["array-like"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        penalizer: float = 0.0,
        initial: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0),
        max_iter: int = 2000,
    ):
        self.penalizer = penalizer
        self.initial = initial
        self.max_iter = max_iter

    def fit(self, summary: pd.DataFrame, y=None) -> BetaGeoModel:
        """Fit on a summary with ``frequency, recency, T`` (one row per customer).

        Parameters
        ----------
        summary : DataFrame
            One row per customer, the columns found by name (others are ignored).
        y : ignored

        Returns
        -------
        self

        Warns
        -----
        ConvergenceWarning
            When the optimiser stopped before converging (``converged_`` is then False).
        """
        self._validate_params()
        start = _check_initial(self, PARAMS)
        values = check_summary(summary)
        if len(values) == 0:
            raise WorkbenchError("summary: no customers to fit")
        grouped = values.groupby(list(SUMMARY_COLUMNS)).size().reset_index(name="weight")
        x, tx, T, w = (grouped[c].to_numpy(dtype=float) for c in (*SUMMARY_COLUMNS, "weight"))
        total = w.sum()

        def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
            params = np.exp(log_params)
            ll, gradient = _log_likelihood_and_gradient(params, x, tx, T, w)
            value = -ll / total + self.penalizer * np.sum(params**2)
            return value, (-gradient / total + 2 * self.penalizer * params) * params  # chain rule: d/d log p = p d/dp

        # Steps that overflow are rejected by the line search; a result that is not finite is an error below.
        with np.errstate(over="ignore", invalid="ignore"):
            result = minimize(
                objective,
                np.log(start),
                method="L-BFGS-B",
                jac=True,
                options={"maxiter": self.max_iter, "ftol": 1e-12, "gtol": 1e-9},
            )
        if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
            raise WorkbenchError(
                f"BG/NBD: the likelihood cannot be evaluated from initial={self.initial!r} ({result.message}); "
                "try other starting values"
            )
        if not result.success:
            _warn_not_converged("BG/NBD", result, self.max_iter)
        validate_data(self, summary, reset=True, skip_check_array=True)  # n_features_in_, feature_names_in_
        params = np.exp(result.x)
        self.params_ = dict(zip(PARAMS, (float(v) for v in params), strict=True))
        self.log_likelihood_ = _log_likelihood(params, x, tx, T, w)
        self.n_customers_, self.n_unique_ = int(total), len(grouped)
        self.converged_ = bool(result.success)
        self.n_iter_ = int(result.nit)
        return self

    def _arrays(self, summary: pd.DataFrame):
        check_is_fitted(self)
        values = check_summary(summary)
        return [values[c].to_numpy(dtype=float) for c in SUMMARY_COLUMNS], values.index

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) per customer (1 for customers without repeats, as in the paper)."""
        (x, tx, T), index = self._arrays(summary)
        r, alpha, a, b = (self.params_[k] for k in PARAMS)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_ratio = np.log(a) - np.log(b + x - 1) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        odds = np.where(x > 0, np.exp(log_ratio), 0.0)
        return pd.Series(1.0 / (1.0 + odds), index=index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, horizon: float) -> pd.Series:
        """Expected purchases in the next ``horizon`` time units per customer (equation 10)."""
        if not horizon >= 0:
            raise WorkbenchError(f"horizon must be >= 0 time units, got {horizon!r}")
        (x, tx, T), index = self._arrays(summary)
        r, alpha, a, b = (self.params_[k] for k in PARAMS)
        t = float(horizon)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
        first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
        alive = self.probability_alive(summary).to_numpy()
        return pd.Series(first * alive, index=index, name="expected_purchases")

    def expected_repeat_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer within ``t`` of the first (eq. 9)."""
        check_is_fitted(self)
        r, alpha, a, b = (self.params_[k] for k in PARAMS)
        t = np.asarray(t, dtype=float)
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # counts and durations
        return tags


__all__ = ["PARAMS", "SUMMARY_COLUMNS", "BetaGeoModel", "check_summary"]
