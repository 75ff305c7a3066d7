"""What careless or hostile input cannot do to an output (issue 23, items 2 to 5).

- Contact details are masked wherever they stand: glued to Chinese text or letters, with spaces
  inside, in any text column (owners included); ids and amounts are kept whole.
- CSV text cells that a spreadsheet would run as a formula are quoted, numbers are not, and
  ``read_output`` gives back what was written.
- Every single file is written beside its target and renamed: a failure half-way, or Ctrl-C,
  leaves the previous file or none.
- The command line refuses non-finite numbers in one line, stops on Ctrl-C in one line with
  status 130, and is quiet when its reader closes the pipe.
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from segmentation.cli import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, main
from segmentation.data import writers
from segmentation.data.privacy import mask_personal, redact_contacts
from segmentation.data.writers import atomic_path, formula_safe, read_output, write_table, write_text

CORPUS = Path(__file__).parent / "data" / "bad"
SRC = Path(__file__).resolve().parents[1] / "src"

# Contact details embedded in random Chinese and Latin text ------------------------------------------------------

_AROUND = st.text(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK ideographs
        st.sampled_from("abcxyzABCXYZ ,.:;!?()-_/，。：（）号"),
    ),
    max_size=6,
)


@st.composite
def _phone(draw) -> str:
    digits = f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 10**9 - 1)):09d}"
    sep = draw(st.sampled_from(["", " ", "-", "."]))
    number = f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"
    return draw(st.sampled_from(["", "+86 ", "86-", "+86"])) + number


_EMAIL = st.builds(
    "{}{}@{}.{}".format,
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
    st.sampled_from(["", ".li", "_2", "+x"]),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8),
    st.sampled_from(["cn", "com", "com.cn"]),
)
_CONTACT = st.one_of(_phone(), _EMAIL)


def _clear_forms(contact: str) -> list[str]:
    """What would show a contact in clear: as typed, and a phone's digits without separators."""
    digits = "".join(ch for ch in contact if ch.isdigit())
    return [contact] + ([digits[-11:]] if "@" not in contact else [])


@settings(max_examples=300, deadline=None)
@given(before=_AROUND, contact=_CONTACT, after=_AROUND)
def test_a_contact_is_masked_whatever_stands_around_it(before, contact, after):
    text = before + contact + after
    masked = redact_contacts(text)
    for clear in _clear_forms(contact):
        assert clear not in masked, (text, masked)
    assert redact_contacts(masked) == masked  # idempotent


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(_AROUND, _CONTACT, _AROUND), min_size=1, max_size=4))
def test_no_written_file_holds_a_contact_typed_into_any_text_column(tmp_path_factory, rows):
    texts = [b + c + a for b, c, a in rows]
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(len(rows))], "owner": texts, "name": texts[::-1]})
    folder = tmp_path_factory.mktemp("contacts")
    for suffix in ("csv", "xlsx"):
        path = write_table(frame, folder / f"t.{suffix}")
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if suffix == "csv" else _xlsx_text(path)
        for _, contact, _ in rows:
            for clear in _clear_forms(contact):
                assert clear not in text, (suffix, contact)


def _xlsx_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist())


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("请联系13812345678谢谢", "请联系***-5678谢谢"),
        ("回电13712345678", "回电***-5678"),
        ("call13812345673now", "call***-5673now"),
        ("1381234 5678号", "***-5678号"),
        ("邮件li.lei@example.cn谢谢", "邮件l***@example.cn谢谢"),
        ("tel:+86 138 1234 5678。", "tel:***-5678。"),
        ("电件谢13964536323_谢。", "电件谢***-6323_谢。"),
    ],
    ids=[
        "cjk-both-sides",
        "cjk-before",
        "latin-both-sides",
        "space-inside",
        "email-in-cjk",
        "country-code",
        "underscore-after",
    ],
)
def test_the_reported_cases_are_masked(typed, shown):
    assert redact_contacts(typed) == shown


@pytest.mark.parametrize(
    "kept",
    [
        "订单SO2025090000123已发货",
        "SO2025090000123",
        "INV20250930001 paid",
        "batch A1234567B",
        "合同金额12345678.50元",
        "lot_2025090000123",
        "2025-09-30 到 2025-12-31",
        "v1.2.3",
    ],
    ids=["order-in-cjk", "order-alone", "invoice", "letters-both-sides", "amount", "dates", "version", "underscore"],
)
def test_ids_amounts_and_dates_in_text_are_kept(kept):
    assert redact_contacts(kept) == kept


def test_every_text_column_is_masked_but_ids_and_numbers_are_kept():
    frame = pd.DataFrame(
        {
            "customer_id": ["13812345678"],  # a team that keys customers by phone: the key is kept
            "order_id": ["SO13812345678"],
            "owner": ["回电13712345678"],
            "segment": pd.Categorical(["call13812345673now"]),
            "amount": [13812345678.0],
        }
    )
    masked = mask_personal(frame)
    assert masked.iloc[0].tolist() == ["13812345678", "SO13812345678", "回电***-5678", "call***-5673now", 13812345678.0]


def test_a_corpus_owner_holding_a_phone_never_reaches_a_report_table(tmp_path):
    """The corpus case's customers, with owners and names holding phones, through the review tables."""
    from segmentation import load_dataset

    dataset = load_dataset(CORPUS / "contacts_glued_to_text", today="2025-10-01")
    paths = writers.write_report_tables(
        {"customers": dataset.customers, "interactions": dataset.interactions}, tmp_path / "out"
    )
    for path in paths.values():
        text = path.read_text(encoding="utf-8-sig") if path.suffix == ".csv" else _xlsx_text(path)
        for clear in ("13812345678", "13712345678", "13812345673", "13912345670", "1381234 5678", "li.lei@"):
            assert clear not in text, (path.name, clear)


# Formula-safe CSV -----------------------------------------------------------------------------------------------

HOSTILE_IDS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "\tTAB", "'=quoted"]


def test_text_cells_that_start_a_formula_are_quoted_and_numbers_are_not(tmp_path):
    frame = pd.DataFrame(
        {"customer_id": HOSTILE_IDS, "delta": [-2.5, -1.0, 0.0, 1.0, 2.0, -7.25], "n": [-1, 2, 3, 4, 5, 6]}
    )
    path = write_table(frame, tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in HOSTILE_IDS]
    assert [r[1] for r in rows[1:]] == ["-2.5", "-1", "0", "1", "2", "-7.25"]  # numbers as they are
    assert rows[1][2] == "-1"
    back = read_output(path)
    assert back["customer_id"].tolist() == HOSTILE_IDS and back["delta"].tolist() == frame["delta"].tolist()


def test_a_hostile_column_name_and_a_carriage_return_are_quoted_too():
    safe = formula_safe(pd.DataFrame({"=cmd": ["x"], "ok": ["\rCR"]}))
    assert safe.columns.tolist() == ["'=cmd", "ok"] and safe["ok"].tolist() == ["'\rCR"]


def test_score_csv_quotes_ids_a_spreadsheet_would_run(tmp_path, capsys):
    case = CORPUS / "formula_ids_and_names"
    out = tmp_path / "scores.csv"
    assert main(["score", str(case), "--as-of", "2025-09-30", "--today", "2025-10-01", "--out", str(out)]) == 0
    capsys.readouterr()
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    ids = [r[header.index("customer_id")] for r in body]
    assert sorted(ids) == sorted("'" + i for i in ('=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)"))
    growth = [r[header.index("value_growth")] for r in body]
    assert growth == ["-1"] * 4  # a negative number stays a number
    assert set(read_output(out)["customer_id"]) == {'=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)"}


# Atomic single files --------------------------------------------------------------------------------------------


def _half_then_fail(real):
    """A writer that writes the first half of the table to the file, then fails (a full disk)."""

    def write(self, path, *args, **kwargs):
        real(self.head(len(self) // 2), path, *args, **kwargs)
        raise OSError(28, "No space left on device")

    return write


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_a_write_that_fails_half_way_leaves_the_previous_file(tmp_path, monkeypatch, suffix):
    old = pd.DataFrame({"customer_id": ["old"], "x": [1]})
    new = pd.DataFrame({"customer_id": [f"C{i}" for i in range(100)], "x": range(100)})
    target = write_table(old, tmp_path / f"scores.{suffix}")
    before = target.read_bytes()
    if suffix == "xlsx":
        real_excel = writers._excel

        def failing(tables, path, **kwargs):
            real_excel({k: v.head(3) for k, v in tables.items()}, path, **kwargs)
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(writers, "_excel", failing)
    else:
        name = "to_csv" if suffix == "csv" else "to_parquet"
        monkeypatch.setattr(pd.DataFrame, name, _half_then_fail(getattr(pd.DataFrame, name)))
    with pytest.raises(OSError, match="No space left"):
        write_table(new, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no partial file left behind
    target.unlink()
    with pytest.raises(OSError, match="No space left"):
        write_table(new, target)
    assert list(tmp_path.iterdir()) == []  # none, never a truncated one


def test_text_files_are_atomic_too(tmp_path):
    target = write_text(tmp_path / "policy.yaml", "tiers: [A]\n")
    with pytest.raises(RuntimeError), atomic_path(target) as partial:
        partial.write_text("tiers: [")
        raise RuntimeError("stopped half-way")
    assert target.read_text() == "tiers: [A]\n" and [p.name for p in tmp_path.iterdir()] == ["policy.yaml"]


def test_score_on_a_full_disk_leaves_no_truncated_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pd.DataFrame, "to_csv", _half_then_fail(pd.DataFrame.to_csv))
    out = tmp_path / "scores.csv"
    case = CORPUS / "formula_ids_and_names"
    assert main(["score", str(case), "--as-of", "2025-09-30", "--today", "2025-10-01", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


# The command line -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["clv", "d", "--calibration-end", "2025-06-30", "--out", "x.csv", "--horizon", "inf"],
        ["clv", "d", "--calibration-end", "2025-06-30", "--out", "x.csv", "--horizon", "nan"],
        ["clv", "d", "--calibration-end", "2025-06-30", "--out", "x.csv", "--horizon", "-4"],
        ["clv", "d", "--calibration-end", "2025-06-30", "--out", "x.csv", "--discount-rate=-inf"],
        ["churn", "d", "--cutoff", "2025-06-30", "--out", "x.csv", "--high", "nan"],
        ["churn", "d", "--cutoff", "2025-06-30", "--out", "x.csv", "--horizon-months", "-6"],
        ["churn", "d", "--cutoff", "2025-06-30", "--out", "x.csv", "--capacity", "10", "-1"],
        ["sample-data", "--out", "d", "--customers", "-5"],
        ["personas", "d", "--as-of", "2025-09-30", "--out", "x.csv", "--random-state", "-1"],
    ],
    ids=["inf", "nan", "negative-horizon", "minus-inf-rate", "nan-probability", "negative-months",
         "negative-capacity", "negative-customers", "negative-seed"],
)  # fmt: skip
def test_a_number_out_of_range_is_one_line_and_status_2(args, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2
    printed = capsys.readouterr()
    lines = printed.err.strip().splitlines()
    assert len(lines) == 1 and "error: argument --" in lines[0] and "expected" in lines[0], printed.err
    assert repr(args[-1].rpartition("=")[2]) in lines[0] and "Traceback" not in printed.err and not printed.out


_BLOCK_HALF_WAY = textwrap.dedent(
    """
    import sys
    import segmentation.data.writers as w

    real = w._csv

    def half_then_wait(frame, path, **kwargs):
        real(frame.head(len(frame) // 2), path, **kwargs)  # half the file is on disk
        print("half written", file=sys.stderr, flush=True)
        sys.stdin.readline()  # Ctrl-C arrives here
        real(frame, path, **kwargs)

    w._csv = half_then_wait
    from segmentation.cli import main

    sys.exit(main(sys.argv[1:]))
    """
)


def _interruptible() -> None:
    """In the child, before it starts: SIGINT as a terminal delivers it.

    A shell that runs the suite in the background (CI may) starts it with SIGINT ignored, children
    inherit that, and Python then never raises KeyboardInterrupt: the test would measure the shell.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_churn_stops_in_one_line_with_no_half_written_file(sample_dir, tmp_path):
    out = tmp_path / "out" / "risk.csv"
    args = ["churn", str(sample_dir), "--cutoff", "2025-06-30", "--today", "2025-10-01", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    with subprocess.Popen(
        [sys.executable, "-c", _BLOCK_HALF_WAY, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_interruptible,
    ) as child:
        seen = []
        while (line := child.stderr.readline()) and line.strip() != "half written":
            seen.append(line)
        assert line.strip() == "half written", "".join(seen)
        assert [p.name for p in out.parent.iterdir()][0].endswith(".partial")  # caught half-way through
        child.send_signal(signal.SIGINT)
        printed, err = child.communicate(timeout=120)
    assert child.returncode == EXIT_INTERRUPTED, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("stopped"), err
    assert "Traceback" not in err + printed
    assert list(out.parent.iterdir()) == []  # neither the risk list nor a piece of it


def test_a_closed_pipe_is_quiet_and_the_file_is_complete(tmp_path):
    out = tmp_path / "scores.csv"
    case = CORPUS / "formula_ids_and_names"
    read, write = os.pipe()
    os.close(read)  # the reader (| head) has gone before anything is printed
    try:
        done = subprocess.run(
            [sys.executable, "-m", "segmentation.cli", "score", str(case), "--as-of", "2025-09-30",
             "--today", "2025-10-01", "--out", str(out)],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=120,
        )  # fmt: skip
    finally:
        os.close(write)
    assert done.returncode == EXIT_BROKEN_PIPE, done.stderr
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr and "Errno" not in done.stderr
    assert len(read_output(out)) == 4


def test_ctrl_c_during_a_report_stops_in_one_line_and_leaves_no_report(sample_dir, tmp_path):
    args = ["report", "quarterly_review", "--data", str(sample_dir), "--quarter", "2025Q3", "--out", str(tmp_path)]
    with subprocess.Popen(
        [sys.executable, "-m", "segmentation.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        preexec_fn=_interruptible,
    ) as child:
        started = ""
        while "Executing" not in started and (char := child.stderr.read(1)):
            started += char  # the kernel runs the notebook's cells from here on
        child.send_signal(signal.SIGINT)
        printed, err = child.communicate(timeout=120)
    assert child.returncode == EXIT_INTERRUPTED, started + err
    assert [line for line in err.splitlines() if line.startswith("stopped")] == [
        "stopped: interrupted (Ctrl-C); files not complete were not written"
    ]
    assert "Traceback" not in err + printed and "KeyboardInterrupt" not in err
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []


def test_validate_does_not_print_a_contact_quoted_from_the_data(capsys):
    from pathlib import Path

    from segmentation.cli import main

    corpus = Path(__file__).parent / "data" / "bad" / "contacts_glued_to_text"
    main(["validate", str(corpus)])
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "no contact counted as a complaint" in text  # the warning that quotes the data is there
    assert not re.search(r"1[3-9]\d{9}", text) and "li.lei@example.cn" not in text
