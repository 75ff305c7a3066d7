"""Tables written as workbooks read back as the same values, typed as a spreadsheet user expects."""

from __future__ import annotations

import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from segmentation.cli import main
from segmentation.data.writers import column_formats, read_output, write_report_tables, write_table
from segmentation.errors import WorkbenchError


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["007", "b", "c"],
            "count": [1, 2, 3],
            "share": [0.25, np.nan, np.inf],
            "flag": [True, False, True],
            "day": pd.to_datetime(["2025-09-30", None, "2025-01-02"]),
            "stamp": pd.to_datetime(["2025-09-30 13:45:00", "2025-09-30 00:00:00", None]),
            "tier": pd.Categorical(["A", "B", None]),
            "note": ["=1+1", None, "http://example.com"],
            "end": [datetime.date(2025, 9, 30), None, datetime.date(2025, 6, 30)],  # dates as Python objects
        }
    )


def test_a_workbook_keeps_types_blanks_and_text(tmp_path):
    path = write_table(_frame(), tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("customer_id", "count", "share", "flag", "day", "stamp", "tier", "note", "end")
    assert rows[1][:4] == ("007", 1, 0.25, True)  # an id stays text, a count a number
    assert rows[2][2] is None and rows[3][2] == "inf"  # NaN is a blank cell, infinity the text pandas writes
    assert rows[2][4] is None and rows[3][5] is None and rows[3][6] is None and rows[2][7] is None
    cells = {c.column_letter: c for c in sheet[2]}
    assert cells["E"].is_date and cells["E"].number_format == "yyyy-mm-dd"  # dates are dates, shown as dates
    assert cells["F"].is_date and cells["F"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert cells["H"].data_type == "s" and cells["H"].value == "=1+1"  # text that looks like a formula stays text
    assert rows[3][7] == "http://example.com"
    assert cells["I"].is_date and cells["I"].number_format == "yyyy-mm-dd" and rows[2][8] is None
    back = pd.read_excel(path, dtype={"customer_id": str})
    assert back["day"].iloc[0] == pd.Timestamp("2025-09-30") and back["stamp"].iloc[0] == pd.Timestamp(
        "2025-09-30 13:45"
    )
    assert back["tier"].tolist()[:2] == ["A", "B"]


def test_number_headers_stay_numbers(tmp_path):
    """A migration matrix's columns are persona ids: read back, they are the same numbers."""
    matrix = pd.DataFrame([[3, 1], [0, 2]], index=pd.Index([0, 1], name="from"), columns=[0, 1])
    back = pd.read_excel(write_table(matrix.reset_index(), tmp_path / "m.xlsx"), index_col=0)
    assert back.columns.tolist() == [0, 1] and back.loc[1, 1] == 2


def test_report_workbook_has_a_sheet_per_table_and_the_same_bytes_twice(tmp_path):
    tables = {
        "first": _frame(),
        "a_name_longer_than_thirty_one_characters": _frame().head(1),
        "empty": _frame().head(0),
    }
    one = write_report_tables(tables, tmp_path / "one", workbook="r.xlsx")["workbook"]
    two = write_report_tables(tables, tmp_path / "two", workbook="r.xlsx")["workbook"]
    assert one.read_bytes() == two.read_bytes()
    book = openpyxl.load_workbook(one)
    assert book.sheetnames == ["first", "a_name_longer_than_thirty_one_c", "empty"]
    assert book["empty"].max_row == 1 and book["first"].max_row == 4


NAMES = pd.DataFrame(
    {"customer_id": ["C001", "C002"], "name": ["王芳商贸有限公司", "重点客户·北京"], "tier": ["S", "A"]}
)


def test_a_csv_with_chinese_names_starts_with_the_byte_order_mark_and_decodes(tmp_path):
    """Excel on Chinese Windows reads a CSV without the mark as GBK and garbles the names."""
    raw = write_table(NAMES, tmp_path / "names.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8") == "customer_id,name,tier\nC001,王芳商贸有限公司,S\nC002,重点客户·北京,A\n"
    assert read_output(tmp_path / "names.csv")["name"].tolist() == NAMES["name"].tolist()


@pytest.mark.parametrize(
    ("encoding", "mark"), [("utf-8-sig", True), ("utf-8", False), ("gb18030", False), ("GB18030", False)]
)
def test_csv_files_are_written_in_the_encoding_asked_for_and_read_back(encoding, mark, tmp_path):
    raw = write_table(NAMES, tmp_path / "names.csv", csv_encoding=encoding).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == mark
    text = raw.decode("utf-8-sig" if mark else encoding.lower())
    assert "王芳商贸有限公司" in text and "重点客户·北京" in text
    pd.testing.assert_frame_equal(read_output(tmp_path / "names.csv"), NAMES)


def test_an_unknown_csv_encoding_is_refused_with_the_choices(tmp_path):
    with pytest.raises(WorkbenchError, match=r"csv_encoding must be one of utf-8-sig, utf-8, gb18030; got 'latin-1'"):
        write_table(NAMES, tmp_path / "names.csv", csv_encoding="latin-1")
    assert not (tmp_path / "names.csv").exists()


def test_the_command_line_writes_csv_in_the_encoding_asked_for(sample_dir, tmp_path):
    out = tmp_path / "scores.csv"
    args = ["score", str(sample_dir), "--as-of", "2025-09-30", "--out", str(out), "--today", "2025-10-01"]
    assert main([*args, "--csv-encoding", "gb18030"]) == 0
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.decode("gb18030").startswith("customer_id,")
    assert main(args) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the default


SUMMARY = pd.DataFrame(
    {
        "persona_id": [0, 1, 12],
        "name": ["大型高频采购客户", "small", "一个名字很长的客户群体，描述得很详细"],
        "customers": [1200, 35, 4],
        "customer_share": [0.8679245283020001, 0.1, 0.0320754716979999],
        "revenue_t12m": [143470.22999999998, 9_876_543.21, 0.5],
        "lift": [1.23456, 0.5, 2.0],
        "end": pd.to_datetime(["2025-09-30", "2025-06-30", None]),
    }
)


def _formats(sheet) -> dict[str, str]:
    return {sheet.cell(1, c.column).value: c.number_format for c in sheet[2]}


@pytest.mark.parametrize(("language", "money"), [("en", '"CN¥"#,##0.00'), ("zh", '"¥"#,##0.00')])
def test_workbook_cells_carry_number_formats(language, money, tmp_path):
    path = write_table(SUMMARY, tmp_path / "s.xlsx", language=language)
    sheet = openpyxl.load_workbook(path).active
    assert _formats(sheet) == {
        "persona_id": "0",  # an id or a year: no thousands separator (never "2,022")
        "name": "General",
        "customers": "#,##0",  # a count: no decimals
        "customer_share": "0.0%",  # 86.8%, not 0.8679245283020001
        "revenue_t12m": money,  # money with its currency
        "lift": "#,##0.00",
        "end": "yyyy-mm-dd",
    }
    assert sheet["D2"].value == pytest.approx(0.867924528302)  # the cell keeps the number, the format shows it
    assert sheet["C2"].value == 1200 and isinstance(sheet["C2"].value, int)


def test_workbooks_freeze_and_filter_the_header_and_size_the_columns(tmp_path):
    sheet = openpyxl.load_workbook(write_table(SUMMARY, tmp_path / "s.xlsx")).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:G4"
    width = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFG"}
    # the longest name is 19 Chinese characters, each two columns wide
    assert width["B"] >= 38 and width["E"] < width["B"]
    assert all(width[c.column_letter] >= len(c.value) for c in sheet[1])  # every header shows whole
    assert width["E"] >= len("9,876,543.21 CN¥") and width["G"] >= len("2025-09-30")
    assert max(width.values()) <= 62


def test_a_column_mixing_units_gets_a_format_per_row(tmp_path):
    kpis = pd.DataFrame({"kpi": ["retention_rate", "activity"], "value": [0.8679245283020001, 3.456]})
    path = write_report_tables({"kpis": kpis}, tmp_path, formats={"kpis": {"value": ["percent", "decimal"]}})
    sheet = openpyxl.load_workbook(path["workbook"])["kpis"]
    assert sheet["B2"].number_format == "0.0%" and sheet["B3"].number_format == "#,##0.00"
    with pytest.raises(WorkbenchError, match=r"formats\['value'\]: one kind per row is 2 kinds, got 1"):
        write_report_tables({"kpis": kpis}, tmp_path, formats={"kpis": {"value": ["percent"]}})
    with pytest.raises(WorkbenchError, match=r"unknown kind\(s\) \{'value': 'money!'\}"):
        write_report_tables({"kpis": kpis}, tmp_path, formats={"kpis": {"value": "money!"}})


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("customer_share", "percent"),
        ("share_overdue", "percent"),
        ("revenue_change_90d", "percent"),
        ("churn_probability", "percent"),
        ("retention_rate", "percent"),
        ("revenue_t12m", "money"),
        ("previous_revenue_t12m", "money"),
        ("value_at_risk", "money"),
        ("avg_order_value", "money"),
        ("monetary_value", "money"),
        ("customers", "integer"),
        ("days_overdue", "integer"),
        ("persona_id", "id"),
        ("year", "id"),
        ("k", "id"),
        ("silhouette", "decimal"),
    ],
)
def test_the_kind_of_a_report_column_follows_its_name(column, kind):
    values = [3.0, 12.0] if kind in ("integer", "id") else [0.25, 1234.5]
    assert column_formats(pd.DataFrame({column: values}))[column] == kind
