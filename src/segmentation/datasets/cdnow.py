"""The CDNOW purchase logs (real data, Fader and Hardie), mapped onto the data contract.

CDNOW has orders only: each line is one purchase of a customer on a day, with the number
of CDs and the dollar value. The loader gives every line an ``order_id``
(``<customer>-<line number>``), keeps the ids as text (``"00001"``) and derives the
customers from the orders. Zero-value lines are free items and stay in (the load
report counts them). See ``data/cdnow/README.md`` for provenance.

Examples
--------
>>> ds = load_cdnow()
>>> len(ds.customers), len(ds.transactions)
(23570, 69659)
>>> ds.transactions.loc[0, "customer_id"]
'00001'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from segmentation.data.dataset import Dataset
from segmentation.data.loading import load_frames
from segmentation.periods import as_date

#: Where the repository keeps the files (``data/cdnow``).
CDNOW_DIR = Path(__file__).resolve().parents[3] / "data" / "cdnow"


def read_cdnow_lines(path: str | Path | None = None, *, sample: bool = False) -> pd.DataFrame:
    """The raw CDNOW file as text columns: customer_id, date, number_of_cds, dollar_value.

    ``sample=True`` reads ``CDNOW_sample.txt`` (the 2,357-customer 1/10 sample of the
    papers) and keeps its master ids; otherwise ``CDNOW_master.txt``.
    """
    folder = Path(path) if path is not None else CDNOW_DIR
    if sample:
        names = ["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"]
        frame = pd.read_csv(folder / "CDNOW_sample.txt", sep=r"\s+", header=None, names=names, dtype=str)
        return frame.drop(columns="sample_id")
    return pd.read_csv(folder / "CDNOW_master.txt", sep=r"\s+", dtype=str)


def load_cdnow(path: str | Path | None = None, *, sample: bool = False) -> Dataset:
    """Load CDNOW as a validated :class:`Dataset` (transactions only, customers derived).

    Parameters
    ----------
    path : str or Path, optional
        Folder with ``CDNOW_master.txt`` / ``CDNOW_sample.txt``; defaults to ``data/cdnow``.
    sample : bool, default False
        Load the 2,357-customer sample instead of the full 23,570 customers.
    """
    lines = read_cdnow_lines(path, sample=sample)
    transactions = pd.DataFrame(
        {
            "customer_id": lines["customer_id"],
            "order_id": lines["customer_id"] + "-" + pd.Series(range(1, len(lines) + 1)).astype(str),
            "order_date": pd.to_datetime(lines["date"], format="%Y%m%d"),
            "amount": pd.to_numeric(lines["dollar_value"]),
            "quantity": pd.to_numeric(lines["number_of_cds"]),
        }
    )
    return load_frames(transactions=transactions, source="CDNOW_sample.txt" if sample else "CDNOW_master.txt")


def calibration_summary(
    end: str = "1997-09-30", *, time_unit: str = "W", sample: bool = True, path: str | Path | None = None
) -> pd.DataFrame:
    """The buy-till-you-die summary of CDNOW's calibration period (the papers' set-up).

    Defaults: the 2,357-customer sample, 39 weeks from 1997-01-01 to ``end``, weeks as the unit.

    Examples
    --------
    >>> s = calibration_summary()
    >>> len(s), int((s["frequency"] == 0).sum())
    (2357, 1411)
    """
    from segmentation.features import btyd_summary

    end = as_date(end, name="end")
    ds = load_cdnow(path, sample=sample)
    calibration = ds.transactions[ds.transactions["order_date"] <= end]
    return btyd_summary(calibration, as_of=end, time_unit=time_unit)


__all__ = ["CDNOW_DIR", "calibration_summary", "load_cdnow", "read_cdnow_lines"]
