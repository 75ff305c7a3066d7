"""Why a customer is at risk: global importance, and the two or three signals behind each score.

**Global**: :func:`signal_importance` is permutation importance (scikit-learn) on held-out
data: how much the ROC AUC drops when one feature's values are shuffled.

**Per customer**: a signal (:data:`SIGNALS`) is a group of related features, such as the
order frequency of the last two quarters. Its contribution to a customer's score is how far
the churn probability falls when the signal's features are set to those of a typical retained
customer **of the same buying rhythm** (the medians of the training customers who did not churn,
in the customer's purchase-gap band, :data:`RHYTHM_BANDS`). The signals with the largest positive
contributions whose values point the warning way are written in plain words from the customer's
own figures ("orders down 67% on the quarter before", "no reply to our last 3 contacts",
"satisfaction fell from 5 to 2"). A signal whose words are true of most retained customers of the
same rhythm sets nobody apart ("buys rarely" of a project buyer who orders twice a year) and is
not given as a reason. When the score is raised by the pattern rather than by one warning sign,
the reason says so and names the largest factor.

Examples
--------
>>> row = pd.Series({"purchases_last_quarter": 1.0, "purchases_prev_quarter": 3.0})
>>> SIGNALS["frequency_down"].words(row)
'orders down 67% on the quarter before (1 purchase day, was 3)'
>>> SIGNALS["frequency_down"].words(row, "zh")
'下单次数比上一季度减少 67%（1 个下单日，此前 3 个）'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.inspection import permutation_importance

from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.model import churn_probability
from segmentation.i18n import check_language, format_number, format_percent, message


def _n(value: float, language: str) -> str:
    return format_number(value, language)


def _pct(share: float, language: str) -> str:
    return format_percent(share, language, digits=0)


@dataclass(frozen=True)
class Signal:
    """A warning signal: the features it moves together and how to say it for one customer.

    ``words(row, language="en")`` returns the sentence in ``language``, or None when the customer's
    values do not point the warning way (a signal is then not given as a reason, whatever the model did
    with it). ``label`` is the English name of what the signal measures; :func:`signal_label` gives it
    in any language.
    """

    name: str
    features: tuple[str, ...]
    words: Callable[..., str | None]  # (row, language) -> words or None
    label: str = ""


def _no_recent_order(r: pd.Series, language: str = "en") -> str | None:
    days, gap = r["days_since_last_order"], r.get("usual_gap_days", np.nan)
    if np.isfinite(gap) and gap > 0 and days > 1.5 * gap:
        return message("churn.reason.no_order_usual", language, days=_n(days, language), gap=_n(gap, language))
    if days >= 90:
        return message("churn.reason.no_order", language, days=_n(days, language))
    return None


def _frequency_down(r: pd.Series, language: str = "en") -> str | None:
    last, prev = r["purchases_last_quarter"], r["purchases_prev_quarter"]
    if prev > 0 and last < prev:
        return message(
            "churn.reason.frequency_down",
            language,
            count=int(last),
            drop=_pct((prev - last) / prev, language),
            last=_n(last, language),
            prev=_n(prev, language),
        )
    return None


def _rarely_buys(r: pd.Series, language: str = "en") -> str | None:
    n, gap = r["purchases_t12m"], r.get("usual_gap_days", np.nan)
    if np.isfinite(n) and (n <= 4 or (np.isfinite(gap) and gap >= 60)):
        if np.isfinite(gap):
            return message(
                "churn.reason.rarely_buys_every", language, count=int(n), n=_n(n, language), gap=_n(gap, language)
            )
        return message("churn.reason.rarely_buys", language, count=int(n), n=_n(n, language))
    return None


def _order_size_down(r: pd.Series, language: str = "en") -> str | None:
    change = r["order_size_change"]
    if np.isfinite(change) and change <= -0.2:
        return message("churn.reason.order_size_down", language, drop=_pct(-change, language))
    return None


def _revenue_down(r: pd.Series, language: str = "en") -> str | None:
    trend = r["revenue_trend"]
    if trend <= -0.2:
        # trend = (last - prev) / (last + prev), so last / prev = (1 + trend) / (1 - trend).
        return message("churn.reason.revenue_down", language, drop=_pct(1 - (1 + trend) / (1 - trend), language))
    return None


def _no_reply(r: pd.Series, language: str = "en") -> str | None:
    n = r["no_reply_streak"]
    return message("churn.reason.no_reply", language, count=int(n), n=_n(n, language)) if n >= 1 else None


def _slower_replies(r: pd.Series, language: str = "en") -> str | None:
    now, before = r["reply_hours_recent"], r["reply_hours_before"]
    if np.isfinite(now) and np.isfinite(before) and now > 1.25 * before:
        return message("churn.reason.slower_replies", language, before=_n(before, language), now=_n(now, language))
    return None


def _satisfaction(r: pd.Series, language: str = "en") -> str | None:
    last, prev = r["satisfaction_last"], r["satisfaction_previous"]
    if np.isfinite(last) and np.isfinite(prev) and last < prev:
        return message("churn.reason.satisfaction_fell", language, before=_n(prev, language), now=_n(last, language))
    if np.isfinite(last) and last <= 2:
        return message("churn.reason.satisfaction_low", language, now=_n(last, language))
    return None


def _complaints(r: pd.Series, language: str = "en") -> str | None:
    q, y = r["complaints_last_quarter"], r["complaints_t12m"]
    if q > 0:
        return message("churn.reason.complaints_quarter", language, count=int(q), n=_n(q, language))
    return message("churn.reason.complaints_year", language, count=int(y), n=_n(y, language)) if y >= 2 else None


def _few_contacts(r: pd.Series, language: str = "en") -> str | None:
    return message("churn.reason.few_contacts", language) if r["contacts_last_quarter"] == 0 else None


def _new_customer(r: pd.Series, language: str = "en") -> str | None:
    if r["tenure_days"] < 180:
        return message("churn.reason.new_customer", language, days=_n(r["tenure_days"], language))
    return None


#: The signals, each a group of :data:`~segmentation.churn.features.CHURN_FEATURES`.
SIGNALS: dict[str, Signal] = {
    s.name: s
    for s in (
        Signal(
            "no_recent_order", ("days_since_last_order", "overdue_ratio"), _no_recent_order, "time since the last order"
        ),
        Signal(
            "frequency_down",
            ("purchases_last_quarter", "purchases_prev_quarter", "frequency_trend"),
            _frequency_down,
            "order frequency",
        ),
        Signal("rarely_buys", ("purchases_t12m", "usual_gap_days"), _rarely_buys, "buying rhythm"),
        Signal("order_size_down", ("order_size_recent", "order_size_change"), _order_size_down, "order size"),
        Signal("revenue_down", ("revenue_trend", "revenue_t12m"), _revenue_down, "revenue trend"),
        Signal("no_reply", ("no_reply_streak",), _no_reply, "unanswered contacts"),
        Signal(
            "slower_replies",
            ("reply_hours_recent", "reply_hours_before", "reply_delay_change"),
            _slower_replies,
            "reply times",
        ),
        Signal(
            "satisfaction_fell",
            ("satisfaction_last", "satisfaction_previous", "satisfaction_change"),
            _satisfaction,
            "satisfaction",
        ),
        Signal("complaints", ("complaints_last_quarter", "complaints_t12m"), _complaints, "complaints"),
        Signal("few_contacts", ("contacts_last_quarter",), _few_contacts, "contact with us"),
        Signal("new_customer", ("tenure_days",), _new_customer, "tenure"),
    )
}


def _column(X: pd.DataFrame, name: str) -> np.ndarray:
    return X[name].to_numpy(dtype=float) if name in X else np.full(len(X), np.nan)


def warns(X: pd.DataFrame, name: str) -> np.ndarray:
    """Whether the signal ``name`` has words for each row of ``X``: ``SIGNALS[name].words(row) is not None``.

    The same tests as the words, on whole columns: the retained customers of a training set (hundreds of
    thousands of rows) are checked without writing a sentence for each.

    Examples
    --------
    >>> X = pd.DataFrame({"purchases_last_quarter": [1.0, 3.0], "purchases_prev_quarter": [3.0, 1.0]})
    >>> warns(X, "frequency_down").tolist()
    [True, False]
    """

    def c(column: str) -> np.ndarray:
        return _column(X, column)

    fin = np.isfinite
    with np.errstate(invalid="ignore"):
        if name == "no_recent_order":
            days, gap = c("days_since_last_order"), c("usual_gap_days")
            return (fin(gap) & (gap > 0) & (days > 1.5 * gap)) | (days >= 90)
        if name == "frequency_down":
            last, prev = c("purchases_last_quarter"), c("purchases_prev_quarter")
            return (prev > 0) & (last < prev)
        if name == "rarely_buys":
            n, gap = c("purchases_t12m"), c("usual_gap_days")
            return fin(n) & ((n <= 4) | (fin(gap) & (gap >= 60)))
        if name == "order_size_down":
            change = c("order_size_change")
            return fin(change) & (change <= -0.2)
        if name == "revenue_down":
            return c("revenue_trend") <= -0.2
        if name == "no_reply":
            return c("no_reply_streak") >= 1
        if name == "slower_replies":
            now, before = c("reply_hours_recent"), c("reply_hours_before")
            return fin(now) & fin(before) & (now > 1.25 * before)
        if name == "satisfaction_fell":
            last, prev = c("satisfaction_last"), c("satisfaction_previous")
            return (fin(last) & fin(prev) & (last < prev)) | (fin(last) & (last <= 2))
        if name == "complaints":
            return (c("complaints_last_quarter") > 0) | (c("complaints_t12m") >= 2)
        if name == "few_contacts":
            return c("contacts_last_quarter") == 0
        if name == "new_customer":
            return c("tenure_days") < 180
    raise KeyError(f"no signal {name!r}; signals are {sorted(SIGNALS)}")


def signal_label(name: str, language: str = "en") -> str:
    """What the signal ``name`` of :data:`SIGNALS` measures, in ``language`` ("order frequency").

    Examples
    --------
    >>> signal_label("complaints", "zh")
    '投诉'
    """
    language = check_language(language)
    if name not in SIGNALS:
        raise KeyError(f"no signal {name!r}; signals are {sorted(SIGNALS)}")
    return message(f"churn.signal.{name}", language)


def feature_label(name: str, language: str = "en") -> str:
    """A churn feature's short name in words, for tables and chart axes; other names are kept as given.

    Examples
    --------
    >>> feature_label("no_reply_streak"), feature_label("no_reply_streak", "zh")
    ('unanswered contacts in a row', '连续未回复的联系次数')
    """
    return message(f"churn.feature.{name}", check_language(language)) if name in CHURN_FEATURES else str(name)


#: Upper edges (days between purchase days) of the buying-rhythm bands in which customers are compared
#: with retained customers: monthly or more often, up to a quarter, up to half a year, rarer; customers
#: with a single purchase day form a band of their own.
RHYTHM_BANDS: tuple[int, ...] = (30, 90, 180)


def rhythm_band(X: pd.DataFrame, edges: tuple[int, ...] = RHYTHM_BANDS, *, language: str = "en") -> pd.Series:
    """Each customer's buying-rhythm band, from ``usual_gap_days``, in ``language``.

    The English names are also the keys of :class:`RetainedReference`'s tables.

    Examples
    --------
    >>> rhythm_band(pd.DataFrame({"usual_gap_days": [12.0, 75.0, 400.0, np.nan]})).tolist()
    ['every 30 days or less', 'every 31 to 90 days', 'every 181 days or more', 'a single purchase day']
    >>> rhythm_band(pd.DataFrame({"usual_gap_days": [75.0]}), language="zh").tolist()
    ['每 31 至 90 天一次']
    """
    language = check_language(language)
    labels = [message("churn.rhythm.at_most", language, days=edges[0])]
    labels += [
        message("churn.rhythm.between", language, low=low + 1, high=high)
        for low, high in zip(edges, edges[1:], strict=False)
    ]
    labels += [message("churn.rhythm.at_least", language, days=edges[-1] + 1)]
    gap = X["usual_gap_days"] if "usual_gap_days" in X else pd.Series(np.nan, index=X.index)
    band = pd.Series(np.searchsorted(np.asarray(edges, dtype=float), gap.to_numpy(), side="left"), index=X.index)
    single = message("churn.rhythm.single", language)
    return band.map(dict(enumerate(labels))).where(gap.notna(), single).rename("rhythm")


@dataclass(frozen=True)
class RetainedReference:
    """Typical retained customers per buying rhythm, and how common each warning's words are among them.

    Attributes
    ----------
    medians : DataFrame
        Per rhythm band (index) the median of each feature over the retained training customers of
        that band; the row ``"all"`` over every retained customer (used for a band with fewer than
        ``min_customers`` of them).
    common : DataFrame
        Per rhythm band and signal, the share of those retained customers of whom the signal's words
        are true.
    customers : Series
        Retained customers per band.
    """

    medians: pd.DataFrame
    common: pd.DataFrame
    customers: pd.Series
    min_customers: int = 30

    def _band(self, X: pd.DataFrame) -> pd.Series:
        band = rhythm_band(X)
        known = self.customers.reindex(band.unique()).fillna(0) >= self.min_customers
        return band.where(band.map(known).astype(bool), "all")

    def features(self, X: pd.DataFrame) -> pd.DataFrame:
        """The reference features of each customer of ``X``: the retained customers of its rhythm."""
        return self.medians.reindex(self._band(X).to_numpy()).set_axis(X.index).reindex(columns=X.columns)

    def commonness(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per customer of ``X`` and signal, the share of retained customers of its rhythm with that warning."""
        return self.common.reindex(self._band(X).to_numpy()).set_axis(X.index)


def retained_reference(X: pd.DataFrame, y, *, min_customers: int = 30) -> RetainedReference:
    """The typical retained customer of each buying rhythm, from training rows (``y`` True = churned).

    Parameters
    ----------
    X : DataFrame
        Churn features of the training rows.
    y : array-like of bool
    min_customers : int, default 30
        A rhythm band with fewer retained customers is compared with all retained customers.

    Examples
    --------
    >>> X = pd.DataFrame({"usual_gap_days": [10.0, 12, 200, 210], "purchases_t12m": [30.0, 25, 2, 1]})
    >>> ref = retained_reference(X, [False, False, False, True], min_customers=1)
    >>> ref.medians.loc["every 30 days or less", "purchases_t12m"], ref.customers["all"]
    (np.float64(27.5), np.int64(3))
    """
    kept = X.loc[~np.asarray(y, dtype=bool)]
    band = rhythm_band(kept)
    numeric = kept.select_dtypes("number")
    medians = pd.concat([numeric.groupby(band).median(), numeric.median().to_frame("all").T])
    fires = pd.DataFrame(
        {name: warns(kept, name) for name, signal in SIGNALS.items() if set(signal.features) <= set(kept.columns)},
        index=kept.index,
        dtype=float,
    )
    common = pd.concat([fires.groupby(band).mean(), fires.mean().to_frame("all").T])
    customers = pd.concat([band.value_counts(), pd.Series({"all": len(kept)})])
    return RetainedReference(medians.reindex(columns=X.columns), common, customers, min_customers)


def signal_contributions(
    model, X: pd.DataFrame, reference: RetainedReference | pd.Series, *, probability=None
) -> pd.DataFrame:
    """Per customer and signal: the fall in churn probability when the signal is set to ``reference``.

    ``reference`` is a :class:`RetainedReference` (each customer compared with the retained customers
    of its rhythm) or one Series of feature values for everyone. ``probability``, the customers' churn
    probability from ``model`` when the caller has it already, saves predicting them once more.

    Returns a DataFrame indexed like ``X`` with one column per signal of :data:`SIGNALS`
    whose features are all in ``X``.
    """
    base = churn_probability(model, X) if probability is None else np.asarray(probability, dtype=float)
    typical_values = reference.features(X) if isinstance(reference, RetainedReference) else None
    out = {}
    for name, signal in SIGNALS.items():
        if not set(signal.features) <= set(X.columns):
            continue
        typical = X.copy()
        for feature in signal.features:
            typical[feature] = reference[feature] if typical_values is None else typical_values[feature].to_numpy()
        out[name] = base - churn_probability(model, typical)
    return pd.DataFrame(out, index=X.index)


def customer_reasons(
    model,
    X: pd.DataFrame,
    reference: pd.Series,
    *,
    n_reasons: int = 3,
    min_contribution: float = 0.01,
    max_common: float = 0.5,
    probability=None,
    language: str = "en",
) -> pd.DataFrame:
    """The top signals behind each customer's score, in plain words.

    Parameters
    ----------
    model : fitted ChurnModel (or any classifier with ``predict_proba``)
    X : DataFrame
        Churn features of the customers.
    reference : RetainedReference or Series
        The typical retained customers of each rhythm (:func:`retained_reference`), or one
        Series of feature values for everyone.
    n_reasons : int, default 3
    min_contribution : float, default 0.01
        A signal must raise the probability by at least this much to be a reason.
    max_common : float, default 0.5
        A signal whose words are true of more than this share of the retained customers of the
        customer's rhythm sets nobody apart and is not a reason (only with a
        :class:`RetainedReference`).
    probability : array-like, optional
        The customers' churn probability from ``model``, when already computed.
    language : str, default "en"
        The language of the reasons (``"zh"``: 最近 3 次联系均未回复).

    Returns
    -------
    DataFrame
        Indexed like ``X``: ``reason_1`` .. ``reason_n`` (empty when fewer signals qualify),
        ``reasons`` (joined with "; ", in Chinese "；") and ``reason_signals`` (the signal names).

    Examples
    --------
    >>> class Model:
    ...     classes_ = np.array([False, True])
    ...     def predict_proba(self, X):
    ...         p = 0.1 + 0.5 * (X["no_reply_streak"] >= 2)
    ...         return np.column_stack([1 - p, p])
    >>> X = pd.DataFrame({"no_reply_streak": [3.0, 0.0]}, index=["c1", "c2"])
    >>> customer_reasons(Model(), X, pd.Series({"no_reply_streak": 0.0}))["reasons"].tolist()
    ['no reply to our last 3 contacts', 'no single signal stands out']
    >>> customer_reasons(Model(), X, pd.Series({"no_reply_streak": 0.0}), language="zh")["reason_1"].iloc[0]
    '最近 3 次联系均未回复'
    """
    language = check_language(language)
    contributions = signal_contributions(model, X, reference, probability=probability)
    signals, values = list(contributions.columns), contributions.to_numpy()
    if isinstance(reference, RetainedReference):
        common = reference.commonness(X).reindex(columns=signals).fillna(0.0).to_numpy() > max_common
    else:
        common = np.zeros(values.shape, dtype=bool)
    order = np.argsort(-values, axis=1, kind="stable")  # largest first; ties in SIGNALS order
    separator, nothing = message("churn.reason.separator", language), message("churn.reason.none_stands_out", language)
    rows = []
    for i, row in enumerate(X.to_dict("records")):  # plain dicts: a pandas row lookup per customer is slow
        found, names = [], []
        for j in order[i]:
            if values[i, j] < min_contribution or len(found) == n_reasons:
                break
            words = None if common[i, j] else SIGNALS[signals[j]].words(row, language)
            if words:
                found.append(words)
                names.append(signals[j])
        if not found and signals and values[i].max() >= min_contribution:
            # Raised by the pattern, not by one warning sign: name the largest factor honestly.
            top = signals[int(np.argmax(values[i]))]
            found = [message("churn.reason.no_single_sign", language, factor=signal_label(top, language))]
            names = [top]
        rows.append(found + [""] * (n_reasons - len(found)) + [separator.join(found) or nothing, ",".join(names)])
    columns = [f"reason_{i + 1}" for i in range(n_reasons)] + ["reasons", "reason_signals"]
    return pd.DataFrame(rows, index=X.index, columns=columns)


def signal_importance(
    model, X: pd.DataFrame, y, *, n_repeats: int = 5, max_samples: int = 5000, random_state: int = 0
) -> pd.DataFrame:
    """Permutation importance of each feature on held-out data (drop in ROC AUC when shuffled).

    Each repeat scores a seeded sample of at most ``max_samples`` customers (scikit-learn's
    ``max_samples``): the ranking of a dozen signals does not need every customer, and
    scoring 100,000 customers ``n_repeats`` times per feature took minutes.

    Returns a DataFrame with ``feature``, ``signal``, ``meaning``, ``importance`` (mean drop),
    ``importance_std``, most important first.
    """
    result = permutation_importance(
        model,
        X,
        np.asarray(y),
        scoring="roc_auc",
        n_repeats=n_repeats,
        max_samples=min(max_samples, len(X)),
        random_state=random_state,
    )
    signal_of = {f: s.name for s in SIGNALS.values() for f in s.features}
    table = pd.DataFrame(
        {"feature": X.columns, "importance": result.importances_mean, "importance_std": result.importances_std}
    )
    table["signal"] = table["feature"].map(signal_of)
    table["meaning"] = table["feature"].map(CHURN_FEATURES)
    table = table.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    return table[["feature", "signal", "meaning", "importance", "importance_std"]]


def first_reason_shares(table: pd.DataFrame, *, band: str = "high") -> pd.Series:
    """The share of a risk band headed by each first reason's signal, largest first.

    Examples
    --------
    >>> t = pd.DataFrame({"band": ["high", "high", "high", "low"],
    ...                   "signals": ["no_reply,complaints", "no_reply", "complaints", "no_reply"]})
    >>> first_reason_shares(t).round(2).to_dict()
    {'no_reply': 0.67, 'complaints': 0.33}
    """
    rows = table.loc[table["band"] == band, "signals"]
    first = rows.fillna("").str.split(",").str[0].replace("", "none")
    return first.value_counts(normalize=True).rename("share")


__all__ = [
    "RHYTHM_BANDS",
    "RetainedReference",
    "SIGNALS",
    "Signal",
    "customer_reasons",
    "feature_label",
    "first_reason_shares",
    "retained_reference",
    "rhythm_band",
    "signal_contributions",
    "signal_importance",
    "signal_label",
    "warns",
]
