"""Where `newsstance run` puts each artefact (dvc.yaml spells out the same files for the repo)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """Where `newsstance run` puts each artefact (dvc.yaml spells out the same files for the repo)."""

    raw: Path
    interim: Path
    models: Path
    processed: Path
    report: Path
    train_metrics: Path
    fitted_heads: Path | None = None  # this machine's fitted heads, shared by every output folder

    @classmethod
    def for_out_dir(cls, raw: Path, out: Path) -> "Layout":
        return cls(
            raw,
            out / "interim",
            out / "interim" / "models",
            out,
            out / "summary.html",
            out / "interim" / "train_metrics.json",
            machine_cache() / "heads",
        )

    def interim_file(self, name: str) -> Path:
        return self.interim / INTERIM_FILES[name]

    def cache(self, stage: str) -> Path:
        """The per-document cache of a stage; a second run into the same folder reuses it."""
        return self.interim / "cache" / stage


INTERIM_FILES = {
    "documents": "documents.parquet",
    "rejected": "rejected.parquet",
    "sentences": "sentences.parquet",
    "parsed": "parsed.parquet",
    "entities": "entities.parquet",
    "tagged": "tagged.parquet",
    "statements_raw": "statements_raw.parquet",
    "sentiment": "sentiment_scores.parquet",
    "stance": "stance_scores.parquet",
    **{
        f"rejected_{stage}": f"rejected_{stage}.parquet"
        for stage in ("sentences", "entities", "statements", "classify")
    },
}
PER_DOCUMENT_STAGES = ("sentences", "entities", "statements", "classify")


def machine_cache() -> Path:
    """This machine's newsstance cache: $NEWSSTANCE_CACHE_DIR, else newsstance/ in the user's cache
    directory ($XDG_CACHE_HOME, or ~/.cache)."""
    if os.environ.get("NEWSSTANCE_CACHE_DIR"):
        return Path(os.environ["NEWSSTANCE_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsstance"
