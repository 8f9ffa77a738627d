"""A stage's command-line entry: logging on, imports settled, configuration errors as one line."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Callable

from newsstance.config import ConfigError


def settle_imports() -> None:
    """Take what the imports built (spaCy, torch, pandas: millions of objects that live as long as
    the process) out of the cyclic garbage collector's sight. Otherwise every full collection, the
    automatic ones and release_models' between stages, walks them all again: ~0.5 s each."""
    gc.collect()
    gc.freeze()


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def run_stage(main: Callable[[], None]) -> None:
    """Entry for `python -m stages.<stage>`: logging on, configuration errors as one clear line."""
    setup_logging()
    settle_imports()
    try:
        main()
    except ConfigError as exc:
        sys.exit(f"newsstance: configuration error: {exc}")
