"""Does a fitted repeat-buying model predict? The calibration/holdout check, and the P(alive) matrix.

:func:`holdout_check` fits nothing: it takes a model fitted on the calibration period and
compares, over the holdout period that follows,

- per frequency bucket (repeat purchases in calibration: 0, 1, ..., ``max_frequency``+), the
  mean number of repeat purchases predicted and made (Fader, Hardie and Lee 2005, figure 4);
- week by week (or per time unit), the cumulative repeat purchases of the whole cohort,
  predicted and made, across calibration and holdout (their figure 2, the "tracking" plot).

Purchases are counted in purchase days, as in :func:`segmentation.features.btyd_summary`; for
BG/BB in periods with a purchase, as in :func:`segmentation.btyd.bgbb.bgbb_summary`.

Examples
--------
>>> from segmentation.btyd.bgnbd import BetaGeoModel
>>> from segmentation.datasets.cdnow import calibration_summary, load_cdnow
>>> model = BetaGeoModel().fit(calibration_summary())
>>> check = holdout_check(load_cdnow(sample=True), model, calibration_end="1997-09-30",
...                       holdout_end="1998-06-30")
>>> check.by_frequency["frequency"].tolist()
['0', '1', '2', '3', '4', '5', '6', '7+']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.btyd.bgbb import PERIODS, BetaGeoBetaBinomModel, bgbb_summary
from segmentation.btyd.clv import RepeatModel
from segmentation.data.dataset import Dataset
from segmentation.errors import WorkbenchError
from segmentation.features import TIME_UNITS, btyd_summary
from segmentation.periods import as_date


@dataclass
class HoldoutCheck:
    """The result of :func:`holdout_check`.

    Attributes
    ----------
    by_frequency : DataFrame
        ``frequency`` bucket, ``customers``, ``actual`` and ``predicted`` mean repeat purchases
        in the holdout.
    tracking : DataFrame
        Per time unit since the cohort's first purchase: ``period_end`` (date), ``t``,
        ``actual`` and ``predicted`` cumulative repeat purchases, and ``holdout`` (bool).
    per_customer : DataFrame
        The calibration summary with ``actual`` and ``predicted`` holdout purchases.
    holdout_length : float
        In time units.
    """

    by_frequency: pd.DataFrame
    tracking: pd.DataFrame
    per_customer: pd.DataFrame
    holdout_length: float

    @property
    def totals(self) -> dict[str, float]:
        """Total repeat purchases in the holdout, actual and predicted."""
        return {
            "actual": float(self.per_customer["actual"].sum()),
            "predicted": float(self.per_customer["predicted"].sum()),
        }


def holdout_check(
    data: Dataset | pd.DataFrame,
    model: RepeatModel,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp,
    time_unit: str = "W",
    max_frequency: int = 7,
) -> HoldoutCheck:
    """Predicted against actual repeat purchases over a holdout period (see the module docstring).

    Parameters
    ----------
    data : Dataset or DataFrame
        A Dataset, or its order lines (``customer_id, order_id, order_date, amount``), covering
        calibration and holdout.
    model : fitted BetaGeoModel, ModifiedBetaGeoModel, ParetoNBDModel or BetaGeoBetaBinomModel
        Fitted on the summary at ``calibration_end`` in ``time_unit``.
    calibration_end, holdout_end : date
    time_unit : {"D", "W", "M", "Y"}, default "W"
        For BG/BB, the opportunity: "Y", "Q" or "M" (year, quarter, month); purchases are then
        counted in periods with a purchase, the holdout in whole periods.
    max_frequency : int, default 7
        The last bucket holds this many repeat purchases or more.
    """
    start, stop = as_date(calibration_end, name="calibration_end"), as_date(holdout_end, name="holdout_end")
    if stop <= start:
        raise WorkbenchError(f"holdout_end ({stop:%Y-%m-%d}) must come after calibration_end ({start:%Y-%m-%d})")
    lines = data.transactions if isinstance(data, Dataset) else data
    if isinstance(model, BetaGeoBetaBinomModel):
        if time_unit not in PERIODS:
            raise WorkbenchError(
                f"time_unit must be one of {list(PERIODS)} (year, quarter, month: the opportunity) for BG/BB, "
                f"got {time_unit!r}"
            )
        return _discrete_check(lines, model, start, stop, time_unit, max_frequency)
    unit = TIME_UNITS[time_unit]
    tx = lines.loc[lines["order_date"] <= stop, ["customer_id", "order_date"]]
    days = tx.assign(day=tx["order_date"].dt.normalize()).drop_duplicates(["customer_id", "day"])
    summary = btyd_summary(lines.loc[lines["order_date"] <= start], as_of=start, time_unit=time_unit)
    days = days.loc[days["customer_id"].isin(summary.index)]
    holdout_days = days.loc[days["day"] > start]
    length = (stop - start).days / unit
    per_customer = summary.assign(
        actual=holdout_days.groupby("customer_id").size().reindex(summary.index, fill_value=0).astype(float),
        predicted=model.expected_purchases(summary, length),
    )
    by_frequency = _by_frequency(per_customer, max_frequency)

    # Tracking: cumulative repeat purchases of the cohort, per time unit from its first purchase.
    first = days.groupby("customer_id")["day"].min()
    origin = first.min()
    n_periods = int(np.ceil((stop - origin).days / unit))
    t = np.arange(1, n_periods + 1, dtype=float)
    ends = origin + pd.to_timedelta(t * unit, unit="D")
    repeat_days = days.loc[days["day"] > days["customer_id"].map(first), "day"]
    elapsed = ((repeat_days - origin).dt.days / unit).to_numpy()
    actual = np.searchsorted(np.sort(elapsed), t, side="left").astype(float)  # purchases before each period end
    born = ((first - origin).dt.days / unit).value_counts()  # customers per first-purchase time
    predicted = np.zeros_like(t)
    for s, count in born.items():
        predicted += count * model.expected_repeat_purchases(np.clip(t - s, 0, None))
    tracking = pd.DataFrame(
        {"period_end": ends.normalize(), "t": t, "actual": actual, "predicted": predicted, "holdout": ends > start}
    )
    return HoldoutCheck(by_frequency=by_frequency, tracking=tracking, per_customer=per_customer, holdout_length=length)


def _by_frequency(per_customer: pd.DataFrame, max_frequency: int) -> pd.DataFrame:
    """Customers, mean actual and predicted holdout purchases per calibration frequency bucket."""
    bucket = per_customer["frequency"].clip(upper=max_frequency).astype(int)
    labels = bucket.map(lambda f: f"{f}+" if f == max_frequency else str(f))
    by_frequency = per_customer.groupby(bucket).agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    by_frequency.insert(0, "frequency", labels.groupby(bucket).first())
    return by_frequency.reset_index(drop=True)


def _discrete_check(lines: pd.DataFrame, model, start, stop, period: str, max_frequency: int) -> HoldoutCheck:
    """:func:`holdout_check` for BG/BB: opportunities are whole ``period`` s, a transaction is a period with a purchase.

    The holdout runs over the whole periods after the last one the calibration summary counts
    (:func:`~segmentation.btyd.bgbb.bgbb_summary`) up to the last that has ended by ``stop``;
    tracking is per calendar period from the cohort's first.
    """
    summary = bgbb_summary(lines.loc[lines["order_date"] <= start], as_of=start, period=period)

    def last_whole(day: pd.Timestamp) -> int:
        current = day.to_period(period)
        return current.ordinal if day.normalize() == current.end_time.normalize() else current.ordinal - 1

    first_holdout, last = last_whole(start) + 1, last_whole(stop)
    if last < first_holdout:
        raise WorkbenchError(
            f"no whole {period} period ends between calibration_end ({start:%Y-%m-%d}) and holdout_end "
            f"({stop:%Y-%m-%d}): BG/BB's holdout counts whole periods"
        )
    used = lines.loc[(lines["order_date"] <= stop) & lines["customer_id"].isin(summary.index)]
    bought = pd.DataFrame(
        {
            "customer_id": used["customer_id"].to_numpy(),
            "number": used["order_date"].dt.to_period(period).map(lambda p: p.ordinal).to_numpy(),
        }
    ).drop_duplicates()
    birth = bought.groupby("customer_id")["number"].min()
    repeat = bought.loc[bought["number"] > bought["customer_id"].map(birth)]
    holdout = repeat.loc[repeat["number"].between(first_holdout, last)]
    length = float(last - first_holdout + 1)
    per_customer = summary.assign(
        actual=holdout.groupby("customer_id").size().reindex(summary.index, fill_value=0).astype(float),
        predicted=model.expected_purchases(summary, length),
    )
    origin = int(birth.min())
    numbers = np.arange(origin + 1, last + 1)
    actual = np.searchsorted(np.sort(repeat["number"].to_numpy()), numbers, side="right").astype(float)
    predicted = np.zeros(len(numbers))
    for born, count in birth.value_counts().items():
        predicted += count * model.expected_repeat_purchases(np.clip(numbers - born, 0, None))
    ends = pd.PeriodIndex.from_ordinals(numbers, freq=period).end_time.normalize()
    tracking = pd.DataFrame(
        {
            "period_end": ends,
            "t": (numbers - origin).astype(float),
            "actual": actual,
            "predicted": predicted,
            "holdout": numbers >= first_holdout,
        }
    )
    return HoldoutCheck(
        by_frequency=_by_frequency(per_customer, max_frequency),
        tracking=tracking,
        per_customer=per_customer,
        holdout_length=length,
    )


def probability_alive_matrix(
    model: RepeatModel, *, T: float, max_frequency: int = 20, points: int = 40
) -> pd.DataFrame:
    """P(alive) for a customer of age ``T`` by repeat purchases (rows) and recency (columns).

    Recency runs from 0 to ``T`` in ``points`` steps; frequency from 0 to ``max_frequency``. A
    customer with no repeat purchase has recency 0 only: the other cells of that row are empty.

    Examples
    --------
    >>> from segmentation.btyd.bgnbd import BetaGeoModel
    >>> from segmentation.datasets.cdnow import calibration_summary
    >>> m = probability_alive_matrix(BetaGeoModel().fit(calibration_summary()), T=39, max_frequency=3, points=4)
    >>> m.shape, float(m.iloc[0, 0])
    ((4, 4), 1.0)
    """
    recency = np.linspace(0, T, points)
    x, tx = np.meshgrid(np.arange(max_frequency + 1, dtype=float), recency, indexing="ij")
    grid = pd.DataFrame({"frequency": x.ravel(), "recency": tx.ravel(), "T": float(T)})
    valid = (grid["frequency"] > 0) | (grid["recency"] == 0)
    p = pd.Series(np.nan, index=grid.index)
    p[valid] = model.probability_alive(grid.loc[valid]).to_numpy()
    matrix = pd.DataFrame(
        p.to_numpy().reshape(x.shape),
        index=pd.Index(range(max_frequency + 1), name="frequency"),
        columns=pd.Index(np.round(recency, 2), name="recency"),
    )
    return matrix


__all__ = ["HoldoutCheck", "holdout_check", "probability_alive_matrix"]
