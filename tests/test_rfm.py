"""RFM scores and named segments: properties, the tie rule, reuse of cut points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from segmentation import ConfigError
from segmentation.errors import WorkbenchError
from segmentation.value.rfm import RFMScorer, score_values
from segmentation.value.segments import SegmentRules

COLUMNS = ["rfm_recency_days", "purchase_days", "monetary_total"]


def frame(r, f, m):
    return pd.DataFrame(
        {"rfm_recency_days": r, "purchase_days": f, "monetary_total": m}, index=[f"c{i}" for i in range(len(r))]
    )


customers = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        arrays(float, n, elements=st.integers(0, 800).map(float)),
        arrays(float, n, elements=st.integers(1, 12).map(float)),
        arrays(float, n, elements=st.floats(0, 1e6, allow_nan=False)),
    )
)


@settings(max_examples=150, deadline=None)
@given(customers, st.integers(2, 7))
def test_scores_in_range_and_monotone(data, n_bins):
    X = frame(*data)
    scores = RFMScorer(n_bins=n_bins).fit(X).transform(X)
    for col in ("r_score", "f_score", "m_score"):
        assert scores[col].between(1, n_bins).all()
    for value_col, score_col, sign in (
        ("purchase_days", "f_score", 1),
        ("monetary_total", "m_score", 1),
        ("rfm_recency_days", "r_score", -1),
    ):
        order = np.argsort(sign * X[value_col].to_numpy(), kind="stable")
        assert (np.diff(scores[score_col].to_numpy()[order]) >= 0).all()
    # Equal values, equal scores; row order changes nothing.
    shuffled = X.sample(frac=1, random_state=0)
    again = RFMScorer(n_bins=n_bins).fit(shuffled).transform(shuffled).loc[X.index]
    pd.testing.assert_frame_equal(again, scores)


@settings(max_examples=100, deadline=None)
@given(customers)
def test_every_customer_gets_exactly_one_segment(data):
    X = frame(*data)
    rules = SegmentRules.load()
    segment = rules.assign(RFMScorer().fit(X).transform(X))
    assert segment.notna().all() and len(segment) == len(X)
    assert set(segment.astype(str)) <= set(rules.names)


def test_tie_rule_for_tiny_and_tied_data():
    assert score_values(np.array([7.0]), np.quantile([7.0], [0.2, 0.4, 0.6, 0.8])).tolist() == [3]
    one = frame([10.0], [1.0], [50.0])
    assert RFMScorer().fit(one).transform(one)["rfm"].tolist() == ["333"]
    three = frame([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert RFMScorer().fit(three).transform(three)["f_score"].tolist() == [1, 3, 5]
    # 60% one-time buyers fill bins 1-3: they share the middle one, 2; the others rise above.
    crowd = frame([5.0] * 10, [1.0] * 6 + [2.0, 3.0, 4.0, 9.0], [1.0] * 10)
    f = RFMScorer().fit(crowd).transform(crowd)["f_score"].tolist()
    assert f == [2] * 6 + [4, 4, 5, 5]  # cut points 1, 1, 1.4, 3.2


def test_cut_points_learned_on_reference_are_reused():
    rng = np.random.default_rng(0)
    ref = frame(
        rng.integers(0, 400, 200).astype(float), rng.integers(1, 10, 200).astype(float), rng.lognormal(8, 1, 200)
    )
    scorer = RFMScorer().fit(ref)
    later = ref.copy()
    later.loc[later.index[1:], "monetary_total"] *= 10  # everybody else grows tenfold
    assert scorer.transform(later).loc["c0"].equals(scorer.transform(ref).loc["c0"])
    refit = RFMScorer().fit(later).transform(later).loc["c0", "m_score"]
    assert refit <= scorer.transform(ref).loc["c0", "m_score"]
    table = scorer.cut_points()
    assert table.shape == (3, 4) and (np.diff(table.to_numpy(), axis=1) >= 0).all()
    ranges = scorer.score_ranges(ref)
    assert ranges.groupby("dimension")["customers"].sum().eq(200).all()


def test_scorer_refuses_bad_input_with_clear_messages():
    with pytest.raises(ValueError, match="'n_bins' parameter of RFMScorer must be an int >= 2. Got 1"):
        RFMScorer(n_bins=1).fit(frame([1.0], [1.0], [1.0]))
    with pytest.raises(ValueError, match=r"columns \['purchase_days'\] missing"):
        RFMScorer().fit(pd.DataFrame({"rfm_recency_days": [1.0], "monetary_total": [1.0]}))
    with pytest.raises(ValueError, match="missing or infinite values"):
        RFMScorer().fit(frame([1.0, np.nan], [1.0, 2.0], [1.0, 2.0]))
    with pytest.raises(ValueError, match="zero customers"):
        RFMScorer().fit(frame([], [], []))


def test_default_rules_follow_the_domain_order():
    rules = SegmentRules.load()
    assert rules.names[0] == "Champions" and rules.names[-2:] == ["Lost", "Others"]
    scores = pd.DataFrame({"r_score": [5, 3, 1, 2, 1], "f_score": [5, 4, 3, 5, 5], "m_score": [5, 4, 4, 5, 1]})
    # 344 matches Potential Loyalist before Loyal Customers; 134 is "Can't Lose Them"; 155 falls to Lost.
    assert rules.assign(scores).tolist() == ["Champions", "Potential Loyalist", "Can't Lose Them", "At Risk", "Lost"]


def test_a_team_edits_its_rules(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("segments:\n  - {name: Top, r: [4, 5], f: [4, 5], m: [4, 5]}\nfallback: Rest\n")
    rules = SegmentRules.load(path)
    assert rules.assign(pd.DataFrame({"r_score": [5, 1], "f_score": [5, 1], "m_score": [5, 1]})).tolist() == [
        "Top",
        "Rest",
    ]


def test_bad_rules_are_refused_with_every_mistake(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "colour: red\nsegments:\n  - {name: A, r: [0, 9], f: [1, 5], m: [1, 5], x: 1}\n  - {name: A, r: [3, 2]}\n"
    )
    with pytest.raises(ConfigError) as info:
        SegmentRules.load(path)
    text = str(info.value)
    for words in ["unknown keys ['colour']", "r must be [low, high]", "unknown keys ['x']", "names used twice"]:
        assert words in text


def test_feature_names_in_are_the_columns_fit_saw():
    X = frame([5.0, 40.0, 200.0], [9.0, 3.0, 1.0], [900.0, 300.0, 50.0]).assign(region=["n", "s", "n"], tenure=1.0)
    X = X[["region", "monetary_total", "tenure", "rfm_recency_days", "purchase_days"]]
    scorer = RFMScorer().fit(X)
    assert isinstance(scorer.feature_names_in_, np.ndarray) and scorer.feature_names_in_.dtype == object
    assert scorer.feature_names_in_.tolist() == [
        "region",
        "monetary_total",
        "tenure",
        "rfm_recency_days",
        "purchase_days",
    ]
    assert scorer.n_features_in_ == 5
    # A later quarter with only the three scored columns, in another order: scored on the same cut points.
    later = X[COLUMNS[::-1]]
    pd.testing.assert_frame_equal(scorer.transform(later), scorer.transform(X))
    assert RFMScorer().fit(X[COLUMNS]).feature_names_in_.tolist() == COLUMNS


def test_arrays_are_refused_with_what_is_expected():
    with pytest.raises(WorkbenchError, match=r"X must be a pandas DataFrame with the columns \[.*got ndarray"):
        RFMScorer().fit(np.ones((3, 3)))
    scorer = RFMScorer().fit(frame([1.0, 2.0], [1.0, 2.0], [1.0, 2.0]))
    with pytest.raises(WorkbenchError, match="an array has no column names"):
        scorer.transform(np.ones((3, 3)))
