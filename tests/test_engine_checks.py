"""The order lines checked in the engine give what pandas gives: the same report, lines and refunds.

Every case of the bad-input corpus and a sample with dirty lines spread over every repair rule are
loaded twice: once read and checked by pandas, once with CSV files read by Arrow (as large files
are) and the order lines checked in DuckDB.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segmentation.data import engine, loading, readers
from segmentation.data.dataset import Dataset
from segmentation.data.engine import LargeTableWarning, OrderLines
from segmentation.features import customer_features

CORPUS = Path(__file__).parent / "data" / "bad"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
TODAY = "2025-10-01"


def _load(folder: Path, monkeypatch: pytest.MonkeyPatch, *, in_engine: bool):
    """``load_with_report`` with the order lines checked in the engine (CSV files read by Arrow), or by pandas alone."""
    with monkeypatch.context() as m:
        m.setenv(engine.MIN_LINES_ENV, "0" if in_engine else str(10**12))
        m.setattr(readers, "LARGE_CSV_BYTES", 0 if in_engine else 10**15)
        if not in_engine:
            m.setattr(loading, "parquet_source", lambda *args: None)
        return loading.load_with_report(folder, today=TODAY)


def _summary(report) -> dict:
    tables = {
        name: (t.rows_read, t.rows_loaded, t.rows_repaired, dict(t.excluded), dict(t.repaired))
        for name, t in report.tables.items()
    }
    return {"problems": [str(p) for p in report.problems], "counts": [p.n_rows for p in report.problems], **tables}


def _assert_same(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Dataset | None, Dataset | None]:
    pandas_ds, pandas_report = _load(folder, monkeypatch, in_engine=False)
    engine_ds, engine_report = _load(folder, monkeypatch, in_engine=True)
    assert _summary(engine_report) == _summary(pandas_report)
    assert (engine_ds is None) == (pandas_ds is None)
    if engine_ds is not None:
        pd.testing.assert_frame_equal(engine_ds.transactions, pandas_ds.transactions)
        pd.testing.assert_frame_equal(engine_ds.refunds, pandas_ds.refunds)
        pd.testing.assert_frame_equal(engine_ds.customers, pandas_ds.customers)
    return pandas_ds, engine_ds


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case_reads_the_same_in_the_engine(case, monkeypatch):
    _assert_same(case, monkeypatch)


def _dirty_sample(*, seed: int = 3, share: float = 0.01) -> pd.DataFrame:
    """Sample order lines as text with ``share`` of them dirty, spread over every repair rule."""
    from segmentation.datasets.sample import generate_sample

    tx = generate_sample(300, random_state=seed, years=2)["transactions"]
    text = pd.DataFrame(
        {
            "customer_id": tx["customer_id"].astype(str),
            "order_id": tx["order_id"].astype(str),
            "order_date": tx["order_date"].dt.strftime("%Y-%m-%d"),
            "amount": tx["amount"].map("{:.2f}".format),
        }
    )
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(text), size=max(int(share * len(text)), 40), replace=False)
    rules = [
        ("customer_id", lambda v: f"  {v} "),
        ("customer_id", lambda v: ""),
        ("order_id", lambda v: f"{v}\x00"),
        ("order_id", lambda v: f"\u3000{v}"),
        ("amount", lambda v: f"¥{float(v):,.2f}"),
        ("amount", lambda v: f"({float(v):,.2f})"),
        ("amount", lambda v: "0"),
        ("amount", lambda v: f"-{v}"),
        ("order_date", lambda v: v.replace("-", "/")),
        ("order_date", lambda v: v.replace("-", "")),
    ]
    for i, row in enumerate(rows):
        column, rule = rules[i % len(rules)]
        text.loc[row, column] = rule(text.loc[row, column])
    dupes = text.iloc[rows[:7]]  # exact duplicates, some of them of dirty lines
    text = pd.concat([text, dupes], ignore_index=True)
    text.attrs["duplicates"] = int((dupes["customer_id"].str.strip() != "").sum())  # blank ids go before
    return text


def test_dirty_lines_read_the_same_in_csv_and_parquet(tmp_path, monkeypatch):
    text = _dirty_sample()
    (tmp_path / "csv").mkdir()
    text.to_csv(tmp_path / "csv" / "transactions.csv", index=False)
    (tmp_path / "parquet").mkdir()
    text.to_parquet(tmp_path / "parquet" / "transactions.parquet", index=False)
    for folder in (tmp_path / "csv", tmp_path / "parquet"):
        _, ds = _assert_same(folder, monkeypatch)
        assert isinstance(ds.lines, OrderLines)
        tr = ds.report.tables["transactions"]
        assert tr.excluded["exact duplicate lines"] == text.attrs["duplicates"] > 0
        assert tr.excluded["blank customer_id"] > 0 and len(ds.refunds) > 0
        assert set(tr.repaired) >= {
            "control characters (such as NUL) removed",
            "spaces around customer_id trimmed",
            "amount text normalised (thousands separators, currency marks)",
            "order_date read from a non-ISO format or an Excel serial number",
        }
        assert tr.rows_repaired > 0
        assert tr.rows_read == tr.rows_loaded + sum(tr.excluded.values())


def test_refusals_name_the_same_rows_in_the_engine(tmp_path, monkeypatch):
    text = _dirty_sample()
    text.loc[[5, 900, 1200], "order_date"] = ["2031-01-02", "1985-05-05", "not a date"]
    text.loc[[17, 18], "amount"] = ["abc", ""]
    text.to_parquet(tmp_path / "transactions.parquet", index=False)
    pandas_ds, engine_ds = _assert_same(tmp_path, monkeypatch)
    assert pandas_ds is None and engine_ds is None
    _, report = _load(tmp_path, monkeypatch, in_engine=True)
    found = {(p.column, p.message): p.rows for p in report.errors}
    assert found[("order_date", "date in the future (after 2025-10-01)")] == (7,)
    assert found[("order_date", "date before 1990-01-01")] == (902,)
    assert found[("order_date", "cannot be read as date")] == (1202,)
    assert found[("amount", "missing value")] == (20,)


def test_typed_parquet_lines_stay_in_the_engine(tmp_path, monkeypatch):
    from segmentation.datasets.sample import generate_sample

    tx = generate_sample(200, random_state=5, years=2)["transactions"][
        ["customer_id", "order_id", "order_date", "amount"]
    ]
    tx.to_parquet(tmp_path / "transactions.parquet", index=False)
    pandas_ds, ds = _assert_same(tmp_path, monkeypatch)
    assert isinstance(ds.lines, OrderLines) and ds.lines.backend == "duckdb"
    assert len(ds.lines) == len(pandas_ds.transactions)
    pd.testing.assert_frame_equal(
        customer_features(ds, as_of="2025-06-30"), customer_features(pandas_ds, as_of="2025-06-30")
    )


def test_copying_many_lines_out_of_the_engine_warns(tmp_path, monkeypatch):
    shutil.copytree(CORPUS / "parquet_file", tmp_path / "data")
    ds = loading.load_dataset(tmp_path / "data", today=TODAY)
    monkeypatch.setattr(engine, "WARN_ROWS", 1)
    with pytest.warns(LargeTableWarning, match="order lines from the engine into memory"):
        ds.transactions  # noqa: B018
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds.transactions  # noqa: B018 - copied once, then kept


def test_features_of_engine_lines_are_the_same_bits_every_run(tmp_path, monkeypatch):
    """Several threads add partial sums in the order they finish: money is summed exactly instead."""
    from segmentation.datasets.sample import generate_sample

    tx = generate_sample(2_000, random_state=9, years=2)["transactions"][
        ["customer_id", "order_id", "order_date", "amount"]
    ]
    tx.sample(frac=1.0, random_state=1).to_parquet(tmp_path / "transactions.parquet", index=False, row_group_size=500)
    monkeypatch.setenv("SEGMENTATION_THREADS", "4")
    runs = [customer_features(loading.load_dataset(tmp_path), as_of="2025-06-30") for _ in range(3)]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(other, runs[0], check_exact=True)


@pytest.mark.parametrize(
    "amounts",
    [[5.0, 2e15, -3.0, 7.5], [-5.0, -2.0, -3.0, -7.5]],
    ids=["above the ceiling", "refunds only"],
)
def test_typed_parquet_amounts_are_screened_in_the_engine(amounts, tmp_path, monkeypatch):
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "order_id": ["1", "2", "3", "4"],
            "order_date": pd.to_datetime(["2024-01-01"] * 4),
            "amount": amounts,
        }
    )
    tx.to_parquet(tmp_path / "transactions.parquet", index=False)
    pandas_ds, engine_ds = _assert_same(tmp_path, monkeypatch)
    assert pandas_ds is None and engine_ds is None


@pytest.mark.parametrize(
    "amounts",
    [["1234,50", "1.234", "12"], ["12.50", "1,234", "7"], ["1.234", "1,234", "5"]],
    ids=["decimal comma decides", "decimal point decides", "nothing decides"],
)
def test_text_amounts_read_with_the_columns_decimal_mark(amounts, tmp_path, monkeypatch):
    """1.234 is 1234 in a column written with decimal commas: the engine's fast rule must not read it."""
    n = 3 * 400
    tx = pd.DataFrame(
        {
            "customer_id": [f"c{i % 50}" for i in range(n)],
            "order_id": [f"o{i}" for i in range(n)],
            "order_date": ["2024-03-01"] * n,
            "amount": amounts * 400,
        }
    )
    tx.to_csv(tmp_path / "transactions.csv", index=False, sep=";")
    _assert_same(tmp_path, monkeypatch)  # a ';' file: "nothing decides" is refused both ways
    tx.to_csv(tmp_path / "transactions.csv", index=False)
    pandas_ds, _ = _assert_same(tmp_path, monkeypatch)
    assert pandas_ds is not None


def test_long_columns_read_numbers_as_pandas_does():
    """Long columns take Arrow's cast for simple numbers; every value reads as pd.to_numeric reads it."""
    from segmentation.data.parsing import _plain_numbers, decimal_mark

    rng = np.random.default_rng(4)
    shapes = ["1234.50", "-7", "007", "1e5", "+3.5", "1,234", "1.234", "", "abc", "0.1", "123456789012345", " 5"]
    text = pd.Series(rng.choice(shapes, size=150_000), dtype="str")
    text = text.where(rng.random(len(text)) > 0.5, pd.Series(rng.normal(0, 1e4, len(text)).round(2)).astype(str))
    expected = pd.to_numeric(text, errors="coerce").astype(float)
    pd.testing.assert_series_equal(_plain_numbers(text), expected, check_names=False)
    assert decimal_mark(text).decimal == decimal_mark(text.head(90_000)).decimal == "."


def test_a_saved_pandas_index_is_not_a_column_in_either_reader(tmp_path, monkeypatch):
    tx = pd.DataFrame(
        {"customer_id": ["a", "b"], "order_id": ["1", "2"], "order_date": pd.to_datetime(["2024-01-01"] * 2)},
        index=pd.Index([10, 20], name=None),
    ).assign(amount=[5.0, 7.0])
    tx.to_parquet(tmp_path / "transactions.parquet")  # the index is saved as __index_level_0__
    _, ds = _assert_same(tmp_path, monkeypatch)
    assert isinstance(ds.lines, OrderLines)
    assert not [p for p in ds.report.problems if "__index_level" in p.message]
