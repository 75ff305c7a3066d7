"""The churn-risk list: who is likely to stop buying, why, and how much value is at stake.

:func:`churn_risk` trains a :class:`~segmentation.churn.model.ChurnModel` on the previous
quarter ends whose outcome is known at the cutoff, scores every active customer at the cutoff,
and returns one row per customer, sorted by **value at risk**:

``customer_id, tier, churn_probability, band, revenue_t12m, value_at_risk, reason_1..3, reasons,
signals`` (``signals``: the names of the reasons' warning signals, comma-separated, for filtering)

By default the value is the customer's revenue of the last 12 months (``revenue_t12m``), what
a year of this customer was worth, and **value at risk = churn probability x trailing-12-month
revenue**; it is not an expectation of future value. Pass ``value=`` (for instance a CLV over
the horizon from :mod:`segmentation.btyd.clv`) to use another: the column then takes the name of
that Series (``clv``; ``value`` when it has none) and value at risk = churn probability x that
value. :attr:`ChurnRisk.value_column` names the column. Risk bands come from the probability
(``high`` and ``medium`` thresholds) or from the team's capacity (how many customers it can
call): see :func:`risk_bands`. No personal data (names, phones, e-mails) is ever in the list.

Examples
--------
>>> p = pd.Series([0.7, 0.4, 0.1], index=["a", "b", "c"])
>>> risk_bands(p).tolist()
['high', 'medium', 'low']
>>> risk_bands(p, capacity=(1, 0)).tolist()
['high', 'low', 'low']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone

from segmentation.churn.features import (
    DEFAULT_HORIZONS,
    check_both_outcomes,
    churn_features,
    churn_training_frame,
    definition_meaning,
    features_once,
    previous_cutoffs,
    resolve_definition,
)
from segmentation.churn.model import ChurnModel, churn_probability
from segmentation.churn.reasons import RetainedReference, customer_reasons, retained_reference, signal_importance
from segmentation.data.dataset import Dataset
from segmentation.errors import InsufficientDataError, WorkbenchError
from segmentation.i18n import check_language, format_day, message
from segmentation.periods import as_date
from segmentation.value.tiers import TierPolicy

BANDS = ("high", "medium", "low")
# The risk list's own columns: a ``value`` Series may not be named like one of them.
RESERVED = ("customer_id", "tier", "churn_probability", "band", "value_at_risk", "reasons", "signals")


#: Default band thresholds as multiples of the churn rate the model learnt from: a customer three
#: times as likely to churn as the average one is high risk, one and a half times is medium.
HIGH_RELATIVE, MEDIUM_RELATIVE = 3.0, 1.5


def risk_bands(
    probability: pd.Series,
    *,
    high: float | None = None,
    medium: float | None = None,
    base_rate: float | None = None,
    capacity: tuple[int, int] | None = None,
    order: pd.Series | None = None,
) -> pd.Series:
    """High, medium or low risk per customer, by probability or by how many the team can call.

    Parameters
    ----------
    probability : Series
        Churn probability per customer.
    high, medium : float, optional
        Probability thresholds (``high`` >= ``medium``), used when ``capacity`` is not given.
        Default :data:`HIGH_RELATIVE` and :data:`MEDIUM_RELATIVE` times ``base_rate``; without a
        base rate, 0.5 and 0.25. Rare losses (a recorded loss within six months) give low
        probabilities, so thresholds relative to the churn rate keep the bands meaningful.
    base_rate : float, optional
        The churn rate of the training rows.
    capacity : (int, int), optional
        How many customers the team can take as high and as medium: the first ones by
        ``order`` (default: probability), highest first.
    order : Series, optional
        What ranks customers for ``capacity``, e.g. the value at risk.

    Returns
    -------
    Series of category ``high``/``medium``/``low``, indexed like ``probability``.
    """
    p = pd.Series(probability, dtype=float)
    if high is None:
        high = 0.5 if base_rate is None else min(1.0, HIGH_RELATIVE * base_rate)
    if medium is None:
        medium = 0.25 if base_rate is None else min(high, MEDIUM_RELATIVE * base_rate)
    if capacity is None:
        if not 0 <= medium <= high <= 1:
            raise WorkbenchError(
                f"risk thresholds must satisfy 0 <= medium <= high <= 1, got medium={medium}, high={high}"
            )
        band = np.where(p >= high, "high", np.where(p >= medium, "medium", "low"))
    else:
        n_high, n_medium = capacity
        if min(n_high, n_medium) < 0:
            raise WorkbenchError(f"capacity must be two counts >= 0 (high, medium), got {capacity!r}")
        rank_by = p if order is None else pd.Series(order, dtype=float).reindex(p.index)
        position = rank_by.rank(ascending=False, method="first").to_numpy() - 1
        band = np.where(position < n_high, "high", np.where(position < n_high + n_medium, "medium", "low"))
    return pd.Series(pd.Categorical(band, categories=BANDS, ordered=True), index=p.index, name="band")


@dataclass
class ChurnRisk:
    """The result of :func:`churn_risk`.

    Attributes
    ----------
    table : DataFrame
        The risk list (see the module docstring), highest value at risk first.
    model : ChurnModel
        Fitted on all training frames.
    importance : DataFrame or None
        Permutation importance on the latest training frame, of a model fitted on the older ones
        (None when not asked for).
    features : DataFrame
        The churn features of the listed customers at the cutoff.
    training_cutoffs : list of Timestamp
    reference : RetainedReference
        The typical retained customers of each buying rhythm in the training rows
        (:func:`~segmentation.churn.reasons.retained_reference`): what each warning signal is set to
        when asking how much it raises a customer's probability.
    notes : list of str
        What was done differently from the usual, and why (e.g. in-sample importance).
    n_reasons : int
        Reasons given per customer.
    value_column : str
        The column of :attr:`table` that value at risk multiplies the probability by:
        ``revenue_t12m`` by default, else the name of the ``value`` passed.
    definition : str
        The churn definition in force (:data:`~segmentation.churn.features.DEFINITIONS`).
    horizon_months : int
        Months the label looked ahead.

    Examples
    --------
    >>> from segmentation.datasets.sample import generate_sample
    >>> t = generate_sample(400, random_state=2)
    >>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
    >>> risk = churn_risk(ds, cutoff="2025-06-30", importance=False, reasons=False)
    >>> top = risk.table["customer_id"].head(3)
    >>> list(risk.explain(top).columns)
    ['reason_1', 'reason_2', 'reason_3', 'reasons', 'signals']
    >>> int(risk.with_reasons(top)["reasons"].notna().sum())
    3
    """

    table: pd.DataFrame
    model: ChurnModel
    importance: pd.DataFrame | None
    features: pd.DataFrame
    training_cutoffs: list
    reference: RetainedReference
    notes: list[str] = field(default_factory=list)
    n_reasons: int = 3
    value_column: str = "revenue_t12m"
    definition: str = "recorded"
    horizon_months: int = 6
    language: str = "en"

    @property
    def meaning(self) -> str:
        """What churn means in this list, in words, for a report."""
        return message(
            "churn.meaning",
            self.language,
            definition=definition_meaning(self.definition, self.language),
            months=self.horizon_months,
        )

    def explain(self, customers=None, *, language: str | None = None) -> pd.DataFrame:
        """The reasons behind the scores of ``customers`` (default: every listed customer).

        Explaining costs a prediction per warning signal for each customer, the largest part of
        :func:`churn_risk` on many customers; a caller that shows only some of them (the
        quarterly review: the top of the list and the high band) asks for those alone. A
        customer's reasons do not depend on who else is explained.

        Parameters
        ----------
        customers : list-like of str, optional
            Customer ids of the risk list; an id not in it is refused with the ids named.
        language : {"en", "zh", "zh_Hant"}, optional
            Language of the reasons; default the list's (:func:`churn_risk`'s ``language``).

        Returns
        -------
        DataFrame
            Indexed by ``customer_id`` in the order asked: ``reason_1`` .. ``reason_n``,
            ``reasons`` and ``signals`` (the reasons' signal names, comma-separated).
        """
        ids = self.features.index if customers is None else pd.Index(customers, name="customer_id")
        unknown = ids.difference(self.features.index)
        if len(unknown):
            raise WorkbenchError(
                f"customers not in the risk list (not active at the cutoff): {list(unknown[:5])}"
                f"{' and more' if len(unknown) > 5 else ''}"
            )
        probability = self.table.set_index("customer_id")["churn_probability"].reindex(ids)
        reasons = customer_reasons(
            self.model,
            self.features.loc[ids],
            self.reference,
            n_reasons=self.n_reasons,
            probability=probability.to_numpy(),
            language=language or self.language,
        )
        return reasons.rename(columns={"reason_signals": "signals"})

    def with_reasons(self, customers=None, *, language: str | None = None) -> pd.DataFrame:
        """:attr:`table` with the reason columns of :meth:`explain` for ``customers`` (default:
        everyone); the other customers' reasons are left empty (NaN)."""
        reasons = self.explain(customers, language=language).reindex(pd.Index(self.table["customer_id"]))
        return self.table.assign(**{column: reasons[column].to_numpy() for column in reasons.columns})


def churn_risk(
    data: Dataset,
    *,
    cutoff: str | pd.Timestamp,
    definition: str = "recorded",
    horizon_months: int | None = None,
    train_quarters: int = 4,
    active_days: int = 365,
    model: ChurnModel | None = None,
    value: pd.Series | None = None,
    policy: TierPolicy | str | Path = "abc",
    high: float | None = None,
    medium: float | None = None,
    capacity: tuple[int, int] | None = None,
    n_reasons: int = 3,
    min_history_days: int = 365,
    importance: bool = True,
    reasons: bool = True,
    language: str = "en",
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> ChurnRisk:
    """Score every active customer at ``cutoff`` with a model trained on the quarters before it.

    Only data up to ``cutoff`` is used, for the features and for the training labels.

    Parameters
    ----------
    data : Dataset
    cutoff : date
    definition : {"recorded", "lapsed", "quiet_quarter"}, default "recorded"
        What churn means (:data:`~segmentation.churn.features.DEFINITIONS`). ``recorded`` (losses
        the team recorded within six months) ranked the planted losses of the sample data best;
        without churn events it falls back to ``lapsed``, and the notes say so.
    horizon_months : int, optional
        Months the label looks ahead; default the definition's
        (:data:`~segmentation.churn.features.DEFAULT_HORIZONS`: 6, 12, 3).
    train_quarters : int, default 4
        Previous quarter ends used for training (their horizon must end by ``cutoff``).
    active_days : int, default 365
    model : ChurnModel, optional
        Default ``ChurnModel()`` (calibrated gradient boosting).
    value : Series, optional
        Value per customer that value at risk weighs the probability by, e.g. a CLV over the
        horizon; its column is named after the Series (``value`` when unnamed). Default the
        revenue of the last 12 months, in the column ``revenue_t12m``.
    policy : TierPolicy, preset name or path, default "abc"
        Tier policy for the ``tier`` column.
    high, medium, capacity :
        See :func:`risk_bands`; capacity ranks by value at risk.
    n_reasons : int, default 3
    min_history_days : int, default 365
        A training quarter end must be at least this many days after the first order.
    importance : bool, default True
        Measure the signals' permutation importance (:attr:`ChurnRisk.importance`). It fits a
        second model on the older quarters and scores the latest one many times: about a third
        of the run on 100,000 customers. Callers that do not show it (the quarterly review) pass False.
    reasons : bool, default True
        Give every customer its reasons (the ``reason_*``, ``reasons`` and ``signals`` columns).
        With False the table has no reason columns; :meth:`ChurnRisk.explain` gives them for the
        customers wanted.
    language : {"en", "zh", "zh_Hant"}, default "en"
        Language of the reasons (:mod:`segmentation.i18n`).
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``, each day computed once (:func:`~segmentation.churn.features.features_once`, the
        default); a caller that needs them elsewhere too passes its own.

    Returns
    -------
    ChurnRisk
    """
    cutoff = as_date(cutoff, name="cutoff")
    language = check_language(language)
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (see segmentation.load_dataset), got {type(data).__name__}")
    definition, fallback = resolve_definition(data, definition)
    fallback = message("churn.note.fallback_lapsed", language) if fallback else None
    asked_horizon = horizon_months
    horizon_months = DEFAULT_HORIZONS[definition] if horizon_months is None else horizon_months
    earliest = pd.Timestamp(data.transactions["order_date"].min()).normalize() + pd.Timedelta(days=min_history_days)
    cutoffs = previous_cutoffs(cutoff, horizon_months=horizon_months, n=train_quarters, earliest=earliest)
    if not cutoffs and fallback:
        # No churn events, and too little history to see a lapse: the quiet quarter is all the data can show.
        definition = "quiet_quarter"
        horizon_months = DEFAULT_HORIZONS[definition] if asked_horizon is None else asked_horizon
        fallback = message(
            "churn.note.fallback_quiet",
            language,
            cutoff=format_day(cutoff, language),
            months=DEFAULT_HORIZONS["lapsed"],
        )
        cutoffs = previous_cutoffs(cutoff, horizon_months=horizon_months, n=train_quarters, earliest=earliest)
    if not cutoffs:
        raise InsufficientDataError(
            f"cutoff {cutoff:%Y-%m-%d}: no earlier quarter end to learn from; the model needs a "
            f"quarter end at least {min_history_days} days after the first order "
            f"({data.transactions['order_date'].min():%Y-%m-%d}) whose {horizon_months}-month outcome "
            f"is known by the cutoff"
        )
    features_at = features_once(data) if features_at is None else features_at
    frames = [
        churn_training_frame(
            data,
            cutoff=c,
            definition=definition,
            horizon_months=horizon_months,
            active_days=active_days,
            end=cutoff,
            features_at=features_at,
        )
        for c in cutoffs
    ]
    X_train = pd.concat([f[0] for f in frames])
    y_train = pd.concat([f[1] for f in frames]).to_numpy()
    check_both_outcomes(y_train, cutoffs, horizon_months)
    model = clone(model) if model is not None else ChurnModel()
    notes = [fallback] if fallback else []
    ranking = _held_out_importance(model, frames, X_train, y_train, notes, language) if importance else None
    model.fit(X_train, y_train)
    if getattr(model, "calibration", None) and not getattr(model, "calibrated_", True):
        smallest = int(min(y_train.sum(), len(y_train) - y_train.sum()))
        notes.append(message("churn.note.not_calibrated", language, smallest=smallest, folds=model.cv))

    X = churn_features(data, cutoff=cutoff, active_days=active_days, features_at=features_at)
    if X.empty:
        raise InsufficientDataError(
            f"no customer bought anything in the {active_days} days up to {cutoff:%Y-%m-%d}: nobody to score"
        )
    probability = pd.Series(churn_probability(model, X), index=X.index)
    if value is None:
        worth, column = X["revenue_t12m"], "revenue_t12m"
    else:
        worth = pd.Series(value, dtype=float).reindex(X.index)
        column = value.name if isinstance(getattr(value, "name", None), str) and value.name else "value"
        if column in RESERVED or column.startswith("reason_"):
            raise WorkbenchError(
                f"value: a Series named {column!r} would clash with the risk list's own column; "
                f"name it after what it holds (e.g. 'clv')"
            )
        if worth.isna().any():
            raise WorkbenchError(
                f"value: no value for {int(worth.isna().sum())} of the {len(X)} customers "
                f"(first: {list(worth.index[worth.isna()][:5])})"
            )
    at_risk = probability * worth
    tiers = TierPolicy.coerce(policy).assign(features_at(cutoff))["tier"].reindex(X.index)
    table = pd.DataFrame(
        {
            "tier": tiers,
            "churn_probability": probability,
            "band": risk_bands(
                probability,
                high=high,
                medium=medium,
                base_rate=float(np.mean(y_train)),
                capacity=capacity,
                order=at_risk,
            ),
            column: worth,
            "value_at_risk": at_risk,
        },
        index=X.index,
    )
    table = table.sort_values(["value_at_risk", "churn_probability"], ascending=False, kind="stable")
    result = ChurnRisk(
        table=table.reset_index(),
        model=model,
        importance=ranking,
        features=X,
        training_cutoffs=cutoffs,
        reference=retained_reference(X_train, y_train),
        notes=notes,
        n_reasons=n_reasons,
        value_column=column,
        definition=definition,
        horizon_months=horizon_months,
        language=language,
    )
    if reasons:
        result.table = result.with_reasons()
    result.table.attrs.update(
        cutoff=cutoff,
        horizon_months=horizon_months,
        definition=definition,
        excluded=X.attrs["excluded"],
        value_column=column,
    )
    return result


def _held_out_importance(
    model, frames: list, X_train: pd.DataFrame, y_train, notes: list[str], language: str = "en"
) -> pd.DataFrame:
    """Permutation importance on the latest training quarter, from a model fitted on the older ones.

    When no held-out quarter has both outcomes, it is measured in-sample and ``notes`` says so.
    """
    older_y = pd.concat([f[1] for f in frames[:-1]]) if len(frames) >= 2 else None
    if older_y is not None and older_y.nunique() == 2 and frames[-1][1].nunique() == 2:
        older = clone(model).fit(pd.concat([f[0] for f in frames[:-1]]), older_y)
        return signal_importance(older, frames[-1][0], frames[-1][1])
    notes.append(message("churn.note.in_sample_importance", language))
    return signal_importance(clone(model).fit(X_train, y_train), X_train, y_train)


__all__ = ["BANDS", "HIGH_RELATIVE", "MEDIUM_RELATIVE", "ChurnRisk", "churn_risk", "risk_bands"]
