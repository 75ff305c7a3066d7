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
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

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
    n_features_in_, feature_names_in_
        As in scikit-learn.
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

    def _values(self, X: pd.DataFrame) -> dict[str, np.ndarray]:
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"RFMScorer expects a DataFrame of customer features, got {type(X).__name__}")
        columns = self._columns()
        missing = [c for c in columns.values() if c not in X.columns]
        if missing:
            raise ValueError(f"RFMScorer: columns {missing} missing from X; expected {list(columns.values())}")
        values = {d: X[c].to_numpy(dtype=float) for d, c in columns.items()}
        bad = {columns[d]: int((~np.isfinite(v)).sum()) for d, v in values.items() if (~np.isfinite(v)).any()}
        if bad:
            raise ValueError(
                f"RFMScorer: missing or infinite values in {bad} (column: rows); every customer needs all three"
            )
        return values

    def fit(self, X: pd.DataFrame, y: object = None) -> RFMScorer:
        """Learn the cut points from reference customers ``X``."""
        if not isinstance(self.n_bins, (int, np.integer)) or self.n_bins < 2:
            raise ValueError(f"The 'n_bins' parameter of RFMScorer must be an int >= 2. Got {self.n_bins!r} instead.")
        values = self._values(X)
        if len(X) == 0:
            raise ValueError("RFMScorer: cannot learn cut points from zero customers")
        q = np.arange(1, self.n_bins) / self.n_bins
        self.edges_ = {d: np.quantile(v, q) for d, v in values.items()}
        self.n_features_in_ = 3
        self.feature_names_in_ = np.array(list(self._columns().values()), dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Scores ``r_score, f_score, m_score`` and the code ``rfm`` ("545"), indexed like ``X``."""
        check_is_fitted(self, "edges_")
        values = self._values(X)
        r = self.n_bins + 1 - score_values(values["recency"], self.edges_["recency"])
        f = score_values(values["frequency"], self.edges_["frequency"])
        m = score_values(values["monetary"], self.edges_["monetary"])
        out = pd.DataFrame({"r_score": r, "f_score": f, "m_score": m}, index=X.index)
        out["rfm"] = out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
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


__all__ = ["DIMENSIONS", "RFMScorer", "score_values"]
