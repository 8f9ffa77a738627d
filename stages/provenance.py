"""Provenance: what every output file says about how it was made.

Each Parquet file carries, in its key-value metadata, the pipeline version, the stage that wrote
it, a digest of the params sections that stage reads, the same digests of every stage upstream
(the lineage, handed on through the input files themselves, so it can never be stale), and the
ids of the models involved. Two files with equal lineage were made with equal settings.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyarrow.parquet as pq

import newsstance
from newsstance.config import Params

PREFIX = "newsstance."


def canonical_json(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def section(params: Params, dotted: str):
    """The value of a params section or sub-key ("report.min_statements"), as plain JSON data."""
    value = params.model_dump(mode="json")
    for key in dotted.split("."):
        value = value[key]
    return value


def params_digest(params: Params, sections: Iterable[str]) -> str:
    return sha256_hex(canonical_json({s: section(params, s) for s in sections}))


# The folder holding both packages: the library and the stages.
PROJECT = Path(newsstance.__file__).parent.parent
PACKAGES = ("newsstance", "stages")


def module_path(module: str) -> Path | None:
    """The source file of a project module (a package's __init__.py); None for other modules."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = PROJECT.joinpath(*module.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    return path if path.is_file() else None


def imported_modules(module: str) -> set[str]:
    """The project modules `module` imports anywhere in its source: at module level and inside
    functions, since a lazy import (the hub backend's) runs as surely as any other. Importing
    `a.b.c` runs `a` and `a.b` too."""
    found = set()
    for node in ast.walk(ast.parse(module_path(module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from a import b`: b may be a module
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            found.update(m for k in range(1, len(parts) + 1) if module_path(m := ".".join(parts[:k])))
    return found - {module}


def result_files(stage: str) -> list[str]:
    """The files a stage's results are a function of: its own shell (`stages/<stage>.py`), every
    library module it reaches, through the plumbing too, and the data folders those modules name
    (the report's templates). The plumbing itself (engine, cache, io, ...) is followed but not
    listed: editing it changes no result. dvc.yaml lists exactly these as the stage's code deps,
    and the stage's cache keys on them (`code_version`); tests/test_dvc.py checks both."""
    seen, todo = set(), [f"stages.{stage}"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imported_modules(module))
    files = {module_path(f"stages.{stage}")}
    for module in seen:
        if module.startswith("newsstance"):
            path = module_path(module)
            files.add(path)
            files.update(
                d for name in _strings(path) if (d := path.parent / name).is_dir() and not (d / "__init__.py").exists()
            )
    return sorted(f.relative_to(PROJECT).as_posix() for f in files)


def _strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and "/" not in n.value and n.value.isidentifier()
    }


def code_version(stage: str) -> str:
    """A digest of the files a stage's results are a function of: a change there re-keys its cache."""
    digests = {}
    for name in result_files(stage):
        path = PROJECT / name
        for f in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if f.is_file() and "__pycache__" not in f.parts:
                digests[f.relative_to(PROJECT).as_posix()] = sha256_hex(f.read_bytes())
    return sha256_hex(canonical_json(digests))


@dataclass(frozen=True)
class Provenance:
    stage: str
    params_sections: tuple[str, ...]
    params_digest: str
    lineage: dict[str, str] = field(default_factory=dict)  # stage -> params digest, upstream included
    models: dict[str, str] = field(default_factory=dict)  # role -> model id (name, version or digest)
    pipeline_version: str = newsstance.__version__

    def to_metadata(self) -> dict[str, str]:
        return {
            PREFIX + "pipeline_version": self.pipeline_version,
            PREFIX + "stage": self.stage,
            PREFIX + "params_sections": canonical_json(list(self.params_sections)),
            PREFIX + "params_digest": self.params_digest,
            PREFIX + "lineage": canonical_json(self.lineage),
            PREFIX + "models": canonical_json(self.models),
        }

    @classmethod
    def from_metadata(cls, meta: dict) -> "Provenance | None":
        meta = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in (meta or {}).items()
        }
        if PREFIX + "stage" not in meta:
            return None
        return cls(
            stage=meta[PREFIX + "stage"],
            params_sections=tuple(json.loads(meta[PREFIX + "params_sections"])),
            params_digest=meta[PREFIX + "params_digest"],
            lineage=json.loads(meta[PREFIX + "lineage"]),
            models=json.loads(meta[PREFIX + "models"]),
            pipeline_version=meta[PREFIX + "pipeline_version"],
        )


def stage_provenance(
    stage: str,
    params: Params,
    sections: Iterable[str],
    upstream: Iterable[Provenance | None] = (),
    models: dict[str, str] | None = None,
) -> Provenance:
    """The provenance of a stage's outputs: its own params digest on top of its inputs' lineage."""
    sections = tuple(sections)
    digest = params_digest(params, sections)
    lineage, merged_models = {}, {}
    for up in upstream:
        if up is not None:
            lineage.update(up.lineage)
            merged_models.update(up.models)
    lineage[stage] = digest
    merged_models.update(models or {})
    return Provenance(stage, sections, digest, dict(sorted(lineage.items())), dict(sorted(merged_models.items())))


def read_provenance(path: Path | str) -> Provenance | None:
    """The provenance stored in a Parquet file written by the pipeline (None for other files)."""
    return Provenance.from_metadata(pq.read_schema(path).metadata)
