"""Data checks on real files: every format error at its exact line, and the quality checks."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from ftspec.compile.build import load_spec
from ftspec.data.checks import check_spec
from ftspec.data.scan import CATEGORIES, FormatIssue, scan
from ftspec.data.sources import SourceSpec

FIXTURES = Path(__file__).parent / "fixtures" / "data"
EXPECTED = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_errors_are_reported_at_their_line(name):
    case = EXPECTED[name]
    fmt = case.get("format", "jsonl")
    source = SourceSpec(fmt, name, input="text" if fmt == "csv" else None, output="label" if fmt == "csv" else None)
    issues = [i for i in scan(source, FIXTURES) if isinstance(i, FormatIssue)]
    assert [f"{i.line} {i.category}" for i in issues] == case["issues"]
    if "byte_offset" in case:
        assert issues[0].byte_offset == case["byte_offset"]
        assert f"byte offset {case['byte_offset']}" in issues[0].message


def test_every_category_has_a_fixture():
    covered = {item.split(" ", 1)[1] for case in EXPECTED.values() for item in case["issues"]}
    assert covered == set(CATEGORIES) - {"file_not_found"}


def test_missing_file_is_one_issue_at_line_0():
    (issue,) = scan(SourceSpec("jsonl", "nope.jsonl"), FIXTURES)
    assert (issue.category, issue.line, issue.message) == ("file_not_found", 0, "file not found")


def test_valid_lines_around_errors_are_still_read():
    items = list(scan(SourceSpec("jsonl", "invalid_json.jsonl"), FIXTURES))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Example", 1), ("Example", 2), ("FormatIssue", 3), ("Example", 4)]


# -- quality checks ---------------------------------------------------------------------


def chat(user: str, reply: str, **extra) -> str:
    return json.dumps({"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}],
                       **extra})


SPEC = """\
ftspec 1
task "t" {{ kind = classification  labels = ["card", "loss", "topup"] }}
data {{
  train = jsonl("train.jsonl")
  eval  = jsonl("eval.jsonl")
  validation = 20% stratified
}}
quality {{ {quality} }}
model {{ base = "m" }}
"""

TRAIN = [
    chat("When will my new card arrive in the post?", "card"),            # 1
    chat("I lost my card on the bus yesterday evening", "loss"),          # 2
    chat("My top up failed again this morning, why?", "topup"),           # 3
    chat("When will my new card arrive in the post?", "card"),            # 4 exact duplicate of 1
    chat("when   will my NEW card arrive in the post?", "card"),          # 5 duplicate after normalising
    chat("I lost my card on the bus yesterday evening", "topup"),         # 6 conflict with 2
    chat("Is   there a fee for topping up by bank transfer today", "topup"),  # 7 contaminated (whitespace, case)
    chat("2", "card"),                                                    # 8 trivial: never contamination
    chat("Can I freeze my card from the app while I look for it", "loss"),  # 9
    chat("The top up was declined by my bank, what now", "topup"),        # 10
    chat("Card still not here after two weeks of waiting", "card"),       # 11
    chat("Someone stole my wallet with my card inside", "weird"),         # 12 not a label
]
EVAL = [
    chat("is there a fee for topping up by bank transfer today", "topup"),
    chat("2", "card"),
    chat("How long does a card take to be delivered to me", "card"),
]


def run_check(tmp_path: Path, quality: str = "", near: bool = False, train: list[str] = TRAIN) -> dict:
    (tmp_path / "train.jsonl").write_text("\n".join(train) + "\n")
    (tmp_path / "eval.jsonl").write_text("\n".join(EVAL) + "\n")
    spec = tmp_path / "s.ftspec"
    spec.write_text(SPEC.format(quality=quality))
    return check_spec(load_spec(spec, rules=False), tmp_path, near=near)


def lines(pairs: list[dict], side: str) -> list[int]:
    return [p[side]["line"] for p in pairs]


def test_exact_duplicates_after_normalisation(tmp_path):
    report = run_check(tmp_path)
    assert report["duplicates"]["count"] == 2
    assert lines(report["duplicates"]["pairs"], "first") == [1, 1]
    assert lines(report["duplicates"]["pairs"], "duplicate") == [4, 5]


def test_conflict_with_different_labels(tmp_path):
    report = run_check(tmp_path)
    assert report["conflicts"]["count"] == 1
    pair = report["conflicts"]["pairs"][0]
    assert (pair["first"]["line"], pair["conflict"]["line"]) == (2, 6)


def test_contamination_found_after_whitespace_and_case_normalisation(tmp_path):
    report = run_check(tmp_path)
    pairs = report["contamination"]["pairs"]
    assert [(p["example"]["line"], p["eval"]["line"], p["kind"]) for p in pairs] == [(7, 1, "exact")]


def test_trivial_strings_are_not_contamination(tmp_path):
    report = run_check(tmp_path)
    assert 8 not in lines(report["contamination"]["pairs"], "example")


def test_ngram_overlap_contamination(tmp_path):
    # one word differs from eval line 3: most 5-grams are shared
    report = run_check(tmp_path, train=TRAIN + [chat("How long does a card take to be delivered to my house", "card")])
    ngram = [p for p in report["contamination"]["pairs"] if p["kind"] == "ngram"]
    assert [(p["example"]["line"], p["eval"]["line"]) for p in ngram] == [(13, 3)]
    assert 0.6 <= ngram[0]["overlap"] < 1


def test_categories_balance_and_sizing(tmp_path):
    report = run_check(tmp_path)
    assert report["categories"] == {"card": 5, "topup": 4, "loss": 2, "weird": 1}
    assert report["balance"]["ratio"] == 5.0
    assert report["balance"]["below_minimum"] == ["card", "loss", "topup", "weird"]  # 50 per category


def test_label_compliance(tmp_path):
    report = run_check(tmp_path)
    assert report["format_compliance"]["failures"] == 1
    assert report["format_compliance"]["examples"][0]["line"] == 12


def test_verdicts_follow_the_spec_levels(tmp_path):
    report = run_check(tmp_path)
    verdict = {c["name"]: (c["level"], c["passed"]) for c in report["checks"]}
    assert verdict["duplicates"] == ("error", False)
    assert verdict["balance"] == ("warn", False)
    assert report["passed"] is False
    relaxed = run_check(tmp_path, "duplicates = warn  conflicts = off  contamination = warn")
    assert relaxed["passed"] is True
    assert "conflicts" not in {c["name"] for c in relaxed["checks"]}


def test_validation_split_is_recorded_and_matches_training(tmp_path):
    from ftspec.runtime.data import train_validation

    report = run_check(tmp_path)
    recorded = [line for _, line in report["validation"]["lines"]]
    _, held = train_validation([{"format": "jsonl", "path": "train.jsonl"}],
                               {"fraction": 0.2, "stratified": True, "source": None}, tmp_path, None, 42)
    assert recorded == [ex.line for ex in held]
    assert report["validation"]["method"] == "split 20% stratified, seed 42"


def test_statistics(tmp_path):
    report = run_check(tmp_path)
    train = next(s for s in report["sources"] if s["role"] == "train")
    assert train["examples"] == 12 and train["missing_system"] == 12 and train["missing_user"] == 0
    assert train["messages"]["median"] == 2
    # estimate: ceil(characters / 4) per message; line 8 is "2" + "card": 1 + 1 tokens
    assert train["tokens"]["min"] == 2
    assert train["assistant_tokens"]["max"] == 2  # "topup" and "weird": 5 characters


def test_percentiles_by_hand():
    from ftspec.data.stats import distribution

    d = distribution(list(range(1, 11)))
    # linear interpolation: position (n - 1) * q = 9 * 0.05 = 0.45 -> 1 + 0.45 = 1.45
    assert (d["p5"], d["median"], d["p95"], d["mean"]) == (1.45, 5.5, 9.55, 5.5)
    assert distribution([7])["p95"] == 7 and distribution([])["count"] == 0


# -- ftspec check, --write-clean ---------------------------------------------------------


def _cli(*args: str, cwd: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "ftspec", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_write_clean_output_passes_check_and_originals_are_untouched(tmp_path):
    run_check(tmp_path)  # writes the planted data and the spec
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    proc = _cli("check", "s.ftspec", "--format", "json", "--write-clean", "clean", cwd=tmp_path)
    assert proc.returncode == 1  # the planted problems
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    dropped = [json.loads(line) for line in (tmp_path / "clean" / "dropped.jsonl").read_text().splitlines()]
    assert sorted(d["line"] for d in dropped) == [4, 5, 6, 7]
    assert {d["line"]: d["reason"].split()[0] for d in dropped} == {
        4: "duplicate", 5: "duplicate", 6: "conflicts", 7: "contamination:"}
    # the clean copy, checked by the same spec pointed at it, passes every error-level check
    spec = (tmp_path / "s.ftspec").read_text().replace('jsonl("train.jsonl")', 'jsonl("clean/train.jsonl")')
    (tmp_path / "clean.ftspec").write_text(spec)
    again = _cli("check", "clean.ftspec", "--format", "json", cwd=tmp_path)
    assert again.returncode == 0, again.stdout[-2000:]
    report = json.loads(again.stdout)
    assert report["passed"] is True and report["sources"][1]["examples"] == 8


def test_check_text_report_and_exit_code(tmp_path):
    run_check(tmp_path)
    proc = _cli("check", "s.ftspec", cwd=tmp_path)
    assert proc.returncode == 1
    assert "FAILED" in proc.stdout and "train.jsonl:1 ~ train.jsonl:4" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_check_refuses_a_broken_spec_with_its_diagnostics(tmp_path):
    (tmp_path / "s.ftspec").write_text("ftspec 1\ntask \"t\" { kind = classifcation }\n")
    proc = _cli("check", "s.ftspec", cwd=tmp_path)
    assert proc.returncode == 1 and "SP002" in proc.stderr


def test_lint_reports_data_problems_at_the_data_line_and_caches(tmp_path, monkeypatch):
    from ftspec.lint import lint_paths

    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / "cache"))
    run_check(tmp_path)
    diags = lint_paths([str(tmp_path / "s.ftspec")]).diagnostics
    found = {d.code: d for d in diags if d.code.startswith("DA")}
    assert set(found) == {"DA002", "DA003", "DA004"}
    assert found["DA002"].message == "train.jsonl:4 is a duplicate of line 1 (1 more; `ftspec check` lists them)"
    assert (found["DA002"].span.line, found["DA002"].span.col) == (4, 11)  # the train source in the spec
    assert "train.jsonl:7 (validation) repeats eval example eval.jsonl:1 (exact" in found["DA003"].message
    assert len(list((tmp_path / "cache").glob("data-*.json"))) == 1
    # unchanged data: the cached report answers (the checker is not run again)
    import ftspec.data.checks as checks

    monkeypatch.setattr(checks, "check_spec", lambda *a, **k: (_ for _ in ()).throw(AssertionError("ran")))
    assert [d.code for d in lint_paths([str(tmp_path / "s.ftspec")]).diagnostics] == [d.code for d in diags]
    assert [d.code for d in lint_paths([str(tmp_path / "s.ftspec")], data=False).diagnostics
            if d.code.startswith("DA")] == []


def test_compliance_is_exact_for_labels_and_covers_eval_replies(tmp_path):
    train = TRAIN[:3] + [chat("Where is the card I ordered last month", "CARD")]
    report = run_check(tmp_path, train=train)
    failing = [(Path(e["file"]).name, e["line"]) for e in report["format_compliance"]["examples"]]
    assert failing == [("train.jsonl", 4)]  # "CARD" is not the label "card"
    (tmp_path / "eval.jsonl").write_text(chat("How long does a card take to be delivered to me", "nope") + "\n")
    report = check_spec(load_spec(tmp_path / "s.ftspec", rules=False), tmp_path, near=False)
    assert ("eval.jsonl", 1) in [(Path(e["file"]).name, e["line"]) for e in report["format_compliance"]["examples"]]


def test_json_schema_formats_are_checked(tmp_path):
    (tmp_path / "schema.json").write_text(json.dumps({
        "type": "object", "required": ["date"], "properties": {"date": {"type": "string", "format": "date"}}}))
    lines = [chat("Invoice dated 28 Feb 2025, please extract", json.dumps({"date": "2025-02-28"})),
             chat("Invoice dated 30 Feb 2025, please extract", json.dumps({"date": "2025-02-30"}))]
    (tmp_path / "train.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "s.ftspec").write_text('ftspec 1\ntask "t" { kind = extraction  output = json_schema("schema.json") }\n'
                                       'data { train = jsonl("train.jsonl") }\nmodel { base = "m" }\n')
    report = check_spec(load_spec(tmp_path / "s.ftspec", rules=False), tmp_path, near=False)
    assert [e["line"] for e in report["format_compliance"]["examples"]] == [2]


def test_free_text_csv_replies_are_not_categories(tmp_path):
    (tmp_path / "pairs.csv").write_text("draft,final\nhi there,Hello!\nbye now,Goodbye!\n")
    (tmp_path / "s.ftspec").write_text('ftspec 1\ntask "t" { kind = style }\n'
                                       'data { train = csv("pairs.csv", input = "draft", output = "final") }\n'
                                       'model { base = "m" }\n')
    report = check_spec(load_spec(tmp_path / "s.ftspec", rules=False), tmp_path, near=False)
    assert report["categories"] == {} and report["sources"][0]["examples"] == 2


def test_lint_reports_an_unreadable_output_schema_instead_of_crashing(tmp_path, monkeypatch):
    from ftspec.lint import lint_paths

    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "train.jsonl").write_text(chat("Invoice 7 from Acme", '{"n": 7}') + "\n")
    (tmp_path / "s.ftspec").write_text('ftspec 1\ntask "t" { kind = extraction  output = json_schema("nope.json") }\n'
                                       'data { train = jsonl("train.jsonl") }\nmodel { base = "m" }\n')
    (diag,) = [d for d in lint_paths([str(tmp_path / "s.ftspec")]).diagnostics if d.code.startswith("DA")]
    assert diag.code == "DA006" and "nope.json" in diag.message
    assert (diag.span.line, diag.span.col) == (2, 40)  # the output value
    proc = _cli("check", "s.ftspec", cwd=tmp_path)
    assert proc.returncode == 2 and "nope.json" in proc.stderr and "Traceback" not in proc.stderr
