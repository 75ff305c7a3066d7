"""Churn training data: nothing after the cutoff reaches a feature; labels and signals are right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segmentation.churn.features import (
    CHURN_FEATURES,
    churn_features,
    churn_labels,
    churn_training_frame,
    horizon_end,
    quarter_ends,
    resolve_definition,
)
from segmentation.data.dataset import Dataset
from segmentation.datasets.sample import generate_sample
from segmentation.errors import WorkbenchError

CUTOFF = pd.Timestamp("2025-03-31")
DATED = {"transactions": "order_date", "interactions": "date", "surveys": "date", "churn_events": "date"}


@pytest.fixture(scope="module")
def tables():
    t = generate_sample(150, random_state=5)
    return {k: v for k, v in t.items() if k != "truth"}


def _dataset(tables) -> Dataset:
    return Dataset.from_frames(**tables)


@pytest.fixture(scope="module")
def baseline(tables):
    return churn_features(_dataset(tables), cutoff=CUTOFF)


def _scramble_after_cutoff(frame: pd.DataFrame, date_column: str, rng: np.random.Generator, how: str) -> pd.DataFrame:
    """Change every row dated after the cutoff: values, dates (still after it), deletions or new rows."""
    out = frame.copy()
    late = out[date_column] > CUTOFF
    if how == "drop":
        return out.loc[~late].reset_index(drop=True)
    if how == "duplicate":
        extra = out.loc[late].copy()
        return pd.concat([out, extra], ignore_index=True)
    shift = pd.to_timedelta(rng.integers(1, 200, int(late.sum())), unit="D")
    out.loc[late, date_column] = CUTOFF + shift
    for column in out.columns:
        if column in (date_column, "customer_id"):
            continue
        values = out.loc[late, column]
        if pd.api.types.is_numeric_dtype(values):
            new = rng.permutation(values.to_numpy()) * rng.uniform(0.1, 5.0)
            out.loc[late, column] = np.round(new).astype(values.dtype) if values.dtype.kind in "iu" else new
        else:
            out.loc[late, column] = rng.permutation(values.to_numpy())
    if how == "move_customers":  # later rows now belong to other customers
        out.loc[late, "customer_id"] = rng.permutation(out.loc[late, "customer_id"].to_numpy())
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.sampled_from(sorted(DATED)),
    how=st.sampled_from(["values", "drop", "duplicate", "move_customers"]),
    seed=st.integers(0, 2**16),
)
def test_changing_any_row_after_the_cutoff_changes_no_feature(tables, baseline, table, how, seed):
    rng = np.random.default_rng(seed)
    changed = dict(tables)
    changed[table] = _scramble_after_cutoff(tables[table], DATED[table], rng, how)
    assert not changed[table].equals(tables[table])
    after = churn_features(_dataset(changed), cutoff=CUTOFF)
    pd.testing.assert_frame_equal(after, baseline)
    assert after.attrs == baseline.attrs


def test_every_later_row_at_once_changes_no_feature(tables, baseline):
    rng = np.random.default_rng(0)
    changed = {
        k: (_scramble_after_cutoff(v, DATED[k], rng, "move_customers") if k in DATED else v) for k, v in tables.items()
    }
    pd.testing.assert_frame_equal(churn_features(_dataset(changed), cutoff=CUTOFF), baseline)


def test_rows_before_the_cutoff_do_change_features(tables, baseline):
    """The guard above can fail: the same scrambling before the cutoff moves the features."""
    changed = dict(tables)
    tx = tables["transactions"].copy()
    early = tx["order_date"] <= CUTOFF
    tx.loc[early, "amount"] = tx.loc[early, "amount"] * 2
    changed["transactions"] = tx
    after = churn_features(_dataset(changed), cutoff=CUTOFF)
    assert not after["revenue_t12m"].equals(baseline["revenue_t12m"])


def test_features_have_the_documented_columns_and_only_active_customers(tables, baseline):
    assert list(baseline.columns) == list(CHURN_FEATURES)
    tx = tables["transactions"]
    active = tx.loc[(tx["order_date"] <= CUTOFF) & (tx["order_date"] > CUTOFF - pd.Timedelta(days=365)), "customer_id"]
    events = tables["churn_events"]
    lost = set(events.loc[events["date"] <= CUTOFF, "customer_id"])
    assert set(baseline.index) == set(active) - lost
    assert baseline.attrs["excluded"] == len(set(active) & lost)
    assert (baseline["days_since_last_order"] <= 365).all()


def _tiny() -> Dataset:
    tx = pd.DataFrame(
        {
            "customer_id": ["a"] * 6 + ["b", "c"],
            "order_id": ["1", "2", "3", "4", "5", "6", "7", "8"],
            "order_date": pd.to_datetime(
                [
                    "2024-05-01",
                    "2024-07-01",
                    "2024-09-01",
                    "2024-11-01",
                    "2025-01-15",
                    "2025-03-01",
                    "2025-02-01",
                    "2024-01-01",
                ]
            ),
            "amount": [100.0, 100.0, 100.0, 100.0, 40.0, 40.0, 10.0, 10.0],
        }
    )
    it = pd.DataFrame(
        {
            "customer_id": ["a"] * 6,
            "date": pd.to_datetime(
                ["2024-06-01", "2024-08-01", "2025-01-20", "2025-02-10", "2025-03-01", "2025-03-20"]
            ),
            "channel": ["phone"] * 6,
            "direction": ["proactive", "proactive", "proactive", "inbound", "proactive", "proactive"],
            "response_hours": [10.0, 14.0, 36.0, 2.0, np.nan, np.nan],
            "topic": ["quote", "quote", "complaint", "complaint", "follow-up", "follow-up"],
        }
    )
    sv = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a"],
            "rating": [4.0, 5.0, 2.0],
            "date": pd.to_datetime(["2024-06-15", "2024-12-15", "2025-03-25"]),
        }
    )
    return Dataset.from_frames(transactions=tx, interactions=it, surveys=sv)


def test_warning_signals_measure_what_they_say():
    f = churn_features(_tiny(), cutoff=CUTOFF)
    assert f.index.tolist() == ["a", "b"]  # c last bought more than a year before
    a = f.loc["a"]
    assert a["days_since_last_order"] == 30
    assert a["purchases_last_quarter"] == 2 and a["purchases_prev_quarter"] == 1
    assert a["order_size_recent"] == pytest.approx(60.0)  # the orders of 2024-11-01, 2025-01-15 and 2025-03-01
    assert a["order_size_change"] == pytest.approx(60 / 100 - 1)  # the 180 days before: orders of 100
    assert a["no_reply_streak"] == 2  # the inbound contact does not break the streak of ours
    assert a["reply_hours_recent"] == 36 and a["reply_hours_before"] == 12  # median of 10 and 14
    assert a["reply_delay_change"] == pytest.approx(2.0)  # three times as slow
    assert a["complaints_last_quarter"] == 2 and a["complaints_t12m"] == 2
    assert (a["satisfaction_last"], a["satisfaction_previous"], a["satisfaction_change"]) == (2, 5, -3)
    b = f.loc["b"]
    assert np.isnan(b["usual_gap_days"]) and np.isnan(b["overdue_ratio"]) and np.isnan(b["satisfaction_last"])
    assert b["contacts_last_quarter"] == 0 and b["no_reply_streak"] == 0


def test_labels_count_purchases_in_the_horizon_only():
    base = _tiny()
    later = pd.DataFrame(
        {
            "customer_id": ["a", "b", "b"],
            "order_id": ["9", "10", "11"],
            "order_date": pd.to_datetime(["2025-06-30", "2025-07-01", "2025-07-02"]),
            "amount": [5.0, 5.0, 5.0],
        }
    )
    data = Dataset.from_frames(
        transactions=pd.concat([base.transactions, later], ignore_index=True),
        interactions=base.interactions,
        surveys=base.surveys,
    )
    X, y = churn_training_frame(data, cutoff=CUTOFF, definition="quiet_quarter")
    assert horizon_end(CUTOFF, 3) == pd.Timestamp("2025-06-30")
    assert y.to_dict() == {"a": False, "b": True}  # b's next order came a day after the horizon
    assert y.name == "churned" and y.index.equals(X.index)


def test_a_horizon_the_data_do_not_cover_is_refused():
    with pytest.raises(WorkbenchError, match=r"labels need data up to 2025-06-30 .* end on 2025-03-01"):
        churn_labels(_tiny(), pd.Index(["a"]), cutoff=CUTOFF, definition="quiet_quarter")


@pytest.mark.parametrize("bad", [0, -3, 1.5, "3"], ids=["zero", "negative", "fraction", "text"])
def test_a_bad_horizon_is_refused(bad):
    with pytest.raises(WorkbenchError, match="horizon_months must be a positive whole number"):
        horizon_end(CUTOFF, bad)


def test_a_bad_cutoff_is_refused():
    with pytest.raises(
        WorkbenchError, match=r"^cutoff: cannot be read as a date \(got 'end of march'\); expected a date"
    ):
        churn_features(_tiny(), cutoff="end of march")


def test_quarter_ends_are_those_the_data_can_label(tables):
    ends = quarter_ends(_dataset(tables), n=3)
    assert ends == [pd.Timestamp("2024-12-31"), pd.Timestamp("2025-03-31"), pd.Timestamp("2025-06-30")]


def test_each_churn_definition_by_hand():
    # a: buys monthly, then stops after 2025-03-15; b: every ~4 months, next order 2025-07-20;
    # c: recorded as lost on 2025-05-01 though it bought once more in 2025-04
    rows = [("a", d) for d in pd.date_range("2024-01-15", "2025-03-15", freq="MS") + pd.Timedelta(days=14)]
    rows += [("b", d) for d in pd.to_datetime(["2024-02-20", "2024-06-20", "2024-10-20", "2025-02-20", "2025-07-20"])]
    rows += [("c", d) for d in pd.to_datetime(["2024-05-01", "2024-11-01", "2025-04-10"])]
    rows += [("z", pd.Timestamp("2026-03-31"))]  # the data run a year past the cutoff
    tx = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    tx = tx.assign(order_id=[str(i) for i in range(len(tx))], amount=1.0)
    events = pd.DataFrame({"customer_id": ["c"], "date": pd.to_datetime(["2025-05-01"]), "reason": ["price"]})
    data = Dataset.from_frames(transactions=tx, churn_events=events)
    ids = pd.Index(["a", "b", "c"])
    cutoff = "2025-03-31"
    quiet = churn_labels(data, ids, cutoff=cutoff, definition="quiet_quarter")
    assert quiet.to_dict() == {"a": True, "b": True, "c": False}  # b's rhythm looks like a loss
    recorded = churn_labels(data, ids, cutoff=cutoff, definition="recorded")
    assert recorded.to_dict() == {"a": False, "b": False, "c": True} and recorded.attrs["horizon_months"] == 6
    lapsed = churn_labels(data, ids, cutoff=cutoff, definition="lapsed")
    rule = lapsed.attrs["lapse_rule"]
    assert rule.k >= 1 and rule.allowance(pd.Series([120.0])).iloc[0] >= 120  # b may stay away a gap or more
    # b came back within its rhythm; c bought again 10 days after the cutoff (its loss is only in the records)
    assert lapsed.to_dict() == {"a": True, "b": False, "c": False}
    bare = Dataset.from_frames(transactions=tx)
    assert resolve_definition(bare, "recorded") == ("lapsed", resolve_definition(bare)[1])
    assert "no churn events" in resolve_definition(bare)[1]
    with pytest.raises(WorkbenchError, match="definition must be one of"):
        churn_labels(data, ids, cutoff=cutoff, definition="gone")
