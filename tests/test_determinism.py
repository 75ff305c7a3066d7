"""Determinism: the same data, parameters and seed give byte-identical tables in another process.

Every command that writes a table runs twice, each time in a fresh Python process: once with one
thread and hash seed 1, once with the machine's threads and hash seed 2. Every file written
(CSV, workbook and JSON) must be byte-identical, so tier, segment and persona assignments,
churn scores, lifetime values and tuning candidates are the same. (Reports rerun in a fresh
kernel are compared in ``test_reports.py``.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from segmentation.data.writers import write_table

pytestmark = pytest.mark.heavy

COMMANDS = textwrap.dedent("""
    import sys
    from segmentation.cli import main
    data, out = sys.argv[1], sys.argv[2]
    c = [data, "--today", "2025-10-01"]
    for args in (["score", *c, "--as-of", "2025-09-30", "--out", f"{out}/score.csv"],
                 ["personas", *c, "--as-of", "2025-09-30", "--out", f"{out}/personas.csv", "--random-state", "3"],
                 ["churn", *c, "--cutoff", "2025-06-30", "--out", f"{out}/churn.csv", "--backtest", "1"],
                 ["clv", *c, "--calibration-end", "2025-06-30", "--holdout-end", "2025-09-30",
                  "--order-value", "observed", "--out", f"{out}/clv.csv"],
                 ["tune-tiers", *c, "--as-of", "2025-09-30", "--out", f"{out}/tune.xlsx", "--random-state", "3"]):
        if main(args) != 0:
            sys.exit(f"failed: {args}")
""")


def _run(data: Path, out: Path, *, threads: str | None, hash_seed: str) -> dict[str, bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "SEGMENTATION_THREADS")
    }
    env["PYTHONHASHSEED"] = hash_seed
    if threads:
        env.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, SEGMENTATION_THREADS=threads)
    done = subprocess.run(
        [sys.executable, "-c", COMMANDS, str(data), str(out)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def two_runs(sample_dir, tmp_path_factory):
    base = tmp_path_factory.mktemp("determinism")
    return (
        _run(sample_dir, base / "one", threads="1", hash_seed="1"),
        _run(sample_dir, base / "two", threads=None, hash_seed="2"),
    )


def test_every_table_is_byte_identical_across_processes(two_runs):
    first, second = two_runs
    assert {
        "score.csv",
        "personas.csv",
        "personas_profiles.csv",
        "churn.csv",
        "churn_backtest.csv",
        "clv.csv",
        "clv_models.json",
        "tune.xlsx",
    } <= set(first)
    assert set(first) == set(second)
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"differ between processes: {different}"


def test_assignments_are_complete_and_the_same(two_runs, tmp_path):
    first, _ = two_runs
    for name, column in (("score.csv", "tier"), ("score.csv", "segment"), ("personas.csv", "persona_id")):
        path = tmp_path / name
        path.write_bytes(first[name])
        table = pd.read_csv(path, dtype={"customer_id": str})
        assert table["customer_id"].is_unique and table[column].notna().all()


def test_csv_numbers_keep_twelve_significant_digits(tmp_path):
    """The last bits that thread counts change are not written; what a reader needs is."""
    path = write_table(
        pd.DataFrame({"p": [0.038871913597540726, 0.03887191359754072, 1234567.891]}), tmp_path / "t.csv"
    )
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "p",
        "0.0388719135975",
        "0.0388719135975",
        "1234567.891",
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_last_bit_differences_do_not_reach_the_file(suffix, tmp_path):
    """Threads scheduled differently under load change the last bits; every format writes the same bytes."""
    one = write_table(pd.DataFrame({"p": [0.038871913597540726], "id": ["a"]}), tmp_path / f"one{suffix}")
    two = write_table(pd.DataFrame({"p": [0.03887191359754072], "id": ["a"]}), tmp_path / f"two{suffix}")
    assert one.read_bytes() == two.read_bytes()
