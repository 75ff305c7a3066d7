"""Packaging promises: conda and pip agree, CI runs the README's test command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    pip_side = dict(split(r) for r in project["dependencies"] + extras["test"] + extras["spark"])
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda_side = dict(split(d) for d in conda if isinstance(d, str) and split(d)[0] not in {"python", "pip"})
    # what conda-forge lacks comes from pip, in the pip section (beside its flags and the package itself)
    pip_section = next((d["pip"] for d in conda if isinstance(d, dict) and "pip" in d), [])
    conda_side.update(split(d) for d in pip_section if not d.startswith("-"))
    assert conda_side == pip_side
    python = next(d for d in conda if isinstance(d, str) and d.startswith("python"))
    assert split(python)[1] == project["requires-python"]


def test_ci_runs_exactly_the_readme_test_command():
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert ci == ["python3 dev.py test"]
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 dev\.py \w+)\s*(?:#.*)?$", quick_start, flags=re.M)
    assert commands == ["python3 dev.py demo", "python3 dev.py test"]
