"""CLV with discounting, the BG/NBD holdout check on CDNOW, and the P(alive) matrix."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from segmentation.btyd.bgbb import BetaGeoBetaBinomModel
from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.clv import clv_table, customer_lifetime_value, fit_report
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.btyd.holdout import holdout_check, probability_alive_matrix
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.cli import main
from segmentation.datasets.cdnow import calibration_summary, load_cdnow
from segmentation.datasets.sample import generate_sample, write_sample
from segmentation.errors import InsufficientDataError, WorkbenchError


@pytest.fixture(scope="module")
def cdnow():
    summary = calibration_summary()
    return summary, BetaGeoModel().fit(summary), GammaGammaModel().fit(summary)


@pytest.fixture(scope="module")
def check(cdnow):
    _, bg, _ = cdnow
    tx = load_cdnow(sample=True).transactions
    return holdout_check(tx, bg, calibration_end="1997-09-30", holdout_end="1998-06-30")


def test_undiscounted_clv_is_purchases_times_order_value(cdnow):
    summary, bg, gg = cdnow
    v = customer_lifetime_value(bg, gg, summary, horizon=39, discount_rate=0.0)
    np.testing.assert_allclose(v["clv"], v["expected_purchases"] * v["expected_order_value"], rtol=1e-9)
    np.testing.assert_allclose(v["expected_purchases"], bg.expected_purchases(summary, 39), rtol=1e-12)
    np.testing.assert_allclose(v["expected_order_value"], gg.expected_order_value(summary), rtol=1e-12)


def test_discounting_lowers_the_value_and_more_so_further_out(cdnow):
    summary, bg, gg = cdnow
    values = [
        customer_lifetime_value(bg, gg, summary, horizon=104, discount_rate=d)["clv"].sum() for d in (0, 0.1, 0.3)
    ]
    assert values[0] > values[1] > values[2] > 0
    # One year ahead at 10% a year: within the bounds of discounting every purchase at 0 and at 1 year.
    year = customer_lifetime_value(bg, gg, summary, horizon=52.18, discount_rate=0.1)["clv"].sum()
    flat = customer_lifetime_value(bg, gg, summary, horizon=52.18, discount_rate=0.0)["clv"].sum()
    assert flat / 1.1 < year < flat


def test_one_row_per_customer_whatever_the_duplicates(cdnow):
    summary, bg, gg = cdnow
    v = customer_lifetime_value(bg, gg, summary, horizon=39)
    assert v.index.equals(summary.index)
    same = summary.duplicated(["frequency", "recency", "T", "monetary_value"], keep=False)
    assert same.any()  # the unique-row shortcut is exercised
    for _, group in v.loc[same].groupby(["frequency", "recency", "T", "monetary_value"]):
        assert group["clv"].nunique() == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 0}, "horizon must be > 0"),
        ({"horizon": 39, "discount_rate": 5}, "discount_rate must be a yearly rate"),
        ({"horizon": 39, "time_unit": "fortnight"}, "time_unit must be one of"),
    ],
    ids=["horizon", "rate", "unit"],
)
def test_bad_settings_are_named(cdnow, kwargs, match):
    summary, bg, gg = cdnow
    with pytest.raises(WorkbenchError, match=match):
        customer_lifetime_value(bg, gg, summary, **kwargs)


def test_holdout_check_on_cdnow_per_frequency(check):
    bf = check.by_frequency
    assert bf["frequency"].tolist() == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert bf["customers"].sum() == 2357 and bf.loc[0, "customers"] == 1411
    # Fader, Hardie and Lee (2005), figure 4: 0.24 actual against 0.23 predicted for x = 0.
    assert bf.loc[0, "actual"] == pytest.approx(0.237, abs=0.001)
    assert bf.loc[0, "predicted"] == pytest.approx(0.225, abs=0.001)
    assert (bf["actual"].diff().iloc[1:] > -0.5).all() and bf["predicted"].is_monotonic_increasing
    assert check.holdout_length == 39
    totals = check.totals
    assert totals["actual"] == 1882
    assert totals["predicted"] == pytest.approx(1653.4, abs=0.5)


def test_holdout_tracking_curve(check):
    tr = check.tracking
    assert len(tr) == 78 and tr["holdout"].sum() == 40
    assert tr["actual"].is_monotonic_increasing and tr["predicted"].is_monotonic_increasing
    end_of_calibration = tr.loc[tr["t"] == 39].iloc[0]
    assert end_of_calibration["predicted"] == pytest.approx(end_of_calibration["actual"], rel=0.03)
    total_calibration_repeats = calibration_summary()["frequency"].sum()
    assert tr.loc[tr["t"] == 39, "actual"].iloc[0] <= total_calibration_repeats


def test_probability_alive_matrix_behaves(cdnow):
    _, bg, _ = cdnow
    m = probability_alive_matrix(bg, T=39, max_frequency=10, points=20)
    assert m.shape == (11, 20) and m.iloc[0, 0] == 1.0 and m.iloc[0, 1:].isna().all()
    later = m.iloc[1:].to_numpy()
    assert (np.diff(later, axis=1) >= -1e-12).all()  # a more recent last purchase: more likely alive
    assert (np.diff(later[:, 5]) <= 1e-12).all()  # more purchases long ago: more likely gone


def test_clv_table_and_report_on_cdnow():
    table, bg, gg = clv_table(load_cdnow(sample=True).transactions, calibration_end="1997-09-30", horizon=39)
    report = fit_report(bg, gg, calibration_end=table.attrs["calibration_end"])
    assert report["bgnbd"]["params"]["r"] == pytest.approx(0.243, rel=0.005)
    assert report["gamma_gamma"]["params"]["p"] == pytest.approx(6.25, rel=0.005)
    assert report["settings"]["calibration_end"] == "1997-09-30"
    assert len(table) == 2357 and (table["clv"] >= 0).all()


def test_b2b_order_values_that_gamma_gamma_cannot_fit_point_to_the_observed_option():
    tx = generate_sample(400, random_state=7)["transactions"]
    with pytest.raises(WorkbenchError, match=r"q = .* <= 1.*--order-value observed"):
        clv_table(tx, calibration_end="2024-09-30", horizon=52, order_value="gamma_gamma")
    table, _, gg = clv_table(tx, calibration_end="2024-09-30", horizon=52, order_value="observed")
    assert gg is None and table["expected_order_value"].gt(0).all()
    assert table.attrs["order_value_used"] == "observed" and table.attrs["fallback_reason"] is None
    spend = tx.loc[tx["order_date"] <= pd.Timestamp("2024-09-30")]
    one = table.index[0]
    mine = spend.loc[spend["customer_id"] == one]
    assert table.loc[one, "expected_order_value"] == pytest.approx(mine["amount"].sum() / mine["order_date"].nunique())


def test_by_default_clv_falls_back_to_the_observed_order_values_and_says_why():
    tx = generate_sample(400, random_state=7)["transactions"]
    table, bg, gg = clv_table(tx, calibration_end="2024-09-30", horizon=52)
    observed, _, _ = clv_table(tx, calibration_end="2024-09-30", horizon=52, order_value="observed")
    assert gg is None and table.attrs["order_value"] == "auto" and table.attrs["order_value_used"] == "observed"
    assert re.fullmatch(
        r"Gamma-Gamma fit gave q = 0\.\d{3} <= 1: the mean order value is not finite; .*",
        table.attrs["fallback_reason"],
    )
    pd.testing.assert_frame_equal(table, observed, check_like=False)
    report = fit_report(bg, gg, fallback_reason=table.attrs["fallback_reason"])
    assert report["order_value"] == {"used": "observed", "fallback_reason": table.attrs["fallback_reason"]}
    assert report["gamma_gamma"] is None


def test_too_few_repeat_buyers_refuse_in_every_mode():
    # Three customers, one of whom bought twice: nothing for either model to learn repeat buying from.
    # BG/NBD's parameters run off (before, it fitted r = 2e4 and valued the customers on that).
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "order_id": ["1", "2", "3", "4"],
            "order_date": pd.to_datetime(["2025-01-06", "2025-02-03", "2025-01-20", "2025-03-03"]),
            "amount": [100.0, 300.0, 50.0, 80.0],
        }
    )
    for mode in ("auto", "gamma_gamma", "observed"):
        with pytest.raises(InsufficientDataError, match="BG/NBD: the data cannot identify the parameters"):
            clv_table(tx, calibration_end="2025-03-31", horizon=13, order_value=mode)


@pytest.mark.parametrize("order_value", ["auto", "gamma_gamma", "observed"])
def test_no_repeat_purchase_is_refused_in_every_mode_not_nan(order_value):
    """Before, a and b stayed at 1.0 and the observed mode returned NaN CLV for every customer."""
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "order_id": ["1", "2", "3", "4"],
            "order_date": pd.to_datetime(["2025-01-06", "2025-02-03", "2025-01-20", "2025-03-03"]),
            "amount": [100.0, 300.0, 50.0, 80.0],
        }
    )
    with pytest.raises(InsufficientDataError, match=r"no customer made a repeat purchase \(frequency is 0 for all 4"):
        clv_table(tx, calibration_end="2025-03-31", horizon=13, order_value=order_value)


def test_when_gamma_gamma_fits_the_default_uses_it():
    tx = load_cdnow(sample=True).transactions
    table, bg, gg = clv_table(tx, calibration_end="1997-09-30", horizon=39)
    assert gg is not None and table.attrs["order_value_used"] == "gamma_gamma"
    assert table.attrs["fallback_reason"] is None
    assert gg.params_["q"] == pytest.approx(3.72, rel=0.01)  # Fader, Hardie and Lee (2005): q = 3.72
    np.testing.assert_allclose(table["expected_order_value"], gg.expected_order_value(table), rtol=1e-12)
    report = fit_report(bg, gg)
    assert report["order_value"] == {"used": "gamma_gamma", "fallback_reason": None}


def test_the_clv_command_works_by_default_on_the_sample(tmp_path, capsys):
    write_sample(tmp_path / "data", 400, random_state=7)
    out = tmp_path / "clv.csv"
    args = ["clv", str(tmp_path / "data"), "--calibration-end", "2024-09-30", "--horizon", "39", "--out", str(out)]
    assert main([*args, "--today", "2025-10-01"]) == 0
    printed = capsys.readouterr().out
    notes = [line for line in printed.splitlines() if line.startswith("Note:")]
    assert len(notes) == 1 and notes[0].startswith("Note: no Gamma-Gamma model: Gamma-Gamma fit gave q = 0.")
    assert "own revenue per purchase day" in notes[0]
    models = json.loads((tmp_path / "clv_models.json").read_text(encoding="utf-8"))
    assert models["settings"]["order_value"] == "auto"
    assert models["order_value"]["used"] == "observed" and "<= 1" in models["order_value"]["fallback_reason"]
    assert models["gamma_gamma"] is None and len(pd.read_csv(out)) > 0
    assert main([*args, "--today", "2025-10-01", "--order-value", "gamma-gamma"]) == 2
    assert "q = 0." in capsys.readouterr().err


def test_clv_and_holdout_with_the_pareto_nbd_model():
    tx = load_cdnow(sample=True).transactions
    table, model, gg = clv_table(tx, calibration_end="1997-09-30", horizon=39, model="pareto_nbd")
    assert isinstance(model, ParetoNBDModel) and table.attrs["model"] == "pareto_nbd"
    assert model.params_["r"] == pytest.approx(0.5534, rel=0.005) and gg is not None
    np.testing.assert_allclose(table["expected_purchases"], model.expected_purchases(table, 39), rtol=1e-12)
    report = fit_report(model, gg)
    assert report["model"] == "pareto_nbd" and "bgnbd" not in report
    assert report["pareto_nbd"]["standard_errors"] == pytest.approx(model.standard_errors_)
    json.dumps(report, allow_nan=False)  # standard errors are numbers or None
    check = holdout_check(tx, model, calibration_end="1997-09-30", holdout_end="1998-06-30")
    # Both models under-predict the CDNOW holdout (1,882 repeat purchases) by about 12%.
    assert check.totals["actual"] == 1882 and check.totals["predicted"] == pytest.approx(1665.5, abs=0.5)
    assert check.tracking["predicted"].is_monotonic_increasing
    with pytest.raises(
        WorkbenchError, match=r"model must be one of \['bgnbd', 'mbgnbd', 'pareto_nbd', 'bgbb'\], got 'mbg'"
    ):
        clv_table(tx, calibration_end="1997-09-30", horizon=39, model="mbg")


def test_clv_and_holdout_with_the_mbg_nbd_model():
    tx = load_cdnow(sample=True).transactions
    table, model, gg = clv_table(tx, calibration_end="1997-09-30", horizon=39, model="mbgnbd")
    assert isinstance(model, ModifiedBetaGeoModel) and table.attrs["model"] == "mbgnbd"
    assert model.params_ == pytest.approx(ModifiedBetaGeoModel().fit(calibration_summary()).params_, rel=1e-9)
    np.testing.assert_allclose(table["expected_purchases"], model.expected_purchases(table, 39), rtol=1e-12)
    report = fit_report(model, gg)
    assert report["model"] == "mbgnbd" and report["mbgnbd"]["standard_errors"] == pytest.approx(model.standard_errors_)
    check = holdout_check(tx, model, calibration_end="1997-09-30", holdout_end="1998-06-30")
    # MBG/NBD under-predicts the holdout more than BG/NBD (1,653.4) and Pareto/NBD (1,665.5): 16% below 1,882.
    assert check.totals["actual"] == 1882 and check.totals["predicted"] == pytest.approx(1576.7, abs=0.5)


@pytest.fixture(scope="module")
def monthly():
    """BG/BB on CDNOW with months as opportunities: 8 whole months of calibration to 1997-09-30 for the first buyers."""
    tx = load_cdnow(sample=True).transactions
    table, model, gg = clv_table(tx, calibration_end="1997-09-30", horizon=9, time_unit="M", model="bgbb")
    return tx, table, model, gg


def test_bgbb_values_every_customer_in_whole_months(monthly):
    tx, table, model, gg = monthly
    assert isinstance(model, BetaGeoBetaBinomModel) and table.attrs["model"] == "bgbb" and gg is not None
    assert table.columns[:3].tolist() == ["frequency", "recency", "periods"] and len(table) == 2357
    assert table["periods"].max() == 8 and (table["recency"] <= table["periods"]).all()
    np.testing.assert_allclose(table["expected_purchases"], model.expected_purchases(table, 9), rtol=1e-12)
    flat = customer_lifetime_value(model, gg, table, horizon=9, time_unit="M", discount_rate=0.0)
    np.testing.assert_allclose(flat["clv"], flat["expected_purchases"] * flat["expected_order_value"], rtol=1e-9)
    assert (table["clv"] < flat["clv"] + 1e-9).all() and table["clv"].sum() < flat["clv"].sum()
    with pytest.raises(WorkbenchError, match=r"time_unit must be one of \['Y', 'Q', 'M'\].*got 'W'"):
        clv_table(tx, calibration_end="1997-09-30", horizon=9, time_unit="W", model="bgbb")
    with pytest.raises(WorkbenchError, match="whole numbers of opportunities"):
        customer_lifetime_value(model, gg, table, horizon=2.5, time_unit="M")


def test_bgbb_holdout_counts_months_with_a_purchase(monthly):
    tx, _, model, _ = monthly
    check = holdout_check(tx, model, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="M")
    month = tx["order_date"].dt.to_period("M")
    pairs = pd.DataFrame({"c": tx["customer_id"], "m": month}).drop_duplicates()
    repeat = pairs[pairs["m"] > pairs.groupby("c")["m"].transform("min")]
    in_holdout = repeat["m"].between(pd.Period("1997-10", "M"), pd.Period("1998-06", "M"))
    assert check.holdout_length == 9 and check.totals["actual"] == in_holdout.sum() == 1478
    assert check.tracking["actual"].iloc[-1] == len(repeat) and check.tracking["holdout"].sum() == 9
    assert check.tracking["predicted"].is_monotonic_increasing
    np.testing.assert_allclose(check.per_customer["predicted"].sum(), check.totals["predicted"])
    # BG/BB in months under-predicts this holdout by a third (997 of 1,478): CDNOW buyers fade within a year.
    assert check.totals["predicted"] == pytest.approx(996.7, abs=0.5)
    with pytest.raises(WorkbenchError, match="no whole M period ends"):
        holdout_check(tx, model, calibration_end="1997-09-30", holdout_end="1997-10-15", time_unit="M")


def test_the_report_of_a_fit_that_did_not_converge_has_no_nan():
    summary = calibration_summary()
    with pytest.warns(ConvergenceWarning):
        bg = BetaGeoModel(max_iter=2).fit(summary)
    report = fit_report(bg, None)
    assert report["model"] == "bgnbd" and set(report["bgnbd"]["standard_errors"].values()) == {None}
    json.dumps(report, allow_nan=False)


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clv") / "data"
    write_sample(folder, 400, random_state=7)
    return folder


def _clv(folder, out, *extra):
    return main(
        ["clv", str(folder), "--calibration-end", "2024-09-30", "--horizon", "39", "--out", str(out)]
        + ["--today", "2025-10-01", *extra]
    )


def test_cli_model_auto_compares_chooses_and_says_why(sample_data, tmp_path, capsys):
    out = tmp_path / "clv.csv"
    assert _clv(sample_data, out, "--model", "auto", "--holdout-end", "2025-06-30", "--draws", "20") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Models compared on the holdout (fitted on the calibration period):")
    assert "Chosen: BG/NBD. bgnbd has the smallest error per frequency bucket" in printed
    assert "-10.6%" in printed and "r = 2.4911 (0.2591)" in printed
    models = json.loads((tmp_path / "clv_models.json").read_text(encoding="utf-8"))
    assert models["choice"]["chosen"] == "bgnbd" and models["settings"]["model"] == "auto"
    assert [c["model"] for c in models["choice"]["candidates"]] == ["bgnbd", "mbgnbd", "pareto_nbd"]
    compared = pd.read_csv(tmp_path / "clv_models_compared.csv", encoding="utf-8-sig")
    assert compared["model"].tolist() == ["bgnbd", "mbgnbd", "pareto_nbd"] and "bucket_error" in compared
    tracking = pd.read_csv(tmp_path / "clv_tracking.csv", encoding="utf-8-sig")
    assert {"actual", "bgnbd", "mbgnbd", "pareto_nbd"} <= set(tracking.columns)
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert ((table["clv_lower"] <= table["clv"] + 1e-6) & (table["clv"] <= table["clv_upper"] + 1e-6)).all()
    parameters = pd.read_csv(tmp_path / "clv_parameters.csv", encoding="utf-8-sig")
    assert parameters["model"].unique().tolist() == ["BG/NBD"]
    assert parameters.columns.tolist() == ["model", "parameter", "estimate", "standard_error", "lower_95", "upper_95"]


def test_cli_model_settings_that_do_not_fit_together_are_messages(sample_data, tmp_path, capsys):
    out = tmp_path / "clv.csv"
    assert _clv(sample_data, out, "--model", "auto") == 2
    assert "--model auto compares the models on a holdout: give --holdout-end too" in capsys.readouterr().err
    assert _clv(sample_data, out, "--model", "bgbb") == 2
    assert "--model bgbb counts purchases per month, quarter or year" in capsys.readouterr().err
    assert _clv(sample_data, out, "--time-unit", "quarter") == 2
    assert "--time-unit quarter is for --model bgbb" in capsys.readouterr().err
    assert not out.exists()


def test_cli_bgbb_in_quarters_without_an_interval(sample_data, tmp_path, capsys):
    out = tmp_path / "clv.csv"
    args = ["--model", "bgbb", "--time-unit", "quarter", "--horizon", "4", "--interval", "0", "--today", "2025-10-01"]
    assert main(["clv", str(sample_data), "--calibration-end", "2024-12-31", "--out", str(out), *args]) == 0
    assert "BG/BB on " in capsys.readouterr().out
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert "periods" in table and "clv_lower" not in table
    assert json.loads((tmp_path / "clv_models.json").read_text(encoding="utf-8"))["interval"] is None
