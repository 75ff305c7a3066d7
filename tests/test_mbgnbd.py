"""MBG/NBD: the paper's formulas written out independently in mpmath, lifetimes' fit on CDNOW, properties."""

from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from btyd_strategies import histories
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.btyd.bgnbd import BetaGeoModel
from segmentation.btyd.mbgnbd import ModifiedBetaGeoModel
from segmentation.datasets.cdnow import calibration_summary
from segmentation.errors import InsufficientDataError

# Batislam, Denizel and Filiztekin (2007) fitted a Turkish grocery chain's loyalty-card data, which is not
# public. lifetimes 0.11.3, ModifiedBetaGeoFitter().fit(frequency, recency, T) on the same CDNOW summary
# (39 weeks from 1997-01-01, weeks), run on 2026-12-02: an independent implementation (Nelder-Mead
# on its own likelihood code). bench/btyd_fits.py runs it again beside ours when lifetimes is installed.
LIFETIMES = {"r": 0.5248429031, "alpha": 6.1830817644, "a": 0.8913595173, "b": 1.6140029312}
COLUMNS = ["frequency", "recency", "T"]


@pytest.fixture(scope="module")
def cdnow_summary():
    return calibration_summary()


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return ModifiedBetaGeoModel().fit(cdnow_summary)


def model_with(**params) -> ModifiedBetaGeoModel:
    model = ModifiedBetaGeoModel()
    model.params_ = {k: float(v) for k, v in params.items()}
    return model


# The paper's formulas, term by term in 40-digit arithmetic: no logs, no transformations.
def ref_likelihood(p: dict, x, tx, T):
    r, alpha, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    x, tx, T = mp.mpf(x), mp.mpf(tx), mp.mpf(T)
    head = mp.gamma(r + x) * alpha**r / mp.gamma(r)
    return head * (
        mp.beta(a, b + x + 1) / mp.beta(a, b) / (alpha + T) ** (r + x)
        + mp.beta(a + 1, b + x) / mp.beta(a, b) / (alpha + tx) ** (r + x)
    )


def ref_alive(p: dict, x, tx, T):
    r, alpha, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    return 1 / (1 + a / (b + x) * ((alpha + T) / (alpha + tx)) ** (r + x))


def ref_expected(p: dict, x, tx, T, t):
    r, alpha, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    z = mp.mpf(t) / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * mp.hyp2f1(r + x, b + x + 1, a + b + x, z)
    return (a + b + x) / (a - 1) * bracket * ref_alive(p, x, tx, T)


def ref_new(p: dict, t):
    r, alpha, a, b = (mp.mpf(p[k]) for k in ("r", "alpha", "a", "b"))
    return b / (a - 1) * (1 - (alpha / (alpha + t)) ** r * mp.hyp2f1(r, b + 1, a + b, mp.mpf(t) / (alpha + t)))


def test_fit_matches_lifetimes_on_cdnow(fitted):
    for name, value in LIFETIMES.items():
        assert fitted.params_[name] == pytest.approx(value, rel=1e-5), name
    assert fitted.converged_ and fitted.n_customers_ == 2357


def test_front_door_exports_it():
    assert seg.ModifiedBetaGeoModel is ModifiedBetaGeoModel


def test_log_likelihood_is_the_papers_on_every_cdnow_row(cdnow_summary, fitted):
    from segmentation.btyd.mbgnbd import _log_likelihood

    mp.mp.dps = 40
    unique = cdnow_summary[COLUMNS].drop_duplicates().to_numpy()
    ours = [_log_likelihood(np.array(list(fitted.params_.values())), *row[:, None], np.ones(1)) for row in unique]
    theirs = [float(mp.log(ref_likelihood(fitted.params_, *row))) for row in unique]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_fit_is_the_maximum_of_the_papers_likelihood(cdnow_summary, fitted):
    """Moving any parameter by 0.1% either way lowers the reference log-likelihood."""
    mp.mp.dps = 30
    rows = cdnow_summary.groupby(COLUMNS).size().reset_index(name="n").to_numpy()

    def total(params: dict) -> float:
        return float(sum(n * mp.log(ref_likelihood(params, x, tx, T)) for x, tx, T, n in rows))

    best = total(fitted.params_)
    assert best == pytest.approx(fitted.log_likelihood_, rel=1e-10)
    for name in fitted.params_:
        for factor in (0.999, 1.001):
            assert total({**fitted.params_, name: fitted.params_[name] * factor}) < best, (name, factor)


@pytest.mark.parametrize("horizon", [39, 52])
def test_every_cdnow_customer_equals_the_papers_formulas(cdnow_summary, fitted, horizon):
    mp.mp.dps = 30
    unique = cdnow_summary[COLUMNS].drop_duplicates()
    rows = unique.to_numpy()
    alive = [float(ref_alive(fitted.params_, *row)) for row in rows]
    expected = [float(ref_expected(fitted.params_, *row, horizon)) for row in rows]
    np.testing.assert_allclose(fitted.probability_alive(unique), alive, rtol=1e-6)
    np.testing.assert_allclose(fitted.expected_purchases(unique, horizon), expected, rtol=1e-6)
    t = np.array([0.0, 1, 39, 78])
    new = [float(ref_new(fitted.params_, v)) if v > 0 else 0.0 for v in t]
    np.testing.assert_allclose(fitted.expected_repeat_purchases(t), new, rtol=1e-6)


def test_the_singular_point_a_equal_1_is_its_limit():
    mp.mp.dps = 50
    params = {"r": 0.5, "alpha": 6.0, "a": 1.0, "b": 1.6}
    near = {**params, "a": mp.mpf(1) + mp.mpf("1e-20")}
    s = pd.DataFrame({"frequency": [0.0, 3, 40], "recency": [0.0, 20, 38], "T": [39.0, 39, 39]})
    expected = [float(ref_expected(near, *row, 52)) for row in s.to_numpy()]
    np.testing.assert_allclose(model_with(**params).expected_purchases(s, 52), expected, rtol=1e-8)
    assert model_with(**params).expected_repeat_purchases(39.0) == pytest.approx(float(ref_new(near, 39)), rel=1e-8)


def test_exact_gradient_equals_differences(cdnow_summary, fitted):
    from segmentation.btyd.mbgnbd import _log_likelihood, _log_likelihood_and_gradient

    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in COLUMNS)
    w = np.ones(len(x))
    for p in (np.array([0.5, 6.0, 0.9, 1.6]), np.array([2.0, 0.3, 3.0, 0.2])):
        _, gradient = _log_likelihood_and_gradient(p, x, tx, T, w)
        h = 1e-6 * p
        numeric = [
            (_log_likelihood(p + h * e, x, tx, T, w) - _log_likelihood(p - h * e, x, tx, T, w)) / (2 * h[j])
            for j, e in enumerate(np.eye(4))
        ]
        np.testing.assert_allclose(gradient, numeric, rtol=1e-5)


def test_standard_errors_and_summary(fitted):
    table = fitted.summary()
    assert table.index.tolist() == ["r", "alpha", "a", "b"]
    assert np.isfinite(table.to_numpy()).all() and (table["standard_error"] > 0).all()
    assert (table["lower_95"] < table["estimate"]).all() and (table["estimate"] < table["upper_95"]).all()


def test_nests_bg_nbd_behaviour_where_it_should(cdnow_summary, fitted):
    """Without repeats BG/NBD says alive for sure; MBG/NBD lets the customer go at the first purchase."""
    s = pd.DataFrame({"frequency": [0.0, 0.0], "recency": [0.0, 0.0], "T": [1.0, 39.0]})
    alive = fitted.probability_alive(s)
    assert (BetaGeoModel().fit(cdnow_summary).probability_alive(s) == 1).all()
    assert 0 < alive.iloc[1] < alive.iloc[0] < 1


def test_no_repeat_purchase_is_refused():
    s = pd.DataFrame({"frequency": [0.0, 0.0, 0.0], "recency": [0.0, 0.0, 0.0], "T": [10.0, 20.0, 30.0]})
    with pytest.raises(InsufficientDataError, match="MBG/NBD: no customer made a repeat purchase"):
        ModifiedBetaGeoModel().fit(s)


@pytest.mark.parametrize("t", [0.0, 1.0, 39.0, 78.0])
def test_probability_of_n_purchases_is_a_distribution_with_the_expected_mean(fitted, t):
    n = np.arange(0, 400)
    p = fitted.probability_of_n_purchases(t, n)
    assert (p >= 0).all() and p.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * p).sum() == pytest.approx(float(fitted.expected_repeat_purchases(t)), rel=1e-8, abs=1e-12)


params = st.fixed_dictionaries(
    {"r": st.floats(0.01, 50), "alpha": st.floats(0.01, 1000), "a": st.floats(0.01, 50), "b": st.floats(0.01, 50)}
)


@settings(max_examples=150, deadline=None)
@given(params, st.lists(histories(), min_size=1, max_size=5), st.floats(0, 2000), st.floats(0, 2000))
def test_expectations_are_finite_non_negative_and_grow_with_the_horizon(p, rows, h1, h2):
    model = model_with(**p)
    s = pd.DataFrame(rows, columns=COLUMNS, dtype=float)
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
