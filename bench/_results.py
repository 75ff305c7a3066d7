"""Where benchmark scripts record what they measured: one JSON line per run in bench/results/ (git-ignored)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path


def record(name: str, result: dict) -> dict:
    """Add the machine's cores and Python version, print the result and append it to results/<name>.jsonl."""
    result = {**result, "cpus": os.cpu_count(), "python": platform.python_version()}
    print(json.dumps(result))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    with open(out / f"{name}.jsonl", "a", encoding="utf-8") as sink:
        sink.write(json.dumps(result) + "\n")
    return result
