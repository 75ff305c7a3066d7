"""Service levels per tier: the contacts each tier is owed and its quarterly KPI targets.

Presets ``abc`` and ``sabc`` (``presets/service_*.yaml``) hold the defaults of the domain
brief (sections 3 and 4); a team copies one and edits it. :meth:`ServiceLevels.for_policy`
picks the preset that goes with a tier policy: the one of the same name, else the one whose
tiers have the same names.

Examples
--------
>>> s = ServiceLevels.load("abc")
>>> s.target("A", "retention_rate"), s.target("C", "retention_rate"), s.target("C", "survey_coverage")
(0.95, None, 0.8)
>>> s.window("retention_rate"), s.window("quarterly_repurchase_rate"), s.window("satisfaction_rate")
('year', 'quarter', 'half_year')
>>> [(c.contact, c.every_months) for c in s.contacts("B")]
[('call', 1), ('online meeting', 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from segmentation.config import (
    INVALID,
    Custom,
    ListOf,
    MapOf,
    Mistakes,
    Number,
    Record,
    Text,
    available,
    coerce,
    read_yaml,
)
from segmentation.errors import ConfigError
from segmentation.value.tiers import TierPolicy

#: The KPIs, with what they measure over their window and whether a higher value is better. Each is
#: measured over a window that ends at the reviewed quarter's end, on the customers at the window's start.
KPIS: dict[str, tuple[str, bool]] = {
    "retention_rate": ("customers at the window start who bought again in the window / customers at the start", True),
    "quarterly_repurchase_rate": (
        "customers at the quarter start who bought in the quarter / customers at the start (the quarterly figure "
        "beside a yearly retention rate)",
        True,
    ),
    "churn_rate": ("customers at the window start recorded as lost in the window / customers at the start", False),
    "activity": ("(our proactive contacts + the customers' responses) per month / customers", True),
    "value_growth": ("(revenue in the window - in the same window a year earlier) / the year-earlier revenue", True),
    "satisfaction_rate": (
        "respondents rating 4 or 5 (satisfied, very satisfied) / respondents (latest answer in the window)",
        True,
    ),
    "survey_coverage": ("respondents in the window / customers at the window start", True),
}

#: The windows a KPI can be measured over, in months, each ending at the reviewed quarter's end.
WINDOWS: dict[str, int] = {"quarter": 3, "half_year": 6, "year": 12}

#: Each KPI's window when a service-levels file does not set it: retention is the handbook's yearly renewal
#: (domain brief, section 4: "A类客户 年度续约率 >= 95%"), growth compares years, two survey waves a year.
DEFAULT_WINDOWS: dict[str, str] = {
    "retention_rate": "year",
    "quarterly_repurchase_rate": "quarter",
    "churn_rate": "quarter",
    "activity": "quarter",
    "value_growth": "year",
    "satisfaction_rate": "half_year",
    "survey_coverage": "half_year",
}


def _window(value: object) -> object:
    return value if value in WINDOWS else INVALID


def _channels(value: object) -> object:
    if value == "any" or (isinstance(value, list) and value and all(isinstance(c, str) for c in value)):
        return value
    return INVALID


_MONTHS = Number(minimum=1, maximum=24, integer=True)
_TARGETS = MapOf(Number(minimum=0), keys=tuple(KPIS), noun="KPI", value_key="target of {}")
_CONTACT = Record(
    {
        "contact": Text(),
        "channels": Custom(_channels, expected="'any' or a list of channel names"),
        "every_months": _MONTHS,
    },
    required=("contact", "every_months"),
)
#: The shape of a service-levels file (see presets/service_abc.yaml).
_SCHEMA = Record(
    {
        "name": Text(),
        "description": Text(),
        "windows": MapOf(
            Custom(_window, expected=f"one of {list(WINDOWS)}"), keys=tuple(KPIS), noun="KPI", value_key="window of {}"
        ),
        "tiers": MapOf(
            Record({"contacts": ListOf(_CONTACT, label=lambda i, c: f"contact {i}"), "targets": _TARGETS}),
            label=lambda tier: f"tier {tier}",
            expected="a mapping from tier name to its contacts and targets",
            min_items=1,
        ),
        "all_tiers": Record({"targets": _TARGETS}),
    },
    required=("tiers",),
)


@dataclass(frozen=True)
class ContactRule:
    """One proactive contact a tier is owed: ``contact`` on one of ``channels`` every ``every_months``."""

    contact: str
    channels: tuple[str, ...] | None  # None = any channel
    every_months: int

    def accepts(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass(frozen=True)
class ServiceLevels:
    """Contact rules and KPI targets per tier."""

    name: str
    rules: dict[str, tuple[ContactRule, ...]] = field(default_factory=dict)
    targets: dict[str, dict[str, float]] = field(default_factory=dict)
    all_tiers: dict[str, float] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_WINDOWS))
    source: str = "service levels"

    @classmethod
    def load(cls, name_or_path: str | Path) -> ServiceLevels:
        """A preset (``"abc"``, ``"sabc"``) or a YAML file; every mistake is named in one error."""
        data = read_yaml("service", name_or_path)
        return cls.from_dict(data, source=data.pop("_source"))

    @classmethod
    def coerce(cls, value: ServiceLevels | str | Path | dict) -> ServiceLevels:
        """Service levels, a preset name, a YAML file or a mapping, as service levels (see :func:`~segmentation.config.coerce`)."""
        return coerce(cls, value, what="set of service levels")

    @classmethod
    def for_policy(
        cls, policy: TierPolicy | str | Path | dict, service: ServiceLevels | str | Path | dict | None = None
    ) -> ServiceLevels:
        """The service levels for ``policy``: ``service`` when given, else the matching preset.

        Raises
        ------
        ConfigError
            When no preset matches the policy's name or tier names.
        """
        policy = TierPolicy.coerce(policy)
        if service is not None and not (isinstance(service, str) and not service):
            levels = cls.coerce(service)
        else:
            presets = [cls.load(name) for name in available("service")]
            match = [s for s in presets if s.name == policy.name] or [s for s in presets if s.tiers == policy.names]
            if not match:
                raise ConfigError(
                    f"tier policy {policy.name!r} (tiers {policy.names}): no service-level preset "
                    f"matches it; write one (see presets/service_abc.yaml) and pass it as "
                    f"service_levels"
                )
            levels = match[0]
        unknown = sorted(set(levels.tiers) - set(policy.names))
        if unknown:
            raise ConfigError(
                f"{levels.source}: tiers {unknown} are not tiers of policy {policy.name!r} ({policy.names})"
            )
        return levels

    @classmethod
    def from_dict(cls, data: dict, *, source: str = "service levels") -> ServiceLevels:
        """Build and check service levels; every mistake is reported in one :class:`ConfigError`."""
        mistakes = Mistakes()
        clean = _SCHEMA.check(data, "", mistakes)
        mistakes.raise_if_any(source, "service levels")
        rules = {
            tier: tuple(
                ContactRule(
                    c["contact"], None if c.get("channels", "any") == "any" else tuple(c["channels"]), c["every_months"]
                )
                for c in spec.get("contacts", [])
            )
            for tier, spec in clean["tiers"].items()
        }
        targets = {tier: spec.get("targets", {}) for tier, spec in clean["tiers"].items()}
        return cls(
            clean.get("name", Path(source).stem),
            rules,
            targets,
            clean.get("all_tiers", {}).get("targets", {}),
            {**DEFAULT_WINDOWS, **clean.get("windows", {})},
            source,
        )

    @property
    def tiers(self) -> list[str]:
        return list(self.rules)

    def contacts(self, tier: str) -> tuple[ContactRule, ...]:
        """The contact rules of ``tier`` (empty when the tier is owed none)."""
        return self.rules.get(tier, ())

    def window(self, kpi: str) -> str:
        """The window ``kpi`` is measured over: ``quarter``, ``half_year`` or ``year``."""
        return self.windows.get(kpi, DEFAULT_WINDOWS[kpi])

    def window_months(self, kpi: str) -> int:
        """The length of ``kpi``'s window in months."""
        return WINDOWS[self.window(kpi)]

    def target(self, tier: str, kpi: str) -> float | None:
        """The target of ``kpi`` for ``tier`` (the tier's own, else the all-tiers one), or None."""
        own = self.targets.get(tier, {})
        return own.get(kpi, self.all_tiers.get(kpi))


__all__ = ["DEFAULT_WINDOWS", "KPIS", "WINDOWS", "ContactRule", "ServiceLevels"]
