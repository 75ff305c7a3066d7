"""Refusals the loader owes a careless export (issue 23): every problem at once, and tables mostly excluded."""

from __future__ import annotations

import pandas as pd
import pytest

from segmentation.data.loading import check_dataset, load_with_report


def test_every_problem_of_a_table_is_reported_at_once(tmp_path):
    """A rating of 4.5 was reported only after an unreadable rating elsewhere was fixed."""
    (tmp_path / "transactions.csv").write_text("customer_id,order_id,order_date,amount\nC1,o1,2024-01-01,5\n")
    (tmp_path / "surveys.csv").write_text(
        "customer_id,date,rating\nC1,2024-02-01,５x\nC1,2024-02-02,4.5\nC1,2024-02-03,4\n"
    )
    errors = {(p.column, p.message, p.rows) for p in check_dataset(tmp_path, today="2025-01-01").errors}
    assert errors == {
        ("rating", "cannot be read as rating", (2,)),
        ("rating", "outside the 1-5 scale", (3,)),
    }


def _merged_ids(folder, *, blank: int, kept: int) -> None:
    """Order lines whose ids were in merged cells: only the first line of each block carries the id."""
    ids = ["C1"] * kept + [""] * blank
    pd.DataFrame(
        {
            "customer_id": ids,
            "order_id": [f"o{i}" for i in range(len(ids))],
            "order_date": ["2024-03-01"] * len(ids),
            "amount": ["10"] * len(ids),
        }
    ).to_csv(folder / "transactions.csv", index=False)


def test_a_table_mostly_excluded_is_not_usable(tmp_path):
    _merged_ids(tmp_path, blank=19, kept=1)
    dataset, report = load_with_report(tmp_path, today="2025-01-01")
    assert dataset is None
    (error,) = report.errors
    assert error.message.startswith("19 of 20 lines (95%) were excluded (blank customer_id 19)")
    assert "max_excluded" in error.expected


@pytest.mark.parametrize(("blank", "setting", "usable"), [(10, None, True), (11, None, False), (19, 1.0, True)])
def test_the_share_excluded_is_a_setting(tmp_path, blank, setting, usable):
    _merged_ids(tmp_path, blank=blank, kept=20 - blank)
    mapping = {} if setting is None else {"max_excluded": setting}
    dataset, _ = load_with_report(tmp_path, mapping=mapping, today="2025-01-01")
    assert (dataset is not None) == usable
