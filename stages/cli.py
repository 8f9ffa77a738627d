"""The `newsstance` command: run every stage in one process, from any working directory.

`newsstance run RAW_DIR --out OUT_DIR [--params FILE]` calls the same stage functions the DVC stages
call, so both paths write the same tables. With spaCy in this process (the default), the
per-document stages run as one stream of documents (stages.flow); otherwise one after another.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from newsstance.text.sources import CORPUS_SUFFIXES
from newsstance.config import ConfigError, load_params
from stages.engine import release_models
from stages.entry import settle_imports, setup_logging
from stages.layout import PER_DOCUMENT_STAGES, Layout

log = logging.getLogger("newsstance")


STREAMED = "sentences, entities, statements and classify"  # the step of stages.flow


def run_all(layout: Layout, params_path: Path | None, strict: bool = False) -> None:
    """Every stage into `layout`; `strict`: the first document a stage fails on fails the run
    (otherwise it is rejected and the run goes on, as with engine.strict in the params)."""
    from stages import classify, classify_worker

    params = load_params(params_path)
    if strict:
        params = params.model_copy(update={"engine": params.engine.model_copy(update={"strict": True})})
    # Started first, so that the worker imports torch and loads the encoder while this process
    # imports spaCy and runs the stages before classify; forked before either is imported.
    classifier = classify_worker.prepared_engine(params)

    from stages import entities, flow, ingest, report, sentences, statements, table, train
    from stages.nlp import parser_pipeline

    settle_imports()
    f = layout.interim_file
    steps: list[tuple[str, Callable[[], object]]] = [
        ("ingest", lambda: ingest.run(layout.raw, f("documents"), f("rejected"), params)),
        (
            "train",
            lambda: train.run(layout.models, layout.train_metrics, params, layout.fitted_heads),
        ),  # reads no document
    ]
    if flow.chained(params):
        steps.append((STREAMED, lambda: flow.run(f, layout.models, params, layout.cache, classifier)))
    else:
        steps += [
            (
                "sentences",
                lambda: sentences.run(
                    f("documents"),
                    f("sentences"),
                    f("parsed"),
                    params,
                    layout.cache("sentences"),
                    f("rejected_sentences"),
                ),
            ),
            (
                "entities",
                lambda: entities.run(
                    f("parsed"), f("entities"), f("tagged"), params, layout.cache("entities"), f("rejected_entities")
                ),
            ),
            (
                "statements",
                lambda: statements.run(
                    f("tagged"),
                    f("statements_raw"),
                    params,
                    layout.cache("statements"),
                    f("rejected_statements"),
                ),
            ),
            (
                "classify",
                lambda: classify.run(
                    f("statements_raw"),
                    f("documents"),
                    layout.models,
                    f("sentiment"),
                    f("stance"),
                    params,
                    layout.cache("classify"),
                    classifier,
                    f("rejected_classify"),
                ),
            ),
        ]
    steps += [
        (
            "table",
            lambda: table.run(
                f("statements_raw"),
                f("sentiment"),
                f("stance"),
                f("rejected"),
                layout.processed,
                params,
                stage_rejected=[f(f"rejected_{stage}") for stage in PER_DOCUMENT_STAGES],
                documents=f("documents"),
                models=layout.models,
            ),
        ),
        ("report", lambda: report.run(layout.interim, layout.processed, layout.report, params)),
    ]
    # Models a later stage uses again: statements reads the parse with the sentences stage's pipeline.
    needed_later = {"sentences": (parser_pipeline,), "entities": (parser_pipeline,)}
    with classifier or nullcontext():
        for name, step in steps:
            started = time.perf_counter()
            step()
            if name in ("classify", STREAMED) and classifier is not None:
                classifier.close()  # its worker holds the encoder
            release_models(keep=needed_later.get(name, ()))  # keeping every stage's models would add ~1 GB
            log.info(
                "%s: done in %.1f s; peak RSS of this process so far %.0f MB",
                name,
                time.perf_counter() - started,
                peak_rss_mb(),
            )


def proc_kb_field(pid: int | str, file: str, field: str) -> int | None:
    """`field` of /proc/PID/`file` (a "Name:  1234 kB" line) in bytes; None without /proc or field."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="utf-8", errors="replace") as lines:
            return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(f"{field}:"))
    except (OSError, StopIteration, ValueError):
        return None


def vm_hwm_bytes(pid: int | str = "self") -> int | None:
    """The kernel's own peak RSS of a process (VmHWM in /proc/PID/status); None without /proc.
    Not ru_maxrss: Linux keeps that across exec, so a process starts at the RSS of the one that
    started it, and a benchmark holding models would put every child it starts near 1 GB."""
    return proc_kb_field(pid, "status", "VmHWM")


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB: VmHWM where there is /proc, else ru_maxrss
    (macOS reports bytes)."""
    hwm = vm_hwm_bytes()
    if hwm is not None:
        return hwm / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="newsstance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="run the whole pipeline on a folder (*.txt articles, their metadata.csv, corpus files) or one "
        "corpus file (.jsonl, .csv, .parquet)",
    )
    run.add_argument("raw_dir", type=Path, metavar="raw")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--params", type=Path, default=None, help="params.yaml (default: the project's)")
    run.add_argument(
        "--strict",
        action="store_true",
        help="fail on the first document a stage fails on (default: reject it and go on)",
    )
    args = parser.parse_args(argv)
    setup_logging()
    if not (args.raw_dir.is_dir() or (args.raw_dir.is_file() and args.raw_dir.name.endswith(CORPUS_SUFFIXES))):
        sys.exit(f"newsstance: {args.raw_dir} is neither a folder nor a corpus file ({', '.join(CORPUS_SUFFIXES)})")
    try:
        run_all(Layout.for_out_dir(args.raw_dir.resolve(), args.out.resolve()), args.params, args.strict)
    except ConfigError as exc:
        sys.exit(f"newsstance: configuration error: {exc}")
    import pyarrow.parquet as pq

    rejected = pq.ParquetFile(args.out / "rejected.parquet").metadata.num_rows
    log.info(
        "done: tables and summary.html in %s; %d file(s) rejected%s",
        args.out,
        rejected,
        " (rejected.parquet and the report's overview list them)" if rejected else "",
    )


if __name__ == "__main__":
    main()
