"""The Gamma-Gamma model of average order value (Fader, Hardie and Lee 2005; Fader and Hardie 2013).

A customer's order values vary around their own mean; across customers that mean follows a
gamma distribution, so the expected value of a customer's next orders shrinks their observed
average towards the population's in proportion to how many repeat orders we saw. Fitted on
the customers with at least one repeat purchase (``frequency > 0``), with
``monetary_value`` = mean revenue of the repeat purchase days
(:func:`segmentation.features.btyd_summary`). The model assumes order value and frequency
are independent; check the correlation before relying on it.

Examples
--------
>>> from segmentation.datasets.cdnow import calibration_summary
>>> summary = calibration_summary()  # CDNOW sample, 39 weeks from 1997-01-01, weeks
>>> model = GammaGammaModel().fit(summary)
>>> {k: round(v, 2) for k, v in model.params_.items()}
{'p': 6.25, 'q': 3.74, 'gamma': 15.44}
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.bgnbd import check_summary
from segmentation.errors import WorkbenchError

PARAMS = ("p", "q", "gamma")


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


class GammaGammaModel(BaseEstimator):
    """Gamma-Gamma: expected average order value per customer.

    Parameters
    ----------
    initial : tuple of 3 floats, default (1, 1, 1)
        Starting ``p, q, gamma``.

    Attributes
    ----------
    params_ : dict
        ``p, q, gamma``.
    log_likelihood_ : float
    n_customers_ : int
        Customers with a repeat purchase used in the fit.
    n_excluded_ : int
        Customers without a repeat purchase (or with a value of 0), not used; counted here.
    """

    def __init__(self, initial: tuple[float, float, float] = (1.0, 1.0, 1.0)):
        self.initial = initial

    def fit(self, summary: pd.DataFrame, y=None) -> GammaGammaModel:
        """Fit on a summary with ``frequency`` and ``monetary_value`` (customers without repeats are left out)."""
        values = check_summary(summary, ("frequency", "monetary_value"))
        used = (values["frequency"] > 0) & (values["monetary_value"] > 0)
        if used.sum() < 2:
            raise WorkbenchError(
                "summary: the Gamma-Gamma model needs at least 2 customers with a repeat purchase "
                f"and a positive monetary_value; found {int(used.sum())}"
            )
        grouped = values.loc[used].groupby(["frequency", "monetary_value"]).size().reset_index(name="weight")
        x, m, w = (grouped[c].to_numpy(dtype=float) for c in ("frequency", "monetary_value", "weight"))

        def objective(log_params: np.ndarray) -> float:
            return -_log_likelihood(np.exp(log_params), x, m, w) / w.sum()

        result = minimize(
            objective,
            np.log(np.asarray(self.initial, dtype=float)),
            method="L-BFGS-B",
            options={"maxiter": 2000, "ftol": 1e-12, "gtol": 1e-9},
        )
        params = np.exp(result.x)
        if params[1] <= 1:
            raise WorkbenchError(
                f"Gamma-Gamma fit gave q = {params[1]:.3f} <= 1: the mean order value is not finite; "
                "too few repeat customers or order values far from gamma-shaped"
            )
        self.params_ = dict(zip(PARAMS, (float(v) for v in params), strict=True))
        self.log_likelihood_ = _log_likelihood(params, x, m, w)
        self.n_customers_, self.n_excluded_ = int(used.sum()), int((~used).sum())
        self.converged_ = bool(result.success)
        return self

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


__all__ = ["GammaGammaModel"]
