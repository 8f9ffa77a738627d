"""Stage 9, evaluate: score attribution and labels against the gold sets (`newsstance.analysis.metrics`)
and write reports/metrics.json."""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from newsstance.analysis.metrics import load_gold_set, score, score_labels
from newsstance.analysis.tables import head_spreads
from newsstance.config import Params, load_params
from newsstance.schema import DOCUMENTS, SENTIMENT_SCORES, STANCE_SCORES, STATEMENTS_RAW
from stages.io import read_table, write_json, write_text
from stages.layout import INTERIM_FILES

log = logging.getLogger("newsstance")

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("roster", "targets", "table", "classify.backend")


@dataclass(frozen=True)
class EvalSpec:
    """One gold set to score: the interim folder of its corpus and its two gold files."""

    name: str
    interim: Path
    statements: Path
    traps: Path

    @classmethod
    def parse(cls, values: list[str]) -> "EvalSpec":
        name, interim, statements, traps = values
        return cls(name, Path(interim), Path(statements), Path(traps))


def evaluate(specs: list[EvalSpec], params: Params, models: Path | None = None) -> tuple[dict, list[dict]]:
    metrics, errors, spreads = {}, [], head_spreads(models, params)
    for spec in specs:
        documents = read_table(spec.interim / INTERIM_FILES["documents"], DOCUMENTS)
        predicted = read_table(spec.interim / INTERIM_FILES["statements_raw"], STATEMENTS_RAW)
        gold, missing = load_gold_set(spec.name, spec.statements, spec.traps, documents)
        if missing:
            log.warning(
                "%s: %d gold document(s) not in %s: %s", spec.name, len(missing), spec.interim, ", ".join(missing)
            )
        attribution, set_errors, found = score(predicted, gold, set(params.roster))
        labels = score_labels(
            found,
            predicted,
            read_table(spec.interim / INTERIM_FILES["sentiment"], SENTIMENT_SCORES),
            read_table(spec.interim / INTERIM_FILES["stance"], STANCE_SCORES),
            params,
            spreads,
        )
        metrics[spec.name] = {"attribution": {**attribution, "missing_documents": missing}, **labels}
        errors += set_errors
        overall = attribution["overall"]
        log.info(
            "%s: attribution P %s R %s F1 %s, traps %d/%d; sentiment F1 %s (lexicon %s), stance F1 %s (lexicon %s)",
            spec.name,
            overall["precision"],
            overall["recall"],
            overall["f1"],
            attribution["traps"]["attributed"],
            len(gold.traps),
            labels["sentiment"]["model_macro_f1"],
            labels["sentiment"]["lexicon_macro_f1"],
            labels["stance"]["model_macro_f1"],
            labels["stance"]["lexicon_macro_f1"],
        )
    return metrics, errors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--set",
        nargs=4,
        action="append",
        required=True,
        metavar=("NAME", "INTERIM", "GOLD", "TRAPS"),
        help="a gold set: its name, the interim folder of its corpus, gold statements, trap sentences",
    )
    parser.add_argument("--train-metrics", type=Path, required=True, help="the train stage's cross-validation figures")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--errors", type=Path, required=True)
    parser.add_argument(
        "--models",
        type=Path,
        default=None,
        help="the heads classify used: their calibration figures widen the per-speaker intervals",
    )
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(
        [EvalSpec.parse(s) for s in args.set],
        args.train_metrics,
        args.metrics,
        args.errors,
        load_params(args.params),
        args.models,
    )


def run(
    specs: list[EvalSpec],
    train_metrics: Path,
    metrics_path: Path,
    errors_path: Path,
    params: Params,
    models: Path | None = None,
) -> None:
    metrics, errors = evaluate(specs, params, models)
    metrics.update(json.loads(train_metrics.read_text(encoding="utf-8")))  # {"train": ...}: one file for `dvc metrics`
    write_json(metrics_path, metrics)
    write_text(errors_path, "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in errors))


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
