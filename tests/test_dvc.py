"""dvc.yaml agrees with the code: each stage lists its own code as deps and exactly its own params."""

import ast
import importlib
import re

import pytest
import yaml

from conftest import ROOT

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))


def stage_entries():
    for name, stage in DVC["stages"].items():
        yield name, stage.get("do", stage)


def module_imports(module: str) -> set[str]:
    """stages.* modules imported at module level by `module`, transitively (lazy imports inside
    functions, such as the CLI's run_stage, only wire up logging)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((ROOT / "stages" / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stages"):
                todo.append(node.module.removeprefix("stages").lstrip(".") or "__init__")
            elif isinstance(node, ast.Import) and any(a.name == "stages" for a in node.names):
                todo.append("__init__")
    return seen


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_deps_list_every_module_it_imports(name, stage):
    module = re.search(r"python -m stages\.(\w+)", stage["cmd"]).group(1)
    wanted = {f"stages/{m}.py" for m in module_imports(module)}
    listed = {d for d in stage["deps"] if isinstance(d, str) and d.startswith("stages/")}
    assert wanted - listed == set(), f"{name}: add to deps"
    assert {d for d in listed if d.endswith(".py")} - wanted == set(), f"{name}: not imported, drop from deps"


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_params_are_the_sections_its_module_reads(name, stage):
    module = importlib.import_module("stages." + re.search(r"python -m stages\.(\w+)", stage["cmd"]).group(1))
    assert tuple(stage.get("params", ())) == module.PARAMS
