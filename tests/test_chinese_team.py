"""A Chinese team end to end: its GBK export, its mapping, every report in Chinese (issue 19's "done when").

The same seed written once in the contract's English and once as a Chinese team's export (Chinese
file names, headers, values and names; ``sample-data --language zh``) must give the same KPI,
overdue-contact and complaint figures; every report page run on the Chinese export with
``language=zh`` must read in Chinese (no English word outside customer data and code identifiers),
with every glyph drawn and no warning text on the page.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from page_scan import english_words

from segmentation.data.loading import load_dataset
from segmentation.data.mapping import ColumnMapping
from segmentation.datasets.sample import write_sample
from segmentation.reports.runner import REPORTS, run_report

pytestmark = pytest.mark.heavy

SEED, CUSTOMERS, QUARTER = 7, 300, "2025Q3"


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("teams")
    write_sample(root / "en", CUSTOMERS, random_state=SEED)
    write_sample(root / "zh", CUSTOMERS, random_state=SEED, language="zh")
    return root / "en", root / "zh"


@pytest.fixture(scope="module")
def pages(exports, tmp_path_factory):
    _, zh = exports
    out = tmp_path_factory.mktemp("zh_reports")
    runs = {
        name: run_report(name, data_dir=zh, quarter=QUARTER, out=out, parameters={"language": "zh"}, progress=False)
        for name in REPORTS
    }
    return runs


@pytest.fixture(scope="module")
def english_review(exports, tmp_path_factory):
    en, _ = exports
    out = tmp_path_factory.mktemp("en_reports")
    return run_report("quarterly_review", data_dir=en, quarter=QUARTER, out=out, progress=False)


def test_the_export_is_chinese_and_reads_back_through_its_mapping(exports):
    en, zh = exports
    files = sorted(p.name for p in zh.iterdir())
    assert "mapping.yaml" in files and any(re.search(r"[\u4e00-\u9fff]", f) for f in files)
    header = next(p for p in zh.iterdir() if p.name.startswith("订单")).read_bytes().split(b"\n")[0]
    assert header.decode("gbk").startswith("客户编号")
    mapping = ColumnMapping.load(zh / "mapping.yaml")
    assert mapping.language == "zh"
    theirs, ours = load_dataset(zh, mapping=mapping), load_dataset(en)
    assert int(theirs.interactions["complaint"].sum()) == int(ours.interactions["complaint"].sum()) > 0


def test_kpi_and_overdue_figures_equal_those_of_the_english_contract(pages, english_review):
    zh, en = pages["quarterly_review"].folder, english_review.folder
    for table, keys in (("kpis", ["tier", "kpi"]), ("overdue_contacts", ["customer_id"])):
        theirs = pd.read_csv(zh / f"{table}.csv", encoding="utf-8-sig").sort_values(keys, ignore_index=True)
        ours = pd.read_csv(en / f"{table}.csv", encoding="utf-8-sig").sort_values(keys, ignore_index=True)
        numbers = [c for c in ours.columns if pd.api.types.is_numeric_dtype(ours[c])]
        assert len(theirs) == len(ours) > 0, table
        pd.testing.assert_frame_equal(theirs[keys + numbers], ours[keys + numbers], check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_every_report_page_reads_in_chinese_with_every_glyph_and_no_warning(pages, exports, report):
    run = pages[report]
    page = run.html.read_text(encoding="utf-8")
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page  # (the stylesheet names it too)
    for text in ("Warning", "Glyph", "Traceback", "Kernel is running"):
        assert text not in page, (report, text)
    customers = load_dataset(exports[1], mapping=ColumnMapping.load(exports[1] / "mapping.yaml")).customers
    names = {w for n in customers.get("name", pd.Series(dtype=str)).dropna() for w in re.findall(r"[A-Za-z]+", n)}
    assert english_words(page, allowed=names) == {}, report
    assert re.search(r"[\u4e00-\u9fff]{4,}", page)
