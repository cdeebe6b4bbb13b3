"""The output contract of `ftspec lint`: every --format, run as a real process on real files.

Inputs are the classification example (clean), the same with a LoRA rank of 128
(one AD001 warning), with `learning_rate` misspelt (one SP001 error) and with the
`training` block's closing `}` removed (one SY002 error). Expected positions are
computed from the text of those files, not copied from ftspec's output.

JSON output is validated against schemas/lint-output.schema.json; SARIF output
against the official SARIF 2.1.0 schema vendored in tests/data (see
tests/data/SARIF-SCHEMA-SOURCE.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from ftspec.diagnostics import Diagnostic, Severity, Span
from ftspec.lint import LintResult
from ftspec.output.machine import _escape_data, _escape_property, github
from ftspec.output.sarif import sarif

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "specs" / "examples" / "classification.ftspec"
LINT_SCHEMA = ROOT / "schemas" / "lint-output.schema.json"
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"
FORMATS = ("concise", "full", "json", "github", "sarif")

RANK_OK, RANK_HIGH = "r = 16  alpha = 32", "r = 128  alpha = 256"
LR_OK, LR_TYPO = "learning_rate = 2e-4", "learning_rat = 2e-4"

GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning|notice) "
    r"file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+),"
    r"endLine=(?P<end_line>\d+),endColumn=(?P<end_col>\d+),"
    r"title=(?P<code>[A-Z]{2}\d{3}) (?P<name>[a-z0-9-]+(?:\.[a-z0-9-]+)+)"
    r"::(?P<message>[^\r\n]*)$"
)


# -- inputs ------------------------------------------------------------------------


def find(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, col) of the first occurrence of needle in text."""
    for number, line in enumerate(text.split("\n"), start=1):
        index = line.find(needle)
        if index >= 0:
            return number, index + 1
    raise AssertionError(f"{needle!r} not in the spec")


def without_training_closer(text: str) -> str:
    start = text.index("\ntraining {")
    closer = text.index("\n}\n", start)
    return text[: closer + 1] + text[closer + 3 :]


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict:
    """Writes the four specs into one folder; returns their texts and the folder."""
    clean = EXAMPLE.read_text(encoding="utf-8")
    assert clean.count(RANK_OK) == 1 and clean.count(LR_OK) == 1, "the example changed: update this test"
    texts = {
        "clean.ftspec": clean,
        "warn.ftspec": clean.replace(RANK_OK, RANK_HIGH),
        "typo.ftspec": clean.replace(LR_OK, LR_TYPO),
        "unclosed.ftspec": without_training_closer(clean),
    }
    folder = tmp_path_factory.mktemp("specs")
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {"dir": folder, **texts}


@pytest.fixture(scope="module")
def expected(specs) -> dict[str, dict]:
    """The one diagnostic each broken spec must produce, located by reading its text."""
    rank_line, rank_col = find(specs["warn.ftspec"], "r = 128")
    rank_col += len("r = ")
    typo_line, typo_col = find(specs["typo.ftspec"], "learning_rat ")
    lines = specs["unclosed.ftspec"].split("\n")
    eof_line, eof_col = len(lines), len(lines[-1]) + 1  # just past the last character
    return {
        "warn.ftspec": dict(code="AD001", name="adapter.rank-range", severity="warning",
                            line=rank_line, col=rank_col, end_line=rank_line, end_col=rank_col + len("128")),
        "typo.ftspec": dict(code="SP001", name="spec.unknown-key", severity="error",
                            line=typo_line, col=typo_col, end_line=typo_line,
                            end_col=typo_col + len("learning_rat")),
        "unclosed.ftspec": dict(code="SY002", name="syntax.unclosed", severity="error",
                                line=eof_line, col=eof_col, end_line=eof_line, end_col=eof_col),
    }


@pytest.fixture(scope="module")
def lint(specs):
    """Runs `python -m ftspec lint --no-data ARGS...` in the specs folder (each distinct command once).

    --no-data: these specs are copies without their data files; the formats are under test here."""
    cache: dict[tuple[str, ...], subprocess.CompletedProcess] = {}

    def run(*args: str) -> subprocess.CompletedProcess:
        if args not in cache:
            cache[args] = subprocess.run(
                [sys.executable, "-m", "ftspec", "lint", "--no-data", *args],
                capture_output=True, text=True, cwd=specs["dir"], timeout=60,
            )
        return cache[args]

    return run


@pytest.fixture(scope="module")
def lint_validator() -> Draft202012Validator:
    schema = json.loads(LINT_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def sarif_validator() -> Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)  # no format_checker: `format` is not asserted


def errors_of(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


# -- exit codes ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_clean_spec_exits_0_in_every_format(lint, fmt, lint_validator, sarif_validator):
    proc = lint("clean.ftspec", "--format", fmt)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    if fmt in ("concise", "full"):
        assert proc.stdout.splitlines() == ["All checks passed: 1 file."]
    elif fmt == "json":
        doc = json.loads(proc.stdout)
        assert errors_of(lint_validator, doc) == []
        assert doc["diagnostics"] == [] and doc["files"] == 1
        assert doc["summary"] == {"error": 0, "warning": 0, "info": 0}
    elif fmt == "github":
        assert proc.stdout == ""
    else:
        doc = json.loads(proc.stdout)
        assert errors_of(sarif_validator, doc) == []
        assert doc["runs"][0]["results"] == []


def test_warnings_alone_exit_0_and_fail_only_with_strict(lint, expected):
    relaxed = lint("warn.ftspec")
    strict = lint("warn.ftspec", "--strict")
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert strict.returncode == 1, strict.stdout + strict.stderr
    want = expected["warn.ftspec"]
    for proc in (relaxed, strict):
        assert proc.stdout.splitlines() == [
            f"warn.ftspec:{want['line']}:{want['col']}: AD001 [warning] "
            "LoRA rank 128 is above the guide's typical range 8-64",
            "Found 0 errors, 1 warning in 1 file.",
        ]


@pytest.mark.parametrize("name", ["typo.ftspec", "unclosed.ftspec"])
def test_errors_exit_1(lint, expected, name):
    proc = lint(name)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert expected[name]["code"] in proc.stdout


def test_misspelt_key_suggests_the_right_one(lint):
    out = lint("typo.ftspec").stdout
    assert "unknown key `learning_rat` in block `training`; did you mean `learning_rate`?" in out


@pytest.mark.parametrize("fmt", ["concise", "json"])
def test_nonexistent_path_is_a_one_line_usage_error(lint, fmt):
    proc = lint("clean.ftspec", "missing.ftspec", "--format", fmt)
    assert proc.returncode == 2
    assert proc.stdout == "", "nothing half-written for a machine reader to parse"
    assert proc.stderr.endswith("\n") and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert "missing.ftspec" in proc.stderr and proc.stderr.startswith("ftspec: ")
    assert "Traceback" not in proc.stderr


# -- human formats -------------------------------------------------------------------


def test_concise_prints_path_line_col_code_per_diagnostic(lint, expected):
    names = ["warn.ftspec", "typo.ftspec", "unclosed.ftspec"]
    proc = lint(*names)
    assert proc.returncode == 1
    *lines, summary = proc.stdout.splitlines()
    assert summary == "Found 2 errors, 1 warning in 3 files."
    assert len(lines) == 3
    for name, line in zip(names, lines, strict=True):
        want = expected[name]
        pattern = rf"^{re.escape(name)}:{want['line']}:{want['col']}: {want['code']} "
        assert re.match(pattern, line), (pattern, line)


@pytest.mark.parametrize("name", ["typo.ftspec", "warn.ftspec"])
def test_full_shows_source_line_carets_and_help(lint, specs, expected, name):
    want = expected[name]
    proc = lint(name, "--format", "full")
    lines = proc.stdout.splitlines()
    header = f"{name}:{want['line']}:{want['col']}: {want['code']} {want['severity']}: "
    assert lines[0].startswith(header), lines[0]

    source = specs[name].split("\n")[want["line"] - 1]
    numbered = f"{want['line']} | {source}"
    assert numbered in lines, proc.stdout
    carets = lines[lines.index(numbered) + 1]
    gutter = " " * len(str(want["line"])) + " | "
    assert carets.startswith(gutter), carets
    width = want["end_col"] - want["col"]
    assert carets[len(gutter):] == " " * (want["col"] - 1) + "^" * width
    # the carets sit exactly under the span's text
    underlined = numbered[len(gutter) + want["col"] - 1:][:width]
    assert underlined == ("learning_rat" if name == "typo.ftspec" else "128")

    helps = [line for line in lines if re.match(r"^\s*= help: \S", line)]
    assert len(helps) == 1, proc.stdout
    if name == "typo.ftspec":
        assert helps[0].endswith("help: did you mean `learning_rate`?")
    summary = {"error": "Found 1 error, 0 warnings in 1 file.",
               "warning": "Found 0 errors, 1 warning in 1 file."}
    assert lines[-1] == summary[want["severity"]]


# -- json ----------------------------------------------------------------------------


def test_json_matches_schema_and_points_at_the_source(lint, specs, expected, lint_validator):
    names = ["clean.ftspec", "warn.ftspec", "typo.ftspec", "unclosed.ftspec"]
    proc = lint(*names, "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert errors_of(lint_validator, doc) == []
    assert doc["version"] == 1 and doc["files"] == 4
    assert doc["summary"] == {"error": 2, "warning": 1, "info": 0}

    by_file = {d["file"]: d for d in doc["diagnostics"]}
    assert len(by_file) == len(doc["diagnostics"]) == 3
    for name, want in expected.items():
        got = by_file[name]
        assert {key: got[key] for key in want} == want, name
        assert got["message"] and got["help"]

    assert "did you mean `learning_rate`?" in by_file["typo.ftspec"]["help"]
    # the unclosed block names where it was opened
    opened_line, opened_col = find(specs["unclosed.ftspec"], "training {")
    related = by_file["unclosed.ftspec"]["related"]
    assert [(r["file"], r["line"], r["col"]) for r in related] == [("unclosed.ftspec", opened_line, opened_col)]
    assert related[0]["end_col"] == opened_col + len("training")


def test_json_schema_is_closed_and_fully_described(lint_validator):
    schema = lint_validator.schema
    assert schema["$id"] == "https://ftspec.dev/schemas/lint-output.schema.json" and schema["title"]

    def walk(node, where):
        for key, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{where}.{key} has no description"
            walk(sub, f"{where}.{key}")
        for key, sub in node.get("$defs", {}).items():
            walk(sub, f"$defs.{key}")
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{where} is open"

    walk(schema, "$")

    good = {"version": 1, "ftspec_version": "0.1.0", "files": 1,
            "summary": {"error": 1, "warning": 0, "info": 0},
            "diagnostics": [{"file": "a.ftspec", "line": 1, "col": 1, "end_line": 1, "end_col": 2,
                             "code": "SP001", "name": "spec.unknown-key", "severity": "error",
                             "message": "m", "help": "", "related": []}]}
    assert errors_of(lint_validator, good) == []
    bad_values = [("code", "SP1"), ("name", "unknown-key"), ("severity", "fatal"), ("col", 0), ("line", "1")]
    for key, value in bad_values:
        bad = json.loads(json.dumps(good))
        bad["diagnostics"][0][key] = value
        assert errors_of(lint_validator, bad), (key, value)
    extra = json.loads(json.dumps(good))
    extra["diagnostics"][0]["fix"] = None
    assert errors_of(lint_validator, extra)
    assert errors_of(lint_validator, {**good, "version": 2})


# -- github --------------------------------------------------------------------------


def test_github_annotations_one_per_diagnostic(lint, expected):
    names = ["warn.ftspec", "typo.ftspec", "unclosed.ftspec"]
    proc = lint(*names, "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 3, proc.stdout
    for name, line in zip(names, lines, strict=True):
        match = GITHUB_LINE.match(line)
        assert match, line
        want = expected[name]
        assert match["level"] == want["severity"]
        assert match["file"] == name
        assert [int(match[k]) for k in ("line", "col", "end_line", "end_col")] == [
            want["line"], want["col"], want["end_line"], want["end_col"]]
        assert (match["code"], match["name"]) == (want["code"], want["name"])
        assert "%0A%0Ahelp: " in match["message"]  # the help follows the message, newlines escaped


def test_github_escaping_follows_the_workflow_command_rules():
    # data: %, CR and LF only; % first, so that an escape already in the text survives
    assert _escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert _escape_data("literal %0A") == "literal %250A"
    # properties: also `:` and `,`, which delimit them
    assert _escape_property("C:\\specs\\a,b.ftspec") == "C%3A\\specs\\a%2Cb.ftspec"
    assert _escape_property("x%\ny:z,") == "x%25%0Ay%3Az%2C"


def test_github_escapes_awkward_paths_and_messages():
    diag = Diagnostic("AD001", "adapter.rank-range", Severity.WARNING,
                      "line one\nline two: 50%, done", Span("my dir/a:b,c.ftspec", 2, 3, 2, 5),
                      help="fix: it")
    info = Diagnostic("XX001", "custom.info", Severity.INFO, "fyi", Span("s.ftspec", 1, 1, 1, 1))
    out = github(LintResult(files=2, diagnostics=[diag, info]))
    assert out == (
        "::warning file=my dir/a%3Ab%2Cc.ftspec,line=2,col=3,endLine=2,endColumn=5,"
        "title=AD001 adapter.rank-range::line one%0Aline two: 50%25, done%0A%0Ahelp: fix: it\n"
        "::notice file=s.ftspec,line=1,col=1,endLine=1,endColumn=1,title=XX001 custom.info::fyi\n"
    )
    assert github(LintResult(files=1)) == ""


# -- sarif ---------------------------------------------------------------------------


def test_sarif_validates_and_links_results_to_rules(lint, expected, sarif_validator):
    names = ["clean.ftspec", "warn.ftspec", "typo.ftspec", "unclosed.ftspec"]
    proc = lint(*names, "--format", "sarif")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert errors_of(sarif_validator, doc) == []
    assert doc["version"] == "2.1.0" and doc["$schema"].startswith("https://")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ftspec" and driver["version"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == ["AD001", "SP001", "SY002"]
    assert len(set(rule_ids)) == len(rule_ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]

    levels = {"error": "error", "warning": "warning", "info": "note"}
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert sorted(results) == sorted(expected)
    for name, want in expected.items():
        result = results[name]
        assert result["ruleId"] == want["code"]
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == levels[want["severity"]]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region == {"startLine": want["line"], "startColumn": want["col"],
                          "endLine": want["end_line"], "endColumn": want["end_col"]}


def test_sarif_maps_every_severity_and_unknown_codes(sarif_validator):
    span = Span("dir/s.ftspec", 3, 5, 3, 9)
    result = LintResult(files=1, diagnostics=[
        Diagnostic("SP001", "spec.unknown-key", Severity.ERROR, "e", span, help="h"),
        Diagnostic("AD001", "adapter.rank-range", Severity.WARNING, "w", span),
        Diagnostic("ZZ999", "custom.note", Severity.INFO, "i", span),
    ])
    doc = json.loads(sarif(result))
    assert errors_of(sarif_validator, doc) == []
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    got = [(r["ruleId"], rules[r["ruleIndex"]]["id"], r["level"]) for r in run["results"]]
    assert got == [("SP001", "SP001", "error"), ("AD001", "AD001", "warning"), ("ZZ999", "ZZ999", "note")]


def test_vendored_sarif_schema_is_the_official_draft_07_one():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert {"run", "result", "region", "reportingDescriptor"} <= set(schema["definitions"])
