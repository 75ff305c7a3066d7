"""Reports and the quarterly review in the reader's language (issue 19 item 1) and the page polish of item 6."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest
from page_scan import english_words

from segmentation.i18n import LANGUAGES, catalogue
from segmentation.reports.inputs import open_report
from segmentation.reports.pages import (
    definitions_table,
    persona_table,
    section,
)
from segmentation.reports.runner import REPORTS, run_report
from segmentation.reports.views import column_name, kpi_findings, scorecard_view, view
from segmentation.review.kpis import kpi_definitions
from segmentation.review.quarterly import review_quarter
from segmentation.review.service_levels import KPIS, WINDOWS
from segmentation.review.words import BANDS, MOVE_WORDS, STATUSES

matplotlib.use("Agg")
pytestmark = pytest.mark.heavy

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh_review():
    ctx = open_report(data_dir="", quarter="2025Q3", sample_customers=300, language="zh")
    return ctx, review_quarter(ctx.data, quarter=ctx.quarter, policy=ctx.policy, language=ctx.language)


def test_codes_have_words_in_every_language():
    for language in LANGUAGES:
        words = catalogue(language)
        keys = [f"review.kpi.{k}.name" for k in KPIS] + [f"review.kpi.{k}.definition" for k in KPIS]
        keys += [f"review.window.{w}" for w in WINDOWS] + [f"review.band.{b}" for b in BANDS]
        keys += [f"review.status.{s.replace(' ', '_')}" for s in STATUSES] + [f"review.move.{m}" for m in MOVE_WORDS]
        assert [k for k in keys if k not in words] == []


def test_every_page_part_the_notebooks_ask_for_exists():
    used = set()
    for path in NOTEBOOKS.glob("*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                for node in ast.walk(ast.parse(cell.source)):
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("section", "say"):
                        used.add(node.args[0].value)
    assert len(used) > 30
    for language in LANGUAGES:
        words = catalogue(language)
        missing = [p for p in used if f"reports.page.{p}" not in words and f"reports.page.{p}.heading" not in words]
        assert missing == [], language


def test_every_report_has_a_language_parameter():
    for name in REPORTS:
        params = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells[1].source
        assert 'language: str = ""  # en, zh or zh_Hant' in params


def test_a_chinese_quarterly_review_speaks_chinese(zh_review):
    ctx, review = zh_review
    assert ctx.language == "zh" and review.language == "zh"
    head = review.headline()
    assert head[0].startswith("2025年9月30日共有 ") and "位活跃客户" in head[0]
    assert head[1].startswith("2025Q3 收入:¥") and re.search(r"¥\d{1,3}(,\d{3})+", head[1])
    assert head[2].startswith("KPI 目标:") and "项达标" in head[2] and "项未达标" in head[2]
    cells = set(review.scorecard.stack())
    assert any(c.endswith(":达标") for c in cells) and any(c.endswith(":未达标") for c in cells)
    assert any(c.startswith("近12个月 ") for c in cells)
    scorecard = scorecard_view(review.kpis, review.scorecard, language="zh").to_html()
    assert "留存率" in scorecard and "调研覆盖率" in scorecard and "retention_rate" not in scorecard
    definitions = kpi_definitions(review.service, review.policy, language="zh")
    assert definitions["kpi"].tolist() == [
        "留存率",
        "季度复购率",
        "流失率",
        "活跃度",
        "价值增长",
        "满意度",
        "调研覆盖率",
    ]
    assert all(CJK.search(d) for d in definitions["definition"])
    tiers = view(review.tiers, money=["revenue_quarter"], language="zh").to_html()
    assert "本季度收入" in tiers and "合计" in tiers and "战略客户" in tiers and "¥" in tiers
    assert review.population("kpis").startswith("统计季度开始时的客户")
    assert all(CJK.search(line) for line in review.move_summary() + review.contact_notes())
    summary = view(ctx.summary(), language="zh").to_html()
    assert "内置示例数据(300 位客户" in summary and "分级方案" in summary and "2025年7月1日至2025年9月30日" in summary


def test_a_language_without_catalogue_is_refused_with_the_others():
    from segmentation.errors import ConfigError

    with pytest.raises(ConfigError, match=r"- quarter: .*\n- language: language must be one of en"):
        open_report(data_dir="", quarter="Q3", language="fr")


def test_english_pages_keep_their_words(zh_review):
    ctx, _ = zh_review
    review = review_quarter(ctx.data, quarter=ctx.quarter, policy=ctx.policy, churn=False, personas=False)
    assert review.language == "en"
    head = review.headline()
    assert re.fullmatch(
        r"[\d,]+ active customers at 2025-09-30, [+-][\d,]+ on 2025Q2 \(active: a purchase in the last 12 months\); "
        r"[\d,]+ new customers in 2025Q3\.",
        head[0],
    )
    assert re.fullmatch(r"Revenue in 2025Q3: [\d,]+ CNY \([+-][\d.]+% on 2024Q3\)\.", head[1])
    assert re.fullmatch(r"KPI targets: \d+ met, \d+ missed(, \d+ not computed)?\.", head[2])
    assert review.notes[-2:] == [
        "Churn risk: not computed in this run (churn=False).",
        "Personas: not computed in this run (personas=False).",
    ]
    assert column_name("revenue_t12m") == "revenue t12m" and column_name("share_A") == "share A"
    html = view(review.tiers, percent=["customer_share"], money=["revenue_quarter"]).to_html()
    assert "customer share" in html and "strategic" in html and "¥" not in html


def test_findings_in_both_languages():
    k = pd.DataFrame({"tier": ["A"], "kpi": ["churn_rate"], "value": [0.08], "target": [0.05], "status": ["missed"]})
    assert kpi_findings(k) == ["A: churn rate 8.0% against a target of 5% (3.0 points over)"]
    assert kpi_findings(k, language="zh_Hant") == ["A 級:流失率 8.0%,目標 5%(超出 3.0 個百分點)"]


# Issue 19 item 6 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_years_are_shown_as_years(language):
    html = view(pd.DataFrame({"year": [2022, 2023], "revenue": [1.0e6, 2.0e6]}), language=language).to_html()
    assert ">2022<" in html and "2,022" not in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_mean_counts_are_whole_numbers(language):
    summary = pd.DataFrame({"scorer": ["logistic"], "customers": [2208.67], "roc_auc": [0.7208]})
    html = view(summary, decimals=["roc_auc"], integers=["customers"], language=language).to_html()
    assert "2,209" in html and "2,208.67" not in html and "0.72" in html


@pytest.mark.parametrize("language", ["en", "zh"])
def test_plays_and_definitions_by_name(language):
    profiles = pd.DataFrame({"name": ["a"], "play": ["deepen_value"], "play_label": ["Deepen value"]})
    html = view(persona_table(profiles), language=language).to_html()
    assert "Deepen value" in html and "deepen_value" not in html
    table = definitions_table(pd.DataFrame({"definition": ["recorded", "lapsed", "quiet_quarter"]}), language)
    assert not set(table["definition"]) & {"recorded", "quiet_quarter"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_scorecard_is_headed_by_kpi_names(language):
    kpis = pd.DataFrame({"tier": ["A", "All"], "kpi": ["value_growth"] * 2, "status": ["met", "no target"]})
    card = pd.DataFrame({"value_growth": ["x", "y"]}, index=["A", "All"])
    html = scorecard_view(kpis, card, language=language).to_html()
    assert "value_growth" not in html and ("Value growth" in html or "价值增长" in html)


def test_the_feature_glossary_in_chinese():
    import segmentation as seg
    from segmentation.reports.pages import feature_table

    table = feature_table(seg.describe_features(), "zh")
    assert not [m for m in table["meaning"] if not CJK.search(m)]
    assert "近12个月收入" in set(table["feature"])
    assert feature_table(seg.describe_features(), "en").equals(seg.describe_features())


def test_section_headings():
    assert section("quarterly_review.kpis", "zh").splitlines()[0] == "## KPI 达标情况"
    assert section("quarterly_review.title", "en", quarter="2025Q3").splitlines()[0] == "# Quarterly review 2025Q3"


# The page itself -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zh_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("zh")
    run = run_report(
        "quarterly_review",
        quarter="2025Q3",
        out=out,
        parameters={"language": "zh", "sample_customers": 300},
        progress=False,
    )
    return run


@pytest.mark.heavy
def test_the_chinese_review_page_has_no_english_words(zh_page, zh_review):
    ctx, review = zh_review
    zh_page = zh_page.html.read_text(encoding="utf-8")
    headings = [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", zh_page, re.S)]
    assert headings[:3] == ["季度复盘 2025Q3", "概览", "未能计算的部分"] and "逾期联系" in headings
    page = zh_page
    names = set(ctx.data.customers["name"].dropna()) if "name" in ctx.data.customers else set()
    allowed = {w for n in names for w in re.findall(r"[A-Za-z]+", n)}
    page = re.sub(r"\S+@\S+", " ", page)  # masked e-mail addresses: customer data
    assert english_words(page, allowed=allowed) == {}
    for word in ("达标", "未达标", "留存率", "¥"):
        assert word in page


@pytest.mark.heavy
def test_the_chinese_workbook_has_chinese_sheets_and_headers_and_the_csv_keeps_its_codes(zh_page):
    from openpyxl import load_workbook

    book = load_workbook(zh_page.folder / "quarterly_review.xlsx")
    assert {"KPI", "逾期联系", "等级分布", "流失风险名单"} <= set(book.sheetnames)
    assert [c.value for c in book["逾期联系"][1]][:4] == ["客户编号", "名称", "等级", "联系方式"]
    kpi = book["KPI"]
    header = [c.value for c in kpi[1]]
    statuses = {row[header.index("状态")] for row in kpi.iter_rows(min_row=2, values_only=True)}
    assert statuses and statuses <= {"达标", "未达标", "无目标", "无数据"}, statuses  # code cells in words too
    csv = pd.read_csv(zh_page.folder / "overdue_contacts.csv", nrows=1)
    assert csv.columns[:4].tolist() == ["customer_id", "name", "tier", "contact"]
