"""Generated examples (`ftspec augment`'s `provenance` object) in the data stage: both readers
summarise provenance the same way, the check report counts it across the sources that are
trained on, `ftspec check` shows it, and lint refuses unreviewed ones (DA007) at their line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ftspec.compile.build import load_spec
from ftspec.data.cache import key
from ftspec.data.chat_shape import plain_example
from ftspec.data.checks import check_spec
from ftspec.data.render import render_text
from ftspec.data.scan import _chat, scan
from ftspec.data.sources import Example, SourceSpec

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schemas" / "check-report.schema.json").read_text(encoding="utf-8"))

ACCEPTED = {"decision": "accept", "reviewer": "alice", "at": "2026-11-26T10:00:00.000000Z"}
EDITED = {"decision": "edit", "reviewer": "bob", "at": "2026-11-26T10:05:00.000000Z", "original": "..."}
REJECTED = {"decision": "reject", "reviewer": "alice", "at": "2026-11-26T10:00:00.000000Z"}


def chat(user: str, reply: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": reply}], **extra}


def line(user: str, reply: str, **extra) -> str:
    return json.dumps(chat(user, reply, **extra))


def both(obj) -> tuple[Example | None, object]:
    raw = json.dumps(obj).encode()
    return plain_example(raw, "d.jsonl", 3), _chat(orjson.loads(raw), "d.jsonl", 3)


def _same(fast: Example, slow: Example) -> None:
    assert (fast.messages, fast.path, fast.line, fast.category, fast.extra or None) == (
        slow.messages, slow.path, slow.line, slow.category, slow.extra or None)


# -- the two readers --------------------------------------------------------------------------

SUMMARIES = [  # provenance -> extra["generated"] (None: not a generated example)
    pytest.param({"strategy": "template", "candidate": "c1a2b3c4d5e6", "template": "where_is_card",
                  "review": ACCEPTED}, ("template", True), id="accepted"),
    pytest.param({"strategy": "paraphrase", "review": EDITED}, ("paraphrase", True), id="edited"),
    pytest.param({"strategy": "synthetic"}, ("synthetic", False), id="no-review"),
    pytest.param({"strategy": "synthetic", "review": REJECTED}, ("synthetic", False), id="rejected"),
    pytest.param({"strategy": "paraphrase", "review": {"decision": "accept", "reviewer": ""}},
                 ("paraphrase", False), id="empty-reviewer"),
    pytest.param({"strategy": "paraphrase", "review": {"decision": "accept", "reviewer": "  "}},
                 ("paraphrase", False), id="blank-reviewer"),
    pytest.param({"strategy": "paraphrase", "review": {"decision": "accept", "reviewer": 7}},
                 ("paraphrase", False), id="reviewer-not-a-string"),
    pytest.param({"strategy": "paraphrase", "review": {"decision": "accept"}}, ("paraphrase", False),
                 id="no-reviewer"),
    pytest.param({"strategy": "paraphrase", "review": {"decision": ["accept"], "reviewer": "a"}},
                 ("paraphrase", False), id="decision-a-list"),
    pytest.param({"strategy": "paraphrase", "review": "accepted by alice"}, ("paraphrase", False),
                 id="review-a-string"),
    pytest.param({"strategy": "back_translation", "review": ACCEPTED}, ("back_translation", True),
                 id="another-strategy"),
    pytest.param({"review": ACCEPTED}, ("unknown", True), id="no-strategy"),
    pytest.param({"strategy": 3}, ("unknown", False), id="strategy-not-a-string"),
    pytest.param({"strategy": ""}, ("unknown", False), id="empty-strategy"),
    pytest.param({}, ("unknown", False), id="empty-object"),
    pytest.param("template", None, id="a-string"),
    pytest.param(["template"], None, id="a-list"),
    pytest.param(None, None, id="null"),
    pytest.param(7, None, id="a-number"),
]


@pytest.mark.parametrize("tags", [None, ["card", "urgent"]], ids=["untagged", "tagged"])
@pytest.mark.parametrize(("provenance", "summary"), SUMMARIES)
def test_both_readers_summarise_provenance_the_same(provenance, summary, tags):
    obj = chat("When will my debit card arrive?", "card_arrival", provenance=provenance)
    if tags:
        obj["tags"] = tags
    fast, slow = both(obj)
    assert fast is not None, "a well-formed line with provenance must take the fast path"
    assert isinstance(slow, Example)
    _same(fast, slow)
    extra = slow.extra or {}
    assert extra.get("generated") == summary
    assert extra.get("tags") == tags  # provenance is added to the tags, never in their place
    assert slow.category == ("card" if tags else "card_arrival")


def test_a_line_without_provenance_is_read_as_before():
    fast, slow = both(chat("Where is my card?", "card"))
    assert fast.extra is None and slow.extra is None
    fast, slow = both(chat("Where is my card?", "card", tags=["x"], id=4))
    assert fast.extra == slow.extra == {"tags": ["x"]}


def test_provenance_the_fast_path_cannot_decode_falls_back_to_the_slow_path():
    raw = b'{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "x"}], ' \
          b'"provenance": {"score": 1e400}}'
    assert plain_example(raw, "d.jsonl", 1) is None  # out of range for a float: orjson says so too
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(raw)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.sampled_from(["", " ", "accept", "edit", "reject", "al"]),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
    max_leaves=4)
REVIEWS = st.one_of(JSON_VALUES, st.fixed_dictionaries(
    {}, optional={"decision": JSON_VALUES | st.sampled_from(["accept", "edit", "reject"]),
                  "reviewer": JSON_VALUES, "at": JSON_VALUES}))
PROVENANCE = st.one_of(JSON_VALUES, st.fixed_dictionaries(
    {}, optional={"strategy": JSON_VALUES | st.sampled_from(["template", "paraphrase", "synthetic"]),
                  "review": REVIEWS, "candidate": JSON_VALUES}))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROVENANCE, st.one_of(st.none(), st.lists(st.sampled_from(["a", "b", " c "]), max_size=2)))
def test_random_provenance_reads_the_same_both_ways(provenance, tags):
    obj = chat("When will my debit card arrive?", "card_arrival", provenance=provenance)
    if tags is not None:
        obj["tags"] = tags
    fast, slow = both(obj)
    assert fast is not None and isinstance(slow, Example)
    _same(fast, slow)


def test_alpaca_and_json_array_sources_carry_provenance_too(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        json.dumps({"instruction": "Classify", "input": "card?", "output": "card", "provenance": {
            "strategy": "synthetic"}}) + "\n"
        + json.dumps({"instruction": "Classify", "output": "card"}) + "\n")
    (tmp_path / "a.json").write_text(json.dumps([chat("hi", "x", provenance={"strategy": "paraphrase",
                                                                               "review": ACCEPTED}),
                                                 chat("hi again", "y")]))
    alpaca = list(scan(SourceSpec("alpaca", "a.jsonl"), tmp_path))
    array = list(scan(SourceSpec("json", "a.json"), tmp_path))
    assert [e.extra for e in alpaca] == [{"generated": ("synthetic", False)}, None]
    assert [e.extra for e in array] == [{"generated": ("paraphrase", True)}, None]


# -- the report -------------------------------------------------------------------------------

SPEC = """\
ftspec 1
task "t" { kind = classification  labels = ["card", "account"] }
data {
  train = [jsonl("train.jsonl"), jsonl("aug.jsonl")]
  eval = jsonl("eval.jsonl")
  general = jsonl("general.jsonl")
  validation = jsonl("val.jsonl")
}
model { base = "m" }
"""

FILES = {
    "train.jsonl": [line("Where is my card?", "card"), line("Close my account please", "account"),
                    line("My card has not come", "card", provenance={"strategy": "template", "review": ACCEPTED})],
    "aug.jsonl": [line("When will the card arrive?", "card", provenance={"strategy": "template", "review": ACCEPTED}),
                  line("Has my card been posted yet?", "card", provenance={"strategy": "paraphrase"}),  # 2
                  line("How do I shut my account?", "account", provenance="not an object"),
                  line("Delete my account for good", "account",
                       provenance={"strategy": "paraphrase", "review": REJECTED})],  # 4
    "val.jsonl": [line("Is my card on its way?", "card", provenance={"strategy": "synthetic", "review": EDITED}),
                  line("Remove my account", "account")],
    "general.jsonl": [line("What is the capital of France?", "Paris.", provenance={"strategy": "synthetic"}),  # 1
                      line("Name a prime number.", "7", provenance={"strategy": "synthetic", "review": ACCEPTED})],
    "eval.jsonl": [line("Which question does nobody train on at all here?", "card",
                        provenance={"strategy": "synthetic"})],
}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / ".cache"))
    (tmp_path / "s.ftspec").write_text(SPEC, encoding="utf-8")
    for name, lines in FILES.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def _report(folder: Path) -> dict:
    return check_spec(load_spec(folder / "s.ftspec", rules=False), folder, near=False)


def test_the_report_counts_generated_examples_across_the_sources_trained_on(project):
    report = _report(project)
    generated = report["generated"]
    assert generated["train_examples"] == 3 + 4 + 2  # train sources and the validation file; not general
    assert generated["count"] == 5  # the line whose provenance is a string is not a generated example
    assert generated["share"] == round(5 / 9, 4)
    assert generated["by_strategy"] == {"template": 2, "paraphrase": 2, "synthetic": 1}
    assert generated["by_role"] == {"general": 2, "train": 4, "validation": 1}
    unreviewed = generated["unreviewed"]
    assert unreviewed["count"] == 3  # eval is not trained on: its unreviewed example is not counted
    assert [(Path(e["file"]).name, e["line"], e["strategy"]) for e in unreviewed["examples"]] == [
        ("aug.jsonl", 2, "paraphrase"), ("aug.jsonl", 4, "paraphrase"), ("general.jsonl", 1, "synthetic")]
    assert list(Draft202012Validator(SCHEMA).iter_errors(report)) == []


def test_a_report_without_generated_examples_has_an_empty_section_and_no_text(project):
    for name in ("aug.jsonl", "val.jsonl", "general.jsonl", "train.jsonl"):
        path = project / name
        path.write_text("".join(json.dumps({k: v for k, v in json.loads(x).items() if k != "provenance"}) + "\n"
                                for x in path.read_text().splitlines()))
    report = _report(project)
    assert report["generated"] == {"train_examples": 9, "count": 0, "share": 0.0, "by_strategy": {},
                                   "by_role": {}, "unreviewed": {"count": 0, "examples": []}}
    assert "Generated" not in render_text(report, spec_path="s.ftspec", color=False)


def test_check_text_shows_the_share_and_the_unreviewed(project, monkeypatch):
    monkeypatch.chdir(project)
    text = render_text(_report(project), spec_path="s.ftspec", color=False)
    assert "Generated: 5 of 9 training examples (55.6%)" in text
    assert "paraphrase 2, template 2, synthetic 1; and 2 in the general-purpose data" in text
    assert "unreviewed (no review that accepts them; lint DA007): 3" in text
    assert "aug.jsonl:2 (paraphrase)" in text and "general.jsonl:1 (synthetic)" in text


def test_the_cache_key_covers_the_general_purpose_files(project):
    spec = load_spec(project / "s.ftspec", rules=False)
    before = key(spec, project)
    (project / "general.jsonl").write_text(line("What is the capital of Spain?", "Madrid.") + "\n")
    assert key(spec, project) != before


# -- lint ---------------------------------------------------------------------------------------


def test_lint_reports_unreviewed_generated_examples_at_their_line(project):
    proc = subprocess.run([sys.executable, "-m", "ftspec", "lint", "s.ftspec"], capture_output=True, text=True,
                          cwd=project, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (da007,) = [ln for ln in proc.stdout.splitlines() if " DA007 " in ln]
    assert da007 == ("s.ftspec:4:34: DA007 aug.jsonl:2: a generated example (paraphrase) has no review record "
                     "accepting it; 2 more")
    (da008,) = [ln for ln in proc.stdout.splitlines() if " DA008 " in ln]
    assert da008 == ("s.ftspec:4:11: DA008 [info] 5 of 9 training examples (55.6%) are generated: "
                     "paraphrase 2, template 2, synthetic 1")
    assert "Traceback" not in proc.stderr
    # --no-data: the data rules say nothing
    proc = subprocess.run([sys.executable, "-m", "ftspec", "lint", "--no-data", "s.ftspec"], capture_output=True,
                          text=True, cwd=project, timeout=120)
    assert "DA007" not in proc.stdout and "DA008" not in proc.stdout


def test_ftspec_check_fails_on_unreviewed_generated_examples(project):
    report = _report(project)
    reviewed = next(c for c in report["checks"] if c["name"] == "reviewed")
    assert reviewed == {"name": "reviewed", "level": "error", "count": 3, "passed": False}
    assert report["passed"] is False
    proc = subprocess.run([sys.executable, "-m", "ftspec", "check", "--no-near", "s.ftspec"], capture_output=True,
                          text=True, cwd=project, timeout=120)
    assert proc.returncode == 1 and "reviewed" in proc.stdout and "FAIL" in proc.stdout
    # Once every generated example carries a review that accepts it, the check passes.
    for name in ("aug.jsonl", "val.jsonl", "general.jsonl", "train.jsonl"):
        path = project / name
        rows = [json.loads(x) for x in path.read_text().splitlines()]
        for row in rows:
            if isinstance(row.get("provenance"), dict):
                row["provenance"]["review"] = {"decision": "accept", "reviewer": "alice", "at": "2026-11-26T00:00:00Z"}
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert next(c for c in _report(project)["checks"] if c["name"] == "reviewed")["passed"] is True
