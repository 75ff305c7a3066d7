"""The pictures a quarterly review asks for: tier distribution, customer growth, churn reasons.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a", "b", "b"], "order_id": ["1", "2", "3"],
...     "order_date": pd.to_datetime(["2025-02-01", "2025-05-01", "2025-08-01"]), "amount": [1.0, 2.0, 3.0]})
>>> g = customer_growth(Dataset.from_frames(transactions=tx), quarter="2025Q3", n_quarters=3)
>>> g[["quarter", "active_customers", "new_customers", "revenue"]].values.tolist()
[['2025Q1', 1, 1, 1.0], ['2025Q2', 2, 1, 2.0], ['2025Q3', 2, 0, 3.0]]
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.features import customer_features
from segmentation.i18n import message
from segmentation.periods import Quarter
from segmentation.periods import quarter as parse_quarter
from segmentation.value.tiers import TierPolicy


def tier_distribution(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    active_days: int = 365,
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Customers, new customers and revenue per tier at the quarter end.

    Customers are those with a purchase in the ``active_days`` up to the quarter end; the
    others (long inactive) are counted in ``attrs["inactive"]``. ``features_at`` gives the
    :func:`~segmentation.features.customer_features` of ``data`` at a day, when the caller shares
    them (:func:`~segmentation.review.kpis.quarterly_kpis` says more); default computed here.

    Returns
    -------
    DataFrame
        One row per tier (top first) and a ``total`` row: ``tier, label, customers,
        customer_share, new_customers, revenue_quarter, revenue_share, revenue_per_customer,
        revenue_t12m``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
    ...     "order_date": pd.to_datetime(["2025-08-01", "2025-09-01"]), "amount": [6e5, 1e3]})
    >>> t = tier_distribution(Dataset.from_frames(transactions=tx), quarter="2025Q3")
    >>> t[["tier", "customers", "new_customers", "revenue_share"]].values.tolist()
    [['A', 1, 1, 0.9983361064891847], ['B', 0, 0, 0.0], ['C', 1, 1, 0.0016638935108153079], ['total', 2, 2, 1.0]]
    """
    q = parse_quarter(quarter)
    policy = TierPolicy.coerce(policy)
    f = features_at(q.end) if features_at is not None else customer_features(data, as_of=q.end)
    active = f["last_purchase"] > q.end - pd.Timedelta(days=active_days)
    inactive = int((~active).sum())
    f = f.loc[active]
    f = f.join(policy.assign(f))
    tx = data.transactions
    rev_q = tx.loc[tx["order_date"].between(q.start, q.end)].groupby("customer_id")["amount"].sum()
    f["revenue_quarter"] = rev_q.reindex(f.index, fill_value=0.0)
    f["new"] = f["first_purchase"] >= q.start
    g = f.groupby(pd.Categorical(f["tier"], categories=policy.names), observed=False)
    table = pd.DataFrame(
        {
            "customers": g.size(),
            "new_customers": g["new"].sum().astype(int),
            "revenue_quarter": g["revenue_quarter"].sum(),
            "revenue_t12m": g["revenue_t12m"].sum(),
        }
    )
    table.loc["total"] = table.sum()
    table = table.astype({"customers": int, "new_customers": int})
    table.insert(0, "label", [policy.tier(t).label for t in policy.names] + [""])
    table.insert(2, "customer_share", table["customers"] / max(len(f), 1))
    total_rev = table.loc["total", "revenue_quarter"]
    table.insert(5, "revenue_share", table["revenue_quarter"] / total_rev if total_rev else np.nan)
    table.insert(6, "revenue_per_customer", table["revenue_quarter"] / table["customers"].replace(0, np.nan))
    table = table.rename_axis("tier").reset_index()
    table.attrs.update(quarter=str(q), inactive=inactive, active_days=active_days)
    return table


def customer_growth(
    data: Dataset, *, quarter: str | Quarter, n_quarters: int = 8, active_days: int = 365
) -> pd.DataFrame:
    """Active, new and lost customers and revenue per quarter, for the growth trend.

    Parameters
    ----------
    data : Dataset
    quarter : str or Quarter
        The last quarter shown.
    n_quarters : int, default 8
    active_days : int, default 365
        A customer is active at a quarter end with a purchase in this many days before it.

    Returns
    -------
    DataFrame
        ``quarter, end, active_customers, new_customers, lost_customers, revenue,
        history_complete``, oldest first. ``lost_customers`` counts churn events (empty
        without that table); ``history_complete`` is False while the active window reaches
        back before the first order in the data (the count is then too low).
    """
    q = parse_quarter(quarter)
    tx = data.transactions
    first = tx.groupby("customer_id")["order_date"].min()
    data_start = tx["order_date"].min()
    rows = []
    for p in q.trailing(n_quarters):
        window = tx["order_date"].between(p.end - pd.Timedelta(days=active_days - 1), p.end)
        lost = np.nan
        if data.churn_events is not None:
            lost = int(data.churn_events["date"].between(p.start, p.end).sum())
        rows.append(
            {
                "quarter": str(p),
                "end": p.end,
                "active_customers": int(tx.loc[window, "customer_id"].nunique()),
                "new_customers": int(first.between(p.start, p.end).sum()),
                "lost_customers": lost,
                "revenue": float(tx.loc[tx["order_date"].between(p.start, p.end), "amount"].sum()),
                "history_complete": bool(
                    pd.notna(data_start) and p.end - pd.Timedelta(days=active_days - 1) >= data_start
                ),
            }
        )
    return pd.DataFrame(rows)


def churn_reason_counts(
    data: Dataset, *, quarter: str | Quarter, n_quarters: int = 4, language: str = "en"
) -> pd.DataFrame:
    """Recorded reasons of lost customers, in the quarter and in the last ``n_quarters``.

    ``language`` (en, zh or zh_Hant) is that of ``attrs["missing"]``; the reasons are the recorded codes.

    Returns
    -------
    DataFrame
        ``reason, quarter, last_<n>_quarters, share`` (share of the longer window), most
        frequent first; empty when the team keeps no ``churn_events`` table
        (``attrs["missing"]`` then says so).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-01"]),
    ...                    "amount": [1.0]})
    >>> ev = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2025-08-01", "2025-02-01"]),
    ...                    "reason": ["price", "competitor"]})
    >>> churn_reason_counts(Dataset.from_frames(transactions=tx, churn_events=ev), quarter="2025Q3").values.tolist()
    [['competitor', 0, 1, 0.5], ['price', 1, 1, 0.5]]
    """
    q = parse_quarter(quarter)
    longer = f"last_{n_quarters}_quarters"
    columns = ["reason", "quarter", longer, "share"]
    if data.churn_events is None:
        out = pd.DataFrame(columns=columns)
        out.attrs["missing"] = message("review.churn_reasons_missing", language)
        return out
    ev = data.churn_events
    span = ev.loc[ev["date"].between(q.shift(1 - n_quarters).start, q.end)]
    counts = (
        pd.DataFrame(
            {
                "quarter": span.loc[span["date"] >= q.start, "reason"].value_counts(),
                longer: span["reason"].value_counts(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    counts["share"] = counts[longer] / counts[longer].sum() if len(counts) else []
    counts = counts.rename_axis("reason").reset_index()
    return counts.sort_values([longer, "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


__all__ = ["churn_reason_counts", "customer_growth", "tier_distribution"]
