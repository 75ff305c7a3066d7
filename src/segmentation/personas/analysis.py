"""One call from loaded data to named personas: features, model, profiles, tracking.

This is what the ``segmentation personas`` command and the persona notebook run.

Examples
--------
>>> from segmentation.datasets.sample import generate_sample
>>> from segmentation.data.dataset import Dataset
>>> t = generate_sample(600, random_state=2)
>>> ds = Dataset.from_frames(**{k: v for k, v in t.items() if k != "truth"})
>>> run = find_personas(ds, as_of="2025-09-30", n_clusters=5)
>>> list(run.assignments.columns), len(run.profiles.table)
(['customer_id', 'persona_id', 'persona_name'], 5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.errors import InsufficientDataError, WorkbenchError
from segmentation.personas.features import clustering_columns, persona_features
from segmentation.personas.model import PersonaModel
from segmentation.personas.playbook import Playbook
from segmentation.personas.profiles import PersonaProfiles, profile_personas
from segmentation.personas.tracking import Alignment, align_personas, persona_migration


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
    notes : list of str
        What the reader should know: playbook rules that could not be evaluated, personas
        smaller than ``min_persona_size``.
    """

    features: pd.DataFrame
    model: PersonaModel
    assignments: pd.DataFrame
    profiles: PersonaProfiles
    alignment: Alignment | None = None
    migration: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)


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
    min_persona_size: int = 5,
    language: str = "en",
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
    min_persona_size : int, default 5
        The fewest customers a persona should describe. The number of personas is capped
        at ``customers // min_persona_size`` (and at the number of distinct customers);
        an explicit ``n_clusters`` above that is refused, and a persona that still ends up
        smaller is named in ``notes``.
    language : {"en", "zh", "zh_Hant"}, default "en"
        Language of the persona names, descriptions and plays (:mod:`segmentation.i18n`).
    **model_params
        Further :class:`PersonaModel` parameters (``k_range``, ``n_bootstrap``...).

    Returns
    -------
    PersonaRun
    """
    if not isinstance(min_persona_size, int) or min_persona_size < 1:
        raise ValueError(f"min_persona_size must be an int >= 1, got {min_persona_size!r}")
    features = persona_features(data, as_of=as_of)
    X = features[clustering_columns(features)]
    n, distinct = len(X), len(X.drop_duplicates())
    most = min(n // min_persona_size, distinct)  # personas the data allows
    where = f"{n} customer{'s' if n != 1 else ''} with a purchase on or before {pd.Timestamp(as_of):%Y-%m-%d}"
    if n_clusters == "auto":
        low, high = model_params.get("k_range", PersonaModel().k_range)
        if most < low:
            raise InsufficientDataError(
                f"personas: {where} allow at most {most} persona{'s' if most != 1 else ''} of "
                f"at least {min_persona_size} customers (min_persona_size), fewer than the "
                f"{low} the search starts from; personas need at least "
                f"{low * min_persona_size} distinct customers"
            )
        model_params["k_range"] = (low, min(high, most))
    elif not 1 <= n_clusters <= most:
        raise InsufficientDataError(
            f"{n_clusters} personas asked for, but {where} allow at most {most} "
            f"(each persona needs at least {min_persona_size} customers, min_persona_size, "
            f"and customers with identical features count once: {distinct} distinct)"
        )
    model = PersonaModel(n_clusters, method=method, random_state=random_state, **model_params).fit(X)
    alignment = align_personas(model, previous_model, X) if previous_model is not None else None
    personas = pd.Series(model.labels_, index=X.index, name="persona_id")
    profiles = profile_personas(features, personas, playbook=playbook, currency=currency, language=language)
    names = profiles.names()
    assignments = pd.DataFrame(
        {"customer_id": X.index, "persona_id": personas.to_numpy(), "persona_name": personas.map(names).to_numpy()}
    )
    sizes = profiles.table.set_index("name")["customers"]
    notes = list(profiles.notes) + [
        f"persona {name!r} has only {size} customer{'s' if size != 1 else ''}, fewer than min_persona_size = "
        f"{min_persona_size}: read it as a handful of customers rather than a type"
        for name, size in sizes[sizes < min_persona_size].items()
    ]
    if 0 < model.selection_size_ < n:
        notes.append(
            f"k was chosen on a random sample of {model.selection_size_:,} of the {n:,} customers "
            f"(selection_sample); the personas were then fitted on all of them"
        )
    migration = None
    if previous_assignments is not None:
        missing = {"customer_id", "persona_id"} - set(previous_assignments.columns)
        if missing:
            raise WorkbenchError(
                f"previous assignments: missing columns {sorted(missing)}; "
                f"expected the customer_id, persona_id table of the previous run"
            )
        before = previous_assignments.astype({"customer_id": str}).set_index("customer_id")["persona_id"]
        migration = persona_migration(before, personas)
    return PersonaRun(features, model, assignments, profiles, alignment, migration, notes)


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
