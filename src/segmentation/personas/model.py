"""The persona model: a scikit-learn clusterer over persona features, with k chosen from data.

:class:`PersonaModel` follows scikit-learn's conventions (``fit`` returns ``self``, learned
attributes end in ``_``, randomness only through ``random_state``, usable in a
``Pipeline``). It takes a DataFrame (pandas in) and prepares it itself:

1. heavy-tailed non-negative columns (revenue, order value, counts) are log-transformed
   (``log1p``); ``log_features="auto"`` picks the columns whose skewness exceeds 1;
2. numeric columns are scaled robustly (median and inter-quartile range) and clipped to
   ``[-clip, clip]`` so one extreme customer cannot own a cluster;
3. categorical columns (``industry``, ``size_band``, ``region``...) are one-hot encoded and
   weighted by ``categorical_weight``;
4. KMeans (default) or a Gaussian mixture (``method="gmm"``) groups the customers.

With ``n_clusters="auto"`` every k in ``k_range`` is fitted and scored: silhouette (on a
sample of ``silhouette_sample`` customers), Calinski-Harabasz, Davies-Bouldin, BIC for the
mixture, and stability, the mean adjusted Rand index between the full fit and fits on
``n_bootstrap`` bootstrap resamples. With more customers than ``selection_sample``, k is
chosen on a seeded random sample of that many customers and the model of the chosen k is then
refined on every customer (KMeans or the mixture started from the sample's solution): the
choice of k does not need a million customers, and the fit stays linear in them. Among the stable k (stability at least
``min_stability``; when none is, the most stable k is taken) the chosen k is the smallest
whose silhouette is within ``silhouette_tolerance`` of the best: a parsimony rule in the
spirit of the one-standard-error rule, since silhouettes of neighbouring k often differ
in the third decimal only. For the mixture the lowest BIC among the stable k wins. The whole table is in :attr:`PersonaModel.k_scores_`, so an analyst can
plot it and override k (``n_clusters=5``).

Persona ids are numbered by size (0 = the largest) and can be aligned with last quarter's
model (:func:`segmentation.personas.tracking.align_personas`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"revenue": np.r_[rng.lognormal(12, .3, 60), rng.lognormal(8, .3, 40)],
...                   "visits": np.r_[rng.normal(5, 1, 60), rng.normal(1, .5, 40)]})
>>> model = PersonaModel(k_range=(2, 4), n_bootstrap=3).fit(X)
>>> model.n_clusters_, np.bincount(model.labels_).tolist()
(2, [60, 40])
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import OneHotEncoder, RobustScaler
from sklearn.utils.validation import check_array, check_is_fitted, check_random_state, validate_data
from threadpoolctl import threadpool_limits


def heavy_tailed(values: pd.DataFrame) -> list[str]:
    """Non-negative numeric columns with skewness above 1: the ones to ``log1p``.

    Examples
    --------
    >>> heavy_tailed(pd.DataFrame({"revenue": [1.0, 2, 3, 1000], "score": [1.0, 2, 3, 4]}))
    ['revenue']
    """
    if len(values) < 3:
        return []
    skew = values.skew().fillna(0.0)
    return [c for c in values.columns if values[c].min() >= 0 and skew[c] > 1]


#: Columns of :attr:`PersonaModel.k_scores_`, and whether higher is better.
SCORES = {"silhouette": True, "calinski_harabasz": True, "davies_bouldin": False, "bic": False, "stability": True}


class PersonaModel(ClusterMixin, TransformerMixin, BaseEstimator):
    """Cluster customers into personas, choosing the number of personas from the data.

    Parameters
    ----------
    n_clusters : int or "auto", default "auto"
        Number of personas, or "auto" to choose it over ``k_range``.
    k_range : tuple of int, default (3, 8)
        Smallest and largest k tried (inclusive) when ``n_clusters="auto"``. Two personas
        rarely inform a playbook (the value tiers already split big from small), so the
        default starts at 3; pass ``(2, 8)`` to allow it.
    method : {"kmeans", "gmm"}, default "kmeans"
        KMeans or a Gaussian mixture (``covariance_type`` diagonal by default).
    covariance_type : str, default "diag"
        Passed to :class:`~sklearn.mixture.GaussianMixture`.
    log_features : "auto" or list of str, default "auto"
        Columns to ``log1p`` before scaling; "auto" takes the non-negative numeric columns
        with skewness above 1 in the data seen by ``fit``.
    categorical_weight : float, default 0.5
        Weight of each one-hot column against a robustly scaled numeric column.
    clip : float, default 5.0
        Scaled numeric values are clipped to ``[-clip, clip]``.
    n_init : int, default 10
        Restarts of each clustering.
    n_bootstrap : int, default 5
        Bootstrap resamples per k for the stability score (0 switches it off).
    bootstrap_size : int, default 20000
        Customers drawn per resample (fewer when there are fewer customers).
    silhouette_sample : int, default 5000
        Customers used for the silhouette score.
    silhouette_tolerance : float, default 0.01
        A smaller k is preferred unless a larger one has a silhouette higher by more than
        this (fewer personas are easier to act on).
    min_stability : float, default 0.8
        Smallest mean adjusted Rand index for a k to count as stable.
    selection_sample : int or None, default 20000
        With ``n_clusters="auto"`` and more customers than this, k is chosen on a random
        sample of this many customers (seeded by ``random_state``), then the chosen model is
        refined on all of them. None chooses k on every customer.
    random_state : int, RandomState or None, default 0
        Seed of every random step (the default gives the same personas on every run).

    Attributes
    ----------
    n_clusters_ : int
        Number of personas.
    labels_ : ndarray of shape (n_samples,)
        Persona id of each customer seen by ``fit``.
    persona_ids_ : ndarray of shape (n_clusters_,)
        Persona id of each cluster of the fitted clusterer.
    clusterer_ : KMeans or GaussianMixture
        The clustering fitted on the prepared data.
    k_scores_ : DataFrame
        One row per k tried (empty when ``n_clusters`` is an int), columns :data:`SCORES`.
    selection_size_ : int
        Customers k was chosen on (all of them, or ``selection_sample``; 0 when ``n_clusters``
        is an int).
    numeric_features_, categorical_features_, log_features_ : list of str
        The columns used, as found in ``fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``fit`` was given a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"orders": [1, 2, 1, 30, 32, 31.0], "size": ["s", "s", "s", "l", "l", "l"]})
    >>> PersonaModel(n_clusters=2).fit(X).predict(X).tolist()
    [0, 0, 0, 1, 1, 1]
    """

    def __init__(
        self,
        n_clusters: int | str = "auto",
        *,
        k_range: tuple[int, int] = (3, 8),
        method: str = "kmeans",
        covariance_type: str = "diag",
        log_features: str | list[str] = "auto",
        categorical_weight: float = 0.5,
        clip: float = 5.0,
        n_init: int = 10,
        n_bootstrap: int = 5,
        bootstrap_size: int = 20_000,
        silhouette_sample: int = 5000,
        silhouette_tolerance: float = 0.01,
        min_stability: float = 0.8,
        selection_sample: int | None = 20_000,
        random_state: int | np.random.RandomState | None = 0,
    ):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.method = method
        self.covariance_type = covariance_type
        self.log_features = log_features
        self.categorical_weight = categorical_weight
        self.clip = clip
        self.n_init = n_init
        self.n_bootstrap = n_bootstrap
        self.bootstrap_size = bootstrap_size
        self.silhouette_sample = silhouette_sample
        self.silhouette_tolerance = silhouette_tolerance
        self.min_stability = min_stability
        self.selection_sample = selection_sample
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Prepare the features, choose k when asked, and fit the clustering.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            One row per customer (for instance :func:`segmentation.personas.features`).
            Object, string and category columns are treated as categories.
        y : ignored

        Returns
        -------
        self
        """
        self._check_params()
        frame = self._as_frame(X, reset=True)
        self._learn_preparation(frame)
        Z = self._prepare(frame)
        # One BLAS thread while clustering. KMeans alternates k-means++ starts (numpy's OpenBLAS
        # threads) with Lloyd iterations (scikit-learn's OpenMP threads) hundreds of times in a k
        # search, and the two thread pools get in each other's way: on 2 cores the fit was about three
        # times slower with both (bench/README.md), with the same result.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit_prepared(Z)

    def _fit_prepared(self, Z: np.ndarray):
        n = len(Z)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        if self.n_clusters == "auto":
            low, high = self.k_range
            ks = [k for k in range(low, high + 1) if k < n]
            if not ks:
                raise ValueError(f"k_range {self.k_range} needs more than {low} customers; got {n}")
            chosen_on = Z
            if self.selection_sample is not None and n > self.selection_sample:
                sample = np.sort(np.random.default_rng(seed).choice(n, self.selection_sample, replace=False))
                chosen_on = Z[sample]
            rows, fits = [], {}
            for k in ks:
                row, fits[k] = self._score_k(chosen_on, k, seed)
                rows.append(row)
            self._k_scores = {name: [r[name] for r in rows] for name in ["k", *SCORES]}
            k = self._choose_k(rows)
            clusterer = fits[k] if chosen_on is Z else self._refine(fits[k], Z, k, seed)
            self.selection_size_ = len(chosen_on)
        else:
            if self.n_clusters > n:
                raise ValueError(f"n_clusters={self.n_clusters} must be at most the number of samples {n}")
            k = self.n_clusters
            clusterer = self._clusterer(k, seed).fit(Z)
            self._k_scores = {name: [] for name in ["k", *SCORES]}
            self.selection_size_ = 0
        raw = clusterer.predict(Z)
        sizes = np.bincount(raw, minlength=k)
        order = np.lexsort((np.arange(k), -sizes))  # largest first; ties by cluster index
        self.persona_ids_ = np.empty(k, dtype=np.int64)
        self.persona_ids_[order] = np.arange(k)
        self.clusterer_ = clusterer
        self.n_clusters_ = k
        self.labels_ = self.persona_ids_[raw]
        return self

    def _check_params(self) -> None:
        def positive_int(name, value, low=1):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
                raise ValueError(
                    f"The {name!r} parameter of PersonaModel must be an int >= {low}. Got {value!r} instead."
                )

        if self.n_clusters != "auto":
            positive_int("n_clusters", self.n_clusters)
        k_range = self.k_range
        if not (
            isinstance(k_range, (tuple, list))
            and len(k_range) == 2
            and all(isinstance(v, numbers.Integral) for v in k_range)
            and 2 <= k_range[0] <= k_range[1]
        ):
            raise ValueError(
                f"The 'k_range' parameter of PersonaModel must be (low, high) with 2 <= low <= high. "
                f"Got {k_range!r} instead."
            )
        if self.method not in {"kmeans", "gmm"}:
            raise ValueError(
                f"The 'method' parameter of PersonaModel must be 'kmeans' or 'gmm'. Got {self.method!r} instead."
            )
        positive_int("n_init", self.n_init)
        positive_int("n_bootstrap", self.n_bootstrap, low=0)
        positive_int("bootstrap_size", self.bootstrap_size, low=10)
        positive_int("silhouette_sample", self.silhouette_sample, low=10)
        if self.selection_sample is not None:
            positive_int("selection_sample", self.selection_sample, low=100)
        if not isinstance(self.silhouette_tolerance, numbers.Real) or not 0 <= self.silhouette_tolerance < 2:
            raise ValueError(
                f"The 'silhouette_tolerance' parameter of PersonaModel must be in [0, 2). "
                f"Got {self.silhouette_tolerance!r} instead."
            )
        for name in ("categorical_weight", "clip"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not value > 0:
                raise ValueError(f"The {name!r} parameter of PersonaModel must be a number > 0. Got {value!r} instead.")
        if not isinstance(self.min_stability, numbers.Real) or not 0 <= self.min_stability <= 1:
            raise ValueError(
                f"The 'min_stability' parameter of PersonaModel must be in [0, 1]. Got {self.min_stability!r} instead."
            )

    def _clusterer(self, k: int, seed: int):
        if self.method == "gmm":
            return GaussianMixture(
                k, covariance_type=self.covariance_type, n_init=self.n_init, random_state=seed, reg_covar=1e-4
            )
        return KMeans(k, n_init=self.n_init, random_state=seed)

    def _refine(self, fitted, Z: np.ndarray, k: int, seed: int):
        """The model fitted on the selection sample, refined on every customer (one start, from its solution)."""
        if self.method == "gmm":
            return GaussianMixture(
                k,
                covariance_type=self.covariance_type,
                n_init=1,
                random_state=seed,
                reg_covar=1e-4,
                weights_init=fitted.weights_,
                means_init=fitted.means_,
                precisions_init=fitted.precisions_,
            ).fit(Z)
        return KMeans(k, init=fitted.cluster_centers_, n_init=1, random_state=seed).fit(Z)

    def _score_k(self, Z: np.ndarray, k: int, seed: int) -> tuple[dict, object]:
        clusterer = self._clusterer(k, seed).fit(Z)
        labels = clusterer.predict(Z)
        row = {"k": k, **dict.fromkeys(SCORES, np.nan)}
        if len(np.unique(labels)) > 1:
            sample = min(len(Z), self.silhouette_sample)
            row["silhouette"] = float(silhouette_score(Z, labels, sample_size=sample, random_state=seed))
            row["calinski_harabasz"] = float(calinski_harabasz_score(Z, labels))
            row["davies_bouldin"] = float(davies_bouldin_score(Z, labels))
        if self.method == "gmm":
            row["bic"] = float(clusterer.bic(Z))
        if self.n_bootstrap:
            rng = np.random.default_rng(seed + k)
            size = min(len(Z), self.bootstrap_size)
            scores = []
            for _ in range(self.n_bootstrap):
                rows = rng.integers(0, len(Z), size)
                again = self._clusterer(k, int(rng.integers(2**31 - 1))).fit(Z[rows])
                scores.append(adjusted_rand_score(labels, again.predict(Z)))
            row["stability"] = float(np.mean(scores))
        return row, clusterer

    def _choose_k(self, rows: list[dict]) -> int:
        table = pd.DataFrame(rows)
        if self.n_bootstrap:
            stable = table.loc[table["stability"] >= self.min_stability]
            if stable.empty:
                return int(table.loc[table["stability"].idxmax(), "k"])
            table = stable
        if self.method == "gmm":
            return int(table.loc[table["bic"].idxmin(), "k"])
        if table["silhouette"].notna().any():
            best = table["silhouette"].max()
            return int(table.loc[table["silhouette"] >= best - self.silhouette_tolerance, "k"].min())
        return int(table["k"].iloc[0])

    # ------------------------------------------------------------ preparation
    def _as_frame(self, X, *, reset: bool) -> pd.DataFrame:
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            frame = X.copy()
            frame.columns = [str(c) for c in frame.columns]
            if len(frame) < 1:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
            return frame
        array = validate_data(self, X, reset=reset, ensure_min_samples=1)
        return pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])

    def _learn_preparation(self, frame: pd.DataFrame) -> None:
        categorical = [
            c
            for c in frame.columns
            if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
        ]
        numeric = [c for c in frame.columns if c not in categorical]
        values = self._numeric_array(frame, numeric)
        if self.log_features == "auto":
            logs = heavy_tailed(pd.DataFrame(values, columns=numeric))
        else:
            unknown = sorted(set(self.log_features) - set(numeric))
            if unknown:
                raise ValueError(f"log_features names columns that are not numeric features: {unknown}")
            negative = [c for c in self.log_features if values[:, numeric.index(c)].min(initial=0) < 0]
            if negative:
                raise ValueError(f"log_features must be non-negative to take log1p; negative values in {negative}")
            logs = list(self.log_features)
        self.numeric_features_, self.categorical_features_, self.log_features_ = numeric, categorical, logs
        self.scaler_ = RobustScaler(quantile_range=(10.0, 90.0)).fit(self._logged(values)) if numeric else None
        self.encoder_ = None
        if categorical:
            cats = frame[categorical].astype("string").fillna("unknown").astype(object)
            self.encoder_ = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(cats.to_numpy())

    def _numeric_array(self, frame: pd.DataFrame, numeric: list[str]) -> np.ndarray:
        if not numeric:
            return np.empty((len(frame), 0))
        return check_array(frame[numeric].to_numpy(dtype=float, na_value=np.nan), ensure_min_features=0, input_name="X")

    def _logged(self, values: np.ndarray) -> np.ndarray:
        out = values.copy()
        for c in self.log_features_:
            i = self.numeric_features_.index(c)
            out[:, i] = np.log1p(np.maximum(out[:, i], 0.0))
        return out

    def _prepare(self, frame: pd.DataFrame) -> np.ndarray:
        parts = []
        if self.numeric_features_:
            values = self._logged(self._numeric_array(frame, self.numeric_features_))
            parts.append(np.clip(self.scaler_.transform(values), -self.clip, self.clip))
        if self.categorical_features_:
            cats = frame[self.categorical_features_].astype("string").fillna("unknown").astype(object)
            parts.append(self.encoder_.transform(cats.to_numpy()) * self.categorical_weight)
        return np.hstack(parts) if parts else np.empty((len(frame), 0))

    # --------------------------------------------------------------- results
    def embed(self, X) -> pd.DataFrame:
        """The prepared features the clustering sees (logged, scaled, clipped, one-hot).

        Returns a DataFrame with the index of ``X`` (a RangeIndex for arrays).
        """
        check_is_fitted(self)
        frame = self._as_frame(X, reset=False)
        columns = list(self.numeric_features_)
        if self.encoder_ is not None:
            columns += list(self.encoder_.get_feature_names_out(self.categorical_features_))
        return pd.DataFrame(self._prepare(frame), index=frame.index, columns=columns)

    def predict(self, X) -> np.ndarray:
        """Persona id of each row of ``X``."""
        check_is_fitted(self)
        Z = self._prepare(self._as_frame(X, reset=False))
        return self.persona_ids_[self.clusterer_.predict(Z)]

    def assign(self, X) -> pd.Series:
        """Persona ids as a Series with the index of ``X`` (pandas out)."""
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        return pd.Series(self.predict(X), index=frame.index, name="persona_id")

    def transform(self, X) -> np.ndarray:
        """Distance of each row to each persona's centre, columns in persona-id order."""
        check_is_fitted(self)
        Z = self._prepare(self._as_frame(X, reset=False))
        centers = self.centers_
        return np.sqrt(((Z[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``persona_<id>_distance`` for each persona (the columns of :meth:`transform`)."""
        check_is_fitted(self)
        return np.array([f"persona_{i}_distance" for i in np.sort(self.persona_ids_)], dtype=object)

    @property
    def centers_(self) -> np.ndarray:
        """Centre of each persona in the prepared space, one row per persona in id order."""
        check_is_fitted(self)
        raw = self.clusterer_.means_ if self.method == "gmm" else self.clusterer_.cluster_centers_
        return raw[np.argsort(self.persona_ids_)]

    @property
    def k_scores_(self) -> pd.DataFrame:
        """The k-selection table (one row per k tried) with a ``chosen`` flag."""
        check_is_fitted(self)
        table = pd.DataFrame(self._k_scores, columns=["k", *SCORES]).astype({"k": int})
        table["chosen"] = table["k"] == self.n_clusters_
        return table

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.categorical = True
        return tags


__all__ = ["SCORES", "PersonaModel", "heavy_tailed"]
