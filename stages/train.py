"""Stage 5a, train: fit the sentiment and stance heads (`newsstance.scoring.training`).

Skipped when the heads in the output folder were fitted from the same code, params, labels and
encoder.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
from pathlib import Path

from newsstance.config import Params, load_params
from newsstance.scoring.encoder import encoder_args, encoder_id
from newsstance.scoring.heads import Head
from newsstance.scoring.training import train
from stages.encoder import get_encoder
from stages.io import write_bytes, write_json
from stages.provenance import canonical_json, code_version, params_digest, sha256_hex, stage_provenance

log = logging.getLogger("newsstance")

HEADS = ("sentiment.safetensors", "stance.safetensors")
METRICS = "train_metrics.json"  # its name in the machine's store of fitted heads

# The params sections this stage reads; its dvc.yaml entry lists the same (a test checks).
PARAMS = ("encoder", "targets", "train")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=Path, required=True, help="folder for the head files")
    parser.add_argument("--metrics", type=Path, required=True)
    parser.add_argument("--params", type=Path, default=None)
    args = parser.parse_args(argv)
    run(args.models, args.metrics, load_params(args.params))


def inputs_digest(params: Params) -> str:
    """Everything the heads are a function of: code, params, labelled sets and encoder."""
    tp = params.train
    labels = [params.path(tp.sentiment_labels), params.path(tp.stance_labels), params.path(tp.passages)]
    labels += sorted(
        f
        for folder in (tp.real_labels, tp.calibration)
        if folder
        for f in params.path(folder).rglob("*")
        if f.is_file()
    )
    return sha256_hex(
        canonical_json(
            {
                "code": code_version("train"),
                "params": params_digest(params, PARAMS),
                "labels": [sha256_hex(p.read_bytes()) if p.is_file() else None for p in labels],
                "encoder": encoder_id(params.encoder),
            }
        )
    )


def up_to_date(models: Path, metrics: Path, digest: str) -> bool:
    """`newsstance run` into a used folder skips training when the heads there were fitted from the
    same inputs (DVC makes the same decision from dvc.lock)."""
    heads = [models / name for name in HEADS]
    if not metrics.is_file() or not all(h.is_file() for h in heads):
        return False
    try:
        return all(Head.load(h).meta.get("inputs") == digest for h in heads)
    except Exception:  # unreadable or foreign head files: train again
        return False


def run(models: Path, metrics: Path, params: Params, fitted: Path | None = None) -> None:
    """`fitted`: this machine's store of fitted heads (`layout.machine_cache`), one folder per inputs
    digest; heads fitted from the same inputs before are copied from it, not fitted again."""
    digest = inputs_digest(params)
    if up_to_date(models, metrics, digest):
        log.info("train: heads in %s are up to date; not retraining", models)
        return
    kept = fitted / digest if fitted is not None else None
    if kept is not None and up_to_date(kept, kept / METRICS, digest):
        copy_heads(kept, kept / METRICS, models, metrics)
        log.info("train: heads fitted from the same inputs before, taken from %s", kept)
        return
    provenance = stage_provenance("train", params, PARAMS, models={"encoder": encoder_id(params.encoder)})
    encoder = get_encoder(*encoder_args(params.encoder))
    sentiment, stance, scores = train(params, encoder, {"provenance": provenance.to_metadata(), "inputs": digest})
    write_bytes(models / "sentiment.safetensors", sentiment.to_bytes())
    write_bytes(models / "stance.safetensors", stance.to_bytes())
    write_json(metrics, {"train": scores})
    if kept is not None:
        keep(models, metrics, kept)


def copy_heads(models: Path, metrics: Path, to_models: Path, to_metrics: Path) -> None:
    for name in HEADS:
        write_bytes(to_models / name, (models / name).read_bytes())
    write_bytes(to_metrics, metrics.read_bytes())


def keep(models: Path, metrics: Path, folder: Path) -> None:
    """Copy fitted heads into the machine's store: a folder that appears whole (renamed into place),
    so a reader never takes half of one. A store that cannot be written costs a refit next time."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".heads-"))
        try:
            copy_heads(models, metrics, tmp, tmp / METRICS)
            if folder.is_dir() and not up_to_date(folder, folder / METRICS, folder.name):
                shutil.rmtree(folder)  # a damaged entry
            os.rename(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        if not up_to_date(folder, folder / METRICS, folder.name):  # else another run kept them first
            log.warning("train: could not keep the heads in %s (%s); the next run fits them again", folder, exc)


if __name__ == "__main__":
    from stages.entry import run_stage

    run_stage(main)
