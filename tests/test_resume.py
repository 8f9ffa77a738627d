"""Kill and resume: a run SIGKILLed at any moment, then run again, ends with the tables of a run that
was never interrupted, and the per-document cache never serves a partial entry.

`newsstance run` and `dvc repro` are started as real processes on a small corpus (the seed articles
and lightly edited copies of them) and their whole process group (the classify worker, DVC's stage
processes) is SIGKILLed at moments observed from outside: during the train stage, once the first
per-document cache entries exist while the streamed tables are still temp files, in a later stage,
and, through a hook in the killed process, halfway through writing one cache entry or one table.
The same command is then run again to its end, and every file of the out folder (tables, cache
entries, heads, report) must equal, byte for byte, the files of an uninterrupted run: the README
promises that the same inputs give the same bytes, and the cache holds exactly the entries a run
used. Each case also checks that the kill really cut the run short, so no case passes vacuously.
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


# --- the corpus and the runs --------------------------------------------------------------------------


def write_corpus(raw: Path) -> int:
    """The seed articles and COPIES copies, each with a small edit of its own (a different quote, a
    different word), under other file names. Returns the number of documents."""
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
    """This environment, the virtual environment's bin first on PATH (DVC's stage commands call
    `python`), and `hook` first on PYTHONPATH (its sitecustomize.py runs in every Python process)."""
    env = {**os.environ, "PATH": os.pathsep.join([str(BIN), os.environ.get("PATH", "")]), "DVC_NO_ANALYTICS": "1", **extra}
    if hook is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
    return env


def newsstance_command(raw: Path, out: Path) -> list[str]:
    return [str(NEWSSTANCE), "run", str(raw), "--out", str(out)]


def run_to_end(command: list[str], cwd: Path, log: Path, env: dict[str, str] | None = None) -> str:
    """Run `command` to its end; it must succeed. Returns what it logged (stdout and stderr)."""
    result = subprocess.run(command, cwd=cwd, env=env or env_with(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=TIMEOUT)
    log.write_text(result.stdout, encoding="utf-8")
    assert result.returncode == 0, f"{' '.join(command)} failed (exit {result.returncode}):\n{result.stdout[-6000:]}"
    return result.stdout


def group_alive(pgid: int) -> list[str]:
    """The processes of group `pgid` that still run (zombies do not count), as 'pid command'."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            alive.append(f"{stat.parent.name} {text.split(')', 1)[0]})")
    return alive


@dataclass
class Killed:
    returncode: int
    log: str


def run_and_kill(command: list[str], cwd: Path, log: Path, moment: Callable[[], bool],
                 env: dict[str, str] | None = None) -> Killed | None:
    """Start `command` in a session of its own, look every POLL s whether `moment()` holds and then
    SIGKILL its whole process group. None if the command ended before the moment came."""
    with open(log, "wb") as output:
        proc = subprocess.Popen(command, cwd=cwd, env=env or env_with(), stdout=output, stderr=subprocess.STDOUT,
                                start_new_session=True)
        deadline = time.monotonic() + TIMEOUT
        try:
            while True:
                if moment():
                    os.killpg(proc.pid, signal.SIGKILL)  # no finally block, no atexit handler runs
                    break
                if proc.poll() is not None:
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"{' '.join(command)}: the moment to kill never came in {TIMEOUT} s")
                time.sleep(POLL)
        finally:
            if proc.poll() is None:  # a failed look at the folder, or the kill itself: leave nothing running
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.wait(timeout=60)
    text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode != -signal.SIGKILL:
        assert proc.returncode == 0, f"{' '.join(command)} failed before it was killed (exit {proc.returncode}):\n{text[-6000:]}"
        return None
    if Path("/proc/self/stat").is_file():
        deadline = time.monotonic() + 30
        while (alive := group_alive(proc.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive, f"processes of the killed group still run: {alive}"
    return Killed(proc.returncode, text)


def kill_at(command: list[str], cwd: Path, log: Path, moment: Callable[[], bool], env: dict[str, str] | None = None,
            reset: Callable[[], None] = lambda: None, attempts: int = 2) -> Killed:
    """`run_and_kill`, again from a clean state (`reset`) if the run ended before the moment: a
    case whose kill did not happen must fail, not pass."""
    for _ in range(attempts):
        reset()
        killed = run_and_kill(command, cwd, log, moment, env)
        if killed is not None:
            return killed
    pytest.fail(f"{' '.join(command)} finished {attempts} times before the moment to kill it came; "
                "the corpus is too small for this machine (raise COPIES)")


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
    tables = [f for f in files(expected) if f.endswith(".parquet")]
    for name in tables:
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
    for name in ("documents", "sentences", "parsed", "entities", "tagged", "statements_raw", "sentiment_scores", "stance_scores"):
        assert (out / "interim" / f"{name}.parquet").is_file()
    assert len(pd.read_parquet(out / "statements.parquet")) > n_docs  # every copy has statements
    assert len(pd.read_parquet(out / "interim" / "documents.parquet")) == n_docs
    assert cache_counts(log) == {stage: (0, n_docs) for stage in STAGES}, log
    assert temp_files(out) == []
    return out


def cache_of(out: Path, stage: str) -> Path:
    return out / "interim" / "cache" / stage


def streamed_temp(out: Path) -> bool:
    """A streamed table is open: TableWriter's temp file beside statements_raw.parquet."""
    return any((out / "interim").glob(".statements_raw.parquet.*.tmp"))


def fresh_out(out: Path, baseline: Path, heads: bool) -> None:
    """An empty out folder; with `heads`, holding the trained heads of the baseline, as a folder a
    run went through before does: the run then skips training (~9 s) and goes straight to the stages
    the kill is aimed at."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    if heads:
        shutil.copytree(baseline / "interim" / "models", out / "interim" / "models")
        shutil.copy2(baseline / "interim" / "train_metrics.json", out / "interim" / "train_metrics.json")


@dataclass(frozen=True)
class Moment:
    """When to kill `newsstance run`: `now(out)` is looked at every POLL s; `cut(out)` must hold
    after the kill, proof that the run was interrupted in that moment. `heads`: the out folder
    starts with trained heads."""

    id: str
    now: Callable[[Path], bool]
    cut: Callable[[Path], bool]
    heads: bool = True


MOMENTS = [
    # The train stage: ingest has written its tables, the heads (~9 s of work) are not there yet.
    Moment("during-train",
           lambda out: (out / "interim" / "documents.parquet").exists(),
           lambda out: not (out / "interim" / "train_metrics.json").exists()
           and not (out / "interim" / "models" / "stance.safetensors").exists(),
           heads=False),
    # The per-document stages: the first statements entries are in the cache (so sentences and
    # entities have theirs), every streamed table is still a temp file being written.
    Moment("during-cache-and-table-writes",
           lambda out: len(entries(cache_of(out, "statements"))) >= 3,
           lambda out: streamed_temp(out) and not (out / "interim" / "statements_raw.parquet").exists()
           and not (out / "interim" / "sentiment_scores.parquet").exists()),
    # A later stage: the statements are written; classify's tail, the table or the report stage runs.
    Moment("during-a-later-stage",
           lambda out: (out / "interim" / "statements_raw.parquet").exists() and not (out / "speakers.parquet").exists(),
           lambda out: not (out / "summary.html").exists()),
]


def resume_and_check(raw: Path, out: Path, work: Path, baseline: Path, killed_entries: dict[str, int]) -> dict:
    """Run again into `out` to the end; the out folder must equal the baseline's, and each stage
    must have served exactly the entries the killed run had finished."""
    log = run_to_end(newsstance_command(raw, out), work, work / "resumed.log")
    counts = cache_counts(log)
    assert set(counts) == set(STAGES), log
    for stage in STAGES:
        assert counts[stage][0] == killed_entries[stage], (
            f"{stage}: the killed run left {killed_entries[stage]} entries, the resumed run took {counts[stage][0]} "
            f"from the cache:\n{log[-4000:]}")
    assert_same_outputs(out, baseline)
    return counts


def killed_state(out: Path) -> dict[str, int]:
    """What the killed run left: no half-written table or entry under a final name; the number of
    complete entries of each stage's cache."""
    assert_whole(out)
    return {stage: len(entries(cache_of(out, stage))) for stage in STAGES}


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.id for m in MOMENTS])
def test_newsstance_run_killed_then_run_again_equals_an_uninterrupted_run(corpus, baseline, tmp_path, moment):
    raw, n_docs = corpus
    out = tmp_path / "out"
    killed = kill_at(newsstance_command(raw, out), tmp_path, tmp_path / "killed.log", lambda: moment.now(out),
                     reset=lambda: fresh_out(out, baseline, moment.heads))
    assert moment.cut(out), f"the kill came too late to interrupt the run {moment.id}:\n{killed.log[-4000:]}"
    left = killed_state(out)
    if moment.id == "during-cache-and-table-writes":
        assert 0 < left["statements"] < n_docs, left
    resume_and_check(raw, out, tmp_path, baseline, left)


# Loaded into every Python process of the run: at the STALL_AT-th os.replace onto a file that
# matches STALL_NAME (a regex on the destination's path), the writer has written its temp file in
# full; cut it to half its size (a write caught mid-way), note its path in STALL_MARKER and wait to
# be killed. So the SIGKILL lands inside the write every time, where a timer would hit the
# milliseconds one write takes only by chance.
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


@pytest.mark.parametrize("writing", ["cache-entry", "table"])
def test_newsstance_run_killed_halfway_through_a_write(corpus, baseline, tmp_path, writing):
    """Killed with the 3rd statements cache entry, or the streamed statements_raw.parquet, half
    written: the resumed run neither reads nor keeps the half-written temp file, computes that
    document again, and ends with the uninterrupted run's files."""
    raw, n_docs = corpus
    out = tmp_path / "out"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL)
    marker = tmp_path / "stalled"
    name = {"cache-entry": r"/interim/cache/statements/[0-9a-f]+\.msgpack$", "table": r"/interim/statements_raw\.parquet$"}
    env = env_with(hook, STALL_NAME=name[writing], STALL_AT="3" if writing == "cache-entry" else "1", STALL_MARKER=str(marker))
    killed = kill_at(newsstance_command(raw, out), tmp_path, tmp_path / "killed.log", marker.exists, env=env,
                     reset=lambda: fresh_out(out, baseline, heads=True))
    assert not (out / "summary.html").exists(), killed.log[-4000:]

    temp = Path(marker.read_text())
    assert temp.exists() and temp.name.startswith(".") and temp.name.endswith(".tmp")
    left = killed_state(out)
    if writing == "cache-entry":
        key = temp.name[1:].split(".", 1)[0]
        assert temp.parent == cache_of(out, "statements") and temp.name == f".{key}.{temp.name.split('.')[2]}.tmp"
        assert not (temp.parent / f"{key}.msgpack").exists()
        assert left["statements"] == 2  # the 3rd entry was being written
        with pytest.raises(Exception):
            msgpack.unpackb(temp.read_bytes(), raw=False)  # it is a partial entry
    else:
        assert temp.parent == out / "interim" and temp.name.startswith(".statements_raw.parquet.")
        assert not (out / "interim" / "statements_raw.parquet").exists()
        assert left["statements"] == n_docs  # every document's statements were cached before the table closed
        with pytest.raises(Exception):
            pq.read_table(temp)

    counts = resume_and_check(raw, out, tmp_path, baseline, left)
    assert counts["statements"] == (left["statements"], n_docs - left["statements"])
    assert not temp.exists()


def test_leftovers_of_a_killed_writer_are_neither_read_nor_kept(corpus, baseline, tmp_path):
    """In a finished out folder, plant what killed writers leave: a statements entry that never
    reached its name (only `.KEY.PID.tmp`, half written), a half-written temp beside an entry that
    exists, and half-written temp files of tables. A run into the folder computes that one document
    again, reads no temp file and removes them all."""
    raw, n_docs = corpus
    out = tmp_path / "out"
    shutil.copytree(baseline, out)
    statements_cache = cache_of(out, "statements")
    lost = entries(statements_cache)[0]
    data = lost.read_bytes()
    lost.unlink()
    (statements_cache / f".{lost.stem}.4194301.tmp").write_bytes(data[: len(data) // 2])
    other = entries(cache_of(out, "sentences"))[1]
    (other.parent / f".{other.stem}.4194302.tmp").write_bytes(other.read_bytes()[:7])
    for table in (out / "interim" / "statements_raw.parquet", out / "speakers.parquet"):
        content = table.read_bytes()
        (table.parent / f".{table.name}.k1ll3d0x.tmp").write_bytes(content[: len(content) // 2])
    planted = temp_files(out)
    assert len(planted) == 4

    left = {stage: len(entries(cache_of(out, stage))) for stage in STAGES}
    assert left == {**{stage: n_docs for stage in STAGES}, "statements": n_docs - 1,
                    "classify": len(entries(cache_of(baseline, "classify")))}
    counts = resume_and_check(raw, out, tmp_path, baseline, left)
    assert counts["statements"] == (n_docs - 1, 1)


# --- `dvc repro` ----------------------------------------------------------------------------------------

TARGET = "statements@raw"  # with ingest@raw, sentences@raw and entities@raw before it; no trained heads needed
DVC_OUTPUTS = ("data/interim/raw", "data/cache/raw")


@pytest.fixture(scope="module")
def repo_template(corpus, tmp_path_factory):
    """The working tree as git sees it (tracked and new files, nothing ignored), with the corpus as
    data/raw, in a new git repository."""
    raw, _ = corpus
    repo = tmp_path_factory.mktemp("repo") / "template"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in listed:
        src = ROOT / rel
        if rel and src.is_file() and not rel.startswith(("data/raw/", "tests/")):
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / rel)
    shutil.copytree(raw, repo / "data" / "raw", dirs_exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def dvc(repo: Path, *args: str, log: Path) -> str:
    return run_to_end([str(BIN / "dvc"), *args], repo, log, env_with(DVC_SITE_CACHE_DIR=str(repo.parent / "dvc-site")))


@pytest.fixture(scope="module")
def dvc_baseline(repo_template):
    """An uninterrupted `dvc repro statements@raw`."""
    repo = repo_template.parent / "baseline"
    shutil.copytree(repo_template, repo, symlinks=True)
    dvc(repo, "repro", TARGET, log=repo.parent / "baseline.log")
    return repo


@dataclass(frozen=True)
class DvcMoment:
    id: str
    stage: str  # the per-document stage the kill interrupts: its cache and its first table


DVC_MOMENTS = [
    # The first stage that caches: some entries written, its tables still temp files.
    DvcMoment("sentences@raw-writing", "sentences"),
    # A later stage: ingest, sentences and entities are done and recorded in dvc.lock.
    DvcMoment("statements@raw-writing", "statements"),
]


@pytest.mark.parametrize("moment", DVC_MOMENTS, ids=[m.id for m in DVC_MOMENTS])
def test_dvc_repro_killed_then_run_again_equals_an_uninterrupted_run(repo_template, dvc_baseline, corpus, tmp_path, moment):
    _, n_docs = corpus
    repo = tmp_path / "repo"
    cache = repo / "data" / "cache" / "raw" / moment.stage
    table = {"sentences": "sentences.parquet", "statements": "statements_raw.parquet"}[moment.stage]
    interim = repo / "data" / "interim" / "raw"
    command = [str(BIN / "dvc"), "repro", TARGET]

    def reset():
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(repo_template, repo, symlinks=True)

    env = env_with(DVC_SITE_CACHE_DIR=str(tmp_path / "dvc-site"))
    killed = kill_at(command, repo, tmp_path / "killed.log", lambda: len(entries(cache)) >= 3, env=env, reset=reset)
    assert not (interim / table).exists(), f"the kill came after {moment.stage}@raw wrote its table:\n{killed.log[-4000:]}"
    assert any(interim.glob(f".{table}.*.tmp")), "the stage's table was not being written when it was killed"
    assert_whole(repo / "data")
    left = len(entries(cache))
    assert 0 < left < n_docs

    log = dvc(repo, "repro", TARGET, log=tmp_path / "resumed.log")
    assert "ERROR" not in log, log
    if moment.stage == "statements":  # the stages the kill did not touch are not run again
        for done in ("ingest@raw", "sentences@raw", "entities@raw"):
            assert f"Stage '{done}' didn't change, skipping" in log, log
    assert cache_counts(log)[moment.stage] == (left, n_docs - left), log
    for folder in DVC_OUTPUTS:
        assert_same_outputs(repo / folder, dvc_baseline / folder)
    assert (repo / "dvc.lock").read_bytes() == (dvc_baseline / "dvc.lock").read_bytes()
    status = dvc(repo, "status", TARGET, log=tmp_path / "status.log")
    assert "Data and pipelines are up to date." in status, status
