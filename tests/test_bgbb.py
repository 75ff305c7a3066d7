"""BG/BB: the published donation figures, every prediction against the paper's formulas in mpmath, the summary."""

from __future__ import annotations

import warnings

import mpmath as mp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import segmentation as seg
from segmentation.btyd.bgbb import BetaGeoBetaBinomModel, bgbb_summary
from segmentation.datasets.donations import load_donations
from segmentation.errors import InsufficientDataError, WorkbenchError

# Fader, Hardie and Shang (2010), "Customer-Base Analysis in a Discrete-Time Noncontractual Setting",
# Marketing Science 29(6), table 2: the 1995 cohort of donors, six yearly opportunities.
PUBLISHED = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
PUBLISHED_LL = -33225.6
PARAMS = ("alpha", "beta", "gamma", "delta")


@pytest.fixture(scope="module")
def donors():
    return load_donations()


@pytest.fixture(scope="module")
def patterns():
    return load_donations(patterns=True)


@pytest.fixture(scope="module")
def fitted(donors):
    return BetaGeoBetaBinomModel().fit(donors)


def model_with(**params) -> BetaGeoBetaBinomModel:
    model = BetaGeoBetaBinomModel()
    model.params_ = {k: float(v) for k, v in params.items()}
    return model


def B(a, b):
    return mp.beta(a, b)


def reference(params: dict, x: int, tx: int, n: int, horizon: int) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """L (equation 5), P(alive at n+1) (equation 11) and E[X(n, n+n*)] (equation 13), as printed, 30 digits."""
    with mp.workdps(30):
        alpha, beta, gamma, delta = (mp.mpf(params[k]) for k in PARAMS)
        ab, gd = B(alpha, beta), B(gamma, delta)
        likelihood = B(alpha + x, beta + n - x) / ab * B(gamma, delta + n) / gd
        for i in range(n - tx):
            likelihood += B(alpha + x, beta + tx - x + i) / ab * B(gamma + 1, delta + tx + i) / gd
        alive = B(alpha + x, beta + n - x) / ab * B(gamma, delta + n + 1) / gd / likelihood
        g = mp.gamma
        bracket = g(1 + delta + n) / g(gamma + delta + n) - g(1 + delta + n + horizon) / g(gamma + delta + n + horizon)
        expected = (
            B(alpha + x + 1, beta + n - x) / ab * delta / (gamma - 1) * g(gamma + delta) / g(1 + delta) * bracket
        ) / likelihood
        return likelihood, alive, expected


def test_reproduces_the_published_parameters(fitted):
    for name, value in PUBLISHED.items():
        assert fitted.params_[name] == pytest.approx(value, rel=0.005), name
    assert fitted.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.05)
    assert fitted.converged_ and fitted.n_customers_ == 11104 and fitted.n_unique_ == 22


def test_front_door_exports_it():
    assert seg.BetaGeoBetaBinomModel is BetaGeoBetaBinomModel
    assert seg.bgbb_summary is bgbb_summary
    assert seg.load_donations is load_donations


def test_the_likelihood_equals_the_papers_on_every_pattern(fitted, patterns):
    from segmentation.btyd.bgbb import _log_likelihood

    x, tx, n, w = (patterns[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    params = np.array([fitted.params_[k] for k in PARAMS])
    expected = sum(
        float(wi * mp.log(reference(fitted.params_, int(a), int(b), int(c), 1)[0]))
        for a, b, c, wi in zip(x, tx, n, w, strict=True)
    )
    assert _log_likelihood(params, x, tx, n, w) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("horizon", [1, 5, 10])
def test_every_pattern_equals_the_papers_formulas(fitted, patterns, horizon):
    rows = patterns[["frequency", "recency", "periods"]]
    refs = [reference(fitted.params_, *map(int, row), horizon) for row in rows.to_numpy()]
    alive = np.array([float(r[1]) for r in refs])
    expected = np.array([float(r[2]) for r in refs])
    np.testing.assert_allclose(fitted.probability_alive(rows), alive, rtol=1e-10, atol=0)  # measured: 3e-15
    np.testing.assert_allclose(fitted.expected_purchases(rows, horizon), expected, rtol=1e-10, atol=0)


def test_unconditional_expectation_and_distribution_equal_equations_7_and_8(fitted):
    alpha, beta, gamma, delta = (mp.mpf(fitted.params_[k]) for k in PARAMS)
    g = mp.gamma

    def eq8(n):
        return (
            alpha
            / (alpha + beta)
            * delta
            / (gamma - 1)
            * (1 - g(gamma + delta) * g(1 + delta + n) / (g(gamma + delta + n) * g(1 + delta)))
        )

    def eq7(n, x):
        total = mp.binomial(n, x) * B(alpha + x, beta + n - x) / B(alpha, beta) * B(gamma, delta + n) / B(gamma, delta)
        for i in range(x, n):
            total += (
                mp.binomial(i, x)
                * B(alpha + x, beta + i - x)
                / B(alpha, beta)
                * B(gamma + 1, delta + i)
                / B(gamma, delta)
            )
        return total

    n = np.array([0, 1, 6, 11, 50])
    np.testing.assert_allclose(fitted.expected_repeat_purchases(n), [float(eq8(k)) for k in n], rtol=1e-10, atol=1e-15)
    counts = np.arange(0, 12)
    p = fitted.probability_of_n_purchases(11, counts)
    np.testing.assert_allclose(p, [float(eq7(11, int(k))) for k in counts], rtol=1e-10)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert (counts * p).sum() == pytest.approx(float(fitted.expected_repeat_purchases(11)), rel=1e-10)
    assert fitted.probability_of_n_purchases(3, [4, 5]).tolist() == [0.0, 0.0]  # more than the opportunities


def test_gamma_one_is_no_singularity():
    """The paper's closed forms divide by gamma - 1; the sums of survival probabilities do not."""
    rows = pd.DataFrame({"frequency": [0, 2, 4], "recency": [0, 3, 5], "periods": [6, 6, 6]})
    near = [model_with(alpha=1.2, beta=0.75, gamma=1 + d, delta=2.8) for d in (-1e-7, 0.0, 1e-7)]
    values = np.array([m.expected_purchases(rows, 5).to_numpy() for m in near])
    assert np.isfinite(values).all()
    np.testing.assert_allclose(values[1], values[0], rtol=1e-6)
    np.testing.assert_allclose(values[1], values[2], rtol=1e-6)


def test_gradient_is_exact(patterns):
    from segmentation.btyd.bgbb import _blocks, _log_likelihood, _log_likelihood_and_gradient

    x, tx, n, w = (patterns[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    p = np.array([1.3, 0.7, 0.9, 2.5])
    _, gradient = _log_likelihood_and_gradient(p, x, tx, n, w, _blocks(x, tx, n))
    numeric = []
    for j in range(4):
        h = np.zeros(4)
        h[j] = 1e-6 * p[j]
        numeric.append((_log_likelihood(p + h, x, tx, n, w) - _log_likelihood(p - h, x, tx, n, w)) / (2 * h[j]))
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6)


def test_blocks_of_rows_change_nothing():
    """Long histories (daily opportunities over years) are evaluated in blocks of rows; any split gives the same."""
    from segmentation.btyd.bgbb import _blocks, _log_likelihood_and_gradient

    rng = np.random.default_rng(0)
    n = rng.integers(0, 1500, 300).astype(float)
    tx = np.floor(rng.random(300) * (n + 1))
    x = np.where(tx > 0, np.ceil(rng.random(300) * tx), 0.0)
    w = rng.integers(1, 5, 300).astype(float)
    p = np.array([0.8, 3.0, 0.5, 40.0])
    whole = _log_likelihood_and_gradient(p, x, tx, n, w, _blocks(x, tx, n, budget=10**9))
    split = _blocks(x, tx, n, budget=5000)
    assert len(split) > 10 and sorted(np.concatenate([rows for rows, _ in split]).tolist()) == list(range(300))
    value, gradient = _log_likelihood_and_gradient(p, x, tx, n, w, split)
    assert value == pytest.approx(whole[0], rel=1e-12)
    np.testing.assert_allclose(gradient, whole[1], rtol=1e-10)


def test_standard_errors_agree_with_a_numerical_hessian(patterns, fitted):
    """Second differences of the log-likelihood's values (the fit differences the exact gradient)."""
    from segmentation.btyd.bgbb import _log_likelihood

    x, tx, n, w = (patterns[c].to_numpy(float) for c in ("frequency", "recency", "periods", "weights"))
    p = np.array([fitted.params_[k] for k in PARAMS])
    h = 1e-3 * p

    def ll(i, j, si, sj):
        q = p.copy()
        q[i] += si * h[i]
        q[j] += sj * h[j]
        return _log_likelihood(q, x, tx, n, w)

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
    np.testing.assert_allclose(list(fitted.standard_errors_.values()), expected, rtol=1e-3)  # measured: 7e-5
    table = fitted.summary()
    assert table.index.tolist() == list(PARAMS)
    assert np.isfinite(table.to_numpy()).all() and (table["standard_error"] > 0).all()
    assert (table["lower_95"] < table["estimate"]).all() and (table["estimate"] < table["upper_95"]).all()


def test_fitting_the_patterns_or_the_donors_is_the_same(donors):
    """Row order does not matter: the fit sees the distinct histories with their counts."""
    shuffled = donors.sample(frac=1.0, random_state=0)
    a, b = BetaGeoBetaBinomModel().fit(donors), BetaGeoBetaBinomModel().fit(shuffled)
    assert a.params_ == pytest.approx(b.params_, rel=1e-9)


def test_nobody_repeating_is_refused():
    s = pd.DataFrame({"frequency": [0, 0, 0], "recency": [0, 0, 0], "periods": [3, 6, 6]})
    with pytest.raises(InsufficientDataError, match="BG/BB: no customer made a repeat purchase"):
        BetaGeoBetaBinomModel().fit(s)
    with pytest.raises(InsufficientDataError, match="BG/BB: a single customer"):
        BetaGeoBetaBinomModel().fit(s.iloc[:1])


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            {"frequency": [1, -1], "recency": [2, 2], "periods": [3, 3]},
            r"1 rows with a negative value \(first: \[1\]\)",
        ),
        (
            {"frequency": [1, 1], "recency": [2, 4], "periods": [3, 3]},
            r"1 rows with recency > periods \(first: \[1\]\)",
        ),
        (
            {"frequency": [3, 1], "recency": [2, 2], "periods": [3, 3]},
            r"1 rows with frequency > recency \(first: \[0\]\)",
        ),
        (
            {"frequency": [0, 1], "recency": [2, 2], "periods": [3, 3]},
            r"1 rows with recency > 0 but no repeat transaction \(first: \[0\]\)",
        ),
        ({"frequency": [1.5, 1], "recency": [2, 2], "periods": [3, 3]}, r"not a whole number \(first: \[0\]\)"),
        ({"frequency": [np.nan, 1], "recency": [2, 2], "periods": [3, 3]}, r"empty or infinite value \(first: \[0\]\)"),
        ({"frequency": [1, 1], "recency": [2, 2]}, r"missing columns \['periods'\]"),
    ],
    ids=["negative", "recency>periods", "frequency>recency", "recency-without-repeat", "fraction", "nan", "missing"],
)
def test_bad_summaries_are_refused_with_the_rows(frame, message):
    s = pd.DataFrame(frame)
    with pytest.raises(WorkbenchError, match=message):
        BetaGeoBetaBinomModel().fit(s)


def test_horizons_and_periods_must_be_whole_numbers(fitted, patterns):
    rows = patterns[["frequency", "recency", "periods"]]
    with pytest.raises(WorkbenchError, match="horizon must hold whole numbers >= 0 of opportunities, got 2.5"):
        fitted.expected_purchases(rows, 2.5)
    with pytest.raises(WorkbenchError, match="periods must hold whole numbers >= 0"):
        fitted.expected_repeat_purchases(-1)
    with pytest.raises(WorkbenchError, match="x must hold whole numbers >= 0"):
        fitted.probability_of_n_purchases(6, [0.5])


params = st.fixed_dictionaries(
    {
        "alpha": st.floats(0.01, 100),
        "beta": st.floats(0.01, 100),
        "gamma": st.floats(0.01, 100),
        "delta": st.floats(0.01, 100),
    }
)


@st.composite
def histories(draw):
    n = draw(st.integers(0, 200))
    tx = draw(st.integers(0, n))
    x = draw(st.integers(1, tx)) if tx > 0 else 0
    return x, tx, n


@settings(max_examples=150, deadline=None)
@given(params, st.lists(histories(), min_size=1, max_size=5), st.integers(0, 300), st.integers(0, 300))
def test_expectations_are_finite_non_negative_and_grow_with_the_horizon(p, rows, h1, h2):
    model = model_with(**p)
    s = pd.DataFrame(rows, columns=["frequency", "recency", "periods"])
    short_h, long_h = sorted((h1, h2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alive = model.probability_alive(s).to_numpy()
        short, long = (model.expected_purchases(s, h).to_numpy() for h in (short_h, long_h))
        curve = model.expected_repeat_purchases(np.array([short_h, long_h]))
    assert ((alive >= 0) & (alive <= 1)).all()
    for values in (short, long, curve):
        assert np.isfinite(values).all() and (values >= 0).all()
    assert (long >= short * (1 - 1e-12)).all()
    assert curve[1] >= curve[0] * (1 - 1e-12)
    assert (long <= long_h + 1e-9).all()  # at most one transaction per opportunity


ORDERS = pd.DataFrame(
    {
        "customer_id": ["a", "a", "a", "a", "a", "b", "b", "c", "d"],
        "order_date": pd.to_datetime(
            [
                "2020-03-01",  # a is born in 2020 (and 2020Q1, 2020-03)
                "2020-11-01",  # the birth year again: no repeat by year, a repeat by quarter and month
                "2022-02-01",
                "2022-02-20",  # a second order in the same month counts once
                "2024-01-10",  # after as_of: unused
                "2021-06-01",
                "2023-12-31",  # the last day of as_of's year, quarter and month
                "2023-07-15",
                "2024-02-01",  # born after as_of: no row
            ]
        ),
        "amount": 1.0,
    }
)


@pytest.mark.parametrize(
    ("period", "as_of", "expected"),
    [
        ("Y", "2023-12-31", {"a": (1, 2, 3), "b": (1, 2, 2), "c": (0, 0, 0)}),
        ("Y", "2023-12-30", {"a": (1, 2, 2), "b": (0, 0, 1), "c": (0, 0, 0)}),  # 2023 is not whole yet
        ("Q", "2023-12-31", {"a": (2, 8, 15), "b": (1, 10, 10), "c": (0, 0, 1)}),
        ("M", "2023-12-31", {"a": (2, 23, 45), "b": (1, 30, 30), "c": (0, 0, 5)}),
        ("M", "2022-02-10", {"a": (1, 8, 22), "b": (0, 0, 7)}),  # a's February orders: one not yet, one after
    ],
    ids=["years", "year-not-whole", "quarters", "months", "months-early"],
)
def test_bgbb_summary_by_hand(period, as_of, expected):
    out = bgbb_summary(ORDERS, as_of=as_of, period=period)
    assert out.columns.tolist() == ["frequency", "recency", "periods"]
    assert out.index.name == "customer_id"
    assert {k: tuple(v) for k, v in out.iterrows()} == expected
    assert (out.dtypes == "int64").all()
    from segmentation.btyd.bgbb import check_summary

    check_summary(out)  # every summary it builds is one the model takes


def test_bgbb_summary_refuses_what_it_cannot_read():
    with pytest.raises(WorkbenchError, match=r"period must be one of \['Y', 'Q', 'M'\].*got 'W'"):
        bgbb_summary(ORDERS, as_of="2023-12-31", period="W")
    with pytest.raises(match=r"missing columns \['order_date'\]"):
        bgbb_summary(ORDERS.drop(columns="order_date"), as_of="2023-12-31")
    bad = ORDERS.assign(order_date=ORDERS["order_date"].astype(object))
    bad.loc[2, "order_date"] = "yesterday"
    with pytest.raises(match=r"1 rows whose order_date is empty or not a date \(first: \[2\]\)"):
        bgbb_summary(bad, as_of="2023-12-31")
    with pytest.raises(WorkbenchError, match="as_of"):
        bgbb_summary(ORDERS, as_of="not a date")


def test_summary_then_fit_on_a_dataset_of_order_lines():
    """From order lines to a fit: the yearly summary of a generated cohort fits and predicts."""
    rng = np.random.default_rng(3)
    rows = []
    for c in range(400):
        p, theta = rng.beta(1.2, 0.75), rng.beta(0.66, 2.8)
        rows.append((f"C{c}", "2015-05-01"))
        for year in range(2016, 2022):
            if rng.random() < theta:
                break
            if rng.random() < p:
                rows.append((f"C{c}", f"{year}-06-01"))
    orders = pd.DataFrame(rows, columns=["customer_id", "order_date"]).assign(
        order_date=lambda f: pd.to_datetime(f["order_date"])
    )
    summary = bgbb_summary(orders, as_of="2021-12-31")
    assert len(summary) == 400 and (summary["periods"] == 6).all()
    model = BetaGeoBetaBinomModel().fit(summary)
    assert model.converged_
    predicted = model.expected_repeat_purchases(6) * len(summary)
    assert predicted == pytest.approx(summary["frequency"].sum(), rel=0.1)
