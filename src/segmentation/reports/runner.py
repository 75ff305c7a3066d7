"""Run a report notebook with papermill and publish its outputs atomically.

``run_report("quarterly_review", data_dir=..., quarter="2025Q3", out="reports")`` executes
``notebooks/quarterly_review.ipynb`` with the given parameters and writes, in
``reports/quarterly_review_2025Q3/``:

- ``quarterly_review.ipynb``: the executed notebook;
- ``quarterly_review.html``: a self-contained page with the code hidden (figures embedded);
- the report's tables as CSV files and one Excel workbook;
- ``quarterly_review.log``, only when there is something in it: what the notebook's cells wrote to
  stderr (warnings above all), with the cell they came from, and what the kernel process logged.

No warning reaches the page: the stderr outputs of the cells are moved to the log before the page
is made (the executed notebook is published without them too), and the command line is told how
many there were. Anything a reader must know the notebook shows as a note. The kernel talks to the
runner over local IPC sockets on POSIX (never an unencrypted TCP port, and no "Kernel is running
over TCP without encryption" line) and its own stderr goes to the same log, not to the console.

Everything is first written to a hidden folder beside the target and renamed into place
only when the run succeeded, so a failed or killed run never leaves a complete-looking
report; a re-run replaces the folder. A failed run raises :class:`ReportError` naming the
failing cell and the cause, and keeps the executed notebook as
``<folder>.failed.ipynb`` for inspection (removed by the next successful run). A report whose
data does not cover the quarter (a stale or incomplete export, see
:func:`segmentation.reports.inputs.check_quarter_covered`) raises
:class:`~segmentation.errors.StaleDataError` instead, with the notebook's own message, so that
the command line can give it its own exit status; ``allow_incomplete=True`` among the
parameters runs it anyway.

Parameter names are checked against the notebook's ``parameters`` cell before anything
runs (papermill itself only warns about an unknown name), and values given as text
(``-p top_n=30``) are converted to the type the cell declares.

Examples
--------
>>> sorted(REPORTS)
['churn_evaluation', 'explore', 'lifetime_value', 'personas', 'quarterly_review', 'tier_tuning']
>>> convert_parameter("top_n", "30", "int"), convert_parameter("policy", "sabc", "str")
(30, 'sabc')
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from segmentation.data.writers import DEFAULT_CSV_ENCODING, check_csv_encoding, transcode_csv
from segmentation.errors import StaleDataError, WorkbenchError
from segmentation.periods import quarter as parse_quarter

#: The reports, by name: each is ``notebooks/<name>.ipynb``.
REPORTS = {
    "quarterly_review": "KPIs per tier against targets, tiers, growth, churn, overdue contacts, personas",
    "personas": "personas found by clustering, named and explained, with their plays",
    "churn_evaluation": "backtest of the churn scores against baselines, and the next quarter's risk list",
    "tier_tuning": "tier thresholds proposed from the data against the current policy",
    "lifetime_value": "each customer's lifetime value with its interval, from the model chosen on a holdout",
    "explore": "a first look at a team's data: load report, features, segments, tiers",
}
#: Parameters the runner sets itself.
RESERVED = ("output_dir",)
log = logging.getLogger(__name__)


class ReportError(WorkbenchError):
    """A report could not be run (bad parameter, missing notebook, or a failing cell)."""


@dataclass(frozen=True)
class ReportRun:
    """Where a finished report's files are."""

    folder: Path
    html: Path
    notebook: Path
    files: tuple[Path, ...]
    log: Path | None = None  # the run's log (cells' stderr, the kernel's messages); None when there was nothing


def notebook_dir() -> Path:
    """The folder holding the report notebooks.

    In order: ``$SEGMENTATION_NOTEBOOKS`` when set; the notebooks installed with the package
    (``segmentation/reports/notebooks/`` in a wheel); else the ``notebooks/`` folder of the
    checkout the package runs from (an editable install).

    Examples
    --------
    >>> (notebook_dir() / "quarterly_review.ipynb").is_file()
    True
    """
    env = os.environ.get("SEGMENTATION_NOTEBOOKS")
    if env:
        return Path(env)
    installed = Path(str(resources.files("segmentation.reports").joinpath("notebooks")))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "notebooks"


def notebook_path(name: str) -> Path:
    if name not in REPORTS:
        raise ReportError(f"unknown report {name!r}; reports are {', '.join(sorted(REPORTS))}")
    path = notebook_dir() / f"{name}.ipynb"
    if not path.is_file():
        raise ReportError(
            f"{path}: report notebook not found (reinstall the package, or set SEGMENTATION_NOTEBOOKS to the "
            f"notebooks folder of a checkout of the workbench)"
        )
    return path


def report_parameters(name: str) -> dict[str, dict]:
    """The parameters a report's notebook declares: name -> type, default and help text."""
    import papermill as pm

    return pm.inspect_notebook(str(notebook_path(name)))


def convert_parameter(key: str, value: object, type_name: str) -> object:
    """``value`` as the type the parameters cell declares (text from the command line is converted)."""
    if not isinstance(value, str) or type_name == "str":
        return value
    try:
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        if type_name == "bool":
            if value.lower() in ("true", "yes", "1"):
                return True
            if value.lower() in ("false", "no", "0"):
                return False
            raise ValueError(value)
    except ValueError:
        raise ReportError(f"parameter {key}: expected {type_name}, got {value!r}") from None
    return value


def _check(name: str, parameters: dict) -> dict:
    declared = report_parameters(name)
    unknown = sorted(set(parameters) - set(declared))
    errors = (
        [
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {unknown}; {name} takes "
            f"{sorted(k for k in declared if k not in RESERVED)}"
        ]
        if unknown
        else []
    )
    reserved = sorted(set(parameters) & set(RESERVED))
    if reserved:
        errors.append(f"{reserved} is set by the runner (use --out)")
    if errors:
        raise ReportError(f"report {name}: " + "; ".join(errors))
    return {k: convert_parameter(k, v, declared[k]["inferred_type_name"]) for k, v in parameters.items()}


def _html(notebook: Path, target: Path) -> None:
    import nbformat
    from nbconvert import HTMLExporter

    templates = Path(__file__).resolve().parent / "templates"
    exporter = HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(templates)],
        template_file="report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")


def _kernel_manager(stderr) -> type:
    """A kernel manager whose kernel writes its stderr to ``stderr`` and, on POSIX, listens on IPC sockets.

    Over TCP, ipykernel (7.4 and later) logs "Kernel is running over TCP without encryption" to the
    console at every start; local IPC sockets are reachable only by this user on this machine and
    need no port. Where there are none (Windows) the transport stays TCP on localhost, with
    CurveZMQ encryption when jupyter_client and the kernel offer it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class _RunKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            if os.name == "posix":
                self._sockets = tempfile.mkdtemp(prefix="segmentation-kernel-")  # short: socket paths are limited
                self.transport = "ipc"
                self.ip = os.path.join(self._sockets, "kernel")
            elif "transport_encryption" in self.trait_names():
                self.transport_encryption = "auto"

        async def _async_start_kernel(self, **kw):
            kw.setdefault("stderr", stderr)
            await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client interrupts the kernel before every shutdown. The notebook has finished
            # by then, and an idle kernel that catches the SIGINT at the wrong moment logs
            # "KeyboardInterrupt caught in kernel" into the report's log (on a busy machine, now and
            # then). Only a running cell needs an interrupt; a shutdown does not.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        interrupt_kernel = _async_interrupt_kernel

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and getattr(self, "_sockets", None):
                shutil.rmtree(self._sockets, ignore_errors=True)

        cleanup_resources = _async_cleanup_resources

    return _RunKernelManager


def _move_stderr_to_log(executed: Path, log_path: Path) -> int:
    """Take every stderr output out of the executed notebook and append it to the log; how many there were.

    Contact details in the text are masked like everything else the workbench writes.
    """
    import nbformat

    from segmentation.data.privacy import redact_contacts

    nb = nbformat.read(executed, as_version=4)
    moved = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                moved.append((index, cell.get("execution_count"), "".join(output.get("text", ""))))
            else:
                kept.append(output)
        cell.outputs = kept
    if moved:
        nbformat.write(nb, executed)
        with open(log_path, "a", encoding="utf-8") as handle:
            for index, count, text in moved:
                handle.write(f"--- cell {index} (execution {count}), stderr:\n")
                handle.write(redact_contacts(text).rstrip("\n") + "\n")
    return len(moved)


@contextlib.contextmanager
def _lock(path: Path):
    """Hold an exclusive lock on ``path`` (one run of a report and period at a time)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock
        yield
        return
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ReportError(
                f"another run of this report is writing {path.name[1:-5]} right now; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _failure(name: str, exc: Exception) -> str:
    first = next((line for line in str(getattr(exc, "source", "")).splitlines() if line.strip()), "")
    cell = getattr(exc, "exec_count", None) or getattr(exc, "cell_index", "?")
    return (
        f"report {name} failed in cell {cell} ({first.strip()[:80]}): "
        f"{getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}"
    )


def run_report(
    name: str,
    *,
    data_dir: str | Path | None = None,
    quarter: str,
    out: str | Path,
    parameters: dict | None = None,
    progress: bool = True,
    csv_encoding: str = DEFAULT_CSV_ENCODING,
) -> ReportRun:
    """Run report ``name`` for ``quarter`` and publish it under ``out/<name>_<quarter>/``.

    Parameters
    ----------
    name : str
        One of :data:`REPORTS`.
    data_dir : str or Path, optional
        The team's data folder; None runs on the built-in sample.
    quarter : str
        E.g. ``"2025Q3"``; also names the output folder.
    out : str or Path
        Parent folder of the report folders.
    parameters : dict, optional
        Further notebook parameters (``{"policy": "sabc", "top_n": 30}``); values given as
        text are converted to the declared type. Unknown names are refused.
    progress : bool, default True
        Show papermill's progress bar (on stderr).
    csv_encoding : {"utf-8-sig", "utf-8", "gb18030"}, default "utf-8-sig"
        Encoding of the report's CSV files: UTF-8 with a byte-order mark (Excel then reads Chinese
        names right), plain UTF-8, or GB18030 (what Excel on Chinese Windows assumes without a mark).

    Returns
    -------
    ReportRun

    Raises
    ------
    ReportError
        Unknown report or parameter, or a failing cell (named, with the cause).
    StaleDataError
        The data does not cover the quarter (no orders in it, or data ending before it does)
        and ``allow_incomplete`` was not set; nothing is published.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    csv_encoding = check_csv_encoding(csv_encoding)
    q = parse_quarter(quarter)
    given = dict(parameters or {})
    given["quarter"] = str(q)
    if data_dir is not None:
        if not Path(data_dir).is_dir():
            raise ReportError(f"--data {data_dir}: no such folder")
        given["data_dir"] = str(Path(data_dir).resolve())
    params = _check(name, given)
    source = notebook_path(name)
    out = Path(out).resolve()  # absolute: the tables land here whatever the kernel's working directory
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"{name}_{q}"
    failed = out / f"{final.name}.failed.ipynb"
    with _lock(out / f".{final.name}.lock"):
        for stale in out.glob(f".{final.name}.*.partial"):  # left by a killed run (we hold the lock)
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=out))
        try:
            executed = staging / f"{name}.ipynb"
            log_path = staging / f"{name}.log"
            try:
                with open(log_path, "w", encoding="utf-8") as kernel_stderr:
                    pm.execute_notebook(
                        str(source),
                        str(executed),
                        parameters={**params, "output_dir": str(staging)},
                        kernel_name="python3",
                        progress_bar=progress,
                        cwd=str(Path.cwd()),
                        kernel_manager_class=_kernel_manager(kernel_stderr),
                    )
            except PapermillExecutionError as exc:
                if exc.ename == StaleDataError.__name__:  # not a failure of the report: the data is stale
                    raise StaleDataError(f"report {name}: {exc.evalue}") from None
                if executed.exists():
                    shutil.copyfile(executed, failed)
                raise ReportError(_failure(name, exc) + f" (executed notebook kept in {failed})") from None
            messages = _move_stderr_to_log(executed, log_path)
            if log_path.stat().st_size == 0:
                log_path.unlink()
            if csv_encoding != DEFAULT_CSV_ENCODING:
                for table in staging.glob("*.csv"):
                    transcode_csv(table, csv_encoding)
            _html(executed, staging / f"{name}.html")
            old = None
            if final.exists():
                old = out / f".{final.name}.{os.getpid()}.old"
                final.rename(old)
            staging.rename(final)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            failed.unlink(missing_ok=True)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    files = tuple(sorted(p for p in final.iterdir() if p.is_file()))
    log_file = final / f"{name}.log"
    if messages:
        log.warning("report %s: %d message(s) of its cells kept out of the page, in %s", name, messages, log_file)
    return ReportRun(
        final, final / f"{name}.html", final / f"{name}.ipynb", files, log_file if log_file.is_file() else None
    )


__all__ = [
    "REPORTS",
    "ReportError",
    "ReportRun",
    "convert_parameter",
    "notebook_dir",
    "report_parameters",
    "run_report",
]
