"""The parameters every report notebook starts from, checked and turned into what it needs.

A report notebook's ``parameters`` cell holds plain literals (papermill injects overrides
after it); its next cell calls :func:`open_report`, which checks them all at once and loads
the data. An empty ``data_dir`` means the built-in sample (``sample_customers`` customers,
generated with ``random_state``): that is what the notebooks run on by default, in JupyterLab and
under ``pytest --nbval-lax``.

A report refuses a quarter its data does not cover (:func:`check_quarter_covered`): no order
in the quarter, or the last order more than ``grace_days`` before the quarter ends. That is a
stale or incomplete export, and publishing it would show every KPI as missed. With
``allow_incomplete=True`` the report runs and its summary says the quarter is partial.

Examples
--------
>>> ctx = open_report(data_dir="", quarter="2025Q3", sample_customers=60)
>>> str(ctx.quarter), ctx.policy.name, ctx.service.name, ctx.currency, len(ctx.data.customers), ctx.language
('2025Q3', 'abc', 'abc', 'CNY', 60, 'en')
>>> open_report(data_dir="", quarter="Q3", policy="abcd")
Traceback (most recent call last):
...
segmentation.errors.ConfigError: report parameters are not valid:
- quarter: expected a quarter such as 2025Q3, got 'Q3'
- policy: abcd: no such file, and not a preset; presets are ['abc', 'sabc']
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.data.loading import load_dataset
from segmentation.data.mapping import ColumnMapping
from segmentation.datasets.sample import write_sample
from segmentation.errors import ConfigError, StaleDataError, WorkbenchError
from segmentation.i18n import check_language, message, resolve_language
from segmentation.periods import Quarter, quarter_of
from segmentation.periods import quarter as parse_quarter
from segmentation.review.service_levels import ServiceLevels
from segmentation.review.words import day, number
from segmentation.value.tiers import TierPolicy

#: Tier labels and metrics of the presets, shown in the report's language (a team's own are shown as written).
_PRESET_LABELS = ("strategic", "key", "ordinary", "high value", "potential")
_PRESET_METRICS = ("revenue_t12m", "monetary_total")

#: Default of ``grace_days``: a quarter counts as covered when the data's last order is at most
#: this many days before its end (no order on the last weekend or holiday is normal).
GRACE_DAYS = 7


def _last_covered(last: pd.Timestamp, grace_days: int) -> Quarter:
    """The last quarter the data covers to its end (within ``grace_days``)."""
    q = quarter_of(last)
    return q if last >= q.end - pd.Timedelta(days=grace_days) else q.shift(-1)


def check_quarter_covered(
    data: Dataset,
    quarter: str | Quarter,
    *,
    allow_incomplete: bool = False,
    grace_days: int = GRACE_DAYS,
    language: str = "en",
) -> str | None:
    """Refuse a quarter the data does not cover: no order in it, or data ending before it does.

    Parameters
    ----------
    data : Dataset
        The loaded data; its order dates are what is checked.
    quarter : str or Quarter
        The quarter a report is asked for.
    allow_incomplete : bool, default False
        Run anyway: the problem is returned as a note instead of raised.
    grace_days : int, default :data:`GRACE_DAYS`
        The quarter counts as covered when the last order is at most this many days before its end.
    language : str, default "en"
        Language of the returned note (the error stays English: it names a command-line option).

    Returns
    -------
    str or None
        None when the data covers the quarter; with ``allow_incomplete``, the note saying how
        the quarter is partial (for the report's summary).

    Raises
    ------
    StaleDataError
        Naming the quarter, the data's last order date and what to do.

    Examples
    --------
    >>> days = pd.to_datetime(["2025-04-02", "2025-07-03", "2025-08-15"])
    >>> data = Dataset.from_frames(transactions=pd.DataFrame(
    ...     {"customer_id": ["a", "b", "a"], "order_date": days, "amount": [10.0, 20.0, 30.0]}))
    >>> check_quarter_covered(data, "2025Q2") is None
    True
    >>> check_quarter_covered(data, "2025Q3", allow_incomplete=True)
    'partial quarter: the data ends with an order on 2025-08-15, 46 days before 2025Q3 ends (2025-09-30)'
    >>> check_quarter_covered(data, "2025Q4")
    Traceback (most recent call last):
    ...
    segmentation.errors.StaleDataError: quarter 2025Q4 has no orders: the data's last order is on 2025-08-15, before the quarter starts (2025-10-01); the export looks stale. Export the data again, report on a quarter the data covers (the last complete one is 2025Q2), or run anyway with allow_incomplete=True (command line: --allow-incomplete)
    """
    q = parse_quarter(quarter)
    if not isinstance(grace_days, int) or isinstance(grace_days, bool) or grace_days < 0:
        raise ConfigError(f"grace_days: expected a whole number of days >= 0, got {grace_days!r}")
    dates = data.transactions["order_date"]
    if dates.empty:
        raise StaleDataError(f"quarter {q}: the data has no usable order line: nothing to report on")
    first, last = dates.min(), dates.max()
    if last < q.start:
        problem = (
            f"quarter {q} has no orders: the data's last order is on {last:%Y-%m-%d}, before the quarter starts "
            f"({q.start:%Y-%m-%d}); the export looks stale"
        )
        note = message("reports.partial.stale", language, quarter=str(q), day=day(last, language))
    elif not dates.between(q.start, q.end).any():
        where = "starts after it ends" if first > q.end else "has orders before and after it"
        problem = (
            f"quarter {q} has no orders, though the data {where} (orders from {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}); check that the export is complete"
        )
        note = message("reports.partial.after" if first > q.end else "reports.partial.around", language, quarter=str(q))
    elif last < q.end - pd.Timedelta(days=grace_days):
        days = (q.end - last).days
        problem = (
            f"quarter {q} is incomplete: the data's last order is on {last:%Y-%m-%d}, {days} days before the "
            f"quarter ends ({q.end:%Y-%m-%d}); run the report once the quarter's orders are all exported"
        )
        note = message(
            "reports.partial.short",
            language,
            quarter=str(q),
            day=day(last, language),
            days=days,
            end=day(q.end, language),
        )
    else:
        return None
    if allow_incomplete:
        return note
    latest = _last_covered(last, grace_days)
    covered = f" (the last complete one is {latest})" if latest.end >= first else ""
    raise StaleDataError(
        f"{problem}. Export the data again, report on a quarter the data covers{covered}, or run anyway with "
        "allow_incomplete=True (command line: --allow-incomplete)"
    )


@dataclass(frozen=True)
class ReportContext:
    """Checked report parameters and the loaded data."""

    data: Dataset
    source: str
    quarter: Quarter
    policy: TierPolicy
    service: ServiceLevels
    currency: str
    random_state: int
    output_dir: Path | None
    notes: tuple[str, ...] = ()
    language: str = "en"

    @property
    def partial(self) -> bool:
        """True when the data does not cover the quarter (run with ``allow_incomplete``)."""
        return bool(self.notes)

    def summary(self) -> pd.DataFrame:
        """What the report runs on, as a two-column table for the report's first section."""
        last = self.data.transactions["order_date"].max()
        lang, q = self.language, self.quarter
        if lang == "en":
            return self._summary_en(last)
        labels = "; ".join(
            f"{t.tier} {message('reports.tier_label.' + t.label.replace(' ', '_'), lang) if t.label in _PRESET_LABELS else t.label}"
            for t in self.policy.tiers
        )
        metric = self.policy.metric
        metric_words = (
            message(f"reports.column.{metric}", lang) if metric in _PRESET_METRICS else self.policy.metric_words
        )
        missing = self.data.missing_tables()
        rows = [
            ("data", self.source),
            (
                "quarter",
                message("reports.summary.quarter", lang, quarter=str(q), start=day(q.start, lang), end=day(q.end, lang))
                + (message("reports.summary.partial", lang) if self.partial else ""),
            ),
            ("last_order", day(last, lang) + "".join(f"; {note}" for note in self.notes)),
            ("tier_policy", f"{self.policy.name} ({metric_words}, {self.currency})"),
            ("tiers", labels),
            ("service_levels", self.service.name),
            ("tables_missing", ", ".join(missing) or message("reports.summary.none", lang)),
            ("random_state", str(self.random_state)),
        ]
        return pd.DataFrame(rows, columns=["setting", "value"])

    def _summary_en(self, last: pd.Timestamp) -> pd.DataFrame:
        rows = [
            ("data", self.source),
            (
                "quarter",
                f"{self.quarter} ({self.quarter.start:%Y-%m-%d} to {self.quarter.end:%Y-%m-%d})"
                + (", partial: the data does not cover it to its end" if self.partial else ""),
            ),
            ("last order", f"{last:%Y-%m-%d}" + "".join(f"; {note}" for note in self.notes)),
            ("tier policy", f"{self.policy.name} ({self.policy.metric_words}, {self.currency})"),
            ("tiers", "; ".join(f"{t.tier} {t.label}" for t in self.policy.tiers)),
            ("service levels", self.service.name),
            ("tables missing", ", ".join(self.data.missing_tables()) or "none"),
            ("random_state", str(self.random_state)),
        ]
        return pd.DataFrame(rows, columns=["setting", "value"])


def open_report(
    *,
    data_dir: str = "",
    quarter: str = "2025Q3",
    policy: str = "abc",
    service_levels: str = "",
    currency: str = "",
    random_state: int = 0,
    output_dir: str = "",
    sample_customers: int = 400,
    allow_incomplete: bool = False,
    grace_days: int = GRACE_DAYS,
    language: str = "",
) -> ReportContext:
    """Check a report's parameters (every mistake in one message) and load its data.

    Parameters
    ----------
    data_dir : str
        Folder with the team's tables (see the data contract); empty = the built-in sample.
    quarter : str
        The quarter reported on, e.g. ``"2025Q3"``.
    policy : str
        Tier policy preset (``abc``, ``sabc``) or YAML file.
    service_levels : str
        Service-level preset or YAML file; empty = the preset matching ``policy``.
    currency : str
        Currency shown; empty = the policy's.
    random_state : int
        Seed of every random step (and of the built-in sample).
    output_dir : str
        Where the report's tables are written; empty = nowhere.
    sample_customers : int
        Size of the built-in sample when ``data_dir`` is empty.
    allow_incomplete : bool, default False
        Report on a quarter the data does not cover (no orders in it, or data ending before it
        does); the summary then says the quarter is partial. See :func:`check_quarter_covered`.
    grace_days : int, default :data:`GRACE_DAYS`
        Days before the quarter end the last order may be for the quarter to count as covered.
    language : str
        The report's language: en, zh or zh_Hant; empty: the tier policy's or the mapping file's
        (``mapping.yaml`` in ``data_dir``) ``language``, else English.

    Returns
    -------
    ReportContext

    Raises
    ------
    ConfigError
        Naming each bad parameter; :class:`~segmentation.errors.DataContractError` when the
        data is not usable.
    StaleDataError
        When the data does not cover the quarter and ``allow_incomplete`` is False.
    """
    errors: list[str] = []
    q = pol = service = None
    try:
        q = parse_quarter(quarter)
    except ConfigError as exc:
        errors.append(str(exc))
    try:
        pol = TierPolicy.load(policy)
    except ConfigError as exc:
        errors.append(f"policy: {exc}")
    if pol is not None:
        try:
            service = ServiceLevels.for_policy(pol, service_levels or None)
        except ConfigError as exc:
            errors.append(f"service_levels: {exc}")
    if not isinstance(random_state, int) or isinstance(random_state, bool) or random_state < 0:
        errors.append(f"random_state: expected a whole number >= 0, got {random_state!r}")
    if data_dir and not Path(data_dir).is_dir():
        errors.append(f"data_dir: {data_dir}: no such folder")
    if not data_dir and not (isinstance(sample_customers, int) and sample_customers >= 1):
        errors.append(f"sample_customers: expected a whole number >= 1, got {sample_customers!r}")
    if not isinstance(allow_incomplete, bool):
        errors.append(f"allow_incomplete: expected True or False, got {allow_incomplete!r}")
    if not isinstance(grace_days, int) or isinstance(grace_days, bool) or grace_days < 0:
        errors.append(f"grace_days: expected a whole number of days >= 0, got {grace_days!r}")
    if language:
        try:
            check_language(language)
        except ConfigError as exc:
            errors.append(f"language: {exc}")
    if errors:
        raise ConfigError("report parameters are not valid:\n- " + "\n- ".join(errors))
    mapping_file = Path(data_dir) / "mapping.yaml" if data_dir else None
    mapping = ColumnMapping.load(mapping_file) if mapping_file is not None and mapping_file.is_file() else None
    lang = resolve_language(language or None, pol, mapping)
    if data_dir:
        data = load_dataset(data_dir)
        source = str(data_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            write_sample(tmp, sample_customers, random_state=random_state)
            (Path(tmp) / "truth.csv").unlink()  # planted truth is for tests, never for a report
            data = load_dataset(tmp)
        source = message("reports.summary.sample", lang, n=number(sample_customers, lang), random_state=random_state)
        data.report.source = source
    if data.transactions.empty:
        raise WorkbenchError(f"{source}: no usable order line: nothing to report on")
    note = check_quarter_covered(data, q, allow_incomplete=allow_incomplete, grace_days=grace_days, language=lang)
    out = Path(output_dir) if output_dir else None
    notes = (note,) if note else ()
    return ReportContext(data, source, q, pol, service, currency or pol.currency, random_state, out, notes, lang)


__all__ = ["GRACE_DAYS", "ReportContext", "check_quarter_covered", "open_report"]
