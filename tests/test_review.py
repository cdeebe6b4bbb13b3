"""Tier 3 human review (ftspec/evaluate/review.py) on real files: export a blind packet from a run
folder, fill the judgments the way a reviewer would (never looking at the key), import them, and
check the unblinded counts, the Wilson interval, results.json and every refusal."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import stat
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from ftspec.evaluate import acceptance
from ftspec.evaluate.review import ExportResult, ReviewError, export, import_judgments, load_schema, wilson

ROOT = Path(__file__).resolve().parent.parent

# 30 eval examples. On IDENTICAL both rungs reply the same (19 differs only by whitespace): nothing to
# judge. On WINS the fine-tuned reply is the reference and the prompted base's is wrong; on LOSSES the
# other way round; on TIES both are wrong (the fine-tuned one with a format error as well).
IDENTICAL = {3, 7, 11, 19}
LOSSES = {0, 5, 9, 14, 17, 22, 25, 28}
TIES = {2, 13, 21, 27}
WINS = set(range(30)) - IDENTICAL - LOSSES - TIES
assert (len(WINS), len(LOSSES), len(TIES)) == (14, 8, 4)
JUDGEABLE = 30 - len(IDENTICAL)

CRITERIA = [
    {"text": "fine_tuned.win_rate >= 0.5", "op": ">=",
     "left": [{"sign": 1, "rung": "fine_tuned", "metric": "win_rate", "number": None}],
     "right": [{"sign": 1, "rung": None, "metric": None, "number": 0.5}]},
    {"text": "fine_tuned.rouge_l >= prompted_base.rouge_l", "op": ">=",
     "left": [{"sign": 1, "rung": "fine_tuned", "metric": "rouge_l", "number": None}],
     "right": [{"sign": 1, "rung": "prompted_base", "metric": "rouge_l", "number": None}]},
]


def _example(i: int) -> dict:
    reference = f"Answer {i}: your card arrives within {i + 2} working days."
    wrong, other = f"Wrong reply {i}.", f"Another wrong reply {i}."
    if i in IDENTICAL:
        mine = theirs = f"Same reply {i}."
        theirs = f"  {theirs}\n" if i == 19 else theirs
    elif i in WINS:
        mine, theirs = reference, wrong
    elif i in LOSSES:
        mine, theirs = wrong, reference
    else:
        mine, theirs = f"{wrong} [bad format]", other
    return {"index": i,
            "messages": [{"role": "system", "content": "You answer questions about cards."},
                         {"role": "user", "content": f"Question {i}: when does my card arrive?"}],
            "reference": reference,
            "outputs": {"base": f"Plain reply {i}.", "prompted_base": theirs, "fine_tuned": mine}}


def _results() -> dict:
    rungs = {
        "base": {"model": "org/tiny", "examples": 30, "metrics": {"rouge_l": 0.1}},
        "prompted_base": {"model": "org/tiny", "shots": 5, "examples": 30, "metrics": {"rouge_l": 0.3}},
        "fine_tuned": {"model": "org/tiny", "adapter": "adapter", "examples": 30, "metrics": {"rouge_l": 0.5},
                       "unavailable": {"win_rate": "measured by human review (ftspec review)"}},
    }
    decided = acceptance.evaluate(CRITERIA, rungs)
    return {
        "format": 1, "kind": "run", "created": "2025-01-01T00:00:00+00:00",
        "spec": {"name": "card-support", "file": "card.ftspec", "sha256": "0" * 64},
        "task": {"kind": "style", "labels": None},
        "eval_set": {"examples": 30, "sha256": "ab" * 32, "limit": None},
        "decoding": {"strategy": "greedy", "max_new_tokens": 64, "batch_size": 8},
        "rungs": rungs, "acceptance": decided, "passed": False, "criteria": CRITERIA,
        "training": None, "overfitting": [],
    }


@pytest.fixture
def run(tmp_path) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    results = _results()
    Draft202012Validator(load_schema("results.schema.json")).validate(results)
    assert [c["passed"] for c in results["acceptance"]] == [None, True]
    (run_dir / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (run_dir / "predictions.jsonl").write_text("".join(json.dumps(_example(i)) + "\n" for i in range(30)),
                                               encoding="utf-8")
    return run_dir


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _valid(document, schema: str) -> None:
    Draft202012Validator(load_schema(schema)).validate(document)


def _review(packet: dict, reviewer: str, *, contrary: bool = False, skip_ties: bool = False) -> dict:
    """A reviewer who sees only the packet: prefers the reply that is the reference (or, contrary, the
    other one), calls two wrong replies a tie, and marks a wrong reply `factual` (and `format` when it
    carries the format marker)."""
    judgments = []
    for item in packet["items"]:
        right = [side for side in "ab" if item[side] == item["reference"]]
        preferred = ({"a": "b", "b": "a"}[right[0]] if contrary else right[0]) if right else "tie"
        if skip_ties and not right:
            preferred = None
        errors = {side: ([] if item[side] == item["reference"]
                         else ["factual", *(["format"] if "[bad format]" in item[side] else [])]) for side in "ab"}
        judgments.append({"id": item["id"], "preferred": preferred, "errors": errors, "note": ""})
    return {"packet": packet["packet"], "reviewer": reviewer, "judgments": judgments}


def _fill(out: Path, name: str, **how) -> Path:
    path = out / f"judgments-{name}.json"
    path.write_text(json.dumps(_review(_load(out / "packet.json"), name, **how)), encoding="utf-8")
    return path


@pytest.fixture
def exported(run, tmp_path) -> tuple[Path, ExportResult]:
    out = tmp_path / "review"
    return out, export(run, out, seed=1234)


# -- export ------------------------------------------------------------------------


def test_export_writes_a_blind_packet_a_sealed_key_and_a_blank_form(run, exported):
    out, result = exported
    packet, key, form = _load(out / "packet.json"), _load(out / "key.json"), _load(out / "judgments.json")
    _valid(packet, "review-packet.schema.json")
    _valid(key, "review-key.schema.json")
    _valid(form, "review-judgments.schema.json")
    assert sorted(p.name for p in out.iterdir()) == ["judgments.json", "key.json", "packet.json"]

    # every judgeable example (pairs=50 > 26), the identical ones skipped and counted
    assert (result.pairs, result.available, result.identical, result.missing) == (JUDGEABLE, JUDGEABLE, 4, 0)
    assert key["skipped"] == {"identical": 4, "missing": 0}
    assert {item["index"] for item in key["items"]} == set(range(30)) - IDENTICAL
    assert (result.seed, key["seed"], key["against"], key["categories"]) == (
        1234, 1234, "prompted_base", ["factual", "format", "reasoning", "other"])
    assert result.packet_id == packet["packet"] == key["packet"] == form["packet"]
    assert key["packet_sha256"] == hashlib.sha256((out / "packet.json").read_bytes()).hexdigest()
    assert key["run"] == str(run.resolve())

    # the key is readable by its owner only
    assert stat.S_IMODE((out / "key.json").stat().st_mode) == 0o600

    # the blank form: one null judgment per item, in the packet's order
    assert form["reviewer"] == ""
    assert form["judgments"] == [{"id": item["id"], "preferred": None, "errors": {"a": [], "b": []}, "note": ""}
                                 for item in packet["items"]]


def test_the_packet_reveals_neither_sides_nor_the_key(run, exported):
    out, result = exported
    text = (out / "packet.json").read_text(encoding="utf-8")
    packet, key = json.loads(text), _load(out / "key.json")
    for word in ("fine_tuned", "fine-tuned", "prompted", "base", "larger", "rung", "adapter", "seed", "index",
                 "org/tiny", str(run)):
        assert word not in text.lower(), word
    for secret in (str(key["seed"]), key["predictions_sha256"], key["packet_sha256"]):
        assert secret not in text
    assert set(packet) == {"format", "packet", "spec", "instructions", "categories", "items"}
    assert all(set(item) == {"id", "conversation", "reference", "a", "b"} for item in packet["items"])

    # ids are sequential in the packet's order, which is not the eval set's order
    assert [item["id"] for item in packet["items"]] == [f"p{n:03d}" for n in range(1, JUDGEABLE + 1)]
    indices = [item["index"] for item in key["items"]]
    assert indices != sorted(indices) and indices != sorted(indices, reverse=True)

    # both sides are used, balanced (26 items: 13 each), and not in a run of one side
    sides = "".join(item["fine_tuned"] for item in key["items"])
    assert result.fine_tuned_on_a == sides.count("a") == 13
    assert sides not in ("ab" * 13, "ba" * 13, "a" * 13 + "b" * 13, "b" * 13 + "a" * 13)


def test_the_key_unblinds_every_item(run, exported):
    out, _ = exported
    packet, key = _load(out / "packet.json"), _load(out / "key.json")
    examples = {i: _example(i) for i in range(30)}
    for item, sealed in zip(packet["items"], key["items"], strict=True):
        example = examples[sealed["index"]]
        other = {"a": "b", "b": "a"}[sealed["fine_tuned"]]
        assert item["id"] == sealed["id"]
        assert item[sealed["fine_tuned"]] == example["outputs"]["fine_tuned"]
        assert item[other] == example["outputs"]["prompted_base"]
        assert item["conversation"] == example["messages"] and item["reference"] == example["reference"]


def test_export_draws_at_random_and_a_seed_draws_the_same_pairs_again(run, tmp_path):
    first = export(run, tmp_path / "one", pairs=10, seed=7)
    again = export(run, tmp_path / "two", pairs=10, seed=7)
    other = export(run, tmp_path / "three", pairs=10, seed=8)
    unseeded = export(run, tmp_path / "four", pairs=10)

    def drawn(result):
        key = _load(result.key)
        return [(item["index"], item["fine_tuned"]) for item in key["items"]]

    assert first.pairs == 10 and len({index for index, _ in drawn(first)}) == 10
    assert not {index for index, _ in drawn(first)} & IDENTICAL
    assert drawn(first) == drawn(again) and first.packet_id != again.packet_id
    assert drawn(first) != drawn(other)
    assert _load(unseeded.key)["seed"] == unseeded.seed and isinstance(unseeded.seed, int)
    assert {side for _, side in drawn(first)} == {"a", "b"}


def test_export_against_another_rung_and_with_the_specs_categories(run, tmp_path):
    result = export(run, tmp_path / "r", against="base", seed=3, categories=["tone", "format"])
    packet = _load(result.packet)
    assert result.pairs == 30 and result.identical == 0
    assert packet["categories"] == ["tone", "format"] and "  - tone\n" in packet["instructions"]
    assert _load(result.judgments)["judgments"][0]["errors"] == {"a": [], "b": []}


def test_export_refuses_a_folder_that_holds_a_packet(run, exported):
    out, _ = exported
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(ReviewError, match=r"already holds a review packet \(packet.json, key.json, judgments.json\)"
                                          r".*pick another folder"):
        export(run, out, seed=1)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    (out / "key.json").unlink()
    (out / "judgments.json").unlink()
    with pytest.raises(ReviewError, match=r"\(packet.json\)"):
        export(run, out, seed=1)


@pytest.mark.parametrize(("against", "message"), [
    ("larger", "the run has no `larger` rung; choose one of: base, prompted_base"),
    ("gpt4", "`gpt4` is not a rung of the comparison ladder (base, prompted_base, larger); choose one of: base, "
             "prompted_base"),
    ("fine_tuned", "not with itself; choose one of: base, prompted_base"),
])
def test_export_refuses_a_rung_without_replies(run, tmp_path, against, message):
    with pytest.raises(ReviewError, match=re.escape(message)):
        export(run, tmp_path / "out", against=against)
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_run_without_fine_tuned_replies_or_files(run, tmp_path):
    with pytest.raises(ReviewError, match="pairs must be a whole number of at least 1"):
        export(run, tmp_path / "out", pairs=0)
    with pytest.raises(ReviewError, match="no error categories"):
        export(run, tmp_path / "out", categories=[])

    records = [json.loads(line) for line in (run / "predictions.jsonl").read_text().splitlines()]
    for record in records:
        del record["outputs"]["fine_tuned"]
    (run / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(ReviewError, match="no `fine_tuned` replies"):
        export(run, tmp_path / "out")

    (run / "predictions.jsonl").unlink()
    with pytest.raises(ReviewError, match=r"predictions.jsonl: not found"):
        export(run, tmp_path / "out")
    (run / "results.json").unlink()
    with pytest.raises(ReviewError, match=r"results.json: not found"):
        export(run, tmp_path / "out")
    assert not (tmp_path / "out").exists()


# -- import ------------------------------------------------------------------------


def test_import_unblinds_counts_and_decides_acceptance(run, exported):
    out, _ = exported
    before = _load(run / "results.json")
    human = import_judgments(run, _fill(out, "ann"), out / "key.json")

    # 14 wins, 8 losses, 4 ties on 26 judged pairs; a tie is half a win:
    #   win_rate = (14 + 4/2) / 26 = 16/26 = 0.615385
    # Wilson, z = 1.959964, z² = 3.841459, n = 26:
    #   z²/n = 0.147748, denominator = 1.147748
    #   centre    = (0.615385 + 3.841459/52) / 1.147748 = (0.615385 + 0.073874) / 1.147748 = 0.600531
    #   halfwidth = 1.959964 * sqrt(0.615385 * 0.384615 / 26 + 3.841459 / 2704) / 1.147748
    #             = 1.959964 * sqrt(0.0091033 + 0.0014207) / 1.147748 = 1.959964 * 0.102586 / 1.147748 = 0.175183
    #   ci95      = [0.425349, 0.775714]
    assert (human["wins"], human["losses"], human["ties"], human["judged"]) == (14, 8, 4, 26)
    assert (human["unjudged"], human["packets"], human["against"], human["reviewers"]) == (0, 26, "prompted_base",
                                                                                          ["ann"])
    assert human["win_rate"] == pytest.approx(16 / 26)
    assert human["ci95"] == pytest.approx([0.425349, 0.775714], abs=1e-6)
    # a wrong reply is `factual`; the fine-tuned one is wrong on losses and ties, with a format error on ties
    assert human["errors"] == {"fine_tuned": {"factual": 12, "format": 4, "reasoning": 0, "other": 0},
                               "prompted_base": {"factual": 18, "format": 0, "reasoning": 0, "other": 0}}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", human["imported"])

    after = _load(run / "results.json")
    _valid(after, "results.schema.json")
    assert after["human"] == human
    assert after["rungs"]["fine_tuned"]["metrics"]["win_rate"] == pytest.approx(16 / 26)
    assert [c["passed"] for c in after["acceptance"]] == [True, True] and after["passed"] is True
    assert after["acceptance"][0]["value"] == pytest.approx(16 / 26)
    # nothing else changed (the win rate is no longer listed as unavailable)
    expected = copy.deepcopy(before)
    expected["rungs"]["fine_tuned"]["metrics"]["win_rate"] = after["rungs"]["fine_tuned"]["metrics"]["win_rate"]
    expected["rungs"]["fine_tuned"]["unavailable"] = {}
    expected.update(human=human, acceptance=after["acceptance"], passed=True)
    assert after == expected


def test_import_decides_a_failing_win_rate(run, exported):
    out, _ = exported
    human = import_judgments(run, [_fill(out, "bob", contrary=True)], out / "key.json")
    # 8 wins, 14 losses, 4 ties: (8 + 2) / 26 = 0.384615; Wilson as above with p = 0.384615:
    #   centre = (0.384615 + 0.073874) / 1.147748 = 0.399469, halfwidth = 0.175183 (p(1-p) is the same)
    assert (human["wins"], human["losses"], human["ties"]) == (8, 14, 4)
    assert human["win_rate"] == pytest.approx(10 / 26)
    assert human["ci95"] == pytest.approx([0.224286, 0.574651], abs=1e-6)
    after = _load(run / "results.json")
    assert [c["passed"] for c in after["acceptance"]] == [False, True] and after["passed"] is False
    _valid(after, "results.schema.json")


def test_import_is_idempotent(run, exported):
    out, _ = exported
    judgments = _fill(out, "ann")
    first = import_judgments(run, judgments, out / "key.json")
    once = _load(run / "results.json")
    second = import_judgments(run, judgments, out / "key.json")
    twice = _load(run / "results.json")
    for document in (first, second, once["human"], twice["human"]):
        document.pop("imported")
    assert first == second and once == twice


def test_import_several_reviewers_and_unjudged_items(run, exported):
    out, _ = exported
    human = import_judgments(run, [_fill(out, "ann"), _fill(out, "bob", contrary=True)], out / "key.json")
    # every pair judged twice: 14 + 8 wins, 8 + 14 losses, 4 + 4 ties; (22 + 8/2) / 52 = 0.5, and with
    # n = 52: z²/n = 0.073874, centre = (0.5 + 0.036937) / 1.073874 = 0.5,
    # halfwidth = 1.959964 * sqrt(0.25/52 + 3.841459/10816) / 1.073874 = 0.131141
    assert (human["wins"], human["losses"], human["ties"], human["judged"]) == (22, 22, 8, 52)
    assert human["reviewers"] == ["ann", "bob"] and human["win_rate"] == 0.5
    assert human["ci95"] == pytest.approx([0.368859, 0.631141], abs=1e-6)
    assert human["errors"]["fine_tuned"]["factual"] == 24  # 12 by each
    assert _load(run / "results.json")["passed"] is True  # 0.5 >= 0.5

    # a reviewer who leaves the ties null: 14 wins, 8 losses, 4 unjudged whose errors are not counted;
    # (14 + 0) / 22 = 0.636364, z²/n = 0.174612, centre = (0.636364 + 0.087306) / 1.174612 = 0.616093,
    # halfwidth = 1.959964 * sqrt(0.636364 * 0.363636 / 22 + 3.841459 / 1936) / 1.174612 = 0.186575
    human = import_judgments(run, [_fill(out, "cy", skip_ties=True)], out / "key.json")
    assert (human["wins"], human["losses"], human["ties"], human["judged"], human["unjudged"]) == (14, 8, 0, 22, 4)
    assert human["ci95"] == pytest.approx([0.429517, 0.802668], abs=1e-6)
    assert human["errors"]["fine_tuned"] == {"factual": 8, "format": 0, "reasoning": 0, "other": 0}
    assert human["errors"]["prompted_base"]["factual"] == 14


def test_wilson_interval():
    assert wilson(16 / 26, 26) == pytest.approx((0.425349, 0.775714), abs=1e-6)
    low, high = wilson(1.0, 5)
    assert 0 < low < 1 and high == 1.0  # never zero-width, never past 1
    assert wilson(0.0, 5)[0] == 0.0


def test_import_refuses_a_tampered_packet(run, exported):
    out, _ = exported
    judgments = _fill(out, "ann")
    packet = _load(out / "packet.json")
    first = packet["items"][0]
    first["a"], first["b"] = first["b"], first["a"]
    (out / "packet.json").write_text(json.dumps(packet, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    before = (run / "results.json").read_bytes()
    with pytest.raises(ReviewError, match=r"packet.json: changed since export \(sha256"):
        import_judgments(run, judgments, out / "key.json")
    assert (run / "results.json").read_bytes() == before

    # a key kept apart from the packet, as advised, has nothing to compare with
    sealed = out.parent / "sealed"
    sealed.mkdir()
    (out / "key.json").rename(sealed / "key.json")
    assert import_judgments(run, judgments, sealed / "key.json")["wins"] == 14


def test_import_refuses_judgments_of_another_packet(run, exported, tmp_path):
    out, _ = exported
    path = _fill(out, "ann")
    judgments = _load(path)
    judgments["packet"] = "0123456789abcdef"
    path.write_text(json.dumps(judgments))
    with pytest.raises(ReviewError, match=rf"{re.escape(str(path))}: packet: judgments of packet '0123456789abcdef'"):
        import_judgments(run, path, out / "key.json")

    # the right judgments with another export's key
    other = export(run, tmp_path / "other", seed=1234)
    with pytest.raises(ReviewError, match="but the key is for packet"):
        import_judgments(run, _fill(out, "ann"), other.key)


def _broken(out: Path, change) -> Path:
    path = _fill(out, "ann")
    judgments = _load(path)
    change(judgments)
    path.write_text(json.dumps(judgments))
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda j: j["judgments"][3].update(preferred="c"),
     "judgments[3].preferred: 'c' is not one of ['a', 'b', 'tie', None]"),
    (lambda j: j["judgments"][2].update(prefered="a"),
     "judgments[2]: Additional properties are not allowed ('prefered' was unexpected)"),
    (lambda j: j["judgments"][5]["errors"].update(a=["style"]),
     "judgments[5].errors.a (item p006): 'style' is not a category of this packet; use one of: factual, format, "
     "reasoning, other"),
    (lambda j: j["judgments"][4].update(id="p999"), "judgments[4].id: 'p999' is not an item of packet"),
    (lambda j: j["judgments"][4].update(id="p001"), "judgments[4].id: 'p001' is judged twice in this file"),
    (lambda j: j.update(reviewer=" "), "reviewer: blank; fill in the reviewer's name"),
    (lambda j: j.pop("reviewer"), "'reviewer' is a required property"),
    (lambda j: [x.update(preferred=None) for x in j["judgments"]], "no item is judged in"),
])
def test_import_refuses_invalid_judgments_naming_the_file_and_the_place(run, exported, change, message):
    out, _ = exported
    path = _broken(out, change)
    before = (run / "results.json").read_bytes()
    with pytest.raises(ReviewError) as refused:
        import_judgments(run, path, out / "key.json")
    assert message in str(refused.value)
    assert str(path) in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert (run / "results.json").read_bytes() == before


def test_import_refuses_broken_files_and_a_reviewer_twice(run, exported):
    out, _ = exported
    path = out / "judgments-ann.json"
    path.write_text('{"packet": ')
    with pytest.raises(ReviewError, match=rf"{re.escape(str(path))}: not valid JSON: line 1 column 12"):
        import_judgments(run, path, out / "key.json")

    ann = _fill(out, "ann")
    with pytest.raises(ReviewError, match=r"reviewer: 'ann' also judged in"):
        import_judgments(run, [ann, ann], out / "key.json")

    with pytest.raises(ReviewError, match=r"missing.json: not found"):
        import_judgments(run, ann, out / "missing.json")
    (out / "not-a-key.json").write_text("{}")
    with pytest.raises(ReviewError, match=r"not-a-key.json: 'packet' is a required property"):
        import_judgments(run, ann, out / "not-a-key.json")


def test_import_refuses_a_run_whose_replies_changed(run, exported):
    out, _ = exported
    judgments = _fill(out, "ann")
    with (run / "predictions.jsonl").open("a") as f:
        f.write(json.dumps(_example(30)) + "\n")
    with pytest.raises(ReviewError, match=r"predictions.jsonl: changed since the packet was exported"):
        import_judgments(run, judgments, out / "key.json")


def test_schemas_document_every_field():
    """Titles and descriptions on every property: the schemas are the formats' documentation."""
    def walk(schema, where):
        for name, sub in schema.get("properties", {}).items():
            assert sub.get("description"), f"{where}.{name} has no description"
            if "$ref" not in sub:
                assert sub.get("title"), f"{where}.{name} has no title"
            walk(sub, f"{where}.{name}")
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], f"{where}[]")
        for name, sub in schema.get("$defs", {}).items():
            walk(sub, f"{where}#{name}")

    for name in ("review-packet", "review-key", "review-judgments"):
        schema = load_schema(f"{name}.schema.json")
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"https://ftspec.dev/schemas/{name}.schema.json" and schema["title"]
        assert schema == json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))
        walk(schema, name)
