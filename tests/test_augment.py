"""`ftspec augment`: template variation, paraphrase and synthetic generation through a real chat
server on 127.0.0.1, the data checks on candidates, the queue, and the reviewed file it writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chat_server import ChatServer

from ftspec.augment import queue as q
from ftspec.augment.generate import json_array, read_examples, seed_examples
from ftspec.augment.templates import expand, fill
from ftspec.cli import main
from ftspec.data.sources import Example
from ftspec.diagnostics import Severity
from ftspec.evaluate.review_app import EventLog, now
from ftspec.lint import lint_text
from ftspec.spec.model import TemplateGroup

TRAIN = [
    ("When will my card arrive?", "card_arrival"),
    ("My new card still has not come in the post", "card_arrival"),
    ("How long does card delivery take these days?", "card_arrival"),
    ("Is there a tracking number for the card you sent me?", "card_arrival"),
    ("My PIN is blocked after three wrong tries", "pin_blocked"),
    ("I typed the wrong PIN and now it is locked", "pin_blocked"),
    ("How do I unblock my PIN at an ATM?", "pin_blocked"),
    ("The app says my PIN is blocked, what now?", "pin_blocked"),
]
EVAL = [
    ("I have been waiting two weeks for my card to be delivered to my home", "card_arrival"),
    ("Can you unblock my PIN, I entered it wrong too many times today", "pin_blocked"),
]

SPEC = """ftspec 1
task "intents" {{ kind = classification  labels = ["card_arrival", "pin_blocked"]  goal = "Route a bank message" }}
data {{
  train = {train}
  eval  = jsonl("eval.jsonl")
}}
model {{ base = "x" }}
augment {{
  into = "augmented.jsonl"
{body}
}}
"""

TEMPLATES = """  template {
    card {
      inputs = ["When will my {card} arrive?", "I ordered a {card} {when} and it has not come"]
      output = "card_arrival"
      fill { card = ["card", "debit card"]  when = ["last week", "ten days ago"] }
    }
    copies {
      inputs = ["I have been waiting two weeks for my card to be delivered to my {place}"]
      output = "card_arrival"
      fill { place = ["home", "house"] }
    }
  }"""


def _jsonl(path: Path, rows) -> None:
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": i},
                                                     {"role": "assistant", "content": o}]}) + "\n"
                            for i, o in rows), encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    _jsonl(tmp_path / "train.jsonl", TRAIN)
    _jsonl(tmp_path / "eval.jsonl", EVAL)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / ".cache"))

    def write(body: str, train: str = 'jsonl("train.jsonl")') -> Path:
        path = tmp_path / "intents.ftspec"
        path.write_text(SPEC.format(body=body, train=train), encoding="utf-8")
        return path

    return write


def _decide(folder: Path, reviewer: str, choices) -> None:
    """Decisions as the review app appends them (tests/test_augment_review.py drives the app itself)."""
    queue = q.load(folder)
    log = EventLog(q.decisions_path(folder, reviewer))
    for candidate, (decision, text_in, text_out) in zip(queue.queued(), choices, strict=False):
        log.append({"event": "decide", "queue": queue.id, "reviewer": reviewer, "id": candidate["id"],
                    "decision": decision, "input": text_in or candidate["input"],
                    "output": text_out or candidate["output"], "note": "", "at": now()})


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- templates ------------------------------------------------------------------------


def test_template_fill_replaces_declared_slots_only():
    assert fill('{"intent": "{x}"} {y}', {"x": "a"}) == '{"intent": "a"} {y}'


def test_templates_make_every_combination_in_order():
    group = TemplateGroup(inputs=["{a} {b}", "only {a}"], output="o-{a}", fill={"a": ["1", "2"], "b": ["x", "y"]})
    made = [(c["input"], c["output"]) for c in expand("g", group, seed=1)]
    assert made == [("1 x", "o-1"), ("1 y", "o-1"), ("2 x", "o-2"), ("2 y", "o-2"), ("only 1", "o-1"),
                    ("only 2", "o-2")]
    assert group.combinations() == 6


def test_template_count_draws_the_same_subset_for_a_seed():
    group = TemplateGroup(inputs=["{a}-{b}-{c}"], output="o", fill={k: [str(i) for i in range(10)] for k in "abc"},
                          count=7)
    first = [c["input"] for c in expand("g", group, seed=3)]
    assert first == [c["input"] for c in expand("g", group, seed=3)]
    assert first != [c["input"] for c in expand("g", group, seed=4)]
    assert len(set(first)) == 7 and first == sorted(first)  # combination order, no repeats


def test_a_huge_template_group_is_sampled_without_listing_it():
    group = TemplateGroup(inputs=["{a}{b}{c}{d}{e}{f}{g}{h}{i}"], output="o",
                          fill={k: [str(i) for i in range(10)] for k in "abcdefghi"}, count=3)
    assert group.combinations() == 10**9
    assert len(list(expand("g", group, seed=0))) == 3


@pytest.mark.parametrize(("block", "message"), [
    ('template { g { inputs = "{a}"  output = "o" } }', "slot `{a}` has no values"),
    ('template { g { inputs = "x"  output = "o"  fill { a = ["1"] } } }', "`fill` has values for `a`"),
    ('template { g { inputs = "{a}{b}"  output = "o"  fill { a = ["1","2","3","4","5","6","7","8","9","10","11",'
     '"12","13","14","15","16","17","18","19","20","21","22","23","24","25","26","27","28","29","30","31","32",'
     '"33"]  b = ["1","2","3","4","5","6","7","8","9","10","11","12","13","14","15","16","17","18","19","20","21",'
     '"22","23","24","25","26","27","28","29","30","31","32","33"] } } }', "1089 combinations: set `count`"),
    ("paraphrase { count = 3 }", "`paraphrase` asks a model: set `endpoint`"),
    ("", "`augment` needs at least one strategy"),
])
def test_augment_block_errors_point_at_the_block(block, message):
    text = SPEC.format(body=block, train='jsonl("train.jsonl")')
    errors = [d for d in lint_text(text, "s.ftspec", data=False) if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == ["SP008"], errors
    assert message in errors[0].message
    assert errors[0].span.line >= 7  # inside the augment block, not at the top of the file


def test_into_must_be_jsonl():
    text = SPEC.format(body=TEMPLATES, train='jsonl("train.jsonl")').replace("augmented.jsonl", "augmented.csv")
    errors = [d for d in lint_text(text, "s.ftspec", data=False) if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == ["SP008"] and "`into` is a chat JSONL file" in errors[0].message
    assert errors[0].span.line == 9  # the `into` line


# -- the command, from a template to reviewed data ---------------------------------------------


def test_template_candidates_are_screened_queued_reviewed_and_written(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "augmented.review"
    queue = q.load(folder)
    by_input = {c["input"]: c for c in queue.candidates}
    # 2 + 4 + 2 made: one is a training input, two copy an eval input.
    assert len(queue.candidates) == 8 and "template: 8 made, 5 queued, 3 refused" in out
    assert by_input["When will my card arrive?"]["reason"] == "duplicate of train.jsonl:1"
    copied = by_input["I have been waiting two weeks for my card to be delivered to my home"]
    assert copied["status"] == "refused" and copied["reason"].startswith("copies eval example eval.jsonl:1 (exactly)")
    near = by_input["I have been waiting two weeks for my card to be delivered to my house"]
    assert near["reason"] == "copies eval example eval.jsonl:1 (91% of its word 5-grams): contamination"
    assert [c["input"] for c in queue.queued()] == [
        "When will my debit card arrive?", "I ordered a card last week and it has not come",
        "I ordered a card ten days ago and it has not come", "I ordered a debit card last week and it has not come",
        "I ordered a debit card ten days ago and it has not come"]
    assert f"ftspec review serve {folder.name}" in out
    # Nothing is written before a person decided.
    assert main(["augment", str(spec), "--write"]) == 0
    assert "nothing accepted yet" in capsys.readouterr().out and not (tmp_path / "augmented.jsonl").exists()

    queued = queue.queued()
    _decide(folder, "alice", [("accept", None, None), ("edit", queued[1]["input"] + ", can you check?", None),
                              ("reject", None, None)])
    assert main(["augment", str(spec), "--write"]) == 0
    out = capsys.readouterr().out
    assert ("wrote 2 reviewed example(s) to augmented.jsonl (template 2; 1 accepted, 1 edited; 1 rejected, "
            "2 not yet decided)") in out
    lines = _lines(tmp_path / "augmented.jsonl")
    assert [ln["messages"][0]["content"] for ln in lines] == [queued[0]["input"],
                                                             queued[1]["input"] + ", can you check?"]
    accepted, edited = (ln["provenance"] for ln in lines)
    assert accepted["strategy"] == "template" and accepted["template"] == "card"
    assert accepted["candidate"] == queued[0]["id"]
    assert accepted["review"]["decision"] == "accept" and accepted["review"]["reviewer"] == "alice"
    assert edited["review"]["decision"] == "edit" and edited["review"]["original"]["input"] == queued[1]["input"]
    assert 'train = [..., jsonl("augmented.jsonl")]' in out  # not trained on until the spec names it

    # Same decisions, same bytes; a rerun of the strategies makes nothing new.
    before = (tmp_path / "augmented.jsonl").read_bytes()
    assert main(["augment", str(spec), "--write"]) == 0 and (tmp_path / "augmented.jsonl").read_bytes() == before
    assert main(["augment", str(spec)]) == 0
    assert "template: 0 made, 0 queued, 8 already made" in capsys.readouterr().out


def test_a_later_decision_wins_and_an_edit_into_a_duplicate_is_not_written(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 0
    folder = tmp_path / "augmented.review"
    queued = q.load(folder).queued()
    _decide(folder, "alice", [("reject", None, None), ("accept", None, None)])
    # bob changes his mind about the first, and edits the second into a copy of a training example
    _decide(folder, "bob", [("accept", None, None), ("edit", "How do I unblock my PIN at an ATM?", "pin_blocked")])
    capsys.readouterr()
    assert main(["augment", str(spec), "--write"]) == 0
    captured = capsys.readouterr()
    assert f"not written {queued[1]['id']}: duplicate of train.jsonl:7" in captured.err
    lines = _lines(tmp_path / "augmented.jsonl")
    assert len(lines) == 1 and lines[0]["provenance"]["review"]["reviewer"] == "bob"


def test_write_never_overwrites_a_file_it_did_not_write(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    (tmp_path / "augmented.jsonl").write_text('{"messages": [{"role": "user", "content": "mine"}, '
                                              '{"role": "assistant", "content": "card_arrival"}]}\n')
    assert main(["augment", str(spec)]) == 0
    _decide(tmp_path / "augmented.review", "alice", [("accept", None, None)])
    before = (tmp_path / "augmented.jsonl").read_bytes()
    assert main(["augment", str(spec), "--write"]) == 2
    assert "1 line(s) that this review queue did not write (first: line 1)" in capsys.readouterr().err
    assert (tmp_path / "augmented.jsonl").read_bytes() == before


def test_accepted_examples_named_in_train_are_trained_on_and_lint_clean(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 0
    _decide(tmp_path / "augmented.review", "alice", [("accept", None, None)] * 3)
    assert main(["augment", str(spec), "--write"]) == 0
    spec = project(TEMPLATES, train='[jsonl("train.jsonl"), jsonl("augmented.jsonl")]')
    from ftspec.compile.build import load_spec
    from ftspec.data.checks import check_spec

    report = check_spec(load_spec(spec, rules=False), tmp_path, near=False)
    assert sum(s["examples"] for s in report["sources"] if s["role"] == "train") == len(TRAIN) + 3
    assert report["duplicates"]["count"] == 0 and report["contamination"]["count"] == 0
    # New candidates are screened against the accepted ones too: a rerun makes nothing new.
    capsys.readouterr()
    assert main(["augment", str(spec)]) == 0
    assert "0 made" in capsys.readouterr().out


def test_errors_are_one_line_and_leave_files_alone(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec), "--write"]) == 2
    assert "no review queue at augmented.review: run `ftspec augment SPEC` first" in capsys.readouterr().err
    assert main(["augment", str(spec), "--only", "paraphrse"]) == 2
    assert "use one or more of template, paraphrase, synthetic, back_translation" in capsys.readouterr().err
    no_block = tmp_path / "plain.ftspec"
    no_block.write_text(SPEC.format(body=TEMPLATES, train='jsonl("train.jsonl")').split("augment {")[0])
    assert main(["augment", str(no_block)]) == 2
    assert "has no `augment` block" in capsys.readouterr().err
    spec.write_text(spec.read_text().replace("kind = classification", "kind = clasification"))
    assert main(["augment", str(spec)]) == 1
    assert "did you mean `classification`?" in capsys.readouterr().err


# -- paraphrase and synthetic through a chat server on 127.0.0.1 -------------------------------


def _model(messages: list[dict]) -> str:
    """A deterministic stand-in for a strong model: paraphrases by rewording, translations by tagging
    the text with the language, and synthetic examples that include the mistakes a real model makes
    (a label that does not exist, a copy of the seed)."""
    ask = messages[-1]["content"]
    if ask.startswith("Translate"):
        language = ask.split("into ", 1)[1].split(".", 1)[0]
        message = ask.rsplit("Message:\n", 1)[1]
        if language == "English":  # back: the pivot's words, reordered a little, as a translation would
            return '"' + message.split("] ", 1)[1].replace("my", "the") + ' please"'
        return f"[{language}] {message}"
    if ask.startswith("Rephrase"):
        message = ask.rsplit("Message:\n", 1)[1]
        return json.dumps([f"Quick question: {message.lower()}", f"{message} Thanks in advance for your help!"])
    seeds = [json.loads(line) for line in ask.split("Seed examples:\n", 1)[1].splitlines()]
    first = seeds[0]
    made = [{"input": f"Hello, about my account: {s['input'].lower()} (asked on day {len(ask) % 97})",
             "output": s["output"]} for s in seeds[:2]]
    made.append({"input": "Where can I see my balance for this month please?", "output": "balance"})  # no such label
    made.append(first)  # a copy of a seed: a duplicate of training data
    return "Here are the examples:\n```json\n" + json.dumps(made) + "\n```"


def _endpoint_body(server: ChatServer, extra: str = "") -> str:
    return (f'  endpoint = "{server.url}"\n  model = "big-model"\n  api_key_env = "AUG_KEY"\n  temperature = 0.7\n'
            f"{extra}")


def test_paraphrase_and_synthetic_from_a_local_endpoint(project, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AUG_KEY", "sk-aug")
    with ChatServer(_model, key="sk-aug") as server:
        spec = project(_endpoint_body(server, "  paraphrase { count = 4  per_example = 2 }\n"
                                              "  synthetic { count = 4  shots = 3  per_request = 4 }"))
        assert main(["augment", str(spec)]) == 0
        requests = list(server.requests)
    captured = capsys.readouterr()
    queue = q.load(tmp_path / "augmented.review")
    para, synth = queue.of("paraphrase"), queue.of("synthetic")
    # Paraphrase: 2 training examples x 2 paraphrases, the reply kept as the label.
    assert len(para) == 4 and all(c["status"] == "queued" for c in para)
    by_source = {c["provenance"]["source"] for c in para}
    assert len(by_source) == 2 and all(re.fullmatch(r"train\.jsonl:\d", s) for s in by_source)
    for c in para:
        original = next(i for i, o in TRAIN if i == c["provenance"]["original"])
        assert original.lower() in c["input"].lower() or c["input"].startswith(original)
        assert c["output"] == dict(TRAIN)[original] and c["provenance"]["model"] == "big-model"
    # Synthetic: the invented label and the seed copy are refused, with reasons.
    reasons = [c["reason"] for c in synth if c["status"] == "refused"]
    assert any("`balance` is not one of the task's labels" in r for r in reasons)
    assert any(r.startswith("duplicate of train.jsonl:") for r in reasons)
    assert sum(c["status"] == "queued" for c in synth) == 4
    assert all(c["provenance"]["seeds"] and c["provenance"]["request"] >= 0 for c in synth)
    # What went over the wire: the key, the temperature, the guide's prompts.
    assert all(r["authorization"] == "Bearer sk-aug" and r["body"]["temperature"] == 0.7 for r in requests)
    paraphrase_asks = [r for r in requests if r["body"]["messages"][-1]["content"].startswith("Rephrase")]
    assert len(paraphrase_asks) == 2
    synthetic_ask = next(r for r in requests if r not in paraphrase_asks)["body"]["messages"][-1]["content"]
    assert "follow the same pattern but with different inputs and appropriate outputs" in synthetic_ask
    assert "exactly one of these labels: card_arrival, pin_blocked" in synthetic_ask
    assert "paraphrase: 4 made, 4 queued, 2 request(s)" in captured.out


def test_a_server_that_fails_midway_keeps_what_was_made_and_the_rerun_goes_on(project, capsys, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("AUG_KEY", "sk-aug")
    with ChatServer(_model, fail_after=2, fail_status=400) as server:
        spec = project(_endpoint_body(server, "  paraphrase { count = 8  per_example = 2 }"))
        assert main(["augment", str(spec)]) == 2
        err = capsys.readouterr().err
        assert "answered 400" in err and "the 4 candidate(s) made before that are kept" in err
        first = [c["provenance"]["source"] for c in q.load(tmp_path / "augmented.review").candidates]
        assert len(first) == 4
        server.fail_after = None
        asked = len(server.requests)
        assert main(["augment", str(spec)]) == 0
        # The rerun asks only for what is missing, about examples not paraphrased before.
        assert len(server.requests) - asked == 2
    sources = [c["provenance"]["source"] for c in q.load(tmp_path / "augmented.review").candidates]
    assert sources[:4] == first and len(set(sources)) == 4 and len(sources) == 8


def test_endpoint_problems_are_one_line(project, capsys, monkeypatch):
    monkeypatch.delenv("AUG_KEY", raising=False)
    with ChatServer(_model) as server:
        spec = project(_endpoint_body(server, "  paraphrase { count = 2 }"))
        assert main(["augment", str(spec)]) == 2
    assert "the augment endpoint's key is read from $AUG_KEY, which is not set" in capsys.readouterr().err
    # Templates run without the endpoint: --only picks strategies.
    spec = project(TEMPLATES + '\n  endpoint = "http://127.0.0.1:9/v1"  model = "m"\n  paraphrase { count = 2 }')
    assert main(["augment", str(spec), "--only", "template"]) == 0


def test_replies_are_read_leniently():
    assert json_array('Sure!\n```json\n["a", "b"]\n```') == ["a", "b"]
    assert json_array("[not json] then [1, 2]") == [1, 2]
    assert json_array("no array here") is None
    assert read_examples('[{"input": "x", "output": {"a": 1}}, {"input": "", "output": "y"}, "junk"]') == [
        ("x", '{"a": 1}')]


def test_seed_examples_cover_the_categories_first():
    examples = [Example([], "t", i, "big") for i in range(20)] + [Example([], "t", 99, "rare")]
    for request in range(5):
        chosen = seed_examples(examples, 3, seed=1, request=request)
        assert len(chosen) == 3 and any(ex.category == "rare" for ex in chosen)
    assert seed_examples(examples, 3, 1, 0) == seed_examples(examples, 3, 1, 0)


@pytest.mark.parametrize(("level", "refused"), [("warn", False), ("error", True), ("off", None)])
def test_a_near_copy_of_training_data_is_flagged_or_refused_by_the_quality_level(project, tmp_path, level, refused):
    from ftspec.augment.screen import Screen
    from ftspec.compile.build import load_spec

    spec_path = project(TEMPLATES)
    spec_path.write_text(spec_path.read_text() + f"quality {{ near_duplicates = {level} }}\n")
    screen = Screen(load_spec(spec_path, rules=False), tmp_path, into=tmp_path / "augmented.jsonl")
    verdict = screen.check("My PIN is blocked after three wrong tries today", "pin_blocked", "c000000000001")
    note = "close to train.jsonl:5: 80% of its word 5-grams are shared (a near duplicate)"
    if refused is None:
        assert verdict.refused is None and verdict.flags == []
    elif refused:
        assert verdict.refused == note + "; quality.near_duplicates = error"
    else:
        assert verdict.refused is None and verdict.flags == [note]
    # The same input again, written a little differently, is the same input: a duplicate.
    again = screen.check("my PIN is  blocked after three wrong tries TODAY", "pin_blocked", "c000000000002")
    if refused is not None and not refused:
        assert again.refused == "duplicate of c000000000001"


def test_back_translation_goes_out_and_back_through_each_language_in_turn(project, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AUG_KEY", "sk-aug")
    with ChatServer(_model) as server:
        spec = project(_endpoint_body(server, '  back_translation { count = 3  via = [German, French] }'))
        assert main(["augment", str(spec)]) == 0
        asks = [r["body"]["messages"][-1]["content"] for r in server.requests]
    made = q.load(tmp_path / "augmented.review").of("back_translation")
    assert [c["provenance"]["via"] for c in made] == ["German", "French", "German"]
    assert len(asks) == 6 and [a.split("into ", 1)[1].split(".")[0] for a in asks] == [
        "German", "English", "French", "English", "German", "English"]
    for c in made:
        original = c["provenance"]["original"]
        assert c["provenance"]["pivot"] == f"[{c['provenance']['via']}] {original}"
        assert c["input"] == original.replace("my", "the") + " please"  # quotes around the reply removed
        assert c["output"] == dict(TRAIN)[original] and c["status"] == "queued"
    assert "back_translation: 3 made, 3 queued, 6 request(s)" in capsys.readouterr().out


def test_plain_replies_lose_fences_and_quotes():
    from ftspec.augment.generate import plain_reply

    assert plain_reply('"Wo ist meine Karte?"') == "Wo ist meine Karte?"
    assert plain_reply("```\nWo ist meine Karte?\n```") == "Wo ist meine Karte?"
    assert plain_reply("  It's fine  ") == "It's fine"


# -- found in review: what must not happen ----------------------------------------------------


def test_when_every_written_example_is_rejected_later_the_file_goes(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 0
    folder = tmp_path / "augmented.review"
    _decide(folder, "alice", [("accept", None, None), ("accept", None, None)])
    assert main(["augment", str(spec), "--write"]) == 0 and len(_lines(tmp_path / "augmented.jsonl")) == 2
    _decide(folder, "bob", [("reject", None, None), ("reject", None, None)])  # later: the last decision wins
    capsys.readouterr()
    assert main(["augment", str(spec), "--write"]) == 0
    assert "removed augmented.jsonl: none of its examples is accepted any more" in capsys.readouterr().out
    assert not (tmp_path / "augmented.jsonl").exists()


def test_generated_examples_are_never_paraphrased_again(project, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AUG_KEY", "sk")
    with ChatServer(_model) as server:
        body = _endpoint_body(server, "  paraphrase { count = 2  per_example = 2 }")
        spec = project(body)
        assert main(["augment", str(spec)]) == 0
        _decide(tmp_path / "augmented.review", "alice", [("accept", None, None)] * 2)
        assert main(["augment", str(spec), "--write"]) == 0
        spec = project(body.replace("count = 2", "count = 20"),
                       train='[jsonl("train.jsonl"), jsonl("augmented.jsonl")]')
        assert main(["augment", str(spec)]) == 0
    sources = [c["provenance"]["source"] for c in q.load(tmp_path / "augmented.review").candidates]
    assert all(s.startswith("train.jsonl:") for s in sources)
    assert len(set(sources)) == len(TRAIN)  # every collected example once, then it stops
    assert "every training example has been paraphrased" in capsys.readouterr().out


def test_decisions_about_candidates_the_queue_lost_are_ignored_with_a_note(project, capsys, tmp_path):
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 0
    folder = tmp_path / "augmented.review"
    _decide(folder, "alice", [("accept", None, None), ("accept", None, None)])
    lines = (folder / "candidates.jsonl").read_text().splitlines()
    first_queued = next(i for i, ln in enumerate(lines) if '"status":"queued"' in ln)
    (folder / "candidates.jsonl").write_text("\n".join(lines[:first_queued] + lines[first_queued + 1:]) + "\n")
    with (folder / "decisions-alice.jsonl").open("a") as f:
        f.write('{"event": "decide", "queue"')  # a write cut by a kill
    capsys.readouterr()
    assert main(["augment", str(spec), "--write"]) == 0
    captured = capsys.readouterr()
    assert "1 decision(s) about candidates this queue does not hold were ignored" in captured.err
    assert "1 cut line(s) in the decision logs were skipped" in captured.err
    assert len(_lines(tmp_path / "augmented.jsonl")) == 1


def test_a_queue_folder_that_cannot_be_made_is_one_line(project, capsys, tmp_path):
    (tmp_path / "augmented.review").write_text("a file where the queue folder goes")
    spec = project(TEMPLATES)
    assert main(["augment", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftspec: cannot make the review queue") and "internal error" not in err
    (tmp_path / "augmented.review").unlink()
    (tmp_path / "augmented.review").mkdir()
    (tmp_path / "augmented.review" / "candidates.jsonl").mkdir()
    assert main(["augment", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftspec: ") and "internal error" not in err and "candidates.jsonl" in err


def test_setup_errors_come_before_anything_is_made(project, capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("AUG_KEY", raising=False)
    spec = project(TEMPLATES + '\n  endpoint = "http://127.0.0.1:9/v1"  model = "m"  api_key_env = "AUG_KEY"\n'
                               "  paraphrase { count = 2 }")
    assert main(["augment", str(spec)]) == 2
    assert "$AUG_KEY, which is not set" in capsys.readouterr().err
    assert not (tmp_path / "augmented.review").exists()  # not even the templates ran
    assert main(["augment", str(spec), "--only", "synthetic"]) == 2
    assert "declares template, paraphrase; nothing to do" in capsys.readouterr().err


def test_a_near_duplicate_refusal_is_counted_as_one(project, capsys):
    spec = project('  template { g { inputs = "My PIN is blocked after three wrong tries {when}"'
                   '  output = "pin_blocked"  fill { when = ["today", "again"] } } }\n')
    spec.write_text(spec.read_text() + "quality { near_duplicates = error }\n")
    assert main(["augment", str(spec)]) == 0
    assert "template: 2 made, 0 queued, 2 refused (2 near duplicate)" in capsys.readouterr().out


@pytest.mark.parametrize(("fill_block", "message"), [
    ('fill { my-slot = ["x"] }', "a slot's name is letters, digits and `_`"),
    ('fill { s = ["x", " "] }', "slot `s` has an empty value"),
    ('fill { s = ["x", "x"] }', "slot `s` lists `x` twice"),
])
def test_fill_values_are_checked(fill_block, message):
    text = SPEC.format(body=f'  template {{ g {{ inputs = "a {{s}}"  output = "o"  {fill_block} }} }}',
                       train='jsonl("train.jsonl")')
    errors = [d for d in lint_text(text, "s.ftspec", data=False) if d.severity is Severity.ERROR]
    assert len(errors) == 1 and message in errors[0].message, errors


def test_double_braces_are_text_and_a_bad_endpoint_is_refused_at_lint():
    group = TemplateGroup(inputs=["What does {{self}} mean in {lang}?"], output='{"lang": "{lang}"}',
                          fill={"lang": ["Python"]})
    assert [(c["input"], c["output"]) for c in expand("g", group, 0)] == [
        ("What does {self} mean in Python?", '{"lang": "Python"}')]
    text = SPEC.format(body='  endpoint = "ftp://x/v1"  model = "m"\n  paraphrase { }', train='jsonl("train.jsonl")')
    errors = [d for d in lint_text(text, "s.ftspec", data=False) if d.severity is Severity.ERROR]
    assert len(errors) == 1 and "`endpoint` is the URL of an OpenAI-compatible API" in errors[0].message


def test_diff_names_each_template_value_and_retrains_nothing(project, tmp_path):
    from ftspec.diff import load, render_text, semantic_diff

    old = project(TEMPLATES)
    new = tmp_path / "new.ftspec"
    new.write_text(old.read_text().replace('"ten days ago"', '"a month ago"'), encoding="utf-8")
    changes = semantic_diff(load(old)[0], load(new)[0])
    assert [c.path for c in changes] == ["augment.template.card.fill.when"]
    text = render_text(changes)
    assert "nothing to retrain until reviewed examples join data.train" in text
    assert "invalidates: nothing trained or measured" in text
