"""Maximum likelihood for the buy-till-you-die models: the optimiser, the refusals, standard errors.

Every model of this subpackage fits its parameters the same way, so the steps live here once:

- :func:`maximise` runs L-BFGS-B on the log of the parameters (they are all > 0), from start
  values that sit on no singularity of the formulas;
- :func:`check_identified` refuses a fit whose shape parameters ran off towards 0 or infinity,
  the sign that the data cannot identify them (a single customer, order values without spread):
  the likelihood keeps improving along a ridge to the edge of the parameter space, and any
  point the optimiser stops at is arbitrary;
- :func:`information_matrix` and :func:`parameter_table` give the standard errors and the 95%
  intervals of the parameters from the Hessian of the log-likelihood at the optimum, as CLVTools
  reports them. The Hessian is the central difference of the exact gradient (or, for a model
  without one, the second difference of the log-likelihood), with steps proportional to each
  parameter. The interval is computed on the log scale, where the likelihood is closer to
  quadratic: ``exp(log(theta) +- 1.96 se / theta)`` (the delta method), never negative and
  not symmetric around the estimate.

Examples
--------
>>> import numpy as np
>>> table = parameter_table({"r": 2.0, "alpha": 4.0}, np.diag([0.01, 0.04]))
>>> table.round(3)
           estimate  standard_error  lower_95  upper_95
parameter
r               2.0             0.1     1.813     2.206
alpha           4.0             0.2     3.627     4.412
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from segmentation.errors import InsufficientDataError, WorkbenchError

#: Shape parameters outside [1 / MAX_SHAPE, MAX_SHAPE] have run off: a gamma mixing distribution with a shape of
#: 1e3 has a coefficient of variation of 3%, no heterogeneity a customer base shows, and a beta one with a or b at
#: 1e-3 puts nearly all its mass at an edge (nobody, or everybody, drops out). Fits of published data sets lie
#: within [0.05, 100]. Where the optimiser stops on a ridge running off is arbitrary (1e3 to 1e50 in tests).
MAX_SHAPE = 1e3
#: The z value of a two-sided 95% interval.
Z95 = 1.959963984540054


def check_initial(estimator: BaseEstimator, names: tuple[str, ...]) -> np.ndarray | None:
    """The ``initial`` parameter of ``estimator`` as positive floats, one per name in ``names``; None for "from the data".

    Raises scikit-learn's ``InvalidParameterError`` (a ``ValueError``) naming the parameter.

    Examples
    --------
    >>> from segmentation.btyd.bgnbd import PARAMS, BetaGeoModel
    >>> check_initial(BetaGeoModel(initial=(1, -1, 1, 1)), PARAMS)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'initial' parameter of BetaGeoModel must be None or 4 numbers > 0 (starting r, alpha, a, b). Got (1, -1, 1, 1) instead.
    """
    value = estimator.initial
    if value is None:
        return None
    try:
        start = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        start = None
    if start is None or start.shape != (len(names),) or not (np.isfinite(start) & (start > 0)).all():
        raise InvalidParameterError(
            f"The 'initial' parameter of {type(estimator).__name__} must be None or {len(names)} numbers > 0 "
            f"(starting {', '.join(names)}). Got {value!r} instead."
        )
    return start


def warn_not_converged(model: str, result, max_iter: int, stacklevel: int = 3) -> None:
    """A ``ConvergenceWarning`` for an optimiser ``result`` that did not converge, pointing at the caller's caller."""
    hint = "increase max_iter" if result.nit >= max_iter else "try other starting values (initial)"
    warnings.warn(
        f"{model} did not converge after {result.nit} iterations ({result.message}); "
        f"the parameters are the last iterate, not a maximum of the likelihood, and have no standard errors: {hint}",
        ConvergenceWarning,
        stacklevel=stacklevel,
    )


def numerical_gradient(function: Callable[[np.ndarray], float], params: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Central differences of ``function`` with steps proportional to each (positive) parameter."""
    gradient = np.empty(len(params))
    for j in range(len(params)):
        h = step * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        gradient[j] = (function(up) - function(down)) / (2 * h)
    return gradient


def maximise(
    value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray]],
    start: np.ndarray,
    *,
    model: str,
    initial: object,
    total: float,
    penalizer: float,
    max_iter: int,
    warn: bool = True,
):
    """Maximise a log-likelihood over positive parameters; the optimiser's result, ``x`` on the log scale.

    ``value_and_gradient(params)`` returns the log-likelihood and its gradient in the parameters;
    the objective is the mean negative log-likelihood plus ``penalizer`` times the sum of squared
    parameters. A result that is not finite raises a :class:`~segmentation.errors.WorkbenchError`
    naming ``initial``; one that did not converge warns (:func:`warn_not_converged`) unless ``warn`` is False.
    """

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = np.exp(log_params)
        ll, gradient = value_and_gradient(params)
        value = -ll / total + penalizer * np.sum(params**2)
        return value, (-gradient / total + 2 * penalizer * params) * params  # chain rule: d/d log p = p d/dp

    # Steps that overflow are rejected by the line search; a result that is not finite is an error below.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = minimize(
            objective,
            np.log(start),
            method="L-BFGS-B",
            jac=True,
            options={"maxiter": max_iter, "ftol": 1e-12, "gtol": 1e-9},
        )
    if not np.isfinite(result.fun) or not np.isfinite(result.x).all():
        raise WorkbenchError(
            f"{model}: the likelihood cannot be evaluated from initial={initial!r} ({result.message}); "
            "try other starting values"
        )
    if warn and not result.success:
        warn_not_converged(model, result, max_iter, stacklevel=4)
    return result


def check_identified(model: str, params: dict[str, float], shapes: dict[str, str], advice: str) -> None:
    """Refuse a fit whose shape parameters ran off (see :data:`MAX_SHAPE`), saying what the data lacks.

    ``shapes`` maps each shape parameter to what it describes ("how purchase rates vary across customers").

    Examples
    --------
    >>> check_identified("Gamma-Gamma", {"p": 6.1e37, "q": 7.6e62, "gamma": 3.4e26},
    ...                  {"p": "how order values vary", "q": "how order values vary"}, "the order values vary too little")
    Traceback (most recent call last):
    ...
    segmentation.errors.InsufficientDataError: Gamma-Gamma: the data cannot identify the parameters: p = 6.1e+37 and q = 7.6e+62 ran off to the edge of the parameter space (shape parameters must lie within [0.001, 1000]), so nothing can be learnt about how order values vary; the order values vary too little
    """
    off = [name for name in shapes if not 1 / MAX_SHAPE <= params[name] <= MAX_SHAPE]
    if off:
        what = sorted({shapes[name] for name in off})
        raise InsufficientDataError(
            f"{model}: the data cannot identify the parameters: "
            + " and ".join(f"{name} = {params[name]:.2g}" for name in off)
            + f" ran off to the edge of the parameter space (shape parameters must lie within "
            f"[{1 / MAX_SHAPE:g}, {MAX_SHAPE:g}]), so nothing can be learnt about {' or '.join(what)}; {advice}"
        )


def information_matrix(
    gradient: Callable[[np.ndarray], np.ndarray] | None,
    params: np.ndarray,
    *,
    log_likelihood: Callable[[np.ndarray], float] | None = None,
    step: float = 1e-5,
) -> np.ndarray:
    """The observed information, minus the Hessian of the log-likelihood in the (natural) parameters.

    From central differences of the exact ``gradient`` when there is one, else second differences
    of ``log_likelihood``; steps are ``step`` times each parameter.
    """
    n = len(params)
    h = step * params
    hessian = np.empty((n, n))
    if gradient is not None:
        for j in range(n):
            up, down = params.copy(), params.copy()
            up[j] += h[j]
            down[j] -= h[j]
            hessian[:, j] = (gradient(up) - gradient(down)) / (2 * h[j])
    else:
        f = log_likelihood
        centre = f(params)
        for i in range(n):
            for j in range(i, n):
                if i == j:
                    up, down = params.copy(), params.copy()
                    up[i] += h[i]
                    down[i] -= h[i]
                    hessian[i, i] = (f(up) - 2 * centre + f(down)) / h[i] ** 2
                    continue
                values = []
                for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                    p = params.copy()
                    p[i] += si * h[i]
                    p[j] += sj * h[j]
                    values.append(f(p))
                hessian[i, j] = hessian[j, i] = (values[0] - values[1] - values[2] + values[3]) / (4 * h[i] * h[j])
    return -(hessian + hessian.T) / 2


def covariance(information: np.ndarray, model: str, names: tuple[str, ...]) -> np.ndarray:
    """The inverse of the observed information; refused when it is not positive definite.

    A flat direction of the likelihood at its maximum means the data cannot tell some parameters apart.
    """
    scale = np.sqrt(np.abs(np.diag(information)))
    scale[scale == 0] = 1.0
    normalised = information / np.outer(scale, scale)
    eigenvalues = np.linalg.eigvalsh(normalised)
    if not np.all(np.isfinite(normalised)) or eigenvalues[0] <= 1e-10 * max(eigenvalues[-1], 1.0):
        raise InsufficientDataError(
            f"{model}: the data cannot identify the parameters {', '.join(names)}: the likelihood is flat "
            "in some direction at its maximum (its Hessian is singular); fit more customers or a longer "
            "calibration period"
        )
    return np.linalg.inv(normalised) / np.outer(scale, scale)


def store_fit(
    estimator: BaseEstimator,
    result,
    *,
    model: str,
    names: tuple[str, ...],
    shapes: dict[str, str],
    advice: str,
    information: Callable[[np.ndarray], np.ndarray],
    penalty: float = 0.0,
) -> np.ndarray:
    """Set what every fitted model holds, from the optimiser's ``result``; return the parameters.

    ``params_``, then the refusal of parameters that ran off (:func:`check_identified`), the
    warning of a fit that stopped early, ``covariance_`` and ``standard_errors_`` from
    ``information(params)`` plus the penalty's own curvature (``penalty`` times the identity: the
    penalised likelihood was the one maximised; NaN when the fit did not converge), ``converged_``
    and ``n_iter_``.
    """
    params = np.exp(result.x)
    estimator.params_ = dict(zip(names, (float(v) for v in params), strict=True))
    check_identified(model, estimator.params_, shapes, advice)
    if not result.success:
        warn_not_converged(model, result, estimator.max_iter, stacklevel=4)
    cov = np.full((len(names), len(names)), np.nan)
    if result.success:
        cov = covariance(information(params) + penalty * np.eye(len(names)), model, names)
    estimator.covariance_ = cov
    estimator.standard_errors_ = dict(zip(names, (float(v) for v in np.sqrt(np.diag(cov))), strict=True))
    estimator.converged_ = bool(result.success)
    estimator.n_iter_ = int(result.nit)
    return params


def parameter_table(params: dict[str, float], cov: np.ndarray) -> pd.DataFrame:
    """Estimate, standard error and 95% interval (log scale, see the module docstring) per parameter."""
    estimate = np.array(list(params.values()), dtype=float)
    se = np.sqrt(np.diag(cov))
    spread = np.exp(Z95 * se / estimate)
    return pd.DataFrame(
        {"estimate": estimate, "standard_error": se, "lower_95": estimate / spread, "upper_95": estimate * spread},
        index=pd.Index(list(params), name="parameter"),
    )


class RepeatBuyingModel(BaseEstimator):
    """What the repeat-buying models share: their parameters, the parameter table, the tags.

    A model subclasses it and sets ``PARAMS`` (its parameter names, in order), ``SUMMARY_COLUMNS``
    (the summary columns it reads) and ``check_summary`` (the function that checks a summary).
    Parameters are validated in ``fit``: ``penalizer`` >= 0, ``initial`` None or one number > 0
    per parameter, ``max_iter`` >= 1.
    """

    PARAMS: tuple[str, ...] = ()
    SUMMARY_COLUMNS: tuple[str, ...] = ()
    check_summary: Callable[[pd.DataFrame], pd.DataFrame]
    check_repeat_buying: Callable[[str, pd.DataFrame], None]

    _parameter_constraints: dict = {
        "penalizer": [Interval(Real, 0, None, closed="left")],
        "initial": ["array-like", None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        penalizer: float = 0.0,
        initial: tuple[float, ...] | None = None,
        max_iter: int = 2000,
    ):
        self.penalizer = penalizer
        self.initial = initial
        self.max_iter = max_iter

    def summary(self) -> pd.DataFrame:
        """Estimate, standard error and 95% interval of each parameter (see :mod:`segmentation.btyd.fitting`).

        Examples
        --------
        >>> from segmentation.btyd.bgnbd import BetaGeoModel
        >>> from segmentation.datasets.cdnow import calibration_summary
        >>> BetaGeoModel().fit(calibration_summary()).summary().round(3)
                   estimate  standard_error  lower_95  upper_95
        parameter
        r             0.243           0.013     0.219     0.268
        alpha         4.414           0.378     3.731     5.221
        a             0.793           0.186     0.501     1.255
        b             2.426           0.705     1.372     4.289
        """
        check_is_fitted(self)
        return parameter_table(self.params_, self.covariance_)

    def _histories(self, summary: pd.DataFrame, model: str) -> tuple[np.ndarray | None, pd.DataFrame, list]:
        """For ``fit``: the parameters checked, the start values, the distinct histories and their arrays.

        Returns ``(start, grouped, [one array per summary column..., weights])``; a summary no
        model can learn from is refused (``check_repeat_buying``).
        """
        self._validate_params()
        start = check_initial(self, self.PARAMS)
        values = type(self).check_summary(summary)
        type(self).check_repeat_buying(model, values)
        grouped = values.groupby(list(self.SUMMARY_COLUMNS)).size().reset_index(name="weight")
        return start, grouped, [grouped[c].to_numpy(dtype=float) for c in (*self.SUMMARY_COLUMNS, "weight")]

    def _arrays(self, summary: pd.DataFrame):
        check_is_fitted(self)
        values = type(self).check_summary(summary)
        return [values[c].to_numpy(dtype=float) for c in self.SUMMARY_COLUMNS], values.index

    def _params(self) -> tuple[float, ...]:
        return tuple(self.params_[k] for k in self.PARAMS)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True  # counts and durations
        return tags

    def _fit_likelihood(
        self,
        summary: pd.DataFrame,
        model: str,
        *,
        histories: tuple[np.ndarray, ...],
        customers: int,
        start: np.ndarray,
        value_and_gradient: Callable[[np.ndarray], tuple[float, np.ndarray]],
        log_likelihood: Callable[[np.ndarray], float],
        information: Callable[[np.ndarray], np.ndarray],
        shapes: object,
        advice: str,
    ) -> RepeatBuyingModel:
        """Maximise a model's log-likelihood over its distinct histories and store the fit.

        The one fitting step every model shares: ``maximise``, then ``store_fit`` (which refuses a
        fit that ran off, and keeps the standard errors from ``information``), then the fitted
        attributes (``log_likelihood_``, ``n_customers_``, ``n_unique_``).
        """
        from sklearn.utils.validation import validate_data

        total = histories[-1].sum()
        result = maximise(
            value_and_gradient,
            start,
            model=model,
            initial=self.initial,
            total=total,
            penalizer=self.penalizer,
            max_iter=self.max_iter,
            warn=False,  # a fit that ran off is refused by store_fit, not warned about
        )
        params = store_fit(
            self,
            result,
            model=model,
            names=self.PARAMS,
            shapes=shapes,
            advice=advice,
            information=information,
            penalty=2 * self.penalizer * total,
        )
        validate_data(self, summary, reset=True, skip_check_array=True)  # n_features_in_, feature_names_in_
        self.log_likelihood_ = log_likelihood(params)
        self.n_customers_, self.n_unique_ = int(total), customers
        return self


__all__ = [
    "RepeatBuyingModel",
    "MAX_SHAPE",
    "Z95",
    "check_identified",
    "check_initial",
    "covariance",
    "information_matrix",
    "maximise",
    "numerical_gradient",
    "parameter_table",
    "warn_not_converged",
]
