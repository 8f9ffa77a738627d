"""The library (`newsstance/`) stands apart from the stages that run it, and nothing imports in a circle."""

import ast
import graphlib
import subprocess
import sys

from conftest import ROOT

from stages import provenance


def project_modules() -> list[str]:
    modules = []
    for package in ("newsstance", "stages"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return modules


def test_importing_the_whole_library_imports_no_stage():
    code = (
        "import importlib, pkgutil, sys, newsstance\n"
        "names = [m.name for m in pkgutil.walk_packages(newsstance.__path__, 'newsstance.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "print(len(names), sorted(k for k in sys.modules if k == 'stages' or k.startswith('stages.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1)[1].strip() == "[]"
    assert int(out.split()[0]) > 20  # the walk did reach the modules


def test_no_library_module_imports_the_stages_even_lazily():
    for module in project_modules():
        if module.startswith("newsstance"):
            assert not any(m.startswith("stages") for m in provenance.imported_modules(module)), module


def test_no_import_cycle():
    graph = {module: provenance.imported_modules(module) for module in project_modules()}
    assert "stages.flow" in graph["stages.cli"]  # the graph has the edges (lazy imports included)
    list(graphlib.TopologicalSorter(graph).static_order())  # raises CycleError on a cycle


def test_a_stage_shell_is_short():
    """A shell is its params, its paths and one library call: the NLP is in the library."""
    for shell in ("ingest", "sentences", "entities", "statements", "train", "classify", "table", "evaluate", "report"):
        tree = ast.parse((ROOT / "stages" / f"{shell}.py").read_text(encoding="utf-8"))
        assert len(tree.body) < 40, shell
