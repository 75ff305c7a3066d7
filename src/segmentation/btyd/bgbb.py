"""The BG/BB model of discrete-time repeat buying (Fader, Hardie and Shang 2010), fitted by maximum likelihood.

For data where a transaction can happen only at discrete opportunities (one donation a year, one
event a quarter, one renewal a month): while alive, a customer transacts at each opportunity
with probability p ~ Beta(alpha, beta); before each opportunity they drop out for good with
probability theta ~ Beta(gamma, delta). A customer is summarised by ``frequency`` (x, repeat
transactions after the first, "birth" opportunity), ``recency`` (t_x, the number of the last
opportunity with a transaction, 0 if none) and ``periods`` (n, the opportunities since birth),
built from order lines by :func:`bgbb_summary`.

The likelihood (paper, equation 5) is

.. math:: L = \\frac{B(\\alpha+x, \\beta+n-x)}{B(\\alpha, \\beta)} \\frac{B(\\gamma, \\delta+n)}{B(\\gamma, \\delta)}
          + \\sum_{i=0}^{n-t_x-1} \\frac{B(\\alpha+x, \\beta+t_x-x+i)}{B(\\alpha, \\beta)}
          \\frac{B(\\gamma+1, \\delta+t_x+i)}{B(\\gamma, \\delta)}

(alive throughout, or dropped out just after opportunity t_x + i), every term a ratio of beta
functions evaluated as ``betaln`` and added in logs. It is evaluated on the **distinct**
``(x, t_x, n)`` rows with their counts as weights (a customer base over a few opportunities
has a few dozen), on the log scale of the parameters with L-BFGS-B and the exact gradient
(digamma terms); standard errors come from the Hessian, the central difference of that
gradient (:mod:`segmentation.btyd.fitting`).

The expectations are written as sums of survival probabilities, with no singularity: the
chance of being alive at opportunity j + 1 is :math:`B(\\gamma, \\delta+j+1) / B(\\gamma, \\delta)`,
so the paper's :math:`\\frac{\\delta}{\\gamma-1} \\frac{\\Gamma(\\gamma+\\delta)}{\\Gamma(1+\\delta)} [\\dots]` (equations 8
and 13), 0/0 at gamma = 1, is the sum of those probabilities over the opportunities ahead. Its
cost grows with the horizon (a million opportunities take under a tenth of a second).

It meets scikit-learn's estimator contract as :class:`~segmentation.btyd.bgnbd.BetaGeoModel`
does, on the same kind of summary frame. scikit-learn has no tag for "needs named columns"
(``two_d_array=False`` would make ``check_estimator`` skip every check, hiding the ones that
pass); the tags say ``positive_only`` (counts are never negative). tests/test_estimators.py runs
every ``check_estimator`` check and fails if one of these stops passing or one of the
expected failures starts passing:

- met: check_estimator_cloneable, check_estimator_tags_renamed, check_valid_tag_types,
  check_estimator_repr, check_no_attributes_set_in_init, check_estimators_unfitted,
  check_do_not_raise_errors_in_init_or_set_params, check_mixin_order,
  check_estimator_sparse_tag, check_estimator_sparse_array, check_estimator_sparse_matrix,
  check_parameters_default_constructible, check_get_params_invariance, check_set_params,
  check_fit1d, check_fit_non_negative;
- not met, because they fit a numpy array (refused: no column names):
  check_fit_score_takes_y, check_estimators_overwrite_params,
  check_dont_overwrite_parameters, check_estimators_fit_returns_self,
  check_readonly_memmap_input, check_n_features_in_after_fitting,
  check_positive_only_tag_during_fit, check_estimators_dtypes, check_complex_data,
  check_dtype_object, check_estimators_empty_data_messages, check_estimators_nan_inf,
  check_pipeline_consistency, check_estimators_pickle (both), check_f_contiguous_array_estimator,
  check_methods_sample_order_invariance, check_methods_subset_invariance,
  check_fit2d_1sample, check_fit2d_1feature, check_dict_unchanged, check_fit_idempotent,
  check_fit_check_is_fitted, check_n_features_in, check_fit2d_predict1d;
- not applicable: check_array_api_input (numpy only; scikit-learn skips it).

Examples
--------
>>> from segmentation.datasets.donations import load_donations
>>> model = BetaGeoBetaBinomModel().fit(load_donations())  # 11,104 donors, 6 yearly opportunities
>>> {k: round(v, 3) for k, v in model.params_.items()}  # published: 1.204, 0.750, 0.657, 2.783
{'alpha': 1.204, 'beta': 0.75, 'gamma': 0.657, 'delta': 2.783}
>>> round(model.log_likelihood_, 1)
-33225.6
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.special import betaln, digamma, gammaln, logsumexp
from sklearn.utils.validation import check_is_fitted

from segmentation.btyd.bgnbd import check_repeat_buying
from segmentation.btyd.fitting import RepeatBuyingModel, information_matrix
from segmentation.data.dataset import Dataset
from segmentation.errors import WorkbenchError
from segmentation.periods import as_date

SUMMARY_COLUMNS = ("frequency", "recency", "periods")
PARAMS = ("alpha", "beta", "gamma", "delta")
#: What each shape parameter describes, for the message of a fit that cannot identify it.
SHAPES = {
    "alpha": "how transaction probabilities vary across customers",
    "beta": "how transaction probabilities vary across customers",
    "gamma": "how drop-out probabilities vary across customers",
    "delta": "how drop-out probabilities vary across customers",
}
ADVICE = "fit more customers or more opportunities, or shrink the parameters with penalizer > 0"
#: The periods a summary can count opportunities in: years, quarters, months.
PERIODS = ("Y", "Q", "M")
#: Most terms of the likelihood evaluated at once (a block of rows; about 50 MB for the gradient).
BLOCK = 2**20


def check_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Refuse a summary that is not a DataFrame, lacks columns, or holds impossible histories, naming the rows.

    Returns ``frequency, recency, periods`` as floats.

    Examples
    --------
    >>> check_summary(pd.DataFrame({"frequency": [2, 3], "recency": [1, 4], "periods": [6, 3]}))
    Traceback (most recent call last):
    ...
    segmentation.errors.WorkbenchError: summary: 1 rows with recency > periods (first: [1]); 1 rows with frequency > recency (first: [0]); a BG/BB summary counts opportunities (see segmentation.btyd.bgbb.bgbb_summary)
    """
    expected = f"a pandas DataFrame with the columns {list(SUMMARY_COLUMNS)} (see segmentation.btyd.bgbb.bgbb_summary)"
    if sparse.issparse(summary):
        raise WorkbenchError(
            f"summary: sparse input is not supported; expected {expected}, got {type(summary).__name__}"
        )
    if not isinstance(summary, pd.DataFrame):
        raise WorkbenchError(
            f"summary: expected {expected}, got {type(summary).__name__}; an array has no column names"
        )
    missing = [c for c in SUMMARY_COLUMNS if c not in summary]
    if missing:
        raise WorkbenchError(f"summary: missing columns {missing}; expected {expected}")
    try:
        values = summary[list(SUMMARY_COLUMNS)].astype(float)
    except (TypeError, ValueError) as error:
        raise WorkbenchError(f"summary: {list(SUMMARY_COLUMNS)} must be whole numbers ({error})") from None

    def rows(mask: pd.Series, what: str) -> str:
        return f"{int(mask.sum())} rows with {what} (first: {list(values.index[mask][:5])})"

    checks = [
        (values.isna().any(axis=1) | np.isinf(values).any(axis=1), "an empty or infinite value"),
        ((values < 0).any(axis=1), "a negative value"),
        ((values != np.round(values)).any(axis=1), "a value that is not a whole number"),
        (values["recency"] > values["periods"], "recency > periods"),
        (values["frequency"] > values["recency"], "frequency > recency"),
        ((values["frequency"] == 0) & (values["recency"] > 0), "recency > 0 but no repeat transaction"),
    ]
    problems = [rows(mask, what) for mask, what in checks if mask.any()]
    if problems:
        raise WorkbenchError(
            "summary: "
            + "; ".join(problems)
            + "; a BG/BB summary counts opportunities (see segmentation.btyd.bgbb.bgbb_summary)"
        )
    return values


def _layout(x: np.ndarray, tx: np.ndarray, n: np.ndarray):
    """The arguments of the terms of L per row: column 0 alive at n, column 1 + i dropped out after t_x + i.

    Returns the offsets added to beta (in the first beta function), to gamma and to delta (in the
    second), and which columns are terms of the row (there are n - t_x of the second kind).
    """
    count = (n - tx).astype(int)
    width = int(count.max()) if len(count) else 0
    i = np.arange(width)
    beta_off = np.column_stack([n - x, tx[:, None] - x[:, None] + i])
    delta_off = np.column_stack([n, tx[:, None] + i])
    gamma_off = np.concatenate([[0.0], np.ones(width)])
    valid = np.column_stack([np.ones(len(x), dtype=bool), i < count[:, None]])
    return beta_off, gamma_off, delta_off, valid


def _log_terms(params, x: np.ndarray, layout) -> np.ndarray:
    alpha, beta, gamma, delta = params
    beta_off, gamma_off, delta_off, valid = layout
    with np.errstate(invalid="ignore"):
        terms = (
            betaln(alpha + x[:, None], beta + beta_off)
            - betaln(alpha, beta)
            + betaln(gamma + gamma_off, delta + delta_off)
            - betaln(gamma, delta)
        )
    return np.where(valid, terms, -np.inf)


def _blocks(x: np.ndarray, tx: np.ndarray, n: np.ndarray, budget: int = BLOCK) -> list:
    """The rows in blocks of similar width (n - t_x terms), each with its layout, of at most ``budget`` terms.

    A row has n - t_x + 1 terms: daily opportunities over years would make one table of
    rows x thousands of terms; blocks keep the memory bounded.
    """
    widths = (n - tx).astype(int)
    order = np.argsort(widths, kind="stable")
    blocks, start = [], 0
    for end in range(1, len(order) + 1):
        if end == len(order) or (end + 1 - start) * (widths[order[end]] + 1) > budget:
            rows = order[start:end]
            blocks.append((rows, _layout(x[rows], tx[rows], n[rows])))
            start = end
    return blocks


def _log_likelihood_rows(params, x: np.ndarray, tx: np.ndarray, n: np.ndarray) -> np.ndarray:
    """log L per row (module docstring)."""
    out = np.empty(len(x))
    for rows, layout in _blocks(x, tx, n):
        out[rows] = logsumexp(_log_terms(params, x[rows], layout), axis=1)
    return out


def _log_likelihood(params, x, tx, n, w) -> float:
    return float(np.sum(w * _log_likelihood_rows(params, x, tx, n)))


def _log_likelihood_and_gradient(params, x, tx, n, w, blocks) -> tuple[float, np.ndarray]:
    """The log-likelihood and its exact gradient in ``alpha, beta, gamma, delta``, summed over ``blocks``."""
    value, gradient = 0.0, np.zeros(4)
    for rows, layout in blocks:
        v, g = _block_log_likelihood_and_gradient(params, x[rows], w[rows], layout)
        value, gradient = value + v, gradient + g
    return value, gradient


def _block_log_likelihood_and_gradient(params, x, w, layout) -> tuple[float, np.ndarray]:
    """d log B(a, b) / da = psi(a) - psi(a + b): each term's derivative, weighted by its share of L."""
    alpha, beta, gamma, delta = params
    beta_off, gamma_off, delta_off, valid = layout
    terms = _log_terms(params, x, layout)
    log_l = logsumexp(terms, axis=1)
    share = np.where(valid, np.exp(terms - log_l[:, None]), 0.0)
    a1, b1 = alpha + x[:, None], beta + beta_off
    g1, d1 = gamma + gamma_off, delta + delta_off
    ab, gd = digamma(a1 + b1), digamma(g1 + d1)
    d_alpha = digamma(a1) - ab - digamma(alpha) + digamma(alpha + beta)
    d_beta = digamma(b1) - ab - digamma(beta) + digamma(alpha + beta)
    d_gamma = digamma(g1) - gd - digamma(gamma) + digamma(gamma + delta)
    d_delta = digamma(d1) - gd - digamma(delta) + digamma(gamma + delta)
    gradient = np.array([np.sum(w * np.sum(share * d, axis=1)) for d in (d_alpha, d_beta, d_gamma, d_delta)])
    return float(np.sum(w * log_l)), gradient


def _log_alive_sum(gamma: float, delta: float, start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """log of sum_{j=start}^{start+count-1} B(gamma, delta+j+1) / B(gamma, delta), -inf where count is 0.

    The probability of being alive at each of the ``count`` opportunities after ``start``; computed once per
    distinct (start, count).
    """
    start, count = np.broadcast_arrays(np.asarray(start, dtype=float), np.asarray(count, dtype=float))
    out = np.full(start.shape, -np.inf)
    pairs = np.stack([start.ravel(), count.ravel()], axis=1)
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    values = np.full(len(unique), -np.inf)
    for k, (s, c) in enumerate(unique):
        if c > 0:
            j = s + np.arange(int(c))
            values[k] = logsumexp(betaln(gamma, delta + j + 1)) - betaln(gamma, delta)
    out.flat[:] = values[np.ravel(inverse)]
    return out


def _check_opportunities(value, name: str) -> np.ndarray:
    numbers = np.asarray(value, dtype=float)
    if not (np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers))).all():
        raise WorkbenchError(f"{name} must hold whole numbers >= 0 of opportunities, got {value!r}")
    return numbers


class BetaGeoBetaBinomModel(RepeatBuyingModel):
    """BG/BB: transactions at discrete opportunities and the probability that a customer is still alive.

    Parameters
    ----------
    penalizer : float, default 0.0
        L2 penalty on the parameters, >= 0 (0 = plain maximum likelihood, as in the paper).
    initial : tuple of 4 floats, default None
        Starting ``alpha, beta, gamma, delta``, each > 0. None: all 1 (uniform transaction and
        drop-out probabilities; the formulas have no singularity there).
    max_iter : int, default 2000
        Most iterations of the optimiser (L-BFGS-B); a fit that needs more warns with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.

    Attributes
    ----------
    params_ : dict
        ``alpha, beta`` (the transaction probability's beta distribution), ``gamma, delta`` (the
        drop-out probability's).
    standard_errors_ : dict
        Standard error of each parameter (NaN when the fit did not converge); :meth:`summary`
        adds the 95% intervals.
    covariance_ : ndarray of shape (4, 4)
        Their covariance matrix, in the order of ``params_``.
    log_likelihood_ : float
        Log-likelihood of the data at ``params_`` (without the penalty).
    n_customers_, n_unique_ : int
        Customers fitted, and distinct ``(frequency, recency, periods)`` rows evaluated.
    converged_ : bool
        Whether the optimiser converged (when not, ``fit`` warned).
    n_iter_ : int
        Iterations the optimiser ran.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> BetaGeoBetaBinomModel(initial=(1, 1, 1)).fit(pd.DataFrame({"frequency": [1], "recency": [1], "periods": [2]}))
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'initial' parameter of BetaGeoBetaBinomModel must be None or 4 numbers > 0 (starting alpha, beta, gamma, delta). Got (1, 1, 1) instead.
    """

    PARAMS = PARAMS
    SUMMARY_COLUMNS = SUMMARY_COLUMNS
    check_summary = staticmethod(check_summary)
    check_repeat_buying = staticmethod(check_repeat_buying)

    def fit(self, summary: pd.DataFrame, y=None) -> BetaGeoBetaBinomModel:
        """Fit on a summary with ``frequency, recency, periods`` (one row per customer, see :func:`bgbb_summary`).

        Parameters
        ----------
        summary : DataFrame
            One row per customer, the columns found by name (others are ignored).
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        InsufficientDataError
            No repeat transaction at all, a single customer, or parameters the data cannot identify.

        Warns
        -----
        ConvergenceWarning
            When the optimiser stopped before converging (``converged_`` is then False).
        """
        start, grouped, (x, tx, n, w) = self._histories(summary, "BG/BB")
        blocks = _blocks(x, tx, n)

        def value_and_gradient(p: np.ndarray) -> tuple[float, np.ndarray]:
            return _log_likelihood_and_gradient(p, x, tx, n, w, blocks)

        return self._fit_likelihood(
            summary,
            "BG/BB",
            histories=(x, tx, n, w),
            customers=len(grouped),
            start=np.ones(4) if start is None else start,
            value_and_gradient=value_and_gradient,
            log_likelihood=lambda p: _log_likelihood(p, x, tx, n, w),
            information=lambda q: information_matrix(lambda p: value_and_gradient(p)[1], q),
            shapes=SHAPES,
            advice=ADVICE,
        )

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        """P(alive at opportunity n + 1 | x, t_x, n) per customer (paper, equation 11).

        ``B(alpha+x, beta+n-x) / B(alpha, beta) B(gamma, delta+n+1) / B(gamma, delta) / L``.

        Examples
        --------
        >>> from segmentation.datasets.donations import load_donations
        >>> model = BetaGeoBetaBinomModel().fit(load_donations())
        >>> s = pd.DataFrame({"frequency": [0, 6, 3, 3], "recency": [0, 6, 6, 3], "periods": [6, 6, 6, 6]})
        >>> model.probability_alive(s).round(3).tolist()
        [0.108, 0.93, 0.93, 0.095]
        """
        (x, tx, n), index = self._arrays(summary)
        alpha, beta, gamma, delta = self._params()
        log_alive = (
            betaln(alpha + x, beta + n - x) - betaln(alpha, beta) + betaln(gamma, delta + n + 1) - betaln(gamma, delta)
        )
        alive = np.exp(np.minimum(log_alive - _log_likelihood_rows(self._params(), x, tx, n), 0.0))
        return pd.Series(alive, index=index, name="probability_alive")

    def expected_purchases(self, summary: pd.DataFrame, horizon: int) -> pd.Series:
        """Expected transactions in the next ``horizon`` opportunities (n*) per customer (paper, equation 13).

        ``B(alpha+x+1, beta+n-x) / B(alpha, beta) / L`` times the sum over the opportunities ahead of
        the probability of being alive there, ``B(gamma, delta+j+1) / B(gamma, delta)`` for
        ``j = n .. n + n* - 1`` (the paper's closed form of that sum divides by gamma - 1).

        Examples
        --------
        >>> from segmentation.datasets.donations import load_donations
        >>> model = BetaGeoBetaBinomModel().fit(load_donations())
        >>> s = pd.DataFrame({"frequency": [0, 6, 3, 3], "recency": [0, 6, 6, 3], "periods": [6, 6, 6, 6]})
        >>> model.expected_purchases(s, 5).round(3).tolist()
        [0.073, 3.753, 2.19, 0.224]
        """
        horizon = float(_check_opportunities(horizon, "horizon"))
        arrays, index = self._arrays(summary)
        return pd.Series(self._expected_purchases(*arrays, horizon), index=index, name="expected_purchases")

    def _expected_purchases(self, x: np.ndarray, tx: np.ndarray, n: np.ndarray, horizon: float) -> np.ndarray:
        alpha, beta, gamma, delta = self._params()
        log_buy = (
            betaln(alpha + x + 1, beta + n - x) - betaln(alpha, beta) - _log_likelihood_rows(self._params(), x, tx, n)
        )
        return np.exp(log_buy + _log_alive_sum(gamma, delta, n, horizon))

    def expected_repeat_purchases(self, periods: np.ndarray | int) -> np.ndarray:
        """E[X(n)]: expected repeat transactions of a new customer over ``periods`` opportunities (equation 8).

        Examples
        --------
        >>> from segmentation.datasets.donations import load_donations
        >>> BetaGeoBetaBinomModel().fit(load_donations()).expected_repeat_purchases([0, 1, 6, 11]).round(3).tolist()
        [0.0, 0.499, 2.22, 3.389]
        """
        check_is_fitted(self)
        periods = _check_opportunities(periods, "periods")
        alpha, beta, gamma, delta = self._params()
        return alpha / (alpha + beta) * np.exp(_log_alive_sum(gamma, delta, 0.0, periods))

    def probability_of_n_purchases(self, periods: int, x: np.ndarray | int) -> np.ndarray:
        """P(X(n) = x): the probability that a new customer makes exactly ``x`` repeat transactions in ``periods`` (n).

        The paper's equation 7: ``C(n, x) B(alpha+x, beta+n-x) / B(alpha, beta) B(gamma, delta+n) / B(gamma, delta)``
        plus, for dropping out after opportunity i, ``sum_{i=x}^{n-1} C(i, x) B(alpha+x, beta+i-x) / B(alpha, beta)
        B(gamma+1, delta+i) / B(gamma, delta)``. The order of the arguments is that of the other models' method
        (the horizon first, then the counts).

        Examples
        --------
        >>> from segmentation.datasets.donations import load_donations
        >>> BetaGeoBetaBinomModel().fit(load_donations()).probability_of_n_purchases(6, [0, 1, 6]).round(3).tolist()
        [0.311, 0.17, 0.113]
        """
        check_is_fitted(self)
        n = float(_check_opportunities(periods, "periods"))
        counts = _check_opportunities(x, "x")
        alpha, beta, gamma, delta = self._params()

        def log_choose(a, b):
            return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)

        flat = counts.ravel()
        out = np.zeros(flat.shape)
        possible = flat <= n
        k = flat[possible]
        alive = (
            log_choose(n, k)
            + betaln(alpha + k, beta + n - k)
            - betaln(alpha, beta)
            + betaln(gamma, delta + n)
            - betaln(gamma, delta)
        )
        i = np.arange(int(n))
        with np.errstate(invalid="ignore"):
            dropped = (
                log_choose(i[None, :], k[:, None])
                + betaln(alpha + k[:, None], beta + i[None, :] - k[:, None])
                - betaln(alpha, beta)
                + betaln(gamma + 1, delta + i[None, :])
                - betaln(gamma, delta)
            )
        dropped = np.where(i[None, :] >= k[:, None], dropped, -np.inf)
        out[possible] = np.exp(logsumexp(np.column_stack([alive, dropped]), axis=1))
        return out.reshape(counts.shape)


def bgbb_summary(
    data: pd.DataFrame | Dataset,
    *,
    as_of: str | pd.Timestamp,
    period: str = "Y",
) -> pd.DataFrame:
    """The BG/BB summary from order lines: ``frequency, recency, periods`` per customer, counted in ``period`` s.

    Each customer's first period with a purchase is their birth (opportunity 0); the
    opportunities are the whole periods after it that have ended by ``as_of`` (the period
    holding ``as_of`` counts only if ``as_of`` is its last day), numbered 1 to ``periods``.
    ``frequency`` is the number of those with a purchase (several orders in one period count
    once), ``recency`` the number of the last one (0 if none). Orders after ``as_of`` and in the
    unfinished period are not used; a customer born in the unfinished period has 0 periods.

    Parameters
    ----------
    data : DataFrame or Dataset
        Order lines with ``customer_id`` and ``order_date``, or a Dataset (its transactions are used).
    as_of : str or Timestamp
        Last day of data used (inclusive).
    period : {"Y", "Q", "M"}, default "Y"
        The opportunity: a calendar year, quarter or month.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``, integer columns ``frequency, recency, periods``.

    Examples
    --------
    >>> orders = pd.DataFrame({"customer_id": ["a", "a", "a", "a", "b", "c"],
    ...     "order_date": pd.to_datetime(["2020-03-01", "2020-05-01", "2022-02-01", "2024-01-10",
    ...                                   "2021-06-01", "2024-02-01"])})
    >>> bgbb_summary(orders, as_of="2023-12-31")
                 frequency  recency  periods
    customer_id
    a                    1        2        3
    b                    0        0        2
    """
    if period not in PERIODS:
        raise WorkbenchError(f"period must be one of {list(PERIODS)} (year, quarter, month), got {period!r}")
    end = as_date(as_of, name="as_of")
    frame = data.transactions if isinstance(data, Dataset) else data
    if not isinstance(frame, pd.DataFrame):
        raise WorkbenchError(f"data: expected a DataFrame of order lines or a Dataset, got {type(frame).__name__}")
    missing = [c for c in ("customer_id", "order_date") if c not in frame]
    if missing:
        raise WorkbenchError(f"transactions: missing columns {missing}; expected customer_id and order_date")
    dates = pd.to_datetime(frame["order_date"], errors="coerce")
    if dates.isna().any():
        raise WorkbenchError(
            f"transactions: {int(dates.isna().sum())} rows whose order_date is empty or not a date "
            f"(first: {list(frame.index[dates.isna()][:5])})"
        )
    used = dates <= end
    numbers = dates[used].dt.to_period(period).map(lambda p: p.ordinal).astype(int)
    current = pd.Timestamp(end).to_period(period)
    last_whole = (
        current.ordinal if pd.Timestamp(end).normalize() == current.end_time.normalize() else current.ordinal - 1
    )
    bought = pd.DataFrame({"customer_id": frame.loc[used, "customer_id"].to_numpy(), "number": numbers.to_numpy()})
    bought = bought.drop_duplicates()
    birth = bought.groupby("customer_id")["number"].transform("min")
    bought["opportunity"] = bought["number"] - birth
    bought["periods"] = np.maximum(last_whole - birth, 0)
    repeat = bought[(bought["opportunity"] > 0) & (bought["opportunity"] <= bought["periods"])]
    out = pd.DataFrame(index=pd.Index(sorted(bought["customer_id"].unique()), name="customer_id"))
    out["frequency"] = repeat.groupby("customer_id").size().reindex(out.index, fill_value=0).astype(int)
    out["recency"] = repeat.groupby("customer_id")["opportunity"].max().reindex(out.index, fill_value=0).astype(int)
    out["periods"] = bought.groupby("customer_id")["periods"].first().reindex(out.index).astype(int)
    return out


__all__ = [
    "ADVICE",
    "PARAMS",
    "PERIODS",
    "SHAPES",
    "SUMMARY_COLUMNS",
    "BetaGeoBetaBinomModel",
    "bgbb_summary",
    "check_summary",
]
