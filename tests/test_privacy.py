"""Private data stays private, and data cannot inject markup, links or formulas into outputs.

A copy of the sample is made hostile: customers named ``<script>alert(1)</script>``,
``<img src=x onerror=...>`` and ``=HYPERLINK(...)``; an industry typed as Markdown and HTML;
phone numbers and e-mail addresses typed into survey comments and contact outcomes, glued to
Chinese text or letters (``请联系13812345678谢谢``) and typed into the account owner. Every
report and every command that writes a table is run on it (from another working directory,
with relative paths), and every file written is scanned.
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from segmentation import load_dataset
from segmentation.cli import main
from segmentation.data.mapping import ColumnMapping
from segmentation.data.privacy import mask_personal, redact_contacts
from segmentation.data.writers import read_output, write_report_tables
from segmentation.reports.runner import REPORTS, notebook_dir
from segmentation.review.quarterly import review_quarter

pytestmark = pytest.mark.heavy

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
INDUSTRY = "**bold** <b>x</b> [click](javascript:alert(3))"
TYPED_PHONE, TYPED_EMAIL = "139-1234-5678", "secret.person@private.cn"
QUARTER = "2025Q3"
GLUED = ("请联系13812345678谢谢", "回电13712345678", "call13812345673now", "1381234 5678号")
GLUED_SECRETS = ("13812345678", "13712345678", "13812345673", "1381234 5678", "1381234")
FILLERS = "客户请联系回电谢谢号码邮件abcXYZ _-,。：:"


def _embedded_contacts(count: int, seed: int = 23) -> tuple[list[str], set[str]]:
    """``count`` texts, each a phone or e-mail glued to random Chinese/Latin text; the contacts in clear."""
    rng = random.Random(seed)
    texts, contacts = [], set()
    for i in range(count):
        if i % 2:
            contact = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
            if i % 3 == 0:
                contact = f"{contact[:3]} {contact[3:7]} {contact[7:]}"
        else:
            contact = f"{''.join(rng.choices('abcdefgh', k=5))}.{i}@{rng.choice(('corp.cn', 'qq.com'))}"
        texts.append("".join(rng.choices(FILLERS, k=rng.randrange(4))) + contact + "".join(rng.choices(FILLERS, k=3)))
        contacts.add(contact)
    return texts, contacts


def _hostile_copy(sample_dir: Path, out: Path) -> Path:
    shutil.copytree(sample_dir, out)
    people = pd.read_csv(out / "customers.csv", dtype=str, keep_default_na=False)
    people["name"] = [(SCRIPT, IMG, FORMULA)[i % 3] for i in range(len(people))]
    people.loc[people.index % 4 == 0, "industry"] = INDUSTRY
    people["owner"] = _embedded_contacts(len(people))[0]
    people.loc[: len(GLUED) - 1, "owner"] = GLUED
    people.to_csv(out / "customers.csv", index=False)
    surveys = pd.read_csv(out / "surveys.csv", dtype=str, keep_default_na=False)
    surveys["comment"] = f"please call {TYPED_PHONE} or write to {TYPED_EMAIL}"
    surveys.loc[surveys.index % 2 == 0, "comment"] = [GLUED[i % len(GLUED)] for i in range((len(surveys) + 1) // 2)]
    surveys.to_csv(out / "surveys.csv", index=False)
    contacts = pd.read_csv(out / "interactions.csv", dtype=str, keep_default_na=False)
    contacts["outcome"] = f"reached on +86 138 0000 1111, {SCRIPT}"
    contacts.to_csv(out / "interactions.csv", index=False)
    return out


def _text_of(path: Path) -> str:
    if zipfile.is_zipfile(path):  # xlsx and skops: every member
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8", errors="replace")


def _secrets(data: Path) -> set[str]:
    people = pd.read_csv(data / "customers.csv", dtype=str, keep_default_na=False)
    found = set(people["contact_phone"]) | set(people["contact_email"]) | set(people["contact_name"])
    typed = {TYPED_PHONE, TYPED_EMAIL, "13912345678", "13800001111", "138 0000 1111", *GLUED_SECRETS}
    return {s for s in found if len(s) >= 2} | typed | _embedded_contacts(len(people))[1]


@pytest.fixture(scope="module")
def outputs(sample_dir, tmp_path_factory, request):
    """Run every report and every table-writing command on the hostile data; return the output folder."""
    work = tmp_path_factory.mktemp("hostile")
    data = _hostile_copy(sample_dir, work / "data")
    before = {p for p in notebook_dir().rglob("*")}
    mp = pytest.MonkeyPatch()
    mp.chdir(work)
    try:
        for name in REPORTS:
            assert main(["report", name, "--data", "data", "--quarter", QUARTER, "--out", "out", "--no-progress"]) == 0
        common = ["data", "--today", "2025-10-01"]
        for fmt in ("csv", "xlsx"):
            assert main(["score", *common, "--as-of", "2025-09-30", "--out", f"out/cli/score.{fmt}"]) == 0
            assert main(["churn", *common, "--cutoff", "2025-06-30", "--out", f"out/cli/churn.{fmt}"]) == 0
        assert main(["personas", *common, "--as-of", "2025-09-30", "--out", "out/cli/personas.csv"]) == 0
        assert (
            main(
                [
                    "clv",
                    *common,
                    "--calibration-end",
                    "2025-06-30",
                    "--order-value",
                    "observed",
                    "--out",
                    "out/cli/clv.csv",
                ]
            )
            == 0
        )
        assert main(["tune-tiers", *common, "--as-of", "2025-09-30", "--out", "out/cli/tune.xlsx"]) == 0
    finally:
        mp.undo()
    assert {p for p in notebook_dir().rglob("*")} == before, "a report wrote into the notebooks folder"
    return work / "out", data


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock"))


def test_every_output_was_written_where_asked(outputs):
    out, _ = outputs
    for name in REPORTS:
        folder = out / f"{name}_{QUARTER}"
        assert (folder / f"{name}.html").is_file() and (folder / f"{name}.ipynb").is_file()
        if name != "explore":  # explore shows the data and writes no table
            assert list(folder.glob("*.csv")) and list(folder.glob("*.xlsx")), f"{name}: tables missing"
    assert len(_files(out / "cli")) >= 8


def test_no_contact_detail_from_the_input_appears_in_any_output(outputs):
    out, data = outputs
    secrets = _secrets(data)
    files = _files(out)
    assert len(files) > 40
    for path in files:
        text = _text_of(path)
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{path.relative_to(out)} shows {leaked[:3]}"


def test_names_and_free_text_show_as_text_in_html(outputs):
    out, _ = outputs
    for name in REPORTS:
        html = (out / f"{name}_{QUARTER}" / f"{name}.html").read_text(encoding="utf-8")
        for raw in ("<script>alert", "<img src=x", "<b>x</b>", "<strong>bold", 'href="javascript'):
            assert raw not in html, f"{name}.html renders {raw!r} from the data"
        assert not re.search(r"<script(?![^>]*type=\"application/vnd\.jupyter)", html.split("</head>", 1)[1]), name
    review = (out / f"quarterly_review_{QUARTER}" / "quarterly_review.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review  # the customer's name, shown as text
    personas = (out / f"personas_{QUARTER}" / "personas.html").read_text(encoding="utf-8")
    assert "**bold** &lt;b&gt;x&lt;/b&gt; [click](javascript:alert(3))" in personas  # literally, no markup


def test_workbooks_hold_no_formulas(outputs):
    out, _ = outputs
    books = [p for p in _files(out) if p.suffix == ".xlsx"]
    assert len(books) >= 7
    for book in books:
        with zipfile.ZipFile(book) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            assert not any("<f>" in z.read(n).decode("utf-8") for n in sheets), f"{book.name} holds a formula"
    moves = pd.read_excel(out / f"quarterly_review_{QUARTER}" / "quarterly_review.xlsx", sheet_name="tier_changes")
    assert FORMULA in set(moves["name"])  # the name is kept, as text


def test_csv_keeps_names_as_data_and_masks_contacts(outputs):
    out, _ = outputs
    overdue = read_output(out / f"quarterly_review_{QUARTER}" / "overdue_contacts.csv")
    assert set(overdue["name"]) <= {SCRIPT, IMG, FORMULA}
    assert overdue["contact_phone"].dropna().str.fullmatch(r"\*\*\*-\d{4}").all()
    assert overdue["contact_email"].dropna().str.fullmatch(r"\w\*\*\*@example\.cn").all()


def test_every_csv_cell_is_safe_to_open_in_a_spreadsheet(outputs):
    """No text cell of any CSV a report or command wrote starts a formula; the names still read back."""
    out, _ = outputs
    tables = [p for p in _files(out) if p.suffix == ".csv"]
    assert len(tables) >= 20
    quoted = 0
    for path in tables:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        for r, row in enumerate(rows):
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r"):
                    raise AssertionError(f"{path.relative_to(out)} line {r + 1}: {cell!r} starts a formula")
                if cell.startswith("-") and not re.fullmatch(r"-(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?|-inf", cell):
                    raise AssertionError(f"{path.relative_to(out)} line {r + 1}: {cell!r} starts a formula")
                quoted += cell.startswith("'=HYPERLINK")
    assert quoted > 0  # the hostile names were written, quoted
    moves = read_output(out / f"quarterly_review_{QUARTER}" / "tier_changes.csv")
    assert FORMULA in set(moves["name"])


def test_contacts_typed_into_free_text_are_redacted():
    t = pd.DataFrame({"comment": [f"call {TYPED_PHONE} / {TYPED_EMAIL} before 2025-03-01", None], "amount": [1.0, 2.0]})
    masked = mask_personal(t)
    assert masked["comment"].tolist()[0] == "call ***-5678 / s***@private.cn before 2025-03-01"
    assert masked["comment"].isna().tolist() == [False, True] and masked["amount"].tolist() == [1.0, 2.0]
    assert redact_contacts(masked["comment"][0]) == masked["comment"][0]  # idempotent


def test_a_b2c_team_declares_customer_names_personal(sample_dir, tmp_path):
    data = tmp_path / "b2c"
    shutil.copytree(sample_dir, data)
    (data / "mapping.yaml").write_text("personal: [customers.name]\n", encoding="utf-8")
    names = set(pd.read_csv(sample_dir / "customers.csv", dtype=str)["name"])
    ds = load_dataset(data, today="2025-10-01")
    assert ds.customers["name"].str.fullmatch(r".\*{1,3}").all()
    assert any(p.column == "name" and "masked when loaded" in p.message for p in ds.report.problems)
    review = review_quarter(ds, quarter=QUARTER, churn=False, personas=False)
    written = write_report_tables(review.tables(), tmp_path / "out")
    for path in written.values():
        text = _text_of(path)
        assert not [n for n in names if n in text], path.name
    with pytest.raises(Exception, match=r"personal: 'customers.customer_id' is not a text column"):
        ColumnMapping.from_dict({"personal": ["customers.customer_id"]})
