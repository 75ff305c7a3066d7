"""Tier policies: presets, refusal of bad policies, exact boundaries, re-grading with reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from domain_words import english_words
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation import ConfigError
from segmentation.value.regrading import regrade
from segmentation.value.tiers import TierPolicy


def policy_from(tiers, **extra):
    return TierPolicy.from_dict({"name": "t", "tiers": tiers, **extra})


def test_presets_load():
    assert TierPolicy.load("abc").names == ["A", "B", "C"]
    sabc = TierPolicy.load("sabc")
    assert sabc.names == ["S", "A", "B", "C"] and sabc.tier("S").min_tenure_days == 730


@pytest.mark.parametrize(
    "tiers, message",
    [
        (
            [{"tier": "A", "min": 500}, {"tier": "B", "min": 100, "max": 400}, {"tier": "C", "max": 100}],
            "gap between tiers B and A: values from 400 to 500 have no tier",
        ),
        (
            [{"tier": "A", "min": 300}, {"tier": "B", "min": 100, "max": 400}, {"tier": "C", "max": 100}],
            "tiers A and B overlap from 300 to 400",
        ),
        ([{"tier": "A", "min": 500, "colour": "red"}, {"tier": "C", "max": 500}], "unknown keys ['colour']"),
        (
            [{"tier": "S", "min": 500, "min_tenure_days": 730, "otherwise": "A"}, {"tier": "C", "max": 500}],
            "otherwise names 'A', which is not a tier below it",
        ),
        ([{"tier": "A", "min": 500, "max": 900}, {"tier": "C", "max": 500}], "it must have no max"),
        ([{"tier": "A", "min": 500}, {"tier": "C", "min": 10, "max": 500}], "it must have no min"),
        ([{"tier": "A", "min": 500}, {"tier": "A", "max": 500}], "tier names used twice: ['A']"),
        ([{"tier": "A", "min": -5}, {"tier": "C", "max": 500}], "min must be a number >= 0"),
    ],
    ids=["gap", "overlap", "unknown-field", "missing-tier", "open-top", "open-bottom", "duplicate", "negative"],
)
def test_bad_policies_are_refused(tiers, message):
    with pytest.raises(ConfigError) as info:
        policy_from(tiers)
    assert message in str(info.value)


def test_unknown_metric_and_top_level_field_are_reported_together():
    with pytest.raises(ConfigError) as info:
        TierPolicy.from_dict({"metric": "revenue", "colour": 1, "tiers": [{"tier": "A"}]})
    assert "unknown keys ['colour']" in str(info.value) and "metric: 'revenue' is not a customer feature" in str(
        info.value
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 10**7), min_size=1, max_size=4, unique=True), st.integers(0, 10**7))
def test_tiers_follow_thresholds_exactly_at_the_boundaries(cuts, probe):
    cuts = sorted(cuts, reverse=True)
    names = [f"T{i}" for i in range(len(cuts) + 1)]
    tiers = [{"tier": names[0], "min": cuts[0]}]
    tiers += [{"tier": names[i], "min": cuts[i], "max": cuts[i - 1]} for i in range(1, len(cuts))]
    tiers += [{"tier": names[-1], "max": cuts[-1]}]
    policy = policy_from(tiers)
    values = np.array(sorted({*cuts, *(c - 0.01 for c in cuts), float(probe), 0.0}))
    got = policy.assign(pd.DataFrame({"revenue_t12m": values}))["tier"].astype(str).tolist()
    for v, tier in zip(values, got, strict=True):
        expected = next((names[i] for i, c in enumerate(cuts) if v >= c), names[-1])
        assert tier == expected
    assert len(got) == len(values)  # a partition: every value exactly one tier


def test_sabc_needs_tenure_for_s():
    f = pd.DataFrame({"revenue_t12m": [600_000.0, 600_000.0, 60_000.0], "tenure_days": [800.0, 300.0, 5000.0]})
    assert TierPolicy.load("sabc").assign(f)["tier"].astype(str).tolist() == ["S", "A", "B"]


def test_with_thresholds_and_yaml_round_trip(tmp_path):
    tuned = TierPolicy.load("sabc").with_thresholds([800_000, 300_000, 80_000], name="tuned")
    path = tmp_path / "p.yaml"
    path.write_text(tuned.to_yaml())
    again = TierPolicy.load(path)
    assert again.to_dict() == tuned.to_dict()
    assert again.tier("A").min == 300_000 and again.tier("A").max == 800_000 and again.tier("S").otherwise == "A"


def test_regrade_matrix_and_reasons():
    tx = pd.DataFrame(
        {
            "customer_id": ["up", "up", "down", "new", "same", "tenure"],
            "order_id": list("123456"),
            "order_date": pd.to_datetime(
                ["2025-01-10", "2025-08-01", "2024-08-20", "2025-09-01", "2025-05-01", "2025-05-01"]
            ),
            "amount": [180_000.0, 340_000.0, 250_000.0, 12_000.0, 1_000.0, 700_000.0],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["up", "down", "new", "same", "tenure"],
            "first_deal_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2025-09-01", "2020-01-01", "2023-08-15"]),
        }
    )
    r = regrade(tx, previous="2025-06-30", current="2025-09-30", policy="sabc", customers=customers)
    assert int(r.matrix.to_numpy().sum()) == len(r.current) == 5
    assert r.matrix.loc["new", "C"] == 1
    log = r.changes.set_index("customer_id")
    assert set(log.index) == {"up", "down", "new", "tenure"}
    assert log.loc["up", "reason"] == "trailing-12-month revenue rose from 180,000 to 520,000, above S's 500,000"
    assert log.loc["down", "move"] == "downgrade"
    assert log.loc["down", "reason"].endswith("below A's 200,000; no orders for 4 quarters")
    assert log.loc["tenure", "reason"].startswith("reached 2 years of tenure with trailing-12-month revenue 700,000")
    assert log.loc["new", "reason"] == "new customer: first order on 2025-09-01; trailing-12-month revenue 12,000"


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_regrade_reasons_in_chinese(language):
    tx = pd.DataFrame(
        {
            "customer_id": ["up", "up", "down", "new", "tenure", "lapsed", "back", "back", "fell", "fell"],
            "order_id": list("0123456789"),
            "order_date": pd.to_datetime(
                [
                    "2025-01-10",
                    "2025-08-01",
                    "2024-08-20",
                    "2025-09-01",
                    "2025-05-01",
                    "2024-08-01",
                    "2023-01-05",
                    "2025-08-01",
                    "2024-09-15",
                    "2025-07-15",
                ]
            ),
            "amount": [180_000.0, 340_000.0, 250_000.0, 12_000.0, 700_000.0, 10.0, 5.0, 5.0, 250_000.0, 1_000.0],
        }
    )
    first_deal = ["2020-01-01", "2020-01-01", "2025-09-01", "2023-08-15", "2018-01-01", "2018-01-01", "2018-01-01"]
    customers = pd.DataFrame(
        {
            "customer_id": ["up", "down", "new", "tenure", "lapsed", "back", "fell"],
            "first_deal_date": pd.to_datetime(first_deal),
        }
    )
    args = {"previous": "2025-06-30", "current": "2025-09-30", "policy": "sabc", "customers": customers}
    for active_days in (None, 365):
        en = regrade(tx, **args, active_days=active_days)
        zh = regrade(tx, **args, active_days=active_days, language=language)
        assert zh.changes.drop(columns="reason").equals(en.changes.drop(columns="reason"))  # only the words differ
        assert not [r for r in zh.changes["reason"] if english_words(r)]
        if active_days:
            assert set(zh.changes["move"]) == {"upgrade", "downgrade", "new", "lapsed", "returned"}
            lapsed = en.changes.set_index("customer_id").loc["lapsed", "reason"]
            assert lapsed == "no orders in the last 365 days (last order on 2024-08-01, 4 quarters ago)"
    log = regrade(tx, **args, language=language).changes.set_index("customer_id")
    if language == "zh":
        assert log.loc["up", "reason"] == "近 12 个月销售额从 ¥180,000 升至 ¥520,000，高于 S 级门槛 ¥500,000"
        assert log.loc["down", "reason"].endswith("低于 A 级门槛 ¥200,000；已连续 4 个季度没有订单")
        assert log.loc["new", "reason"] == "新客户：首次下单于 2025年9月1日；近 12 个月销售额 ¥12,000"


def test_regrade_says_when_a_first_order_comes_long_after_the_first_deal():
    tx = pd.DataFrame(
        {
            "customer_id": ["old", "x"],
            "order_id": ["1", "2"],
            "order_date": pd.to_datetime(["2025-08-01", "2025-01-01"]),
            "amount": [5_000.0, 1.0],
        }
    )
    customers = pd.DataFrame({"customer_id": ["old", "x"], "first_deal_date": pd.to_datetime(["2019-03-04", None])})
    r = regrade(tx, previous="2025-06-30", current="2025-09-30", customers=customers)
    reason = r.changes.set_index("customer_id").loc["old", "reason"]
    assert reason == "first order on 2025-08-01 (customer since 2019-03-04); trailing-12-month revenue 5,000"


def test_regrade_refuses_reversed_dates():
    tx = pd.DataFrame(
        {"customer_id": ["a"], "order_id": ["1"], "order_date": pd.to_datetime(["2025-01-01"]), "amount": [1.0]}
    )
    with pytest.raises(ValueError, match="must be before current"):
        regrade(tx, previous="2025-09-30", current="2025-06-30")
