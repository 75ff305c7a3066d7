"""The command line, end to end."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from segmentation.cli import main

pytestmark = pytest.mark.heavy


def test_sample_data_then_validate(tmp_path, capsys):
    assert main(["sample-data", "--customers", "80", "--random-state", "2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "transactions.csv").is_file() and (tmp_path / "truth.csv").is_file()
    assert main(["validate", str(tmp_path), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "Usable: yes" in out and "transactions (transactions.csv; utf-8" in out


def test_demo_runs_the_quarterly_review_and_prints_its_page(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "s"), "--customers", "150", "--reports", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "Usable: yes" in out
    assert "year  customers  new_customers  orders" in out
    html = tmp_path / "r" / "quarterly_review_2025Q3" / "quarterly_review.html"
    assert f"The quarterly review: {html}" in out
    assert html.is_file() and "KPIs against targets" in html.read_text(encoding="utf-8")


def test_unusable_data_exits_2_without_traceback(tmp_path):
    (tmp_path / "transactions.csv").write_text("customer_id,order_id,order_date,amount\nC1,o1,someday,1\n")
    done = subprocess.run(
        [sys.executable, "-m", "segmentation.cli", "validate", str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "transactions.csv, column 'order_date', row 2: cannot be read as date" in done.stdout


def test_bad_mapping_file_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / "transactions.csv").write_text("customer_id,order_id,order_date,amount\nC1,o1,2024-01-01,1\n")
    (tmp_path / "m.yaml").write_text("columns: {transactions: {X: nope}}\n")
    assert main(["validate", str(tmp_path), "--mapping", str(tmp_path / "m.yaml")]) == 2
    err = capsys.readouterr().err
    assert "m.yaml" in err and "'nope', which is not a column of transactions" in err


def test_score_writes_one_row_per_customer(sample_dir, sample_dataset, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert (
        main(
            [
                "score",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--policy",
                "sabc",
                "--out",
                str(out),
                "--today",
                "2025-10-01",
            ]
        )
        == 0
    )
    import pandas as pd

    table = pd.read_csv(out, dtype={"customer_id": str})
    assert table["customer_id"].is_unique and len(table) == sample_dataset.customers["customer_id"].nunique()
    assert {"rfm_recency_days", "btyd_recency", "r_score", "f_score", "m_score", "segment", "tier"} <= set(table)
    assert set(table["tier"]) <= {"S", "A", "B", "C"}
    assert not {"contact_name", "contact_phone", "contact_email"} & set(table)  # no personal data in the output
    printed = capsys.readouterr().out
    assert "RFM cut points" in printed and "Tiers (sabc, trailing-12-month revenue, CNY)" in printed


def test_score_with_a_broken_policy_names_the_problem(sample_dir, tmp_path, capsys):
    policy = tmp_path / "p.yaml"
    policy.write_text("tiers:\n  - {tier: A, min: 100}\n  - {tier: C, max: 50}\n")
    assert (
        main(
            [
                "score",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--policy",
                str(policy),
                "--out",
                str(tmp_path / "x.csv"),
            ]
        )
        == 2
    )
    assert "gap between tiers C and A: values from 50 to 100 have no tier" in capsys.readouterr().err


def test_tune_tiers_compares_and_exports(sample_dir, tmp_path, capsys):
    out, policy = tmp_path / "tuning.csv", tmp_path / "tuned.yaml"
    assert (
        main(
            [
                "tune-tiers",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--out",
                str(out),
                "--export",
                "target_shares",
                "--policy-out",
                str(policy),
                "--today",
                "2025-10-01",
            ]
        )
        == 0
    )
    import pandas as pd

    table = pd.read_csv(out)
    assert table["candidate"].tolist()[0] == "current" and "changed_tier_share" in table
    printed = capsys.readouterr().out  # a recommendation, or why none (issue 19 item 6)
    assert re.search(r"^(Recommended: |No candidate is recommended)", printed, flags=re.M)
    assert f"Candidates compared -> {out}" in printed
    assert (
        main(
            [
                "score",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--policy",
                str(policy),
                "--out",
                str(tmp_path / "s.csv"),
            ]
        )
        == 0
    )
    assert main(["tune-tiers", str(sample_dir), "--as-of", "2025-09-30", "--out", str(out), "--export", "best"]) == 2
    assert "no such candidate" in capsys.readouterr().err


def test_personas_two_quarters_keep_ids_and_report_migration(sample_dir, sample_dataset, tmp_path, capsys):
    import pandas as pd

    q2, q3, model = tmp_path / "q2.csv", tmp_path / "out" / "q3.xlsx", tmp_path / "q2.skops"
    assert (
        main(
            [
                "personas",
                str(sample_dir),
                "--as-of",
                "2025-06-30",
                "--out",
                str(q2),
                "--save-model",
                str(model),
                "--today",
                "2025-10-01",
            ]
        )
        == 0
    )
    first = pd.read_csv(q2, dtype={"customer_id": str})
    assert list(first.columns) == ["customer_id", "persona_id", "persona_name"]
    assert first["customer_id"].is_unique and first["persona_id"].nunique() == 5
    profiles = pd.read_csv(tmp_path / "q2_profiles.csv")
    assert {"name", "customers", "revenue_share", "risk_tags", "play", "description"} <= set(profiles)
    assert profiles["customers"].sum() == len(first)
    assert pd.read_csv(tmp_path / "q2_k_scores.csv")["chosen"].sum() == 1
    printed = capsys.readouterr().out
    assert "k selection:" in printed and "5 personas as of 2025-06-30" in printed

    assert (
        main(
            [
                "personas",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--out",
                str(q3),
                "--previous-model",
                str(model),
                "--previous-assignments",
                str(q2),
                "--today",
                "2025-10-01",
            ]
        )
        == 0
    )
    second = pd.read_excel(q3, dtype={"customer_id": str})
    alignment = pd.read_excel(tmp_path / "out" / "q3_alignment.xlsx")
    assert (alignment["status"] == "kept").all()
    migration = pd.read_excel(tmp_path / "out" / "q3_migration.xlsx", index_col=0)
    stayed = sum(migration.loc[i, i] for i in range(5))
    both = first.merge(second, on="customer_id", suffixes=("_q2", "_q3"))
    assert stayed == (both["persona_id_q2"] == both["persona_id_q3"]).sum()
    assert stayed / len(both) > 0.9  # a quarter later nearly everyone keeps their persona
    assert migration.loc["new customer", "total"] == len(second) - len(both)


def test_personas_bad_inputs_are_messages(sample_dir, tmp_path, capsys):
    out = str(tmp_path / "p.csv")
    assert (
        main(
            ["personas", str(sample_dir), "--as-of", "2025-09-30", "--out", out, "--k", "5000", "--today", "2025-10-01"]
        )
        == 2
    )
    assert (
        "5000 personas asked for, but 400 customers with a purchase on or before 2025-09-30 allow at most 80"
        in capsys.readouterr().err
    )
    fake = tmp_path / "fake.skops"
    fake.write_bytes(b"not a model")
    assert (
        main(
            [
                "personas",
                str(sample_dir),
                "--as-of",
                "2025-09-30",
                "--out",
                out,
                "--previous-model",
                str(fake),
                "--today",
                "2025-10-01",
            ]
        )
        == 2
    )
    assert "fake.skops: not a persona model written by the workbench" in capsys.readouterr().err
    try:
        main(["personas", str(sample_dir), "--as-of", "2025-09-30", "--out", out, "--k", "zero"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "expected a whole number of personas >= 1, got 'zero'" in capsys.readouterr().err


def test_churn_writes_the_risk_list_without_personal_data(sample_dir, tmp_path, capsys):
    out = tmp_path / "churn.csv"
    assert (
        main(
            [
                "churn",
                str(sample_dir),
                "--cutoff",
                "2025-06-30",
                "--out",
                str(out),
                "--today",
                "2025-10-01",
                "--capacity",
                "5",
                "10",
                "--backtest",
                "1",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert (
        "Risk bands:" in printed and "Highest value at risk:" in printed and "Backtest over 1 quarter ends" in printed
    )
    import pandas as pd

    table = pd.read_csv(out, dtype={"customer_id": str})
    assert list(table.columns[:6]) == [
        "customer_id",
        "tier",
        "churn_probability",
        "band",
        "revenue_t12m",
        "value_at_risk",
    ]
    assert "reasons" in table and table["band"].value_counts().to_dict()["high"] == 5
    customers = pd.read_csv(sample_dir / "customers.csv", dtype=str)
    text = out.read_text(encoding="utf-8")
    assert not any(v in text for v in customers["contact_phone"]) and not any(v in text for v in customers["name"])
    for part in ("importance", "backtest", "calibration"):
        assert (tmp_path / f"churn_{part}.csv").is_file()


def test_clv_writes_values_and_the_fitted_models(sample_dir, tmp_path, capsys):
    import json

    out = tmp_path / "clv.csv"
    args = [
        "clv",
        str(sample_dir),
        "--calibration-end",
        "2024-09-30",
        "--time-unit",
        "week",
        "--horizon",
        "39",
        "--holdout-end",
        "2025-06-30",
        "--out",
        str(out),
        "--today",
        "2025-10-01",
    ]
    # strict: Gamma-Gamma cannot fit these B2B order values: a message, not a traceback (the default falls back)
    assert main([*args, "--order-value", "gamma-gamma"]) == 2
    assert "--order-value observed" in capsys.readouterr().err
    assert main([*args, "--order-value", "observed"]) == 0
    report = json.loads((tmp_path / "clv_models.json").read_text())
    assert set(report["bgnbd"]["params"]) == {"r", "alpha", "a", "b"} and report["gamma_gamma"] is None
    assert report["bgnbd"]["log_likelihood"] < 0 and report["holdout"]["actual"] > 0
    import pandas as pd

    table = pd.read_csv(out)
    assert {"probability_alive", "expected_purchases", "expected_order_value", "clv"} <= set(table.columns)
    assert (tmp_path / "clv_holdout.csv").is_file() and (tmp_path / "clv_tracking.csv").is_file()


def test_churn_with_a_cutoff_too_early_is_a_message(sample_dir, tmp_path, capsys):
    assert (
        main(
            [
                "churn",
                str(sample_dir),
                "--cutoff",
                "2023-03-31",
                "--out",
                str(tmp_path / "c.csv"),
                "--today",
                "2025-10-01",
            ]
        )
        == 2
    )
    assert "no earlier quarter end to learn from" in capsys.readouterr().err


def test_a_date_that_is_not_a_date_is_a_usage_message(sample_dir, tmp_path):
    out = str(tmp_path / "x.csv")
    for args in (
        ["churn", str(sample_dir), "--cutoff", "end of June", "--out", out],
        ["score", str(sample_dir), "--as-of", "2025-13-45", "--out", out],
        ["validate", str(sample_dir), "--today", "tomorrow"],
    ):
        done = subprocess.run([sys.executable, "-m", "segmentation.cli", *args], capture_output=True, text=True)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
        assert "expected a date such as 2025-06-30" in done.stderr


def test_report_in_chinese_prints_and_writes_chinese(sample_dir, tmp_path, capsys):
    args = ["report", "explore", "--data", str(sample_dir), "--quarter", "2025Q3", "--out", str(tmp_path)]
    assert main([*args, "--no-progress", "--language", "zh"]) == 0
    captured = capsys.readouterr()
    html = tmp_path / "explore_2025Q3" / "explore.html"
    assert f"报告:{html}" in captured.out and "中的文件:" in captured.out
    assert "正在基于" in captured.err
    page = html.read_text(encoding="utf-8")
    assert "客户数据探索" in page and "各年客户数、订单数与收入" in page
    assert re.search(r">\s*2024\s*<", page) and "2,024" not in page  # years are years (issue 19 item 6)
    from page_scan import english_words

    page = re.sub(r'<div[^>]*data-mime-type="application/vnd\.jupyter\.stderr"[^>]*>.*?</div>', " ", page, flags=re.S)
    assert english_words(page) == {}


def test_a_language_without_catalogue_is_a_usage_message(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["report", "explore", "--quarter", "2025Q3", "--out", "x", "--language", "fr"])
    assert exit_.value.code == 2
    assert "argument --language: invalid choice: 'fr' (choose from" in capsys.readouterr().err


def test_churn_and_personas_write_their_words_in_the_language_asked(sample_dir, tmp_path, capsys):
    from segmentation.data.writers import read_output

    churn, personas = tmp_path / "churn.csv", tmp_path / "personas.csv"
    common = ["--today", "2025-10-01", "--language", "zh"]
    assert main(["churn", str(sample_dir), "--cutoff", "2025-06-30", "--out", str(churn), *common]) == 0
    assert main(["personas", str(sample_dir), "--as-of", "2025-09-30", "--out", str(personas), *common]) == 0
    reasons = read_output(churn)["reasons"].dropna()
    names = read_output(tmp_path / "personas_profiles.csv")["name"]
    for texts in (reasons, names):
        assert len(texts) and all(re.search(r"[\u4e00-\u9fff]", t) for t in texts)
        assert not [t for t in texts if re.search(r"\b(complaint|order|buyers|days)\b", t)]
