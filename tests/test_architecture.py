"""The package's shape: stages import only the stages before them, no import cycles, a lazy front door."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import segmentation as seg

PACKAGE = Path(seg.__file__).resolve().parent

#: Each stage's rank: a module may import its own stage and stages of a lower rank, nothing else.
STAGES = {
    "foundation": 0,
    "data": 1,
    "features": 2,
    "datasets": 3,
    "value": 3,
    "btyd": 3,
    "personas": 3,
    "churn": 4,
    "review": 5,
    "reports": 6,
    "cli": 7,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every ``segmentation`` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                pytest.fail(f"{path}: relative import; the package imports by absolute name")
            if node.module and node.module.split(".")[0] == "segmentation":
                found.add(node.module)
                # ``from segmentation.data import parsing`` imports the module segmentation.data.parsing
                found.update(
                    f"{node.module}.{a.name}"
                    for a in node.names
                    if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").is_file()
                )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "segmentation")
    return found


MODULES = {module_name(p): imported_modules(p) for p in sorted(PACKAGE.rglob("*.py")) if p.name != "__init__.py"}


#: Top-level modules every stage may use.
FOUNDATION = {"errors", "periods", "config", "_plotting", "presets", "i18n", "locales", "threads"}


def stage(module: str) -> str:
    name = module.split(".")[1]
    return "foundation" if name in FOUNDATION else name


def test_every_subpackage_and_top_level_module_has_a_stage():
    assert {stage(m) for m in MODULES} <= set(STAGES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_stage_imports_only_the_stages_before_it(module):
    mine = stage(module)
    upward = sorted(
        m for m in MODULES[module] if m != "segmentation" and stage(m) != mine and STAGES[stage(m)] >= STAGES[mine]
    )
    assert not upward, f"{module} (stage {mine}) imports {upward}: a stage may import only the stages before it"


def test_the_front_door_is_imported_by_no_module():
    """Modules import what they use from where it is defined, so the front door stays lazy."""
    offenders = sorted(m for m, imports in MODULES.items() if "segmentation" in imports)
    assert not offenders


def test_no_import_cycles():
    graph = {m: {i for i in imports if i in MODULES} for m, imports in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


@pytest.mark.parametrize("name", seg.__all__)
def test_every_front_door_name_resolves_to_its_module(name):
    value = getattr(seg, name)
    module = seg._EXPORTS[name]
    assert name in sys.modules[f"segmentation.{module}"].__all__
    if callable(value) and hasattr(value, "__module__"):
        assert value.__module__ == f"segmentation.{module}"


def test_the_front_door_refuses_an_unknown_name():
    with pytest.raises(AttributeError, match="no attribute 'load_datasets'"):
        seg.load_datasets  # noqa: B018


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_declares_its_public_names(module):
    tree = ast.parse((PACKAGE.parent / module.replace(".", "/")).with_suffix(".py").read_text(encoding="utf-8"))
    declared = [
        n
        for n in tree.body
        if isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
    ]
    assert declared, f"{module} has no __all__"


def test_importing_the_package_loads_no_heavy_library():
    """``import segmentation`` stays instant: pandas, scikit-learn and matplotlib load on first use."""
    code = (
        "import sys, segmentation\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'numpy', 'sklearn', 'matplotlib', "
        "'scipy', 'ibis', 'duckdb', 'pyarrow', 'papermill'})\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


#: Stages whose public functions analyse the customer data (plus data.overview).
ANALYSIS = (
    "segmentation.features",
    "segmentation.value.",
    "segmentation.btyd.",
    "segmentation.churn.",
    "segmentation.personas.",
    "segmentation.review.",
    "segmentation.data.overview",
)
#: Names the customer data went by before it was called ``data`` everywhere.
OLD_NAMES = {"transactions", "dataset", "ds", "frame", "df", "tx", "orders"}


def _public_functions():
    import importlib
    import inspect

    for module in sorted(MODULES):
        if not module.startswith(ANALYSIS):
            continue
        mod = importlib.import_module(module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                yield f"{module}.{name}", next(iter(inspect.signature(obj).parameters), None)


def test_the_data_an_analysis_function_reads_is_its_first_argument_named_data():
    firsts = dict(_public_functions())
    assert not {f: p for f, p in firsts.items() if p in OLD_NAMES}
    for entry in (
        "customer_features",
        "btyd_summary",
        "regrade",
        "tune_tiers",
        "clv_table",
        "holdout_check",
        "find_personas",
        "churn_risk",
        "backtest_churn",
        "review_quarter",
        "yearly_overview",
    ):
        assert firsts[f"segmentation.{seg._EXPORTS[entry]}.{entry}"] == "data", entry


@pytest.mark.parametrize("name", seg.__all__)
def test_no_public_name_takes_a_seed_or_an_observation_end(name):
    """One word per idea: ``random_state`` for seeds, ``as_of`` for "the state on this day"."""
    import inspect

    value = getattr(seg, name)
    functions = [value] if inspect.isfunction(value) else []
    if inspect.isclass(value):
        functions = [f for n, f in vars(value).items() if not n.startswith("_") and callable(f)]
        functions += [value.__init__]
    for function in functions:
        try:
            parameters = inspect.signature(getattr(function, "__func__", function)).parameters
        except (TypeError, ValueError):
            continue
        assert not {"seed", "observation_end"} & set(parameters), f"{name}.{getattr(function, '__name__', '')}"
