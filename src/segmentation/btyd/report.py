"""The lifetime-value report's computation and tables: the model chosen on the holdout, its parameters, the CLV.

:func:`lifetime_value_report` runs the whole analysis behind ``notebooks/lifetime_value.ipynb``:

1. :func:`~segmentation.btyd.choice.compare_models` fits the candidates on the orders up to
   ``calibration_end`` and compares them on the holdout up to ``as_of``;
2. the best of them (smallest error per frequency bucket) is fitted again on **all** the orders
   up to ``as_of`` and values every customer over ``horizon`` weeks, with each customer's CLV
   interval (:func:`~segmentation.btyd.clv.clv_table` with ``interval``). When the longer data
   cannot identify the best model's parameters (an :class:`~segmentation.errors.InsufficientDataError`),
   the next best is used and :attr:`LifetimeValueReport.skipped` says why.

The other functions turn the result into the tables and sentences of the page, in the report's
language: :func:`comparison_table`, :func:`parameters_table`, :func:`clv_totals`,
:func:`top_customers`, :func:`choice_sentences` and :func:`value_sentences`. Tables keep the codes
(``pareto_nbd``, ``alpha``) for the CSV files; :func:`model_words` puts them in words for the page.

Examples
--------
>>> from segmentation.datasets.cdnow import load_cdnow
>>> result = lifetime_value_report(load_cdnow(sample=True), calibration_end="1997-09-30", as_of="1998-06-30",
...                                horizon=52, draws=20)
>>> result.comparison.chosen, result.model, result.skipped
('bgnbd', 'bgnbd', {})
>>> comparison_table(result.comparison).index.tolist()
['bgnbd', 'mbgnbd', 'pareto_nbd']
>>> parameters_table(result)[["model", "parameter"]].head(2).values.tolist()
[['bgnbd', 'r'], ['bgnbd', 'alpha']]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from segmentation.btyd.choice import CANDIDATES, ModelComparison, compare_models
from segmentation.btyd.clv import RepeatModel, clv_table
from segmentation.btyd.gamma_gamma import GammaGammaModel
from segmentation.data.dataset import Dataset
from segmentation.errors import InsufficientDataError, WorkbenchError
from segmentation.i18n import check_language, format_amount, format_day, format_number, format_percent, message
from segmentation.periods import as_date

#: The models whose names the catalogue has (``btyd.model.<key>``).
MODEL_KEYS = ("bgnbd", "mbgnbd", "pareto_nbd", "bgbb", "gamma_gamma")
#: Parameters written as the Greek letters of the papers on a page (the single letters stay as they are).
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ"}
#: Columns of :func:`top_customers`.
TOP_COLUMNS = ("frequency", "probability_alive", "expected_purchases", "clv", "clv_lower", "clv_upper")


@dataclass
class LifetimeValueReport:
    """The result of :func:`lifetime_value_report`.

    Attributes
    ----------
    comparison : ModelComparison
        The candidates fitted on the calibration period and compared on the holdout.
    model : str
        The model that values the customers: the chosen one, or the next best when it could not be
        fitted on all the data (see ``skipped``).
    table : DataFrame
        :func:`~segmentation.btyd.clv.clv_table` per customer, with ``clv_lower`` and ``clv_upper``.
    repeat_model : RepeatModel
        ``model`` fitted on all the orders up to ``as_of``.
    gamma_gamma : GammaGammaModel or None
        The model of order values; None when the customers' own order values are used.
    skipped : dict
        Better candidates that could not be fitted on all the data: name -> reason.
    calibration_end, as_of : Timestamp
    horizon : float
        Weeks valued.
    """

    comparison: ModelComparison
    model: str
    table: pd.DataFrame = field(repr=False)
    repeat_model: RepeatModel = field(repr=False)
    gamma_gamma: GammaGammaModel | None = field(repr=False)
    skipped: dict[str, str]
    calibration_end: pd.Timestamp
    as_of: pd.Timestamp
    horizon: float
    discount_rate: float


def lifetime_value_report(
    data: Dataset | pd.DataFrame,
    *,
    calibration_end: str | pd.Timestamp,
    as_of: str | pd.Timestamp,
    horizon: float = 52,
    discount_rate: float = 0.10,
    interval: float = 0.9,
    draws: int = 200,
    random_state: int = 0,
    candidates: tuple[str, ...] = CANDIDATES,
) -> LifetimeValueReport:
    """Choose the model on the holdout, refit it on all the data and value every customer (module docstring).

    Parameters
    ----------
    data : Dataset or DataFrame
        A Dataset, or its order lines, up to ``as_of`` at least.
    calibration_end : date
        Last day the candidates learn from for the comparison; the holdout runs from the day after to ``as_of``.
    as_of : date
        Last day of data; the customers are valued from it.
    horizon : float, default 52
        Weeks ahead.
    discount_rate : float, default 0.10
        Yearly rate.
    interval, draws, random_state
        The CLV interval (:func:`~segmentation.btyd.intervals.clv_interval`).
    candidates : tuple of str, default :data:`~segmentation.btyd.choice.CANDIDATES`

    Returns
    -------
    LifetimeValueReport

    Raises
    ------
    WorkbenchError
        ``calibration_end`` not before ``as_of``; no candidate that can be fitted; or none that can be
        fitted on all the data (the message gives each one's reason).
    """
    start, end = as_date(calibration_end, name="calibration_end"), as_date(as_of, name="as_of")
    if start >= end:
        raise WorkbenchError(
            f"calibration_end must be before as_of (the holdout lies between), got {start:%Y-%m-%d} and {end:%Y-%m-%d}"
        )
    lines = data.transactions if isinstance(data, Dataset) else data
    lines = lines.loc[lines["order_date"] <= end]
    comparison = compare_models(lines, calibration_end=start, holdout_end=end, candidates=candidates)
    fitted = comparison.table.loc[list(comparison.models)].sort_values("bucket_error", kind="stable")
    skipped = {}
    for name in fitted.index:
        try:
            table, repeat_model, gamma_gamma = clv_table(
                lines,
                calibration_end=end,
                horizon=horizon,
                discount_rate=discount_rate,
                model=name,
                interval=interval,
                draws=draws,
                random_state=random_state,
            )
        except InsufficientDataError as error:
            skipped[name] = str(error)
            continue
        return LifetimeValueReport(
            comparison=comparison,
            model=name,
            table=table,
            repeat_model=repeat_model,
            gamma_gamma=gamma_gamma,
            skipped=skipped,
            calibration_end=start,
            as_of=end,
            horizon=horizon,
            discount_rate=discount_rate,
        )
    raise WorkbenchError(
        f"no candidate can be fitted on the orders up to {end:%Y-%m-%d}: "
        + "; ".join(f"{k}: {v}" for k, v in skipped.items())
    )


def model_name(name: str, language: str = "en") -> str:
    """A model's name as readers know it (``Pareto/NBD``); a name of the caller's own as it is.

    Examples
    --------
    >>> model_name("pareto_nbd"), model_name("gamma_gamma", "zh"), model_name("mine")
    ('Pareto/NBD', 'Gamma-Gamma', 'mine')
    """
    return message(f"btyd.model.{name}", check_language(language)) if name in MODEL_KEYS else str(name)


def comparison_table(comparison: ModelComparison) -> pd.DataFrame:
    """The candidates that could be fitted, chosen first: holdout errors and calibration log-likelihood.

    Columns: ``log_likelihood``, ``actual``, ``predicted``, ``total_error``, ``bucket_error``,
    ``tracking_error`` (:mod:`segmentation.btyd.choice`), indexed by ``model``; a candidate that could
    not be fitted is left out (:func:`choice_sentences` names it).
    """
    table = comparison.table.loc[list(comparison.models)].drop(columns="failure").astype(float)
    order = [comparison.chosen, *(m for m in table.index if m != comparison.chosen)]
    return table.loc[order]


def candidate_tracking(tracking: pd.DataFrame, model: str) -> pd.DataFrame:
    """The tracking curve of one candidate: ``ModelComparison.tracking()`` with only ``model``'s predictions.

    For a panel per candidate (:func:`~segmentation.btyd.plots.plot_model_tracking` draws it): on one
    axes the candidates' curves often lie on top of each other.

    Examples
    --------
    >>> t = pd.DataFrame({"period_end": [pd.Timestamp("2024-01-07")], "t": [1.0], "holdout": [False],
    ...                   "actual": [3.0], "bgnbd": [2.5], "pareto_nbd": [2.0]})
    >>> candidate_tracking(t, "pareto_nbd").columns.tolist()
    ['period_end', 't', 'holdout', 'actual', 'pareto_nbd']
    """
    if model not in tracking.columns:
        raise WorkbenchError(f"model must be one of the tracking table's models, got {model!r}")
    return tracking[["period_end", "t", "holdout", "actual", model]]


def parameters_table(report: LifetimeValueReport) -> pd.DataFrame:
    """Estimate, standard error and 95% interval of each parameter of the models that value the customers.

    Columns ``model``, ``parameter``, ``estimate``, ``standard_error``, ``lower_95``, ``upper_95``:
    the repeat-buying model, then Gamma-Gamma when it gives the order values.
    """
    models = {report.model: report.repeat_model}
    if report.gamma_gamma is not None:
        models["gamma_gamma"] = report.gamma_gamma
    parts = [m.summary().reset_index().assign(model=name) for name, m in models.items()]
    table = pd.concat(parts, ignore_index=True)
    return table[["model", "parameter", "estimate", "standard_error", "lower_95", "upper_95"]]


def clv_totals(report: LifetimeValueReport) -> pd.DataFrame:
    """One row: customers valued, expected purchases and CLV summed over them, with the sums of their interval ends.

    The sums of the ends are a range for the total, not an interval computed on the total itself.
    """
    t = report.table
    return pd.DataFrame(
        {
            "customers": [len(t)],
            "expected_purchases": [float(t["expected_purchases"].sum())],
            "clv": [float(t["clv"].sum())],
            "clv_lower": [float(t["clv_lower"].sum())],
            "clv_upper": [float(t["clv_upper"].sum())],
        }
    )


def top_customers(report: LifetimeValueReport, n: int = 30) -> pd.DataFrame:
    """The ``n`` customers of highest CLV, highest first (ties by id), with their interval: :data:`TOP_COLUMNS`."""
    table = report.table[list(TOP_COLUMNS)].rename_axis("customer_id").reset_index()
    return table.sort_values(["clv", "customer_id"], ascending=[False, True], kind="stable").head(n)


def model_words(table: pd.DataFrame, language: str = "en", *, chosen: str | None = None) -> pd.DataFrame:
    """``table`` for a page: models by their names (``chosen`` marked), parameters as the papers write them.

    A ``model`` index becomes a column; ``bucket_error`` is written with three decimals (its
    differences between models are in the third).

    Examples
    --------
    >>> t = pd.DataFrame({"model": ["bgnbd", "gamma_gamma"], "parameter": ["alpha", "q"]})
    >>> model_words(t, chosen="bgnbd").values.tolist()
    [['BG/NBD (chosen)', 'α'], ['Gamma-Gamma', 'q']]
    """
    language = check_language(language)
    out = table.reset_index() if table.index.name == "model" else table.copy()

    def name(model: str) -> str:
        label = model_name(model, language)
        return message("btyd.plot.chosen", language, model=label) if model == chosen else label

    if "model" in out:
        out["model"] = out["model"].map(name)
    if "parameter" in out:
        out["parameter"] = out["parameter"].map(lambda p: GREEK.get(p, p))
    if "bucket_error" in out:
        out["bucket_error"] = out["bucket_error"].map(lambda v: format_number(v, language, digits=3))
    return out


def choice_sentences(report: LifetimeValueReport, language: str = "en") -> list[str]:
    """Which model was chosen and why, in plain words: the figures of the comparison, then any fallback.

    Examples
    --------
    >>> from segmentation.datasets.cdnow import load_cdnow
    >>> result = lifetime_value_report(load_cdnow(sample=True), calibration_end="1997-09-30",
    ...                                as_of="1998-06-30", draws=20)
    >>> print(choice_sentences(result)[0][:70])
    BG/NBD was chosen. Each model learnt from the orders up to 1997-09-30
    """
    language = check_language(language)
    comparison = report.comparison
    table = comparison_table(comparison)
    best = table.loc[comparison.chosen]
    others = message("btyd.report.separator", language).join(
        message(
            "btyd.report.other",
            language,
            model=model_name(m, language),
            error=format_number(table.loc[m, "bucket_error"], language, digits=3),
        )
        for m in table.index
        if m != comparison.chosen
    )
    lines = [
        message(
            "btyd.report.chosen",
            language,
            model=model_name(comparison.chosen, language),
            calibration_end=format_day(report.calibration_end, language),
            as_of=format_day(report.as_of, language),
            error=format_number(best["bucket_error"], language, digits=3),
            others=message("btyd.report.others", language, others=others) if others else "",
            predicted=format_number(best["predicted"], language),
            actual=format_number(best["actual"], language),
            total_error=("+" if best["total_error"] > 0 else "") + format_percent(best["total_error"], language),
        )
    ]
    for name in comparison.table.index[comparison.table["failure"].notna()]:
        lines.append(message("btyd.report.not_fitted", language, model=model_name(name, language)))
    for name in report.skipped:
        lines.append(
            message(
                "btyd.report.skipped",
                language,
                model=model_name(name, language),
                as_of=format_day(report.as_of, language),
                used=model_name(report.model, language),
            )
        )
    return lines


def value_sentences(report: LifetimeValueReport, language: str = "en", *, currency: str = "CNY") -> list[str]:
    """How the customers were valued, and what the base is worth with its range, in plain words."""
    language = check_language(language)
    totals = clv_totals(report).iloc[0]
    interval = report.table.attrs["interval"]
    lines = [
        message(
            "btyd.report.valued",
            language,
            model=model_name(report.model, language),
            as_of=format_day(report.as_of, language),
            horizon=format_number(report.horizon, language),
            rate=format_percent(report.discount_rate, language, digits=0),
        ),
        message(
            "btyd.report.total",
            language,
            customers=format_number(totals["customers"], language),
            clv=format_amount(totals["clv"], language, currency=currency),
            lower=format_amount(totals["clv_lower"], language, currency=currency),
            upper=format_amount(totals["clv_upper"], language, currency=currency),
            level=format_percent(interval["interval"], language, digits=0),
            draws=format_number(interval["draws"], language),
        ),
    ]
    key = "btyd.report.order_value_model" if report.gamma_gamma is not None else "btyd.report.order_value_observed"
    lines.append(message(key, language))
    return lines


__all__ = [
    "GREEK",
    "LifetimeValueReport",
    "TOP_COLUMNS",
    "candidate_tracking",
    "choice_sentences",
    "clv_totals",
    "comparison_table",
    "lifetime_value_report",
    "model_name",
    "parameters_table",
    "model_words",
    "top_customers",
    "value_sentences",
]
