"""The Pareto/NBD model of repeat buying (Schmittlein, Morrison and Colombo 1987), fitted by maximum likelihood.

While alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); their lifetime is
exponential with rate mu ~ Gamma(s, beta), so unlike BG/NBD a customer can drop out at any
moment, not only just after a purchase. A customer is summarised as for
:class:`~segmentation.btyd.bgnbd.BetaGeoModel`: ``frequency`` (x), ``recency`` (t_x) and ``T``.

The likelihood (Fader and Hardie 2005, "A Note on Deriving the Pareto/NBD Model and Related
Expressions", equations 22-24) is

.. math:: L = \\frac{\\Gamma(r+x) \\alpha^r \\beta^s}{\\Gamma(r)} \\left[ \\frac{1}{(\\alpha+T)^{r+x} (\\beta+T)^s}
          + \\frac{s}{r+s+x} A_0 \\right]

where :math:`A_0` is a difference of two Gauss hypergeometric terms, one at t_x and one at T,
written with the larger of alpha and beta. In the case alpha < beta the printed
:math:`{}_2F_1(r+s+x, r+x; r+s+x+1; z)` grows like :math:`(1-z)^{-(r+x)}` and overflows for large
x; Euler's transformation turns both cases into :math:`(1-z)^{1-b} {}_2F_1(1, r+s+x+1-b; r+s+x+1; z)`,
a series of positive terms bounded by :math:`1/(1-z)`, and everything is added in logs. It is
evaluated on the **unique** ``(x, t_x, T)`` rows with their counts as weights, on the log scale
of the parameters with L-BFGS-B, its gradient by central differences (the derivatives of
:math:`{}_2F_1` in its parameters have no closed form in scipy). Standard errors come from a
numerical Hessian of the log-likelihood (:mod:`segmentation.btyd.fitting`).

It meets scikit-learn's estimator contract as :class:`~segmentation.btyd.bgnbd.BetaGeoModel`
does, on the same summary frames. scikit-learn has no tag for "needs named columns" (``two_d_array=False`` would make
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

Examples
--------
>>> from segmentation.datasets.cdnow import calibration_summary
>>> model = ParetoNBDModel().fit(calibration_summary())  # CDNOW sample, 39 weeks, weeks
>>> {k: round(v, 4) for k, v in model.params_.items()}  # published: 0.5534, 10.5802, 0.6061, 11.6562
{'r': 0.5533, 'alpha': 10.5777, 's': 0.6062, 'beta': 11.6687}
>>> round(model.log_likelihood_, 1)
-9595.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.integrate import quad
from scipy.special import expit, gammaln
from scipy.stats import nbinom
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.bgnbd import SUMMARY_COLUMNS, _check_counts, check_repeat_buying, check_summary
from segmentation.btyd.fitting import (
    RepeatBuyingModel,
    information_matrix,
    numerical_gradient,
)
from segmentation.btyd.special import hyp2f1_one
from segmentation.errors import WorkbenchError

PARAMS = ("r", "alpha", "s", "beta")
#: What each shape parameter describes, for the message of a fit that cannot identify it.
SHAPES = {"r": "how purchase rates vary across customers", "s": "how lifetimes vary across customers"}
ADVICE = "fit more customers or a longer calibration period, or shrink the parameters with penalizer > 0"


def _log_term(params, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log of the hypergeometric term of A_0 at time y (t_x or T), Euler-transformed (module docstring)."""
    r, alpha, s, beta = params
    rsx = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + y)
        # 2F1(rsx, s+1; rsx+1; z) = (1-z)^-s 2F1(1, r+x; rsx+1; z), 1 - z = (beta+y)/(alpha+y)
        return (
            -s * (np.log(beta + y) - np.log(alpha + y))
            + np.log(hyp2f1_one(r + x, rsx + 1, z))
            - rsx * np.log(alpha + y)
        )
    z = (beta - alpha) / (beta + y)
    # 2F1(rsx, r+x; rsx+1; z) = (1-z)^(1-r-x) 2F1(1, s+1; rsx+1; z), 1 - z = (alpha+y)/(beta+y)
    return (
        (1 - r - x) * (np.log(alpha + y) - np.log(beta + y))
        + np.log(hyp2f1_one(s + 1, rsx + 1, z))
        - rsx * np.log(beta + y)
    )


def _log_parts(params, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The logs of the two terms in the bracket of L: alive at T, and dropped out between t_x and T."""
    r, alpha, s, beta = params
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    at_tx, at_T = _log_term(params, x, tx), _log_term(params, x, T)
    with np.errstate(divide="ignore"):  # A_0 = 0 when t_x = T: log 0 = -inf, which logaddexp takes
        log_a0 = at_tx + np.log(-np.expm1(np.minimum(at_T - at_tx, 0.0)))
    return alive, np.log(s) - np.log(r + s + x) + log_a0


def _log_likelihood(params, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    r, alpha, s, beta = params
    alive, dead = _log_parts(params, x, tx, T)
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return float(np.sum(w * (head + np.logaddexp(alive, dead))))


def _ratio(k: float, u: np.ndarray) -> np.ndarray:
    """(1 - exp(-k u)) / k, and its limit u at k = 0 (the lifetime shape s = 1)."""
    if abs(k) < 1e-8:
        return u * (1 - k * u / 2)
    return -np.expm1(-k * u) / k


def _start(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Start values from the data: r = 1, alpha = r / the mean purchase rate, s = 0.5, beta = the mean T."""
    rate = np.sum(w * x) / max(np.sum(w * T), 1e-12)
    return np.array([1.0, 1.0 / max(rate, 1e-12), 0.5, max(np.sum(w * T) / np.sum(w), 1e-3)])


class ParetoNBDModel(RepeatBuyingModel):
    """Pareto/NBD: purchase counts and the probability that a customer is still alive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, >= 0 (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default None
        Starting ``r, alpha, s, beta``, each > 0. None: from the data (``r = 1``, ``alpha`` = 1 /
        the mean purchase rate, ``s = 0.5``, ``beta`` = the mean ``T``).
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, s, beta``.
    standard_errors_ : dict
        Standard error of each parameter (NaN when the fit did not converge); :meth:`summary`
        adds the 95% intervals.
    covariance_ : ndarray of shape (4, 4)
        Their covariance matrix, in the order of ``params_``.
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (without the penalty).
    n_customers_, n_unique_ : int
        Customers fitted, and distinct ``(frequency, recency, T)`` rows evaluated.
    converged_ : bool
        Whether the optimiser converged (when not, ``fit`` warned).
    n_iter_ : int
        Iterations the optimiser ran.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> ParetoNBDModel(initial=(1, 1, 1)).fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'initial' parameter of ParetoNBDModel must be None or 4 numbers > 0 (starting r, alpha, s, beta). Got (1, 1, 1) instead.
    """

    PARAMS = PARAMS
    SUMMARY_COLUMNS = SUMMARY_COLUMNS
    check_summary = staticmethod(check_summary)
    check_repeat_buying = staticmethod(check_repeat_buying)

    def fit(self, summary: pd.DataFrame, y=None) -> ParetoNBDModel:
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
            No repeat purchase at all, a single customer, or parameters the data cannot identify.

        Warns
        -----
        ConvergenceWarning
            When the optimiser stopped before converging (``converged_`` is then False).
        """
        start, grouped, (x, tx, T, w) = self._histories(summary, "Pareto/NBD")

        def log_likelihood(p: np.ndarray) -> float:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                value = _log_likelihood(p, x, tx, T, w)
            return value if np.isfinite(value) else -np.inf

        def value_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
            return log_likelihood(p), numerical_gradient(log_likelihood, p)

        return self._fit_likelihood(
            summary,
            "Pareto/NBD",
            histories=(x, tx, T, w),
            customers=len(grouped),
            start=_start(x, T, w) if start is None else start,
            value_and_gradient=value_and_gradient,
            log_likelihood=lambda p: _log_likelihood(p, x, tx, T, w),
            information=lambda q: information_matrix(None, q, log_likelihood=log_likelihood, step=1e-4),
            shapes=SHAPES,
            advice=ADVICE,
        )

    def _probability_alive(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            alive, dead = _log_parts(self._params(), x, tx, T)
        return expit(alive - dead)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) per customer (Fader and Hardie 2005, equation 18).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = ParetoNBDModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [0, 2, 2, 10_000], "recency": [0.0, 30, 10, 20], "T": [39.0, 39, 39, 39]})
        >>> model.probability_alive(s).round(3).tolist()  # without repeats, alive with probability 0.29 after 39 weeks
        [0.294, 0.858, 0.267, 0.0]
        """
        (x, tx, T), index = self._arrays(summary)
        return pd.Series(self._probability_alive(x, tx, T), index=index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, horizon: float) -> pd.Series:
        """Expected purchases in the next ``horizon`` time units per customer (Fader and Hardie 2005, equation 27).

        ``P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]``, with its
        limit at ``s = 1``.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = ParetoNBDModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [2, 10_000], "recency": [30.0, 39], "T": [39.0, 39]})
        >>> model.expected_purchases(s, 52).round(2).tolist()
        [1.82, 8321.2]
        """
        if not (np.isfinite(horizon) and horizon >= 0):
            raise WorkbenchError(f"horizon must be a finite number >= 0 of time units, got {horizon!r}")
        arrays, index = self._arrays(summary)
        return pd.Series(self._expected_purchases(*arrays, float(horizon)), index=index, name="expected_purchases")

    def _expected_purchases(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, horizon: float) -> np.ndarray:
        r, alpha, s, beta = self._params()
        rate = (r + x) / (alpha + T) * (beta + T)
        return rate * _ratio(s - 1, np.log1p(horizon / (beta + T))) * self._probability_alive(x, tx, T)

    def expected_repeat_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer within ``t`` of the first (equation 17).

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> ParetoNBDModel().fit(calibration_summary()).expected_repeat_purchases([0, 39, 78]).round(3).tolist()
        [0.0, 1.213, 1.91]
        """
        check_is_fitted(self)
        t = np.asarray(t, dtype=float)
        if not (np.isfinite(t) & (t >= 0)).all():
            raise WorkbenchError("t must hold finite numbers >= 0 of time units")
        r, alpha, s, beta = self._params()
        return r * beta / alpha * _ratio(s - 1, np.log1p(t / beta))

    def probability_of_n_purchases(self, t: float, n: np.ndarray | int) -> np.ndarray:
        """P(X(t) = n): the probability that a new customer makes exactly ``n`` repeat purchases within ``t``.

        Computed from its mixture form: alive all along, ``NB(n; t) (beta/(beta+t))^s``, plus dropped
        out at tau in (0, t), ``int_0^t NB(n; tau) s beta^s / (beta+tau)^(s+1) d tau``, where
        ``NB(n; tau)`` is the negative binomial count of a gamma-Poisson buyer over tau.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> ParetoNBDModel().fit(calibration_summary()).probability_of_n_purchases(39, [0, 1, 2]).round(3).tolist()
        [0.594, 0.166, 0.083]
        """
        check_is_fitted(self)
        n = _check_counts(t, n)
        r, alpha, s, beta = self._params()

        def log_count(k: float, tau: float) -> float:
            return nbinom.logpmf(k, r, alpha / (alpha + tau))

        def dropped(k: float) -> float:
            def integrand(tau: float) -> float:
                return np.exp(log_count(k, tau) + np.log(s) + s * np.log(beta) - (s + 1) * np.log(beta + tau))

            return quad(integrand, 0, t, epsabs=1e-14, epsrel=1e-10, limit=200)[0] if t > 0 else 0.0

        out = np.array([np.exp(log_count(k, t) + s * np.log(beta / (beta + t))) + dropped(k) for k in n.ravel()])
        return out.reshape(n.shape)


__all__ = ["ADVICE", "PARAMS", "SHAPES", "ParetoNBDModel"]
