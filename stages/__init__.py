"""newsstance: who said what, and how, in English news. One module per DVC stage."""

import importlib.abc
import importlib.machinery
import importlib.util
import sys

__version__ = "0.1.0"


class _ThincWithoutTorch(importlib.abc.MetaPathFinder):
    """Import `thinc.compat` as if torch were not installed.

    thinc (under spaCy) imports torch when it can, in case a pipeline wraps a PyTorch model; ours
    never does (en_core_web_sm is thinc's own), yet the import costs 1.1-2.2 s in every process that
    loads spaCy: the sentences, entities and statements stages and `newsstance run`, where it was a
    third of the start-up of a run that re-parses one changed document. torch still imports
    normally afterwards (the encoder's). Left alone where a spaCy pipeline can need torch: when
    spacy-transformers or spacy-curated-transformers is installed, or torch is already loaded."""

    def find_spec(self, name, path=None, target=None):
        if name != "thinc.compat":
            return None
        sys.meta_path.remove(self)  # thinc.compat is imported once per process
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or "torch" in sys.modules or _torch_pipelines_installed():
            return spec
        spec.loader = _TorchHidden(spec.loader)
        return spec


class _TorchHidden(importlib.abc.Loader):
    """thinc.compat's own loader, with torch hidden while it runs the module."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):  # get_source, get_filename, ...: the module's __loader__ is this one
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        sys.modules["torch"] = None  # `import torch` raises ImportError: thinc takes its no-torch branch
        try:
            self.loader.exec_module(module)
        finally:
            del sys.modules["torch"]


def _torch_pipelines_installed() -> bool:
    return any(importlib.util.find_spec(p) is not None for p in ("spacy_transformers", "spacy_curated_transformers"))


if "thinc.compat" not in sys.modules:
    sys.meta_path.insert(0, _ThincWithoutTorch())
