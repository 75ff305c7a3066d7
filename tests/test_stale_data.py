"""A report on a quarter the data does not cover stops with exit status 3, unless --allow-incomplete."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from segmentation.cli import EXIT_STALE, build_parser, main
from segmentation.data.dataset import Dataset
from segmentation.errors import ConfigError, StaleDataError
from segmentation.reports.inputs import GRACE_DAYS, check_quarter_covered, open_report

pytestmark = pytest.mark.heavy

REPORT = "explore"  # the lightest report; every report opens its data with open_report


def _orders(end: str, *, gap: tuple[str, str] | None = None) -> pd.DataFrame:
    """Twelve customers ordering every 20 days from 2024-01-05; the last order is on ``end``.

    Customer ``k`` (1..12) first buys on 2024-01-05 + k days and spends ``100 * k`` a time, so the
    tiers and scores have something to separate. Orders between ``gap[0]`` and ``gap[1]`` are dropped.
    """
    rows = []
    for k in range(1, 13):
        for i, day in enumerate(pd.date_range(pd.Timestamp("2024-01-05") + pd.Timedelta(days=k), end, freq="20D")):
            rows.append((f"C{k:02d}", f"O{k:02d}-{i:03d}", day, 100.0 * k))
    rows.append(("C01", "O-last", pd.Timestamp(end), 150.0))
    tx = pd.DataFrame(rows, columns=["customer_id", "order_id", "order_date", "amount"])
    if gap is not None:
        tx = tx[~tx["order_date"].between(*gap)]
    return tx


def _folder(path: Path, tx: pd.DataFrame) -> Path:
    path.mkdir(parents=True)
    tx.assign(order_date=tx["order_date"].dt.strftime("%Y-%m-%d")).to_csv(path / "transactions.csv", index=False)
    return path


def _data(tx: pd.DataFrame) -> Dataset:
    return Dataset.from_frames(transactions=tx)


def _run(data: Path, out: Path, *extra: str) -> int:
    return main(["report", REPORT, "--data", str(data), "--out", str(out), "--no-progress", *extra])


# The check itself ----------------------------------------------------------------------------------------------------


def test_a_quarter_the_data_covers_within_the_grace_days_passes():
    assert GRACE_DAYS == 7
    # 2025Q3 ends on 2025-09-30 (a Tuesday); a last order seven days earlier still covers it.
    assert check_quarter_covered(_data(_orders("2025-09-23")), "2025Q3") is None
    assert check_quarter_covered(_data(_orders("2025-09-30")), "2025Q3") is None
    assert check_quarter_covered(_data(_orders("2025-10-20")), "2025Q3") is None
    assert check_quarter_covered(_data(_orders("2025-09-22")), "2025Q3", grace_days=8) is None


def test_data_ending_mid_quarter_is_refused_as_incomplete():
    with pytest.raises(StaleDataError) as info:
        check_quarter_covered(_data(_orders("2025-09-22")), "2025Q3")  # 8 days before the end
    assert str(info.value) == (
        "quarter 2025Q3 is incomplete: the data's last order is on 2025-09-22, 8 days before the quarter ends "
        "(2025-09-30); run the report once the quarter's orders are all exported. Export the data again, report "
        "on a quarter the data covers (the last complete one is 2025Q2), or run anyway with allow_incomplete=True "
        "(command line: --allow-incomplete)"
    )
    note = check_quarter_covered(_data(_orders("2025-08-15")), "2025Q3", allow_incomplete=True)
    assert note == "partial quarter: the data ends with an order on 2025-08-15, 46 days before 2025Q3 ends (2025-09-30)"


def test_a_quarter_after_the_data_is_refused_as_stale():
    with pytest.raises(
        StaleDataError,
        match=r"^quarter 2025Q3 has no orders: the data's last order is on "
        r"2024-09-27, before the quarter starts \(2025-07-01\); the export looks stale\. .*"
        r"the last complete one is 2024Q3",
    ):
        check_quarter_covered(_data(_orders("2024-09-27")), "2025Q3")


def test_a_quarter_without_orders_inside_the_data_is_refused():
    tx = _orders("2025-09-30", gap=("2025-04-01", "2025-06-30"))
    with pytest.raises(
        StaleDataError,
        match=r"^quarter 2025Q2 has no orders, though the data has orders before "
        r"and after it \(orders from 2024-01-06 to 2025-09-30\); check that the export is complete",
    ):
        check_quarter_covered(_data(tx), "2025Q2")
    assert check_quarter_covered(_data(tx), "2025Q2", allow_incomplete=True) == (
        "no order in 2025Q2: the data has orders before and after it"
    )
    with pytest.raises(StaleDataError, match=r"^quarter 2023Q4 has no orders, though the data starts after it ends"):
        check_quarter_covered(_data(tx), "2023Q4")


def test_open_report_refuses_or_labels_the_quarter_partial(tmp_path):
    data = _folder(tmp_path / "mid", _orders("2025-08-15"))
    with pytest.raises(StaleDataError, match="quarter 2025Q3 is incomplete: the data's last order is on 2025-08-15"):
        open_report(data_dir=str(data), quarter="2025Q3")
    ctx = open_report(data_dir=str(data), quarter="2025Q3", allow_incomplete=True)
    assert ctx.partial
    summary = ctx.summary().set_index("setting")["value"]
    assert summary["quarter"] == "2025Q3 (2025-07-01 to 2025-09-30), partial: the data does not cover it to its end"
    assert summary["last order"] == (
        "2025-08-15; partial quarter: the data ends with an order on 2025-08-15, 46 days before 2025Q3 ends "
        "(2025-09-30)"
    )
    full = open_report(data_dir=str(data), quarter="2025Q2")
    assert not full.partial and full.summary().set_index("setting").loc["last order", "value"] == "2025-08-15"


def test_open_report_names_bad_values_of_the_new_parameters():
    with pytest.raises(
        ConfigError,
        match=r"allow_incomplete: expected True or False, got 'yes'\n- grace_days: "
        r"expected a whole number of days >= 0, got -1",
    ):
        open_report(quarter="2025Q3", allow_incomplete="yes", grace_days=-1, sample_customers=20)


# Through the command line: the exit status a scheduler sees ----------------------------------------------------------


def test_the_help_documents_the_exit_status():
    assert EXIT_STALE == 3
    text = build_parser().format_help()
    assert "3  report only: the data does not cover the quarter" in text and "--allow-incomplete" in text


def test_report_on_data_ending_mid_quarter_exits_3_and_publishes_nothing(tmp_path, capsys):
    data = _folder(tmp_path / "mid", _orders("2025-08-15"))
    assert _run(data, tmp_path / "out", "--quarter", "2025Q3") == EXIT_STALE
    err = capsys.readouterr().err
    assert "error: report explore: quarter 2025Q3 is incomplete: the data's last order is on 2025-08-15" in err
    assert "--allow-incomplete" in err and "Traceback" not in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == [".explore_2025Q3.lock"]


def test_report_on_a_quarter_without_orders_exits_3(tmp_path, capsys):
    data = _folder(tmp_path / "gap", _orders("2025-09-30", gap=("2025-04-01", "2025-06-30")))
    assert _run(data, tmp_path / "out", "--quarter", "2025Q2") == EXIT_STALE
    assert "quarter 2025Q2 has no orders, though the data has orders before and after it" in capsys.readouterr().err
    assert not (tmp_path / "out" / "explore_2025Q2").exists()


def test_previous_quarter_on_an_export_a_year_old_exits_3(tmp_path, capsys):
    data = _folder(tmp_path / "old", _orders("2024-09-27"))
    code = _run(data, tmp_path / "out", "--quarter", "previous", "--today", "2025-10-05")
    err = capsys.readouterr().err
    assert code == EXIT_STALE
    assert "quarter 2025Q3 has no orders: the data's last order is on 2024-09-27" in err
    assert "the last complete one is 2024Q3" in err


def test_allow_incomplete_runs_and_the_page_says_partial(tmp_path, capsys):
    data = _folder(tmp_path / "mid", _orders("2025-08-15"))
    assert _run(data, tmp_path / "out", "--quarter", "2025Q3", "--allow-incomplete") == 0
    html = (tmp_path / "out" / "explore_2025Q3" / "explore.html").read_text(encoding="utf-8")
    assert "2025Q3 (2025-07-01 to 2025-09-30), partial: the data does not cover it to its end" in html
    assert "partial quarter: the data ends with an order on 2025-08-15, 46 days before 2025Q3 ends" in html
