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


#: kind -> a file with three mistakes, and the lines its error must hold (where, what expected, what got)
BAD_FILES = {
    TierPolicy: (
        "metric: revenue\ncolour: red\ntiers:\n  - {tier: A, min: -5}\n  - {tier: C, max: 5, x: 1}\n",
        [
            "unknown keys ['colour']; expected some of ['currency', 'description', 'metric', 'name', 'tiers']",
            "metric: 'revenue' is not a customer feature; expected one of",
            "tier A: min must be a number >= 0, got -5",
            "tier C: unknown keys ['x']",
        ],
    ),
    ServiceLevels: (
        "windows: {retention_rate: decade}\ntiers:\n  A:\n    contacts: [{contact: call, every_months: 1.5}]\n"
        "    targets: {nps: 1}\n",
        [
            "windows: window of retention_rate must be one of ['quarter', 'half_year', 'year'], got 'decade'",
            "tier A, contact 1: every_months must be a whole number from 1 to 24, got 1.5",
            "tier A, targets: unknown KPI 'nps'; expected one of",
        ],
    ),
    SegmentRules: (
        "n_bins: 5\nsegments:\n  - {name: Top, r: [4, 6]}\n  - {r: [1, 2]}\n  - {name: Top, f: high}\n",
        [
            "segment 1 (Top): r must be [low, high] with 1 <= low <= high <= 5, got [4, 6]",
            "segment 2: name is needed (a text)",
            "segment 3 (Top): f must be [low, high] with 1 <= low <= high <= 5, got 'high'",
            "segment names used twice: ['Top']",
        ],
    ),
    Playbook: (
        "risk_tags:\n  big: {when: 'revenue > 1'}\nplays:\n  - {name: p, when: ['tag:huge'], actions: [call]}\n",
        [
            "risk tag 'big': when must be a list of conditions, got 'revenue > 1'",
            "play 'p': actions must be a text, or a mapping of language (en, zh, zh_Hant) to text, got ['call']",
            "play 'p': tag:huge names no risk tag; tags are ['big']",
        ],
    ),
    ColumnMapping: (
        "files: {sales: s.csv}\ncsv: {delimiter: ';;'}\ncolumns:\n  transactions: {Kunde: client}\n",
        [
            "files: unknown table 'sales'; expected one of",
            "csv: delimiter must be 'auto' or one character, got ';;'",
            "columns.transactions: 'Kunde' maps to 'client', which is not a column of transactions",
        ],
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES, ids=lambda k: k.__name__)
def test_a_config_file_is_refused_with_every_mistake_its_place_what_was_expected_and_got(kind, tmp_path):
    text, lines = BAD_FILES[kind]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        kind.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: the ")
    assert caught.value.source == str(path)
    assert len(caught.value.mistakes) == len(lines)
    for line, mistake in zip(lines, caught.value.mistakes, strict=True):
        assert mistake.startswith(line), (line, mistake)
        assert f"\n- {mistake}" in message


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_a_missing_or_broken_file_is_a_config_error_naming_it(kind, tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.yaml: no such file"):
        kind.load(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tiers: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: not valid YAML"):
        kind.load(broken)
