"""Which model of repeat buying predicts this customer base best? Fit each on the calibration period, judge on the holdout.

:func:`compare_models` fits every candidate (BG/NBD, MBG/NBD, Pareto/NBD by default) on the
summary at ``calibration_end`` and runs :func:`~segmentation.btyd.holdout.holdout_check` for
each up to ``holdout_end``. Per candidate it reports

- ``log_likelihood``: on the calibration period (the candidates all have four parameters, so
  AIC and BIC would rank them the same way);
- ``actual``, ``predicted`` and ``total_error``: repeat purchases of the whole cohort in the
  holdout, and the relative error of the prediction (negative: too few predicted);
- ``bucket_error``: the error per frequency bucket, the absolute difference between the mean
  holdout purchases predicted and made in each bucket of calibration repeat purchases
  (0, 1, ..., 7+), averaged with the buckets' customers as weights, in purchases per customer;
- ``tracking_error``: the mean absolute difference between the purchases predicted and made in
  each time unit of the holdout, as a share of the mean made (the tracking plot's fit).

The chosen model has the smallest ``bucket_error``: a lifetime value is a prediction per
customer from their own history, which the bucket comparison judges, while a model can get the
total right by errors that cancel across buckets. A candidate the data cannot fit is listed
with its reason and not chosen.

Examples
--------
>>> from segmentation.datasets.cdnow import load_cdnow
>>> result = compare_models(load_cdnow(sample=True), calibration_end="1997-09-30", holdout_end="1998-06-30")
>>> result.chosen
'bgnbd'
>>> result.table[["predicted", "total_error", "bucket_error"]].round(3)
            predicted  total_error  bucket_error
model
bgnbd        1653.409       -0.121         0.097
mbgnbd       1576.728       -0.162         0.130
pareto_nbd   1665.513       -0.115         0.107
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from segmentation.btyd.clv import MODELS, RepeatModel
from segmentation.btyd.holdout import HoldoutCheck, holdout_check
from segmentation.data.dataset import Dataset
from segmentation.errors import WorkbenchError
from segmentation.features import btyd_summary
from segmentation.periods import as_date

#: The models :func:`compare_models` fits unless told otherwise (keys of :data:`~segmentation.btyd.clv.MODELS`).
CANDIDATES = ("bgnbd", "mbgnbd", "pareto_nbd")
#: The columns of :attr:`ModelComparison.table`.
COMPARISON_COLUMNS = (
    "log_likelihood",
    "actual",
    "predicted",
    "total_error",
    "bucket_error",
    "tracking_error",
    "failure",
)


@dataclass
class ModelComparison:
    """The result of :func:`compare_models`.

    Attributes
    ----------
    table : DataFrame
        One row per candidate (index ``model``): :data:`COMPARISON_COLUMNS`; ``failure`` is why a
        candidate could not be fitted (None when it was), its other columns then empty.
    chosen : str
        The candidate with the smallest ``bucket_error``.
    reason : str
        Why, with the figures, in a sentence.
    models : dict
        The fitted candidates by name.
    checks : dict
        Their :class:`~segmentation.btyd.holdout.HoldoutCheck` by name.
    """

    table: pd.DataFrame
    chosen: str
    reason: str
    models: dict[str, RepeatModel] = field(repr=False)
    checks: dict[str, HoldoutCheck] = field(repr=False)

    def tracking(self) -> pd.DataFrame:
        """The tracking curves side by side: ``period_end, t, holdout, actual`` and one ``predicted`` column per model.

        Examples
        --------
        >>> from segmentation.datasets.cdnow import load_cdnow
        >>> result = compare_models(load_cdnow(sample=True), calibration_end="1997-09-30",
        ...                         holdout_end="1998-06-30", candidates=("bgnbd", "pareto_nbd"))
        >>> result.tracking().columns.tolist()
        ['period_end', 't', 'holdout', 'actual', 'bgnbd', 'pareto_nbd']
        """
        names = list(self.checks)
        first = self.checks[names[0]].tracking
        out = first[["period_end", "t", "holdout", "actual"]].copy()
        for name in names:
            out[name] = self.checks[name].tracking["predicted"].to_numpy()
        return out


def _errors(check: HoldoutCheck) -> dict[str, float]:
    totals = check.totals
    buckets = check.by_frequency
    bucket_error = float(np.average((buckets["predicted"] - buckets["actual"]).abs(), weights=buckets["customers"]))
    holdout = check.tracking.loc[check.tracking["holdout"]]
    before = check.tracking.loc[~check.tracking["holdout"]]
    start = [before["actual"].iloc[-1], before["predicted"].iloc[-1]] if len(before) else [0.0, 0.0]
    made = np.diff(np.r_[start[0], holdout["actual"].to_numpy()])
    predicted = np.diff(np.r_[start[1], holdout["predicted"].to_numpy()])
    tracking_error = float(np.mean(np.abs(predicted - made)) / max(np.mean(made), 1e-12))
    return {
        "actual": totals["actual"],
        "predicted": totals["predicted"],
        "total_error": (totals["predicted"] - totals["actual"]) / max(totals["actual"], 1e-12),
        "bucket_error": bucket_error,
        "tracking_error": tracking_error,
    }


def compare_models(
    data: Dataset | pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp,
    time_unit: str = "W",
    candidates: tuple[str, ...] = CANDIDATES,
    max_frequency: int = 7,
) -> ModelComparison:
    """Fit each candidate on the calibration period and compare them on the holdout (see the module docstring).

    Parameters
    ----------
    data : Dataset or DataFrame
        A Dataset, or its order lines, covering calibration and holdout.
    calibration_end, holdout_end : date
    time_unit : {"D", "W", "M", "Y"}, default "W"
    candidates : tuple of str, default :data:`CANDIDATES`
        Keys of :data:`~segmentation.btyd.clv.MODELS` in continuous time (BG/BB's summary counts
        periods, so its holdout is not comparable).
    max_frequency : int, default 7
        The last frequency bucket holds this many repeat purchases or more.

    Returns
    -------
    ModelComparison

    Raises
    ------
    WorkbenchError
        An unknown candidate, or none that can be fitted (the message gives each one's reason).
    """
    unknown = [c for c in candidates if c not in CANDIDATES]
    if unknown or not candidates:
        raise WorkbenchError(f"candidates must be some of {list(CANDIDATES)}, got {list(candidates)!r}")
    end = as_date(calibration_end, name="calibration_end")
    lines = data.transactions if isinstance(data, Dataset) else data
    summary = btyd_summary(lines.loc[lines["order_date"] <= end], as_of=end, time_unit=time_unit)
    rows, models, checks = {}, {}, {}
    for name in candidates:
        try:
            model = MODELS[name]().fit(summary)
        except WorkbenchError as error:  # InsufficientDataError included: listed, not chosen
            rows[name] = {"failure": str(error)}
            continue
        check = holdout_check(
            lines,
            model,
            calibration_end=end,
            holdout_end=holdout_end,
            time_unit=time_unit,
            max_frequency=max_frequency,
        )
        models[name], checks[name] = model, check
        rows[name] = {"log_likelihood": model.log_likelihood_, **_errors(check), "failure": None}
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(COMPARISON_COLUMNS))
    table.index.name = "model"
    if not models:
        raise WorkbenchError(
            "no candidate model could be fitted: " + "; ".join(f"{k}: {v['failure']}" for k, v in rows.items())
        )
    fitted = table.loc[list(models)]
    chosen = str(fitted["bucket_error"].idxmin())
    best = fitted.loc[chosen]
    others = ", ".join(f"{fitted.loc[k, 'bucket_error']:.3f} for {k}" for k in fitted.index if k != chosen)
    reason = (
        f"{chosen} has the smallest error per frequency bucket: its mean holdout purchases per bucket are off by "
        f"{best['bucket_error']:.3f} per customer" + (f", against {others}" if others else "") + "; "
        f"it predicts {best['predicted']:,.0f} repeat purchases in the holdout for {best['actual']:,.0f} made "
        f"({best['total_error']:+.1%})"
    )
    return ModelComparison(table=table, chosen=chosen, reason=reason, models=models, checks=checks)


__all__ = ["CANDIDATES", "COMPARISON_COLUMNS", "ModelComparison", "compare_models"]
