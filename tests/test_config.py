"""Per-project severities: ftspec.toml / .ftspec.toml / pyproject.toml found upward, --config, presets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ftspec.config import ConfigError, load
from ftspec.diagnostics import Severity
from ftspec.lint import lint_paths

# r = 128 is AD001 (warning); alpha = 16 is 1/8 of r: AD002 (warning).
SPEC = """\
ftspec 1
task "t" { kind = classification }
decision { retrain = quarterly }
data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }
model { base = "m" }
adapter lora { r = 128  alpha = 16 }
"""


def _project(tmp_path: Path, config_name: str | None, config: str = "") -> Path:
    spec = tmp_path / "specs" / "team" / "a.ftspec"
    spec.parent.mkdir(parents=True)
    spec.write_text(SPEC, encoding="utf-8")
    if config_name:
        (tmp_path / config_name).write_text(config, encoding="utf-8")
    return spec


def _severities(spec: Path, **kwargs) -> dict[str, Severity]:
    result = lint_paths([str(spec)], data=False, **kwargs)
    return {d.code: d.severity for d in result.diagnostics if d.code in ("AD001", "AD002")}


def test_without_configuration_the_rules_keep_their_severities(tmp_path):
    assert _severities(_project(tmp_path, None)) == {"AD001": Severity.WARNING, "AD002": Severity.WARNING}


def test_a_code_beats_a_family_prefix(tmp_path):
    spec = _project(tmp_path, "ftspec.toml", '[lint.severity]\nAD = "off"\nAD001 = "error"\n')
    assert _severities(spec) == {"AD001": Severity.ERROR}


def test_rule_names_work_like_codes(tmp_path):
    spec = _project(tmp_path, ".ftspec.toml", '[lint.severity]\n"adapter.alpha-ratio" = "info"\n')
    assert _severities(spec) == {"AD001": Severity.WARNING, "AD002": Severity.INFO}


def test_the_strict_preset_turns_warnings_into_errors_but_not_overrides(tmp_path):
    spec = _project(tmp_path, "ftspec.toml", '[lint]\npreset = "strict"\n[lint.severity]\nAD002 = "warning"\n')
    assert _severities(spec) == {"AD001": Severity.ERROR, "AD002": Severity.WARNING}


def test_pyproject_tool_table_is_found_upward_and_one_without_it_is_skipped(tmp_path):
    spec = _project(tmp_path, "pyproject.toml", '[tool.ftspec.lint.severity]\nAD001 = "off"\n')
    (spec.parent / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")  # no [tool.ftspec]
    assert _severities(spec) == {"AD002": Severity.WARNING}


def test_the_nearest_file_wins(tmp_path):
    spec = _project(tmp_path, "ftspec.toml", '[lint.severity]\nAD001 = "off"\n')
    (spec.parent / "ftspec.toml").write_text('[lint.severity]\nAD002 = "off"\n', encoding="utf-8")
    assert _severities(spec) == {"AD001": Severity.WARNING}


def test_explicit_config_replaces_the_one_found(tmp_path):
    spec = _project(tmp_path, "ftspec.toml", '[lint.severity]\nAD001 = "off"\n')
    other = tmp_path / "ci.toml"
    other.write_text('[lint]\npreset = "strict"\n', encoding="utf-8")
    assert _severities(spec, config=other) == {"AD001": Severity.ERROR, "AD002": Severity.ERROR}


@pytest.mark.parametrize(("text", "message"), [
    ('[lint.severity]\nAD999 = "error"\n', "ftspec.toml:2: `AD999` is not a code, rule name or family prefix"),
    ('[lint.severity]\nAD001 = "fatal"\n', "ftspec.toml:2: `AD001 = 'fatal'`: use one of error, warning, info, off"),
    ('[lint.severity]\nSY001 = "off"\n', "ftspec.toml:2: `SY001`: syntax and spec errors cannot be reconfigured"),
    ('[lint]\npreset = "pedantic"\n', "ftspec.toml:2: preset 'pedantic' is not one of default, strict"),
    ('[lint]\nselect = ["AD"]\n', "ftspec.toml:2: unknown key `select`"),
    ('[lint\n', "ftspec.toml: not valid TOML"),
])
def test_bad_configuration_is_named_with_its_line(tmp_path, text, message):
    path = tmp_path / "ftspec.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert message in str(info.value)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftspec", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_cli_config_flag_and_bad_config_exit_codes(tmp_path):
    spec = _project(tmp_path, None)
    strict = tmp_path / "strict.toml"
    strict.write_text('[lint]\npreset = "strict"\n', encoding="utf-8")
    plain = _cli("lint", "--no-data", "--format", "json", str(spec), cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr  # warnings only
    raised = _cli("lint", "--no-data", "--config", str(strict), "--format", "json", str(spec), cwd=tmp_path)
    assert raised.returncode == 1
    assert {d["code"] for d in json.loads(raised.stdout)["diagnostics"] if d["severity"] == "error"} >= {"AD001"}
    strict.write_text('[lint.severity]\nZZ = "off"\n', encoding="utf-8")
    bad = _cli("lint", "--no-data", "--config", str(strict), str(spec), cwd=tmp_path)
    assert bad.returncode == 2 and "strict.toml:2:" in bad.stderr and "Traceback" not in bad.stderr


def test_compile_honours_the_project_configuration(tmp_path):
    spec = _project(tmp_path, "ftspec.toml", '[lint.severity]\nAD001 = "error"\n')
    out = _cli("compile", str(spec), "-o", str(tmp_path / "build"), cwd=tmp_path)
    assert out.returncode == 1 and "AD001" in out.stderr
    (tmp_path / "ftspec.toml").write_text('[lint.severity]\nAD001 = "warning"\n', encoding="utf-8")
    assert _cli("compile", str(spec), "-o", str(tmp_path / "build"), cwd=tmp_path).returncode == 0
