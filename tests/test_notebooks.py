"""The report notebooks are stored thin and clean (they are run by nbval and by the report tests)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from segmentation.reports.runner import REPORTS

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_every_report_has_its_notebook_and_nothing_else_is_there():
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == set(REPORTS)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_notebook_is_stored_without_outputs_with_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"  # papermill refuses a notebook without it
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "stored with outputs"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells[0].cell_type == "markdown" and nb.cells[1] is tagged[0]

    # Parameters: annotated literals only, each with a comment, and every one visible to papermill
    # (its parser skips, with only a logged warning, a line whose comment holds a second '=').
    tree = ast.parse(tagged[0].source)
    names = []
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant), ast.unparse(node)
        names.append(node.target.id)
    assert all("  # " in line for line in tagged[0].source.splitlines())
    assert list(pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))) == names


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_notebook_holds_no_logic_and_no_paths(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert not [s for s in literals if "/" in s or s.endswith((".csv", ".ipynb"))], cell.source
        body = [line for line in cell.source.splitlines() if line.strip() and not line.startswith(("import ", "from "))]
        assert len(body) <= 10, f"a long cell belongs in the package:\n{cell.source}"
