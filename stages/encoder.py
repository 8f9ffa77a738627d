"""The encoder, loaded once per process (and Dask worker) and kept until `engine.release_models`."""

from __future__ import annotations

from newsstance.scoring.encoder import Encoder
from stages.engine import per_process


@per_process(maxsize=4)
def get_encoder(spec: str, max_length: int = 256, batch_tokens: int = 1024, dtype: str = "float32") -> Encoder:
    """One encoder per spec and process: loading weights is the slow part."""
    return Encoder(spec, max_length, batch_tokens, dtype)
