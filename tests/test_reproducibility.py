"""Nothing half-written, same result every time: killed stages, repeated runs, pickle, network."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import ROOT

RAW = ROOT / "data" / "raw"
NEWSSTANCE = Path(sys.executable).parent / "newsstance"


def with_pythonpath(folder: Path, **extra: str) -> dict[str, str]:
    """The current environment with `folder` first on PYTHONPATH, so its sitecustomize.py runs
    at start-up in every Python process started with it."""
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


# --- 1. An interrupted stage leaves the previous outputs whole -------------------------------------

# Loaded into the stage process: when atomic_path is about to rename the temp file onto
# $STALL_AT, cut the temp file to half its size (a write caught mid-way), say so in $STALL_MARKER
# and wait to be killed. This makes the SIGKILL land inside the atomic_path block every time,
# instead of hoping a timer hits the few milliseconds a small Parquet write takes.
STALL = """\
import os, time
_replace = os.replace
def replace(src, dst, *args, **kwargs):
    if os.path.basename(dst) == os.environ["STALL_AT"]:
        with open(src, "r+b") as f:
            f.truncate(os.path.getsize(src) // 2)
        with open(os.environ["STALL_MARKER"], "w") as f:
            f.write(str(src))
        time.sleep(600)
    return _replace(src, dst, *args, **kwargs)
os.replace = replace
"""

INGEST_OUTPUTS = ("documents.parquet", "rejected.parquet")


def ingest_command(raw: Path, out: Path) -> list[str]:
    """The ingest stage exactly as dvc.yaml runs it."""
    return [
        sys.executable,
        "-m",
        "stages.ingest",
        str(raw),
        "--documents",
        str(out / "documents.parquet"),
        "--rejected",
        str(out / "rejected.parquet"),
    ]


def kill_when_stalled(proc: subprocess.Popen, marker: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the stage ended (code {proc.returncode}) before writing its output:\n{proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the stage never reached its output write")
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no finally block, no atexit handler runs
    proc.wait(timeout=30)
    assert proc.returncode == -9


@pytest.mark.parametrize("killed_at", INGEST_OUTPUTS)
def test_stage_killed_mid_write_keeps_previous_outputs_and_reruns_to_the_same_result(seeds_out, tmp_path, killed_at):
    """A stage SIGKILLed while writing an output must leave the previous version of that output byte for
    byte (an analyst or the next stage may read it), no truncated Parquet anywhere, and a rerun must
    complete with the same tables as the first run."""
    out = tmp_path / "interim"
    out.mkdir()
    for name in INGEST_OUTPUTS:  # the previous successful run: 3 documents, 0 rejected
        shutil.copy(seeds_out / "interim" / name, out / name)
    before = {name: (out / name).read_bytes() for name in INGEST_OUTPUTS}

    # The interrupted run has other input (1 document, 1 rejected), so a replaced output would show.
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sorted(RAW.glob("*.txt"))[0], raw)
    (raw / "empty.txt").write_text("")
    new_rows = {"documents.parquet": 1, "rejected.parquet": 1}

    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(STALL)
    marker = tmp_path / "stalled"
    env = with_pythonpath(hook, STALL_AT=killed_at, STALL_MARKER=str(marker))
    proc = subprocess.Popen(
        ingest_command(raw, out), cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    kill_when_stalled(proc, marker)

    temp = Path(marker.read_text())
    assert temp.parent == out and temp.name.startswith(f".{killed_at}.") and temp.name.endswith(".tmp")
    assert (out / killed_at).read_bytes() == before[killed_at]
    for name in INGEST_OUTPUTS:  # an output written before the kill is the complete new one
        assert (out / name).read_bytes() == before[name] or pq.read_table(out / name).num_rows == new_rows[name]
    for path in out.glob("*.parquet"):
        pq.read_table(path)  # raises on a truncated file
    # The half-written temp file is still there: atomic_path's cleanup cannot run under SIGKILL; the
    # next write of that table removes it first (tests/test_resume.py). It never ends in .parquet,
    # so no reader takes it for a table.
    assert temp.exists()

    subprocess.run(ingest_command(RAW, out), cwd=tmp_path, check=True, capture_output=True)
    for name in INGEST_OUTPUTS:
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), pd.read_parquet(seeds_out / "interim" / name))


# --- 2 and 4. A second run, offline, gives the same result ------------------------------------------

# Loaded into every Python process of the offline run (each one notes its pid in $GUARD_LOADED):
# any attempt to resolve a name or open a connection is written to $NETWORK_LOG and fails.
GUARD = """\
import os, socket
with open(os.environ["GUARD_LOADED"], "a") as f:
    f.write(f"{os.getpid()}\\n")
def _blocked(*args, **kwargs):
    with open(os.environ["NETWORK_LOG"], "a") as f:
        f.write(repr(args) + "\\n")
    raise OSError("network blocked by the newsstance test guard")
socket.socket.connect = _blocked
socket.socket.connect_ex = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
"""


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """`newsstance run` on the seed articles with the hub libraries told to stay offline and the
    socket guard on. To save a ~40 s run, this is also the second run the determinism tests compare
    with `seeds_out`. Returns (environment, network log, completed process, output folder)."""
    base = tmp_path_factory.mktemp("offline")
    (base / "sitecustomize.py").write_text(GUARD)
    log = base / "network.log"
    env = with_pythonpath(
        base,
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        NETWORK_LOG=str(log),
        GUARD_LOADED=str(base / "guard_loaded"),
    )
    out = base / "out"
    done = subprocess.run(
        [str(NEWSSTANCE), "run", str(RAW), "--out", str(out)], cwd=base, env=env, capture_output=True, text=True
    )
    return env, log, done, out


def test_default_run_needs_no_network(offline, tmp_path):
    """The default params use only installed packages: the whole run succeeds with every socket
    connection and name lookup failing, and does not even try one."""
    env, log, done, out = offline
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "summary.html").is_file()
    assert (out.parent / "guard_loaded").read_text().strip()  # the guard ran in the pipeline's process
    assert not log.exists(), log.read_text()
    # The guard is live in processes started with this environment (else the test proves nothing).
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env={**env, "NETWORK_LOG": str(tmp_path / "probe.log"), "GUARD_LOADED": str(tmp_path / "loaded")},
        capture_output=True,
        text=True,
    )
    assert "network blocked by the newsstance test guard" in probe.stderr


@pytest.mark.parametrize("name", ["statements", "stances", "speakers", "rejected"])
def test_two_runs_give_the_same_tables(seeds_out, offline, name):
    """Same inputs, same rows: no unseeded randomness, no order that depends on the run."""
    out = offline[3]
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / f"{name}.parquet"), pd.read_parquet(seeds_out / f"{name}.parquet"), check_exact=True
    )


def test_two_runs_give_the_same_report_bytes(seeds_out, offline):
    """The page carries no timestamp and no path of its output folder: same inputs, same bytes."""
    assert (offline[3] / "summary.html").read_bytes() == (seeds_out / "summary.html").read_bytes()


# --- 3. No pickle of anything the user did not produce -----------------------------------------------

PICKLE_MODULES = {"pickle", "_pickle", "cPickle", "joblib", "dill", "cloudpickle", "shelve"}


def dotted(node: ast.AST) -> str:
    """`torch.load` for the expression torch.load, "" for anything else than names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def is_true(call: ast.Call, keyword: str) -> bool:
    """The call passes `keyword`, with anything but a literal False."""
    return any(
        k.arg == keyword and not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in call.keywords
    )


def unsafe_loads(source: str) -> list[str]:
    """Pickle imports, pickle-based loads and remote code in `source`, as "line: what" strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] in PICKLE_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PICKLE_MODULES:
            found.append(f"{node.lineno}: from {node.module} import")
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            last = name.rsplit(".", 1)[-1]
            if name == "torch.load" or last == "read_pickle":
                found.append(f"{node.lineno}: {name}()")
            elif name in ("np.load", "numpy.load") and is_true(node, "allow_pickle"):
                found.append(f"{node.lineno}: {name}(allow_pickle=True)")
            elif last == "from_pretrained" and is_true(node, "trust_remote_code"):
                found.append(f"{node.lineno}: {name}(trust_remote_code=True)")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import pickle",
        "import joblib.numpy_pickle",
        "from dill import loads",
        "import torch\nstate = torch.load('heads.pt')",
        "frame = pd.read_pickle('x.pkl')",
        "import numpy as np\nnp.load('x.npy', allow_pickle=True)",
        "AutoModel.from_pretrained(name, trust_remote_code=True)",
    ],
)
def test_the_scan_finds_unsafe_loads(source):
    """The scan below is only worth something if it flags each kind of unsafe load."""
    assert unsafe_loads(source)


def test_stages_load_no_pickle_and_no_remote_code():
    """Heads are safetensors and models load without remote code: no stage unpickles a file or runs
    code that came with a model."""
    found = {
        path.name: unsafe_loads(path.read_text(encoding="utf-8")) for path in sorted((ROOT / "stages").glob("*.py"))
    }
    assert len(found) > 10
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_the_scan_accepts_safe_loads():
    """np.load without pickles and an explicit trust_remote_code=False are fine."""
    assert (
        unsafe_loads("import numpy as np\nnp.load('x.npy')\nAutoModel.from_pretrained(n, trust_remote_code=False)")
        == []
    )
