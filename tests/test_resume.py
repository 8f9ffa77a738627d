"""Kill and resume: a run SIGKILLed at any moment, then run again, ends with the files of a run that
was never interrupted, and the per-document cache never serves a partial entry.

`newsstance run` and `dvc repro` run as real processes (real spaCy, real encoder) on a small corpus:
the seed articles and lightly edited copies of them. Their whole process group (the classify
worker, DVC's stage processes) is SIGKILLed at moments seen from outside (cache entries appearing
while the streamed tables are still temp files, a later stage), or, through a hook loaded into the
run, halfway through one write (a cache entry, a streamed table, a trained head). The same command
then runs again to its end, and every file it leaves (tables, cache entries, heads, report) must
equal, byte for byte, the files of an uninterrupted run: the README promises that the same inputs
give the same bytes, and that the cache holds exactly the entries a run used. Each case checks that
its kill really cut the run short where it aimed, so no case passes without having killed anything.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import msgpack
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
NEWSSTANCE = BIN / "newsstance"
STAGES = ("sentences", "entities", "statements", "classify")
COPIES = 21  # edited copies of the 3 seeds: 24 documents, ~5 s in the per-document stages
POLL = 0.002  # seconds between looks at the out folder
TIMEOUT = 600


# --- the corpus, the runs, the kills --------------------------------------------------------------


def write_corpus(raw: Path) -> int:
    """The seed articles and COPIES copies, each with a small edit of its own (a quote of its own,
    and in every other copy a changed word), under other file names. Returns the number of documents."""
    raw.mkdir(parents=True)
    seeds = sorted((ROOT / "data" / "raw").glob("*.txt"))
    for path in seeds:
        shutil.copy(path, raw / path.name)
    for k in range(COPIES):
        seed = seeds[k % len(seeds)]
        text = seed.read_text(encoding="utf-8").rstrip("\n").replace("Tomahawk", "Tomahawk cruise", k % 2)
        text += f'\n"We will talk again on day {k + 1}," Dmitry Peskov told reporters in Moscow.\n'
        (raw / f"copy_{k:02d}_{seed.name}").write_text(text, encoding="utf-8")
    return len(seeds) + COPIES


def env_with(hook: Path | None = None, **extra: str) -> dict[str, str]:
    """This environment with the virtual environment's bin first on PATH (DVC's stage commands call
    `python`), and `hook` first on PYTHONPATH (its sitecustomize.py runs in every Python process)."""
    env = {
        **os.environ,
        "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]),
        "DVC_NO_ANALYTICS": "1",
        **extra,
    }
    if hook is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
    return env


def newsstance_command(raw: Path, out: Path) -> list[str]:
    return [str(NEWSSTANCE), "run", str(raw), "--out", str(out)]


def run_to_end(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> str:
    """Run `command` to its end; it must succeed. Returns what it printed (stdout and stderr)."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env or env_with(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
    )
    log.write_text(result.stdout, encoding="utf-8")
    assert result.returncode == 0, f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stdout[-6000:]}"
    return result.stdout


def group_alive(pgid: int) -> list[str]:
    """The processes of group `pgid` that still run (zombies do not count), as 'pid (command)'."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, _ppid, pgrp = text.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state not in ("Z", "X"):
            alive.append(text.split(")", 1)[0] + ")")
    return alive


def run_and_kill(command: list[str], cwd: Path, log: Path, now: Callable[[], bool], env: dict[str, str]) -> str | None:
    """Start `command` in a session of its own, look every POLL s whether `now()` holds, and then
    SIGKILL its whole process group. Returns what it printed; None if it ended before that moment."""
    with open(log, "wb") as output:
        proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + TIMEOUT
        try:
            while proc.poll() is None:
                if now():
                    os.killpg(proc.pid, signal.SIGKILL)  # no finally block, no atexit handler runs
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"{' '.join(command)}: the moment to kill it never came in {TIMEOUT} s")
                time.sleep(POLL)
        finally:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait(timeout=60)
    text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, (
            f"{' '.join(command)} failed before it was killed (exit {proc.returncode}):\n{text[-6000:]}"
        )
        return None
    if Path("/proc/self/stat").is_file():
        deadline = time.monotonic() + 30
        while (alive := group_alive(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive, f"processes of the killed group still run: {alive}"
    return text


def kill_at(
    command: list[str],
    cwd: Path,
    log: Path,
    now: Callable[[], bool],
    cut: Callable[[], bool],
    reset: Callable[[], None],
    env: dict[str, str] | None = None,
    attempts: int = 3,
) -> str:
    """`run_and_kill` from a clean state (`reset`) until the kill happened and `cut()` holds after
    it (the run was interrupted where the case aims); a case whose kill missed fails, it never passes."""
    missed = []
    for _ in range(attempts):
        reset()
        text = run_and_kill(command, cwd, log, now, env or env_with())
        if text is not None and cut():
            return text
        missed.append("the run ended before the moment came" if text is None else "the kill came too late")
    pytest.fail(
        f"{' '.join(command)}: {attempts} attempts missed the moment to kill it ({'; '.join(missed)}); "
        f"the corpus may be too small for this machine (raise COPIES). Last output:\n{log.read_text()[-4000:]}"
    )


# --- what a folder holds ----------------------------------------------------------------------------


def files(folder: Path) -> list[str]:
    """Every file under `folder` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def temp_files(folder: Path) -> list[str]:
    return [f for f in files(folder) if f.endswith(".tmp")]


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.msgpack")) if cache.is_dir() else []


def assert_whole(folder: Path) -> None:
    """No half-written file under a final name: every table reads in full, every cache entry unpacks."""
    for path in folder.rglob("*.parquet"):
        pq.read_table(path)  # raises on a truncated file
    for path in folder.rglob("*.msgpack"):
        try:
            msgpack.unpackb(path.read_bytes(), raw=False)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"partial cache entry {path}: {exc}")


def assert_same_outputs(out: Path, expected: Path) -> None:
    """`out` holds the files of `expected` and nothing else (no temp file, no stray cache entry),
    every table equal as a DataFrame and every file equal byte for byte."""
    assert temp_files(out) == [], f"temp files left behind in {out}"
    assert_whole(out)
    for name in [f for f in files(expected) if f.endswith(".parquet")]:
        assert (out / name).is_file(), f"{name} is missing after the resumed run"
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(expected / name), obj=name)
    assert files(out) == files(expected)
    differ = [f for f in files(expected) if (out / f).read_bytes() != (expected / f).read_bytes()]
    assert differ == [], f"files that differ from the uninterrupted run's: {differ}"


CACHE_LINE = re.compile(r"\b(\w+): (\d+) document\(s\) from the cache, (\d+) computed")


def cache_counts(log: str) -> dict[str, tuple[int, int]]:
    """stage -> (documents from the cache, documents computed), as the run logged them."""
    return {m.group(1): (int(m.group(2)), int(m.group(3))) for m in CACHE_LINE.finditer(log)}


# --- `newsstance run` ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    raw = tmp_path_factory.mktemp("resume") / "raw"
    return raw, write_corpus(raw)


@pytest.fixture(scope="module")
def baseline(corpus, tmp_path_factory):
    """An uninterrupted `newsstance run` of the corpus."""
    raw, n_docs = corpus
    work = tmp_path_factory.mktemp("baseline")
    out = work / "out"
    log = run_to_end(newsstance_command(raw, out), work, work / "run.log")
    for name in ("statements", "stances", "speakers", "rejected"):
        assert (out / f"{name}.parquet").is_file()
    for name in (
        "documents",
        "sentences",
        "parsed",
        "entities",
        "tagged",
        "statements_raw",
        "sentiment_scores",
        "stance_scores",
    ):
        assert (out / "interim" / f"{name}.parquet").is_file()
    assert len(pd.read_parquet(out / "interim" / "documents.parquet")) == n_docs
    assert len(pd.read_parquet(out / "statements.parquet")) > n_docs  # every copy has statements
    assert cache_counts(log) == {stage: (0, n_docs) for stage in STAGES}, log
    assert temp_files(out) == []
    return out


def cache_of(out: Path, stage: str) -> Path:
    return out / "interim" / "cache" / stage


def fresh_out(out: Path, baseline: Path, heads: bool) -> None:
    """An empty out folder; with `heads`, holding the baseline's trained heads as a folder a run went
    through before does: the run skips training (~9 s) and goes straight to the stages the kill aims at."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    if heads:
        shutil.copytree(baseline / "interim" / "models", out / "interim" / "models")
        shutil.copy2(baseline / "interim" / "train_metrics.json", out / "interim" / "train_metrics.json")


def killed_state(out: Path) -> dict[str, int]:
    """What the killed run left: no half-written table or entry under a final name. Returns the
    number of (complete) entries in each stage's cache."""
    assert_whole(out)
    return {stage: len(entries(cache_of(out, stage))) for stage in STAGES}


def resume_and_check(raw: Path, out: Path, work: Path, baseline: Path, left: dict[str, int]) -> str:
    """Run again into `out` to the end: each stage takes from the cache exactly the entries the
    killed run finished, and the out folder ends equal to the baseline's. Returns the run's log."""
    log = run_to_end(newsstance_command(raw, out), work, work / "resumed.log")
    counts = cache_counts(log)
    assert set(counts) == set(STAGES), log
    for stage in STAGES:
        assert counts[stage][0] == left[stage], (
            f"{stage}: the killed run left {left[stage]} complete entries, the resumed run took {counts[stage][0]} "
            f"from the cache:\n{log[-4000:]}"
        )
    assert_same_outputs(out, baseline)
    return log


def streamed_temp(out: Path) -> bool:
    """A streamed table is being written: TableWriter's temp file beside statements_raw.parquet."""
    return any((out / "interim").glob(".statements_raw.parquet.*.tmp"))


@dataclass(frozen=True)
class Moment:
    """When to kill `newsstance run`: `now(out)` is looked at every POLL s; `cut(out)` must hold
    after the kill: the run was interrupted in that moment."""

    id: str
    now: Callable[[Path], bool]
    cut: Callable[[Path], bool]


MOMENTS = [
    # The per-document stages: the first statements entries are in the cache (so sentences and
    # entities have theirs), every streamed table is still a temp file being written.
    Moment(
        "during-cache-and-table-writes",
        lambda out: len(entries(cache_of(out, "statements"))) >= 3,
        lambda out: (
            streamed_temp(out)
            and not (out / "interim" / "statements_raw.parquet").exists()
            and not (out / "interim" / "sentiment_scores.parquet").exists()
        ),
    ),
    # A later stage: the statements are written; classify's last window, the table or the report stage runs.
    Moment(
        "during-a-later-stage",
        lambda out: (out / "interim" / "statements_raw.parquet").exists() and not (out / "speakers.parquet").exists(),
        lambda out: not (out / "summary.html").exists(),
    ),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.id for m in MOMENTS])
def test_newsstance_run_killed_then_run_again_equals_an_uninterrupted_run(corpus, baseline, tmp_path, moment):
    raw, n_docs = corpus
    out = tmp_path / "out"
    kill_at(
        newsstance_command(raw, out),
        tmp_path,
        tmp_path / "killed.log",
        now=lambda: moment.now(out),
        cut=lambda: moment.cut(out),
        reset=lambda: fresh_out(out, baseline, heads=True),
    )
    left = killed_state(out)
    if moment.id == "during-cache-and-table-writes":
        assert 0 < left["statements"] < n_docs, left
    resume_and_check(raw, out, tmp_path, baseline, left)


# Loaded into every Python process of the run: at the STALL_AT-th os.replace onto a path that
# matches STALL_NAME (a regex), the writer has written its temp file in full; cut it to half its
# size (a write caught mid-way), note its path in STALL_MARKER and wait to be killed. So the SIGKILL
# lands inside the write every time, where a timer would hit the milliseconds one write takes only
# by chance.
STALL = """\
import os, re, time
_replace = os.replace
_seen = 0
def replace(src, dst, *args, **kwargs):
    global _seen
    if re.search(os.environ["STALL_NAME"], os.fspath(dst)):
        _seen += 1
        if _seen == int(os.environ["STALL_AT"]):
            with open(src, "r+b") as f:
                f.truncate(os.path.getsize(src) // 2)
            with open(os.environ["STALL_MARKER"], "w") as f:
                f.write(os.fspath(src))
            time.sleep(600)
    return _replace(src, dst, *args, **kwargs)
os.replace = replace
"""

WRITES = {  # what is being written when the run is killed: (path regex, which such write)
    "cache-entry": (r"/interim/cache/statements/[0-9a-f]+\.msgpack$", 3),
    "streamed-table": (r"/interim/statements_raw\.parquet$", 1),
    "trained-head": (r"/interim/models/stance\.safetensors$", 1),  # the sentiment head is saved already
}


@pytest.mark.parametrize("writing", list(WRITES))
def test_newsstance_run_killed_halfway_through_a_write(corpus, baseline, tmp_path, writing):
    """Killed with the 3rd statements cache entry, the streamed statements_raw.parquet or the
    stance head half written: the resumed run neither reads nor keeps the half-written temp file,
    computes again what it held, and ends with the uninterrupted run's files."""
    raw, n_docs = corpus
    out = tmp_path / "out"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL)
    marker = tmp_path / "stalled"
    name, nth = WRITES[writing]
    env = env_with(hook, STALL_NAME=name, STALL_AT=str(nth), STALL_MARKER=str(marker))
    kill_at(
        newsstance_command(raw, out),
        tmp_path,
        tmp_path / "killed.log",
        now=marker.exists,
        cut=lambda: not (out / "summary.html").exists(),
        env=env,
        attempts=1,
        reset=lambda: fresh_out(out, baseline, heads=writing != "trained-head"),
    )

    temp = Path(marker.read_text())
    assert temp.exists() and temp.name.startswith(".") and temp.name.endswith(".tmp"), temp
    left = killed_state(out)
    if writing == "cache-entry":
        key = re.fullmatch(r"\.([0-9a-f]{64})\.\d+\.tmp", temp.name)
        assert temp.parent == cache_of(out, "statements") and key, temp
        assert not (temp.parent / f"{key.group(1)}.msgpack").exists()
        assert left["statements"] == nth - 1
        with pytest.raises(Exception):
            msgpack.unpackb(temp.read_bytes(), raw=False)  # a partial entry, under a name no reader takes
    elif writing == "streamed-table":
        assert temp.parent == out / "interim" and temp.name.startswith(".statements_raw.parquet.")
        assert not (out / "interim" / "statements_raw.parquet").exists()
        assert left["statements"] == n_docs  # every document's entry came before the table closed
        with pytest.raises(Exception):
            pq.read_table(temp)
    else:
        models = out / "interim" / "models"
        assert temp.parent == models and temp.name.startswith(".stance.safetensors.")
        assert (models / "sentiment.safetensors").is_file() and not (models / "stance.safetensors").exists()
        assert not (out / "interim" / "train_metrics.json").exists()
        assert left == {stage: 0 for stage in STAGES}

    log = resume_and_check(raw, out, tmp_path, baseline, left)
    assert cache_counts(log)["statements"] == (left["statements"], n_docs - left["statements"])
    if writing == "trained-head":
        assert "not retraining" not in log  # the heads were fitted again, to the same bytes
    assert not temp.exists()


def test_leftovers_of_a_killed_writer_are_neither_read_nor_kept(corpus, baseline, tmp_path):
    """In a finished out folder, plant what killed writers leave: a statements entry that never
    reached its name (only `.KEY.PID.tmp`, half written), a half-written temp beside an entry that
    exists, and half-written temp files of two tables. A run into the folder computes that one
    document again, reads no temp file and removes them all."""
    raw, n_docs = corpus
    out = tmp_path / "out"
    shutil.copytree(baseline, out)
    lost = entries(cache_of(out, "statements"))[0]
    data = lost.read_bytes()
    lost.unlink()
    (lost.parent / f".{lost.stem}.4194301.tmp").write_bytes(data[: len(data) // 2])
    other = entries(cache_of(out, "sentences"))[1]
    (other.parent / f".{other.stem}.4194302.tmp").write_bytes(other.read_bytes()[:7])
    for table in (out / "interim" / "statements_raw.parquet", out / "speakers.parquet"):
        content = table.read_bytes()
        (table.parent / f".{table.name}.k1ll3d0x.tmp").write_bytes(content[: len(content) // 2])
    assert len(temp_files(out)) == 4

    left = {stage: len(entries(cache_of(out, stage))) for stage in STAGES}
    assert left["statements"] == n_docs - 1 and left["sentences"] == n_docs
    log = resume_and_check(raw, out, tmp_path, baseline, left)
    assert cache_counts(log)["statements"] == (n_docs - 1, 1)


# --- `dvc repro` ----------------------------------------------------------------------------------------

TARGET = "statements@raw"  # runs ingest@raw, sentences@raw and entities@raw before it; needs no trained heads
DVC_OUTPUTS = ("data/interim/raw", "data/cache/raw")


@pytest.fixture(scope="module")
def repo_template(corpus, tmp_path_factory):
    """The working tree as git sees it (tracked and new files, nothing ignored), with the corpus as
    data/raw, in a new git repository."""
    raw, _ = corpus
    repo = tmp_path_factory.mktemp("repo") / "template"
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in listed:
        src = ROOT / rel
        if rel and src.is_file() and not rel.startswith(("data/raw/", "tests/")):
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    shutil.copytree(raw, repo / "data" / "raw", dirs_exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def dvc_env(repo: Path) -> dict[str, str]:
    return env_with(DVC_SITE_CACHE_DIR=str(repo.parent / "dvc-site"))


@pytest.fixture(scope="module")
def dvc_baseline(repo_template):
    """An uninterrupted `dvc repro statements@raw`."""
    repo = repo_template.parent / "baseline"
    shutil.copytree(repo_template, repo, symlinks=True)
    run_to_end([str(BIN / "dvc"), "repro", TARGET], repo, repo.parent / "baseline.log", dvc_env(repo))
    return repo


@pytest.mark.parametrize("stage", ["sentences", "statements"], ids=["sentences@raw-writing", "statements@raw-writing"])
def test_dvc_repro_killed_then_run_again_equals_an_uninterrupted_run(
    repo_template, dvc_baseline, corpus, tmp_path, stage
):
    """`dvc repro` killed once a per-document stage has cached its first documents and is writing its
    tables: sentences@raw (the first stage that caches) or statements@raw (ingest, sentences and
    entities done and recorded in dvc.lock). `dvc repro` again takes the entries left, skips the
    stages that finished, and leaves the outputs, the cache and dvc.lock of an uninterrupted run;
    `dvc status` is clean."""
    _, n_docs = corpus
    repo = tmp_path / "repo"
    cache = repo / "data" / "cache" / "raw" / stage
    interim = repo / "data" / "interim" / "raw"
    table = {"sentences": "sentences.parquet", "statements": "statements_raw.parquet"}[stage]
    dvc = [str(BIN / "dvc")]

    def reset():
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(repo_template, repo, symlinks=True)

    kill_at(
        [*dvc, "repro", TARGET],
        repo,
        tmp_path / "killed.log",
        now=lambda: len(entries(cache)) >= 3,
        cut=lambda: not (interim / table).exists() and any(interim.glob(f".{table}.*.tmp")),
        reset=reset,
        env=dvc_env(repo),
    )
    assert_whole(repo / "data")
    left = len(entries(cache))
    assert 0 < left < n_docs

    log = run_to_end([*dvc, "repro", TARGET], repo, tmp_path / "resumed.log", dvc_env(repo))
    assert "ERROR" not in log, log
    if stage == "statements":  # the stages the kill did not touch do not run again
        for done in ("ingest@raw", "sentences@raw", "entities@raw"):
            assert f"Stage '{done}' didn't change, skipping" in log, log
    assert cache_counts(log)[stage] == (left, n_docs - left), log
    for folder in DVC_OUTPUTS:
        assert_same_outputs(repo / folder, dvc_baseline / folder)
    assert (repo / "dvc.lock").read_bytes() == (dvc_baseline / "dvc.lock").read_bytes()
    status = run_to_end([*dvc, "status", TARGET], repo, tmp_path / "status.log", dvc_env(repo))
    assert "Data and pipelines are up to date." in status, status
