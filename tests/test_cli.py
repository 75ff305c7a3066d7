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
