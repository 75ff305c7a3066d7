"""The Gamma-Gamma model of average order value (Fader, Hardie and Lee 2005; Fader and Hardie 2013).

A customer's order values vary around their own mean; across customers that mean follows a
gamma distribution, so the expected value of a customer's next orders shrinks their observed
average towards the population's in proportion to how many repeat orders we saw. Fitted on
the customers with at least one repeat purchase (``frequency > 0``), with
``monetary_value`` = mean revenue of the repeat purchase days
(:func:`segmentation.features.btyd_summary`). The model assumes order value and frequency
are independent; check the correlation before relying on it.

Like :class:`~segmentation.btyd.bgnbd.BetaGeoModel`, :class:`GammaGammaModel` is a DataFrame
estimator: it takes a summary whose ``frequency`` and ``monetary_value`` columns are found by
name (other columns are allowed), refuses arrays and sparse matrices with a
:class:`~segmentation.errors.WorkbenchError` saying so, and records the summary's columns in
``feature_names_in_``. Its parameters are validated in ``fit`` (``initial`` three numbers
> 0, ``max_iter`` >= 1), and a fit that stops before converging warns with a
:class:`~sklearn.exceptions.ConvergenceWarning` (``converged_`` is then False).
tests/test_estimators.py runs every ``check_estimator`` check and fails if one of these
stops passing or one of the expected failures starts passing:

- met: check_estimator_cloneable, check_estimator_tags_renamed, check_valid_tag_types,
  check_estimator_repr, check_no_attributes_set_in_init, check_estimators_unfitted,
  check_do_not_raise_errors_in_init_or_set_params, check_mixin_order,
  check_estimator_sparse_tag, check_estimator_sparse_array, check_estimator_sparse_matrix,
  check_parameters_default_constructible, check_get_params_invariance, check_set_params,
  check_fit1d, check_fit_non_negative;
- not met, because they fit a numpy array (refused: no column names), as for
  :class:`~segmentation.btyd.bgnbd.BetaGeoModel`: check_fit_score_takes_y,
  check_estimators_overwrite_params, check_dont_overwrite_parameters,
  check_estimators_fit_returns_self, check_readonly_memmap_input,
  check_n_features_in_after_fitting, check_positive_only_tag_during_fit,
  check_estimators_dtypes, check_complex_data, check_dtype_object,
  check_estimators_empty_data_messages, check_estimators_nan_inf, check_pipeline_consistency,
  check_estimators_pickle (both), check_f_contiguous_array_estimator,
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
>>> model = GammaGammaModel().fit(summary)
>>> {k: round(v, 2) for k, v in model.params_.items()}
{'p': 6.25, 'q': 3.74, 'gamma': 15.44}
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from segmentation.btyd.bgnbd import check_summary
from segmentation.btyd.fitting import (
    check_initial,
    information_matrix,
    maximise,
    parameter_table,
    store_fit,
)
from segmentation.errors import InsufficientDataError, WorkbenchError

PARAMS = ("p", "q", "gamma")
#: What the shape parameters describe, for the message of a fit that cannot identify them.
SHAPES = {
    "p": "how order values vary around a customer's mean",
    "q": "how the customers' mean order values vary",
}
ADVICE = (
    "the average order values vary too little across customers for the model; "
    "use each customer's observed order value instead (order_value='observed')"
)


def _log_likelihood(params: np.ndarray, x: np.ndarray, m: np.ndarray, w: np.ndarray) -> float:
    p, q, g = params
    px = p * x
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(g + x * m)
    )
    return float(np.sum(w * ll))


def _log_likelihood_and_gradient(params: np.ndarray, x: np.ndarray, m: np.ndarray, w: np.ndarray):
    """The log-likelihood and its exact gradient in ``p, q, gamma`` (digamma terms)."""
    p, q, g = params
    px = p * x
    log_gxm = np.log(g + x * m)
    both = digamma(px + q)
    d_p = x * (both - digamma(px) + np.log(m) + np.log(x) - log_gxm)
    d_q = both - digamma(q) + np.log(g) - log_gxm
    d_g = q / g - (px + q) / (g + x * m)
    return _log_likelihood(params, x, m, w), np.array([np.sum(w * d) for d in (d_p, d_q, d_g)])


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma: expected average order value per customer.

    Parameters
    ----------
    initial : tuple of 3 floats, default None
        Starting ``p, q, gamma``, each > 0. None: from the data, ``p = 1``, ``q = 2`` (off the
        singularity of the mean at ``q = 1``) and ``gamma`` = the mean order value (in the
        currency of the data), so that the start mean is the observed one.
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``p, q, gamma``.
    standard_errors_ : dict
        Standard error of each parameter, from the Hessian of the log-likelihood at the optimum
        (NaN when the fit did not converge); :meth:`summary` adds the 95% intervals.
    covariance_ : ndarray of shape (3, 3)
        Their covariance matrix, in the order of ``params_``.
    log_likelihood_ : float
    n_customers_ : int
        Customers with a repeat purchase used in the fit.
    n_excluded_ : int
        Customers without a repeat purchase (or with a value of 0), not used; counted here.
    converged_ : bool
        Whether the optimiser converged (when not, ``fit`` warned).
    n_iter_ : int
        Iterations the optimiser ran.
    n_features_in_ : int
        Number of columns of the summary seen by ``fit``.
    feature_names_in_ : ndarray of str
        The columns of the summary seen by ``fit`` (two of them are used).

    Examples
    --------
    >>> GammaGammaModel(initial=(1, 1, -2)).fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [5.0, 9.0]}))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'initial' parameter of GammaGammaModel must be None or 3 numbers > 0 (starting p, q, gamma). Got (1, 1, -2) instead.
    """

    _parameter_constraints: dict = {
        "initial": ["array-like", None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, initial: tuple[float, float, float] | None = None, max_iter: int = 2000):
        self.initial = initial
        self.max_iter = max_iter

    def fit(self, summary: pd.DataFrame, y=None) -> GammaGammaModel:
        """Fit on a summary with ``frequency`` and ``monetary_value`` (customers without repeats are left out).

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
        start = check_initial(self, PARAMS)
        values = check_summary(summary, ("frequency", "monetary_value"))
        used = (values["frequency"] > 0) & (values["monetary_value"] > 0)
        if used.sum() < 2:
            raise InsufficientDataError(
                "summary: the Gamma-Gamma model needs at least 2 customers with a repeat purchase "
                f"and a positive monetary_value; found {int(used.sum())}"
            )
        spend = values.loc[used, "monetary_value"]
        if np.ptp(spend.to_numpy()) <= 1e-9 * spend.abs().max():
            raise InsufficientDataError(
                f"Gamma-Gamma: every customer's average order value is {spend.iloc[0]:g}, so the data shows no "
                f"spread in order values for the model to learn from; {ADVICE.split('; ')[1]}"
            )
        grouped = values.loc[used].groupby(["frequency", "monetary_value"]).size().reset_index(name="weight")
        x, m, w = (grouped[c].to_numpy(dtype=float) for c in ("frequency", "monetary_value", "weight"))
        total = w.sum()
        if start is None:
            start = np.array([1.0, 2.0, np.sum(w * m) / total])
        result = maximise(
            lambda p: _log_likelihood_and_gradient(p, x, m, w),
            start,
            model="Gamma-Gamma",
            initial=self.initial,
            total=total,
            penalizer=0.0,
            max_iter=self.max_iter,
            warn=False,  # after the check of q below, which says why when the fit stopped early
        )
        params = np.exp(result.x)
        if params[1] <= 1:
            why = (
                "too few repeat customers or order values far from gamma-shaped"
                if result.success
                else f"the optimiser stopped after {result.nit} iterations, before converging ({result.message}): "
                "increase max_iter or try other starting values (initial)"
            )
            raise WorkbenchError(
                f"Gamma-Gamma fit gave q = {params[1]:.3f} <= 1: the mean order value is not finite; {why}"
            )
        params = store_fit(
            self,
            result,
            model="Gamma-Gamma",
            names=PARAMS,
            shapes=SHAPES,
            advice=ADVICE,
            information=lambda q: information_matrix(lambda p: _log_likelihood_and_gradient(p, x, m, w)[1], q),
        )
        self.log_likelihood_ = _log_likelihood(params, x, m, w)
        validate_data(self, summary, reset=True, skip_check_array=True)  # n_features_in_, feature_names_in_
        self.n_customers_, self.n_excluded_ = int(used.sum()), int((~used).sum())
        return self

    def summary(self) -> pd.DataFrame:
        """Estimate, standard error and 95% interval of each parameter (see :mod:`segmentation.btyd.fitting`).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> GammaGammaModel().fit(calibration_summary()).summary().round(2)
                   estimate  standard_error  lower_95  upper_95
        parameter
        p              6.25            1.19      4.30      9.08
        q              3.74            0.29      3.22      4.36
        gamma         15.44            4.16      9.11     26.18
        """
        check_is_fitted(self)
        return parameter_table(self.params_, self.covariance_)

    def expected_order_value(self, summary: pd.DataFrame) -> pd.Series:
        """E[M | x, m]: the observed average shrunk towards the population mean; the population
        mean ``p gamma / (q - 1)`` for customers without repeats."""
        check_is_fitted(self)
        values = check_summary(summary, ("frequency", "monetary_value"))
        p, q, g = (self.params_[k] for k in PARAMS)
        x, m = values["frequency"].to_numpy(float), values["monetary_value"].to_numpy(float)
        expected = p * (g + x * m) / (p * x + q - 1)
        return pd.Series(expected, index=values.index, name="expected_order_value")

    @property
    def population_mean_(self) -> float:
        """Mean order value of the population, ``p gamma / (q - 1)``."""
        check_is_fitted(self)
        return self.params_["p"] * self.params_["gamma"] / (self.params_["q"] - 1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # counts and order values
        return tags


__all__ = ["ADVICE", "PARAMS", "SHAPES", "GammaGammaModel"]
