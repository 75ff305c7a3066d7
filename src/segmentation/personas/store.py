"""Save and load persona models safely, with skops instead of pickle.

A pickle file runs whatever code it names when loaded, so a model file from elsewhere is
a security risk. skops stores the model as data and, before loading, lists every type the
file would create (:func:`skops.io.get_untrusted_types`). :func:`load_persona_model` loads
only when each of them is on :data:`TRUSTED_TYPES` (the workbench's own model; skops
trusts scikit-learn's and numpy's types itself) and the result is a
:class:`~segmentation.personas.model.PersonaModel`. Anything else, a pickle included, is refused
with a :class:`~segmentation.errors.ModelFileError` naming the file and the reason.

Examples
--------
>>> import tempfile, pandas as pd
>>> from pathlib import Path
>>> from segmentation.personas.model import PersonaModel
>>> X = pd.DataFrame({"a": [0.0, 0.1, 5.0, 5.1]})
>>> path = Path(tempfile.mkdtemp()) / "personas.skops"
>>> save_persona_model(PersonaModel(n_clusters=2).fit(X), path)
>>> load_persona_model(path).predict(X).tolist()
[0, 0, 1, 1]
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from segmentation.errors import WorkbenchError
from segmentation.personas.model import PersonaModel

#: Types a persona model file may contain beyond those skops trusts by default.
TRUSTED_TYPES = ("segmentation.personas.model.PersonaModel",)


class ModelFileError(WorkbenchError):
    """A model file is missing, not a workbench model, or would load untrusted code."""


def save_persona_model(model: PersonaModel, path: str | Path) -> None:
    """Write a fitted :class:`PersonaModel` to ``path`` in the skops format.

    The file is written next to ``path`` first and moved into place, so a crash never
    leaves half a model behind.
    """
    import skops.io as sio
    from sklearn.utils.validation import check_is_fitted

    if not isinstance(model, PersonaModel):
        raise TypeError(f"model must be a PersonaModel, got {type(model).__name__}")
    check_is_fitted(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    sio.dump(model, partial)
    partial.replace(path)


def load_persona_model(path: str | Path) -> PersonaModel:
    """Load a persona model written by :func:`save_persona_model`, refusing anything else.

    Raises
    ------
    ModelFileError
        When the file is missing, is not a skops file (a pickle, for instance), would
        create types outside :data:`TRUSTED_TYPES`, or does not hold a PersonaModel.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{path}: not a persona model written by the workbench (expected a skops file; "
            f"pickles are never loaded, as they can run any code)"
        )
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises many kinds on a foreign zip  # noqa: BLE001
        raise ModelFileError(f"{path}: not a skops model file ({type(exc).__name__}: {exc})") from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelFileError(f"{path}: refused; the file would create types the workbench does not trust: {refused}")
    model = sio.load(path, trusted=[t for t in untrusted if t in TRUSTED_TYPES])
    if not isinstance(model, PersonaModel):
        raise ModelFileError(f"{path}: holds a {type(model).__name__}, not a persona model written by the workbench")
    return model


__all__ = ["TRUSTED_TYPES", "ModelFileError", "load_persona_model", "save_persona_model"]
