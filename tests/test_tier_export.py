"""An exported tier policy reads like a person wrote it and grades every customer as the tuned one did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from segmentation.datasets.sample import generate_sample
from segmentation.features import customer_features
from segmentation.value.tiers import TierPolicy
from segmentation.value.tuning import tune_tiers

AS_OF = "2025-09-30"


@pytest.fixture(scope="module")
def tuned():
    tables = generate_sample(1500, random_state=4)
    tuning = tune_tiers(tables["transactions"], as_of=AS_OF, policy="sabc", customers=tables["customers"])
    features = customer_features(tables["transactions"], as_of=AS_OF)
    return tuning, features


def _significant_digits(value: float) -> int:
    return len(f"{value:.15g}".replace(".", "").replace("-", "").strip("0"))


def test_a_round_trip_of_every_exported_candidate_keeps_every_tier(tuned, tmp_path):
    tuning, features = tuned
    assert len(tuning.candidates) == 5  # current and four proposals
    for name, candidate in tuning.candidates.items():
        back = TierPolicy.load(tuning.export(name, tmp_path / f"{name}.yaml"))
        before, after = candidate.assign(features)["tier"], back.assign(features)["tier"]
        assert (before == after).all(), f"{name}: {int((before != after).sum())} customers changed tier"
        assert back.thresholds() == candidate.thresholds()


def test_exported_thresholds_are_round_numbers(tuned, tmp_path):
    tuning, _ = tuned
    for name in ("revenue_share", "target_shares", "natural_breaks", "time_split"):
        text = tuning.export(name, tmp_path / f"{name}.yaml").read_text(encoding="utf-8")
        bounds = [v for t in yaml.safe_load(text)["tiers"] for k, v in t.items() if k in ("min", "max")]
        assert bounds and all(_significant_digits(v) <= 6 for v in bounds), f"{name}: {bounds}"
        assert not any(len(repr(float(v))) > 12 for v in bounds), text  # no 143470.22999999998


def test_the_tuned_thresholds_are_what_the_table_shows(tuned):
    tuning, _ = tuned
    for name, candidate in tuning.candidates.items():
        shown = [tuning.table.loc[name, f"min_{t}"] for t in candidate.names[:-1]]
        assert shown == candidate.thresholds()


@given(
    st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=4, max_size=60),
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=2, max_size=2, unique=True),
)
def test_rounding_never_changes_a_tier(values, picks):
    """For any values and any boundaries taken among them (as quantiles are), tiers stay identical."""
    x = np.array(values) + np.array([0.1 * i for i in range(len(values))])  # noise as float sums leave it
    cuts = sorted({float(x[p % len(x)]) for p in picks}, reverse=True)
    if len(cuts) != 2 or cuts[1] <= 0:
        return
    exact = TierPolicy.load("abc").with_thresholds(cuts)
    rounded = exact.rounded(x)
    frame = pd.DataFrame({"revenue_t12m": x})
    assert (exact.assign(frame)["tier"] == rounded.assign(frame)["tier"]).all()
    assert rounded.thresholds()[0] > rounded.thresholds()[1] > 0
