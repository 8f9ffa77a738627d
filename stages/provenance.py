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
from importlib import metadata
from pathlib import Path
from typing import Iterable

import pyarrow.parquet as pq

import stages
from stages.config import Params

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


def stage_modules(module: str) -> set[str]:
    """The stages.* modules `module` imports at module level, transitively, itself included (lazy
    imports inside functions, such as the CLI's run_stage, only wire up logging). dvc.yaml lists
    exactly these files as each stage's code deps (a test checks)."""
    folder = Path(stages.__file__).parent
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stages"):
                todo.append(node.module.removeprefix("stages").lstrip(".") or "__init__")
                if node.module == "stages":  # `from stages import charts` imports a module too
                    todo.extend(a.name for a in node.names if (folder / f"{a.name}.py").is_file())
            elif isinstance(node, ast.Import) and any(a.name == "stages" for a in node.names):
                todo.append("__init__")
    return seen


def code_version(module: str) -> str:
    """A digest of the source of a stage and every module it imports: a code change re-keys its cache."""
    folder = Path(stages.__file__).parent
    return sha256_hex(
        canonical_json({m: sha256_hex((folder / f"{m}.py").read_bytes()) for m in sorted(stage_modules(module))})
    )


def package_version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def model_id(name: str) -> str:
    """A model name with the version of the package that ships it, when it is a package."""
    package = name.removeprefix("package:")
    version = package_version(package.replace("_", "-")) if package.isidentifier() else "not installed"
    return name if version == "not installed" else f"{name} {version}"


@dataclass(frozen=True)
class Provenance:
    stage: str
    params_sections: tuple[str, ...]
    params_digest: str
    lineage: dict[str, str] = field(default_factory=dict)  # stage -> params digest, upstream included
    models: dict[str, str] = field(default_factory=dict)  # role -> model id (name, version or digest)
    pipeline_version: str = stages.__version__

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
