"""Quarterly re-grading: tier migration between two dates and a change log with reasons.

Examples
--------
>>> import pandas as pd
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
...     "order_date": pd.to_datetime(["2025-01-10", "2025-08-01", "2024-08-20"]),
...     "amount": [180_000.0, 340_000.0, 250_000.0]})
>>> r = regrade(tx, previous="2025-06-30", current="2025-09-30", policy="abc")
>>> r.changes[["customer_id", "previous_tier", "current_tier"]].values.tolist()
[['a', 'C', 'A'], ['b', 'B', 'C']]
>>> r.changes["reason"].iloc[0]
"trailing-12-month revenue rose from 180,000 to 520,000, above A's 500,000"
>>> r.changes["reason"].iloc[1]
"trailing-12-month revenue fell from 250,000 to 0, below B's 200,000; no orders for 4 quarters"
>>> regrade(tx, previous="2025-06-30", current="2025-09-30", policy="abc", language="zh").changes["reason"].iloc[0]
'近 12 个月销售额从 ¥180,000 升至 ¥520,000，高于 A 级门槛 ¥500,000'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.features import customer_features
from segmentation.i18n import check_language, format_day, format_money, format_number, message
from segmentation.periods import as_date
from segmentation.value.tiers import METRIC_WORDS, TierPolicy

QUARTER_DAYS = 365.25 / 4
INACTIVE = "inactive"
MOVES = ("upgrade", "downgrade", "new", "lapsed", "returned")


@dataclass(frozen=True)
class Regrading:
    """The result of :func:`regrade`."""

    previous: pd.DataFrame  # features + tier at the previous date
    current: pd.DataFrame  # features + tier at the current date
    matrix: pd.DataFrame  # customers by previous tier (rows, with "new"; "inactive") and current tier (columns)
    changes: pd.DataFrame  # one row per customer whose tier changed or who is new


@dataclass(frozen=True)
class _Words:
    """How amounts, dates and the metric read in one language (English: plain figures, ISO dates)."""

    language: str
    currency: str
    metric: str

    def amount(self, x: float) -> str:
        if self.language == "en":
            return format_number(x, "en")
        return format_money(x, self.language, currency=self.currency)

    def date(self, day: pd.Timestamp) -> str:
        return format_day(day, self.language)


def _words(policy: TierPolicy, language: str) -> _Words:
    if policy.metric in METRIC_WORDS:
        metric = message(f"value.metric.{policy.metric}", language)
    else:
        metric = policy.metric_words
    return _Words(language, policy.currency, metric)


def _reason(prev: pd.Series | None, cur: pd.Series, policy: TierPolicy, as_of: pd.Timestamp, w: _Words) -> str:
    lang, metric = w.language, policy.metric
    now = cur[metric]
    tier = policy.tier(cur["tier"])
    if prev is None:
        since = as_of - pd.Timedelta(days=cur["tenure_days"])
        first = w.date(cur["first_purchase"])
        if since < cur["first_purchase"]:  # the first deal came before the first order in the data
            return message(
                "value.regrading.first_order_after_deal",
                lang,
                first=first,
                since=w.date(since),
                metric=w.metric,
                amount=w.amount(now),
            )
        return message("value.regrading.new_customer", lang, first=first, metric=w.metric, amount=w.amount(now))
    before = prev[metric]
    old = policy.tier(prev["tier"])
    up = policy.names.index(tier.tier) < policy.names.index(old.tier)
    if up:
        if tier.min_tenure_days is not None and old.tier == tier.otherwise and before >= tier.min:
            text = message(
                "value.regrading.tenure_reached",
                lang,
                years=format_number(tier.min_tenure_days / 365.25, lang),
                metric=w.metric,
                amount=w.amount(now),
                tier=tier.tier,
                threshold=w.amount(tier.min),
            )
        else:
            text = message(
                "value.regrading.rose",
                lang,
                metric=w.metric,
                before=w.amount(before),
                now=w.amount(now),
                tier=tier.tier,
                threshold=w.amount(tier.min),
            )
    else:
        threshold = old.min if old.min is not None else np.nan
        key = "value.regrading.fell" if now < before else "value.regrading.stayed"
        text = message(
            key,
            lang,
            metric=w.metric,
            before=w.amount(before),
            now=w.amount(now),
            tier=old.tier,
            threshold=w.amount(threshold),
        )
    quarters = int(cur["rfm_recency_days"] // QUARTER_DAYS)
    if quarters >= 2:
        text += message("value.regrading.no_orders_for", lang, count=quarters, quarters=quarters)
    return text


def _inactive_reason(cur: pd.Series, active_days: int, w: _Words) -> str:
    quarters = int(cur["rfm_recency_days"] // QUARTER_DAYS)
    return message(
        "value.regrading.lapsed",
        w.language,
        count=quarters,
        days=format_number(active_days, w.language),
        last=w.date(cur["last_purchase"]),
        quarters=quarters,
    )


def _returned_reason(prev: pd.Series, cur: pd.Series, policy: TierPolicy, w: _Words) -> str:
    return message(
        "value.regrading.returned",
        w.language,
        last=w.date(cur["last_purchase"]),
        before=w.date(prev["last_purchase"]),
        metric=w.metric,
        amount=w.amount(cur[policy.metric]),
    )


def regrade(
    data: object,
    *,
    previous: str | pd.Timestamp,
    current: str | pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    customers: pd.DataFrame | None = None,
    active_days: int | None = None,
    language: str = "en",
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> Regrading:
    """Grade customers at two dates (usually consecutive quarter ends) and explain each move.

    Parameters
    ----------
    data : DataFrame, Dataset, path or Ibis table
    previous, current : str or Timestamp
        The two as-of dates, ``previous`` before ``current``.
    policy : TierPolicy, preset name or path, default "abc"
    customers : DataFrame, optional
        Customer table (first-deal dates for tenure).
    active_days : int, optional
        When given, a customer without a purchase in the ``active_days`` up to a date is
        ``inactive`` at that date instead of in a tier, so that the matrix's tier columns count
        the active customers a tier table counts, and the inactive ones are a row and a column
        of their own. Default: every customer with an order is graded.
    language : str, default "en"
        The language of the reasons: ``"zh"`` and ``"zh_Hant"`` write them in Chinese, with
        amounts in the policy's currency (``¥520,000``) and dates as ``2025年9月30日``.
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day`` (``customers`` is then not used); a caller that needs them elsewhere too passes
        one that computes each day once. Default: computed here.

    Returns
    -------
    Regrading
        ``matrix`` counts customers by previous tier (rows; ``new`` for customers whose first
        order came after ``previous``; ``inactive`` with ``active_days``) and current tier
        (columns; ``inactive`` with ``active_days``). ``changes`` lists customer_id,
        previous_tier, current_tier, move (upgrade, downgrade, new; with ``active_days`` also
        lapsed: active then inactive, and returned: inactive then active) and a plain-language
        reason.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b", "c"], "order_id": ["1", "2", "3"],
    ...     "order_date": pd.to_datetime(["2024-08-01", "2023-01-05", "2025-08-01"]), "amount": [9.0, 5.0, 1.0]})
    >>> r = regrade(tx, previous="2025-06-30", current="2025-09-30", active_days=365)
    >>> r.matrix.loc[["new", "C", "inactive"]].values.tolist()
    [[0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]]
    >>> r.changes[["customer_id", "previous_tier", "current_tier", "move"]].values.tolist()
    [['a', 'C', 'inactive', 'lapsed'], ['c', 'new', 'C', 'new']]
    """
    policy = TierPolicy.coerce(policy)
    language = check_language(language)
    previous, current = as_date(previous, name="previous"), as_date(current, name="current")
    if previous >= current:
        raise ValueError(f"previous ({previous:%Y-%m-%d}) must be before current ({current:%Y-%m-%d})")
    if features_at is None:

        def features_at(day: pd.Timestamp) -> pd.DataFrame:
            return customer_features(data, as_of=day, customers=customers)

    before, after = features_at(previous), features_at(current)
    before = before.join(policy.assign(before))
    after = after.join(policy.assign(after))
    states = [*policy.names]
    prev_state, cur_state = before["tier"].astype(object), after["tier"].astype(object)
    if active_days is not None:
        states.append(INACTIVE)
        prev_state = prev_state.where(before["last_purchase"] > previous - pd.Timedelta(days=active_days), INACTIVE)
        cur_state = cur_state.where(after["last_purchase"] > current - pd.Timedelta(days=active_days), INACTIVE)
    prev_state = prev_state.reindex(after.index).fillna("new")
    order = ["new", *states]
    matrix = pd.crosstab(
        pd.Categorical(prev_state, categories=order), pd.Categorical(cur_state, categories=states), dropna=False
    )
    matrix.index.name, matrix.columns.name = "previous tier", "current tier"
    matrix = matrix.loc[[i for i in order if i != "new" or matrix.loc[i].sum() > 0]]

    rank = {t: i for i, t in enumerate(policy.names)}
    w = _words(policy, language)
    moved = after.index[(prev_state != cur_state).to_numpy()]
    # One record per moved customer, read once: a row lookup per customer cost more than its sentence.
    currents = after.loc[moved].to_dict("records")
    previous_rows = before.reindex(moved).to_dict("records")
    seen = moved.isin(before.index)
    was_all, now_all = prev_state.loc[moved].to_numpy(), cur_state.loc[moved].to_numpy()
    rows = []
    for cid, cur, prev, known, was, now in zip(moved, currents, previous_rows, seen, was_all, now_all, strict=True):
        prev = prev if known else None
        if prev is None:
            move, reason = "new", _reason(None, cur, policy, current, w)
        elif now == INACTIVE:
            move, reason = "lapsed", _inactive_reason(cur, active_days, w)
        elif was == INACTIVE:
            move, reason = "returned", _returned_reason(prev, cur, policy, w)
        else:
            move = "upgrade" if rank[now] < rank[was] else "downgrade"
            reason = _reason(prev, cur, policy, current, w)
        rows.append(
            {
                "customer_id": cid,
                "previous_tier": was,
                "current_tier": now,
                "move": move,
                f"previous_{policy.metric}": np.nan if prev is None else prev[policy.metric],
                f"current_{policy.metric}": cur[policy.metric],
                "reason": reason,
            }
        )
    columns = [
        "customer_id",
        "previous_tier",
        "current_tier",
        "move",
        f"previous_{policy.metric}",
        f"current_{policy.metric}",
        "reason",
    ]
    changes = pd.DataFrame(rows, columns=columns)
    return Regrading(before, after, matrix, changes)


__all__ = ["INACTIVE", "MOVES", "QUARTER_DAYS", "Regrading", "regrade"]
