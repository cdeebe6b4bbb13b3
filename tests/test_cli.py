"""The command line as users run it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ftspec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftspec", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=60)


def test_lint_specs_folder_is_clean():
    proc = ftspec("lint", "specs/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All checks passed: 6 files." in proc.stdout


def test_lint_recurses_into_folders_and_skips_hidden(tmp_path, minimal_spec):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.ftspec").write_text(minimal_spec)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "broken.ftspec").write_text("ftspec 1\n}")
    (tmp_path / "notes.txt").write_text("not a spec")
    proc = ftspec("lint", str(tmp_path))
    assert proc.returncode == 0
    assert "1 file." in proc.stdout


def test_same_file_twice_is_linted_once(tmp_path, minimal_spec):
    spec = tmp_path / "s.ftspec"
    spec.write_text(minimal_spec + "adapter lora { r = 200 }\n")
    proc = ftspec("lint", str(spec), str(tmp_path))
    assert proc.stdout.count("AD001") == 1


def test_missing_path_is_a_usage_error(tmp_path):
    proc = ftspec("lint", str(tmp_path / "nope.ftspec"))
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith("nope.ftspec: no such file or folder")
    assert "Traceback" not in proc.stderr


def test_binary_file_is_a_diagnostic_not_a_crash(tmp_path):
    spec = tmp_path / "bin.ftspec"
    spec.write_bytes(b"ftspec 1\n\x00\xff\xfe garbage")
    proc = ftspec("lint", str(spec))
    assert proc.returncode == 1
    assert "SY010" in proc.stdout and "offset 10" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_user_files_are_never_modified(tmp_path):
    spec = tmp_path / "s.ftspec"
    data = b"ftspec 1\ntraining { epochs = 10 }\n"
    spec.write_bytes(data)
    for fmt in ("concise", "full", "json", "github", "sarif"):
        ftspec("lint", "--format", fmt, str(spec))
    assert spec.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.ftspec"]


def test_internal_error_is_one_line_and_exit_2(tmp_path, minimal_spec):
    """A crash inside a rule must not show a traceback (simulated with a broken rule)."""
    spec = tmp_path / "s.ftspec"
    spec.write_text(minimal_spec)
    code = (
        "import sys; import ftspec.rules as r\n"
        "def boom(ctx):\n    raise RuntimeError('rule exploded')\n    yield\n"
        "from ftspec.rules.base import Rule\nfrom ftspec.diagnostics import Severity\n"
        "r.CHECKS.append(Rule('ZZ999', 'test.boom', Severity.ERROR, 'doc', boom))\n"
        "from ftspec.cli import main\n"
        f"sys.exit(main(['lint', {str(spec)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftspec: internal error: RuntimeError: rule exploded")


def test_no_command_prints_help_and_exits_2():
    proc = ftspec()
    assert proc.returncode == 2
    assert "lint" in proc.stdout


def test_explain_prints_rule_documentation():
    proc = ftspec("explain", "AD001")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# AD001 (adapter.rank-range)")
    assert "## Why is this bad?" in proc.stdout and "8-64" in proc.stdout


def test_explain_accepts_names_and_lowercase():
    assert ftspec("explain", "adapter.alpha-ratio").stdout.startswith("# AD002")
    assert ftspec("explain", "sy002").stdout.startswith("# SY002")


def test_explain_unknown_code_suggests():
    proc = ftspec("explain", "AD01")
    assert proc.returncode == 2 and "unknown code AD01" in proc.stderr


def test_explain_list_shows_every_code():
    from ftspec.rules import REGISTRY

    out = ftspec("explain", "--list").stdout
    for code in REGISTRY:
        assert code in out


def test_schema_command_matches_the_committed_copy():
    proc = ftspec("schema")
    assert proc.returncode == 0
    committed = (ROOT / "schemas" / "ftspec.schema.json").read_text(encoding="utf-8")
    assert json.loads(proc.stdout) == json.loads(committed), (
        "schemas/ftspec.schema.json is stale: run `ftspec schema > schemas/ftspec.schema.json`")


def test_schema_describes_every_block():
    schema = json.loads(ftspec("schema").stdout)
    assert set(schema["required"]) == {"task", "data", "model"}
    for block in ("task", "decision", "data", "quality", "sizing", "model", "adapter", "training", "eval"):
        assert block in schema["properties"]
    training = schema["$defs"]["Training"]["properties"]
    assert "guide: Hyperparameter Guidelines" in training["epochs"]["x-default-source"]


def test_version_flag():
    proc = ftspec("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("ftspec ")


def test_check_reports_on_the_data_of_a_spec_the_rules_reject(tmp_path):
    # needs_current_knowledge = true is DE001 (an error): compile refuses, check still reads the data.
    line = ('{"messages": [{"role": "user", "content": "Where is my card?"}, '
            '{"role": "assistant", "content": "card"}]}\n')
    (tmp_path / "train.jsonl").write_text(line * 2, encoding="utf-8")
    (tmp_path / "eval.jsonl").write_text(line.replace("Where is my card?", "Is my card lost?"), encoding="utf-8")
    spec = tmp_path / "s.ftspec"
    spec.write_text('ftspec 1\ntask "t" { kind = classification }\ndecision { needs_current_knowledge = true }\n'
                    'data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }\nmodel { base = "m" }\n',
                    encoding="utf-8")
    assert ftspec("compile", str(spec), "-o", str(tmp_path / "b")).returncode == 1
    proc = ftspec("check", str(spec), "--format", "json", "--no-near")
    assert proc.returncode == 1, proc.stderr  # the planted duplicate fails the check ...
    assert json.loads(proc.stdout)["duplicates"]["count"] == 1  # ... and the report is there


def test_baseline_needs_eval_data_and_a_base_rung(tmp_path, minimal_spec):
    spec = tmp_path / "s.ftspec"
    spec.write_text(minimal_spec.replace('  eval = jsonl("eval.jsonl")', ""))
    proc = ftspec("baseline", str(spec), cwd=tmp_path)
    assert proc.returncode == 2
    assert "the spec names none: add `eval = jsonl(\"...\")` to `data`" in proc.stderr
    spec.write_text(minimal_spec + "eval { compare { base = off  prompted_base = off } }\n")
    proc = ftspec("baseline", str(spec), cwd=tmp_path)
    assert proc.returncode == 2 and "nothing to measure" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.ftspec"]  # nothing written


def test_review_refusals_are_one_line(tmp_path):
    proc = ftspec("review", "export", str(tmp_path / "no-run"), "--out", str(tmp_path / "packet"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("ftspec: ") and len(proc.stderr.strip().splitlines()) == 1
    proc = ftspec("review", "import", str(tmp_path), str(tmp_path / "j.json"), "--key", str(tmp_path / "k.json"))
    assert proc.returncode == 2 and proc.stderr.startswith("ftspec: ") and "Traceback" not in proc.stderr
