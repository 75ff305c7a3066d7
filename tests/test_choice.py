"""Model choice on the holdout: the figures of each candidate, the rule, the candidates that cannot be fitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmentation.btyd import clv
from segmentation.btyd.choice import CANDIDATES, COMPARISON_COLUMNS, compare_models
from segmentation.btyd.holdout import holdout_check
from segmentation.datasets.cdnow import load_cdnow
from segmentation.errors import InsufficientDataError, WorkbenchError

PERIOD = {"calibration_end": "1997-09-30", "holdout_end": "1998-06-30"}


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow(sample=True).transactions


@pytest.fixture(scope="module")
def result(cdnow):
    return compare_models(cdnow, **PERIOD)


def test_every_candidate_is_judged_on_the_holdout(result):
    table = result.table
    assert table.index.tolist() == list(CANDIDATES) and table.columns.tolist() == list(COMPARISON_COLUMNS)
    assert (table["actual"] == 1882).all() and table["failure"].isna().all()
    # CDNOW: every model under-predicts the holdout, MBG/NBD most.
    np.testing.assert_allclose(table["predicted"], [1653.4, 1576.7, 1665.5], atol=0.1)
    np.testing.assert_allclose(table["total_error"], (table["predicted"] - 1882) / 1882)
    np.testing.assert_allclose(table["log_likelihood"], [-9582.4, -9582.1, -9595.0], atol=0.05)


def test_the_errors_are_those_of_the_holdout_checks(cdnow, result):
    for name, model in result.models.items():
        check = holdout_check(cdnow, model, **PERIOD)
        b = check.by_frequency
        weighted = ((b["predicted"] - b["actual"]).abs() * b["customers"]).sum() / b["customers"].sum()
        assert result.table.loc[name, "bucket_error"] == pytest.approx(weighted)
        weekly = check.tracking[["actual", "predicted"]].diff().loc[check.tracking["holdout"]]
        expected = (weekly["predicted"] - weekly["actual"]).abs().mean() / weekly["actual"].mean()
        assert result.table.loc[name, "tracking_error"] == pytest.approx(expected)


def test_the_smallest_bucket_error_is_chosen_and_the_reason_gives_the_figures(result):
    assert result.chosen == "bgnbd" == result.table["bucket_error"].idxmin()
    assert result.reason.startswith("bgnbd has the smallest error per frequency bucket")
    assert "0.097 per customer, against 0.130 for mbgnbd, 0.107 for pareto_nbd" in result.reason
    assert "1,653 repeat purchases in the holdout for 1,882 made (-12.1%)" in result.reason


def test_tracking_side_by_side(result):
    tracking = result.tracking()
    assert tracking.columns.tolist() == ["period_end", "t", "holdout", "actual", *CANDIDATES]
    for name in CANDIDATES:
        np.testing.assert_array_equal(tracking[name], result.checks[name].tracking["predicted"])
    assert tracking["holdout"].sum() == 40  # weeks from the cohort's first day ending after 1997-09-30


class _Refused:
    def fit(self, summary):
        raise InsufficientDataError("MBG/NBD: the data cannot identify the parameters")


def test_a_candidate_that_cannot_be_fitted_is_listed_not_chosen(cdnow, monkeypatch):
    monkeypatch.setitem(clv.MODELS, "mbgnbd", _Refused)
    result = compare_models(cdnow, **PERIOD)
    assert result.table.loc["mbgnbd", "failure"] == "MBG/NBD: the data cannot identify the parameters"
    assert np.isnan(result.table.loc["mbgnbd", "bucket_error"]) and "mbgnbd" not in result.models
    assert result.chosen == "bgnbd" and "mbgnbd" not in result.reason


def test_no_candidate_fitted_is_an_error_giving_each_reason():
    lines = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "order_id": ["1", "2", "3"],
            "order_date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-03-01"]),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(WorkbenchError, match=r"no candidate model could be fitted: bgnbd: BG/NBD: no customer made"):
        compare_models(lines, calibration_end="2024-06-30", holdout_end="2024-12-31")


def test_unknown_candidates_are_refused(cdnow):
    with pytest.raises(WorkbenchError, match=r"candidates must be some of \['bgnbd', 'mbgnbd', 'pareto_nbd'\]"):
        compare_models(cdnow, **PERIOD, candidates=("bgnbd", "bgbb"))
