"""What a report's cells write to stderr goes to the run's log, never into the page or the console.

The explore notebook is copied with one extra cell that warns (as matplotlib does for a missing
glyph), writes to stderr with a phone number in the text, and writes a table with Chinese text; the
copy runs through the runner as any report does.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from segmentation.reports.runner import notebook_dir, run_report

pytestmark = pytest.mark.heavy

WARNS = """\
import sys
import warnings

import pandas as pd

from segmentation.data.writers import write_report_tables

warnings.warn("Glyph 37325 (\\\\N{CJK UNIFIED IDEOGRAPH-91CD}) missing from font(s) DejaVu Sans.")
print("call 139-9806-7459 back", file=sys.stderr)
write_report_tables({"names": pd.DataFrame({"名称": ["王芳商贸", "重点客户"]})}, output_dir or None)
"""


@pytest.fixture(scope="module")
def warned(sample_dir, tmp_path_factory):
    """The explore report with a warning cell, its CSV files in GB18030, and the run's console."""
    notebooks = tmp_path_factory.mktemp("notebooks")
    nb = nbformat.read(notebook_dir() / "explore.ipynb", as_version=4)
    after = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(after + 1, nbformat.v4.new_code_cell(WARNS))
    nbformat.write(nb, notebooks / "explore.ipynb")
    out = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SEGMENTATION_NOTEBOOKS", str(notebooks))
        run = run_report(
            "explore", data_dir=sample_dir, quarter="2025Q3", out=out, progress=False, csv_encoding="gb18030"
        )
    return run


def test_the_page_shows_no_warning_and_no_stderr(warned):
    body = warned.html.read_text(encoding="utf-8").split("</head>", 1)[1]  # the head's style sheet names stderr
    assert "Customers, orders and revenue by year" in body  # the page itself is there
    assert "application/vnd.jupyter.stderr" not in body  # no stderr output block
    for text in ("Warning", "warnings.warn", "missing from font", "9806", "without encryption"):
        assert text not in body, f"the page shows {text!r}"


def test_the_published_notebook_holds_no_stderr_either(warned):
    nb = json.loads(warned.notebook.read_text(encoding="utf-8"))
    streams = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "stream"]
    assert not [o for o in streams if o["name"] == "stderr"]


def test_the_log_beside_the_outputs_keeps_the_messages_with_contacts_masked(warned):
    assert warned.log == warned.folder / "explore.log" and warned.log in warned.files
    log = warned.log.read_text(encoding="utf-8")
    assert "UserWarning: Glyph 37325" in log and "missing from font(s) DejaVu Sans" in log
    assert "call ***-7459 back" in log and "9806" not in log
    assert "--- cell 3 " in log  # after the parameters (1) and the parameters papermill injected (2)
    assert "without encryption" not in log  # the kernel listens on local sockets, not on TCP


def test_csv_files_are_written_in_the_encoding_asked_for(warned):
    raw = (warned.folder / "names.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("gb18030") == "名称\n王芳商贸\n重点客户\n"


def test_a_report_without_messages_has_no_log_and_prints_nothing(sample_dir, tmp_path, capfd):
    run = run_report("explore", data_dir=sample_dir, quarter="2025Q3", out=tmp_path, progress=False)
    assert run.log is None and not list(run.folder.glob("*.log"))
    console = capfd.readouterr()
    assert "without encryption" not in console.err + console.out and "IPKernelApp" not in console.err
