"""Walk the bad-input corpus: every case ends in its documented outcome, never a traceback."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert len(CASES) >= 75


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
            c["read"],
            c["loaded"],
            c["repaired"],
            c["excluded"],
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


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scoring_a_corpus_case_ends_in_a_result_or_a_message(case, tmp_path, capsys):
    """The command a team runs first: a table, or ``error: ...`` with exit 2; never a traceback."""
    want = expected_of(case)
    out = tmp_path / "scores.csv"
    status = main(
        ["score", str(case), "--as-of", "2025-09-30", "--today", want.get("today", "2025-10-01"), "--out", str(out)]
    )
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    if want["outcome"] == "refused":
        assert status == 2 and not out.exists()
        for wanted in want["problems"]:
            assert wanted["file"] in printed.err and wanted["message"] in printed.err, printed.err
    else:
        assert status == 0, printed.err
        assert out.exists()


# Fuzzing: files no one wrote by hand ---------------------------------------------------------------------------------

_CELLS = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10),
    st.sampled_from(
        [
            "",
            " ",
            "C001",
            " 007 ",
            "1,234.50",
            "¥1,200",
            "(3)",
            "-5",
            "0",
            "1e400",
            "2024-03-01",
            "45352",
            "2099-01-01",
            "2024年3月7日",
            "满意",
            "very satisfied",
            "proactive",
            '"',
            "\x00",
            "\r",
            "1234,50",
            "1.234,56",
            "1,2",
            "2024-03-01T10:00:00+08:00",
            "2024-03-01T23:30:00Z",
            "1e308",
            "Müller",
        ]
    ),
)
_HEADERS = st.sampled_from(
    [
        ["customer_id", "order_id", "order_date", "amount"],
        ["customer_id", "order_id", "order_date", "amount", "product"],
        [" Customer_ID", "ORDER_ID", "order_date", "amount", "amount"],
        ["customer_id", "order_date"],
        ["客户编号", "订单号", "下单日期", "金额"],
    ]
)


@st.composite
def _files(draw):
    header = draw(_HEADERS)
    rows = draw(st.lists(st.lists(_CELLS, min_size=0, max_size=len(header) + 1), max_size=6))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerows([header, *rows])
    data = text.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"])))
    cut = draw(st.integers(min_value=0, max_value=len(data)))
    surveys = draw(
        st.one_of(st.none(), st.lists(st.tuples(st.sampled_from(["C001", "X", ""]), _CELLS, _CELLS), max_size=4))
    )
    return data[:cut] if draw(st.booleans()) else data, surveys


@settings(max_examples=150, deadline=None)
@given(_files())
def test_any_file_ends_in_a_report_never_a_traceback(files):
    transactions, surveys = files
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "transactions.csv").write_bytes(transactions)
        if surveys is not None:
            lines = ["customer_id,date,rating", *(",".join(csv_quote(v) for v in row) for row in surveys)]
            (root / "surveys.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = check_dataset(root, today="2025-10-01")
        assert report.ok or any(p.severity == "error" for p in report.problems)
        for problem in report.problems:
            assert problem.file and problem.message
        if report.ok:
            for t in report.tables.values():
                assert t.file is None or t.balanced, report.to_text()


def csv_quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'
