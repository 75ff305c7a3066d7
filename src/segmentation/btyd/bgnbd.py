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
``ValueError``): ``penalizer`` >= 0, ``initial`` None or four numbers > 0, ``max_iter`` >= 1.

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

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.integrate import quad
from scipy.special import betaln, digamma, expit, gammaln
from scipy.stats import nbinom
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.fitting import (
    RepeatBuyingModel,
    information_matrix,
)
from segmentation.btyd.special import hyp2f1_minus_one
from segmentation.errors import InsufficientDataError, WorkbenchError

SUMMARY_COLUMNS = ("frequency", "recency", "T")
PARAMS = ("r", "alpha", "a", "b")
#: What each shape parameter describes, for the message of a fit that cannot identify it.
SHAPES = {"r": "how purchase rates vary across customers", "a": "drop-out", "b": "drop-out"}
#: What to do about a fit the data cannot identify.
ADVICE = "fit more customers or a longer calibration period, or shrink the parameters with penalizer > 0"


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


def check_repeat_buying(model: str, values: pd.DataFrame) -> None:
    """Refuse a summary no buy-till-you-die model can learn from: no customer, one, or no repeat purchase.

    Without a repeat purchase the likelihood does not depend on the drop-out parameters at all,
    and the purchase rate runs off to 0; a single customer cannot show how customers differ.

    Examples
    --------
    >>> check_repeat_buying("BG/NBD", pd.DataFrame({"frequency": [0.0, 0.0], "recency": [0.0, 0.0], "T": [5.0, 9.0]}))
    Traceback (most recent call last):
    ...
    segmentation.errors.InsufficientDataError: BG/NBD: no customer made a repeat purchase (frequency is 0 for all 2 customers), so the data cannot show how often customers buy again or when they stop; use a longer calibration period or more customers
    """
    if len(values) == 0:
        raise InsufficientDataError(f"{model}: the summary has no customers to fit")
    if len(values) == 1:
        raise InsufficientDataError(
            f"{model}: a single customer cannot show how purchase rates and drop-out vary across customers; "
            "the model needs a customer base (many customers, some with repeat purchases)"
        )
    if not (values["frequency"] > 0).any():
        raise InsufficientDataError(
            f"{model}: no customer made a repeat purchase (frequency is 0 for all {len(values)} customers), "
            "so the data cannot show how often customers buy again or when they stop; "
            "use a longer calibration period or more customers"
        )


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


def _purchases_if_alive(params, x: np.ndarray, T: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Expected purchases in (T, T + t] of a customer alive at T with x repeats (equation 10 without P(alive)).

    The paper's form, (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z)] with
    z = t/(alpha+T+t), overflows for large x: the 2F1 grows like (1-z)^-(r+x) while the power
    shrinks like (1-z)^(r+x). Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)
    cancels the two exactly: the bracket is 1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose
    2F1 tends to 1 as x grows. It is computed as -expm1((a-1) log(1-z) + log1p(2F1 - 1)), exact at
    small z (where 2F1 is below 1/2, as 1 - (1-z)^(a-1) 2F1). At a = 1 (and at a + b = 1 without repeats) the formula is 0/0 with a finite limit: there
    the mean of the values at the parameter +- 1e-5 is used (error ~1e-10).
    """
    r, alpha, a, b = params
    x, T, t = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, T, t)))
    if abs(a - 1) < 1e-6:
        return 0.5 * sum(_purchases_if_alive((r, alpha, a + d, b), x, T, t) for d in (-1e-5, 1e-5))
    c = a + b + x - 1
    pole = np.abs(c) < 1e-6  # only without repeats, when a + b is 1
    if pole.any():
        out = np.empty(x.shape)
        out[~pole] = _purchases_if_alive(params, x[~pole], T[~pole], t[~pole])
        out[pole] = 0.5 * sum(
            _purchases_if_alive((r, alpha, a, b + d), x[pole], T[pole], t[pole]) for d in (-1e-5, 1e-5)
        )
        return out
    z = t / (alpha + T + t)
    power = (a - 1) * np.log1p(-z)
    excess = hyp2f1_minus_one(a + b - 1 - r, a - 1, c, z)  # 2F1 - 1
    near = excess > -0.5  # 2F1 > 0.5: in logs, exact where the bracket is small; else no cancellation to fear
    bracket = np.where(near, -np.expm1(power + np.log1p(np.where(near, excess, 0.0))), 1 - np.exp(power) * (1 + excess))
    out = c / (a - 1) * bracket
    for i in np.flatnonzero(~np.isfinite(out)):  # 2F1 out of reach (c > 50 and z within 1e-3 of 1): integrate
        out.flat[i] = _purchases_by_integral(params, x.flat[i], T.flat[i], t.flat[i])
    return out


def _purchases_by_integral(params, x: float, T: float, t: float) -> float:
    """E[purchases in t | alive at T] as an integral over the drop-out probability p ~ Beta(a, b + x).

    Given p and a rate lambda ~ Gamma(r + x, alpha + T), the purchases are (1 - E[exp(-lambda p t)]) / p.
    """
    r, alpha, a, b = params
    log_norm = betaln(a, b + x)

    def integrand(p: float) -> float:
        gain = -np.expm1(-(r + x) * np.log1p(p * t / (alpha + T)))
        return gain / p * np.exp((a - 1) * np.log(p) + (b + x - 1) * np.log1p(-p) - log_norm)

    mean = a / (a + b + x)
    points = [v for v in (mean, 10 * mean, 100 * mean) if v < 1]
    return quad(integrand, 0, 1, points=points, epsabs=0, epsrel=1e-11, limit=400)[0]


def _log_odds_dead(params, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log(P(dead) / P(alive)) for customers with repeats: log(a / (b+x-1)) + (r+x) log((alpha+T)/(alpha+tx))."""
    r, alpha, a, b = params
    return np.log(a) - np.log(b + x - 1) + (r + x) * np.log1p((T - tx) / (alpha + tx))


def _check_counts(t: float, n) -> np.ndarray:
    """``n`` as a float array of whole numbers >= 0, after checking ``t`` (a finite time >= 0)."""
    if not (np.isfinite(t) and t >= 0):
        raise WorkbenchError(f"t must be a finite number >= 0 of time units, got {t!r}")
    counts = np.asarray(n, dtype=float)
    if not (np.isfinite(counts) & (counts >= 0) & (counts == np.round(counts))).all():
        raise WorkbenchError(f"n must hold whole numbers of purchases >= 0, got {n!r}")
    return counts


def _start(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Start values from the data, on no singularity: r = 1, alpha = r / the mean purchase rate, a = 0.5, b = 2."""
    rate = np.sum(w * x) / max(np.sum(w * T), 1e-12)
    return np.array([1.0, 1.0 / max(rate, 1e-12), 0.5, 2.0])


class BetaGeoModel(RepeatBuyingModel):
    """BG/NBD: purchase counts and the probability that a customer is still alive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, >= 0 (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default None
        Starting ``r, alpha, a, b``, each > 0. None: from the data, ``r = 1``, ``alpha`` = 1 / the
        mean purchase rate (so that it suits any time unit), ``a = 0.5``, ``b = 2`` (off the
        singularity of the formulas at ``a = 1``).
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    standard_errors_ : dict
        Standard error of each parameter, from the Hessian of the log-likelihood at the optimum
        (NaN when the fit did not converge); :meth:`summary` adds the 95% intervals.
    covariance_ : ndarray of shape (4, 4)
        Their covariance matrix (inverse of the observed information), in the order of ``params_``.
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

    PARAMS = PARAMS
    SUMMARY_COLUMNS = SUMMARY_COLUMNS
    check_summary = staticmethod(check_summary)
    check_repeat_buying = staticmethod(check_repeat_buying)

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

        Raises
        ------
        InsufficientDataError
            No repeat purchase at all, a single customer, or parameters the data cannot identify
            (they run off to the edge of the parameter space, or the likelihood is flat at its maximum).

        Warns
        -----
        ConvergenceWarning
            When the optimiser stopped before converging (``converged_`` is then False).
        """
        start, grouped, (x, tx, T, w) = self._histories(summary, "BG/NBD")

        def value_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
            return _log_likelihood_and_gradient(p, x, tx, T, w)

        return self._fit_likelihood(
            summary,
            "BG/NBD",
            histories=(x, tx, T, w),
            customers=len(grouped),
            start=_start(x, T, w) if start is None else start,
            value_and_gradient=value_and_gradient,
            log_likelihood=lambda p: _log_likelihood(p, x, tx, T, w),
            information=lambda q: information_matrix(lambda p: value_and_gradient(p)[1], q),
            shapes=SHAPES,
            advice=ADVICE,
        )

    def _probability_alive(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        alive = np.ones(len(x))
        repeat = x > 0
        alive[repeat] = expit(-_log_odds_dead(self._params(), x[repeat], tx[repeat], T[repeat]))
        return alive

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) per customer (1 for customers without repeats, as in the paper).

        Computed from the log of the odds, so a customer with a huge frequency who has been silent
        long gets 0 without overflowing.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = BetaGeoModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [0, 2, 2, 10_000], "recency": [0.0, 30, 10, 20], "T": [39.0, 39, 39, 39]})
        >>> model.probability_alive(s).round(3).tolist()
        [1.0, 0.72, 0.267, 0.0]
        """
        (x, tx, T), index = self._arrays(summary)
        return pd.Series(self._probability_alive(x, tx, T), index=index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, horizon: float) -> pd.Series:
        """Expected purchases in the next ``horizon`` time units per customer (equation 10).

        Finite for any frequency: see ``_purchases_if_alive`` for the transformed form that is
        evaluated (agreeing with 50-digit references to 1e-10 up to 10,000 repeat purchases).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = BetaGeoModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [2, 10_000], "recency": [30.0, 39], "T": [39.0, 39]})
        >>> model.expected_purchases(s, 52).round(2).tolist()
        [1.54, 8552.82]
        """
        if not (np.isfinite(horizon) and horizon >= 0):
            raise WorkbenchError(f"horizon must be a finite number >= 0 of time units, got {horizon!r}")
        arrays, index = self._arrays(summary)
        return pd.Series(self._expected_purchases(*arrays, float(horizon)), index=index, name="expected_purchases")

    def _expected_purchases(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, horizon: float) -> np.ndarray:
        return _purchases_if_alive(self._params(), x, T, horizon) * self._probability_alive(x, tx, T)

    def expected_repeat_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer within ``t`` of the first (eq. 9).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> BetaGeoModel().fit(calibration_summary()).expected_repeat_purchases([0, 39, 78]).round(3).tolist()
        [0.0, 1.195, 1.858]
        """
        check_is_fitted(self)
        t = np.asarray(t, dtype=float)
        if not (np.isfinite(t) & (t >= 0)).all():
            raise WorkbenchError("t must hold finite numbers >= 0 of time units")
        return _purchases_if_alive(self._params(), 0.0, 0.0, t)

    def probability_of_n_purchases(self, t: float, n: np.ndarray | int) -> np.ndarray:
        """P(X(t) = n): the probability that a new customer makes exactly ``n`` repeat purchases within ``t`` (eq. 8).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> BetaGeoModel().fit(calibration_summary()).probability_of_n_purchases(39, [0, 1, 2]).round(3).tolist()
        [0.574, 0.199, 0.085]
        """
        check_is_fitted(self)
        n = _check_counts(t, n)
        r, alpha, a, b = self._params()
        p = alpha / (alpha + t)
        stays = np.exp(betaln(a, b + n) - betaln(a, b) + nbinom.logpmf(n, r, p))
        with np.errstate(invalid="ignore"):  # b + n - 1 < 0 only where n = 0, which has no second term
            leaves = np.where(n > 0, np.exp(betaln(a + 1, b + n - 1) - betaln(a, b)) * nbinom.sf(n - 1, r, p), 0.0)
        return stays + leaves


__all__ = ["ADVICE", "PARAMS", "SHAPES", "SUMMARY_COLUMNS", "BetaGeoModel", "check_repeat_buying", "check_summary"]
