"""Benchmark: the whole pipeline at scale, against the cost of its two models alone.

The targets (issue "One library, thin stages"): the full run against two floors, spaCy over every
article plus the encoder over the statements only (the statements floor), and plus the encoder over
every distinct text the heads read, each once (the context floor: statements, headlines and
paragraphs); memory under 1.5 GB and roughly flat from 1,000 to 10,000 documents; the re-run ratio,
the time to re-run after changing one document in 2,000 and in 10,000 over the time of a cold run on
that one document alone, at most 1.5 at both sizes (incremental work must not grow with the corpus);
and the spaCy stage on 2 processes at least 1.7 x as fast as on 1. One run measures them all on the
same machine and the same generated corpus (benchmarks/corpus.py). The pipeline runs as
`python -m stages.cli run` in a child process, so its wall time and memory are those of a real run.

    python -m benchmarks.scale [--sizes 1000 10000] [--rerun-sizes 2000 10000] [--work /tmp/bench] [--skip-10k] [--json PATH]
Quick check of the script itself:  python -m benchmarks.scale --sizes 50 100 --rerun-sizes 100 --nproc-docs 100
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from benchmarks.corpus import article, write_corpus
from newsstance.config import read_params_data
from newsstance.scoring.heads import parts_read
from stages.cli import proc_kb_field, vm_hwm_bytes

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6
TARGETS = {"peak_rss_mb": 1500, "rss_growth": 1.25, "rerun_ratio": 1.5, "nproc_speedup": 1.7}


@dataclass
class Run:
    """One pipeline run in a child process."""

    seconds: float
    rss_kernel_mb: float  # the kernel's peak (VmHWM) of the largest single process of the child's tree, sampled
    pss_tree_mb: float | None  # peak of the whole tree's summed PSS, sampled every 1 s
    train_skipped: bool

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kernel_mb, self.pss_tree_mb or 0)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def write_params(work: Path, batch_size: int | None, n_process: int | None) -> tuple[Path, dict]:
    """params.yaml (with its roster and lexicon) with overrides, and its label paths made absolute
    (they are relative to its folder)."""
    params = read_params_data(ROOT / "params.yaml")
    for key in ("sentiment_labels", "stance_labels", "passages", "real_labels", "calibration"):
        if params["train"].get(key):
            params["train"][key] = str((ROOT / params["train"][key]).resolve())
    for key, value in (("batch_size", batch_size), ("n_process", n_process)):
        if value is not None:
            params["engine"][key] = value
    path = work / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path, params


def sample_tree(pid: int, done: threading.Event, peak: dict[str, float]) -> None:
    """Every 0.1 s the child's VmHWM (the kernel's own peak RSS of the process; it only grows, so a
    sample misses at most the last 0.1 s); every 1 s the same for each process of the child's tree
    and the tree's summed PSS. PSS, not RSS: forked worker processes share the model's pages, and
    RSS would count them twice. Summing PSS walks every process's page tables (~12 ms for a
    pipeline process), so it runs once a second: ten times a second it took a quarter of a core
    from the run it measured. Without psutil, the child alone and no PSS."""
    try:
        import psutil
    except ImportError:
        psutil = None
    tick = 0
    while not done.wait(0.1):
        peak["hwm"] = max(peak["hwm"], (vm_hwm_bytes(pid) or 0) / MB)
        tick += 1
        if psutil is None or tick % 10:
            continue
        try:
            procs = [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
        except psutil.Error:
            continue
        peak["hwm"] = max(peak["hwm"], *((vm_hwm_bytes(p) or 0) / MB for p in procs))
        pss = (proc_kb_field(p, "smaps_rollup", "Pss") or 0 for p in procs)  # the kernel's one-line sum
        peak["pss"] = max(peak.get("pss", 0.0), sum(pss) / MB)


def measure(command: list[str], log_path: Path, env: dict[str, str]) -> tuple[float, float, float | None]:
    """(wall seconds, peak VmHWM MB of the largest process, peak summed PSS MB of the tree or None)
    of one child process, sampled while it runs (sample_tree)."""
    peak = {"hwm": 0.0}
    with open(log_path, "wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **env})
        done = threading.Event()
        sampler = threading.Thread(target=sample_tree, args=(child.pid, done, peak), daemon=True)
        sampler.start()
        child.wait()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
    if child.returncode != 0:
        tail = log_path.read_text(errors="replace").splitlines()[-15:]
        sys.exit(f"failed ({child.returncode}): {' '.join(command)}\n" + "\n".join(tail))
    return seconds, peak["hwm"], peak.get("pss")


def run_pipeline(raw: Path, out: Path, params: Path, work: Path, fresh: bool = True) -> Run:
    """`stages.cli run` in a child; `fresh`: into an empty out dir. The heads come from the
    benchmark's own machine cache (work/cache), where the warm-up left them."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    (work / "logs").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "stages.cli", "run", str(raw), "--out", str(out), "--params", str(params)]
    log_path = work / "logs" / f"{out.name}-{time.time_ns()}.log"
    seconds, kernel, tree = measure(command, log_path, {"NEWSSTANCE_CACHE_DIR": str(work / "cache")})
    return Run(seconds, kernel, tree, train_skipped="train: encoding" not in log_path.read_text(errors="replace"))


class Floor:
    """The two models alone, loaded once: spaCy (every component) over texts, the encoder over statements."""

    def __init__(self, params: dict):
        self.params, self.nlp, self.encoder, self.load = params, None, None, {}

    def spacy(self, texts: list[str], n_process: int) -> float:
        import spacy

        from stages.nlp import numpy_blas

        if self.nlp is None:
            t0 = time.perf_counter()
            numpy_blas()  # the matrix products the pipeline's spaCy stages use
            self.nlp = spacy.load(self.params["nlp"]["model"])
            self.load["spacy"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in self.nlp.pipe(texts, batch_size=self.params["engine"]["batch_size"], n_process=n_process):
            pass
        return time.perf_counter() - t0

    def encode_read(self, interim: Path) -> float:
        """The encoder over every distinct text the heads read of a run's statements (statement,
        headline, paragraphs, speaker, as `train.*_reads` say), each once, at the limits classify
        uses: the context floor's encoder."""
        import pyarrow.parquet as pq

        from newsstance.scoring.backends import document_item
        from newsstance.scoring.context import Context

        reads = parts_read(self.params["train"]["sentiment_reads"], self.params["train"]["stance_reads"])
        documents = pq.read_table(interim / "documents.parquet", columns=["doc_id", "text", "title"]).to_pylist()
        statements = pq.read_table(interim / "statements_raw.parquet").to_pylist()
        by_doc: dict[str, list[dict]] = {}
        for row in statements:
            by_doc.setdefault(row["doc_id"], []).append(row)
        limits = {"statement": self.params["encoder"]["max_length"]}
        texts: set[tuple[str, int]] = set()
        for d in documents:
            for s in document_item(d["doc_id"], by_doc.get(d["doc_id"], []), d["text"], d["title"])["statements"]:
                context = Context(*s["context"])
                for part in reads:
                    text = s["content"] if part == "statement" else getattr(context, part)
                    limit = limits.get(part, self.params["encoder"]["context_max_length"])
                    if text:
                        texts.add((text, limit))
        texts |= {(t, self.params["encoder"]["max_length"]) for t in self.params["targets"].values()}
        self._load_encoder()
        distinct = sorted(texts)
        t0 = time.perf_counter()
        self.encoder.forget()
        self.encoder.encode([t for t, _ in distinct], [n for _, n in distinct])
        return time.perf_counter() - t0

    def _load_encoder(self) -> None:
        from newsstance.config import EncoderParams
        from newsstance.scoring.encoder import Encoder, encoder_args

        if self.encoder is None:
            t0 = time.perf_counter()
            self.encoder = Encoder(*encoder_args(EncoderParams(**self.params["encoder"])))
            self.load["encoder"] = time.perf_counter() - t0

    def encode(self, texts: list[str]) -> float:
        self._load_encoder()
        t0 = time.perf_counter()
        self.encoder.forget()  # the memo would serve a second size what the first one encoded
        self.encoder.encode(texts)
        return time.perf_counter() - t0


def _spin(_: int) -> float:
    t0 = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def cpu_ceiling() -> float:
    """Speed-up of 2 pure-Python processes over 1 on this machine: what n_process=2 could reach at best."""
    from concurrent.futures import ProcessPoolExecutor

    one, two = [], []
    with ProcessPoolExecutor(2) as pool:
        pool.submit(_spin, 0).result()  # workers started
        for _ in range(3):  # best of 3 each: other load on the machine only ever slows a try down
            one.append(_spin(0))
            t0 = time.perf_counter()
            list(pool.map(_spin, [0, 1]))
            two.append(time.perf_counter() - t0)
    return 2 * min(one) / min(two)


STAGE_TIMER = """
import sys, time
from pathlib import Path
from stages import sentences
from newsstance.config import load_params
documents, out, params = map(Path, sys.argv[1:])
started = time.perf_counter()
sentences.run(documents, out / "sentences.parquet", out / "parsed.parquet", load_params(params))
print(time.perf_counter() - started)
"""


def sentences_stage(work: Path, raw: Path, params: Path, n_process: int) -> float | None:
    """Seconds of the pipeline's own sentences stage (`stages.sentences.run`: model loads, parsing,
    writing; no cache) in a fresh process. Interpreter start-up and imports are left out, as in the
    floor: they are the same with any n_process."""
    base = yaml.safe_load(params.read_text(encoding="utf-8"))
    base["engine"]["n_process"] = n_process
    variant = work / f"params-np{n_process}.yaml"
    variant.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    docs, stage = work / "nproc" / "documents.parquet", work / "nproc" / f"np{n_process}"
    try:
        if not docs.is_file():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "stages.ingest",
                    str(raw),
                    "--documents",
                    str(docs),
                    "--rejected",
                    str(docs.with_name("rejected.parquet")),
                    "--params",
                    str(variant),
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        done = subprocess.run(
            [sys.executable, "-c", STAGE_TIMER, str(docs), str(stage), str(variant)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return float(done.stdout.split()[-1])
    except subprocess.CalledProcessError as exc:  # the stage's interface changed: report, do not fail
        log(f"sentences stage with n_process={n_process} failed: {exc.stderr.strip()[-300:]}")
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1000, 10000], help="corpus sizes for full run and floor"
    )
    parser.add_argument("--skip-10k", action="store_true", help="leave out sizes of 10,000 documents and more")
    parser.add_argument(
        "--rerun-sizes",
        type=int,
        nargs="+",
        default=[2000, 10000],
        help="corpus sizes for the one-changed-document re-run",
    )
    parser.add_argument("--nproc-docs", type=int, default=1000, help="documents for the n_process 1 vs 2 comparison")
    parser.add_argument("--batch-size", type=int, default=None, help="override engine.batch_size")
    parser.add_argument("--n-process", type=int, default=None, help="override engine.n_process for the pipeline runs")
    parser.add_argument(
        "--work", type=Path, default=Path("/tmp/bench"), help="scratch folder (corpora, out dirs, logs)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = sorted({n for n in args.sizes if not (args.skip_10k and n >= 10_000)})
    rerun_sizes = sorted({n for n in args.rerun_sizes if not (args.skip_10k and n >= 10_000)})
    if not sizes or not rerun_sizes:
        sys.exit("no sizes left to run")
    load_start = os.getloadavg()[0]
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    params_path, params = write_params(work, args.batch_size, args.n_process)
    n_process = params["engine"]["n_process"]

    def corpus(name: str, n: int) -> tuple[Path, list[str]]:
        shutil.rmtree(work / name, ignore_errors=True)
        paths = write_corpus(work / name, n)
        return work / name, [p.read_text(encoding="utf-8") for p in paths]

    # Heads do not depend on the corpus: the warm-up fits them into the benchmark's machine cache,
    # and every measured run takes them from there, as `newsstance run` does on a used machine.
    log("warm-up: 5 documents, trains the heads")
    shutil.rmtree(work / "cache", ignore_errors=True)
    warm_raw, _ = corpus("raw-warm", 5)
    warm_run = run_pipeline(warm_raw, work / "out-warm", params_path, work)

    floor = Floor(params)
    log(f"n_process 1 vs 2: {args.nproc_docs} documents")  # before any encoder call: forks stay clean
    np_raw, np_texts = corpus("raw-nproc", args.nproc_docs)
    shutil.rmtree(work / "nproc", ignore_errors=True)
    floor.spacy(np_texts[:20], 1)  # loads the model, warms the caches
    nproc = {
        "spacy_np1_s": floor.spacy(np_texts, 1),
        "spacy_np2_s": floor.spacy(np_texts, 2),
        "stage_np1_s": sentences_stage(work, np_raw, params_path, 1),
        "stage_np2_s": sentences_stage(work, np_raw, params_path, 2),
        "cpu_ceiling": cpu_ceiling(),
    }

    results: dict[int, dict] = {}
    for n in sizes:
        log(f"{n} documents: full pipeline")
        raw, texts = corpus(f"raw-{n}", n)
        run = run_pipeline(raw, work / f"out-{n}", params_path, work)
        log(f"{n} documents: spaCy alone")
        results[n] = {"docs": n, "run": run, "spacy_s": floor.spacy(texts, n_process)}
    for n, r in results.items():  # the encoder last: torch's threads are up from here on, no more forks
        import pyarrow.parquet as pq

        log(f"{n} documents: encoder alone")
        interim = work / f"out-{n}" / "interim"
        contents = pq.read_table(interim / "statements_raw.parquet", columns=["content"]).column("content").to_pylist()
        r.update(
            sentences=pq.read_metadata(interim / "sentences.parquet").num_rows,
            statements=len(contents),
            encoder_s=floor.encode([c or "" for c in contents]),
            encoder_read_s=floor.encode_read(interim),
        )
    load_s = sum(floor.load.values())
    for r in results.values():
        r["floor_s"] = r["spacy_s"] + r["encoder_s"] + load_s
        r["context_floor_s"] = r["spacy_s"] + r["encoder_read_s"] + load_s

    reruns = {}
    for n in rerun_sizes:
        log(f"incremental re-run: {n} documents, one changed")
        if n in results:
            raw, out, full = work / f"raw-{n}", work / f"out-{n}", results[n]["run"]
        else:
            raw, _ = corpus(f"raw-{n}", n)
            out = work / f"out-{n}"
            full = run_pipeline(raw, out, params_path, work)
        name, text = article(n // 2, seed=1)
        (raw / name).write_text(text, encoding="utf-8")
        rerun = run_pipeline(raw, out, params_path, work, fresh=False)
        log(f"cold run on the changed document alone ({name})")
        shutil.rmtree(work / "raw-one", ignore_errors=True)
        (work / "raw-one").mkdir()
        (work / "raw-one" / name).write_text(text, encoding="utf-8")
        alone = run_pipeline(work / "raw-one", work / "out-one", params_path, work)
        reruns[n] = {"full": full, "rerun": rerun, "alone": alone}

    report(
        args,
        sizes,
        results,
        floor.load,
        nproc,
        reruns,
        warm_run,
        n_process,
        params["engine"]["batch_size"],
        load_start,
    )


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def report(
    args,
    sizes,
    results,
    load,
    nproc,
    reruns: dict[int, dict[str, Run]],
    warm: Run,
    n_process: int,
    batch_size: int,
    load_start: float,
) -> None:
    print(
        f"\nnewsstance scale benchmark: {os.cpu_count()} cores, engine.batch_size {batch_size}, engine.n_process {n_process}"
    )
    print(f"load average at start {load_start:.1f} (other work on the machine skews every figure)")
    print(
        f"model loads (in the floor, once): spaCy {load.get('spacy', 0):.1f} s, encoder {load.get('encoder', 0):.1f} s"
    )
    print(
        "train excluded: heads are corpus-independent; a 5-document warm-up "
        f"({warm.seconds:.0f} s) trained them and each run takes them from the machine cache"
    )
    head = (
        f"{'docs':>6} {'sentences':>9} {'statements':>10} {'full s':>8} {'spaCy s':>8} {'enc stmt s':>10} "
        f"{'enc read s':>10} {'full/stmt floor':>15} {'full/ctx floor':>14} {'docs/s':>7} {'peak RSS MB':>11} {'train':>7}"
    )
    print("\n" + head + "\n" + "-" * len(head))
    for n in sizes:
        r, run = results[n], results[n]["run"]
        print(
            f"{n:>6} {r['sentences']:>9} {r['statements']:>10} {run.seconds:>8.1f} {r['spacy_s']:>8.1f} "
            f"{r['encoder_s']:>10.1f} {r['encoder_read_s']:>10.1f} {run.seconds / r['floor_s']:>14.2f}x "
            f"{run.seconds / r['context_floor_s']:>13.2f}x {n / run.seconds:>7.1f} {run.peak_mb:>11.0f} "
            f"{'skipped' if run.train_skipped else 'RAN':>7}"
        )
    print(
        "peak RSS = max(VmHWM of the largest process, PSS summed over the process tree), sampled every 0.1 s / 1 s; "
        "floors = spaCy + encoder + model loads, no interpreter start-up; the statements floor encodes the "
        "statements, the context floor every distinct text the heads read (statements and their context)"
    )
    if not all(r["run"].train_skipped for r in results.values()):
        print("WARNING: the pipeline retrained the heads in a measured run (no skip): train time is INCLUDED above")

    small, large = results[sizes[0]], results[sizes[-1]]
    growth = large["run"].peak_mb / small["run"].peak_mb if len(sizes) > 1 else None
    speedup = nproc["spacy_np1_s"] / nproc["spacy_np2_s"]
    stage = nproc["stage_np1_s"] / nproc["stage_np2_s"] if nproc["stage_np1_s"] and nproc["stage_np2_s"] else None
    rows = [
        (
            f"full / statements floor, {n} docs",
            f"{results[n]['run'].seconds / results[n]['floor_s']:.2f} x",
            "(<= the last measured; see README)",
            None,
        )
        for n in sizes
    ]
    rows += [
        (
            f"full / context floor, {n} docs",
            f"{results[n]['run'].seconds / results[n]['context_floor_s']:.2f} x",
            "(for comparison)",
            None,
        )
        for n in sizes
    ]
    rows += [
        (
            f"peak RSS, {n} docs",
            f"{results[n]['run'].peak_mb:.0f} MB",
            f"<= {TARGETS['peak_rss_mb']} MB",
            results[n]["run"].peak_mb <= TARGETS["peak_rss_mb"],
        )
        for n in sizes
    ]
    rows += [
        (
            f"RSS growth {sizes[0]} -> {sizes[-1]} docs",
            f"{growth:.2f} x" if growth else "n/a",
            f"<= {TARGETS['rss_growth']} x (roughly flat)",
            None if growth is None else growth <= TARGETS["rss_growth"],
        ),
        *(
            (
                f"re-run ratio, 1 of {n} docs changed",
                f"{r['rerun'].seconds / r['alone'].seconds:.2f} x ({r['rerun'].seconds:.1f} / {r['alone'].seconds:.1f} s)",
                f"<= {TARGETS['rerun_ratio']} x",
                r["rerun"].seconds / r["alone"].seconds <= TARGETS["rerun_ratio"],
            )
            for n, r in reruns.items()
        ),
        (
            f"sentences stage n_process 2 vs 1, {args.nproc_docs} docs",
            f"{stage:.2f} x ({nproc['stage_np1_s']:.1f} -> {nproc['stage_np2_s']:.1f} s)" if stage else "n/a",
            f">= {TARGETS['nproc_speedup']} x",
            None if stage is None else stage >= TARGETS["nproc_speedup"],
        ),
        (
            "spaCy's own nlp.pipe n_process 2 vs 1",
            f"{speedup:.2f} x ({nproc['spacy_np1_s']:.1f} -> {nproc['spacy_np2_s']:.1f} s)",
            "(for comparison)",
            None,
        ),
        (
            "machine: 2 pure-Python processes vs 1",
            f"{nproc['cpu_ceiling']:.2f} x",
            "(the best n_process=2 can do)",
            None,
        ),
    ]
    print(f"\n{'target':<40} {'measured':<28} {'limit':<30} result")
    for name, measured, limit, ok in rows:
        print(f"{name:<40} {measured:<28} {limit:<30} {verdict(ok)}")
    if not all(run.train_skipped for r in reruns.values() for run in r.values()):
        print("WARNING: a re-run or a cold one-document run retrained the heads")

    if args.json:
        figures = {
            "cores": os.cpu_count(),
            "load_average_start": load_start,
            "batch_size": batch_size,
            "n_process": n_process,
            "model_load_s": load,
            "warmup": asdict(warm),
            "sizes": {
                str(n): {**{k: v for k, v in results[n].items() if k != "run"}, "run": asdict(results[n]["run"])}
                for n in sizes
            },
            "rss_growth": growth,
            "reruns": {
                str(n): {
                    **{k: asdict(run) for k, run in r.items()},
                    "ratio": r["rerun"].seconds / r["alone"].seconds,
                }
                for n, r in reruns.items()
            },
            "nproc": {**nproc, "docs": args.nproc_docs, "spacy_speedup": speedup, "stage_speedup": stage},
            "targets": TARGETS,
            "results": {name: verdict(ok) for name, _, _, ok in rows},
        }
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
