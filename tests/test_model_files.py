"""Model files load only through the safe path; a crafted file never runs code.

A pickle runs whatever its author wrote when it is loaded. The workbench stores persona models
with skops and loads them only through :func:`segmentation.personas.store.load_persona_model`,
which checks every type a file would create before creating any. These tests hand it files
written to attack it, through the API, the command line and a report, and check that the
attack's side effect never happens.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from segmentation.cli import main
from segmentation.personas.store import ModelFileError, load_persona_model

SRC = Path(__file__).resolve().parents[1] / "src" / "segmentation"


class _Payload:
    """Unpickling this creates ``marker``: proof that loading ran the author's code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _crafted_pickle(path: Path, marker: Path) -> Path:
    import pickle

    path.write_bytes(pickle.dumps(_Payload(marker)))
    return path


def _pickle_in_a_zip(path: Path, marker: Path) -> Path:
    """A zip (like a skops file) whose members are a pickle and a schema that names a code object."""
    import pickle

    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "schema.json",
            '{"__class__": "touch", "__module__": "pathlib", "__loader__": "ObjectNode", '
            '"protocol": 2, "_skops_version": "0.10"}',
        )
        z.writestr("payload.pkl", pickle.dumps(_Payload(marker)))
    return path


@pytest.mark.parametrize("craft", [_crafted_pickle, _pickle_in_a_zip], ids=["pickle", "pickle in a zip"])
def test_a_crafted_model_file_is_refused_and_never_runs(craft, tmp_path):
    marker = tmp_path / "pwned"
    path = craft(tmp_path / "model.skops", marker)
    with pytest.raises(ModelFileError, match=re.escape(str(path))):
        load_persona_model(path)
    assert not marker.exists(), "loading the model file ran its code"


def test_the_command_line_refuses_a_crafted_previous_model(sample_dir, tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = _crafted_pickle(tmp_path / "last_quarter.skops", marker)
    assert (
        main(
            [
                "personas",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--out",
                str(tmp_path / "p.csv"),
                "--previous-model",
                str(path),
                "--today",
                "2025-10-01",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "pickles are never loaded" in err and "Traceback" not in err
    assert not marker.exists() and not (tmp_path / "p.csv").exists()


def test_the_personas_report_refuses_a_crafted_previous_model(sample_dir, tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = _crafted_pickle(tmp_path / "last_quarter.skops", marker)
    status = main(
        [
            "report",
            "personas",
            "--data",
            str(sample_dir),
            "--quarter",
            "2025Q3",
            "--out",
            str(tmp_path / "reports"),
            "--no-progress",
            "-p",
            f"previous_model={path}",
        ]
    )
    assert status == 2
    assert "ModelFileError" in capsys.readouterr().err
    assert not marker.exists()
    assert not (tmp_path / "reports" / "personas_2025Q3").exists()


def test_nothing_else_in_the_package_deserialises_code():
    """The one loader of model files is persona_store; no pickle, joblib or unchecked skops load elsewhere."""
    risky = re.compile(
        r"\b(pickle\.loads?|joblib\.load|read_pickle|cloudpickle|dill\.loads?|sio\.load|"
        r"skops\.io\.load|torch\.load|np\.load\([^)]*allow_pickle=True)"
    )
    found = {
        path.relative_to(SRC).as_posix() for path in SRC.rglob("*.py") if risky.search(path.read_text(encoding="utf-8"))
    }
    assert found == {"personas/store.py"}
    store = (SRC / "personas" / "store.py").read_text(encoding="utf-8")
    assert "get_untrusted_types" in store and "trusted=[t for t in untrusted if t in TRUSTED_TYPES]" in store
