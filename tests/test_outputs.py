"""Tables written as workbooks read back as the same values, typed as a spreadsheet user expects."""

from __future__ import annotations

import datetime

import numpy as np
import openpyxl
import pandas as pd

from segmentation.data.writers import write_report_tables, write_table


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
