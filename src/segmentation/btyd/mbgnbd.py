"""The MBG/NBD model of repeat buying (Batislam, Denizel and Filiztekin 2007), fitted by maximum likelihood.

BG/NBD lets a customer drop out only just after a repeat purchase, so a customer without repeats
is alive for sure (P(alive) = 1). MBG/NBD adds a drop-out chance at the first purchase too:
while alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); at the first purchase
and after each one they drop out with probability p ~ Beta(a, b). A customer is summarised as
for :class:`~segmentation.btyd.bgnbd.BetaGeoModel`: ``frequency`` (x), ``recency`` (t_x), ``T``.

The likelihood (paper, equation 6) is

.. math:: L = \\frac{\\Gamma(r+x) \\alpha^r}{\\Gamma(r)} \\left[ \\frac{B(a, b+x+1)}{B(a, b)} \\frac{1}{(\\alpha+T)^{r+x}}
          + \\frac{B(a+1, b+x)}{B(a, b)} \\frac{1}{(\\alpha+t_x)^{r+x}} \\right]

(alive at T after x + 1 chances to leave, or gone at the last purchase), added in logs and
evaluated on the **distinct** ``(x, t_x, T)`` rows with their counts as weights, on the log
scale of the parameters with L-BFGS-B and the exact gradient (digamma terms). Standard errors
come from the Hessian, the central difference of that gradient (:mod:`segmentation.btyd.fitting`).

The predictions reuse BG/NBD's numerics: given alive at T, the posterior of p is Beta(a, b+x+1)
where BG/NBD's is Beta(a, b+x), so the expected purchases of an alive customer (and the log of
the odds of being gone) are BG/NBD's with ``b + 1`` in place of ``b``, including the
Euler-transformed hypergeometric term that stays finite for any frequency. A new customer is
alive after the first purchase with probability b / (a + b), so E[X(t)] (paper, equation 8) is
that times an alive customer's expectation with x = 0, T = 0 and ``b + 1``.

The paper's data set (a Turkish grocery chain's loyalty cards) is not public, so its estimates
cannot be reproduced here; tests/test_mbgnbd.py checks the likelihood, the expectations and
P(alive) against the paper's formulas written out independently (with 50-digit hypergeometric
functions), and the fit against lifetimes' ``ModifiedBetaGeoFitter`` on CDNOW.

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
>>> model = ModifiedBetaGeoModel().fit(calibration_summary())  # CDNOW sample, 39 weeks, weeks
>>> {k: round(v, 3) for k, v in model.params_.items()}
{'r': 0.525, 'alpha': 6.183, 'a': 0.891, 'b': 1.614}
>>> round(model.log_likelihood_, 1)  # BG/NBD: -9582.4
-9582.1
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, expit, gammaln
from scipy.stats import nbinom
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.bgnbd import (
    SUMMARY_COLUMNS,
    _check_counts,
    _log_odds_dead,
    _purchases_if_alive,
    check_repeat_buying,
    check_summary,
)
from segmentation.btyd.fitting import RepeatBuyingModel, information_matrix
from segmentation.errors import WorkbenchError

PARAMS = ("r", "alpha", "a", "b")
#: What each shape parameter describes, for the message of a fit that cannot identify it.
SHAPES = {"r": "how purchase rates vary across customers", "a": "drop-out", "b": "drop-out"}
ADVICE = "fit more customers or a longer calibration period, or shrink the parameters with penalizer > 0"


def _terms(params, x: np.ndarray, tx: np.ndarray, T: np.ndarray):
    r, alpha, a, b = params
    head = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = betaln(a, b + x + 1) - betaln(a, b) - (r + x) * np.log(alpha + T)
    gone = betaln(a + 1, b + x) - betaln(a, b) - (r + x) * np.log(alpha + tx)
    return head, alive, gone


def _log_likelihood(params, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray) -> float:
    head, alive, gone = _terms(params, x, tx, T)
    return float(np.sum(w * (head + np.logaddexp(alive, gone))))


def _log_likelihood_and_gradient(params, x, tx, T, w) -> tuple[float, np.ndarray]:
    """The log-likelihood and its exact gradient in ``r, alpha, a, b``."""
    r, alpha, a, b = params
    head, alive, gone = _terms(params, x, tx, T)
    both = np.logaddexp(alive, gone)
    w1, w2 = np.exp(alive - both), np.exp(gone - both)  # each term's share of the bracket
    abx = digamma(a + b + x + 1)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w1 * np.log(alpha + T) - w2 * np.log(alpha + tx)
    d_alpha = r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + tx))
    d_a = w1 * digamma(a) + w2 * digamma(a + 1) - abx - digamma(a) + digamma(a + b)
    d_b = w1 * digamma(b + x + 1) + w2 * digamma(b + x) - abx - digamma(b) + digamma(a + b)
    gradient = np.array([np.sum(w * d) for d in (d_r, d_alpha, d_a, d_b)])
    return float(np.sum(w * (head + both))), gradient


def _start(x: np.ndarray, T: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Start values from the data, on no singularity: r = 1, alpha = r / the mean purchase rate, a = 0.5, b = 2."""
    rate = np.sum(w * x) / max(np.sum(w * T), 1e-12)
    return np.array([1.0, 1.0 / max(rate, 1e-12), 0.5, 2.0])


class ModifiedBetaGeoModel(RepeatBuyingModel):
    """MBG/NBD: purchase counts and the probability that a customer is still alive, drop-out possible at once.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, >= 0 (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default None
        Starting ``r, alpha, a, b``, each > 0. None: from the data, ``r = 1``, ``alpha`` = 1 / the
        mean purchase rate, ``a = 0.5``, ``b = 2`` (off the singularity of the formulas at ``a = 1``).
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (the purchase rate's gamma distribution), ``a, b`` (the drop-out probability's beta).
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
    >>> ModifiedBetaGeoModel(max_iter=0).fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "T": [2.0]}))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'max_iter' parameter of ModifiedBetaGeoModel must be an int in the range [1, inf). Got 0 instead.
    """

    PARAMS = PARAMS
    SUMMARY_COLUMNS = SUMMARY_COLUMNS
    check_summary = staticmethod(check_summary)
    check_repeat_buying = staticmethod(check_repeat_buying)

    def fit(self, summary: pd.DataFrame, y=None) -> ModifiedBetaGeoModel:
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
        start, grouped, (x, tx, T, w) = self._histories(summary, "MBG/NBD")

        def value_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
            return _log_likelihood_and_gradient(p, x, tx, T, w)

        return self._fit_likelihood(
            summary,
            "MBG/NBD",
            histories=(x, tx, T, w),
            customers=len(grouped),
            start=_start(x, T, w) if start is None else start,
            value_and_gradient=value_and_gradient,
            log_likelihood=lambda p: _log_likelihood(p, x, tx, T, w),
            information=lambda q: information_matrix(lambda p: value_and_gradient(p)[1], q),
            shapes=SHAPES,
            advice=ADVICE,
        )

    def _shifted(self) -> tuple[float, float, float, float]:
        """The parameters with ``b + 1``: an alive customer's, in BG/NBD's formulas (module docstring)."""
        r, alpha, a, b = self._params()
        return r, alpha, a, b + 1

    def _probability_alive(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        return expit(-_log_odds_dead(self._shifted(), x, tx, T))

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive | x, t_x, T) per customer (paper, equation 12), below 1 also without repeats.

        ``1 / (1 + a / (b+x) ((alpha+T) / (alpha+t_x))^(r+x))``, from the log of the odds.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = ModifiedBetaGeoModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [0, 2, 2, 10_000], "recency": [0.0, 30, 10, 20], "T": [39.0, 39, 39, 39]})
        >>> model.probability_alive(s).round(3).tolist()
        [0.389, 0.698, 0.233, 0.0]
        """
        (x, tx, T), index = self._arrays(summary)
        return pd.Series(self._probability_alive(x, tx, T), index=index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, horizon: float) -> pd.Series:
        """Expected purchases in the next ``horizon`` time units per customer (paper, equation 13).

        ``P(alive) (a+b+x)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x+1; a+b+x; t/(alpha+T+t))]``,
        evaluated as BG/NBD's transformed form with ``b + 1``.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> model = ModifiedBetaGeoModel().fit(calibration_summary())
        >>> s = pd.DataFrame({"frequency": [2, 10_000], "recency": [30.0, 39], "T": [39.0, 39]})
        >>> model.expected_purchases(s, 52).round(2).tolist()
        [1.58, 7986.52]
        """
        if not (np.isfinite(horizon) and horizon >= 0):
            raise WorkbenchError(f"horizon must be a finite number >= 0 of time units, got {horizon!r}")
        arrays, index = self._arrays(summary)
        return pd.Series(self._expected_purchases(*arrays, float(horizon)), index=index, name="expected_purchases")

    def _expected_purchases(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, horizon: float) -> np.ndarray:
        return _purchases_if_alive(self._shifted(), x, T, horizon) * self._probability_alive(x, tx, T)

    def expected_repeat_purchases(self, t: np.ndarray | float) -> np.ndarray:
        """E[X(t)]: expected repeat purchases of a new customer within ``t`` of the first (paper, equation 8).

        ``b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]``.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> ModifiedBetaGeoModel().fit(calibration_summary()).expected_repeat_purchases([0, 39, 78]).round(3).tolist()
        [0.0, 1.182, 1.804]
        """
        check_is_fitted(self)
        t = np.asarray(t, dtype=float)
        if not (np.isfinite(t) & (t >= 0)).all():
            raise WorkbenchError("t must hold finite numbers >= 0 of time units")
        r, alpha, a, b = self._params()
        return b / (a + b) * _purchases_if_alive(self._shifted(), 0.0, 0.0, t)

    def probability_of_n_purchases(self, t: float, n: np.ndarray | int) -> np.ndarray:
        """P(X(t) = n): the probability that a new customer makes exactly ``n`` repeat purchases within ``t``.

        Alive after n + 1 chances to leave with n purchases, ``B(a, b+n+1)/B(a, b) NB(n; t)``, plus gone at
        the n-th purchase (or at the first, for n = 0) with at least n in t, ``B(a+1, b+n)/B(a, b) P(NB >= n)``,
        where NB is the negative binomial count of a gamma-Poisson buyer over t.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> ModifiedBetaGeoModel().fit(calibration_summary()).probability_of_n_purchases(39, [0, 1, 2]).round(3).tolist()
        [0.583, 0.183, 0.087]
        """
        check_is_fitted(self)
        n = _check_counts(t, n)
        r, alpha, a, b = self._params()
        p = alpha / (alpha + t)
        stays = np.exp(betaln(a, b + n + 1) - betaln(a, b) + nbinom.logpmf(n, r, p))
        leaves = np.exp(betaln(a + 1, b + n) - betaln(a, b)) * nbinom.sf(n - 1, r, p)
        return stays + leaves


__all__ = ["ADVICE", "PARAMS", "SHAPES", "ModifiedBetaGeoModel"]
