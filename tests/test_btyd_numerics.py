"""Numerics of the buy-till-you-die models that hold: against 50-digit references, at the singularities,
for data the models cannot learn from, and as properties over histories and parameters."""

from __future__ import annotations

import functools
import warnings

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from btyd_strategies import histories
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.clv import clv_table
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.btyd.holdout import holdout_check
from segmentation.datasets.cdnow import calibration_summary, load_cdnow
from segmentation.errors import InsufficientDataError

#: BG/NBD fitted on the CDNOW sample (Fader, Hardie and Lee 2005): the parameters the issue measured at.
CDNOW = {"r": 0.242594522, "alpha": 4.413602019, "a": 0.792922017, "b": 2.425906777}


def model_with(**params) -> BetaGeoModel:
    """A BetaGeoModel holding the given parameters, as if fitted."""
    model = BetaGeoModel()
    model.params_ = {k: float(v) for k, v in params.items()}
    return model


def history(x, tx, T) -> pd.DataFrame:
    return pd.DataFrame(
        {"frequency": np.atleast_1d(x), "recency": np.atleast_1d(tx), "T": np.atleast_1d(T)}, dtype=float
    )


@functools.lru_cache
def _hyp2f1(a: mp.mpf, b: mp.mpf, c: mp.mpf, z: mp.mpf) -> mp.mpf:
    """mpmath's Gauss hypergeometric function, once per argument (customers with other recencies share it)."""
    return mp.hyp2f1(a, b, c, z, maxterms=10**6)


def reference_expected_purchases(params: dict, x, tx, T, t, dps: int = 50, shift: dict | None = None) -> mp.mpf:
    """Equation 10 of the paper as printed, the direct Gauss hypergeometric series, in 50-digit arithmetic.

    ``shift`` adds tiny amounts (strings such as "1e-25") to parameters, at that precision.
    """
    with mp.workdps(dps):
        shift = {k: mp.mpf(v) for k, v in (shift or {}).items()}
        r, alpha, a, b = (mp.mpf(params[k]) + shift.get(k, 0) for k in ("r", "alpha", "a", "b"))
        x, tx, T, t = (mp.mpf(v) for v in (x, tx, T, t))
        z = t / (alpha + T + t)
        hyp = _hyp2f1(r + x, b + x, a + b + x - 1, z)
        first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
        dead = a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x) if x > 0 else 0
        return first / (1 + dead)


FREQUENCIES = [0, 1, 10, 100, 280, 590, 910, 1110, 2710, 10_000]
HORIZONS = [13, 39, 52, 104, 520]


@pytest.mark.parametrize("horizon", HORIZONS)
def test_expected_purchases_equal_50_digit_references_up_to_10000_purchases(horizon):
    """Before, inf then NaN from x = 2,710 / 1,110 / 910 / 590 / 280 for these horizons."""
    model = model_with(**CDNOW)
    rows = [(x, 39.0, 39.0) for x in FREQUENCIES] + [(x, 37.5, 39.0) for x in FREQUENCIES if x > 0] + [(0, 0, 0)]
    rows += [(150, 1.0, 1.0), (590, 1.0, 1.0)]  # z up to 0.99 with c > 100, where scipy's hyp2f1 gives inf or NaN
    rows = [(x, 0.0 if x == 0 else tx, T) for x, tx, T in rows]
    s = history(*zip(*rows, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning on the way
        ours = model.expected_purchases(s, horizon).to_numpy()
    expected = np.array([float(reference_expected_purchases(CDNOW, x, tx, T, horizon)) for x, tx, T in rows])
    assert np.isfinite(ours).all() and (expected > 0).all()
    np.testing.assert_allclose(ours, expected, rtol=1e-8)


def test_tiny_horizons_keep_their_relative_precision():
    """1 - (1 - z)^(a-1) 2F1 cancels when z is small: the series keeps every digit of the difference."""
    model = model_with(**CDNOW)
    s = history([0, 3, 50], [0, 20, 38], [39, 39, 39])
    for horizon in (1e-9, 1e-4, 0.5):
        ours = model.expected_purchases(s, horizon).to_numpy()
        expected = [
            float(reference_expected_purchases(CDNOW, *row, horizon))
            for row in zip([0, 3, 50], [0, 20, 38], [39] * 3, strict=True)
        ]
        np.testing.assert_allclose(ours, expected, rtol=1e-9)


@pytest.mark.parametrize(
    ("params", "near"),
    [
        ({"r": 0.3, "alpha": 5.0, "a": 1.0, "b": 2.0}, {"a": "1e-25"}),
        ({"r": 0.3, "alpha": 5.0, "a": 1.0 + 3e-7, "b": 2.0}, {}),
        ({"r": 0.3, "alpha": 5.0, "a": 0.5, "b": 0.5}, {"b": "1e-25"}),
    ],
    ids=["a=1", "a=1+3e-7", "a+b=1"],
)
def test_removable_singularities_give_the_limit(params, near):
    """At a = 1 (and at a + b = 1 without repeats) the formulas are 0/0; before, ZeroDivisionError or NaN."""
    model = model_with(**params)
    rows = [(0, 0, 0), (0, 0, 39), (2, 30, 39), (40, 38, 39)]
    s = history(*zip(*rows, strict=True))
    for horizon in (1, 39, 520):
        expected = [float(reference_expected_purchases(params, *row, horizon, shift=near)) for row in rows]
        np.testing.assert_allclose(model.expected_purchases(s, horizon), expected, rtol=1e-8)
    curve = model.expected_repeat_purchases(np.array([0.0, 13, 52]))
    expected = [0.0] + [float(reference_expected_purchases(params, 0, 0, 0, t, shift=near)) for t in (13, 52)]
    np.testing.assert_allclose(curve, expected, rtol=1e-8)


@pytest.mark.parametrize(
    ("a", "b", "c", "z"),
    [(1.0, 1.0, 101.0, 0.95), (-0.3, -0.2, 100.5, 0.99), (2.0, 3.0, 150.0, 0.999), (0.5, -0.5, 1e4, 0.95)]
    + [(1.0, 2.0, 3.0, 0.5), (-0.2, 1.4, 2.2, 1e-9), (0.9, -0.21, 40.0, 0.97)],
    ids=["c101", "c100.5", "c150", "c1e4", "small-c", "tiny-z", "c40"],
)
def test_hyp2f1_holds_where_scipy_returns_inf_or_nan(a, b, c, z):
    """scipy 1.17's hyp2f1 gives inf or NaN for the first four; the series takes over there."""
    from segmentation.btyd.special import hyp2f1_minus_one, hyp2f1_one

    with mp.workdps(50):
        expected = mp.hyp2f1(a, b, c, z) - 1
        expected_one = mp.hyp2f1(1, abs(b) + 1, c + 2, z)
    assert float(hyp2f1_minus_one(a, b, c, z)) == pytest.approx(float(expected), rel=1e-12)
    assert float(hyp2f1_one(abs(b) + 1, c + 2, z)) == pytest.approx(float(expected_one), rel=1e-10)


def test_where_no_series_converges_the_expectation_is_an_integral():
    """c > 50 with z within 1e-3 of 1 (3,000 purchases in 1 week, 20,000 weeks ahead): the beta integral."""
    params = {"r": 0.3, "alpha": 5.0, "a": 0.8, "b": 2.5}
    model = model_with(**params)
    rows = [(3000, 1.0, 1.0), (120, 0.5, 1.0)]
    for horizon in (5000, 20000):
        expected = [float(reference_expected_purchases(params, *row, horizon)) for row in rows]
        np.testing.assert_allclose(
            model.expected_purchases(history(*zip(*rows, strict=True)), horizon), expected, rtol=1e-8
        )


def test_probability_alive_of_a_huge_frequency_is_0_without_an_overflow_warning():
    model = model_with(**CDNOW)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.probability_alive(history([1e6, 1e6, 5e3], [30, 39, 38.9], [39, 39, 39]))
    assert alive.iloc[0] == 0.0 and 0 < alive.iloc[1] <= 1 and 0 <= alive.iloc[2] < 1


# ---------------------------------------------------------------------------------------------------------------
# Data the models cannot learn from: refused, saying what it lacks.


@pytest.mark.parametrize(
    ("summary", "match"),
    [
        (
            history([0, 0, 0, 0], [0, 0, 0, 0], [10, 20, 30, 5]),
            r"no customer made a repeat purchase \(frequency is 0 for all 4",
        ),
        (history(0, 0, 10), "a single customer cannot show how purchase rates and drop-out vary"),
        (history(2, 5, 10), "a single customer cannot show"),
        (history([1, 0, 0], [4, 0, 0], [12, 10, 6]), "BG/NBD: the data cannot identify the parameters: .* ran off"),
    ],
    ids=["no-repeats", "one-customer-no-repeat", "one-customer", "three-customers"],
)
def test_bgnbd_refuses_data_that_cannot_identify_it(summary, match):
    """Before: a = b = 1 reported converged, or r = 6.7e5 for a single customer."""
    with pytest.raises(InsufficientDataError, match=match):
        BetaGeoModel().fit(summary)


def test_gamma_gamma_refuses_order_values_without_spread():
    """Before: p = 2e51, q = 9e85 reported converged, and an expected order value of 8.18 instead of 20."""
    flat = pd.DataFrame({"frequency": [1.0, 2, 3, 4, 5], "monetary_value": [20.0] * 5})
    with pytest.raises(
        InsufficientDataError, match=r"every customer's average order value is 20, so the data shows no spread"
    ):
        GammaGammaModel().fit(flat)
    almost = flat.assign(monetary_value=[20.0, 20.001, 19.999, 20.0, 20.002])
    with pytest.raises(
        InsufficientDataError, match=r"Gamma-Gamma: the data cannot identify the parameters: p = .* ran off"
    ):
        GammaGammaModel().fit(almost)


def test_clv_with_equal_order_values_falls_back_to_them_and_says_why():
    lines = load_cdnow(sample=True).transactions
    days = lines.assign(day=lines["order_date"].dt.normalize()).drop_duplicates(["customer_id", "day"])
    tx = days.drop(columns="day").assign(amount=20.0)  # one order of 20 per purchase day
    table, _, gg = clv_table(tx, calibration_end="1997-09-30", horizon=39)
    assert gg is None and table.attrs["order_value_used"] == "observed"
    assert "every customer's average order value is 20" in table.attrs["fallback_reason"]
    assert (table["expected_order_value"] == 20.0).all() and np.isfinite(table["clv"]).all()


def test_holdout_check_of_a_calibration_without_repeats_does_not_crash():
    """A model fitted elsewhere (or with a = 1 exactly) checked on a cohort that made no repeat purchase."""
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "c", "d"],
            "order_id": ["1", "2", "3", "4", "5"],
            "order_date": pd.to_datetime(["2025-01-06", "2025-02-03", "2025-01-20", "2025-05-05", "2025-03-03"]),
            "amount": [100.0, 300.0, 50.0, 60.0, 80.0],
        }
    )
    for model in (model_with(**CDNOW), model_with(r=0.3, alpha=5.0, a=1.0, b=2.0)):
        check = holdout_check(tx, model, calibration_end="2025-03-31", holdout_end="2025-06-30")
        assert check.totals["actual"] == 1.0 and 0 < check.totals["predicted"] < 4
        assert np.isfinite(check.tracking[["actual", "predicted"]].to_numpy()).all()


# ---------------------------------------------------------------------------------------------------------------
# Properties over histories and parameters.

params = st.fixed_dictionaries(
    {
        "r": st.floats(0.01, 50),
        "alpha": st.floats(0.01, 1000),
        "a": st.floats(0.01, 50),
        "b": st.floats(0.01, 200),
    }
)


@settings(max_examples=150, deadline=None)
@given(params, st.lists(histories(), min_size=1, max_size=5), st.floats(0, 2000), st.floats(0, 2000))
def test_expectations_are_finite_non_negative_and_grow_with_the_horizon(p, rows, h1, h2):
    model = model_with(**p)
    s = history(*zip(*rows, strict=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.probability_alive(s).to_numpy()
        short, long = (model.expected_purchases(s, h).to_numpy() for h in sorted((h1, h2)))
        curve = model.expected_repeat_purchases(np.array(sorted((h1, h2))))
    assert ((alive >= 0) & (alive <= 1)).all()
    for values in (short, long, curve):
        assert np.isfinite(values).all() and (values >= 0).all()
    assert (long >= short * (1 - 1e-12)).all()
    assert curve[1] >= curve[0] * (1 - 1e-12)


def test_cdnow_fit_keeps_its_published_figures_and_start_values_off_the_singularity():
    model = BetaGeoModel().fit(calibration_summary())
    assert model.params_ == pytest.approx(CDNOW, rel=1e-7)
    assert model.get_params()["initial"] is None
