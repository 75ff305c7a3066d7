"""One call from loaded data to named personas: features, model, profiles, tracking.

This is what the ``segmentation personas`` command and the persona notebook run.

Examples
--------
>>> from segmentation.sample_data import generate_sample
>>> from segmentation.dataset import Dataset
>>> t = generate_sample(600, seed=2)
>>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
>>> run = find_personas(ds, as_of="2025-09-30", n_clusters=5)
>>> list(run.assignments.columns), len(run.profiles.table)
(['customer_id', 'persona_id', 'persona_name'], 5)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .dataset import Dataset
from .errors import WorkbenchError
from .persona_features import clustering_columns, persona_features
from .persona_playbook import Playbook
from .persona_profiles import PersonaProfiles, profile_personas
from .persona_tracking import Alignment, align_personas, persona_migration
from .personas import PersonaModel


@dataclass(frozen=True)
class PersonaRun:
    """Everything one persona run produced.

    Attributes
    ----------
    features : DataFrame
        Persona features per customer (all of them, clustered or not).
    model : PersonaModel
        The fitted model (aligned with the previous one when given).
    assignments : DataFrame
        ``customer_id, persona_id, persona_name``, one row per customer.
    profiles : PersonaProfiles
    alignment : Alignment or None
        How the personas map to the previous model's (when one was given).
    migration : DataFrame or None
        Customers by previous and current persona (when previous assignments were given).
    """

    features: pd.DataFrame
    model: PersonaModel
    assignments: pd.DataFrame
    profiles: PersonaProfiles
    alignment: Alignment | None = None
    migration: pd.DataFrame | None = None


def find_personas(
    data: Dataset,
    *,
    as_of: str | pd.Timestamp,
    n_clusters: int | str = "auto",
    method: str = "kmeans",
    previous_model: PersonaModel | None = None,
    previous_assignments: pd.DataFrame | None = None,
    playbook: Playbook | str | Path = "default",
    currency: str = "CNY",
    random_state: int = 0,
    **model_params,
) -> PersonaRun:
    """Build persona features, fit the persona model, profile and (optionally) track personas.

    Parameters
    ----------
    data : Dataset
        Loaded data (:func:`segmentation.load_dataset`).
    as_of : str or Timestamp
        Last day of data used.
    n_clusters : int or "auto", default "auto"
        Number of personas, or "auto" to choose it (see :class:`PersonaModel`).
    method : {"kmeans", "gmm"}, default "kmeans"
    previous_model : PersonaModel, optional
        Last quarter's model: persona ids are aligned with it.
    previous_assignments : DataFrame, optional
        Last quarter's ``customer_id, persona_id`` (the ``assignments`` of that run): the
        migration of customers between the runs is reported.
    playbook : Playbook, str or Path, default "default"
    currency : str, default "CNY"
    random_state : int, default 0
    **model_params
        Further :class:`PersonaModel` parameters (``k_range``, ``n_bootstrap``...).

    Returns
    -------
    PersonaRun
    """
    features = persona_features(data, as_of=as_of)
    needed = model_params.get("k_range", PersonaModel().k_range)[0] + 1 if n_clusters == "auto" else 1
    if len(features) < max(needed, 3):
        raise WorkbenchError(f"personas need at least {max(needed, 3)} customers with a purchase on or before "
                             f"{as_of}; found {len(features)}")  # fmt: skip
    if isinstance(n_clusters, int) and not 1 <= n_clusters <= len(features):
        raise WorkbenchError(f"{n_clusters} personas asked for, but only {len(features)} customers bought "
                             f"on or before {as_of}")  # fmt: skip
    X = features[clustering_columns(features)]
    model = PersonaModel(n_clusters, method=method, random_state=random_state, **model_params).fit(X)
    alignment = align_personas(model, previous_model, X) if previous_model is not None else None
    personas = pd.Series(model.labels_, index=X.index, name="persona_id")
    profiles = profile_personas(features, personas, playbook=playbook, currency=currency)
    names = profiles.names()
    assignments = pd.DataFrame({"customer_id": X.index, "persona_id": personas.to_numpy(),
                                "persona_name": personas.map(names).to_numpy()})  # fmt: skip
    migration = None
    if previous_assignments is not None:
        missing = {"customer_id", "persona_id"} - set(previous_assignments.columns)
        if missing:
            raise WorkbenchError(f"previous assignments: missing columns {sorted(missing)}; "
                                 f"expected the customer_id, persona_id table of the previous run")  # fmt: skip
        before = previous_assignments.astype({"customer_id": str}).set_index("customer_id")["persona_id"]
        migration = persona_migration(before, personas)
    return PersonaRun(features, model, assignments, profiles, alignment, migration)


def persona_projection(model: PersonaModel, X: pd.DataFrame) -> pd.DataFrame:
    """Two principal components of the prepared features, with each customer's persona.

    The components come from an exact (deterministic) PCA of ``model.embed(X)``; their
    share of the variance is in ``attrs["explained_variance_ratio"]``.

    Returns
    -------
    DataFrame
        ``pc1, pc2, persona_id``, indexed like ``X``.
    """
    from sklearn.decomposition import PCA

    Z = model.embed(X)
    pca = PCA(n_components=2, svd_solver="full").fit(Z.to_numpy())
    xy = pca.transform(Z.to_numpy())
    out = pd.DataFrame({"pc1": xy[:, 0], "pc2": xy[:, 1], "persona_id": model.predict(X)}, index=Z.index)
    out.attrs["explained_variance_ratio"] = pca.explained_variance_ratio_.tolist()
    return out


__all__ = ["PersonaRun", "find_personas", "persona_projection"]
