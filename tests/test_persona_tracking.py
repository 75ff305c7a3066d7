"""Stable persona ids across quarters, migration tables and safe model files."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from segmentation.personas.model import PersonaModel
from segmentation.personas.store import ModelFileError, load_persona_model, save_persona_model
from segmentation.personas.tracking import align_personas, persona_migration


def _blobs(centres, n=60, seed=0):
    rng = np.random.default_rng(seed)
    rows = [rng.normal(c, 0.3, size=(n, len(c))) for c in centres]
    return pd.DataFrame(np.vstack(rows), columns=["a", "b"])


CENTRES = [(0, 0), (6, 0), (0, 6)]


def test_refit_keeps_last_quarters_ids():
    sized = lambda sizes, seed: pd.concat(  # noqa: E731
        [_blobs([c], n=n, seed=seed + i) for i, (c, n) in enumerate(zip(CENTRES, sizes, strict=True))],
        ignore_index=True,
    )
    last = PersonaModel(n_clusters=3).fit(sized((100, 60, 30), 0))
    # Next quarter the groups have other sizes, so a fresh fit numbers them differently.
    now_X = sized((30, 60, 100), 10)
    now = PersonaModel(n_clusters=3, random_state=5).fit(now_X)
    before = now.predict(now_X)
    alignment = align_personas(now, last, now_X)
    assert alignment.table["status"].tolist() == ["kept"] * 3
    assert alignment.retired == []
    np.testing.assert_array_equal(now.predict(now_X), last.predict(now_X))
    np.testing.assert_array_equal(now.labels_, now.predict(now_X))
    assert not np.array_equal(before, now.predict(now_X))  # the renumbering did something


def test_a_new_cluster_gets_a_new_id_and_a_lost_one_is_retired():
    last = PersonaModel(n_clusters=3).fit(_blobs(CENTRES))
    now_X = _blobs([(0, 0), (6, 0), (-6, -6)], seed=3)  # (0, 6) gone, (-6, -6) appeared
    now = PersonaModel(n_clusters=3).fit(now_X)
    alignment = align_personas(now, last, now_X, max_distance=2.0)
    table = alignment.table.set_index("persona_id")
    assert (table["status"] == "new").sum() == 1
    new_id = table.index[table["status"] == "new"][0]
    assert new_id == 3
    assert alignment.retired == [int(last.predict(pd.DataFrame({"a": [0.0], "b": [6.0]}))[0])]
    assert now.predict(pd.DataFrame({"a": [-6.0], "b": [-6.0]}))[0] == 3


def test_alignment_tolerates_a_column_missing_now():
    X = _blobs(CENTRES).assign(c=0.0)
    last = PersonaModel(n_clusters=3).fit(X)
    now = PersonaModel(n_clusters=3).fit(X[["a", "b"]])
    with pytest.warns(UserWarning, match=r"missing now, filled with 0 or 'unknown' for the alignment only: \['c'\]"):
        alignment = align_personas(now, last, X[["a", "b"]])
    assert set(alignment.table["status"]) == {"kept"}


def test_migration_counts_moves_arrivals_and_departures():
    before = pd.Series({"a": 0, "b": 0, "c": 1, "d": 1})
    after = pd.Series({"a": 0, "b": 1, "c": 1, "e": 2})
    table = persona_migration(before, after, names=pd.Series({0: "zero", 1: "one", 2: "two"}))
    assert list(table.index) == ["zero", "one", "new customer", "total"]
    assert list(table.columns) == ["zero", "one", "two", "gone", "total"]
    assert table.loc["zero", "one"] == 1 and table.loc["one", "gone"] == 1 and table.loc["new customer", "two"] == 1
    assert table.loc["total", "total"] == 5


def test_model_file_round_trip(tmp_path):
    X = _blobs(CENTRES)
    model = PersonaModel(k_range=(2, 4), n_bootstrap=2).fit(X)
    path = tmp_path / "models" / "q3.skops"
    save_persona_model(model, path)
    loaded = load_persona_model(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    pd.testing.assert_frame_equal(loaded.k_scores_, model.k_scores_)
    assert not list(path.parent.glob("*.partial"))


def test_a_pickle_is_never_loaded(tmp_path):
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(PersonaModel(n_clusters=2).fit(_blobs(CENTRES))))
    with pytest.raises(ModelFileError, match="not a persona model written by the workbench .*pickles are never loaded"):
        load_persona_model(path)


def test_a_file_that_would_load_untrusted_code_is_refused(tmp_path):
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "evil.skops"
    sio.dump(FunctionTransformer(func=os.system), path)
    with pytest.raises(
        ModelFileError,
        match=r"refused; the file would create types the workbench does not trust: "
        r"\[.*system.*\]",
    ):
        load_persona_model(path)


def test_another_models_file_is_refused(tmp_path):
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "other.skops"
    sio.dump(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), path)
    with pytest.raises(ModelFileError, match="holds a LogisticRegression, not a persona model"):
        load_persona_model(path)


def test_missing_model_file_is_named(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load_persona_model(tmp_path / "nope.skops")
