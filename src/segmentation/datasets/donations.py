"""The donations data of the BG/BB paper (Fader, Hardie and Shang 2010): 11,104 donors, six yearly opportunities.

The file holds the 22 distinct repeat-donation histories of the people who first donated to a
US non-profit in 1995, over 1996-2001, with the number of donors of each; see
``data/donations/README.md`` for provenance and licence.

Examples
--------
>>> summary = load_donations()
>>> len(summary), int(summary["frequency"].sum())
(11104, 24615)
>>> len(load_donations(patterns=True))
22
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: Where the repository keeps the file (``data/donations``).
DONATIONS_DIR = Path(__file__).resolve().parents[3] / "data" / "donations"


def load_donations(path: str | Path | None = None, *, patterns: bool = False) -> pd.DataFrame:
    """The donations as a BG/BB summary: ``frequency, recency, periods``, one row per donor.

    Parameters
    ----------
    path : str or Path, optional
        Folder with ``donations.csv``; defaults to ``data/donations``.
    patterns : bool, default False
        Return the 22 distinct histories with their number of donors (``weights``) instead.

    Returns
    -------
    DataFrame
        Integer columns; one row per donor indexed ``donor`` 0 .. 11,103, or one per pattern.
    """
    folder = Path(path) if path is not None else DONATIONS_DIR
    table = pd.read_csv(folder / "donations.csv", dtype="int64")
    if patterns:
        return table
    donors = table.loc[np.repeat(table.index, table["weights"]), ["frequency", "recency", "periods"]]
    return donors.reset_index(drop=True).rename_axis("donor")


__all__ = ["DONATIONS_DIR", "load_donations"]
