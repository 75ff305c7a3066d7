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
>>> [(c.contact, c.every_months) for c in s.contacts("B")]
[('call', 1), ('online meeting', 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from segmentation.config import available, coerce, read_yaml
from segmentation.errors import ConfigError
from segmentation.value.tiers import TierPolicy

#: The quarterly KPIs, with what they measure and whether a higher value is better.
KPIS: dict[str, tuple[str, bool]] = {
    "retention_rate": ("customers at the quarter start who bought in the quarter / customers at the start", True),
    "churn_rate": ("customers at the quarter start recorded as lost in the quarter / customers at the start", False),
    "activity": ("(our proactive contacts + the customers' responses) per month / customers", True),
    "value_growth": (
        "(revenue of the 12 months to the quarter end - the 12 months before) / the 12 months before",
        True,
    ),
    "satisfaction_rate": ("respondents rating 4 or 5 (satisfied, very satisfied) / respondents", True),
    "survey_coverage": ("respondents / customers at the quarter start", True),
}
_TOP = {"name", "description", "survey_window_months", "tiers", "all_tiers"}
_TIER = {"contacts", "targets"}
_CONTACT = {"contact", "channels", "every_months"}


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
    survey_window_months: int = 3
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
        errors: list[str] = []
        unknown = set(data) - _TOP - {"_source"}
        if unknown:
            errors.append(f"unknown fields {sorted(unknown)}; expected some of {sorted(_TOP)}")
        window = data.get("survey_window_months", 3)
        if not (isinstance(window, int) and 1 <= window <= 24):
            errors.append(f"survey_window_months must be a whole number of months from 1 to 24, got {window!r}")
        raw_tiers = data.get("tiers") or {}
        if not isinstance(raw_tiers, dict) or not raw_tiers:
            errors.append("tiers: a mapping from tier name to its contacts and targets is needed")
            raw_tiers = {}
        rules: dict[str, tuple[ContactRule, ...]] = {}
        targets: dict[str, dict[str, float]] = {}
        for tier, spec in raw_tiers.items():
            tier = str(tier)
            spec = spec or {}
            if not isinstance(spec, dict) or set(spec) - _TIER:
                errors.append(f"tier {tier}: expected a mapping with {sorted(_TIER)}, got {spec!r}")
                continue
            rules[tier] = tuple(_contact(tier, i, c, errors) for i, c in enumerate(spec.get("contacts") or [], 1))
            targets[tier] = _targets(f"tier {tier}", spec.get("targets"), errors)
        all_tiers = data.get("all_tiers") or {}
        if not isinstance(all_tiers, dict) or set(all_tiers) - {"targets"}:
            errors.append(f"all_tiers: expected a mapping with 'targets', got {all_tiers!r}")
            all_tiers = {}
        shared = _targets("all_tiers", all_tiers.get("targets"), errors)
        if errors:
            raise ConfigError(f"{source}: the service levels are not valid:\n- " + "\n- ".join(errors))
        return cls(
            str(data.get("name", Path(source).stem)),
            {t: r for t, r in rules.items() if r is not None},
            targets,
            shared,
            window,
            source,
        )

    @property
    def tiers(self) -> list[str]:
        return list(self.rules)

    def contacts(self, tier: str) -> tuple[ContactRule, ...]:
        """The contact rules of ``tier`` (empty when the tier is owed none)."""
        return self.rules.get(tier, ())

    def target(self, tier: str, kpi: str) -> float | None:
        """The target of ``kpi`` for ``tier`` (the tier's own, else the all-tiers one), or None."""
        own = self.targets.get(tier, {})
        return own.get(kpi, self.all_tiers.get(kpi))


def _contact(tier: str, i: int, raw: object, errors: list[str]) -> ContactRule:
    where = f"tier {tier}, contact {i}"
    if not isinstance(raw, dict) or set(raw) - _CONTACT or "contact" not in raw:
        errors.append(f"{where}: expected a mapping with {sorted(_CONTACT)}, got {raw!r}")
        return ContactRule("?", None, 1)
    months = raw.get("every_months")
    if not (isinstance(months, int) and not isinstance(months, bool) and 1 <= months <= 24):
        errors.append(f"{where}: every_months must be a whole number of months from 1 to 24, got {months!r}")
        months = 1
    channels = raw.get("channels", "any")
    if channels == "any":
        chosen = None
    elif isinstance(channels, list) and channels and all(isinstance(c, str) for c in channels):
        chosen = tuple(channels)
    else:
        errors.append(f"{where}: channels must be 'any' or a list of channel names, got {channels!r}")
        chosen = None
    return ContactRule(str(raw["contact"]), chosen, months)


def _targets(where: str, raw: object, errors: list[str]) -> dict[str, float]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(f"{where}: targets must be a mapping of KPI to number, got {raw!r}")
        return {}
    out = {}
    for kpi, value in raw.items():
        if kpi not in KPIS:
            errors.append(f"{where}: unknown KPI {kpi!r}; expected one of {sorted(KPIS)}")
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or value != value:
            errors.append(f"{where}: target of {kpi} must be a number >= 0, got {value!r}")
        else:
            out[kpi] = float(value)
    return out


__all__ = ["KPIS", "ContactRule", "ServiceLevels"]
