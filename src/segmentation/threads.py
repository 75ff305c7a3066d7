"""How many cores the workbench uses: one setting, ``SEGMENTATION_THREADS``, read in one place.

The workbench runs three kinds of thread pools, each set deliberately:

- **BLAS** (NumPy's OpenBLAS or MKL): one thread. The BTYD and persona fits work on small
  matrices, where a pool costs more than it gives (BG/NBD and Gamma-Gamma fit 4 to 6 times
  faster on one OpenBLAS thread than on the default pool).
- **OpenMP** (scikit-learn's gradient boosting in the churn model): ``thread_count()`` threads,
  and idle threads sleep instead of spinning (``OMP_WAIT_POLICY=PASSIVE``, set when the package is
  imported unless the environment sets it): on a machine busy with other work, spinning threads
  used 7.6 times the CPU time for the same churn evaluation report.
- **DuckDB** scanning a team's files: ``thread_count()`` threads. A DataFrame handed to DuckDB is
  summed on one thread, so the same frame gives the same bits in every process.

``thread_count()`` is ``SEGMENTATION_THREADS`` when set (a whole number of at least 1), else the
cores this process may run on. Set it lower on a shared server, e.g.
``SEGMENTATION_THREADS=2 segmentation report quarterly_review ...``; report kernels inherit it.

Examples
--------
>>> import os
>>> os.environ["SEGMENTATION_THREADS"] = "3"
>>> thread_count()
3
>>> del os.environ["SEGMENTATION_THREADS"]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from segmentation.errors import ConfigError

__all__ = ["ENV", "thread_count", "thread_limits"]

#: The environment variable that sets how many threads the workbench's pools use.
ENV = "SEGMENTATION_THREADS"


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def thread_count() -> int:
    """Threads for OpenMP and DuckDB: ``SEGMENTATION_THREADS``, else the cores available.

    Examples
    --------
    >>> thread_count() >= 1
    True
    """
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return _available_cores()
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigError(f"{ENV} must be a whole number of threads, at least 1; got {raw!r}")
    return value


@contextmanager
def thread_limits() -> Iterator[None]:
    """Within the block: BLAS on one thread, OpenMP on :func:`thread_count` threads.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> with thread_limits():
    ...     all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    True
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits={"blas": 1, "openmp": thread_count()}):
        yield
