"""The report command end to end: papermill runs, HTML and tables, atomic publishing, CDNOW."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from segmentation import load_dataset
from segmentation.cli import main
from segmentation.data.writers import read_output
from segmentation.reports.runner import ReportError, convert_parameter, run_report
from segmentation.review.kpis import quarterly_kpis
from segmentation.value.tuning import tune_tiers

pytestmark = pytest.mark.heavy

QUARTER = "2025Q3"
REVIEW_SECTIONS = [
    "At a glance",
    "What could not be computed",
    "KPIs against targets",
    "Customers and revenue by tier",
    "Customer growth",
    "Tier moves since the last quarter end",
    "Why customers left",
    "Who may leave next",
    "Overdue contacts",
    "Personas",
    "Files",
]


def _report(name: str, data: Path, out: Path, *extra: str) -> Path:
    assert (
        main(["report", name, "--data", str(data), "--quarter", QUARTER, "--out", str(out), "--no-progress", *extra])
        == 0
    )
    return out / f"{name}_{QUARTER}"


def _sections(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, flags=re.S)]


def _figures(folder: Path, name: str) -> tuple[int, int]:
    """Figures in the executed notebook, and images embedded in the HTML page."""
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    pngs = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    embedded = (folder / f"{name}.html").read_text(encoding="utf-8").count('src="data:image/png;base64,')
    return pngs, embedded


def _assert_self_contained(html: str) -> None:
    assert not re.search(r"<script[^>]+src=", html), "the page loads a script from elsewhere"
    assert not re.search(r"<(img|link)[^>]+(src|href)=\"https?:", html), "the page loads a file from elsewhere"


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def review(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return _report("quarterly_review", sample_dir, out)


def test_review_has_every_section_and_embeds_every_figure(review):
    html = (review / "quarterly_review.html").read_text(encoding="utf-8")
    assert _sections(html) == REVIEW_SECTIONS
    pngs, embedded = _figures(review, "quarterly_review")
    # growth, tier distribution, migration, churn reasons, warning signals
    assert pngs == embedded == 5
    _assert_self_contained(html)
    assert "import matplotlib" not in html  # the code is hidden
    assert "Everything was computed." in html


def test_review_writes_every_table_as_csv_and_one_workbook(review):
    expected = {
        "kpis",
        "tier_distribution",
        "customer_growth",
        "tier_migration",
        "tier_changes",
        "churn_reasons",
        "overdue_contacts",
        "never_contacted",
        "contact_summary",
        "at_risk",
        "risk_signals",
        "risk_by_band",
        "personas",
    }
    assert {p.stem for p in review.glob("*.csv")} == expected
    sheets = pd.ExcelFile(review / "quarterly_review.xlsx").sheet_names
    assert set(sheets) == expected
    assert not list(review.parent.glob(".*.partial")) and not list(review.parent.glob("*.failed.ipynb"))


def test_review_kpis_equal_the_package_computation(review, sample_dir):
    expected = quarterly_kpis(load_dataset(sample_dir), quarter=QUARTER)
    written = read_output(review / "kpis.csv")
    pd.testing.assert_frame_equal(written[["tier", "kpi", "status"]], expected[["tier", "kpi", "status"]])
    np.testing.assert_allclose(written["value"], expected["value"], rtol=6e-12)  # CSV keeps 12 significant digits
    html = (review / "quarterly_review.html").read_text(encoding="utf-8")
    a = expected.set_index(["tier", "kpi"]).loc[("A", "retention_rate")]
    assert f"{a['value']:.1%} over 12 months (target {a['target']:.0%}): {a['status']}" in html
    workbook = pd.read_excel(review / "quarterly_review.xlsx", sheet_name="kpis")
    np.testing.assert_allclose(workbook["value"], expected["value"], rtol=6e-12)  # 12 significant digits


def test_review_page_says_whom_it_counts_and_shows_every_kind_of_move(review, sample_dir):
    html = (review / "quarterly_review.html").read_text(encoding="utf-8")
    # overdue contacts count from the contact data start, stated; the never-contacted are their own group
    start = load_dataset(sample_dir, today="2025-10-01").interactions["date"].min()
    never = read_output(review / "never_contacted.csv")
    assert len(never) > 0
    assert f"The contact data starts on {start:%Y-%m-%d}" in html
    assert f"{len(never):,} customers had no proactive contact at all since {start:%Y-%m-%d}" in html
    overdue = read_output(review / "overdue_contacts.csv")
    assert not set(overdue["customer_id"]) & set(never["customer_id"])
    assert (pd.to_datetime(overdue["due_since"]) > start).all()
    # the tier table and the migration matrix count the same active customers; the rest is 'inactive'
    tiers = read_output(review / "tier_distribution.csv").set_index("tier")["customers"]
    matrix = read_output(review / "tier_migration.csv").set_index("previous tier")
    assert list(matrix.columns) == ["A", "B", "C", "inactive"]
    assert matrix[["A", "B", "C"]].sum().to_dict() == tiers.drop("total").to_dict()
    inactive = int(matrix["inactive"].sum())
    assert inactive > 0
    assert f"add up to the tier table's {tiers['total']:,} active customers, the inactive column to its " in html
    assert f"{inactive:,} inactive ones" in html
    # upgrades and downgrades each have their table, with every move counted
    moves = read_output(review / "tier_changes.csv")["move"].value_counts()
    assert moves["upgrade"] > 0 and moves["downgrade"] > 0
    for move, word in (("upgrade", "Upgrades"), ("downgrade", "Downgrades")):
        assert f"{word}: {moves[move]:,} customers" in html
        # one cell in the counts table, one per row shown
        assert len(re.findall(rf">{move}</td>", html)) == 1 + min(15, moves[move])


def test_review_never_shows_contact_details(review, sample_dir):
    people = pd.read_csv(sample_dir / "customers.csv", dtype=str)
    secrets = set(people["contact_phone"]) | set(people["contact_email"])
    for path in review.iterdir():
        text = _text_of(path)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{path.name} shows {leaked[:3]}"
    overdue = read_output(review / "overdue_contacts.csv")
    assert overdue["contact_phone"].dropna().str.fullmatch(r"\*\*\*-\d{4}").all()


def test_rerunning_a_report_gives_the_same_tables(review, sample_dir):
    tables = lambda folder: {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".csv", ".xlsx")}  # noqa: E731
    before = tables(review)
    again = _report("quarterly_review", sample_dir, review.parent)
    assert again == review
    assert "quarterly_review.xlsx" in before and tables(again) == before
    assert len([p for p in review.parent.iterdir() if not p.name.startswith(".")]) == 1


def test_a_failing_run_leaves_no_report_and_names_the_cell(sample_dir, tmp_path, capsys):
    # "previous" is the last quarter ended on --today (what a quarter-end schedule passes)
    code = main(
        [
            "report",
            "quarterly_review",
            "--data",
            str(sample_dir),
            "--quarter",
            "previous",
            "--today",
            "2025-10-05",
            "--out",
            str(tmp_path),
            "--no-progress",
            "-p",
            "policy=no_such_policy",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(
        r"error: report quarterly_review failed in cell \d+ \(.+\): ConfigError: report parameters "
        r"are not valid:\n- policy: no_such_policy: no such file",
        err,
    )
    assert "Traceback" not in err
    assert not (tmp_path / f"quarterly_review_{QUARTER}").exists()
    assert not list(tmp_path.glob(".*.partial"))
    assert (tmp_path / f"quarterly_review_{QUARTER}.failed.ipynb").is_file()


def test_unknown_or_mistyped_parameters_are_refused_before_running(sample_dir, tmp_path):
    with pytest.raises(ReportError, match=r"unknown parameter \['polcy'\]; quarterly_review takes \["):
        run_report("quarterly_review", data_dir=sample_dir, quarter=QUARTER, out=tmp_path, parameters={"polcy": "x"})
    with pytest.raises(ReportError, match="parameter top_n: expected int, got 'many'"):
        run_report("quarterly_review", data_dir=sample_dir, quarter=QUARTER, out=tmp_path, parameters={"top_n": "many"})
    with pytest.raises(ReportError, match="set by the runner"):
        run_report(
            "quarterly_review", data_dir=sample_dir, quarter=QUARTER, out=tmp_path, parameters={"output_dir": "x"}
        )
    with pytest.raises(ReportError, match="unknown report 'quartely'"):
        run_report("quartely", data_dir=sample_dir, quarter=QUARTER, out=tmp_path)
    assert not list(tmp_path.iterdir())
    assert convert_parameter("flag", "yes", "bool") is True


def test_review_on_cdnow_says_what_it_cannot_compute(tmp_path):
    from segmentation.datasets.cdnow import load_cdnow

    data = tmp_path / "cdnow"
    data.mkdir()
    load_cdnow(sample=True).transactions.to_csv(data / "transactions.csv", index=False)
    assert (
        main(
            [
                "report",
                "quarterly_review",
                "--data",
                str(data),
                "--quarter",
                "1998Q2",
                "--out",
                str(tmp_path / "r"),
                "--no-progress",
                "-p",
                "currency=USD",
            ]
        )
        == 0
    )
    folder = tmp_path / "r" / "quarterly_review_1998Q2"
    html = (folder / "quarterly_review.html").read_text(encoding="utf-8")
    assert _sections(html) == REVIEW_SECTIONS
    for message in (
        "KPI activity: no interactions table: follow-up contacts were not supplied",
        "KPI satisfaction_rate: no surveys table: satisfaction answers were not supplied",
        "KPI churn_rate: no churn_events table",
        "Overdue contacts: no interactions table",
        "Churn reasons: no churn_events table",
    ):
        assert message in html
    kpis = read_output(folder / "kpis.csv").set_index(["tier", "kpi"])
    assert kpis.loc[("All", "activity"), "status"] == "not computed"
    assert (
        kpis.loc[("All", "retention_rate"), "status"] == "no target"
        and kpis.loc[("All", "retention_rate"), "value"] > 0
    )
    pngs, embedded = _figures(folder, "quarterly_review")
    assert pngs == embedded == 4  # no churn-reasons picture without churn_events
    assert "USD" in html


def test_tier_tuning_report_matches_the_package_and_exports_the_choice(sample_dir, sample_dataset, tmp_path):
    folder = _report("tier_tuning", sample_dir, tmp_path, "-p", "chosen=time_split")
    html = (folder / "tier_tuning.html").read_text(encoding="utf-8")
    # issue 19 item 6: a recommendation, "separation" explained, one chart with every candidate's cuts
    assert _sections(html) == ["Candidates", "Recommendation", "Where the thresholds cut the revenue curve", "Files"]
    assert "Separation: how much of the differences between customers" in html
    assert re.search(r"Recommended: |No candidate is recommended", html)
    table = read_output(folder / "tier_tuning.csv")
    expected = tune_tiers(load_dataset(sample_dir), as_of="2025-09-30").table.reset_index()
    np.testing.assert_allclose(table["min_A"].astype(float), expected["min_A"].astype(float))
    assert _figures(folder, "tier_tuning") == (1, 1)
    assert "min: " in (folder / "policy_time_split.yaml").read_text()


def test_personas_report_writes_assignments_profiles_and_model(sample_dir, tmp_path):
    from segmentation.personas.store import load_persona_model

    folder = _report("personas", sample_dir, tmp_path)
    html = (folder / "personas.html").read_text(encoding="utf-8")
    assert _sections(html) == ["How many personas", "The personas", "How they differ", "Since last quarter", "Files"]
    assignments = read_output(folder / "personas.csv")
    profiles = read_output(folder / "persona_profiles.csv")
    assert len(assignments) == 400 and set(assignments["persona_id"]) == set(profiles["persona_id"])
    assert load_persona_model(folder / "persona_model.skops").n_clusters_ == len(profiles)
    assert _figures(folder, "personas") == (3, 3)
    for name in profiles["name"]:
        assert name in html


def test_churn_evaluation_report_backtests_before_the_quarter(sample_dir, tmp_path):
    folder = _report("churn_evaluation", sample_dir, tmp_path)
    html = (folder / "churn_evaluation.html").read_text(encoding="utf-8")
    assert _sections(html) == [
        "What churn means here",
        "Scores against outcomes",
        "Ranking, calibration and gains",
        "Which warning signals matter",
        "Who may leave next quarter",
        "Files",
    ]
    metrics = read_output(folder / "backtest_metrics.csv")
    # Recorded losses within 6 months: the last tested cutoff is two quarters before the quarter's end.
    assert sorted(metrics["cutoff"].unique()) == ["2024-09-30", "2024-12-31", "2025-03-31"]
    assert "Churn means lost as the team records it" in html
    definitions = read_output(folder / "churn_definitions.csv").set_index("definition")
    assert definitions.index.tolist() == ["recorded", "lapsed", "quiet_quarter"]
    assert definitions.loc["recorded", "roc_auc"] > 0.5
    summary = read_output(folder / "backtest_summary.csv").set_index("scorer")
    assert summary.loc["gradient_boosting", "roc_auc"] > summary.loc["recency_rule", "roc_auc"]
    assert _figures(folder, "churn_evaluation") == (4, 4)
    risk = read_output(folder / "at_risk.csv")
    assert risk["value_at_risk"].is_monotonic_decreasing


def test_report_parameters_are_the_notebooks_declared_ones():
    from segmentation.reports.runner import REPORTS, report_parameters

    for name in REPORTS:
        declared = report_parameters(name)
        assert {"data_dir", "quarter", "random_state", "output_dir"} <= set(declared), name
        assert all(spec["help"] for spec in declared.values()), name
    assert json.dumps(report_parameters("quarterly_review")["top_n"]["default"]) == '"20"'
