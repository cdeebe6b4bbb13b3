"""The `ftspec check` report: real reports validate against schemas/check-report.schema.json, the
schema is closed, and the text rendering names every planted problem at its file and line."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ftspec.compile.build import load_spec
from ftspec.data.checks import check_spec
from ftspec.data.render import render_text
from ftspec.data.scan import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "check-report.schema.json").read_text(encoding="utf-8"))
MINI = Path(__file__).parent / "data" / "banking77-mini"
ANSI = re.compile(r"\x1b\[")

CLEAN_SPEC = f"""\
ftspec 1
task "mini" {{
  kind = classification
  labels = ["card_arrival", "lost_or_stolen_card", "top_up_failed"]
}}
data {{
  train = csv("{MINI / 'train.csv'}", input = "text", output = "category")
  eval  = csv("{MINI / 'test.csv'}", input = "text", output = "category")
  system = "Route the message to an intent."
}}
model {{ base = "tiny-model" }}
"""

PLANTED_SPEC = """\
ftspec 1
task "support" {
  kind = classification
  labels = ["billing", "account", "shipping"]
}
data {
  train = jsonl("train.jsonl")
  eval  = jsonl("eval.jsonl")
}
quality { max_tokens = 40 }
model { base = "tiny-model" }
"""


def chat(user: str, reply: str, **extra) -> str:
    return json.dumps({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
                       **extra})


EVAL = [
    chat("Can I pay my invoice with a credit card instead?", "billing"),
    chat("How do I close my account and delete all of my data?", "account"),
]
TRAIN = [  # the comment is the line number
    chat("I was charged twice for my subscription this month", "billing"),  # 1
    chat("Where is my parcel, it has been two weeks since I ordered", "shipping"),  # 2
    chat("I was charged twice for my subscription this month", "billing"),  # 3: duplicate of 1
    chat("Please change the email address on my profile", "account"),  # 4
    chat("Where is my parcel, it has been two weeks since I ordered", "billing"),  # 5: conflicts with 2
    chat("How  do I close my account\tand delete all of my DATA? ", "account"),  # 6: eval line 2, respaced
    '{"messages": [{"role": "user", "content": "broken"',  # 7: invalid JSON
    json.dumps({"messages": [{"role": "user", "content": "hello there, anyone home?"}]}),  # 8: no assistant
    chat("My package arrived damaged and I want my money back", "refunds"),  # 9: not one of the labels
    "",  # 10: blank lines are skipped, not counted
    chat("Why was my card declined at the shop yesterday?", "billing", tags=["payments", "urgent"]),  # 11
    json.dumps({"messages": [{"role": "[bold]bot", "content": "hi"},  # 12: unknown role (and rich markup)
                             {"role": "assistant", "content": "account"}]}),
    chat("Tell me everything " + "about the delivery options for my region " * 6, "shipping"),  # 13: too long
]


def _report(spec_file: Path, **kw) -> dict:
    return check_spec(load_spec(spec_file, rules=False), spec_file.resolve().parent, near=False, **kw)


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict:
    spec = tmp_path_factory.mktemp("clean") / "mini.ftspec"
    spec.write_text(CLEAN_SPEC, encoding="utf-8")
    return _report(spec)


@pytest.fixture(scope="module")
def planted_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("planted")
    (folder / "spec.ftspec").write_text(PLANTED_SPEC, encoding="utf-8")
    (folder / "train.jsonl").write_text("\n".join(TRAIN) + "\n", encoding="utf-8")
    (folder / "eval.jsonl").write_text("\n".join(EVAL) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def planted(planted_dir) -> dict:
    return _report(planted_dir / "spec.ftspec")


def _errors(report: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in Draft202012Validator(SCHEMA).iter_errors(report)]


# -- the schema ---------------------------------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == "https://ftspec.dev/schemas/check-report.schema.json"


def test_schema_names_exactly_the_scan_categories():
    """A new category in scan.CATEGORIES must be added to the schema's format_errors and issue.category."""
    defs = SCHEMA["$defs"]
    assert set(defs["format_errors"]["properties"]) - {"total", "issues"} == set(CATEGORIES)
    assert defs["issue"]["properties"]["category"]["enum"] == list(CATEGORIES)


def test_every_property_is_described():
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if "description" not in sub:
                    missing.append(f"{path}/{name}")
            for key, sub in node.items():
                walk(sub, f"{path}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}/{i}")

    walk(SCHEMA, "")
    assert missing == []


@pytest.mark.parametrize("which", ["clean", "planted"])
def test_real_reports_validate(which, request):
    assert _errors(request.getfixturevalue(which)) == []


def test_near_duplicates_block_validates_when_present(planted):
    report = copy.deepcopy(planted)
    report["near_duplicates"] = {"count": 1, "threshold": 0.9, "pairs": [
        {"first": {"file": "/d/train.jsonl", "line": 1}, "duplicate": {"file": "/d/train.jsonl", "line": 4},
         "similarity": 0.93}]}
    assert _errors(report) == []
    del report["near_duplicates"]["threshold"]
    assert _errors(report)


@pytest.mark.parametrize("change", [
    pytest.param(lambda r: r.update(extra=1), id="unknown-top-level-key"),
    pytest.param(lambda r: r.update(passed="yes"), id="passed-not-boolean"),
    pytest.param(lambda r: r["sources"][1].update(examples="9"), id="examples-not-integer"),
    pytest.param(lambda r: r["duplicates"]["pairs"][0]["first"].update(column=3), id="unknown-key-in-location"),
    pytest.param(lambda r: r["sources"][1]["format_errors"].update(made_up_category=1), id="unknown-category"),
    pytest.param(lambda r: r["checks"][0].update(level="off"), id="check-level-off"),
    pytest.param(lambda r: r["contamination"]["pairs"][0]["example"].update(side="eval"), id="bad-side"),
    pytest.param(lambda r: r.pop("checks"), id="missing-checks"),
])
def test_schema_rejects_a_wrong_report(planted, change):
    report = copy.deepcopy(planted)
    change(report)
    assert _errors(report)


# -- what the planted problems produce ----------------------------------------------------


def test_planted_problems_are_found_at_their_lines(planted, planted_dir):
    train, ev = str(planted_dir / "train.jsonl"), str(planted_dir / "eval.jsonl")
    source = next(s for s in planted["sources"] if s["role"] == "train")
    assert source["examples"] == 9
    assert [(i["category"], i["line"]) for i in source["format_errors"]["issues"]] == [
        ("invalid_json", 7), ("example_missing_assistant_message", 8), ("unrecognized_role", 12)]
    assert planted["duplicates"]["pairs"] == [{"first": {"file": train, "line": 1},
                                              "duplicate": {"file": train, "line": 3}}]
    assert planted["conflicts"]["pairs"] == [{"first": {"file": train, "line": 2},
                                             "conflict": {"file": train, "line": 5}}]
    (contaminated,) = planted["contamination"]["pairs"]
    assert (contaminated["example"]["line"], contaminated["eval"], contaminated["kind"]) == (
        6, {"file": ev, "line": 2}, "exact")
    assert [e["line"] for e in planted["format_compliance"]["examples"]] == [9]
    assert [e["line"] for e in source["over_max_tokens"]["examples"]] == [13]
    assert not planted["passed"]


# -- the text report ----------------------------------------------------------------------


def test_clean_report_text_is_short_and_passes(clean):
    text = render_text(clean, spec_path="mini.ftspec", color=False)
    assert not ANSI.search(text)
    assert "ftspec check mini.ftspec" in text
    assert "estimate: characters / 4" in text
    assert "18 examples (split 15% stratified, seed 42)" in text
    assert re.search(r"^eval\s.*\s30\s+0\s+30\s+0\s", text, re.M)
    assert re.search(r"^train\s.*\s120\s+0\s+120\s+0\s", text, re.M)
    assert "Duplicates: none" in text and "Near duplicates: not checked" in text
    assert not re.search(r"^near_duplicates\s", text, re.M)  # not run: no verdict at all, not a pass
    assert "below the guide's minimum of 50 per category" in text
    assert text.rstrip().splitlines()[-1] == "PASSED: all checks passed"
    assert len(text.splitlines()) <= 50
    assert all(len(line) <= 100 for line in text.splitlines())


def test_planted_report_text_names_every_problem(planted, planted_dir, monkeypatch):
    monkeypatch.chdir(planted_dir)  # files are shown relative to the working directory
    text = render_text(planted, spec_path="spec.ftspec", color=False)
    assert not ANSI.search(text)
    assert re.search(r"^train\s+train\.jsonl\s+9\s+3\s", text, re.M)
    for fact in [
        "train.jsonl:7: invalid JSON",
        "train.jsonl:8: no assistant message",
        "train.jsonl:12: message 0 has role '[bold]bot'",  # data is never read as rich markup
        "train.jsonl:1 ~ train.jsonl:3",
        "train.jsonl:2 ~ train.jsonl:5",
        "train.jsonl:6 ~ eval.jsonl:2  same input",
        "train.jsonl:9: 'refunds'",
        "train.jsonl:13 (69 tokens)",
        "payments 1, urgent 1",
    ]:
        assert fact in text, fact
    assert re.search(r"^duplicates\s+error\s+1\s+FAIL$", text, re.M)
    assert re.search(r"^max_tokens\s+warn\s+1\s+WARN$", text, re.M)
    verdict = text.rstrip().splitlines()[-1]
    assert verdict == ("FAILED: 4 error-level checks failed (format, duplicates, contamination, conflicts); "
                       "3 warnings (balance, max_tokens, format_compliance)")


def test_long_lists_are_cut_with_a_count(planted):
    report = copy.deepcopy(planted)
    far = "/" + "far-away-folder/" * 6 + "train.jsonl"  # not under the working directory: shown as is
    pair = {"first": {"file": far, "line": 1}, "duplicate": {"file": far, "line": 3}}
    report["duplicates"] = {"count": 25, "pairs": [pair] * 25}
    text = render_text(report, spec_path="spec.ftspec", color=False)
    assert text.splitlines().count(f"  {far}:1 ~ {far}:3") == 10  # over 100 columns, and not wrapped
    assert "  ... and 15 more" in text.splitlines()


def test_color_adds_ansi_codes_only_when_asked(planted):
    assert ANSI.search(render_text(planted, spec_path="spec.ftspec", color=True))


def test_rendering_module_does_not_import_rich():
    code = "import sys, ftspec.data.render; print('rich' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_near_duplicates_run_for_real(planted_dir):
    pytest.importorskip("ftspec.data.near_dup")
    spec = planted_dir / "spec.ftspec"
    report = check_spec(load_spec(spec, rules=False), planted_dir, near=True)
    assert report["near_duplicates"] is not None
    assert _errors(report) == []
    assert "Near duplicates:" in render_text(report, spec_path="spec.ftspec", color=False)
