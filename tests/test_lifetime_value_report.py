"""The lifetime-value report end to end, in English and in Chinese, on the built-in sample."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from page_scan import english_words, visible_text

from segmentation.btyd.choice import compare_models
from segmentation.cli import main
from segmentation.data.writers import read_output
from segmentation.reports.runner import run_report

pytestmark = pytest.mark.heavy

QUARTER = "2025Q3"
TABLES = ["clv_customers", "clv_parameters", "clv_totals", "clv_tracking", "models_compared"]
CODES = ("bgnbd", "mbgnbd", "pareto_nbd", "gamma_gamma", "clv_lower", "clv_upper", "bucket_error", "lower_95")


def _headings(html: str, level: str = "2") -> list[str]:
    found = re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, flags=re.S)
    return [re.sub(r"<[^>]+>|¶", "", h).strip() for h in found]


def _figures(folder) -> tuple[int, int]:
    nb = nbformat.read(folder / "lifetime_value.ipynb", as_version=4)
    pngs = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    embedded = (folder / "lifetime_value.html").read_text(encoding="utf-8").count('src="data:image/png;base64,')
    return pngs, embedded


@pytest.fixture(scope="module")
def english(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("lifetime_value")
    args = ["report", "lifetime_value", "--data", str(sample_dir), "--quarter", QUARTER, "--out", str(out)]
    assert main([*args, "--no-progress", "-p", "draws=20"]) == 0
    return out / f"lifetime_value_{QUARTER}"


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    out = tmp_path_factory.mktemp("lifetime_value_zh")
    parameters = {"language": "zh", "sample_customers": 300, "draws": 20}
    return run_report("lifetime_value", quarter=QUARTER, out=out, parameters=parameters, progress=False)


def test_the_english_page_has_every_section_figure_and_file(english):
    html = (english / "lifetime_value.html").read_text(encoding="utf-8")
    assert _headings(html, "1") == [f"Customer lifetime value {QUARTER}"]
    assert _headings(html) == [
        "Which model, and why",
        "Models compared on the holdout",
        "Tracking the purchases week by week",
        "Parameters of the model that values the customers",
        "Lifetime value of the customer base",
        "The most valuable customers",
        "Files",
    ]
    assert _figures(english) == (1, 1)
    names = {p.name for p in english.iterdir()}
    assert {f"{t}.csv" for t in TABLES} | {"lifetime_value.xlsx", "lifetime_value.html"} <= names
    assert " was chosen. Each model learnt from the orders up to 2025-03-31" in html


def test_the_comparison_written_is_compare_models_on_the_holdout(english, sample_dataset):
    written = read_output(english / "models_compared.csv").set_index("model")
    direct = compare_models(sample_dataset, calibration_end="2025-03-31", holdout_end="2025-09-30")
    assert written.index.tolist() == direct.table.index.tolist()
    for column in ("log_likelihood", "actual", "predicted", "total_error", "bucket_error", "tracking_error"):
        assert written[column].to_numpy() == pytest.approx(direct.table[column].to_numpy(dtype=float)), column
    html = (english / "lifetime_value.html").read_text(encoding="utf-8")
    chosen = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pareto_nbd": "Pareto/NBD"}[direct.chosen]
    assert f"{chosen} (chosen)" in html and f"{direct.table.loc[direct.chosen, 'bucket_error']:.3f}" in html


def test_the_values_written_add_up_and_hold_their_ranges(english, sample_dataset):
    customers = read_output(english / "clv_customers.csv")
    totals = read_output(english / "clv_totals.csv").iloc[0]
    assert len(customers) == totals["customers"] == len(sample_dataset.customers)
    for column in ("clv", "clv_lower", "clv_upper"):
        assert totals[column] == pytest.approx(customers[column].sum())
    assert (customers["clv_lower"] <= customers["clv"] * (1 + 1e-9)).all()
    assert (customers["clv"] <= customers["clv_upper"] * (1 + 1e-9)).all()
    parameters = read_output(english / "clv_parameters.csv")
    assert {"estimate", "standard_error", "lower_95", "upper_95"} <= set(parameters.columns)
    assert (parameters["standard_error"] > 0).all()


def test_the_english_page_shows_no_code_warning_machine_number_or_name(english, sample_dataset):
    text = visible_text((english / "lifetime_value.html").read_text(encoding="utf-8"))
    text = re.sub(r"\b[\w.-]+\.(csv|xlsx)\b", " ", text)
    assert [c for c in CODES if re.search(rf"\b{c}\b", text)] == []
    assert not re.search(r"warn|Traceback", text, flags=re.I)
    assert not re.search(r"\d\.\d{4,}", text), re.findall(r"\S*\d\.\d{4,}\S*", text)[:3]
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", text) == ["random_state"]  # the setting's own name, as in every report
    names = sample_dataset.customers["name"].dropna()
    assert not [n for n in names if n in text]


def test_the_chinese_page_and_workbook_speak_chinese(chinese):
    html = chinese.html.read_text(encoding="utf-8")
    assert _headings(html, "1") == [f"客户生命周期价值 {QUARTER}"]
    assert _headings(html)[:2] == ["选用哪个模型，为什么", "各模型在验证期的比较"]
    assert english_words(html) == {}
    assert "（选用）" in html and "¥" in html and "α" in html
    assert _figures(chinese.folder) == (1, 1)

    from openpyxl import load_workbook

    book = load_workbook(chinese.folder / "lifetime_value.xlsx")
    assert set(book.sheetnames) == {"模型比较", "模型参数", "生命周期价值合计", "客户生命周期价值", "跟踪曲线"}
    sheet = book["模型比较"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["模型", "对数似然（建模期）"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"BG/NBD", "MBG/NBD", "Pareto/NBD"}
    csv = pd.read_csv(chinese.folder / "models_compared.csv")
    assert csv["model"].tolist() == ["bgnbd", "mbgnbd", "pareto_nbd"]
