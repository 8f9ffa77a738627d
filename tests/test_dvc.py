"""dvc.yaml agrees with the code: each stage lists its own code as deps and exactly its own params."""

import importlib
import re

import pytest
import yaml

from conftest import ROOT
from stages.provenance import stage_modules

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))


def stage_entries():
    for name, stage in DVC["stages"].items():
        yield name, stage.get("do", stage)


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_deps_list_every_module_it_imports(name, stage):
    module = re.search(r"python -m stages\.(\w+)", stage["cmd"]).group(1)
    wanted = {f"stages/{m}.py" for m in stage_modules(module)}
    listed = {d for d in stage["deps"] if isinstance(d, str) and d.startswith("stages/")}
    assert wanted - listed == set(), f"{name}: add to deps"
    assert {d for d in listed if d.endswith(".py")} - wanted == set(), f"{name}: not imported, drop from deps"


def test_stage_modules_follow_every_import_form():
    # `from stages import charts` is how report imports its charts: once missed, so a chart fix
    # left dvc.lock's report stale
    assert {"charts", "config", "io", "provenance", "schema", "__init__"} < stage_modules("report")


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_params_are_the_sections_its_module_reads(name, stage):
    module = importlib.import_module("stages." + re.search(r"python -m stages\.(\w+)", stage["cmd"]).group(1))
    assert tuple(stage.get("params", ())) == module.PARAMS


@pytest.mark.parametrize("module", ["sentences", "entities", "statements", "classify"])
def test_per_document_stages_keep_their_cache_as_a_persistent_output(module):
    """DVC must not delete the cache before the stage runs (persist) nor copy it into its own cache."""
    stage = DVC["stages"][module]["do"]
    assert f"--cache data/cache/${{key}}/{module}" in stage["cmd"]
    outs = {k: v for o in stage["outs"] if isinstance(o, dict) for k, v in o.items()}
    assert outs[f"data/cache/${{key}}/{module}"] == {"persist": True, "cache": False}
    assert "/data/cache/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
