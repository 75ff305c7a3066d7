"""Discounting a model's expected purchases: the periods up to the horizon and their discount factors.

:func:`time_grid` cuts the horizon into periods of ``step`` time units and gives each period's
discount factor ``1 / (1 + d)^(years to its end)``; :func:`discounted_purchases` sums a fitted
model's expected purchases per period with those factors. Both the CLV
(:mod:`segmentation.btyd.clv`) and its interval (:mod:`segmentation.btyd.intervals`) use them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from segmentation.btyd.bgbb import BetaGeoBetaBinomModel
from segmentation.errors import WorkbenchError
from segmentation.features import TIME_UNITS

#: Years per BG/BB opportunity (calendar year, quarter, month).
PERIOD_YEARS = {"Y": 1.0, "Q": 0.25, "M": 1 / 12}


def time_grid(model, *, horizon: float, time_unit: str, discount_rate: float, step: float):
    """The ends of the discounting periods up to ``horizon``, and each one's discount factor; settings checked.

    Examples
    --------
    >>> from segmentation.btyd.bgnbd import BetaGeoModel
    >>> ends, factors = time_grid(BetaGeoModel(), horizon=104.36, time_unit="W", discount_rate=0.1, step=52.18)
    >>> ends.tolist(), factors.round(4).tolist()
    ([52.18, 104.36], [0.9091, 0.8264])
    """
    discrete = isinstance(model, BetaGeoBetaBinomModel)
    units = PERIOD_YEARS if discrete else TIME_UNITS
    if time_unit not in units:
        raise WorkbenchError(f"time_unit must be one of {list(units)} for {type(model).__name__}, got {time_unit!r}")
    if not horizon > 0:
        raise WorkbenchError(f"horizon must be > 0 time units, got {horizon!r}")
    if discrete and (horizon != round(horizon) or step != round(step)):
        raise WorkbenchError(
            f"horizon and step must be whole numbers of opportunities for BG/BB, got {horizon!r}, {step!r}"
        )
    if not 0 <= discount_rate < 1:
        raise WorkbenchError(f"discount_rate must be a yearly rate in [0, 1), e.g. 0.1 for 10%; got {discount_rate!r}")
    if not 0 < step <= horizon:
        raise WorkbenchError(f"step must be in (0, horizon], got {step!r}")
    ends = np.unique(np.r_[np.arange(step, horizon, step), horizon])
    years = ends * (PERIOD_YEARS[time_unit] if discrete else TIME_UNITS[time_unit] / 365.25)
    return ends, 1.0 / (1.0 + discount_rate) ** years


def discounted_purchases(
    model, unique: pd.DataFrame, ends: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected purchases up to the last of ``ends``, and their sum per period weighted by ``weights``, per row.

    ``unique`` holds the model's summary columns, already checked (this runs once per parameter draw).
    """
    arrays = [unique[c].to_numpy(dtype=float) for c in model.SUMMARY_COLUMNS]  # checked by the caller
    cumulative = np.column_stack([model._expected_purchases(*arrays, float(t)) for t in ends])
    increments = np.diff(np.column_stack([np.zeros(len(unique)), cumulative]), axis=1)
    return cumulative[:, -1], increments @ weights


__all__ = ["PERIOD_YEARS", "discounted_purchases", "time_grid"]
