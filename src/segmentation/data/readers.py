"""Read one table file (CSV, Parquet or Excel) into text columns with contract names.

Reading never guesses silently: the encoding and delimiter used are reported, every
blank row is counted, and a file that cannot be read becomes a :class:`Problem`
naming the file instead of a traceback.

Row numbers are those a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from segmentation.data.contract import TABLES
from segmentation.data.decoding import ENCODINGS, decode
from segmentation.data.mapping import ColumnMapping
from segmentation.data.screening import screen_values
from segmentation.errors import Problem, problem_at

DELIMITERS = (",", ";", "\t", "|")
ROW = "_row"


@dataclass
class RawTable:
    """A file's records as text (or typed, from Parquet), with reading notes."""

    table: str
    file: str
    frame: pd.DataFrame
    encoding: str | None = None
    delimiter: str | None = None
    problems: list[Problem] = field(default_factory=list)
    blank_rows: int = 0
    #: Whether the values were screened as read (decimal marks, offsets, amounts; frames are not).
    screened: bool = False

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _match_header(names: list[str], table: str, mapping: ColumnMapping) -> tuple[list[str], list[str]]:
    """Contract names for a header, matching ``" Customer_ID "`` to ``customer_id``; the names so matched."""
    renamed = mapping.rename(table, names)
    known = set(TABLES[table].column_names)
    out, loose = [], []
    for name in renamed:
        key = "_".join(str(name).strip().lower().split())
        if name not in known and key in known and key not in renamed:
            out.append(key)
            loose.append(f"{name!r} as {key}")
        else:
            out.append(name)
    return out, loose


def _pick_delimiter(header: str, table: str, mapping: ColumnMapping) -> str:
    """The delimiter that splits the header into the most contract columns."""
    known = set(TABLES[table].column_names)

    def score(d: str) -> tuple[int, int]:
        names = [n.strip() for n in next(csv.reader([header], delimiter=d), [])]
        return len(known & set(_match_header(names, table, mapping)[0])), len(names)

    return max(DELIMITERS, key=score)


def _sheet(sheet: str | int | None, names: list[str]) -> str | None:
    """The sheet named by the mapping (a name, or a position from 1); the first when none is named."""
    if sheet is None:
        return names[0] if names else None
    if isinstance(sheet, int):
        return names[sheet - 1] if sheet <= len(names) else None
    return sheet if sheet in names else next((n for n in names if n.strip() == str(sheet).strip()), None)


def read_header(header: list[str], table: str, mapping: ColumnMapping, file: str) -> tuple[list[str], list[Problem]]:
    """A file's header in contract names, and what reading it found (a column twice is an error).

    Examples
    --------
    >>> names, problems = read_header(["Customer ID", "amount", "amount"], "transactions", ColumnMapping(), "t.csv")
    >>> names, [p.message for p in problems]
    (['customer_id', 'amount', 'amount'], ["columns matched ignoring case and spaces: 'Customer ID' as customer_id", \
'the column appears twice in the header (positions 2 and 3)'])
    """
    renamed, loose = _match_header(header, table, mapping)
    problems: list[Problem] = []
    if loose:
        problems.append(Problem("info", file, None, f"columns matched ignoring case and spaces: {', '.join(loose)}"))
    seen: dict[str, int] = {}
    for position, column in enumerate(renamed, start=1):
        if column in seen:
            problems.append(
                Problem(
                    "error",
                    file,
                    column,
                    f"the column appears twice in the header (positions {seen[column]} and {position})",
                    expected="each column once",
                )
            )
        seen.setdefault(column, position)
    return renamed, problems


#: The first bytes of an OLE2 compound file: an Excel 97-2003 workbook, or an encrypted .xlsx.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _not_a_workbook(path: Path) -> tuple[str, str] | None:
    """Why a file named as a workbook cannot be read as .xlsx (message, what to do), or None."""
    with path.open("rb") as f:
        head = f.read(8)
        if head.startswith(b"PK"):
            return None  # a zip: an .xlsx (a broken one is reported when it is read)
        if head == _OLE2:
            if _ENCRYPTED in f.read():
                return (
                    "the workbook is protected with a password (encrypted), so it cannot be read",
                    "the workbook without its password: open it in Excel, clear the password (File > Info > "
                    "Protect Workbook > Encrypt with Password) and save, or save the sheet as CSV UTF-8",
                )
            return (
                "this is an old Excel 97-2003 workbook (.xls), a format the workbench does not read",
                "an .xlsx file or a CSV: open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'",
            )
    if path.suffix.lower() == ".xls":
        return (
            "the file is named .xls but is not an Excel workbook (perhaps a web page or text saved as .xls)",
            "an .xlsx file or a CSV: open it and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'",
        )
    return None


def _read_workbook(
    path: Path, table: str, mapping: ColumnMapping, sheet: str | int | None, header_row: int
) -> tuple[pd.DataFrame, list[Problem]] | Problem:
    """A workbook's records: the mapping's sheet, else every sheet with records when they share a header."""
    name = path.name
    source = io.BytesIO(path.read_bytes()) if path.suffix.lower() == ".xls" else path  # openpyxl goes by the name
    with pd.ExcelFile(source, engine="openpyxl") as book:
        names = book.sheet_names
        if sheet is not None or len(names) == 1:
            chosen = _sheet(sheet, names)
            if chosen is None:
                listed = ", ".join(f"{i} {n!r}" for i, n in enumerate(names, start=1))
                return Problem(
                    "error",
                    name,
                    None,
                    f"the mapping names sheet {sheet!r} for {table}, which the workbook does not have",
                    expected=f"a sheet name or position from 1 (the sheets: {listed})",
                )
            return pd.read_excel(book, sheet_name=chosen, dtype=object, header=header_row - 1), []
        sheets = {n: pd.read_excel(book, sheet_name=n, dtype=object, header=header_row - 1) for n in names}
    sheets = {n: f for n, f in sheets.items() if len(f.columns) or len(f)}  # empty sheets hold nothing
    if len(sheets) <= 1:
        return (next(iter(sheets.values())) if sheets else pd.DataFrame()), []
    headers = {  # nameless columns aside: a sheet formatted one column wider still shares the header
        n: [h for h in _match_header([str(c) for c in f.columns], table, mapping)[0] if not _unnamed(h)]
        for n, f in sheets.items()
    }
    first = next(iter(headers.values()))
    if any(h != first for h in headers.values()):
        listed = "; ".join(
            f"{n!r} ({', '.join(map(str, h[:6]))}{', ...' if len(h) > 6 else ''})" for n, h in headers.items()
        )
        return Problem(
            "error",
            name,
            None,
            f"the workbook has {len(sheets)} sheets with records and their headers differ: {listed}",
            expected=f"the sheet to read named in the mapping (files: {{{table}: {{sheet: {next(iter(sheets))!r}}}}}), "
            "or one header on every sheet",
        )
    spans, start = [], header_row + 1
    for n, f in sheets.items():
        where = f"row {start:,}" if len(f) == 1 else f"rows {start:,}-{start + len(f) - 1:,}"
        spans.append(f"{n!r} {len(f):,} line{'s' if len(f) != 1 else ''}" + (f" ({where})" if len(f) else ""))
        start += len(f)
    note = Problem(
        "info",
        name,
        None,
        f"read all {len(sheets)} sheets, which share the header: {', '.join(spans)}; row numbers in messages "
        "count on from sheet to sheet",
        expected=None,
    )
    return pd.concat(list(sheets.values()), ignore_index=True), [note]


def _unnamed(name: str) -> bool:
    """A header cell left blank (pandas names a blank workbook header cell ``Unnamed: 4``)."""
    return not name.strip() or bool(re.fullmatch(r"Unnamed: \d+(_level_\d+)?", name))


def _drop_unnamed(
    frame: pd.DataFrame, header: list[str], name: str, first_row: int
) -> tuple[pd.DataFrame, list[str], list[Problem]]:
    """Columns without a header name are ignored, as columns outside the contract are: noted when empty
    on every line (a header ending in ``,,``), warned with their rows when they hold values."""
    blank_named = [i for i, h in enumerate(header) if _unnamed(h)]
    if not blank_named:
        return frame, header, []
    found = []
    empty = [i for i in blank_named if not frame.iloc[:, i].fillna("").astype(str).str.strip().ne("").any()]
    if empty:
        several = len(empty) > 1
        found.append(
            Problem(
                "info",
                name,
                None,
                f"{len(empty)} column{'s' if several else ''} of the header (position{'s' if several else ''} "
                f"{', '.join(str(i + 1) for i in empty)}) {'have' if several else 'has'} no name and nothing on "
                "any line (lines ending in ',,' as spreadsheets export them): ignored",
            )
        )
    for i in blank_named:
        if i in empty:
            continue
        values = frame.iloc[:, i].fillna("").astype(str).str.strip()
        holding = values.ne("").to_numpy()
        found.append(
            problem_at(
                "warning",
                name,
                None,
                f"column {i + 1} of the header has no name but holds values: ignored, as every column outside "
                "the contract is",
                first_row + np.flatnonzero(holding),
                expected="a name in the header for a column that matters (then map it in the mapping)",
                examples=values[holding],
            )
        )
    keep = [i for i in range(len(header)) if i not in blank_named]
    return frame.iloc[:, keep], [header[i] for i in keep], found


def _bare_cr_problem(text: str, delimiter: str, width: int, name: str, header_row: int) -> Problem | None:
    """Lines split by a carriage return (CR) standing alone inside a value, which ends a record early."""
    if not re.search(r"\r(?!\n)", text):  # CR only before LF, or none: nothing to split
        return None
    rows, shown = [], []
    for i, line in enumerate(text.split("\n")):
        line = line.rstrip("\r")
        if "\r" not in line or '"' in line:  # a quoted value may hold a line break
            continue
        pieces = [p for p in line.split("\r") if p.strip()]
        widths = [len(next(csv.reader([p], delimiter=delimiter), [])) for p in pieces]
        if any(w != width for w in widths):
            rows.append(i + header_row)
            shown.append(line)
    if not rows:
        return None
    return problem_at(
        "error",
        name,
        None,
        "a carriage return (CR) stands alone inside the line and splits it into records that do not fit the "
        f"header ({width} columns)",
        rows,
        expected="one record per line: remove the CR from the value, or quote the value",
        examples=shown,
    )


def _read_ragged(
    text: str, delimiter: str, width: int, name: str, header_row: int
) -> tuple[pd.DataFrame, list[Problem]]:
    """Records when some lines have more fields than the header: a delimiter ending the line is ignored,
    any other extra field refuses the file with the rows and the cause."""
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:]
    trailing, extra = [], []
    for i, record in enumerate(records):
        if len(record) > width:
            row = i + header_row + 1
            if any(v.strip() for v in record[width:]):
                extra.append((row, len(record), delimiter.join(record)))
            else:
                trailing.append(row)
    if extra:
        counts = sorted({n for _, n, _ in extra})
        return pd.DataFrame(), [
            problem_at(
                "error",
                name,
                None,
                f"cannot read the file: these lines have {' or '.join(map(str, counts))} fields, the header {width} "
                f"(a {delimiter!r} inside a value that is not quoted, such as 1{delimiter}200, or a column without "
                "a name in the header)",
                [r for r, _, _ in extra],
                expected="as many fields on each line as in the header; quote values holding the delimiter",
                examples=[line for _, _, line in extra],
            )
        ]
    frame = pd.DataFrame([(r + [""] * width)[:width] if r else [""] * width for r in records], dtype=str)
    frame.columns = [f"_col{i}" for i in range(width)]
    note = problem_at(
        "info",
        name,
        None,
        f"{len(trailing):,} line{'s end' if len(trailing) != 1 else ' ends'} in a delimiter the header does not have "
        "(an empty last field): the empty field was ignored",
        trailing,
    )
    return frame, [note] if trailing else []


def read_table(path: Path, table: str, mapping: ColumnMapping) -> RawTable:
    """Read ``path`` as contract table ``table``.

    Parameters
    ----------
    path : Path
        A ``.csv``/``.txt``/``.tsv``, ``.parquet`` or ``.xlsx`` file.
    table : str
        The contract table the file holds.
    mapping : ColumnMapping
        Column renames and CSV settings.

    Returns
    -------
    RawTable
        Columns renamed to the contract, plus ``_row`` (the spreadsheet row number). A workbook is read
        from the mapping's ``sheet`` for the table (else the first), and any file from its ``header_row``
        (rows above it are titles, not records).
        Reading errors are in ``problems``; then the frame is empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_bytes("customer_id;amount\\n007;5\\n".encode("gbk"))
    >>> raw = read_table(d / "t.csv", "transactions", ColumnMapping())
    >>> raw.delimiter, raw.frame["customer_id"].tolist()
    (';', ['007'])
    """
    name = path.name
    fail = lambda msg, expected=None: RawTable(  # noqa: E731
        table, name, pd.DataFrame(), problems=[Problem("error", name, None, msg, expected=expected)]
    )
    suffix = path.suffix.lower()
    encoding = delimiter = None
    notes: list[Problem] = []
    sheet = mapping.sheets.get(table)
    header_row = mapping.header_rows.get(table, 1)
    if sheet is not None and suffix not in (".xlsx", ".xls"):
        return fail(
            f"the mapping names sheet {sheet!r} for {table}, but this is not a workbook",
            "an .xlsx file, or no sheet in the mapping",
        )
    if header_row != 1 and suffix == ".parquet":
        return fail(f"the mapping names header_row {header_row} for {table}, but Parquet has no header rows")
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
            header = [str(c) for c in frame.columns]
        elif suffix in (".xlsx", ".xls"):
            why = _not_a_workbook(path)
            if why is not None:
                return fail(*why)
            got = _read_workbook(path, table, mapping, sheet, header_row)
            if isinstance(got, Problem):
                return RawTable(table, name, pd.DataFrame(), problems=[got])
            frame, notes = got
            header = [str(c) for c in frame.columns]
            frame = frame.map(lambda v: "" if pd.isna(v) else (v.isoformat() if hasattr(v, "isoformat") else str(v)))
        else:
            raw = path.read_bytes()
            if not raw.strip():
                return fail("the file is empty", "a header row and at least one record")
            if len(raw) >= LARGE_CSV_BYTES and header_row == 1:
                fast = _read_large_csv(raw, name, table, mapping)
                if fast is not None:
                    return fast
            try:
                text, encoding, doubt = decode(raw, mapping.encoding)
            except UnicodeDecodeError as exc:
                return fail(
                    f"cannot decode the file: {exc.reason}",
                    "text in UTF-8, UTF-8 with BOM, UTF-16 with BOM or GBK; for another encoding name it in "
                    "a mapping file (csv: {encoding: latin-1})",
                )
            except LookupError as exc:
                return fail(f"cannot decode the file: {exc}", "an encoding Python knows, such as utf-8 or gbk")
            if doubt:
                notes.append(Problem("warning", name, None, doubt))
            if "\r" in text and "\n" not in text:  # classic Mac line endings
                text = text.replace("\r", "\n")
            if header_row > 1:  # title lines above the header
                lines = text.lstrip("\ufeff").split("\n", header_row - 1)
                if len(lines) < header_row:
                    return fail(
                        f"the mapping puts the header on row {header_row}, but the file has {len(lines)} lines",
                        "header_row within the file",
                    )
                text = lines[-1]
            first_line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
            delimiter = (
                mapping.delimiter if mapping.delimiter != "auto" else _pick_delimiter(first_line, table, mapping)
            )
            header = [n.strip() for n in next(csv.reader([first_line], delimiter=delimiter), [])]
            split = _bare_cr_problem(text, delimiter, len(header), name, header_row)
            if split is not None:
                return RawTable(table, name, pd.DataFrame(), encoding, delimiter, [split])
            try:
                frame = pd.read_csv(
                    io.StringIO(text),
                    sep=delimiter,
                    dtype=str,
                    keep_default_na=False,
                    skip_blank_lines=False,
                    header=0,
                    names=[f"_col{i}" for i in range(len(header))],
                    engine="c",
                )
                # Lines with one field more than the header: pandas made the first field an index.
                ragged = not isinstance(frame.index, pd.RangeIndex)
            except pd.errors.ParserError as exc:
                if not re.search(r"Expected \d+ fields in line \d+, saw \d+", str(exc)):
                    raise
                ragged = True
            if ragged:
                frame, more = _read_ragged(text, delimiter, len(header), name, header_row)
                notes += more
                if any(p.severity == "error" for p in more):
                    return RawTable(table, name, pd.DataFrame(), encoding, delimiter, notes)
    except Exception as exc:  # noqa: BLE001 - every reader's failure (zip, xml, arrow, csv) becomes a message
        message = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return fail(
            f"cannot read the file ({type(exc).__name__}): {message}",
            "a well-formed file with one record per line"
            if suffix not in (".xlsx", ".parquet")
            else f"a {suffix} file that its program can open",
        )

    return _records(
        frame, header, table, mapping, name, header_row, encoding, delimiter, notes=notes, typed=suffix == ".parquet"
    )


def _records(
    frame: pd.DataFrame,
    header: list[str],
    table: str,
    mapping: ColumnMapping,
    name: str,
    header_row: int,
    encoding: str | None,
    delimiter: str | None,
    *,
    notes: list[Problem],
    typed: bool,
) -> RawTable:
    """The records of a file read: contract names, spreadsheet row numbers, blank rows counted and dropped."""
    frame, header, unnamed = _drop_unnamed(frame, header, name, header_row + 1)
    renamed, found = read_header(header, table, mapping, name)
    problems: list[Problem] = [*notes, *unnamed, *found]
    if any(p.severity == "error" for p in problems):
        return RawTable(table, name, pd.DataFrame(), encoding, delimiter, problems)
    frame = frame.set_axis(renamed, axis=1)
    frame[ROW] = range(header_row + 1, len(frame) + header_row + 1)
    blank = pd.Series(True, index=frame.index)
    for column in renamed:  # column by column, on the rows still blank: one pass over most lines
        values = frame.loc[blank, column]
        blank[blank] = values.isna() if typed else values.fillna("").str.strip().eq("")
        if not blank.any():
            break
    frame = frame.loc[~blank].reset_index(drop=True)
    problems += screen_values(frame, table, name, delimiter, mapping)
    return RawTable(table, name, frame, encoding, delimiter, problems, int(blank.sum()), screened=True)


#: Size from which a CSV file is read by Arrow's multi-threaded reader (when it is UTF-8 with one
#: header line and reads cleanly; else by pandas, whose messages name what is wrong).
LARGE_CSV_BYTES = 16 * 2**20


def _read_large_csv(raw: bytes, name: str, table: str, mapping: ColumnMapping) -> RawTable | None:
    """A large UTF-8 CSV file read by Arrow: the same records as the pandas reader, or None to leave it to pandas."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    if mapping.encoding not in ("auto", "utf-8", "utf-8-sig", "utf8"):
        return None
    end = raw.find(b"\n")
    first = raw[: end if end >= 0 else 0]
    if end < 0 or b'"' in first or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        first_line = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return None
    delimiter = mapping.delimiter if mapping.delimiter != "auto" else _pick_delimiter(first_line, table, mapping)
    header = [n.strip() for n in next(csv.reader([first_line], delimiter=delimiter), [])]
    names = [f"_col{i}" for i in range(len(header))]
    try:
        records = pa_csv.read_csv(
            pa.py_buffer(raw),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=b'"' in raw, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):  # not UTF-8, a line with another number of fields, ...
        return None
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    frame = records.to_pandas()
    return _records(frame, header, table, mapping, name, 1, encoding, delimiter, notes=[], typed=False)


__all__ = ["DELIMITERS", "ENCODINGS", "ROW", "RawTable", "read_header", "read_table"]
