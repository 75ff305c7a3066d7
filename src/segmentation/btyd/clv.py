"""Customer lifetime value from a repeat-buying model (how often, and whether still alive) and Gamma-Gamma (how much).

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

from segmentation.btyd.bgbb import BetaGeoBetaBinomModel, bgbb_summary
from segmentation.btyd.bgnbd import BetaGeoModel, check_summary
from segmentation.btyd.discounting import PERIOD_YEARS, discounted_purchases, time_grid
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.btyd.intervals import clv_interval
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.data.dataset import Dataset
from segmentation.errors import WorkbenchError
from segmentation.features import customer_features, summary_from_features
from segmentation.periods import as_date

#: The models of purchases and drop-out :func:`clv_table` can fit (its ``model``). BG/BB counts
#: transactions at discrete opportunities (its ``time_unit`` is a period of :data:`PERIOD_YEARS`).
MODELS = {
    "bgnbd": BetaGeoModel,
    "mbgnbd": ModifiedBetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "bgbb": BetaGeoBetaBinomModel,
}
#: Any fitted model of :data:`MODELS`.
RepeatModel = BetaGeoModel | ModifiedBetaGeoModel | ParetoNBDModel | BetaGeoBetaBinomModel
#: How :func:`clv_table` finds the expected order value (see its ``order_value``).
ORDER_VALUES = ("auto", "gamma_gamma", "observed")
#: With fewer customers who bought twice, ``order_value="auto"`` refuses rather than falling back:
#: neither model has repeat buying to learn from (BG/NBD fitted on one customer says 0 purchases).
MIN_REPEAT_BUYERS = 2

#: The columns of :func:`customer_lifetime_value` after the model's summary columns
#: (``frequency, recency, T``; ``frequency, recency, periods`` for BG/BB).
VALUE_COLUMNS = ("monetary_value", "probability_alive", "expected_purchases", "expected_order_value", "clv")
#: Its columns for the models in continuous time.
CLV_COLUMNS = ("frequency", "recency", "T", *VALUE_COLUMNS)


def customer_lifetime_value(
    bgnbd: RepeatModel,
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
    bgnbd : fitted model of :data:`MODELS`
        The model of purchases and drop-out.
    gamma_gamma : fitted GammaGammaModel, or Series
        The model of order value, or the expected order value per customer given directly.
    summary : DataFrame
        ``frequency, recency, T, monetary_value`` per customer, in ``time_unit``
        (``frequency, recency, periods, monetary_value`` for BG/BB, see :func:`bgbb_values`).
    horizon : float
        Time units ahead (e.g. 39 weeks, 52 weeks); whole opportunities for BG/BB.
    time_unit : {"D", "W", "M", "Y"}, default "W"
        Unit of the summary, used to turn periods into years for discounting; for BG/BB the
        opportunity, one of :data:`PERIOD_YEARS` ("Y", "Q", "M").
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
    ends, weights = time_grid(bgnbd, horizon=horizon, time_unit=time_unit, discount_rate=discount_rate, step=step)
    columns = list(bgnbd.SUMMARY_COLUMNS)
    values = type(bgnbd).check_summary(summary)[columns]
    values["monetary_value"] = check_summary(summary, ("monetary_value",))["monetary_value"]
    unique = values[columns].drop_duplicates().reset_index(drop=True)
    total, discounted = discounted_purchases(bgnbd, unique, ends, weights)
    unique = unique.assign(
        expected_purchases=total,
        discounted_purchases=discounted,
        probability_alive=bgnbd.probability_alive(unique).to_numpy(),
    )
    out = values.merge(unique, on=columns, how="left").set_axis(values.index)
    out["expected_order_value"] = _order_values(gamma_gamma, values)
    out["clv"] = out["discounted_purchases"] * out["expected_order_value"]
    return out[[*columns, *VALUE_COLUMNS]]


def _order_values(gamma_gamma: GammaGammaModel | pd.Series, values: pd.DataFrame) -> np.ndarray:
    """The expected order value per row of ``values``, from the model or given directly."""
    if isinstance(gamma_gamma, pd.Series):
        order_value = gamma_gamma.reindex(values.index)
        if order_value.isna().any():
            raise WorkbenchError(
                f"order values missing for {int(order_value.isna().sum())} customers "
                f"(first: {list(order_value.index[order_value.isna()][:5])})"
            )
        return order_value.to_numpy(dtype=float)
    return gamma_gamma.expected_order_value(values).to_numpy()


def clv_table(
    data: object,
    *,
    calibration_end: str | pd.Timestamp,
    horizon: float,
    time_unit: str = "W",
    discount_rate: float = 0.10,
    order_value: str = "auto",
    model: str = "bgnbd",
    interval: float | None = None,
    draws: int = 200,
    random_state: int = 0,
) -> tuple[pd.DataFrame, RepeatModel, GammaGammaModel | None]:
    """Fit a model of :data:`MODELS` and Gamma-Gamma on the orders up to ``calibration_end`` and value every customer.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
        The order lines, as in :func:`segmentation.features.customer_features`.
    calibration_end : str or Timestamp
        Last day of data the models learn from.
    horizon : float
        Time units ahead (whole periods for BG/BB).
    time_unit : {"D", "W", "M", "Y"}, default "W"
        For ``model="bgbb"`` the opportunity: "Y", "Q" or "M".
    discount_rate : float, default 0.10
        Yearly rate.
    order_value : {"auto", "gamma_gamma", "observed"}, default "auto"
        How the expected order value is found. ``"gamma_gamma"``: the Gamma-Gamma model, or an
        error when it cannot be fitted. ``"observed"``: each customer's own revenue per purchase
        day so far, without a model. ``"auto"``: Gamma-Gamma, falling back to the observed values
        when the model cannot be fitted, e.g. order values spread over orders of magnitude
        across customers (common in B2B) make its population mean infinite (q <= 1); with fewer
        than :data:`MIN_REPEAT_BUYERS` customers who bought twice it refuses like ``"gamma_gamma"``.
    model : {"bgnbd", "mbgnbd", "pareto_nbd", "bgbb"}, default "bgnbd"
        The model of purchases and drop-out (:data:`MODELS`): BG/NBD, where customers drop out just
        after a purchase; MBG/NBD, where they can also drop out at the first; Pareto/NBD, where they
        drop out at any time; BG/BB, where they transact at most once per ``time_unit`` (a period
        of :data:`PERIOD_YEARS`) and ``horizon`` counts those periods (:func:`bgbb_values`).
    interval : float, optional
        Also give each customer's CLV interval at this level (e.g. 0.9), columns ``clv_lower`` and
        ``clv_upper``, from ``draws`` draws of the fitted parameters seeded by ``random_state``
        (:func:`segmentation.btyd.intervals.clv_interval`). None: no interval.
    draws : int, default 200
    random_state : int, default 0

    Returns
    -------
    table : DataFrame
        :func:`customer_lifetime_value` per customer with an order up to ``calibration_end``.
        ``table.attrs`` holds the settings, ``order_value_used`` (``"gamma_gamma"`` or
        ``"observed"``) and ``fallback_reason`` (why ``"auto"`` fell back, else None), and with
        an interval its settings under ``interval`` (level, draws, random_state, rejected).
    bgnbd, gamma_gamma : the fitted models (``bgnbd`` is the ``model`` asked for; ``gamma_gamma`` is None
        when the observed values are used)

    Raises
    ------
    WorkbenchError
        No order up to ``calibration_end``, a bad setting, or (with ``order_value="gamma_gamma"``)
        a Gamma-Gamma model that cannot be fitted.
    InsufficientDataError
        Data the model of purchases cannot learn from (no repeat purchase, a single customer,
        parameters that run off), in every ``order_value`` mode.

    Examples
    --------
    >>> from segmentation.datasets.sample import generate_sample
    >>> tx = generate_sample(400, random_state=7)["transactions"]  # B2B spends: q <= 1
    >>> table, bg, gg = clv_table(tx, calibration_end="2024-09-30", horizon=52)
    >>> gg is None, table.attrs["order_value_used"]
    (True, 'observed')
    >>> print(table.attrs["fallback_reason"])
    Gamma-Gamma fit gave q = 0.846 <= 1: the mean order value is not finite; too few repeat customers or order values far from gamma-shaped
    """
    end = as_date(calibration_end, name="calibration_end")
    if order_value not in ORDER_VALUES:
        raise WorkbenchError(f"order_value must be one of {list(ORDER_VALUES)}, got {order_value!r}")
    if model not in MODELS:
        raise WorkbenchError(f"model must be one of {list(MODELS)}, got {model!r}")
    if model == "bgbb":
        if time_unit not in PERIOD_YEARS:
            raise WorkbenchError(
                f"time_unit must be one of {list(PERIOD_YEARS)} (year, quarter, month: the opportunity) for "
                f"model='bgbb', got {time_unit!r}"
            )
        summary = bgbb_values(data, as_of=end, period=time_unit)
        observed = summary.pop("monetary_mean")
    else:
        features = customer_features(data, as_of=end, time_unit=time_unit)
        summary = summary_from_features(features)
        observed = features["monetary_mean"]
    if summary.empty:
        raise WorkbenchError(f"no orders on or before {end:%Y-%m-%d}: nothing to fit")
    bgnbd = MODELS[model]().fit(summary)
    gamma_gamma, reason = None, None
    if order_value != "observed":
        try:
            gamma_gamma = GammaGammaModel().fit(summary)
        except WorkbenchError as exc:
            repeat_buyers = int(summary["frequency"].gt(0).sum())
            if order_value == "gamma_gamma" or repeat_buyers < MIN_REPEAT_BUYERS:
                raise WorkbenchError(
                    f"{exc}. Use the observed order values instead (order_value='observed' or 'auto', "
                    "CLI: --order-value observed or auto)"
                ) from exc
            reason = str(exc)
    values = gamma_gamma if gamma_gamma is not None else observed
    settings = {"horizon": horizon, "time_unit": time_unit, "discount_rate": discount_rate}
    table = customer_lifetime_value(bgnbd, values, summary, **settings)
    bands = None
    if interval is not None:
        bands = clv_interval(
            bgnbd, values, summary, **settings, interval=interval, draws=draws, random_state=random_state
        )
        table = table.join(bands)
    table.attrs.update(
        calibration_end=end,
        horizon=horizon,
        time_unit=time_unit,
        discount_rate=discount_rate,
        order_value=order_value,
        model=model,
        order_value_used="gamma_gamma" if gamma_gamma is not None else "observed",
        fallback_reason=reason,
        interval=None if bands is None else dict(bands.attrs),
    )
    return table, bgnbd, gamma_gamma


def bgbb_values(data: pd.DataFrame | Dataset, *, as_of: str | pd.Timestamp, period: str = "Y") -> pd.DataFrame:
    """:func:`~segmentation.btyd.bgbb.bgbb_summary` with the order values Gamma-Gamma and CLV need.

    A BG/BB transaction is a period with a purchase, so its value is the revenue of that period:
    ``monetary_value`` is the mean revenue of the repeat periods counted in ``frequency`` (0
    without), as :func:`segmentation.features.btyd_summary` does for purchase days, and
    ``monetary_mean`` the revenue per period with a purchase up to ``as_of`` (the observed value).

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [10.0, 30.0, 5.0, 8.0],
    ...     "order_date": pd.to_datetime(["2021-03-01", "2022-05-01", "2022-07-01", "2022-06-01"])})
    >>> bgbb_values(orders, as_of="2023-12-31")
                 frequency  recency  periods  monetary_value  monetary_mean
    customer_id
    a                    1        1        2            35.0           22.5
    b                    0        0        1             0.0            8.0
    """
    summary = bgbb_summary(data, as_of=as_of, period=period)
    lines = data.transactions if isinstance(data, Dataset) else data
    if "amount" not in lines:
        raise WorkbenchError("transactions: missing column 'amount'; the order values need it")
    used = lines.loc[pd.to_datetime(lines["order_date"]) <= as_date(as_of, name="as_of")]
    revenue = (
        used.assign(number=pd.to_datetime(used["order_date"]).dt.to_period(period).map(lambda p: p.ordinal))
        .groupby(["customer_id", "number"])["amount"]
        .sum()
        .reset_index()
    )
    birth = revenue.groupby("customer_id")["number"].transform("min")
    revenue["opportunity"] = revenue["number"] - birth
    periods = summary["periods"].reindex(revenue["customer_id"]).to_numpy()
    repeat = revenue[(revenue["opportunity"] > 0) & (revenue["opportunity"] <= periods)]
    out = summary.copy()
    out["monetary_value"] = repeat.groupby("customer_id")["amount"].mean().reindex(out.index, fill_value=0.0)
    out["monetary_mean"] = revenue.groupby("customer_id")["amount"].mean().reindex(out.index)
    return out


def _finite(values: dict[str, float]) -> dict[str, float | None]:
    """None for a value that is not finite (no standard errors without convergence): JSON has no NaN."""
    return {k: (float(v) if np.isfinite(v) else None) for k, v in values.items()}


def fit_report(
    bgnbd: RepeatModel,
    gamma_gamma: GammaGammaModel | None,
    *,
    fallback_reason: str | None = None,
    **settings,
) -> dict:
    """Fitted parameters, log-likelihoods and sizes of both models, ready for ``json.dump``.

    Parameters
    ----------
    bgnbd : fitted model of :data:`MODELS`
    gamma_gamma : fitted GammaGammaModel or None
        None when the observed order values were used.
    fallback_reason : str, optional
        Why the observed order values were used instead of Gamma-Gamma
        (``table.attrs["fallback_reason"]`` of :func:`clv_table`).
    **settings
        Written as they are under ``"settings"`` (dates as ``YYYY-MM-DD``).

    Returns
    -------
    dict
        ``settings``, ``order_value`` (``used``: ``"gamma_gamma"`` or ``"observed"``, and
        ``fallback_reason``), ``model`` (its key in :data:`MODELS`), the model's parameters,
        their standard errors (None when the fit did not converge) and sizes under that name, and
        ``gamma_gamma`` (None without the model).

    Examples
    --------
    >>> from segmentation.datasets.cdnow import calibration_summary
    >>> bg = BetaGeoModel().fit(calibration_summary())
    >>> fit_report(bg, None, fallback_reason="Gamma-Gamma fit gave q = 0.880 <= 1")["order_value"]
    {'used': 'observed', 'fallback_reason': 'Gamma-Gamma fit gave q = 0.880 <= 1'}
    """
    name = next(key for key, cls in MODELS.items() if isinstance(bgnbd, cls))
    report = {
        "settings": {k: (v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp) else v) for k, v in settings.items()},
        "order_value": {
            "used": "gamma_gamma" if gamma_gamma is not None else "observed",
            "fallback_reason": fallback_reason,
        },
        "model": name,
        name: {
            "params": bgnbd.params_,
            "standard_errors": _finite(bgnbd.standard_errors_),
            "log_likelihood": bgnbd.log_likelihood_,
            "customers": bgnbd.n_customers_,
            "distinct_histories": bgnbd.n_unique_,
            "converged": bgnbd.converged_,
        },
        "gamma_gamma": {
            "params": gamma_gamma.params_,
            "standard_errors": _finite(gamma_gamma.standard_errors_),
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


__all__ = [
    "CLV_COLUMNS",
    "PERIOD_YEARS",
    "VALUE_COLUMNS",
    "bgbb_values",
    "MIN_REPEAT_BUYERS",
    "MODELS",
    "ORDER_VALUES",
    "clv_table",
    "customer_lifetime_value",
    "fit_report",
]
