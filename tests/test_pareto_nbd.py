"""Pareto/NBD: the published CDNOW figures, and every prediction against an independent implementation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from btyd_strategies import histories
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

import segmentation as seg
from segmentation.btyd.pareto_nbd import ParetoNBDModel
from segmentation.datasets.cdnow import calibration_summary
from segmentation.errors import InsufficientDataError

# Fader, Hardie and Lee (2005), "Counting your customers the easy way", table 1 (and "A note on deriving the
# Pareto/NBD model and related expressions"): CDNOW sample, 39-week calibration from 1997-01-01, weeks.
PUBLISHED = {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}
PUBLISHED_LL = -9595.0


@pytest.fixture(scope="module")
def cdnow_summary():
    return calibration_summary()


@pytest.fixture(scope="module")
def fitted(cdnow_summary):
    return ParetoNBDModel().fit(cdnow_summary)


def model_with(**params) -> ParetoNBDModel:
    model = ParetoNBDModel()
    model.params_ = {k: float(v) for k, v in params.items()}
    return model


def reference(params: dict, x: float, tx: float, T: float, horizon: float) -> tuple[float, float]:
    """P(alive) and expected purchases from the model's integrals, not its hypergeometric closed form.

    Integrating the individual likelihood lambda^x mu int_{t_x}^T exp(-(lambda+mu) tau) d tau over the gamma
    mixing distributions gives P(alive) = 1 / (1 + s int_{t_x}^T ((alpha+T)/(alpha+tau))^(r+x)
    ((beta+T)/(beta+tau))^s / (beta+tau) d tau); an alive customer's rate is Gamma(r+x, alpha+T) and their
    drop-out rate Gamma(s, beta+T), so E[purchases in t] = (r+x)/(alpha+T) int_0^t ((beta+T)/(beta+T+u))^s du.
    """
    r, alpha, s, beta = (params[k] for k in ("r", "alpha", "s", "beta"))

    def dropped(tau):
        return ((alpha + T) / (alpha + tau)) ** (r + x) * ((beta + T) / (beta + tau)) ** s / (beta + tau)

    def still_buying(u):
        return ((beta + T) / (beta + T + u)) ** s

    ratio = s * quad(dropped, tx, T, epsabs=0, epsrel=1e-13, limit=200)[0] if tx < T else 0.0
    alive = 1.0 / (1.0 + ratio)
    expected = alive * (r + x) / (alpha + T) * quad(still_buying, 0, horizon, epsabs=0, epsrel=1e-13, limit=200)[0]
    return alive, expected


def test_reproduces_the_published_parameters(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.005), name
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.05)
    assert fitted.converged_ and fitted.n_customers_ == 2357 and fitted.n_unique_ < 2357


def test_front_door_exports_it():
    assert seg.ParetoNBDModel is ParetoNBDModel


@pytest.mark.parametrize("horizon", [39, 52])
def test_every_cdnow_customer_equals_the_integral_form(cdnow_summary, fitted, horizon):
    unique = cdnow_summary[["frequency", "recency", "T"]].drop_duplicates()
    alive, expected = np.array([reference(fitted.params_, *row, horizon) for row in unique.to_numpy()]).T
    np.testing.assert_allclose(fitted.probability_alive(unique), alive, rtol=1e-6)
    np.testing.assert_allclose(fitted.expected_purchases(unique, horizon), expected, rtol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7},  # alpha < beta, as on CDNOW
        {"r": 2.0, "alpha": 30.0, "s": 1.5, "beta": 4.0},  # alpha > beta: the other branch of A_0
        {"r": 1.0, "alpha": 5.0, "s": 0.8, "beta": 5.0},  # alpha = beta
        {"r": 0.3, "alpha": 2.0, "s": 1.0, "beta": 20.0},  # s = 1, where the expectation is a limit
    ],
    ids=["alpha<beta", "alpha>beta", "alpha=beta", "s=1"],
)
def test_both_branches_and_the_limits_equal_the_integral_form(params):
    model = model_with(**params)
    rows = np.array([[0, 0, 39], [0, 0, 3], [1, 2, 39], [5, 30, 39], [30, 38.5, 39], [200, 39, 39], [300, 35, 40]])
    s = pd.DataFrame(rows, columns=["frequency", "recency", "T"], dtype=float)
    alive, expected = np.array([reference(params, *row, 52) for row in rows]).T
    np.testing.assert_allclose(model.probability_alive(s), alive, rtol=1e-6)
    np.testing.assert_allclose(model.expected_purchases(s, 52), expected, rtol=1e-6)
    new = model.expected_repeat_purchases(np.array([0.0, 13, 52]))
    np.testing.assert_allclose(new, [reference(params, 0, 0, 0, t)[1] for t in (0, 13, 52)], rtol=1e-6)


def test_huge_frequencies_stay_finite_without_warnings():
    """The printed 2F1(r+s+x, r+x; r+s+x+1; z) overflows from a few hundred purchases when alpha < beta."""
    model = model_with(**PUBLISHED)
    s = pd.DataFrame({"frequency": [1e3, 1e4, 1e4], "recency": [39.0, 39, 30], "T": [39.0, 39, 39]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.probability_alive(s)
        expected = model.expected_purchases(s, 52)
    assert alive.iloc[1] == 1.0 and alive.iloc[2] == 0.0 and 0 < alive.iloc[0] <= 1
    alive_at_T, expected_at_T = reference(PUBLISHED, 1e4, 39, 39, 52)  # t_x = T: no integral to overflow
    assert expected.iloc[1] == pytest.approx(expected_at_T, rel=1e-6) and expected.iloc[2] == 0.0


def test_standard_errors_and_summary(cdnow_summary, fitted):
    """Against second differences of the log-likelihood's values (the fit's Hessian uses other steps)."""
    from segmentation.btyd.pareto_nbd import _log_likelihood

    x, tx, T = (cdnow_summary[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    p = np.array([fitted.params_[k] for k in ("r", "alpha", "s", "beta")])
    h = 1e-3 * p

    def ll(i, j, si, sj):
        q = p.copy()
        q[i] += si * h[i]
        q[j] += sj * h[j]
        return _log_likelihood(q, x, tx, T, np.ones(len(x)))

    hessian = np.array(
        [
            [
                (ll(i, j, 1, 1) - ll(i, j, 1, -1) - ll(i, j, -1, 1) + ll(i, j, -1, -1)) / (4 * h[i] * h[j])
                for j in range(4)
            ]
            for i in range(4)
        ]
    )
    expected = np.sqrt(np.diag(np.linalg.inv(-hessian)))
    np.testing.assert_allclose(list(fitted.standard_errors_.values()), expected, rtol=0.01)
    table = fitted.summary()
    assert table.index.tolist() == ["r", "alpha", "s", "beta"]
    assert np.isfinite(table.to_numpy()).all() and (table["standard_error"] > 0).all()
    assert (table["lower_95"] < table["estimate"]).all() and (table["estimate"] < table["upper_95"]).all()


def test_no_repeat_purchase_is_refused():
    s = pd.DataFrame({"frequency": [0.0, 0.0, 0.0], "recency": [0.0, 0.0, 0.0], "T": [10.0, 20.0, 30.0]})
    with pytest.raises(InsufficientDataError, match="Pareto/NBD: no customer made a repeat purchase"):
        ParetoNBDModel().fit(s)


params = st.fixed_dictionaries(
    {"r": st.floats(0.01, 50), "alpha": st.floats(0.01, 1000), "s": st.floats(0.01, 50), "beta": st.floats(0.01, 1000)}
)


@settings(max_examples=150, deadline=None)
@given(params, st.lists(histories(), min_size=1, max_size=5), st.floats(0, 2000), st.floats(0, 2000))
def test_expectations_are_finite_non_negative_and_grow_with_the_horizon(p, rows, h1, h2):
    model = model_with(**p)
    s = pd.DataFrame(rows, columns=["frequency", "recency", "T"], dtype=float)
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


@pytest.mark.parametrize("t", [0.0, 1.0, 39.0, 78.0])
def test_probability_of_n_purchases_is_a_distribution_with_the_expected_mean(fitted, t):
    n = np.arange(0, 400)
    p = fitted.probability_of_n_purchases(t, n)
    assert (p >= 0).all() and p.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * p).sum() == pytest.approx(float(fitted.expected_repeat_purchases(t)), rel=1e-8, abs=1e-12)
