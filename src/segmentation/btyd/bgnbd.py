"""The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005), fitted by maximum likelihood.

While alive, a customer buys at a Poisson rate lambda ~ Gamma(r, alpha); after each purchase
they drop out with probability p ~ Beta(a, b). A customer is summarised by ``frequency`` (x,
repeat purchases), ``recency`` (t_x, first to last purchase) and ``T`` (first purchase to the
end of the calibration period), all in one time unit
(:func:`segmentation.features.btyd_summary`).

The closed-form log-likelihood (paper, equation 6) is evaluated on the **unique**
``(x, t_x, T)`` rows with their counts as weights, so a million customers with a few
thousand distinct histories fit in seconds. Parameters are optimised on the log scale with
L-BFGS-B (scipy).

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
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segmentation.errors import WorkbenchError

SUMMARY_COLUMNS = ("frequency", "recency", "T")
PARAMS = ("r", "alpha", "a", "b")


def check_summary(summary: pd.DataFrame, columns: tuple[str, ...] = SUMMARY_COLUMNS) -> pd.DataFrame:
    """Refuse a summary with missing columns, negative or impossible values, naming the rows."""
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


class BetaGeoModel(BaseEstimator):
    """BG/NBD: purchase counts and the probability that a customer is still alive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default (1, 1, 1, 1)
        Starting ``r, alpha, a, b``.

    Attributes
    ----------
    params_ : dict
        ``r, alpha, a, b``.
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (without the penalty).
    n_customers_, n_unique_ : int
        Customers fitted, and distinct ``(frequency, recency, T)`` rows evaluated.
    """

    def __init__(self, penalizer: float = 0.0, initial: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)):
        self.penalizer = penalizer
        self.initial = initial

    def fit(self, summary: pd.DataFrame, y=None) -> BetaGeoModel:
        """Fit on a summary with ``frequency, recency, T`` (one row per customer)."""
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

        result = minimize(
            objective,
            np.log(np.asarray(self.initial, dtype=float)),
            method="L-BFGS-B",
            jac=True,
            options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-9},
        )
        if not result.success and not np.isfinite(result.fun):
            raise WorkbenchError(f"BG/NBD did not converge: {result.message}")
        params = np.exp(result.x)
        self.params_ = dict(zip(PARAMS, (float(v) for v in params), strict=True))
        self.log_likelihood_ = _log_likelihood(params, x, tx, T, w)
        self.n_customers_, self.n_unique_ = int(total), len(grouped)
        self.converged_ = bool(result.success)
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


__all__ = ["PARAMS", "SUMMARY_COLUMNS", "BetaGeoModel", "check_summary"]
