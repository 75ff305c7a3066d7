"""RFM scores: recency, frequency and monetary value scored 1..n by quantiles.

The tie rule
------------
Cut points are the reference customers' quantiles at 1/n, 2/n, ... (linear interpolation).
A customer's score is one plus the number of cut points strictly below its value, plus half
(rounded down) of the cut points equal to it. So equal values always share a score (ties
are never broken by id or row order), and a value that sits on several coinciding cut
points lands in the middle of the bins it fills: with a single customer every score is the
middle one (3 of 5); when 60% of customers bought once, they fill bins 1-3 and all score 2.
Some scores then go unused; :meth:`RFMScorer.score_ranges` shows which.
Recency is scored the other way round: fewer days since the last purchase score higher.

Cut points are learned by :meth:`RFMScorer.fit` and shown by :meth:`RFMScorer.cut_points`;
fitted on a reference quarter they score later quarters on the same scale, so a customer's
score only moves when the customer does.

A DataFrame estimator
---------------------
:class:`RFMScorer` takes a pandas DataFrame and finds its three columns by name (the
``recency``, ``frequency`` and ``monetary`` parameters), the way
:class:`~sklearn.compose.ColumnTransformer` does: a table of customer features has dozens
of columns and which three are scored is a choice of names, not of positions. A numpy array
has no names, so it is refused with a :class:`~segmentation.errors.WorkbenchError` saying
so (sparse input too), instead of guessing which column is which. ``feature_names_in_`` and
``n_features_in_`` are the columns of the frame ``fit`` saw; ``transform`` takes any frame
holding the three named columns, in any order and with any other columns (a later quarter's
features need not have exactly the reference quarter's columns).

scikit-learn has no tag for "needs named columns" (a ``two_d_array=False`` tag would make
``check_estimator`` skip every check, hiding the ones that pass), so the tags stay those of
a transformer of 2-D data, with ``preserves_dtype=[]`` (the scores are integers and a code).
tests/test_estimators.py runs every ``check_estimator`` check and fails if one of these
stops passing or one of the expected failures starts passing:

- met: check_estimator_cloneable, check_estimator_tags_renamed, check_valid_tag_types,
  check_estimator_repr, check_no_attributes_set_in_init, check_estimators_unfitted,
  check_do_not_raise_errors_in_init_or_set_params, check_mixin_order,
  check_estimator_sparse_tag, check_estimator_sparse_array, check_estimator_sparse_matrix,
  check_transformers_unfitted, check_transformer_n_iter,
  check_parameters_default_constructible, check_get_params_invariance, check_set_params,
  check_fit1d;
- not met, because they fit a numpy array (refused: no column names):
  check_fit_score_takes_y, check_estimators_overwrite_params,
  check_dont_overwrite_parameters, check_estimators_fit_returns_self,
  check_readonly_memmap_input, check_n_features_in_after_fitting,
  check_positive_only_tag_during_fit, check_estimators_dtypes, check_complex_data,
  check_dtype_object, check_estimators_empty_data_messages, check_pipeline_consistency,
  check_estimators_nan_inf, check_estimators_pickle (both), check_f_contiguous_array_estimator,
  check_transformer_data_not_an_array, check_transformer_general (both),
  check_methods_sample_order_invariance,
  check_methods_subset_invariance, check_fit2d_1sample, check_fit2d_1feature,
  check_dict_unchanged, check_fit_idempotent, check_fit_check_is_fitted,
  check_n_features_in, check_fit2d_predict1d;
- not applicable: check_array_api_input (numpy only; scikit-learn skips it).

The parts of the contract those checks would cover are tested on DataFrames instead
(tests/test_estimators.py): clone, get/set params, fit returns self and leaves its
parameters and input alone, refitting gives the same result, the not-fitted error, pickling,
row order and subsets, ``feature_names_in_`` and ``get_feature_names_out``.

Examples
--------
>>> import pandas as pd
>>> X = pd.DataFrame({"rfm_recency_days": [5, 40, 200, 400], "purchase_days": [9, 3, 1, 1],
...                   "monetary_total": [900.0, 300.0, 50.0, 20.0]}, index=["a", "b", "c", "d"])
>>> RFMScorer().fit(X).transform(X)[["r_score", "f_score", "m_score"]].values.tolist()
[[5, 5, 5], [4, 4, 4], [2, 1, 2], [1, 1, 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from segmentation.errors import WorkbenchError

DIMENSIONS = ("recency", "frequency", "monetary")


def score_values(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Scores 1..len(edges)+1 for ``values`` (higher is better) by the tie rule above.

    Examples
    --------
    >>> score_values(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0, 2.0])).tolist()
    [1, 3, 5]
    """
    below = np.searchsorted(edges, values, side="left")
    equal = np.searchsorted(edges, values, side="right") - below
    return (1 + below + equal // 2).astype(int)


class RFMScorer(TransformerMixin, BaseEstimator):
    """Score customers 1..``n_bins`` on recency, frequency and monetary value.

    Parameters
    ----------
    n_bins : int, default 5
        Number of scores per dimension.
    recency, frequency, monetary : str
        Columns of ``X`` used for each dimension. Defaults are the columns of
        :func:`segmentation.features.customer_features`: ``rfm_recency_days`` (RFM recency,
        small is good), ``purchase_days`` and ``monetary_total``.

    Attributes
    ----------
    edges_ : dict of ndarray
        Learned cut points per dimension in the column's own units (ascending).
    n_features_in_ : int
        Number of columns of the frame seen by ``fit``.
    feature_names_in_ : ndarray of str
        The columns of the frame seen by ``fit`` (all of them, as in scikit-learn; three are
        scored). Not set when the column names are not all strings.

    Examples
    --------
    >>> X = pd.DataFrame({"rfm_recency_days": [5, 40], "purchase_days": [9, 3],
    ...                   "monetary_total": [900.0, 300.0], "region": ["north", "south"]})
    >>> scorer = RFMScorer(n_bins=2).fit(X)
    >>> scorer.feature_names_in_.tolist(), scorer.n_features_in_
    (['rfm_recency_days', 'purchase_days', 'monetary_total', 'region'], 4)
    """

    def __init__(
        self,
        n_bins: int = 5,
        *,
        recency: str = "rfm_recency_days",
        frequency: str = "purchase_days",
        monetary: str = "monetary_total",
    ):
        self.n_bins = n_bins
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary

    def _columns(self) -> dict[str, str]:
        return {"recency": self.recency, "frequency": self.frequency, "monetary": self.monetary}

    def _check_frame(self, X: object) -> None:
        """Refuse anything but a DataFrame: the three columns are found by name."""
        if isinstance(X, pd.DataFrame):
            return
        expected = f"a pandas DataFrame with the columns {list(self._columns().values())}"
        if sparse.issparse(X):
            raise WorkbenchError(
                f"RFMScorer: sparse input is not supported; X must be {expected}, got {type(X).__name__}"
            )
        raise WorkbenchError(
            f"RFMScorer: X must be {expected} (customer features, found by name), got {type(X).__name__}; "
            "an array has no column names"
        )

    def _values(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        self._check_frame(X)
        columns = self._columns()
        missing = [c for c in columns.values() if c not in X.columns]
        if missing:
            raise WorkbenchError(f"RFMScorer: columns {missing} missing from X; expected {list(columns.values())}")
        values = {d: X[c].to_numpy(dtype=float) for d, c in columns.items()}
        bad = {columns[d]: int((~np.isfinite(v)).sum()) for d, v in values.items() if (~np.isfinite(v)).any()}
        if bad:
            raise WorkbenchError(
                f"RFMScorer: missing or infinite values in {bad} (column: rows); every customer needs all three"
            )
        return values

    def fit(self, X: pd.DataFrame, y: object = None) -> RFMScorer:
        """Learn the cut points from reference customers ``X``.

        Parameters
        ----------
        X : DataFrame
            One row per customer with the three columns named by ``recency``, ``frequency``
            and ``monetary`` (other columns are allowed and ignored).
        y : ignored

        Returns
        -------
        self
        """
        if not isinstance(self.n_bins, (int, np.integer)) or isinstance(self.n_bins, bool) or self.n_bins < 2:
            raise ValueError(f"The 'n_bins' parameter of RFMScorer must be an int >= 2. Got {self.n_bins!r} instead.")
        values = self._values(X)
        if len(X) == 0:
            raise WorkbenchError("RFMScorer: cannot learn cut points from zero customers")
        validate_data(self, X, reset=True, skip_check_array=True)  # n_features_in_, feature_names_in_
        q = np.arange(1, self.n_bins) / self.n_bins
        self.edges_ = {d: np.quantile(v, q) for d, v in values.items()}
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Scores ``r_score, f_score, m_score`` and the code ``rfm`` ("545"), indexed like ``X``.

        ``X`` needs the three named columns; its other columns (and their order) may differ
        from those seen by ``fit``.
        """
        check_is_fitted(self, "edges_")
        values = self._values(X)
        r = self.n_bins + 1 - score_values(values["recency"], self.edges_["recency"])
        f = score_values(values["frequency"], self.edges_["frequency"])
        m = score_values(values["monetary"], self.edges_["monetary"])
        out = pd.DataFrame({"r_score": r, "f_score": f, "m_score": m}, index=X.index)
        out["rfm"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The columns of :meth:`transform`: ``r_score, f_score, m_score, rfm``.

        ``input_features``, when given, must equal ``feature_names_in_`` (as in scikit-learn).
        """
        check_is_fitted(self, "edges_")
        _check_feature_names_in(self, input_features)
        return np.array(["r_score", "f_score", "m_score", "rfm"], dtype=object)

    def cut_points(self) -> pd.DataFrame:
        """The learned cut points, one row per dimension, in the columns' own units.

        For frequency and monetary, a value above cut point k scores at least k + 1; for
        recency (days), a value above cut point k scores at most n_bins - k.
        """
        check_is_fitted(self, "edges_")
        columns = self._columns()
        rows = {f"{d} ({columns[d]})": e for d, e in self.edges_.items()}
        return pd.DataFrame.from_dict(rows, orient="index", columns=[f"cut_{k}" for k in range(1, self.n_bins)])

    def score_ranges(self, X: pd.DataFrame) -> pd.DataFrame:
        """For each dimension and score: how many customers of ``X`` got it and their value range."""
        scores = self.transform(X)
        rows = []
        for d, score_col in zip(DIMENSIONS, ("r_score", "f_score", "m_score"), strict=True):
            col = self._columns()[d]
            for s in range(1, self.n_bins + 1):
                v = X.loc[scores[score_col] == s, col]
                rows.append(
                    {
                        "dimension": d,
                        "column": col,
                        "score": s,
                        "customers": len(v),
                        "min": v.min() if len(v) else np.nan,
                        "max": v.max() if len(v) else np.nan,
                    }
                )
        return pd.DataFrame(rows)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # integer scores and a text code, whatever the input dtype
        return tags


__all__ = ["DIMENSIONS", "RFMScorer", "score_values"]
