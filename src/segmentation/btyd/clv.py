"""Customer lifetime value from BG/NBD (how often, and whether still alive) and Gamma-Gamma (how much).

The value of a customer over the next ``horizon`` time units is the sum, over each period,
of the purchases expected in that period times the expected order value, discounted to today:

.. math:: CLV = \\sum_{k=1}^{K} (E[X(t_k)] - E[X(t_{k-1})]) \\, E[M] / (1 + d)^{t_k / \\text{year}}

with ``d`` the yearly ``discount_rate`` and ``t_k`` the end of period ``k`` (``step`` time
units each). Customers with the same ``(frequency, recency, T)`` share the BG/NBD part, which
is computed once per distinct row, so a million customers cost what their distinct histories
cost. :func:`clv_table` fits both models on the transactions up to a calibration end and
returns the per-customer table; :func:`fit_report` gives the fitted parameters and
log-likelihoods for a JSON file.

Examples
--------
>>> from segmentation.datasets.cdnow import calibration_summary
>>> from segmentation.btyd.bgnbd import BetaGeoModel
>>> from segmentation.btyd.gamma_gamma import GammaGammaModel
>>> s = calibration_summary()
>>> bg, gg = BetaGeoModel().fit(s), GammaGammaModel().fit(s)
>>> v = customer_lifetime_value(bg, gg, s, horizon=39, discount_rate=0.0)
>>> bool((v["clv"] - v["expected_purchases"] * v["expected_order_value"]).abs().max() < 1e-6)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.btyd.bgnbd import SUMMARY_COLUMNS, BetaGeoModel, check_summary
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.errors import WorkbenchError
from segmentation.features import TIME_UNITS, customer_features, summary_from_features
from segmentation.periods import as_date

CLV_COLUMNS = (
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "probability_alive",
    "expected_purchases",
    "expected_order_value",
    "clv",
)


def customer_lifetime_value(
    bgnbd: BetaGeoModel,
    gamma_gamma: GammaGammaModel | pd.Series,
    summary: pd.DataFrame,
    *,
    horizon: float,
    time_unit: str = "W",
    discount_rate: float = 0.10,
    step: float = 1.0,
) -> pd.DataFrame:
    """Probability alive, expected purchases and order value, and discounted CLV per customer.

    Parameters
    ----------
    bgnbd : fitted BetaGeoModel
    gamma_gamma : fitted GammaGammaModel, or Series
        The model of order value, or the expected order value per customer given directly.
    summary : DataFrame
        ``frequency, recency, T, monetary_value`` per customer, in ``time_unit``.
    horizon : float
        Time units ahead (e.g. 39 weeks, 52 weeks).
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Unit of the summary, used to turn periods into years for discounting.
    discount_rate : float, default 0.10
        Yearly rate; 0 gives the undiscounted value.
    step : float, default 1.0
        Length of a discounting period in time units; the last period ends at ``horizon``.

    Returns
    -------
    DataFrame
        Indexed like ``summary``: the summary columns, ``probability_alive``,
        ``expected_purchases`` (over the horizon), ``expected_order_value`` and ``clv``.
    """
    if time_unit not in TIME_UNITS:
        raise WorkbenchError(f"time_unit must be one of {list(TIME_UNITS)}, got {time_unit!r}")
    if not horizon > 0:
        raise WorkbenchError(f"horizon must be > 0 time units, got {horizon!r}")
    if not 0 <= discount_rate < 1:
        raise WorkbenchError(f"discount_rate must be a yearly rate in [0, 1), e.g. 0.1 for 10%; got {discount_rate!r}")
    if not 0 < step <= horizon:
        raise WorkbenchError(f"step must be in (0, horizon], got {step!r}")
    values = check_summary(summary, (*SUMMARY_COLUMNS, "monetary_value"))
    unique = values[list(SUMMARY_COLUMNS)].drop_duplicates().reset_index(drop=True)
    ends = np.unique(np.r_[np.arange(step, horizon, step), horizon])
    years = ends * TIME_UNITS[time_unit] / 365.25
    cumulative = np.column_stack([bgnbd.expected_purchases(unique, t).to_numpy() for t in ends])
    increments = np.diff(np.column_stack([np.zeros(len(unique)), cumulative]), axis=1)
    discounted = increments @ (1.0 / (1.0 + discount_rate) ** years)
    unique = unique.assign(
        expected_purchases=cumulative[:, -1],
        discounted_purchases=discounted,
        probability_alive=bgnbd.probability_alive(unique).to_numpy(),
    )
    out = values.merge(unique, on=list(SUMMARY_COLUMNS), how="left").set_axis(values.index)
    if isinstance(gamma_gamma, pd.Series):
        order_value = gamma_gamma.reindex(values.index)
        if order_value.isna().any():
            raise WorkbenchError(
                f"order values missing for {int(order_value.isna().sum())} customers "
                f"(first: {list(order_value.index[order_value.isna()][:5])})"
            )
        out["expected_order_value"] = order_value.to_numpy(dtype=float)
    else:
        out["expected_order_value"] = gamma_gamma.expected_order_value(values).to_numpy()
    out["clv"] = out["discounted_purchases"] * out["expected_order_value"]
    return out[list(CLV_COLUMNS)]


def clv_table(
    data: object,
    *,
    calibration_end: str | pd.Timestamp,
    horizon: float,
    time_unit: str = "W",
    discount_rate: float = 0.10,
    order_value: str = "gamma_gamma",
) -> tuple[pd.DataFrame, BetaGeoModel, GammaGammaModel | None]:
    """Fit BG/NBD and Gamma-Gamma on the orders up to ``calibration_end`` and value every customer.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        The order lines, as in :func:`segmentation.features.customer_features`.
    calibration_end : str or Timestamp
        Last day of data the models learn from.
    order_value : {"gamma_gamma", "observed"}, default "gamma_gamma"
        ``"observed"`` skips Gamma-Gamma and takes each customer's own revenue per purchase day
        so far. Use it when Gamma-Gamma does not fit: order values spread over orders of
        magnitude across customers (common in B2B) make its population mean infinite (q <= 1).

    Returns
    -------
    table : DataFrame
        :func:`customer_lifetime_value` per customer with an order up to ``calibration_end``.
    bgnbd, gamma_gamma : the fitted models (``gamma_gamma`` is None with ``order_value="observed"``)
    """
    end = as_date(calibration_end, name="calibration_end")
    features = customer_features(data, as_of=end, time_unit=time_unit)
    summary = summary_from_features(features)
    if summary.empty:
        raise WorkbenchError(f"no orders on or before {end:%Y-%m-%d}: nothing to fit")
    if order_value not in ("gamma_gamma", "observed"):
        raise WorkbenchError(f"order_value must be 'gamma_gamma' or 'observed', got {order_value!r}")
    bgnbd = BetaGeoModel().fit(summary)
    if order_value == "gamma_gamma":
        try:
            gamma_gamma = GammaGammaModel().fit(summary)
        except WorkbenchError as exc:
            raise WorkbenchError(
                f"{exc}. Use the observed order values instead (order_value='observed', CLI: --order-value observed)"
            ) from exc
        values = gamma_gamma
    else:
        gamma_gamma = None
        values = features["monetary_mean"]
    table = customer_lifetime_value(
        bgnbd, values, summary, horizon=horizon, time_unit=time_unit, discount_rate=discount_rate
    )
    table.attrs.update(
        calibration_end=end, horizon=horizon, time_unit=time_unit, discount_rate=discount_rate, order_value=order_value
    )
    return table, bgnbd, gamma_gamma


def fit_report(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel | None, **settings) -> dict:
    """Fitted parameters, log-likelihoods and sizes of both models, ready for ``json.dump``."""
    report = {
        "settings": {k: (v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v) for k, v in settings.items()},
        "bgnbd": {
            "params": bgnbd.params_,
            "log_likelihood": bgnbd.log_likelihood_,
            "customers": bgnbd.n_customers_,
            "distinct_histories": bgnbd.n_unique_,
            "converged": bgnbd.converged_,
        },
        "gamma_gamma": {
            "params": gamma_gamma.params_,
            "log_likelihood": gamma_gamma.log_likelihood_,
            "customers": gamma_gamma.n_customers_,
            "excluded_without_repeat": gamma_gamma.n_excluded_,
            "population_mean_order_value": gamma_gamma.population_mean_,
            "converged": gamma_gamma.converged_,
        }
        if gamma_gamma is not None
        else None,
    }
    return report


__all__ = ["CLV_COLUMNS", "clv_table", "customer_lifetime_value", "fit_report"]
