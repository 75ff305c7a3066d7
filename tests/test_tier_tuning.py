"""Tier threshold tuning on planted sample data."""

from __future__ import annotations

import pytest
from domain_words import english_words

from segmentation.datasets.sample import generate_sample
from segmentation.value.tiers import TierPolicy
from segmentation.value.tuning import tune_tiers


@pytest.fixture(scope="module")
def tuning():
    tables = generate_sample(1500, random_state=4)
    return tune_tiers(tables["transactions"], as_of="2025-09-30", policy="abc", customers=tables["customers"])


def test_every_method_gives_a_valid_candidate(tuning):
    assert list(tuning.table.index) == ["current", "revenue_share", "target_shares", "natural_breaks", "time_split"]
    shares = tuning.table[["share_A", "share_B", "share_C"]].sum(axis=1)
    assert (shares.round(9) == 1).all()  # tiers partition the customers
    assert ((tuning.table["changed_tier_share"] >= 0) & (tuning.table["changed_tier_share"] <= 1)).all()


def test_candidates_meet_their_own_definition(tuning):
    t = tuning.table
    assert t.loc["target_shares", "share_A"] == pytest.approx(0.05, abs=0.01)
    assert t.loc["target_shares", "share_B"] == pytest.approx(0.15, abs=0.01)
    assert t.loc["revenue_share", "revenue_share_A"] >= 0.5
    assert t.loc["revenue_share", "revenue_share_A"] + t.loc["revenue_share", "revenue_share_B"] >= 0.75
    assert t.loc["current", "min_A"] == 500_000 and t.loc["current", "min_B"] == 200_000
    assert 0.01 <= t.loc["time_split", "share_A"] <= 0.20


def test_time_split_candidate_separates_next_quarter_better_on_a_held_out_split(tuning):
    t = tuning.table
    assert t.loc["time_split", "separation_value"] > t.loc["current", "separation_value"]
    assert t.loc["time_split", "retention_A"] > t.loc["time_split", "retention_C"]


def test_export_writes_a_loadable_policy(tuning, tmp_path):
    path = tuning.export("time_split", tmp_path / "tuned.yaml")
    policy = TierPolicy.load(path)
    assert policy.names == ["A", "B", "C"]
    assert policy.tier("A").min == pytest.approx(tuning.table.loc["time_split", "min_A"])
    with pytest.raises(KeyError, match="no candidate 'best'"):
        tuning.export("best", tmp_path / "x.yaml")


def test_the_recommendation_follows_its_rule(tuning):
    t = tuning.table
    assert t["separation"].tolist() == ((t["separation_value"] + t["separation_retention"]) / 2).tolist()
    best = t.loc[t["eligible"], "separation"].idxmax()
    assert tuning.recommended in (best, "current")
    if tuning.recommended == "current" and best != "current":
        assert t.loc["current", "separation"] >= 0.95 * t.loc[best, "separation"]
    else:
        assert tuning.recommended == best
    top = t.loc[tuning.recommended, "share_A"]
    assert 0.01 <= top <= 0.20  # never a policy that puts most customers in the top tier
    words = tuning.recommendation()
    assert words.startswith("Recommended: ") and tuning.candidate_label(tuning.recommended) in words
    assert f"{t.loc[tuning.recommended, 'separation']:.2f}" in words


def test_the_current_policy_is_kept_when_no_candidate_is_clearly_better(tuning):
    from dataclasses import replace

    table = tuning.table.copy()
    best = table.loc[table["eligible"], "separation"].idxmax()
    table.loc["current", "separation"] = 0.99 * table.loc[best, "separation"]
    from segmentation.value.tuning import _recommend

    assert _recommend(table, 0.05) == "current"
    assert _recommend(table, 0.0) == best
    kept = replace(tuning, table=table, recommended="current")
    assert kept.recommendation().startswith(
        "Recommended: keep the current policy (A from 500,000 CNY, B from 200,000 CNY)"
    )
    table["eligible"] = False
    assert _recommend(table, 0.05) == "current"
    assert "No candidate gives every tier" in replace(tuning, table=table, recommended="current").recommendation()


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_recommendation_rule_and_separation_in_chinese(tuning, language):
    for text in (tuning.recommendation(language), tuning.rule(language), tuning.separation_meaning(language)):
        assert not english_words(text), text
    assert "2025年9月30日" in tuning.separation_meaning(language)
    assert "separation" in tuning.separation_meaning() and "0 means" in tuning.separation_meaning()
    assert all(not english_words(tuning.candidate_label(name, language)) for name in tuning.candidates)


def test_notes_say_why_a_candidate_is_missing_in_both_languages():
    tables = generate_sample(60, random_state=2)
    tuning = tune_tiers(tables["transactions"], as_of="2025-09-30", policy="abc", min_share=0.45)
    assert any(
        n.startswith("best next-quarter split: not computed: no thresholds give every tier at least 45%")
        for n in tuning.notes
    )
    assert tuning.notes_in("zh") and not [n for n in tuning.notes_in("zh") if english_words(n)]


def test_bad_shares_are_refused():
    tables = generate_sample(200, random_state=1)
    with pytest.raises(ValueError, match="target_shares must be 3 shares summing to 1"):
        tune_tiers(tables["transactions"], as_of="2025-09-30", target_shares=(0.5, 0.6, 0.1))
    with pytest.raises(ValueError, match="revenue_shares must be 2 increasing shares"):
        tune_tiers(tables["transactions"], as_of="2025-09-30", revenue_shares=(0.8, 0.5))
