"""The persona model: planted personas recovered, scikit-learn's API contract, parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import applicable_estimator_checks, check_name
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import check_fit_idempotent
from threadpoolctl import threadpool_info, threadpool_limits

from segmentation.data.dataset import Dataset
from segmentation.datasets.sample import PERSONAS, generate_sample
from segmentation.personas.analysis import find_personas
from segmentation.personas.features import clustering_columns
from segmentation.personas.model import PersonaModel

PLANTED_SEED = 7


@pytest.fixture(scope="module")
def planted():
    tables = generate_sample(1500, random_state=PLANTED_SEED)
    data = Dataset.from_frames(**{k: v for k, v in tables.items() if k != "truth"})
    run = find_personas(data, as_of="2025-09-30")
    truth = tables["truth"].set_index("customer_id")["persona"].reindex(run.features.index)
    return data, run, truth


def test_auto_k_finds_the_planted_personas(planted):
    _, run, truth = planted
    assert run.model.n_clusters_ == len(PERSONAS) == 5
    assert adjusted_rand_score(truth, run.model.labels_) >= 0.8
    scores = run.model.k_scores_
    assert scores["k"].tolist() == list(range(3, 9))
    assert scores.loc[scores["chosen"], "k"].tolist() == [5]
    assert scores[["silhouette", "calinski_harabasz", "davies_bouldin", "stability"]].notna().all().all()


def test_the_planted_sample_in_the_test_fixture_is_recovered_too(sample_dataset, sample_dir):
    run = find_personas(sample_dataset, as_of="2025-09-30")
    truth = pd.read_csv(sample_dir / "truth.csv", dtype=str).set_index("customer_id")["persona"]
    assert run.model.n_clusters_ == 5
    assert adjusted_rand_score(truth.reindex(run.features.index), run.model.labels_) >= 0.8


def test_same_seed_same_assignment(planted):
    data, run, _ = planted
    again = find_personas(data, as_of="2025-09-30")
    pd.testing.assert_frame_equal(again.assignments, run.assignments)
    pd.testing.assert_frame_equal(again.model.k_scores_, run.model.k_scores_)


def test_fitting_with_one_blas_thread_gives_the_same_model_and_restores_the_callers_threads(planted):
    """fit clusters with one BLAS thread (faster on 2 cores); the result is that of any thread count."""
    data, run, _ = planted
    X = run.features[clustering_columns(run.features)]
    threads = lambda: [p["num_threads"] for p in threadpool_info()]  # noqa: E731
    before = threads()
    clone(run.model).fit(X)
    assert threads() == before  # the fit's own limit is lifted when it returns
    with threadpool_limits(limits=1):  # every pool, OpenMP too: the fit must not depend on it
        alone = clone(run.model).fit(X)
        assert set(threads()) == {1}  # the caller's limit, not a default, is what the fit leaves
    assert alone.n_clusters_ == run.model.n_clusters_
    np.testing.assert_array_equal(alone.labels_, run.model.labels_)


def test_k_chosen_on_a_sample_then_fitted_on_everyone(planted):
    """More customers than selection_sample: k from a seeded sample, the model refined on all of them."""
    data, run, truth = planted
    X = run.features[clustering_columns(run.features)]
    model = PersonaModel(selection_sample=600, random_state=0).fit(X)
    assert model.selection_size_ == 600 and len(model.labels_) == len(X) == 1500
    assert model.n_clusters_ == 5 and adjusted_rand_score(truth, model.labels_) >= 0.8
    # the labels are those of a model fitted on everyone: its own predictions, its centres the means of its clusters
    assert (model.predict(X) == model.labels_).all()
    Z = model.embed(X).to_numpy()
    for cluster, persona in enumerate(model.persona_ids_):
        np.testing.assert_allclose(
            model.clusterer_.cluster_centers_[cluster], Z[model.labels_ == persona].mean(axis=0), atol=1e-6
        )
    again = PersonaModel(selection_sample=600, random_state=0).fit(X)
    assert (again.labels_ == model.labels_).all()
    pd.testing.assert_frame_equal(again.k_scores_, model.k_scores_)
    assert run.model.selection_size_ == 1500  # below the default 20,000 every customer is used
    noted = find_personas(data, as_of="2025-09-30", selection_sample=600)
    assert any("random sample of 600 of the 1,500 customers" in note for note in noted.notes)


def test_persona_ids_are_numbered_by_size(planted):
    _, run, _ = planted
    sizes = np.bincount(run.model.labels_)
    assert (np.diff(sizes) <= 0).all()


def test_an_analyst_can_override_k(planted):
    data, _, _ = planted
    run = find_personas(data, as_of="2025-09-30", n_clusters=4)
    assert run.model.n_clusters_ == 4 and run.model.k_scores_.empty
    assert sorted(run.assignments["persona_id"].unique()) == [0, 1, 2, 3]


def test_gaussian_mixture_option_scores_bic(planted):
    data, run, truth = planted
    X = run.features[clustering_columns(run.features)]
    model = PersonaModel(method="gmm", k_range=(4, 6), n_init=2, n_bootstrap=2).fit(X)
    assert model.k_scores_["bic"].notna().all()
    chosen = model.k_scores_.loc[model.k_scores_["chosen"]]
    stable = model.k_scores_.loc[model.k_scores_["stability"] >= model.min_stability]
    assert chosen["bic"].iloc[0] == stable["bic"].min()


def _two_groups(big=30, small=130, seed=0):
    """A few large, heavy-spending customers and many small ones (revenue is heavy-tailed)."""
    rng = np.random.default_rng(seed)
    n = big + small
    return pd.DataFrame(
        {
            "revenue": np.r_[rng.lognormal(12, 0.8, big), rng.lognormal(8, 0.8, small)],
            "visits": np.r_[rng.normal(6, 1, big), rng.normal(1, 0.5, small)],
            "share": rng.uniform(0, 1, n),
            "size_band": ["large"] * big + ["small"] * small,
        },
        index=[f"C{i:03d}" for i in range(n)],
    )


def test_preparation_logs_heavy_tails_and_encodes_categories():
    X = _two_groups()
    model = PersonaModel(n_clusters=2).fit(X)
    assert model.log_features_ == ["revenue"]
    assert model.categorical_features_ == ["size_band"]
    embedded = model.embed(X)
    assert list(embedded.columns) == ["revenue", "visits", "share", "size_band_large", "size_band_small"]
    assert embedded.index.equals(X.index)
    assert embedded[["revenue", "visits", "share"]].abs().max().max() <= model.clip
    assert set(embedded["size_band_large"].unique()) == {0.0, model.categorical_weight}


def test_pandas_in_and_out_and_pipeline():
    X = _two_groups()
    model = PersonaModel(n_clusters=2).fit(X)
    assigned = model.assign(X)
    assert assigned.index.equals(X.index) and assigned.name == "persona_id"
    distances = model.set_output(transform="pandas").transform(X)
    assert list(distances.columns) == ["persona_0_distance", "persona_1_distance"]
    assert (distances.to_numpy().argmin(axis=1) == assigned.to_numpy()).all()
    pipe = Pipeline([("personas", PersonaModel(n_clusters=2))]).fit(X)
    assert (pipe.predict(X) == assigned.to_numpy()).all()


def test_unseen_category_is_ignored_not_an_error():
    X = _two_groups()
    model = PersonaModel(n_clusters=2).fit(X)
    new = X.head(3).assign(size_band="medium")
    assert len(model.predict(new)) == 3


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_clusters": 0}, "'n_clusters' parameter of PersonaModel must be an int >= 1. Got 0"),
        ({"k_range": (1, 4)}, "'k_range' parameter of PersonaModel must be"),
        ({"k_range": (5, 3)}, "'k_range' parameter of PersonaModel must be"),
        ({"method": "dbscan"}, "'method' parameter of PersonaModel must be 'kmeans' or 'gmm'. Got 'dbscan'"),
        ({"min_stability": 1.5}, "'min_stability' parameter of PersonaModel must be in"),
        ({"selection_sample": 10}, "'selection_sample' parameter of PersonaModel must be an int >= 100. Got 10"),
        ({"categorical_weight": 0}, "'categorical_weight' parameter of PersonaModel must be a number > 0"),
        ({"log_features": ["size_band"]}, "log_features names columns that are not numeric features"),
        ({"log_features": ["nope"]}, r"not numeric features: \['nope'\]"),
    ],
    ids=[
        "k0",
        "low-range",
        "inverted-range",
        "method",
        "stability",
        "selection",
        "weight",
        "log-category",
        "log-unknown",
    ],
)
def test_bad_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        PersonaModel(**params).fit(_two_groups())


def test_log_of_negative_values_is_refused():
    X = _two_groups().assign(visits=lambda f: f["visits"] - 10)
    with pytest.raises(ValueError, match=r"non-negative to take log1p; negative values in \['visits'\]"):
        PersonaModel(n_clusters=2, log_features=["visits"]).fit(X)


def test_missing_values_are_refused_with_the_input_named():
    X = _two_groups()
    X.iloc[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        PersonaModel(n_clusters=2).fit(X)


# scikit-learn's API contract: every check except check_array_api_input (see conftest), on small configurations
# (k given or a k range of two, few starts and bootstraps): the contract does not depend on how many k are tried;
# the default k search is checked once, at full size, in test_the_default_model_is_idempotent_at_full_size.
SMALL = [
    PersonaModel(n_clusters=3, n_init=2),
    PersonaModel(k_range=(2, 3), n_bootstrap=2, n_init=2),
    PersonaModel(n_clusters=3, method="gmm", n_init=1),
]
_EVERY, _NOT_APPLICABLE, _APPLICABLE = applicable_estimator_checks(SMALL)


def test_only_the_array_api_check_is_left_out():
    left_out = {check_name(check) for _, check in _EVERY} - {check_name(c) for _, c in _APPLICABLE}
    assert left_out == _NOT_APPLICABLE
    assert len(_APPLICABLE) >= 3 * 45


def test_the_small_configurations_run_every_check_of_the_default_model():
    """Small settings change the time a check takes, not which checks run."""
    _, _, default = applicable_estimator_checks([PersonaModel()])
    names = [check_name(c) for _, c in default]
    for small in SMALL:
        assert [check_name(c) for e, c in _APPLICABLE if e is small] == names


# One thread for the checks (OpenMP too, not only BLAS as fit does): each check makes dozens of fits on
# ~100 rows, and on a busy 2-core machine the two threads of every tiny parallel loop of KMeans wait for each
# other; one thread is several times faster there (and gives the same model).
@pytest.mark.parametrize(("estimator", "check"), _APPLICABLE, ids=lambda x: check_name(x) if callable(x) else repr(x))
def test_scikit_learn_estimator_checks(estimator, check):
    with threadpool_limits(limits=1):
        check(estimator)


def test_the_default_model_is_idempotent_at_full_size():
    """The one full-size check: the default k search (k 3..8, 5 bootstraps, 10 starts) fits, predicts and
    transforms, and fitting again gives the same results."""
    with threadpool_limits(limits=1):
        check_fit_idempotent("PersonaModel", PersonaModel())


def test_too_few_customers_for_the_k_range_is_a_message():
    from segmentation.errors import WorkbenchError

    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "order_id": ["1", "2", "3"],
            "order_date": pd.to_datetime(["2024-01-01"] * 3),
            "amount": [1.0, 2.0, 3.0],
        }
    )
    with pytest.raises(
        WorkbenchError,
        match="personas: 3 customers with a purchase on or before 2024-06-30 allow at "
        "most 0 personas of at least 5 customers",
    ):
        find_personas(Dataset.from_frames(transactions=tx), as_of="2024-06-30")
