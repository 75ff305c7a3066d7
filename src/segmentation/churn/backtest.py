"""Rolling-origin backtest of churn models against naive baselines, over several quarterly cutoffs.

For each test cutoff the models are trained on the frames of the previous quarter ends whose
label windows had closed by the test cutoff (so nothing the team could not have known is used),
then scored on the customers active at the test cutoff, whose labels come from the following
horizon. Every scorer is judged on the same customers with :func:`~segmentation.churn.metrics.score_metrics`.

Scorers (:data:`BASELINES` are the naive ones):

``gradient_boosting``, ``logistic``
    :class:`~segmentation.churn.model.ChurnModel`, calibrated.
``recency_rule``
    days since the last order: the longer, the riskier.
``last_quarter_activity``
    purchase days in the last quarter: the fewer, the riskier.
``bgnbd_alive``
    1 - P(alive) of a BG/NBD model fitted on everybody's history up to the cutoff.

A baseline is a ranking, not a probability: its ROC and PR AUC use the raw score, its Brier
score and log loss a probability learnt from the same training frames by isotonic regression,
so every scorer gets the same chance to be calibrated.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> from segmentation.data.dataset import Dataset
>>> t = generate_sample(600, random_state=3)
>>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
>>> bt = backtest_churn(ds, n_cutoffs=1, train_quarters=2)
>>> bt.summary.index.tolist()
['gradient_boosting', 'logistic', 'recency_rule', 'last_quarter_activity', 'bgnbd_alive']
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.churn.features import (
    DEFAULT_HORIZONS,
    DEFINITIONS,
    check_both_outcomes,
    churn_training_frame,
    data_end,
    definition_meaning,
    lapse_rule,
    previous_cutoffs,
    quarter_ends,
    resolve_definition,
)
from segmentation.churn.metrics import calibration_table, gains_curve, score_metrics
from segmentation.churn.model import ChurnModel, churn_probability
from segmentation.churn.risk import churn_risk
from segmentation.data.dataset import Dataset
from segmentation.errors import InsufficientDataError, WorkbenchError
from segmentation.features import btyd_summary
from segmentation.i18n import format_day, message
from segmentation.periods import as_date, months_before

log = logging.getLogger(__name__)

BASELINES = ("recency_rule", "last_quarter_activity", "bgnbd_alive")


@dataclass
class ChurnBacktest:
    """The result of :func:`backtest_churn`.

    Attributes
    ----------
    metrics : DataFrame
        One row per (cutoff, scorer): the measures of :func:`~segmentation.churn.metrics.score_metrics`.
    summary : DataFrame
        Per scorer (models first, then baselines), the mean of each measure over the cutoffs, and ``roc_auc_min``.
    calibration : DataFrame
        Per scorer, predicted against observed churn per probability bin, all cutoffs pooled.
    gains : DataFrame
        Per scorer, share of churners caught against share of customers called, all cutoffs pooled.
    predictions : DataFrame
        Per (cutoff, customer): ``churned`` and each scorer's probability (``<scorer>``) and score
        (``<scorer>_score``).
    training_cutoffs : dict
        The training cutoffs used for each test cutoff.
    """

    metrics: pd.DataFrame
    summary: pd.DataFrame
    calibration: pd.DataFrame
    gains: pd.DataFrame
    predictions: pd.DataFrame
    training_cutoffs: dict

    @property
    def scorers(self) -> list[str]:
        return self.summary.index.tolist()

    def beats_baselines(self, model: str = "gradient_boosting", measure: str = "roc_auc") -> bool:
        """Whether ``model`` has a better mean ``measure`` than every naive baseline."""
        lower_is_better = measure in {"brier", "log_loss"}
        ours = self.summary.loc[model, measure]
        others = self.summary.loc[list(BASELINES), measure]
        return bool((ours < others).all() if lower_is_better else (ours > others).all())


def baseline_scores(data: Dataset, X: pd.DataFrame, *, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The naive baselines' scores (higher = riskier) for the customers of a churn frame."""
    summary = btyd_summary(
        data.transactions.loc[data.transactions["order_date"] <= cutoff], as_of=cutoff, time_unit="W"
    )
    alive = BetaGeoModel().fit(summary).probability_alive(summary).reindex(X.index)
    return pd.DataFrame(
        {
            "recency_rule": X["days_since_last_order"],
            "last_quarter_activity": -X["purchases_last_quarter"],
            "bgnbd_alive": 1.0 - alive,
        },
        index=X.index,
    )


def backtest_churn(
    data: Dataset,
    *,
    cutoffs: list | None = None,
    n_cutoffs: int = 3,
    definition: str = "recorded",
    horizon_months: int | None = None,
    train_quarters: int = 4,
    active_days: int = 365,
    models: dict[str, ChurnModel] | None = None,
    min_history_days: int = 365,
) -> ChurnBacktest:
    """Train at earlier quarter ends, test at each cutoff, and compare with the naive baselines.

    Parameters
    ----------
    data : Dataset
    cutoffs : list of dates, optional
        Test cutoffs; by default the last ``n_cutoffs`` quarter ends whose horizon the data covers.
    n_cutoffs : int, default 3
    definition : {"recorded", "lapsed", "quiet_quarter"}, default "recorded"
        What churn means (:data:`~segmentation.churn.features.DEFINITIONS`); ``recorded`` falls
        back to ``lapsed`` without churn events.
    horizon_months : int, optional
        Default the definition's (6, 12, 3 months).
        Label window after each cutoff.
    train_quarters : int, default 4
        Training frames per test cutoff (previous quarter ends, stacked).
    active_days : int, default 365
        See :func:`~segmentation.churn.features.churn_features`.
    models : dict of ChurnModel, optional
        Default: ``gradient_boosting`` and ``logistic`` with their default settings.
    min_history_days : int, default 365
        No cutoff (training or test) within this many days of the first order.

    Returns
    -------
    ChurnBacktest
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (see segmentation.load_dataset), got {type(data).__name__}")
    models = models or {"gradient_boosting": ChurnModel(), "logistic": ChurnModel(method="logistic")}
    definition, _ = resolve_definition(data, definition)
    horizon_months = DEFAULT_HORIZONS[definition] if horizon_months is None else horizon_months
    if cutoffs is None:
        tests = quarter_ends(data, n=n_cutoffs, horizon_months=horizon_months, min_history_days=min_history_days)
    else:
        tests = [as_date(c, name="cutoffs") for c in cutoffs]
    earliest = pd.Timestamp(data.transactions["order_date"].min()).normalize() + pd.Timedelta(days=min_history_days)
    plan = {c: previous_cutoffs(c, horizon_months=horizon_months, n=train_quarters, earliest=earliest) for c in tests}
    if not tests or not all(plan.values()):
        lacking = ", ".join(f"{c:%Y-%m-%d}" for c, p in plan.items() if not p)
        raise InsufficientDataError(
            f"not enough history for a backtest: the data run from "
            f"{data.transactions['order_date'].min():%Y-%m-%d} to {data_end(data):%Y-%m-%d}; each "
            f"test cutoff needs a training cutoff {min_history_days} days after the first order "
            f"and {horizon_months} months of labels after it"
            + (f" (none for the test cutoff {lacking})" if lacking else "")
        )
    frames: dict[pd.Timestamp, tuple] = {}

    def frame(c: pd.Timestamp):
        if c not in frames:
            X, y = churn_training_frame(
                data, cutoff=c, definition=definition, horizon_months=horizon_months, active_days=active_days
            )
            frames[c] = (X, y, baseline_scores(data, X, cutoff=c))
        return frames[c]

    rows, predictions = [], []
    for test in tests:
        train = [frame(c) for c in plan[test]]
        X_train = pd.concat([f[0] for f in train])
        y_train = pd.concat([f[1] for f in train]).to_numpy()
        check_both_outcomes(y_train, plan[test], horizon_months)
        b_train = pd.concat([f[2] for f in train])
        X_test, y_test, b_test = frame(test)
        log.info(
            "backtest %s: train %d rows from %s, test %d customers",
            test.date(),
            len(X_train),
            [c.date().isoformat() for c in plan[test]],
            len(X_test),
        )
        pred = pd.DataFrame({"cutoff": test, "churned": y_test.to_numpy()}, index=X_test.index)
        for name, model in models.items():
            fitted = clone(model).fit(X_train, y_train)
            p = churn_probability(fitted, X_test)
            pred[name], pred[f"{name}_score"] = p, p
        for name in BASELINES:
            filled_train = b_train[name].fillna(b_train[name].median())
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(filled_train, y_train)
            score = b_test[name].fillna(b_train[name].median())
            pred[name], pred[f"{name}_score"] = iso.predict(score), score
        for name in [*models, *BASELINES]:
            measures = score_metrics(pred["churned"], pred[f"{name}_score"], pred[name])
            rows.append({"cutoff": test, "scorer": name, "train_rows": len(X_train), **measures})
        predictions.append(pred.reset_index())
    metrics = pd.DataFrame(rows)
    pooled = pd.concat(predictions, ignore_index=True)
    scorers = [*models, *BASELINES]
    summary = metrics.groupby("scorer").mean(numeric_only=True).drop(columns=["train_rows"]).reindex(scorers)
    summary.insert(summary.columns.get_loc("roc_auc") + 1, "roc_auc_min", metrics.groupby("scorer")["roc_auc"].min())
    calibration = pd.concat(
        [calibration_table(pooled["churned"], pooled[s]).assign(scorer=s) for s in scorers], ignore_index=True
    )
    gains = pd.concat(
        [gains_curve(pooled["churned"], pooled[f"{s}_score"]).assign(scorer=s) for s in scorers], ignore_index=True
    )
    return ChurnBacktest(
        metrics=metrics,
        summary=summary,
        calibration=calibration[["scorer", "bin", "customers", "mean_predicted", "observed_rate"]],
        gains=gains[["scorer", "share_called", "share_caught", "lift"]],
        predictions=pooled,
        training_cutoffs={t: plan[t] for t in tests},
    )


def compare_definitions(
    data: Dataset,
    *,
    end: str | pd.Timestamp,
    months: int = 6,
    definitions: tuple[str, ...] = tuple(DEFINITIONS),
    train_quarters: int = 4,
    active_days: int = 365,
    language: str = "en",
) -> pd.DataFrame:
    """Each churn definition's list judged against what the business calls churn: the losses recorded after it.

    For each definition a model is trained on the quarters before the cutoff ``months`` before ``end``
    (only what was known then) and its list at that cutoff is judged against the customers the team
    recorded as lost in the following ``months`` (``churn_events``): ROC AUC and the lift in the top
    10% of the list. A definition the data cannot support has its row, with the reason. The
    meanings and notes are in ``language`` (:mod:`segmentation.i18n`).

    Returns
    -------
    DataFrame
        One row per definition: ``definition, meaning, horizon_months, customers (scored at the
        cutoff), recorded_losses (of them, after it), roc_auc, lift_10, note``; ``attrs["cutoff"]``
        and ``attrs["end"]``.

    Examples
    --------
    >>> from segmentation.datasets.sample import generate_sample
    >>> t = generate_sample(600, random_state=3)
    >>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
    >>> table = compare_definitions(ds, end="2025-09-30", definitions=("recorded", "quiet_quarter"))
    >>> table["definition"].tolist(), table.attrs["cutoff"].date().isoformat()
    (['recorded', 'quiet_quarter'], '2025-03-31')
    """
    end = as_date(end, name="end")
    cutoff = months_before(end, months)
    events = data.churn_events
    rows = []
    for definition in definitions:
        row = {
            "definition": definition,
            "meaning": definition_meaning(definition, language),
            "horizon_months": DEFAULT_HORIZONS[definition],
            "customers": np.nan,
            "recorded_losses": np.nan,
            "roc_auc": np.nan,
            "lift_10": np.nan,
            "note": "",
        }
        try:
            risk = churn_risk(
                data,
                cutoff=cutoff,
                definition=definition,
                train_quarters=train_quarters,
                active_days=active_days,
                importance=False,
                reasons=False,
                language=language,
            )
        except WorkbenchError as exc:
            rows.append({**row, "note": str(exc)})
            continue
        if risk.definition != definition:
            rows.append({**row, "note": "; ".join(risk.notes)})
            continue
        score = risk.table.set_index("customer_id")["churn_probability"]
        notes = list(risk.notes)
        if definition == "lapsed":
            rule = lapse_rule(data, cutoff=cutoff).words(language)
            when = format_day(cutoff, language)
            notes.insert(0, message("churn.note.lapsed_at", language, cutoff=when, rule=rule))
        row.update(customers=len(score), note="; ".join(notes))
        if events is None or events.empty:
            row["note"] = message("churn.note.no_events", language)
        else:
            lost = events.loc[(events["date"] > cutoff) & (events["date"] <= end), "customer_id"]
            outcome = pd.Series(score.index.isin(pd.Index(lost.unique())), index=score.index)
            row["recorded_losses"] = int(outcome.sum())
            if 0 < outcome.sum() < len(outcome):
                measured = score_metrics(outcome, score)
                row.update(roc_auc=measured["roc_auc"], lift_10=measured["lift_10"])
            else:
                row["note"] = message("churn.note.one_kind", language)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs.update(cutoff=cutoff, end=end)
    return table


__all__ = ["compare_definitions", "BASELINES", "ChurnBacktest", "backtest_churn", "baseline_scores"]
