"""Every public function taking a date reads it with periods.as_date: a bad date is the workbench's error."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import segmentation as seg
from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.churn.features import churn_training_frame, data_end, horizon_end
from segmentation.data.loading import load_frames
from segmentation.datasets.cdnow import calibration_summary
from segmentation.errors import WorkbenchError
from segmentation.features import aggregate_purchases, summary_expression
from segmentation.periods import as_date
from segmentation.review.contact_policy import overdue_contacts

BAD = "2024-13-45"


@pytest.fixture(scope="module")
def data():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b"],
            "order_id": ["1", "2", "3"],
            "order_date": ["2024-01-10", "2024-05-01", "2024-03-02"],
            "amount": ["10", "20", "30"],
        }
    )
    return load_frames(transactions=tx)


#: (parameter named in the message, a call with the bad date in that parameter)
CALLS = {
    "customer_features": ("as_of", lambda d, bad: seg.customer_features(d, as_of=bad)),
    "aggregate_purchases": ("as_of", lambda d, bad: aggregate_purchases(d, as_of=bad)),
    "btyd_summary": ("as_of", lambda d, bad: seg.btyd_summary(d, as_of=bad)),
    "summary_expression": ("as_of", lambda d, bad: summary_expression(d, as_of=bad)),
    "score_customers": ("as_of", lambda d, bad: seg.score_customers(d, as_of=bad)),
    "regrade previous": ("previous", lambda d, bad: seg.regrade(d, previous=bad, current="2024-06-30")),
    "regrade current": ("current", lambda d, bad: seg.regrade(d, previous="2024-03-31", current=bad)),
    "tune_tiers": ("as_of", lambda d, bad: seg.tune_tiers(d, as_of=bad)),
    "clv_table": ("calibration_end", lambda d, bad: seg.clv_table(d, calibration_end=bad, horizon=4)),
    "holdout_check calibration_end": (
        "calibration_end",
        lambda d, bad: seg.holdout_check(d, BetaGeoModel(), calibration_end=bad, holdout_end="2024-06-30"),
    ),
    "holdout_check holdout_end": (
        "holdout_end",
        lambda d, bad: seg.holdout_check(d, BetaGeoModel(), calibration_end="2024-03-31", holdout_end=bad),
    ),
    "persona_features": ("as_of", lambda d, bad: seg.persona_features(d, as_of=bad)),
    "find_personas": ("as_of", lambda d, bad: seg.find_personas(d, as_of=bad)),
    "churn_features": ("cutoff", lambda d, bad: seg.churn_features(d, cutoff=bad)),
    "churn_labels": ("cutoff", lambda d, bad: seg.churn_labels(d, pd.Index(["a"]), cutoff=bad)),
    "churn_labels end": ("end", lambda d, bad: seg.churn_labels(d, pd.Index(["a"]), cutoff="2024-03-31", end=bad)),
    "churn_training_frame": ("cutoff", lambda d, bad: churn_training_frame(d, cutoff=bad)),
    "quarter_ends": ("end", lambda d, bad: seg.quarter_ends(d, n=1, end=bad)),
    "data_end": ("end", lambda d, bad: data_end(d, bad)),
    "horizon_end": ("cutoff", lambda d, bad: horizon_end(bad, 3)),
    "churn_risk": ("cutoff", lambda d, bad: seg.churn_risk(d, cutoff=bad)),
    "backtest_churn": ("cutoffs", lambda d, bad: seg.backtest_churn(d, cutoffs=[bad])),
    "overdue_contacts": ("as_of", lambda d, bad: overdue_contacts(d, as_of=bad)),
    "quarter_of": ("day", lambda d, bad: seg.quarter_of(bad)),
    "generate_sample": ("end", lambda d, bad: seg.generate_sample(10, end=bad)),
    "calibration_summary": ("end", lambda d, bad: calibration_summary(bad)),
    "load_dataset today": ("today", lambda d, bad: seg.load_dataset("no-such-folder", today=bad)),
    "check_dataset min_date": ("min_date", lambda d, bad: seg.check_dataset("no-such-folder", min_date=bad)),
    "load_frames today": ("today", lambda d, bad: load_frames(transactions=d.transactions, today=bad)),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_bad_date_is_the_workbench_error_naming_the_parameter(data, call):
    name, run = CALLS[call]
    with pytest.raises(WorkbenchError) as caught:
        run(data, BAD)
    assert str(caught.value) == f"{name}: cannot be read as a date (got '{BAD}'); expected a date such as 2025-09-30"


@pytest.mark.parametrize("bad", ["", "next week", None, 20240131, 3.5, True, pd.NaT])
def test_as_date_refuses_what_is_not_a_date(bad):
    with pytest.raises(WorkbenchError, match=r"^as_of: cannot be read as a date \(got .*\); expected a date"):
        as_date(bad, name="as_of")


@pytest.mark.parametrize(
    "value",
    [
        "2025-09-30",
        "2025-09-30 18:15",
        datetime.date(2025, 9, 30),
        datetime.datetime(2025, 9, 30, 18, 15),
        pd.Timestamp("2025-09-30 18:15"),
        np.datetime64("2025-09-30T18:15"),
    ],
)
def test_as_date_reads_every_kind_of_date_as_midnight(value):
    assert as_date(value, name="as_of") == pd.Timestamp("2025-09-30")


def test_the_functions_still_take_a_good_date(data):
    features = seg.customer_features(data, as_of=datetime.date(2024, 3, 31))
    assert features.index.tolist() == ["a", "b"]
    assert seg.btyd_summary(data, as_of=np.datetime64("2024-05-01"))["frequency"].tolist() == [1.0, 0.0]
