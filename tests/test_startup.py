"""What a stage process imports before it does any work."""

import subprocess
import sys


def run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_the_run_loads_spacy_and_keys_its_caches_without_torch_and_torch_still_imports_afterwards():
    out = run_python(
        "import sys\n"
        "import stages.sentences, stages.entities, stages.statements, stages.flow\n"
        "from newsstance.config import load_params\n"
        "from newsstance.scoring.encoder import encoder_id\n"
        "encoder_id(load_params(None).encoder)  # what the run's provenance and cache keys read\n"
        "import thinc.compat\n"
        "assert 'has_torch' in thinc.compat.__loader__.get_source('thinc.compat')  # its loader still answers\n"
        "print('torch' in sys.modules, thinc.compat.has_torch)\n"
        "import torch\n"
        "print(torch.ones(2).sum().item())\n"
    )
    assert out.splitlines() == ["False False", "2.0"]


def test_thinc_keeps_torch_when_torch_is_already_loaded():
    out = run_python("import torch\nimport stages.nlp\nimport thinc.compat\nprint(thinc.compat.has_torch)")
    assert out == "True"
