"""Write result tables by file suffix: ``.csv`` (UTF-8), ``.parquet`` or ``.xlsx``.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> path = write_table(pd.DataFrame({"a": [1]}), pathlib.Path(tempfile.mkdtemp()) / "out" / "t.csv")
>>> path.read_text()
'a\\n1\\n'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import WorkbenchError

SUFFIXES = (".csv", ".parquet", ".xlsx")


def write_table(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names; parent folders are created."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise WorkbenchError(f"{path}: unknown output format {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, index=index, lineterminator="\n", date_format="%Y-%m-%d")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=index)
    else:
        frame.to_excel(path, index=index)
    return path


def read_output(path: str | Path) -> pd.DataFrame:
    """Read back a table the workbench wrote (ids stay text: ``customer_id`` "007").

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_table(pd.DataFrame({"customer_id": ["007"], "persona_id": [1]}),
    ...                 pathlib.Path(tempfile.mkdtemp()) / "a.csv")
    >>> read_output(p)["customer_id"].tolist()
    ['007']
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise WorkbenchError(f"{path}: no such file")
    if suffix not in SUFFIXES:
        raise WorkbenchError(f"{path}: unknown table format {suffix!r}; expected one of {', '.join(SUFFIXES)}")
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"customer_id": str})
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_excel(path, dtype={"customer_id": str})
    return frame.astype({"customer_id": str}) if "customer_id" in frame else frame
