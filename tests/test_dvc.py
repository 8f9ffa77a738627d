"""dvc.yaml agrees with the code: each stage lists its own code as deps and exactly its own params."""

import importlib
import re
import shutil

import pytest
import yaml
from conftest import ROOT

from newsstance.config import COMPANIONS
from stages import provenance
from stages.provenance import code_version, result_files

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))


def stage_entries():
    for name, stage in DVC["stages"].items():
        yield name, stage.get("do", stage)


def shell_of(stage: dict) -> str:
    return re.search(r"python -m stages\.(\w+)", stage["cmd"]).group(1)


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_deps_list_exactly_the_code_its_results_are_a_function_of(name, stage):
    wanted = set(result_files(shell_of(stage)))
    listed = {d for d in stage["deps"] if isinstance(d, str) and d.startswith(("stages/", "newsstance/"))}
    assert wanted - listed == set(), f"{name}: add to deps"
    assert listed - wanted == set(), f"{name}: its results do not depend on these, drop them from deps"


def test_a_lazily_imported_library_module_is_in_the_stage_deps_and_cache_key(tmp_path, monkeypatch):
    """classify imports the hub backend inside a function, and with `backend: hub` it makes every
    score: once missing from classify's deps and cache key, so a hub fix left stale results."""
    assert "newsstance/scoring/hub.py" in result_files("classify")
    copy = tmp_path / "project"
    shutil.copytree(
        provenance.PROJECT / "newsstance", copy / "newsstance", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copytree(provenance.PROJECT / "stages", copy / "stages", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(provenance, "PROJECT", copy)
    before = {stage: code_version(stage) for stage in ("classify", "sentences")}
    with (copy / "newsstance" / "scoring" / "hub.py").open("a") as f:
        f.write("# an edit\n")
    assert code_version("classify") != before["classify"]
    assert code_version("sentences") == before["sentences"]  # reads nothing of the hub


def test_plumbing_is_in_no_stage_deps_so_editing_it_invalidates_nothing():
    plumbing = {"stages/engine.py", "stages/cache.py", "stages/flow.py", "stages/io.py", "stages/cli.py"}
    for name, stage in stage_entries():
        assert plumbing.isdisjoint(result_files(shell_of(stage))), name


def test_result_files_follow_every_import_form():
    # `from newsstance.analysis import charts` is how the report page imports its charts, and the
    # page reads its templates folder: both once missed, so a chart fix left dvc.lock's report stale
    files = set(result_files("report"))
    assert {"newsstance/analysis/charts.py", "newsstance/analysis/templates", "stages/report.py"} <= files


@pytest.mark.parametrize("name, stage", list(stage_entries()), ids=[n for n, _ in stage_entries()])
def test_stage_params_are_the_sections_its_module_reads(name, stage):
    module = importlib.import_module("stages." + shell_of(stage))
    listed = []
    for entry in stage.get("params", ()):
        if isinstance(entry, dict):  # a group kept in a file of its own: roster.yaml, lexicon.yaml
            for file, keys in entry.items():
                assert all(key.split(".")[0] in COMPANIONS[file] for key in keys), (name, file)
                listed += keys
        else:
            listed.append(entry)
    assert tuple(listed) == module.PARAMS


@pytest.mark.parametrize("module", ["sentences", "entities", "statements", "classify"])
def test_per_document_stages_keep_their_cache_as_a_persistent_output(module):
    """DVC must not delete the cache before the stage runs (persist) nor copy it into its own cache."""
    stage = DVC["stages"][module]["do"]
    assert f"--cache data/cache/${{key}}/{module}" in stage["cmd"]
    outs = {k: v for o in stage["outs"] if isinstance(o, dict) for k, v in o.items()}
    assert outs[f"data/cache/${{key}}/{module}"] == {"persist": True, "cache": False}
    assert "/data/cache/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_no_stage_reads_the_speed_knobs_so_changing_them_reruns_nothing():
    for name, stage in stage_entries():
        assert not any(str(entry).startswith("engine") for entry in stage.get("params", ())), name
