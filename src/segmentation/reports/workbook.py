"""A report's files in the reader's language: the workbook's sheet names and header rows translated.

The CSV files are a machine interface: their names and column names stay the codes (``kpis.csv``,
``customer_id``), whatever the language. The Excel workbook is for a reader: outside English its
sheets are named and its columns headed in the report's language (``KPI 达标情况``, ``客户编号``).
The workbook is written by :func:`segmentation.data.writers.write_report_tables` (with its number
formats); this module only renames the sheets and rewrites the header row, so those formats stay.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> from openpyxl import load_workbook
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> written = write_tables({"kpis": pd.DataFrame({"tier": ["A"], "value": [0.9], "status": ["met"]})}, folder,
...                        workbook="review.xlsx", language="zh")
>>> sorted(p.name for p in written.values())
['kpis.csv', 'review.xlsx']
>>> book = load_workbook(written["workbook"])
>>> book.sheetnames, [c.value for c in book["KPI"][1]], [c.value for c in book["KPI"][2]]
(['KPI'], ['等级', '值', '状态'], ['A', 0.9, '达标'])
>>> (folder / "kpis.csv").read_text(encoding="utf-8-sig").splitlines()
['tier,value,status', 'A,0.9,met']
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from segmentation.data.writers import atomic_path, write_report_tables
from segmentation.i18n import catalogue, message
from segmentation.reports.views import VALUE_WORDS, column_name, value_words

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(table: str, language: str = "en") -> str:
    """The sheet name of ``table`` in ``language`` (at most 31 characters, none Excel refuses).

    Examples
    --------
    >>> sheet_name("overdue_contacts", "zh"), sheet_name("overdue_contacts", "en")
    ('逾期联系', 'overdue_contacts')
    """
    key = f"reports.sheet.{table}"
    if language == "en" or key not in catalogue(language):
        return table
    return _SHEET_FORBIDDEN.sub(" ", message(key, language))[:31]


def translate_workbook(path: str | Path, tables: dict[str, pd.DataFrame], language: str = "en") -> Path:
    """Rename the sheets of the workbook at ``path`` and head its columns in ``language`` (English: unchanged).

        ``tables`` are the tables the workbook was written from, by sheet name: the header row of each
        sheet holds their column names (and the index name, when one was written), which are replaced
        by :func:`~segmentation.reports.views.column_name`, and the cells of a code column (a KPI's
    status, a risk band, a kind of tier move) by their words (:func:`~segmentation.reports.views.value_words`);
    every other cell, format and width is kept.
    """
    path = Path(path)
    if language == "en":
        return path
    from openpyxl import load_workbook

    book = load_workbook(path)
    used: set[str] = set()
    for table in tables:
        if table not in book.sheetnames:
            continue
        sheet = book[table]
        name = sheet_name(table, language)
        while name in used:  # two tables with the same words: keep both apart
            name = f"{name[:29]} {len(used)}"
        used.add(name)
        sheet.title = name
        for cell in sheet[1]:
            if not isinstance(cell.value, str):
                continue
            if cell.value in VALUE_WORDS:  # a code column (status, band, move ...): its cells in words too
                column = sheet.iter_rows(min_row=2, min_col=cell.column, max_col=cell.column)
                cells = [row[0] for row in column if isinstance(row[0].value, str)]
                codes = pd.Series(sorted({c.value for c in cells}), dtype=object)
                words = dict(zip(codes, value_words(cell.value, codes, language), strict=True))
                for c in cells:
                    c.value = words[c.value]
            cell.value = column_name(cell.value, language)
    with atomic_path(path) as partial:
        book.save(partial)
    return path


def write_tables(
    tables: dict[str, pd.DataFrame], folder: str | Path | None, *, workbook: str, language: str = "en"
) -> dict[str, Path]:
    """Write a report's tables (:func:`~segmentation.data.writers.write_report_tables`), the workbook in ``language``.

    Returns
    -------
    dict of Path
        The file written per table name, and ``"workbook"``; empty when ``folder`` is None.
    """
    written = write_report_tables(tables, folder, workbook=workbook)
    if written:
        translate_workbook(written["workbook"], tables, language)
    return written


__all__ = ["sheet_name", "translate_workbook", "write_tables"]
