"""Edge cases of the analyses and reports: each ends in a clear message or says what it could not compute.

Zero customers, one customer, every customer in one tier, a quarter without orders, more personas
than the data allows and a churn cutoff with no history before it; through the Python API, the
command line (exit status 2, ``error: ...``, never a traceback) and, for one customer, a whole report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmentation import Dataset, load_dataset
from segmentation.churn.backtest import backtest_churn
from segmentation.churn.risk import churn_risk
from segmentation.cli import main
from segmentation.data.loading import load_frames
from segmentation.errors import DataContractError, InsufficientDataError, WorkbenchError
from segmentation.personas.analysis import find_personas
from segmentation.review.quarterly import review_quarter
from segmentation.value.scoring import score_customers
from segmentation.value.tuning import tune_tiers

pytestmark = pytest.mark.heavy

TODAY = "2025-10-01"
END = "2025-09-30"


def _subset(data: Dataset, ids) -> Dataset:
    ids = set(ids)
    frames = {t: getattr(data, t) for t in ("transactions", "customers", "interactions", "surveys", "churn_events")}
    return Dataset.from_frames(**{t: f[f["customer_id"].isin(ids)].reset_index(drop=True) for t, f in frames.items()})


def _with_transactions(data: Dataset, transactions: pd.DataFrame) -> Dataset:
    return Dataset.from_frames(
        transactions=transactions.reset_index(drop=True),
        customers=data.customers,
        interactions=data.interactions,
        surveys=data.surveys,
        churn_events=data.churn_events,
    )


def _write_folder(sample_dir: Path, out: Path, keep) -> Path:
    """Copy the sample's CSV files, keeping the rows of each table that ``keep(table, frame)`` selects."""
    out.mkdir()
    for path in sample_dir.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        keep(path.stem, frame).to_csv(out / path.name, index=False)
    return out


def _cli_refuses(args: list[str], message: str, capsys) -> None:
    assert main([*args, "--today", TODAY]) == 2
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert f"error: {message}" in out.err, out.err


@pytest.fixture(scope="module")
def one_customer(sample_dataset):
    """The sample's most frequent buyer alone, with all of its tables."""
    top = sample_dataset.transactions["customer_id"].value_counts().index[0]
    return _subset(sample_dataset, [top])


# Zero customers ---------------------------------------------------------------------------------------------------


def test_zero_customers_every_order_a_refund(tmp_path, capsys):
    folder = tmp_path / "refunds"
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "customer_id,order_id,order_date,amount\nC1,O1,2024-03-01,-5\nC2,O2,2024-03-02,-7\n", encoding="utf-8"
    )
    with pytest.raises(DataContractError, match="no purchases: all 2 lines with an amount are refunds"):
        load_dataset(folder, today=TODAY)
    # In memory the loader still lets it through: the analyses refuse it themselves.
    data = load_frames(transactions=pd.read_csv(folder / "transactions.csv", dtype=str), today=TODAY)
    assert data.transactions.empty and len(data.refunds) == 2
    report = data.report.tables["transactions"]
    assert (report.rows_read, report.rows_loaded, report.rows_excluded) == (2, 0, 2)
    with pytest.raises(InsufficientDataError, match="no customer bought anything on or before 2025-09-30"):
        score_customers(data.transactions, as_of=END)
    with pytest.raises(WorkbenchError, match=r"quarter 2025Q3: no order on or before its end .*nowhere \(no orders\)"):
        review_quarter(data, quarter="2025Q3")
    assert main(["score", str(folder), "--as-of", END, "--out", str(tmp_path / "s.csv"), "--today", TODAY]) == 2
    out = capsys.readouterr()
    assert "no purchases" in out.err and "Traceback" not in out.out + out.err
    assert not (tmp_path / "s.csv").exists()


def test_zero_customers_in_the_quarter_reviewed(sample_dataset):
    first = sample_dataset.transactions["order_date"].min()
    with pytest.raises(WorkbenchError, match=f"quarter 2022Q3: no order on or before its end .* on {first:%Y-%m-%d}"):
        review_quarter(sample_dataset, quarter="2022Q3")


# One customer -----------------------------------------------------------------------------------------------------


def test_one_customer_review_says_what_it_could_not_compute(one_customer):
    review = review_quarter(one_customer, quarter="2025Q3")
    notes = "\n".join(review.notes)
    assert "Churn risk: not computed: churn model: all" in notes and "nothing to learn the difference from" in notes
    assert "Personas: not computed: personas: 1 customer with a purchase on or before 2025-09-30" in notes
    assert review.risk is None and review.personas is None
    assert review.tiers["customers"].iloc[-1] == 1
    assert "All 1 active customers are in tier" in notes
    computed = review.kpis[review.kpis["status"] != "not computed"]
    assert not computed.empty and computed["value"].notna().all()


def test_one_customer_each_analysis_says_why_it_stops(one_customer):
    with pytest.raises(InsufficientDataError, match="tuning 3 tiers needs at least 6 customers .* got 1"):
        tune_tiers(one_customer, as_of=END)
    with pytest.raises(InsufficientDataError, match="allow at most 0 personas of at least 5 customers"):
        find_personas(one_customer, as_of=END)
    with pytest.raises(InsufficientDataError, match="needs both churners and customers who stayed"):
        churn_risk(one_customer, cutoff=END)
    scores = score_customers(one_customer.transactions, as_of=END, customers=one_customer.customers)
    assert len(scores) == 1 and scores[["r_score", "f_score", "m_score"]].notna().all(axis=None)


def test_one_customer_on_the_command_line(sample_dir, tmp_path, capsys):
    top = pd.read_csv(sample_dir / "transactions.csv", dtype=str)["customer_id"].value_counts().index[0]
    folder = _write_folder(sample_dir, tmp_path / "one", lambda table, f: f[f["customer_id"] == top])
    out = str(tmp_path / "out.csv")
    _cli_refuses(["tune-tiers", str(folder), "--as-of", END, "--out", out], "tuning 3 tiers needs at least 6", capsys)
    _cli_refuses(["personas", str(folder), "--as-of", END, "--out", out], "personas: 1 customer", capsys)
    _cli_refuses(["churn", str(folder), "--cutoff", END, "--out", out], "churn model: all", capsys)
    _cli_refuses(
        ["clv", str(folder), "--calibration-end", "2025-06-30", "--out", out],
        "BG/NBD: a single customer cannot show how purchase rates and drop-out vary across customers",
        capsys,
    )
    assert main(["score", str(folder), "--as-of", END, "--out", out, "--today", TODAY]) == 0
    assert len(pd.read_csv(out)) == 1


def test_one_customer_report_renders_and_lists_what_is_missing(sample_dir, tmp_path):
    top = pd.read_csv(sample_dir / "transactions.csv", dtype=str)["customer_id"].value_counts().index[0]
    folder = _write_folder(sample_dir, tmp_path / "one", lambda table, f: f[f["customer_id"] == top])
    assert (
        main(
            [
                "report",
                "quarterly_review",
                "--data",
                str(folder),
                "--quarter",
                "2025Q3",
                "--out",
                str(tmp_path / "reports"),
                "--no-progress",
            ]
        )
        == 0
    )
    html = (tmp_path / "reports" / "quarterly_review_2025Q3" / "quarterly_review.html").read_text(encoding="utf-8")
    assert "Churn risk: not computed: churn model: all" in html
    assert "Personas: not computed: personas: 1 customer" in html
    assert "KPIs against targets" in html


# Every customer in one tier -----------------------------------------------------------------------------------------


def test_all_customers_in_one_tier(sample_dataset):
    tx = sample_dataset.transactions.assign(amount=10.0)
    data = _with_transactions(sample_dataset, tx)
    review = review_quarter(data, quarter="2025Q3", churn=False, personas=False)
    tiers = review.tiers.set_index("tier")["customers"]
    assert tiers["A"] == tiers["B"] == 0 and tiers["C"] == tiers["total"] > 0
    assert any(n.startswith(f"All {tiers['C']:,} active customers are in tier C") for n in review.notes)
    top = review.kpis[review.kpis["tier"].isin(["A", "B"])]
    assert set(top["status"]) == {"not computed"}
    starts = {"2024-09-30", "2025-03-31", "2025-06-30"}  # the year, half-year and quarter windows of 2025Q3
    assert set(top["note"]) == {f"no customers in this tier at the window start ({day})" for day in starts}
    tuning = tune_tiers(data, as_of=END, customers=data.customers)
    assert {"current", "target_shares"} <= set(tuning.candidates)
    proposed = tuning.table.loc["target_shares"]
    assert proposed[["share_A", "share_B", "share_C"]].min() > 0  # the data-driven thresholds do separate it


def test_tuning_skips_a_method_the_data_cannot_support_and_says_why(sample_dataset):
    """Every customer with the same revenue: no natural breaks, no time split, no distinct quantiles."""
    tx = sample_dataset.transactions
    tx = tx[tx["order_date"] > "2024-04-01"].drop_duplicates("customer_id").assign(amount=1000.0)
    tx = pd.concat([tx, tx.assign(order_date=pd.Timestamp("2025-09-01"), order_id=tx["order_id"] + "b")])
    tuning = tune_tiers(_with_transactions(sample_dataset, tx), as_of=END)
    notes = "\n".join(tuning.notes)
    assert "natural breaks: not computed: natural breaks need more than 3 distinct positive values" in notes
    assert "best next-quarter split: not computed" in notes or "best next-quarter split: not proposed" in notes
    assert list(tuning.table.index)[0] == "current" and "natural_breaks" not in tuning.candidates


# A quarter without orders --------------------------------------------------------------------------------------------


def test_quarter_without_orders_inside_the_data(sample_dataset):
    tx = sample_dataset.transactions
    data = _with_transactions(sample_dataset, tx[~tx["order_date"].between("2025-04-01", "2025-06-30")])
    review = review_quarter(data, quarter="2025Q2", churn=False, personas=False)
    assert any("No order in 2025Q2 at all, though the data has orders before and after it" in n for n in review.notes)
    assert review.tiers["revenue_quarter"].sum() == 0
    assert review.growth.set_index("quarter").loc["2025Q2", "new_customers"] == 0


def test_quarter_after_the_last_order(sample_dataset):
    review = review_quarter(sample_dataset, quarter="2026Q1", churn=False, personas=False)
    assert "No order in 2026Q1 at all: the last order in the data is from 2025-09-30." in review.notes


# More personas than the data allows -----------------------------------------------------------------------------------


def test_more_personas_than_the_data_allows(sample_dataset):
    n = sample_dataset.transactions["customer_id"].nunique()
    with pytest.raises(
        InsufficientDataError,
        match=rf"100 personas asked for, but {n} customers .* allow at most "
        rf"{n // 5} \(each persona needs at least 5 customers",
    ):
        find_personas(sample_dataset, as_of=END, n_clusters=100)
    with pytest.raises(InsufficientDataError, match="allow at most 4 "):
        find_personas(sample_dataset, as_of=END, n_clusters=5, min_persona_size=n // 4)


def test_automatic_k_stays_within_what_the_data_allows(sample_dataset):
    ids = sample_dataset.customers["customer_id"].iloc[:40]
    small = _subset(sample_dataset, ids)
    n = small.transactions.loc[small.transactions["order_date"] <= END, "customer_id"].nunique()
    run = find_personas(small, as_of=END, k_range=(2, 8), n_bootstrap=2)
    assert run.model.k_scores_.index.max() <= n // 5
    sizes = run.profiles.table.set_index("name")["customers"]
    for name, size in sizes[sizes < 5].items():  # a persona may still come out small: it is named, not hidden
        assert any(repr(name) in note and f"only {size} customer" in note for note in run.notes)
    with pytest.raises(InsufficientDataError, match="personas need at least 15 distinct customers"):
        find_personas(_subset(sample_dataset, ids[:12]), as_of=END)


# A churn cutoff with no history before it ----------------------------------------------------------------------------


def test_churn_cutoff_with_no_history_before_it(sample_dataset, capsys, sample_dir, tmp_path):
    first = sample_dataset.transactions["order_date"].min()
    cutoff = first + pd.Timedelta(days=45)
    with pytest.raises(WorkbenchError, match=f"cutoff {cutoff:%Y-%m-%d}: no earlier quarter end to learn from"):
        churn_risk(sample_dataset, cutoff=cutoff)
    with pytest.raises(
        WorkbenchError, match=rf"not enough history for a backtest: .*\(none for the test cutoff {cutoff:%Y-%m-%d}\)"
    ):
        backtest_churn(sample_dataset, cutoffs=[cutoff])
    review = review_quarter(sample_dataset, quarter="2022Q4", personas=False)
    assert any(
        n.startswith("Churn risk: not computed: cutoff 2022-12-31: no earlier quarter end") for n in review.notes
    )
    _cli_refuses(
        ["churn", str(sample_dir), "--cutoff", f"{cutoff:%Y-%m-%d}", "--out", str(tmp_path / "c.csv")],
        f"cutoff {cutoff:%Y-%m-%d}: no earlier quarter end to learn from",
        capsys,
    )


# A table that is missing -----------------------------------------------------------------------------------------------


def test_persona_tags_on_a_signal_nobody_was_measured_on_are_skipped_and_named(sample_dataset):
    """Without a contacts table every reply time is the neutral fill: no persona is a 'slow responder'."""
    data = Dataset.from_frames(transactions=sample_dataset.transactions, customers=sample_dataset.customers)
    run = find_personas(data, as_of=END, n_clusters=4)
    assert not run.profiles.table["risk_tags"].str.contains("slow responder").any()
    assert "risk tag 'slow responder' not checked: the data has no reply time (median hours)" in run.notes
    assert "risk tag 'price sensitive' not checked: the data has no satisfaction" in run.notes


def test_churn_scores_say_when_they_could_not_be_calibrated(sample_dataset):
    """One customer who left gives too few churn rows for three calibration folds: the list says so."""
    from segmentation.churn.features import churn_training_frame

    cutoff = pd.Timestamp(END)
    lost = set()
    for c in pd.date_range("2024-06-30", "2025-06-30", freq="QE"):
        _, y = churn_training_frame(sample_dataset, cutoff=c, horizon_months=3, active_days=365, end=cutoff)
        lost |= set(y.index[y.to_numpy().astype(bool)])
    keep = sorted(lost)[:1] + sorted(set(sample_dataset.transactions["customer_id"]) - lost)[:60]
    risk = churn_risk(_subset(sample_dataset, keep), cutoff=cutoff)
    assert not risk.model.calibrated_
    assert any(n.startswith("probabilities not calibrated: the training rows hold only") for n in risk.notes)
