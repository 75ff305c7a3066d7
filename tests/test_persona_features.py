"""Persona features: hand-computed values, neutral values for customers with nothing to measure."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.data.dataset import Dataset
from segmentation.personas.features import (
    STATE_FEATURES,
    clustering_columns,
    describe_persona_features,
    persona_features,
)

AS_OF = "2024-12-31"


@pytest.fixture
def small():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "order_id": ["1", "1", "2", "3", "4"],
            "order_date": pd.to_datetime(["2024-01-10", "2024-01-10", "2024-07-01", "2024-06-01", "2023-12-20"]),
            "amount": [300.0, 100.0, 600.0, 50.0, 80.0],
            "category": ["hardware", "services", "hardware", None, "software"],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "industry": ["Retail", None, "energy"],
            "size_band": ["large", "small", "small"],
            "region": ["east", "west", ""],
            "decision_chain_size": [6.0, None, 2.0],
        }
    )
    interactions = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "a"],
            "date": pd.to_datetime(["2024-03-01", "2024-09-01", "2024-10-01", "2024-05-05", "2022-01-01"]),
            "channel": ["visit", "phone", "visit", "email", "event"],
            "direction": ["proactive", "inbound", "proactive", "proactive", "proactive"],
            "response_hours": [4.0, 10.0, None, 30.0, 100.0],
            "topic": ["quote", "Complaint about delivery", "renewal", "follow-up", "complaint"],
        }
    )
    surveys = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "date": pd.to_datetime(["2024-06-30", "2023-06-30", "2024-12-01"]),
            "rating": [3.0, 5.0, 4.0],
        }
    )
    data = Dataset.from_frames(transactions=tx, customers=customers, interactions=interactions, surveys=surveys)
    return persona_features(data, as_of=AS_OF)


def test_value_and_mix_features_by_hand(small):
    a = small.loc["a"]
    assert a["avg_order_value"] == pytest.approx(500.0)  # 1000 over 2 orders
    assert a["category_share_hardware"] == pytest.approx(0.9)
    assert a["category_share_services"] == pytest.approx(0.1)
    assert small.loc["b", "category_share_unknown"] == pytest.approx(1.0)  # a blank category is counted, not dropped
    shares = small.filter(like="category_share_")
    assert shares.sum(axis=1).round(9).eq(1).all()
    assert small.loc["a", "revenue_per_year"] == pytest.approx(1000.0 / (356 / 365.25))


def test_contact_features_by_hand(small):
    a = small.loc["a"]
    assert a["contacts_per_month"] == pytest.approx(3 / (365 / (365.25 / 12)))  # 2022 is outside the window
    assert a["complaints"] == 1  # "Complaint about delivery" counts, case-insensitively
    # The mix uses every contact up to as_of, 2022 included: 3 of 4 proactive, median of 4, 10, 100.
    assert a["proactive_share"] == pytest.approx(0.75)
    assert a["response_hours_median"] == pytest.approx(10.0)
    assert a["channel_share_visit"] == pytest.approx(0.5)
    assert a["channel_share_event"] == pytest.approx(0.25)


def test_customers_without_contacts_or_surveys_get_neutral_values(small):
    c = small.loc["c"]
    assert c["contacts_per_month"] == 0 and c["complaints"] == 0
    measured = small.loc[["a", "b"]]
    assert c["proactive_share"] == pytest.approx(measured["proactive_share"].median())
    assert c["response_hours_median"] == pytest.approx(measured["response_hours_median"].median())
    assert c["channel_share_visit"] == pytest.approx(measured["channel_share_visit"].mean())
    assert c["satisfaction_mean"] == pytest.approx(small.loc[["a", "b"], "satisfaction_mean"].median())
    assert c["satisfaction_change"] == 0
    assert small.loc["a", "satisfaction_change"] == pytest.approx(-2.0)
    filled = small.attrs["neutral_filled"]
    assert filled["contacts_per_month"] == 1 and filled["satisfaction_mean"] == 1
    assert filled["satisfaction_change"] == 2 and filled["channel_share_*"] == 1
    assert filled["decision_chain_size"] == 1 and small.loc["b", "decision_chain_size"] == pytest.approx(4.0)


def test_attributes_are_categories_with_unknown_for_blanks(small):
    assert small["industry"].tolist() == ["retail", "unknown", "energy"]
    assert small["region"].tolist() == ["east", "west", "unknown"]
    assert small.attrs["neutral_filled"]["industry"] == 1
    assert str(small["size_band"].dtype) == "category"


def test_only_transactions_still_gives_every_customer_a_row():
    tx = pd.DataFrame(
        {
            "customer_id": ["x", "y"],
            "order_id": ["1", "2"],
            "order_date": pd.to_datetime(["2024-01-01", "2024-02-01"]),
            "amount": [10.0, 20.0],
        }
    )
    f = persona_features(Dataset.from_frames(transactions=tx), as_of=AS_OF)
    assert f.index.tolist() == ["x", "y"]
    assert f.drop(columns=["industry", "size_band", "region"]).notna().all().all()
    assert (f["industry"] == "unknown").all()
    assert not any(c.startswith("channel_share_") for c in f)


def test_later_data_is_ignored(small):
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "order_id": ["1", "2"],
            "order_date": pd.to_datetime(["2024-01-01", "2025-02-01"]),
            "amount": [10.0, 999.0],
        }
    )
    f = persona_features(Dataset.from_frames(transactions=tx), as_of=AS_OF)
    assert f.loc["a", "avg_order_value"] == 10.0


def test_state_features_are_not_clustered(small):
    columns = clustering_columns(small)
    assert not set(columns) & set(STATE_FEATURES)
    assert {"avg_order_value", "industry", "channel_share_visit"} <= set(columns)
    table = describe_persona_features()
    assert not table.loc[table["feature"].isin(STATE_FEATURES), "clustered"].any()


@pytest.mark.parametrize("bad", [0, -5, 1.5, "365"])
def test_bad_window_is_named(bad):
    tx = pd.DataFrame(
        {"customer_id": ["x"], "order_id": ["1"], "order_date": pd.to_datetime(["2024-01-01"]), "amount": [1.0]}
    )
    with pytest.raises(ValueError, match="contact_window_days must be a positive number of days"):
        persona_features(Dataset.from_frames(transactions=tx), as_of=AS_OF, contact_window_days=bad)


def test_not_a_dataset_is_refused():
    with pytest.raises(TypeError, match="data must be a Dataset"):
        persona_features(pd.DataFrame(), as_of=AS_OF)
