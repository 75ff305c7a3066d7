"""Profiles: standardised differences, names, descriptions, risk tags and plays from YAML."""

from __future__ import annotations

import pandas as pd
import pytest
from domain_words import english_words

from segmentation.errors import ConfigError
from segmentation.personas.features import PERSONA_FEATURES
from segmentation.personas.playbook import Condition, Playbook
from segmentation.personas.profiles import feature_label, profile_personas, standardised_differences


@pytest.fixture
def two():
    """Three small, frequent, cheap buyers and three large, rare, expensive ones."""
    f = pd.DataFrame(
        {
            "avg_order_value": [100.0, 120, 90, 50_000, 52_000, 48_000],
            "purchases_per_year": [12.0, 10, 11, 1, 1, 2],
            "revenue_t12m": [1200.0, 1200, 990, 50_000, 52_000, 96_000],
            "revenue_last90": [300.0, 300, 250, 0, 0, 0],
            "revenue_last90_year_before": [300.0, 300, 250, 50_000, 0, 50_000],
            "response_hours_median": [5.0, 6, 4, 90, 80, 100],
            "satisfaction_mean": [3.0, 3, 3.5, 4.5, 4.5, 4],
            "tenure_days": [200.0, 300, 250, 2000, 3000, 2500],
            "category_share_consumables": [1.0, 0.9, 1.0, 0, 0, 0.1],
            "size_band": pd.Categorical(["small"] * 3 + ["large"] * 3),
            "industry": pd.Categorical(["retail"] * 3 + ["energy", "energy", "construction"]),
        },
        index=list("abcdef"),
    )
    return f, pd.Series([0, 0, 0, 1, 1, 1], index=f.index)


def test_standardised_differences_by_hand():
    f = pd.DataFrame({"x": [1.0, 1.0, 3.0, 3.0], "kind": ["u", "u", "u", "v"]})
    d = standardised_differences(f, pd.Series([0, 0, 1, 1]))
    assert d.loc[1, "x"] == pytest.approx(1 / f["x"].std())
    # share of "v": 0.5 in persona 1 against 0.25 overall, over sqrt(.25 * .75)
    assert d.loc[1, "kind=v"] == pytest.approx(0.25 / (0.25 * 0.75) ** 0.5)
    assert d.loc[0, "kind=v"] == pytest.approx(-0.25 / (0.25 * 0.75) ** 0.5)


def test_profiles_table(two):
    f, personas = two
    p = profile_personas(f, personas)
    t = p.table.set_index("persona_id")
    assert t["customers"].tolist() == [3, 3]
    assert t["customer_share"].tolist() == [0.5, 0.5]
    assert t.loc[1, "revenue_share"] == pytest.approx(198_000 / (198_000 + 3390))
    assert t.loc[1, "revenue_change_90d"] == pytest.approx(-1.0)
    assert t.loc[0, "revenue_change_90d"] == pytest.approx(0.0)
    assert p.medians.loc["all", "avg_order_value"] == pytest.approx(f["avg_order_value"].median())
    assert p.names().to_dict() == {0: "Small low-ticket consumables buyers", 1: "Large big-ticket customers"}


def test_description_reads_the_numbers_in_plain_words(two):
    f, personas = two
    text = profile_personas(f, personas, currency="EUR").table.loc[1, "description"]
    assert text.startswith(
        "3 customers (50% of customers, 98% of revenue). Mostly large companies (100%) in energy (67%)."
    )
    assert "the median order is EUR 50,000" in text
    assert "Their revenue of the last 90 days fell 100% against the same 90 days a year before." in text
    assert "Satisfaction averages 4.3 of 5 (all customers 3.8)." in text


def test_risk_tags_and_plays_follow_the_default_playbook(two):
    f, personas = two
    t = profile_personas(f, personas).table.set_index("persona_id")
    assert t.loc[0, "risk_tags"] == "price sensitive"
    assert t.loc[1, "risk_tags"] == "slow responder; long decision cycle; declining"
    assert t.loc[1, "play"] == "repair"  # declining comes before high value
    assert t.loc[0, "play"] == "prove_fit"  # tenure under a year
    assert t.loc[0, "actions"].startswith("Onboarding plan")


def test_missing_features_are_noted_not_guessed(two):
    f, personas = two
    p = profile_personas(f.drop(columns=["response_hours_median"]), personas)
    # named in words, not by column (was "tag slow_responder not checked: no response_hours_median")
    assert "risk tag 'slow responder' not checked: the data has no reply time (median hours)" in p.notes
    zh = profile_personas(f.drop(columns=["response_hours_median"]), personas, language="zh")
    assert "风险标签“回复慢”未检查：数据中没有回复时长（小时，中位数）" in zh.notes
    assert "slow responder" not in p.table["risk_tags"].str.cat()


def test_a_team_playbook_from_yaml(two, tmp_path):
    f, personas = two
    book = tmp_path / "playbook.yaml"
    book.write_text(
        """
name: ours
risk_tags:
  whale:
    label: whale
    when: ["revenue_share >= 0.9"]
plays:
  - name: vip
    label: VIP desk
    when: ["tag:whale"]
    actions: call weekly
  - name: standard
    when: []
""",
        encoding="utf-8",
    )
    t = profile_personas(f, personas, playbook=book).table.set_index("persona_id")
    assert t["risk_tags"].tolist() == ["", "whale"]
    assert t["play"].tolist() == ["standard", "vip"]


def test_every_playbook_mistake_is_reported_at_once(tmp_path):
    book = tmp_path / "bad.yaml"
    book.write_text(
        """
risk_tags:
  odd:
    when: ["avg_order_value ~ 3", "d(x) >= 2 * base"]
    colour: red
plays:
  - name: p
    when: ["tag:nope"]
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        Playbook.load(book)
    message = str(err.value)
    assert str(book) in message
    assert "'avg_order_value ~ 3' is not '<term> <op> <number> [* base]'" in message
    assert "'* base' compares a feature's median" in message
    assert "unknown keys ['colour']" in message
    assert "tag:nope names no risk tag" in message


def test_conditions_parse_without_eval():
    c = Condition.parse("avg_order_value <= 0.5 * base")
    assert (c.term, c.kind, c.op, c.number, c.ref) == ("avg_order_value", "median", "<=", 0.5, "base")
    assert c.holds({"avg_order_value": 40.0, ("base", "avg_order_value"): 100.0}, set())
    assert not c.holds({"avg_order_value": 60.0, ("base", "avg_order_value"): 100.0}, set())
    with pytest.raises(ValueError, match="is not"):
        Condition.parse("__import__('os').system('x') > 1")


def test_personas_must_match_the_features(two):
    f, personas = two
    with pytest.raises(ValueError, match="one value per row of features"):
        profile_personas(f, personas.iloc[:3])


#: The customer data of the fixture (industries, a category), which a Chinese page shows as the data gives it.
DATA_WORDS: tuple[str, ...] = ()  # the sample's codes have words in the values catalogue


@pytest.mark.parametrize("language", ["zh", "zh_Hant"])
def test_profiles_in_chinese_are_wholly_chinese(two, language):
    f, personas = two
    en = profile_personas(f, personas).table
    zh = profile_personas(f, personas, language=language).table
    numbers = ["customers", "customer_share", "revenue_share", "revenue_change_90d", "play"]
    pd.testing.assert_frame_equal(zh[numbers], en[numbers])  # the same personas, in other words
    for column in ("name", "risk_tags", "play_label", "actions", "stands_out", "description"):
        left = {text: english_words(text, allowed=DATA_WORDS) for text in zh[column]}
        assert not any(left.values()), (column, left)
    if language == "zh":
        assert zh["name"].tolist() == ["小型、小单的耗材采购客户", "大型、大单的客户"]
        assert zh.loc[1, "risk_tags"] == "回复慢；决策周期长；业绩下滑"
        assert zh.loc[1, "play_label"] == "流失风险：查明原因并修复关系"
        text = zh.loc[1, "description"]
        assert text.startswith(
            "共 3 位客户（占客户 50%，占销售额 98%）。以大型企业为主（100%），集中在能源行业（67%）。"
        )
        assert "订单金额中位数为 ¥50,000" in text and "元" not in text


def test_a_description_keeps_one_unit_for_every_rate():
    """Buying 12 times a year and contacted 0.6 times a month read in one unit, not "a year" beside "a month"."""
    f = pd.DataFrame(
        {
            "avg_order_value": [100.0, 110, 5000, 5200],
            "purchases_per_year": [1.0, 1.0, 24.0, 30.0],
            "contacts_per_month": [0.6, 0.6, 2.0, 3.0],
        },
        index=list("abcd"),
    )
    t = profile_personas(f, pd.Series([0, 0, 1, 1], index=f.index)).table
    rare, busy = t.loc[0, "description"], t.loc[1, "description"]
    assert "They buy 1.0 times a year" in rare and "We contact them 7.2 times a year" in rare
    assert "a month" not in rare
    assert "They buy 2.2 times a month" in busy and "We contact them 2.5 times a month" in busy
    assert "a year" not in busy
    zh = profile_personas(f, pd.Series([0, 0, 1, 1], index=f.index), language="zh").table
    assert "每年购买 1.0 次" in zh.loc[0, "description"] and "我们每年联系他们 7.2 次" in zh.loc[0, "description"]


def test_feature_columns_read_as_words_in_every_language():
    assert feature_label("channel_share_event") == "share of contacts by event"
    assert feature_label("avg_order_value") == "revenue per order"
    assert feature_label("size_band=mid") == "size: mid-size"
    assert feature_label("channel_share_event", "zh") == "活动联系占比"
    assert feature_label("category_share_耗材", "zh") == "耗材消费占比"
    columns = [*PERSONA_FEATURES, "decision_chain_size", "size_band=small", "industry=retail", "region=north"]
    columns += [f"channel_share_{c}" for c in ("phone", "visit", "email", "online_meeting", "sms_chat", "event")]
    for language in ("zh", "zh_Hant"):
        words = {c: feature_label(c, language) for c in columns}
        assert not {c: w for c, w in words.items() if english_words(w, allowed=("retail", "north"))}


def test_a_playbook_gives_its_words_per_language(two, tmp_path):
    f, personas = two
    book = tmp_path / "playbook.yaml"
    book.write_text(
        """
risk_tags:
  whale:
    label: {en: whale, zh: 大客户}
    meaning: buys most
    when: ["revenue_share >= 0.9"]
plays:
  - name: vip
    label: {en: VIP desk, zh: 大客户专席}
    when: ["tag:whale"]
    actions: {zh: 每周致电}
  - name: standard
    when: []
""",
        encoding="utf-8",
    )
    zh = profile_personas(f, personas, playbook=book, language="zh").table.set_index("persona_id")
    assert zh.loc[1, ["risk_tags", "play_label", "actions"]].tolist() == ["大客户", "大客户专席", "每周致电"]
    en = profile_personas(f, personas, playbook=book).table.set_index("persona_id")
    assert en.loc[1, ["risk_tags", "play_label", "actions"]].tolist() == ["whale", "VIP desk", "每周致电"]
    # a language the file does not give falls back to English
    hant = profile_personas(f, personas, playbook=book, language="zh_Hant").table.set_index("persona_id")
    assert hant.loc[1, "play_label"] == "VIP desk"
    assert zh.loc[0, "play_label"] == "standard"  # no label: the play's name, as before


def test_the_preset_playbook_has_every_word_in_every_language():
    book = Playbook.load("default")
    for rule in [*book.tags.values(), *book.plays]:
        for language in ("zh", "zh_Hant"):
            assert not english_words(rule.label_in(language) + rule.text_in(language)), rule.name
            assert rule.label_in(language) != rule.label


def test_a_playbook_with_an_unknown_language_is_refused(tmp_path):
    book = tmp_path / "bad.yaml"
    book.write_text("plays:\n  - name: p\n    label: {en: a, fr: b}\n    when: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"languages \['fr'\] have no catalogue"):
        Playbook.load(book)
