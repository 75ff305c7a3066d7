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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.features import customer_features
from segmentation.periods import as_date
from segmentation.value.tiers import TierPolicy

QUARTER_DAYS = 365.25 / 4


@dataclass(frozen=True)
class Regrading:
    """The result of :func:`regrade`."""

    previous: pd.DataFrame  # features + tier at the previous date
    current: pd.DataFrame  # features + tier at the current date
    matrix: pd.DataFrame  # customers by previous tier (rows, with "new") and current tier (columns)
    changes: pd.DataFrame  # one row per customer whose tier changed or who is new


def _amount(x: float) -> str:
    return f"{x:,.0f}"


def _reason(prev: pd.Series | None, cur: pd.Series, policy: TierPolicy, as_of: pd.Timestamp) -> str:
    words = policy.metric_words
    metric = policy.metric
    now = cur[metric]
    tier = policy.tier(cur["tier"])
    if prev is None:
        since = as_of - pd.Timedelta(days=cur["tenure_days"])
        if since < cur["first_purchase"]:  # the first deal came before the first order in the data
            return (
                f"first order on {cur['first_purchase']:%Y-%m-%d} (customer since {since:%Y-%m-%d}); "
                f"{words} {_amount(now)}"
            )
        return f"new customer: first order on {cur['first_purchase']:%Y-%m-%d}; {words} {_amount(now)}"
    before = prev[metric]
    old = policy.tier(prev["tier"])
    up = policy.names.index(tier.tier) < policy.names.index(old.tier)
    if up:
        if tier.min_tenure_days is not None and old.tier == tier.otherwise and before >= tier.min:
            text = (
                f"reached {tier.min_tenure_days / 365.25:.0f} years of tenure with {words} {_amount(now)}, "
                f"above {tier.tier}'s {_amount(tier.min)}"
            )
        else:
            text = f"{words} rose from {_amount(before)} to {_amount(now)}, above {tier.tier}'s {_amount(tier.min)}"
    else:
        threshold = old.min if old.min is not None else np.nan
        direction = "fell" if now < before else "stayed"
        text = f"{words} {direction} from {_amount(before)} to {_amount(now)}, below {old.tier}'s {_amount(threshold)}"
    quarters = int(cur["rfm_recency_days"] // QUARTER_DAYS)
    if quarters >= 2:
        text += f"; no orders for {quarters} quarters"
    return text


def regrade(
    data: object,
    *,
    previous: str | pd.Timestamp,
    current: str | pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    customers: pd.DataFrame | None = None,
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

    Returns
    -------
    Regrading
        ``matrix`` counts customers by previous tier (rows; ``new`` for customers whose first
        order came after ``previous``) and current tier (columns). ``changes`` lists
        customer_id, previous_tier, current_tier, move (upgrade, downgrade, new) and a
        plain-language reason.
    """
    policy = TierPolicy.coerce(policy)
    previous, current = as_date(previous, name="previous"), as_date(current, name="current")
    if previous >= current:
        raise ValueError(f"previous ({previous:%Y-%m-%d}) must be before current ({current:%Y-%m-%d})")
    before = customer_features(data, as_of=previous, customers=customers)
    after = customer_features(data, as_of=current, customers=customers)
    before = before.join(policy.assign(before))
    after = after.join(policy.assign(after))
    prev_tier = before["tier"].reindex(after.index).astype(object).fillna("new")
    order = ["new", *policy.names]
    matrix = pd.crosstab(pd.Categorical(prev_tier, categories=order), after["tier"], dropna=False)
    matrix.index.name, matrix.columns.name = "previous tier", "current tier"
    matrix = matrix.loc[[i for i in order if i != "new" or matrix.loc[i].sum() > 0]]

    rank = {t: i for i, t in enumerate(policy.names)}
    moved = after.index[(prev_tier != after["tier"].astype(object)).to_numpy()]
    rows = []
    for cid in moved:
        cur = after.loc[cid]
        prev = before.loc[cid] if cid in before.index else None
        move = "new" if prev is None else ("upgrade" if rank[cur["tier"]] < rank[prev["tier"]] else "downgrade")
        rows.append(
            {
                "customer_id": cid,
                "previous_tier": "new" if prev is None else prev["tier"],
                "current_tier": cur["tier"],
                "move": move,
                f"previous_{policy.metric}": np.nan if prev is None else prev[policy.metric],
                f"current_{policy.metric}": cur[policy.metric],
                "reason": _reason(prev, cur, policy, current),
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


__all__ = ["QUARTER_DAYS", "Regrading", "regrade"]
