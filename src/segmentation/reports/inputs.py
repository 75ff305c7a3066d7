"""The parameters every report notebook starts from, checked and turned into what it needs.

A report notebook's ``parameters`` cell holds plain literals (papermill injects overrides
after it); its next cell calls :func:`open_report`, which checks them all at once and loads
the data. An empty ``data_dir`` means the built-in sample (``sample_customers`` customers,
generated with ``random_state``): that is what the notebooks run on by default, in JupyterLab and
under ``pytest --nbval-lax``.

Examples
--------
>>> ctx = open_report(data_dir="", quarter="2025Q3", sample_customers=60)
>>> str(ctx.quarter), ctx.policy.name, ctx.service.name, ctx.currency, len(ctx.data.customers)
('2025Q3', 'abc', 'abc', 'CNY', 60)
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
from segmentation.errors import ConfigError, WorkbenchError
from segmentation.data.loading import load_dataset
from segmentation.periods import Quarter, quarter as parse_quarter
from segmentation.datasets.sample import write_sample
from segmentation.review.service_levels import ServiceLevels
from segmentation.value.tiers import TierPolicy


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

    def summary(self) -> pd.DataFrame:
        """What the report runs on, as a two-column table for the report's first section."""
        rows = [
            ("data", self.source),
            ("quarter", f"{self.quarter} ({self.quarter.start:%Y-%m-%d} to {self.quarter.end:%Y-%m-%d})"),
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

    Returns
    -------
    ReportContext

    Raises
    ------
    ConfigError
        Naming each bad parameter; :class:`~segmentation.errors.DataContractError` when the
        data is not usable.
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
    if errors:
        raise ConfigError("report parameters are not valid:\n- " + "\n- ".join(errors))
    if data_dir:
        data = load_dataset(data_dir)
        source = str(data_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            write_sample(tmp, sample_customers, random_state=random_state)
            (Path(tmp) / "truth.csv").unlink()  # planted truth is for tests, never for a report
            data = load_dataset(tmp)
        source = f"built-in sample ({sample_customers:,} customers, random_state {random_state})"
        data.report.source = source
    if data.transactions.empty:
        raise WorkbenchError(f"{source}: no usable order line: nothing to report on")
    out = Path(output_dir) if output_dir else None
    return ReportContext(data, source, q, pol, service, currency or pol.currency, random_state, out)


__all__ = ["ReportContext", "open_report"]
