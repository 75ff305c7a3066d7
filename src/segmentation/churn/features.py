"""Leak-free churn training data: warning-signal features at a cutoff, labels over a horizon.

A churn question is asked at a **cutoff** date about the customers *active* then (a purchase in
the ``active_days`` before the cutoff, one year by default). The features use only rows dated on
or before the cutoff; the label says whether the customer made **no purchase** in the
``horizon_months`` after it (one quarter by default). Nothing after the cutoff reaches a
feature, which ``tests/test_churn_features.py`` proves by changing every later row.

The features are the warning signs of domain brief section 5 (:data:`CHURN_FEATURES`):
purchase frequency and order size falling, a long time since the last order, slower replies
to our contacts, unanswered contacts, falling satisfaction and complaints. A signal that
cannot be measured (no survey answer, a single purchase) stays empty (NaN): the gradient
boosting model handles that natively and the logistic baseline imputes it with an indicator.
Payment risk (long receivable cycles) is not in the data contract and is not used.

Customers the team has already recorded as lost on or before the cutoff (``churn_events``)
are not asked about: they are left out and counted in ``attrs["excluded"]``.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> from segmentation.data.dataset import Dataset
>>> t = generate_sample(300, random_state=1)
>>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
>>> X, y = churn_training_frame(ds, cutoff="2025-03-31")
>>> X.index.equals(y.index), X.attrs["cutoff"].date().isoformat(), y.name
(True, '2025-03-31', 'churned')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from segmentation.data.complaints import COMPLAINT, is_complaint
from segmentation.data.dataset import Dataset
from segmentation.errors import InsufficientDataError, WorkbenchError
from segmentation.features import customer_features
from segmentation.i18n import check_language, format_number, message
from segmentation.periods import as_date, months_before

#: The churn features, with their meaning (empty = cannot be measured for this customer).
CHURN_FEATURES = {
    "days_since_last_order": "days from the last purchase to the cutoff",
    "usual_gap_days": "mean days between purchase days (empty with a single purchase day)",
    "overdue_ratio": "days since the last order divided by the usual gap (empty with a single purchase day)",
    "purchases_t12m": "purchase days in the 12 months up to the cutoff",
    "purchases_last_quarter": "purchase days in the last 90 days",
    "purchases_prev_quarter": "purchase days in the 90 days before those",
    "frequency_trend": "(last - previous quarter) / (last + previous) of purchase days, in [-1, 1]",
    "revenue_t12m": "revenue in the 12 months up to the cutoff",
    "revenue_trend": "(last - previous quarter) / (last + previous) of revenue, in [-1, 1]",
    "order_size_recent": "revenue per order in the last 180 days (empty without orders)",
    "order_size_change": "order size of the last 180 days / the 180 before - 1 (empty when either has none)",
    "tenure_days": "days since the first deal (or first purchase)",
    "contacts_last_quarter": "contacts in the last 90 days",
    "no_reply_streak": "our most recent contacts in a row that got no reply",
    "reply_hours_recent": "median hours until the customer replied to us in the last 90 days",
    "reply_hours_before": "the same in the 275 days before those",
    "reply_delay_change": "reply_hours_recent / reply_hours_before - 1",
    "complaints_last_quarter": "complaints in the last 90 days",
    "complaints_t12m": "complaints in the 12 months up to the cutoff",
    "satisfaction_last": "the last survey rating (1-5)",
    "satisfaction_previous": "the survey rating before it",
    "satisfaction_change": "satisfaction_last - satisfaction_previous",
}

QUARTER, HALF, YEAR = pd.Timedelta(days=90), pd.Timedelta(days=180), pd.Timedelta(days=365)


def _check(data: Dataset, cutoff) -> pd.Timestamp:
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (see segmentation.load_dataset), got {type(data).__name__}")
    return as_date(cutoff, name="cutoff")


def _recorded_lost(data: Dataset, cutoff: pd.Timestamp) -> pd.Index:
    events = data.churn_events
    if events is None or events.empty:
        return pd.Index([], dtype=object)
    return pd.Index(events.loc[events["date"] <= cutoff, "customer_id"].unique())


def features_once(data: Dataset) -> Callable[[str | pd.Timestamp], pd.DataFrame]:
    """``features_at(day)``: the :func:`~segmentation.features.customer_features` of ``data`` at a day,
    each day aggregated once and shared by every step that asks for it.

    The steps of a churn run or a quarterly review ask for the same days (the cutoff, the quarter
    ends before it); each aggregation reads every order line. Each caller gets its own shallow copy.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-02"]),
    ...                    "amount": [1.0]})
    >>> features_at = features_once(Dataset.from_frames(transactions=tx))
    >>> features_at("2025-03-31").equals(features_at(pd.Timestamp("2025-03-31")))
    True
    """
    frames: dict[pd.Timestamp, pd.DataFrame] = {}

    def features_at(day: str | pd.Timestamp) -> pd.DataFrame:
        day = as_date(day, name="as_of")
        if day not in frames:
            frames[day] = customer_features(data, as_of=day)
        return frames[day].copy(deep=False)

    return features_at


def churn_features(
    data: Dataset,
    *,
    cutoff: str | pd.Timestamp,
    active_days: int = 365,
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Warning-signal features of the active customers at a cutoff, from rows up to the cutoff only.

    Parameters
    ----------
    data : Dataset
        Loaded data; interactions and surveys are optional (their signals stay empty).
    cutoff : str or Timestamp
        The last day of data used (inclusive).
    active_days : int, default 365
        A customer is active at the cutoff with a purchase in this many days before it.
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``; a caller that needs them elsewhere too passes one that computes each day once
        (:func:`features_once`). Default: computed here.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (sorted), the columns of :data:`CHURN_FEATURES`.
        ``attrs``: ``cutoff``, ``active_days`` and ``excluded`` (customers active but already
        recorded as lost in ``churn_events``).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a"], "order_id": ["1", "2", "3"],
    ...     "order_date": pd.to_datetime(["2024-01-10", "2024-02-09", "2024-03-10"]),
    ...     "amount": [100.0, 100.0, 40.0]})
    >>> f = churn_features(Dataset.from_frames(transactions=tx), cutoff="2024-04-09")
    >>> f.loc["a", ["days_since_last_order", "usual_gap_days", "overdue_ratio", "purchases_last_quarter"]].tolist()
    [30.0, 30.0, 1.0, 2.0]
    """
    cutoff = _check(data, cutoff)
    if not isinstance(active_days, (int, np.integer)) or active_days < 1:
        raise WorkbenchError(f"active_days must be a positive number of days, got {active_days!r}")
    orders = _order_signals(data.transactions, cutoff, active_days)
    recent = orders.index[orders["active"].to_numpy() > 0]
    lost = _recorded_lost(data, cutoff)
    ids = pd.Index(sorted(recent.difference(lost)), name="customer_id", dtype=object)
    excluded = len(recent.intersection(lost))

    base = features_at(cutoff) if features_at is not None else customer_features(data, as_of=cutoff)
    base = base.reindex(ids)
    orders = orders.reindex(ids)
    out = pd.DataFrame(index=ids)
    out["days_since_last_order"] = base["rfm_recency_days"]
    out["usual_gap_days"] = base["mean_gap_days"]
    out["overdue_ratio"] = base["rfm_recency_days"] / base["mean_gap_days"]
    out["purchases_t12m"] = orders["purchases_t12m"].fillna(0).astype(float)
    out["purchases_last_quarter"] = base["purchase_days_last90"]
    out["purchases_prev_quarter"] = base["purchase_days_prev90"]
    out["frequency_trend"] = base["purchase_trend"]
    out["revenue_t12m"] = base["revenue_t12m"]
    out["revenue_trend"] = base["revenue_trend"]
    recent_size, before_size = orders["order_size_recent"], orders["order_size_before"]
    out["order_size_recent"] = recent_size
    out["order_size_change"] = recent_size / before_size - 1
    out["tenure_days"] = base["tenure_days"]
    out = out.join(_contact_signals(data.interactions, ids, cutoff))
    out = out.join(_satisfaction_signals(data.surveys, ids, cutoff))
    out = out[list(CHURN_FEATURES)].astype(float)
    out.attrs.update(cutoff=cutoff, active_days=int(active_days), excluded=excluded)
    return out


def _order_signals(tx: pd.DataFrame, cutoff: pd.Timestamp, active_days: int) -> pd.DataFrame:
    """Per customer with an order line in the year (or ``active_days``) up to the cutoff, in one DuckDB pass:
    ``active`` (a line in the ``active_days``), ``purchases_t12m`` (purchase days in the year) and the
    order size (revenue per order; empty without revenue) of the last 180 days and the 180 before.

    The lines are read on one DuckDB thread, in their order: the sums have the same bits in every run.
    """
    import ibis

    con = ibis.duckdb.connect(threads=1)
    t = con.create_view("lines", ibis.memtable(tx[["customer_id", "order_id", "order_date", "amount"]]))

    def after(offset: pd.Timedelta) -> ibis.Expr:
        return t.order_date > ibis.timestamp((cutoff - offset).to_pydatetime())

    active, year, half, year_half = (
        after(pd.Timedelta(days=int(active_days))),
        after(YEAR),
        after(HALF),
        after(2 * HALF),
    )
    earlier = year_half & ~half
    lines = t.filter((t.order_date <= ibis.timestamp(cutoff.to_pydatetime())) & (active | year | year_half))
    per = lines.group_by("customer_id").aggregate(
        active=active.ifelse(1, 0).max(),
        purchases_t12m=lines.order_date.date().nunique(where=year),
        revenue_recent=lines.amount.sum(where=half),
        orders_recent=lines.order_id.nunique(where=half),
        revenue_before=lines.amount.sum(where=earlier),
        orders_before=lines.order_id.nunique(where=earlier),
    )
    per = per.to_pyarrow().to_pandas().astype({"customer_id": str}).set_index("customer_id").sort_index()
    out = per[["active", "purchases_t12m"]].astype(float)
    for name in ("recent", "before"):
        size = per[f"revenue_{name}"] / per[f"orders_{name}"].where(per[f"orders_{name}"] > 0)
        out[f"order_size_{name}"] = size.where(size > 0).astype(float)
    return out


def _contact_signals(interactions: pd.DataFrame | None, ids: pd.Index, cutoff: pd.Timestamp) -> pd.DataFrame:
    out = pd.DataFrame(
        index=ids,
        columns=[
            "contacts_last_quarter",
            "no_reply_streak",
            "reply_hours_recent",
            "reply_hours_before",
            "reply_delay_change",
            "complaints_last_quarter",
            "complaints_t12m",
        ],
        dtype=float,
    )
    if interactions is None:
        return out
    # Every signal is per customer and reindexed to ``ids`` at the end: other customers' rows are
    # left in rather than filtered out (an isin over pandas' Arrow strings costs more than they do),
    # and only the columns read are copied.
    used = [c for c in ("customer_id", "date", "direction", "response_hours", "topic", COMPLAINT) if c in interactions]
    rows = interactions.loc[interactions["date"] <= cutoff, used]
    last_quarter = rows["date"] > cutoff - QUARTER
    out["contacts_last_quarter"] = rows.loc[last_quarter].groupby("customer_id").size().reindex(ids, fill_value=0)
    # Replies are the customer's to *our* contacts: inbound contacts carry our own response time.
    ours = rows.loc[rows["direction"] == "proactive"] if "direction" in rows else rows
    if "response_hours" in ours:
        ours = ours.sort_values(["customer_id", "date"], kind="stable")
        replied = ours["response_hours"].notna()
        # Unanswered contacts in a row at the end of each customer's history.
        answered_after = replied[::-1].groupby(ours["customer_id"][::-1]).cummax()[::-1]
        streak = (~answered_after).groupby(ours["customer_id"]).sum()
        out["no_reply_streak"] = streak.reindex(ids, fill_value=0)
        recent = ours.loc[ours["date"] > cutoff - QUARTER]
        before = ours.loc[(ours["date"] > cutoff - YEAR) & (ours["date"] <= cutoff - QUARTER)]
        out["reply_hours_recent"] = recent.groupby("customer_id")["response_hours"].median().reindex(ids)
        out["reply_hours_before"] = before.groupby("customer_id")["response_hours"].median().reindex(ids)
        out["reply_delay_change"] = (
            out["reply_hours_recent"] / out["reply_hours_before"].where(out["reply_hours_before"] > 0) - 1
        )
    if "topic" in rows or COMPLAINT in rows:
        complaint = is_complaint(rows)
        in_year = rows["date"] > cutoff - YEAR
        for column, mask in (("complaints_last_quarter", last_quarter), ("complaints_t12m", in_year)):
            out[column] = (complaint & mask).groupby(rows["customer_id"]).sum().reindex(ids, fill_value=0)
    else:
        out[["complaints_last_quarter", "complaints_t12m"]] = 0.0
    return out


def _satisfaction_signals(surveys: pd.DataFrame | None, ids: pd.Index, cutoff: pd.Timestamp) -> pd.DataFrame:
    out = pd.DataFrame(index=ids, columns=["satisfaction_last", "satisfaction_previous"], dtype=float)
    if surveys is not None:
        keep = (surveys["date"] <= cutoff) & surveys["rating"].notna()
        s = surveys.loc[keep, ["customer_id", "date", "rating"]]  # per customer, then reindexed
        s = s.sort_values(["customer_id", "date"], kind="stable")
        back = s.groupby("customer_id").cumcount(ascending=False)  # 0 = the last answer
        for column, step in (("satisfaction_last", 0), ("satisfaction_previous", 1)):
            out[column] = s.loc[back == step].set_index("customer_id")["rating"].reindex(ids)
    out["satisfaction_change"] = out["satisfaction_last"] - out["satisfaction_previous"]
    return out


def data_end(data: Dataset, end: str | pd.Timestamp | None = None) -> pd.Timestamp:
    """The last day labels are known up to: ``end`` when given, else the last order date."""
    if end is None:
        return pd.Timestamp(data.transactions["order_date"].max()).normalize()
    return as_date(end, name="end")


#: What each churn definition (``definition=``) calls churn, and its trade-off.
DEFINITIONS: dict[str, str] = {
    "recorded": (
        "lost as the team records it: an entry in churn_events dated within the horizon after the cutoff. The "
        "business meaning of churn; it needs churn_events, and a loss is known only once recorded (weeks late)"
    ),
    "lapsed": (
        "no purchase for longer than the customer's own rhythm allows: more than the larger of a floor and k times "
        "its usual gap between purchase days (k and the floor learnt from the gaps in the data up to the cutoff). "
        "Needs no churn records, but a long horizon to see the lapse, so training cutoffs lie further back"
    ),
    "quiet_quarter": (
        "no purchase in the quarter after the cutoff. Simple and quick to observe, but for customers who order every "
        "3 to 5 months a quiet quarter is their rhythm, not a loss"
    ),
}
#: The label horizon of each definition in months, when none is given.
DEFAULT_HORIZONS: dict[str, int] = {"recorded": 6, "lapsed": 12, "quiet_quarter": 3}


def definition_meaning(definition: str, language: str = "en") -> str:
    """What a churn definition means and what it trades off, in ``language``.

    Examples
    --------
    >>> definition_meaning("quiet_quarter", "zh")[:12]
    '截止日之后一个季度内没有'
    """
    if definition not in DEFINITIONS:
        raise WorkbenchError(f"definition must be one of {list(DEFINITIONS)}, got {definition!r}")
    return message(f"churn.definition.{definition}", check_language(language))


def resolve_definition(data: Dataset, definition: str = "recorded") -> tuple[str, str | None]:
    """The definition in force and a note when it differs from the one asked for.

    ``recorded`` falls back to ``lapsed`` when the data have no churn events (CDNOW, say).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-02"]),
    ...                    "amount": [1.0]})
    >>> resolve_definition(Dataset.from_frames(transactions=tx))[0]
    'lapsed'
    """
    if definition not in DEFINITIONS:
        raise WorkbenchError(f"definition must be one of {list(DEFINITIONS)}, got {definition!r}")
    if definition == "recorded" and (data.churn_events is None or data.churn_events.empty):
        return "lapsed", "no churn events recorded: churn means a lapse beyond the customer's own rhythm instead"
    return definition, None


def churn_horizon(data: Dataset, definition: str = "recorded", horizon_months: int | None = None) -> tuple[str, int]:
    """The definition in force and its label horizon in months (the definition's default when not given).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-02"]),
    ...                    "amount": [1.0]})
    >>> churn_horizon(Dataset.from_frames(transactions=tx), "quiet_quarter")
    ('quiet_quarter', 3)
    """
    definition, _ = resolve_definition(data, definition)
    return definition, DEFAULT_HORIZONS[definition] if horizon_months is None else horizon_months


@dataclass(frozen=True)
class LapseRule:
    """How long a customer may stay away before it counts as lapsed: ``max(floor_days, k x usual gap)``."""

    k: float
    floor_days: float
    unknown_days: float  # the allowance of a customer without a usual gap (a single purchase day)

    def allowance(self, usual_gap_days: pd.Series) -> pd.Series:
        """Days each customer may stay away, from its usual gap between purchase days."""
        return np.maximum(self.floor_days, self.k * usual_gap_days).fillna(self.unknown_days)

    def words(self, language: str = "en") -> str:
        """The rule in plain words, in ``language``."""
        return message(
            "churn.lapse_rule",
            language,
            k=format_number(self.k, language, digits=1),
            floor=format_number(self.floor_days, language),
            unknown=format_number(self.unknown_days, language),
        )


def lapse_rule(data: Dataset, *, cutoff: str | pd.Timestamp, quantile: float = 0.9) -> LapseRule:
    """The lapse rule learnt from the gaps between purchase days up to ``cutoff``.

    ``k`` is the ``quantile`` of each gap divided by its customer's median gap (customers with
    three gaps or more): a returning customer's gap is within ``k`` times its usual one that often.
    ``floor_days`` is the median gap of everyone, ``unknown_days`` the ``quantile`` of all gaps.
    """
    cutoff = as_date(cutoff, name="cutoff")
    tx = data.transactions
    days = tx.loc[tx["order_date"] <= cutoff, ["customer_id", "order_date"]]
    days = days.assign(order_date=days["order_date"].dt.normalize()).drop_duplicates()
    days = days.sort_values(["customer_id", "order_date"], kind="stable")
    gap = days.groupby("customer_id")["order_date"].diff().dt.days.dropna()
    if len(gap) < 10:
        raise InsufficientDataError(
            f"definition 'lapsed': only {len(gap)} gaps between purchase days up to {cutoff:%Y-%m-%d}; at least 10 "
            f"are needed to learn how long customers stay away (use definition='quiet_quarter')"
        )
    owner = days.loc[gap.index, "customer_id"]
    counts = owner.map(owner.value_counts())
    ratio = (gap / gap.groupby(owner).transform("median"))[counts >= 3]
    k = float(ratio.quantile(quantile)) if len(ratio) else 2.0
    return LapseRule(k=max(k, 1.0), floor_days=float(gap.median()), unknown_days=float(gap.quantile(quantile)))


def churn_labels(
    data: Dataset,
    customers: pd.Index,
    *,
    cutoff: str | pd.Timestamp,
    definition: str = "recorded",
    horizon_months: int | None = None,
    end: str | pd.Timestamp | None = None,
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> pd.Series:
    """Whether each customer churned after ``cutoff``, by one of the :data:`DEFINITIONS`.

    Parameters
    ----------
    data : Dataset
    customers : Index
        The customers asked about (usually the index of :func:`churn_features`).
    cutoff : str or Timestamp
    definition : {"recorded", "lapsed", "quiet_quarter"}, default "recorded"
        What churn means (:data:`DEFINITIONS`); ``recorded`` needs churn events.
    horizon_months : int, optional
        Months after the cutoff the label looks at, the window ``(cutoff, cutoff + horizon]``;
        default :data:`DEFAULT_HORIZONS` (6, 12 and 3). A ``lapsed`` allowance is capped by it.
    end : date, optional
        Last day the data covers (default: the last order date). A horizon that ends later
        cannot be labelled and is refused.
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``; a caller that needs them elsewhere too passes one that computes each day once
        (:func:`features_once`). Default: computed here.

    Returns
    -------
    Series of bool named ``churned``, indexed like ``customers``; ``attrs``: ``definition``,
    ``horizon_months`` and, for ``lapsed``, ``lapse_rule``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "b"], "order_id": ["1", "2", "3", "4"],
    ...     "order_date": pd.to_datetime(["2025-01-10", "2025-05-10", "2025-01-10", "2025-02-10"]),
    ...     "amount": [1.0] * 4})
    >>> d = Dataset.from_frames(transactions=tx)
    >>> churn_labels(d, pd.Index(["a", "b"]), cutoff="2025-01-31", definition="quiet_quarter").tolist()
    [True, False]
    """
    cutoff = _check(data, cutoff)
    if definition not in DEFINITIONS:
        raise WorkbenchError(f"definition must be one of {list(DEFINITIONS)}, got {definition!r}")
    horizon = DEFAULT_HORIZONS[definition] if horizon_months is None else horizon_months
    stop = horizon_end(cutoff, horizon)
    last = data_end(data, end)
    if stop > last:
        raise WorkbenchError(
            f"labels need data up to {stop:%Y-%m-%d} (cutoff {cutoff:%Y-%m-%d} + {horizon} "
            f"months) but the transactions end on {last:%Y-%m-%d}; choose an earlier cutoff"
        )
    ids = pd.Index(customers, name="customer_id")
    tx = data.transactions
    rule = None
    if definition == "recorded":
        events = data.churn_events
        if events is None or events.empty:
            raise InsufficientDataError(
                "definition 'recorded' needs a churn_events table with the losses the team recorded; "
                "use definition='lapsed' or 'quiet_quarter'"
            )
        lost = events.loc[(events["date"] > cutoff) & (events["date"] <= stop), "customer_id"]
        churned = ids.isin(pd.Index(lost.unique()))
    elif definition == "lapsed":
        rule = lapse_rule(data, cutoff=cutoff)
        base = features_at(cutoff) if features_at is not None else customer_features(data, as_of=cutoff)
        usual = base.reindex(ids)["mean_gap_days"]
        allowed = np.minimum(rule.allowance(usual), (stop - cutoff).days)
        after = tx.loc[(tx["order_date"] > cutoff) & (tx["order_date"] <= stop)]
        wait = (after.groupby("customer_id")["order_date"].min().reindex(ids) - cutoff).dt.days
        churned = (wait.isna() | (wait > allowed)).to_numpy()
    else:
        window = tx.loc[(tx["order_date"] > cutoff) & (tx["order_date"] <= stop)]
        churned = ids.isin(pd.Index(window["customer_id"].unique()))
        churned = ~churned
    y = pd.Series(np.asarray(churned, dtype=bool), index=ids, name="churned")
    y.attrs.update(definition=definition, horizon_months=horizon, lapse_rule=rule)
    return y


def horizon_end(cutoff: pd.Timestamp, horizon_months: int) -> pd.Timestamp:
    """The last day of the label window: ``cutoff`` plus ``horizon_months`` (month ends stay month ends)."""
    if not isinstance(horizon_months, (int, np.integer)) or horizon_months < 1:
        raise WorkbenchError(f"horizon_months must be a positive whole number of months, got {horizon_months!r}")
    cutoff = as_date(cutoff, name="cutoff")
    if cutoff.is_month_end:
        return cutoff + pd.offsets.MonthEnd(int(horizon_months))
    return cutoff + pd.DateOffset(months=int(horizon_months))


def churn_training_frame(
    data: Dataset,
    *,
    cutoff: str | pd.Timestamp,
    definition: str = "recorded",
    horizon_months: int | None = None,
    active_days: int = 365,
    end: str | pd.Timestamp | None = None,
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Features at ``cutoff`` and the churn label over the following horizon, for the active customers.

    ``features_at`` as in :func:`churn_features` (default: the cutoff's aggregation done once for both).

    Returns
    -------
    X : DataFrame
        :func:`churn_features` at the cutoff.
    y : Series of bool
        ``churned`` by ``definition`` (:func:`churn_labels`).
    """
    features_at = features_once(data) if features_at is None else features_at
    X = churn_features(data, cutoff=cutoff, active_days=active_days, features_at=features_at)
    y = churn_labels(
        data,
        X.index,
        cutoff=cutoff,
        definition=definition,
        horizon_months=horizon_months,
        end=end,
        features_at=features_at,
    )
    return X, y


def quarter_ends(
    data: Dataset,
    *,
    n: int,
    horizon_months: int = 3,
    end: str | pd.Timestamp | None = None,
    min_history_days: int = 365,
) -> list[pd.Timestamp]:
    """The last ``n`` quarter ends whose label window the data covers, oldest first.

    Quarter ends less than ``min_history_days`` after the first order are not offered (too
    little history for the features).
    """
    last = data_end(data, end)
    first = pd.Timestamp(data.transactions["order_date"].min()).normalize() + pd.Timedelta(days=min_history_days)
    candidates = pd.date_range(first, last, freq="QE")
    usable = [c for c in candidates if horizon_end(c, horizon_months) <= last]
    return usable[-n:] if n > 0 else []


def previous_cutoffs(
    cutoff: pd.Timestamp, *, horizon_months: int, n: int, earliest: pd.Timestamp
) -> list[pd.Timestamp]:
    """Up to ``n`` quarter steps before ``cutoff`` whose label window has closed by ``cutoff``, oldest first."""
    out = []
    k = 1
    while len(out) < n:
        candidate = months_before(cutoff, 3 * k)
        if candidate < earliest:
            break
        if horizon_end(candidate, horizon_months) <= cutoff:
            out.append(candidate)
        k += 1
    return out[::-1]


def check_both_outcomes(y: np.ndarray, cutoffs: list[pd.Timestamp], horizon_months: int) -> None:
    """Refuse training labels of one class, saying what was found and what to change.

    Raises
    ------
    InsufficientDataError
        When every training row churned, or none did.

    Examples
    --------
    >>> check_both_outcomes(np.array([0, 1, 0]), [pd.Timestamp("2025-03-31")], 3)
    >>> check_both_outcomes(np.array([0, 0]), [pd.Timestamp("2025-03-31")], 3)
    Traceback (most recent call last):
    ...
    segmentation.errors.InsufficientDataError: churn model: all 2 training rows (active customers at the quarter ends 2025-03-31) bought again within 3 months, so there is nothing to learn the difference from; the model needs both churners and customers who stayed (more customers, a later cutoff or another horizon)
    """
    churners = int(np.sum(y))
    if 0 < churners < len(y):
        return
    when = ", ".join(f"{c:%Y-%m-%d}" for c in cutoffs)
    found = "churned" if churners else "bought again"
    raise InsufficientDataError(
        f"churn model: all {len(y)} training rows (active customers at the quarter ends {when}) "
        f"{found} within {horizon_months} months, so there is nothing to learn the difference "
        f"from; the model needs both churners and customers who stayed (more customers, a "
        f"later cutoff or another horizon)"
    )


def describe_churn_features(language: str = "en") -> pd.DataFrame:
    """The churn feature columns and their meaning, as a table.

    In English: the column names and their definitions. In another language: each signal by its
    name in that language (the catalogue's ``churn.feature.*``), for a reader's glossary.

    Examples
    --------
    >>> describe_churn_features("zh")["feature"].iloc[0]
    '距上次下单天数'
    """
    if check_language(language) == "en":
        return pd.DataFrame({"feature": list(CHURN_FEATURES), "meaning": list(CHURN_FEATURES.values())})
    return pd.DataFrame({"feature": [message(f"churn.feature.{name}", language) for name in CHURN_FEATURES]})


__all__ = [
    "CHURN_FEATURES",
    "DEFAULT_HORIZONS",
    "DEFINITIONS",
    "LapseRule",
    "churn_horizon",
    "lapse_rule",
    "resolve_definition",
    "churn_features",
    "churn_labels",
    "churn_training_frame",
    "check_both_outcomes",
    "data_end",
    "definition_meaning",
    "describe_churn_features",
    "features_once",
    "horizon_end",
    "previous_cutoffs",
    "quarter_ends",
]
