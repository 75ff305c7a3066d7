"""Quarterly KPIs per tier against their targets (domain brief, section 4), each over its own window.

Every KPI is measured over a **window** that ends at the reviewed quarter's end (a quarter, half a
year or a year, set per KPI in the service levels; :data:`~segmentation.review.service_levels.DEFAULT_WINDOWS`)
on the customers **at the window's start**: a purchase in the ``active_days`` (365) before it, not
recorded as lost by then, each in the tier it was graded at that day. Their KPIs:

- ``retention_rate``: share who bought again in the window (the handbook's yearly renewal by default);
- ``quarterly_repurchase_rate``: share who bought in the quarter itself, shown beside the yearly rate;
- ``churn_rate``: share recorded as lost in the window (needs ``churn_events``);
- ``activity``: our proactive contacts plus the customers' responses (inbound contacts and
  replies to ours), per month and customer (needs ``interactions``);
- ``value_growth``: revenue in the window against the same window a year earlier;
- ``satisfaction_rate``: respondents whose latest rating in the window is 4 or 5, over respondents
  (needs ``surveys``);
- ``survey_coverage``: respondents over customers.

A KPI that cannot be computed keeps its row with status ``not computed`` and the reason.

Examples
--------
>>> import pandas as pd
>>> from segmentation.data.dataset import Dataset
>>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "order_id": ["1", "2", "3"],
...     "order_date": pd.to_datetime(["2025-03-01", "2025-08-01", "2025-02-01"]), "amount": [9e5, 1e5, 10.0]})
>>> k = quarterly_kpis(Dataset.from_frames(transactions=tx), quarter="2025Q3").set_index(["tier", "kpi"])
>>> row = k.loc[("All", "quarterly_repurchase_rate")]
>>> row["window"], float(row["value"]), float(row["numerator"]), float(row["denominator"])
('quarter', 0.5, 1.0, 2.0)
>>> k.loc[("A", "quarterly_repurchase_rate"), "status"], k.loc[("All", "retention_rate"), "note"]
('no target', 'no customers at the window start (2024-09-30)')
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.features import customer_features
from segmentation.i18n import message
from segmentation.periods import Quarter, months_before
from segmentation.periods import quarter as parse_quarter
from segmentation.review.lines import lines, per_customer, timestamp
from segmentation.review.service_levels import KPIS, WINDOWS, ServiceLevels
from segmentation.review.words import STATUSES, day, kpi_definition, kpi_name, percent, status_word, window_words
from segmentation.value.tiers import TierPolicy

ALL = "All"
COLUMNS = ["tier", "kpi", "window", "value", "target", "status", "numerator", "denominator", "note"]
#: A window in words, for pages and messages (English; :func:`~segmentation.review.words.window_words` for others).
WINDOW_WORDS = {"quarter": "the quarter", "half_year": "6 months", "year": "12 months"}


def _policy(policy: TierPolicy | str | Path) -> TierPolicy:
    return TierPolicy.coerce(policy)


def recorded_lost(data: Dataset, day: pd.Timestamp) -> pd.Index:
    """Customers recorded as lost in ``churn_events`` on or before ``day`` (none without that table)."""
    if data.churn_events is None:
        return pd.Index([], dtype=object)
    events = data.churn_events
    return pd.Index(events.loc[events["date"] <= day, "customer_id"].unique())


def window_customers(
    data: Dataset,
    *,
    start: pd.Timestamp,
    policy: TierPolicy | str | Path = "abc",
    active_days: int = 365,
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """The customers at ``start``, the population of a KPI window beginning the day after it.

    Parameters
    ----------
    data : Dataset
    start : Timestamp
    policy : TierPolicy, preset name or path, default "abc"
    active_days : int, default 365
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``; a caller that needs them elsewhere too passes one that computes each day once
        (:func:`~segmentation.review.quarterly.review_quarter` does). Default: computed here.

    Returns
    -------
    DataFrame
        The :func:`~segmentation.features.customer_features` at ``start`` of the customers with a
        purchase in the ``active_days`` before it, plus ``tier`` (graded at ``start``). Customers
        recorded as lost by then are left out and counted in ``attrs["lost_before"]``.
    """
    policy = _policy(policy)
    f = features_at(start) if features_at is not None else customer_features(data, as_of=start)
    f = f.loc[f["last_purchase"] > start - pd.Timedelta(days=active_days)]
    lost = f.index.intersection(recorded_lost(data, start))
    f = f.drop(index=lost)
    f = f.join(policy.assign(f)[["tier"]]) if len(f) else f.assign(tier=pd.Series(dtype=object))
    f.attrs.update(lost_before=len(lost), active_days=active_days, as_of=start)
    return f


def quarter_start_customers(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    active_days: int = 365,
) -> pd.DataFrame:
    """The customers at a quarter's start, with the tier they had then (the quarter window's population).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "order_id": ["1", "2"],
    ...     "order_date": pd.to_datetime(["2025-03-01", "2023-02-01"]), "amount": [1.0, 2.0]})
    >>> quarter_start_customers(Dataset.from_frames(transactions=tx), quarter="2025Q3").index.tolist()
    ['a']
    """
    q = parse_quarter(quarter)
    return window_customers(data, start=q.previous_end, policy=policy, active_days=active_days)


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else np.nan


def _in(frame: pd.DataFrame, column: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return frame.loc[(frame[column] > start) & (frame[column] <= end)]


def _flag(ids: pd.Index, members: pd.Series) -> pd.Series:
    """1.0 for the ``ids`` among ``members``, else 0.0 (a lookup, not ``isin``: it is slow on Arrow strings)."""
    return pd.Series(1.0, index=pd.Index(members.unique())).reindex(ids, fill_value=0.0)


def _measure(data: Dataset, base: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per-customer numerators of every KPI over the window ``(start, end]`` (NaN columns when a table is missing).

    The order lines and interactions are summed in DuckDB (:mod:`~segmentation.review.lines`); only the
    per-customer answers come back.
    """
    ids = base.index
    tx = data.transactions
    t = lines(tx, ["customer_id", "order_date", "amount"])
    now = (t.order_date > timestamp(start)) & (t.order_date <= timestamp(end))
    year = pd.DateOffset(years=1)
    before = (t.order_date > timestamp(start - year)) & (t.order_date <= timestamp(end - year))
    orders = per_customer(
        t.filter(now | before)
        .group_by("customer_id")
        .aggregate(
            bought=now.ifelse(1, 0).max(),
            revenue=now.ifelse(t.amount, 0.0).sum(),
            revenue_year_before=before.ifelse(t.amount, 0.0).sum(),
        )
    ).reindex(ids)
    per = pd.DataFrame(index=ids)
    per["bought"] = orders["bought"].fillna(0).astype(float)
    per["revenue"] = orders["revenue"].fillna(0.0).astype(float)
    per["revenue_year_before"] = orders["revenue_year_before"].fillna(0.0).astype(float)
    if data.churn_events is not None:
        per["lost"] = _flag(ids, _in(data.churn_events, "date", start, end)["customer_id"])
    if data.interactions is not None:
        it = data.interactions
        replied = "response_hours" in it
        i = lines(it, ["customer_id", "date", "direction", *(["response_hours"] if replied else [])])
        i = i.filter((i.date > timestamp(start)) & (i.date <= timestamp(end)))
        # Our proactive contacts and the customers' own contacts count once; a reply to ours once more.
        answered = (i.direction == "proactive").fill_null(False) & (i.response_hours.notnull() if replied else False)
        contacts = per_customer(i.group_by("customer_id").aggregate(contacts=i.count() + answered.ifelse(1, 0).sum()))
        per["contacts"] = contacts["contacts"].reindex(ids, fill_value=0).astype(float)
    if data.surveys is not None:
        sv = _in(data.surveys[["customer_id", "date", "rating"]], "date", start, end)
        sv = sv.loc[sv["rating"].notna()]  # every respondent's latest answer, then only the base's
        latest = sv.sort_values(["customer_id", "date"], kind="stable").groupby("customer_id")["rating"].last()
        latest = latest.reindex(ids)
        per["responded"] = latest.notna().astype(float)
        per["satisfied"] = (latest >= 4).astype(float)
    return per


def _missing_reason(data: Dataset, kpi: str, language: str = "en") -> str | None:
    if kpi == "churn_rate" and data.churn_events is None:
        return message("review.kpi_note.no_churn_events", language)
    if kpi == "activity" and data.interactions is None:
        return message("review.kpi_note.no_interactions", language)
    if kpi in ("satisfaction_rate", "survey_coverage") and data.surveys is None:
        return message("review.kpi_note.no_surveys", language)
    return None


def quarterly_kpis(
    data: Dataset,
    *,
    quarter: str | Quarter,
    policy: TierPolicy | str | Path = "abc",
    service: ServiceLevels | str | Path | None = None,
    active_days: int = 365,
    language: str = "en",
    features_at: Callable[[pd.Timestamp], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every KPI per tier (and for all tiers) with its target and whether it was met.

    Parameters
    ----------
    data : Dataset
    quarter : str or Quarter
        The quarter reviewed, e.g. ``"2025Q3"``.
    policy : TierPolicy, preset name or path, default "abc"
    service : ServiceLevels, preset name or path, optional
        Targets and each KPI's window; default the preset matching ``policy``.
    active_days : int, default 365
        A customer counts at a window's start with a purchase in this many days before it.
    language : str, default "en"
        Language of the ``note`` column and of ``attrs["not_computed"]`` (en, zh or zh_Hant); the
        codes (``kpi``, ``window``, ``status``) stay as they are.
    features_at : callable, optional
        ``features_at(day)`` gives the :func:`~segmentation.features.customer_features` of ``data``
        at ``day``; a caller that needs them elsewhere too passes one that computes each day once
        (:func:`~segmentation.review.quarterly.review_quarter` does). Default: computed here.

    Returns
    -------
    DataFrame
        One row per (tier, KPI): ``tier, kpi, window, value, target, status, numerator,
        denominator, note``. ``window`` is ``quarter``, ``half_year`` or ``year``, ending at the
        quarter's end; a tier's customers are those in the tier at the window's start.
        ``status`` is met, missed, no target or not computed (the note says why);
        ``churn_rate`` meets its target when at or below it. ``attrs``: ``not_computed`` (one
        sentence per KPI that could not be computed for any tier), ``windows`` (each window's
        start, end and customers), ``customers`` and ``lost_before`` (of the quarter window).
    """
    q, policy = parse_quarter(quarter), _policy(policy)
    service = ServiceLevels.for_policy(policy, service)
    windows = {}
    for window in sorted({service.window(kpi) for kpi in KPIS}, key=WINDOWS.get):
        start = months_before(q.end, WINDOWS[window])
        base = window_customers(data, start=start, policy=policy, active_days=active_days, features_at=features_at)
        windows[window] = (start, base, _measure(data, base, start, q.end))
    rows = []
    for tier in [*policy.names, ALL]:
        for kpi in KPIS:
            window = service.window(kpi)
            start, base, per = windows[window]
            ids = base.index if tier == ALL else base.index[(base["tier"] == tier).to_numpy()]
            p, n, months = per.loc[ids], len(ids), WINDOWS[window]
            target = service.target(tier, kpi) if tier != ALL else None
            reason = _missing_reason(data, kpi, language)
            num = den = value = np.nan
            if reason is None and n == 0:
                reason = (
                    message("review.kpi_note.no_customers", language, day=day(start, language))
                    if tier == ALL
                    else message("review.kpi_note.no_customers_in_tier", language, day=day(start, language))
                )
            if reason is None:
                if kpi in ("retention_rate", "quarterly_repurchase_rate"):
                    num, den = p["bought"].sum(), n
                elif kpi == "churn_rate":
                    num, den = p["lost"].sum(), n
                elif kpi == "activity":
                    num, den = p["contacts"].sum() / months, n
                elif kpi == "value_growth":
                    num, den = p["revenue"].sum() - p["revenue_year_before"].sum(), p["revenue_year_before"].sum()
                    if den <= 0:
                        reason = message(
                            "review.kpi_note.no_base", language, window=window_words(window, language, article=False)
                        )
                elif kpi == "satisfaction_rate":
                    num, den = p["satisfied"].sum(), p["responded"].sum()
                    if den == 0:
                        reason = message(
                            "review.kpi_note.no_answers",
                            language,
                            window=window_words(window, language, article=False),
                            day=day(q.end, language),
                        )
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
                    "window": window,
                    "value": value,
                    "target": np.nan if target is None else target,
                    "status": status,
                    "numerator": num,
                    "denominator": den,
                    "note": reason or "",
                }
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    missing = [
        f"{kpi if language == 'en' else kpi_name(kpi, language)}: {reason}"
        for kpi in KPIS
        if (reason := _missing_reason(data, kpi, language))
    ]
    quarter_base = (
        windows["quarter"][1]
        if "quarter" in windows
        else window_customers(
            data, start=q.previous_end, policy=policy, active_days=active_days, features_at=features_at
        )
    )
    table.attrs.update(
        quarter=str(q),
        customers=len(quarter_base),
        lost_before=quarter_base.attrs["lost_before"],
        not_computed=missing,
        windows={w: {"start": start, "end": q.end, "customers": len(base)} for w, (start, base, _) in windows.items()},
    )
    return table


def kpi_definitions(service: ServiceLevels, policy: TierPolicy, *, language: str = "en") -> pd.DataFrame:
    """Each KPI's name, definition, window, population and target per tier (empty: no target), for a report.

    Examples
    --------
    >>> t = kpi_definitions(ServiceLevels.load("abc"), TierPolicy.load("abc")).set_index("kpi")
    >>> t.loc["Retention rate", ["window", "A", "B", "C"]].tolist()
    ['12 months', '95%', '90%', '']
    >>> kpi_definitions(ServiceLevels.load("abc"), TierPolicy.load("abc"), language="zh").iloc[0, :3].tolist()
    ['留存率', '窗口开始时的客户中在窗口内再次购买的人数 / 窗口开始时的客户数', '近12个月']
    """
    rows = []
    for kpi, (_, higher) in KPIS.items():
        window = service.window(kpi)
        words = window_words(window, language, article=False)
        definition = kpi_definition(kpi, language)
        row = {
            "kpi": kpi_name(kpi, language),
            "definition": definition if higher else message("review.lower_is_better", language, text=definition),
            "window": words,
            "population": message(f"review.population_of_window.{window}", language),
        }
        for tier in policy.names:
            target = service.target(tier, kpi)
            row[tier] = (
                "" if target is None else (f"{target:g}" if kpi == "activity" else percent(target, language, digits=0))
            )
        rows.append(row)
    return pd.DataFrame(rows)


def kpi_scorecard(kpis: pd.DataFrame, *, language: str = "en") -> pd.DataFrame:
    """The KPI table as a tier-by-KPI grid of "value over its window (target) status" texts, for a report.

    Rows and columns keep the codes (``A``, ``retention_rate``);
    :func:`segmentation.reports.views.scorecard_view` shows them by name.

    Examples
    --------
    >>> k = pd.DataFrame({"tier": ["A", "A"], "kpi": ["retention_rate", "quarterly_repurchase_rate"],
    ...     "window": ["year", "quarter"], "value": [0.97, 0.81], "target": [0.95, None],
    ...     "status": ["met", "no target"], "note": ["", ""]})
    >>> kpi_scorecard(k).loc["A"].tolist()
    ['97.0% over 12 months (target 95%): met', '81.0% over the quarter']
    >>> kpi_scorecard(k, language="zh").loc["A"].tolist()
    ['近12个月 97.0%(目标 95%):达标', '本季度 81.0%']
    """

    def text(row: pd.Series) -> str:
        if row["status"] == "not computed":
            return status_word("not computed", language)
        is_percent = row["kpi"] != "activity"
        value = percent(row["value"], language, digits=1) if is_percent else f"{row['value']:.2f}"
        value = message("review.scorecard.value", language, value=value, window=window_words(row["window"], language))
        if row["status"] == "no target":
            return value
        target = percent(row["target"], language, digits=0) if is_percent else f"{row['target']:g}"
        return message(
            "review.scorecard.against",
            language,
            value=value,
            target=target,
            status=status_word(row["status"], language),
        )

    grid = kpis.assign(text=kpis.apply(text, axis=1)).pivot(index="tier", columns="kpi", values="text")
    return grid.reindex(index=list(dict.fromkeys(kpis["tier"])), columns=list(dict.fromkeys(kpis["kpi"])))


__all__ = [
    "ALL",
    "STATUSES",
    "kpi_definitions",
    "kpi_scorecard",
    "WINDOW_WORDS",
    "quarter_start_customers",
    "window_customers",
    "quarterly_kpis",
    "recorded_lost",
]
