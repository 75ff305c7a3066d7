"""Stable persona identities across quarters, and the migration of customers between them.

Re-fitting next quarter numbers clusters afresh. :func:`align_personas` gives the new
clusters last quarter's ids: the new clusters' centres are placed in the *previous* model's
prepared space (the new quarter's customers, prepared by last quarter's scaler and
encoder), and matched to the previous centres by minimum total distance (Hungarian
assignment, :func:`scipy.optimize.linear_sum_assignment`). A new cluster farther than
``max_distance`` from every unmatched previous centre, or left over when k grew, gets a new
id; a previous persona left unmatched is reported as retired.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from segmentation.personas.model import PersonaModel
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"a": np.r_[rng.normal(0, .3, 50), rng.normal(5, .3, 30)]})
>>> last = PersonaModel(n_clusters=2).fit(X)
>>> now = PersonaModel(n_clusters=2, random_state=3).fit(X.iloc[::-1])
>>> align_personas(now, last, X.iloc[::-1]).table["status"].tolist()
['kept', 'kept']
>>> bool((now.predict(X) == last.predict(X)).all())
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.utils.validation import check_is_fitted

from segmentation.personas.model import PersonaModel


@dataclass(frozen=True)
class Alignment:
    """How this quarter's personas map to last quarter's.

    Attributes
    ----------
    table : DataFrame
        One row per current persona: ``persona_id`` (after alignment), ``previous_id``
        (empty for a new persona), ``distance`` to the matched previous centre, ``status``
        (``kept`` or ``new``).
    retired : list of int
        Previous persona ids with no current persona.
    """

    table: pd.DataFrame
    retired: list[int]


def _common_frame(X: pd.DataFrame, previous: PersonaModel) -> pd.DataFrame:
    """``X`` with the previous model's columns: missing numeric ones 0, categories 'unknown'."""
    if not hasattr(previous, "feature_names_in_"):
        return X
    wanted = list(previous.feature_names_in_)
    missing = [c for c in wanted if c not in X.columns]
    if missing:
        warnings.warn(
            f"columns of last quarter's model missing now, filled with 0 or 'unknown' for the "
            f"alignment only: {missing}",
            UserWarning,
            stacklevel=3,
        )
    out = X.reindex(columns=wanted)
    for c in missing:
        out[c] = "unknown" if c in previous.categorical_features_ else 0.0
    return out


def align_personas(
    model: PersonaModel, previous: PersonaModel, X: pd.DataFrame, *, max_distance: float | None = None
) -> Alignment:
    """Renumber ``model``'s personas after ``previous`` (in place) and say what matched.

    Parameters
    ----------
    model : PersonaModel
        Fitted on this quarter's features ``X``; its ``persona_ids_`` and ``labels_`` are
        rewritten.
    previous : PersonaModel
        Last quarter's fitted model (for instance loaded with
        :func:`segmentation.personas.store.load_persona_model`).
    X : DataFrame
        The features ``model`` was fitted on.
    max_distance : float, optional
        Largest distance (in the previous prepared space) at which a new cluster still
        counts as the same persona; by default every match the assignment finds is kept.

    Returns
    -------
    Alignment
    """
    check_is_fitted(model)
    check_is_fitted(previous)
    if len(X) != len(model.labels_):
        raise ValueError(f"X has {len(X)} rows but the model was fitted on {len(model.labels_)}")
    current = model.predict(X)
    Z = previous.embed(_common_frame(X, previous)).to_numpy()
    ids_now = np.sort(model.persona_ids_)
    centres_now = np.vstack([Z[current == pid].mean(axis=0) for pid in ids_now])
    ids_before = np.sort(previous.persona_ids_)
    centres_before = previous.centers_
    cost = np.sqrt(((centres_now[:, None, :] - centres_before[None, :, :]) ** 2).sum(axis=2))
    rows, cols = linear_sum_assignment(cost)
    matched = {r: c for r, c in zip(rows, cols, strict=True) if max_distance is None or cost[r, c] <= max_distance}
    matched_before = {int(ids_before[c]) for c in matched.values()}
    next_id = int(max(ids_before.max(), ids_now.max())) + 1
    new_id, records = {}, []
    for r, pid in enumerate(ids_now):
        if r in matched:
            new_id[pid] = int(ids_before[matched[r]])
            records.append((pid, new_id[pid], new_id[pid], float(cost[r, matched[r]]), "kept"))
        else:
            new_id[pid] = next_id
            records.append((pid, next_id, pd.NA, float(cost[r].min()), "new"))
            next_id += 1
    lookup = np.vectorize(new_id.get, otypes=[np.int64])
    model.persona_ids_ = lookup(model.persona_ids_)
    model.labels_ = lookup(model.labels_)
    table = pd.DataFrame(records, columns=["fitted_id", "persona_id", "previous_id", "distance", "status"])
    table = table.drop(columns="fitted_id").astype({"previous_id": "Int64"}).sort_values("persona_id")
    retired = sorted(int(i) for i in ids_before if int(i) not in matched_before)
    return Alignment(table.reset_index(drop=True), retired)


def persona_migration(previous: pd.Series, current: pd.Series, *, names: pd.Series | None = None) -> pd.DataFrame:
    """Customers by last quarter's persona (rows) and this quarter's (columns).

    Customers seen only now are counted in the row ``"new customer"``, customers seen only
    last quarter in the column ``"gone"``. Margins are the totals.

    Parameters
    ----------
    previous, current : Series
        Persona id (or name) per customer id, for each quarter.
    names : Series, optional
        Persona name per persona id, used as row and column labels.

    Examples
    --------
    >>> before = pd.Series({"a": 0, "b": 0, "c": 1})
    >>> after = pd.Series({"a": 0, "b": 1, "d": 1})
    >>> persona_migration(before, after).loc[[0, "new customer"], [0, 1, "gone"]].to_numpy().tolist()
    [[1, 1, 0], [0, 1, 0]]
    """
    both = pd.concat({"previous": previous.astype(object), "current": current.astype(object)}, axis=1)
    rows = both["previous"].where(both["previous"].notna(), "new customer")
    cols = both["current"].where(both["current"].notna(), "gone")
    table = pd.crosstab(rows, cols, margins=True, margins_name="total")

    def order(labels: list, last: str) -> list:
        ids = sorted((x for x in labels if x not in (last, "total")), key=lambda x: (str(type(x)), x))
        return ids + [x for x in (last, "total") if x in labels]

    table = table.reindex(
        index=order(list(table.index), "new customer"), columns=order(list(table.columns), "gone"), fill_value=0
    )
    if names is not None:
        table = table.rename(index=names.to_dict(), columns=names.to_dict())
    table.index.name, table.columns.name = "previous persona", "current persona"
    return table


__all__ = ["Alignment", "align_personas", "persona_migration"]
