"""The command line, end to end."""

from __future__ import annotations

import subprocess
import sys

from segmentation.cli import main


def test_sample_data_then_validate(tmp_path, capsys):
    assert main(["sample-data", "--customers", "80", "--seed", "2", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "transactions.csv").is_file() and (tmp_path / "truth.csv").is_file()
    assert main(["validate", str(tmp_path), "--today", "2025-10-01"]) == 0
    out = capsys.readouterr().out
    assert "Usable: yes" in out and "transactions (transactions.csv; utf-8" in out


def test_demo_prints_the_yearly_summary(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "s"), "--customers", "150"]) == 0
    out = capsys.readouterr().out
    assert "Usable: yes" in out
    assert "year  customers  new_customers  orders" in out
    assert "2025" in out


def test_unusable_data_exits_2_without_traceback(tmp_path):
    (tmp_path / "transactions.csv").write_text("customer_id,order_id,order_date,amount\nC1,o1,someday,1\n")
    done = subprocess.run([sys.executable, "-m", "segmentation.cli", "validate", str(tmp_path)],
                          capture_output=True, text=True)  # fmt: skip
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
    assert main(["score", str(sample_dir), "--as-of", "2025-09-30", "--policy", "sabc", "--out", str(out),
                 "--today", "2025-10-01"]) == 0  # fmt: skip
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
    assert main(["score", str(sample_dir), "--as-of", "2025-09-30", "--policy", str(policy),
                 "--out", str(tmp_path / "x.csv")]) == 2  # fmt: skip
    assert "gap between tiers C and A: values from 50 to 100 have no tier" in capsys.readouterr().err


def test_tune_tiers_compares_and_exports(sample_dir, tmp_path, capsys):
    out, policy = tmp_path / "tuning.csv", tmp_path / "tuned.yaml"
    assert main(["tune-tiers", str(sample_dir), "--as-of", "2025-09-30", "--out", str(out), "--export", "target_shares",
                 "--policy-out", str(policy), "--today", "2025-10-01"]) == 0  # fmt: skip
    import pandas as pd

    table = pd.read_csv(out)
    assert table["candidate"].tolist()[0] == "current" and "changed_tier_share" in table
    assert main(["score", str(sample_dir), "--as-of", "2025-09-30", "--policy", str(policy),
                 "--out", str(tmp_path / "s.csv")]) == 0  # fmt: skip
    assert main(["tune-tiers", str(sample_dir), "--as-of", "2025-09-30", "--out", str(out), "--export", "best"]) == 2
    assert "no such candidate" in capsys.readouterr().err
