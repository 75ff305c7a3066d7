"""The messages the domain stages build from a fixed set of names exist in every language.

tests/test_i18n.py checks the literal keys the code asks for; these keys are built from names
(signals, features, metrics, candidates, name words), so each set is checked here in full.
"""

from __future__ import annotations

import pytest

from segmentation.churn.backtest import BASELINES
from segmentation.churn.features import CHURN_FEATURES
from segmentation.churn.reasons import SIGNALS
from segmentation.i18n import LANGUAGES, catalogue
from segmentation.personas.features import PERSONA_FEATURES
from segmentation.personas.profiles import _CHANNELS, _SIZES, WORDS
from segmentation.value.tiers import METRIC_WORDS
from segmentation.value.tuning import CANDIDATES


def built_keys() -> list[str]:
    keys = [f"churn.signal.{name}" for name in SIGNALS]
    keys += [f"churn.feature.{name}" for name in CHURN_FEATURES]
    keys += [f"churn.scorer.{name}" for name in ("gradient_boosting", "logistic", *BASELINES)]
    keys += [f"value.metric.{name}" for name in METRIC_WORDS]
    keys += [f"value.tuning.candidate.{name}" for name in CANDIDATES]
    keys += [f"personas.feature.{name}" for name in (*PERSONA_FEATURES, "decision_chain_size")]
    keys += [f"personas.size.{name}" for name in _SIZES]
    keys += [f"personas.channel.{name}" for name in _CHANNELS]
    keys += [f"personas.plot.score.{name}" for name in ("silhouette", "calinski_harabasz", "davies_bouldin", "bic")]
    keys += ["personas.plot.score.stability"]
    for part in WORDS.values():
        for feature, (high, low) in part.items():
            keys += [f"personas.word.{feature}.high"] if high else []
            keys += [f"personas.word.{feature}.low"] if low else []
    return keys


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_built_key_is_in_the_catalogue(language):
    assert [key for key in built_keys() if key not in catalogue(language)] == []


def test_english_name_words_are_the_catalogue_words():
    english = catalogue("en")
    for part in WORDS.values():
        for feature, (high, low) in part.items():
            assert english[f"personas.word.{feature}.high"] == high
            if low:
                assert english[f"personas.word.{feature}.low"] == low
            else:
                assert f"personas.word.{feature}.low" not in english


def test_english_metric_words_are_those_of_the_tier_policy():
    assert {m: catalogue("en")[f"value.metric.{m}"] for m in METRIC_WORDS} == METRIC_WORDS
