"""The config kinds (tier policy, service levels, segment rules, playbook, mapping): one coerce, one loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from segmentation.data.mapping import ColumnMapping
from segmentation.errors import ConfigError
from segmentation.personas.playbook import Playbook
from segmentation.review.service_levels import ServiceLevels
from segmentation.value.segments import SegmentRules
from segmentation.value.tiers import TierPolicy

MAPPING = {"columns": {"transactions": {"Kunde": "customer_id"}}}
#: kind -> (a preset name or YAML text, a dict)
KINDS = {
    TierPolicy: ("sabc", {"name": "two", "tiers": [{"tier": "A", "min": 10}, {"tier": "B", "max": 10}]}),
    ServiceLevels: ("sabc", {"name": "mine", "tiers": {"A": {"targets": {"retention_rate": 0.9}}}}),
    SegmentRules: ("default", {"segments": [{"name": "All", "r": [1, 5]}]}),
    Playbook: ("default", {"plays": [{"name": "keep", "when": []}]}),
    ColumnMapping: ("columns:\n  transactions:\n    Kunde: customer_id\n", MAPPING),
}


def _loadable(kind, text: str, tmp_path: Path) -> str | Path:
    if kind is not ColumnMapping:
        return text
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_coerce_keeps_an_instance_and_reads_a_name_a_path_or_a_dict(kind, tmp_path):
    name, data = KINDS[kind]
    loaded = kind.coerce(_loadable(kind, name, tmp_path))
    assert isinstance(loaded, kind)
    assert kind.coerce(loaded) is loaded
    assert kind.coerce(data) == kind.from_dict(data)
    assert kind.coerce(str(_loadable(kind, name, tmp_path))) == loaded


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_coerce_refuses_anything_else_naming_what_it_expected(kind):
    with pytest.raises(
        ConfigError, match=rf"^expected a .*\(a {kind.__name__}, a preset name, a YAML file or a mapping\), got int 7$"
    ):
        kind.coerce(7)


def test_service_levels_given_as_an_instance_are_checked_against_the_policy():
    with pytest.raises(ConfigError, match=r"tiers \['S'\] are not tiers of policy 'abc'"):
        ServiceLevels.for_policy("abc", ServiceLevels.load("sabc"))
    assert ServiceLevels.for_policy(TierPolicy.load("sabc"), ServiceLevels.load("sabc")).name == "sabc"
