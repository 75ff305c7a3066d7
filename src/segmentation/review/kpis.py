"""Quarterly KPIs per tier against their targets (domain brief, section 4).

The customers a quarter is measured on are those **at the quarter start**: a purchase in the
``active_days`` (365) before the quarter, not recorded as lost by then, each in the tier it
was graded at the previous quarter end. Their KPIs:

- ``retention_rate``: share who bought in the quarter;
- ``churn_rate``: share recorded as lost in the quarter (needs ``churn_events``);
- ``activity``: our proactive contacts plus the customers' responses (inbound contacts and
  replies to ours), per month and customer (needs ``interactions``);
- ``value_growth``: revenue of the 12 months to the quarter end against the 12 months before;
- ``satisfaction_rate``: respondents whose latest rating is 4 or 5, over respondents, in the
  service levels' survey window (needs ``surveys``);
- ``survey_coverage``: respondents over customers.

A KPI that cannot be computed keeps its row with status ``not computed`` and the reason.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
...     "order_date": pd.to_datetime(["2025-03-01", "2025-08-01", "2025-02-01"]), "amount": [9e5, 1e5, 10.0]})
>>> k = quarterly_kpis(Dataset.from_frames(transactions=tx), quarter="2025Q3")
>>> k.set_index(["tier", "kpi"]).loc[("All", "retention_rate"), ["value", "numerator", "denominator"]].tolist()
[0.5, 1.0, 2.0]
>>> k.set_index(["tier", "kpi"]).loc[("A", "retention_rate"), "status"]
'met'
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.features import customer_features
from segmentation.periods import Quarter
from segmentation.periods import quarter as parse_quarter
from segmentation.review.service_levels import KPIS, ServiceLevels
from segmentation.value.tiers import TierPolicy

ALL = "All"
STATUSES = ("met", "missed", "no target", "not computed")
COLUMNS = ["tier", "kpi", "value", "target", "status", "numerator", "denominator", "note"]


def _policy(policy: TierPolicy | str | Path) -> TierPolicy:
    return TierPolicy.coerce(policy)


def recorded_lost(data: Dataset, day: pd.Timestamp) -> pd.Index:
    """Customers recorded as lost in ``churn_events`` on or before ``day`` (none without that table)."""
    if data.churn_events is None:
        return pd.Index([], dtype=object)
    events = data.churn_events
    return pd.Index(events.loc[events["date"] <= day, "customer_id"].unique())


def quarter_start_customers(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    active_days: int = 365,
) -> pd.DataFrame:
    """The customers a quarter is measured on, with the tier they had at its start.

    Returns
    -------
    DataFrame
        The :func:`~segmentation.features.customer_features` at the previous quarter end of the
        customers with a purchase in the ``active_days`` before it, plus ``tier``. Customers
        recorded as lost by then are left out and counted in ``attrs["lost_before"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
    ...     "order_date": pd.to_datetime(["2025-03-01", "2023-02-01"]), "amount": [1.0, 2.0]})
    >>> quarter_start_customers(Dataset.from_frames(transactions=tx), quarter="2025Q3").index.tolist()
    ['a']
    """
    q, policy = parse_quarter(quarter), _policy(policy)
    f = customer_features(data, as_of=q.previous_end)
    f = f.loc[f["last_purchase"] > q.previous_end - pd.Timedelta(days=active_days)]
    lost = f.index.intersection(recorded_lost(data, q.previous_end))
    f = f.drop(index=lost)
    f = f.join(policy.assign(f)[["tier"]])
    f.attrs.update(lost_before=len(lost), active_days=active_days, as_of=q.previous_end)
    return f


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else np.nan


def _measure(data: Dataset, base: pd.DataFrame, q: Quarter, service: ServiceLevels) -> pd.DataFrame:
    """Per-customer numerators of every KPI (NaN columns when a table is missing)."""
    ids = base.index
    tx = data.transactions
    in_q = tx.loc[tx["order_date"].between(q.start, q.end), "customer_id"]
    per = pd.DataFrame(index=ids)
    per["bought"] = ids.isin(in_q.unique()).astype(float)
    after = customer_features(data, as_of=q.end).reindex(ids)
    per["revenue_t12m"] = after["revenue_t12m"].fillna(0.0)
    per["revenue_prev12m"] = after["revenue_prev12m"].fillna(0.0)
    if data.churn_events is not None:
        ev = data.churn_events
        per["lost"] = ids.isin(ev.loc[ev["date"].between(q.start, q.end), "customer_id"].unique()).astype(float)
    if data.interactions is not None:
        it = data.interactions
        it = it.loc[it["date"].between(q.start, q.end) & it["customer_id"].isin(ids)]
        proactive = it["direction"] == "proactive"
        replied = it["response_hours"].notna() if "response_hours" in it else pd.Series(False, index=it.index)
        counts = proactive.astype(int) + (~proactive).astype(int) + (proactive & replied).astype(int)
        per["contacts"] = counts.groupby(it["customer_id"]).sum().reindex(ids, fill_value=0).astype(float)
    if data.surveys is not None:
        sv = data.surveys
        window_start = q.end - pd.DateOffset(months=service.survey_window_months)
        sv = sv.loc[(sv["date"] > window_start) & (sv["date"] <= q.end) & sv["customer_id"].isin(ids)]
        latest = sv.sort_values(["customer_id", "date"], kind="stable").groupby("customer_id")["rating"].last()
        per["responded"] = ids.isin(latest.index).astype(float)
        per["satisfied"] = (latest >= 4).reindex(ids, fill_value=False).astype(float)
    return per


def _missing_reason(data: Dataset, kpi: str) -> str | None:
    if kpi == "churn_rate" and data.churn_events is None:
        return "no churn_events table: lost customers are not recorded (retention_rate shows who did not buy)"
    if kpi == "activity" and data.interactions is None:
        return "no interactions table: follow-up contacts were not supplied"
    if kpi in ("satisfaction_rate", "survey_coverage") and data.surveys is None:
        return "no surveys table: satisfaction answers were not supplied"
    return None


def quarterly_kpis(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    service: ServiceLevels | str | Path | None = None,
    active_days: int = 365,
) -> pd.DataFrame:
    """Every KPI per tier (and for all tiers) with its target and whether it was met.

    Parameters
    ----------
    data : Dataset
    quarter : str or Quarter
        The quarter reviewed, e.g. ``"2025Q3"``.
    policy : TierPolicy, preset name or path, default "abc"
    service : ServiceLevels, preset name or path, optional
        Targets and survey window; default the preset matching ``policy``.
    active_days : int, default 365
        A customer counts at the quarter start with a purchase in this many days before it.

    Returns
    -------
    DataFrame
        One row per (tier, KPI): ``tier, kpi, value, target, status, numerator, denominator,
        note``. ``status`` is met, missed, no target or not computed (the note says why);
        ``churn_rate`` meets its target when at or below it. ``attrs["not_computed"]`` lists
        one sentence per KPI that could not be computed for any tier.
    """
    q, policy = parse_quarter(quarter), _policy(policy)
    service = ServiceLevels.for_policy(policy, service)
    base = quarter_start_customers(data, quarter=q, policy=policy, active_days=active_days)
    per = _measure(data, base, q, service)
    groups = [(t, base.index[(base["tier"] == t).to_numpy()]) for t in policy.names] + [(ALL, base.index)]
    rows = []
    for tier, ids in groups:
        p = per.loc[ids]
        n = len(ids)
        for kpi in KPIS:
            target = service.target(tier, kpi) if tier != ALL else None
            reason = _missing_reason(data, kpi)
            num = den = value = np.nan
            if reason is None and n == 0:
                reason = "no customers in this tier at the quarter start"
            if reason is None:
                if kpi == "retention_rate":
                    num, den = p["bought"].sum(), n
                elif kpi == "churn_rate":
                    num, den = p["lost"].sum(), n
                elif kpi == "activity":
                    num, den = p["contacts"].sum() / q.months, n
                elif kpi == "value_growth":
                    num, den = p["revenue_t12m"].sum() - p["revenue_prev12m"].sum(), p["revenue_prev12m"].sum()
                    if den <= 0:
                        reason = "no revenue in the 12 months before: growth has no base"
                elif kpi == "satisfaction_rate":
                    num, den = p["satisfied"].sum(), p["responded"].sum()
                    if den == 0:
                        reason = f"no survey answers in the {service.survey_window_months} months to {q.end:%Y-%m-%d}"
                else:  # survey_coverage
                    num, den = p["responded"].sum(), n
                if reason is None:
                    value = _ratio(num, den)
            if reason is not None:
                status = "not computed"
            elif target is None:
                status = "no target"
            else:
                higher_better = KPIS[kpi][1]
                status = "met" if (value >= target if higher_better else value <= target) else "missed"
            rows.append(
                {
                    "tier": tier,
                    "kpi": kpi,
                    "value": value,
                    "target": np.nan if target is None else target,
                    "status": status,
                    "numerator": num,
                    "denominator": den,
                    "note": reason or "",
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    missing = [f"{kpi}: {reason}" for kpi in KPIS if (reason := _missing_reason(data, kpi))]
    table.attrs.update(
        quarter=str(q),
        customers=len(base),
        lost_before=base.attrs["lost_before"],
        not_computed=missing,
        survey_window_months=service.survey_window_months,
    )
    return table


def kpi_definitions(service: ServiceLevels, policy: TierPolicy) -> pd.DataFrame:
    """Each KPI's definition and its target per tier (empty: no target), for a report.

    Examples
    --------
    >>> t = kpi_definitions(ServiceLevels.load("abc"), TierPolicy.load("abc"))
    >>> t.set_index("kpi").loc["retention_rate", ["A", "B", "C"]].tolist()
    ['95%', '90%', '']
    """
    rows = []
    for kpi, (meaning, higher) in KPIS.items():
        row = {"kpi": kpi, "definition": meaning + ("" if higher else " (lower is better)")}
        for tier in policy.names:
            target = service.target(tier, kpi)
            row[tier] = "" if target is None else (f"{target:g}" if kpi == "activity" else f"{target:.0%}")
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_scorecard(kpis: pd.DataFrame) -> pd.DataFrame:
    """The KPI table as a tier-by-KPI grid of "value (target) status" texts, for a report.

    Examples
    --------
    >>> k = pd.DataFrame({"tier": ["A"], "kpi": ["retention_rate"], "value": [0.97], "target": [0.95],
    ...                   "status": ["met"], "note": [""]})
    >>> kpi_scorecard(k).loc["A", "retention_rate"]
    '97.0% (target 95%): met'
    """

    def text(row: pd.Series) -> str:
        if row["status"] == "not computed":
            return "not computed"
        percent = row["kpi"] != "activity"
        value = f"{row['value']:.1%}" if percent else f"{row['value']:.2f}"
        if row["status"] == "no target":
            return value
        target = f"{row['target']:.0%}" if percent else f"{row['target']:g}"
        return f"{value} (target {target}): {row['status']}"

    grid = kpis.assign(text=kpis.apply(text, axis=1)).pivot(index="tier", columns="kpi", values="text")
    return grid.reindex(index=list(dict.fromkeys(kpis["tier"])), columns=list(dict.fromkeys(kpis["kpi"])))


__all__ = [
    "ALL",
    "STATUSES",
    "kpi_definitions",
    "kpi_scorecard",
    "quarter_start_customers",
    "quarterly_kpis",
    "recorded_lost",
]
