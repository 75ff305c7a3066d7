"""Walk the bad-input corpus: every case ends in its documented outcome, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from segmentation import check_dataset, load_dataset
from segmentation.cli import main

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())


def expected_of(case: Path) -> dict:
    return yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8"))


def matches(problem, want: dict) -> bool:
    return (
        problem.severity == want["severity"]
        and problem.file == want["file"]
        and problem.column == want.get("column")
        and want["message"] in problem.message
        and set(want.get("rows") or []) <= set(problem.rows)
    )


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_has_documented_outcome(case):
    want = expected_of(case)
    report = check_dataset(case, today=want.get("today", "2025-10-01"))
    assert report.ok == (want["outcome"] == "loaded"), report.to_text()
    for wanted in want.get("problems", []):
        assert any(matches(p, wanted) for p in report.problems), f"{wanted} not in\n{report.to_text()}"
    for table, c in want.get("counts", {}).items():
        t = report.tables[table]
        assert (t.rows_read, t.rows_loaded, t.rows_repaired, t.rows_excluded) == (
            c["read"], c["loaded"], c["repaired"], c["excluded"]
        ), report.to_text()
    for t in report.tables.values():
        if t.file is not None and report.ok:
            assert t.balanced, f"{t.table}: read {t.rows_read} != clean + repaired + excluded"
    if "encoding" in want:
        assert report.tables["transactions"].encoding == want["encoding"]
    if "delimiter" in want:
        assert report.tables["transactions"].delimiter == want["delimiter"]
    if want["outcome"] == "loaded" and ("values" in want or "refunds" in want):
        dataset = load_dataset(case, today=want.get("today", "2025-10-01"))
        for table, columns in want.get("values", {}).items():
            frame = getattr(dataset, table)
            for column, values in columns.items():
                got = frame[column]
                if pd.api.types.is_datetime64_any_dtype(got):
                    got = got.dt.strftime("%Y-%m-%d")
                assert got.tolist() == values
        if "refunds" in want:
            assert len(dataset.refunds) == want["refunds"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_validate_exit_status_and_message(case, capsys):
    want = expected_of(case)
    status = main(["validate", str(case), "--today", want.get("today", "2025-10-01")])
    out = capsys.readouterr()
    assert status == (0 if want["outcome"] == "loaded" else 2)
    assert "Traceback" not in out.out + out.err
    for wanted in want.get("problems", []):
        if wanted["severity"] == "error":
            assert wanted["file"] in out.out and wanted["message"] in out.out
