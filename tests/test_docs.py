"""The documentation states what the code does."""

from __future__ import annotations

from pathlib import Path

import pytest

from segmentation.data.contract import TABLES, table_markdown

pytestmark = pytest.mark.heavy

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("table", list(TABLES))
def test_data_contract_page_holds_each_table_as_defined_in_code(table):
    page = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert f"### {table} ({'required' if TABLES[table].required else 'optional'})" in page
    assert table_markdown(table) in page


def test_readme_explains_each_added_dependency():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in (
        "pandera",
        "pyarrow",
        "openpyxl",
        "xlsxwriter",
        "ibis-framework",
        "duckdb",
        "sqlglot",
        "jenkspy",
        "skops",
        "threadpoolctl",
        "pyspark",
    ):
        assert f"`{package}`" in readme


def test_readme_python_examples_run(sample_dir, tmp_path, monkeypatch):
    """The README's code blocks run as written (on the test sample instead of data/sample)."""
    import re

    monkeypatch.chdir(tmp_path)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        code = block.replace('"data/sample"', repr(str(sample_dir)))
        exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "my_policy.yaml").is_file()
