"""Unit tests of the evaluation harness: k-shot prompts, overfitting signals, the comparison
ladder and results.json, the measured baseline file, and (on a tiny local model) reply loss
and batched generation. Expected numbers are worked out by hand next to the assertions."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import jsonschema
import pytest

from ftspec.data.sources import Example
from ftspec.evaluate import baseline, overfitting, shots
from ftspec.evaluate.ladder import SAMPLES, Ladder, eval_set_sha256, write_run_files

ROOT = Path(__file__).resolve().parent.parent
SYSTEM = {"role": "system", "content": "Route the message to an intent."}


def ex(user: str, answer: str | None, category: str | None = None, *, system: bool = True, line: int = 1) -> Example:
    messages = ([SYSTEM] if system else []) + [{"role": "user", "content": user}]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return Example(messages, "train.jsonl", line, category)


def conv(user: str, system: bool = True) -> list[dict[str, str]]:
    return ([SYSTEM] if system else []) + [{"role": "user", "content": user}]


# -- shots ---------------------------------------------------------------------------------------------


# Three answers: a has 3 examples, b 2, c 1 (6 in all).
TRAIN = [ex("a one", "a", "a", line=1), ex("a two", "a", "a", line=2), ex("a three", "a", "a", line=3),
         ex("b one", "b", "b", line=4), ex("b two", "b", "b", line=5), ex("c one", "c", "c", line=6)]


class TestShots:
    def test_first_shots_cover_distinct_answers(self):
        chosen = shots.choose(TRAIN, 3, seed=0)
        assert sorted(e.output for e in chosen) == ["a", "b", "c"]

    def test_round_robin_goes_one_deeper_per_round(self):
        # Round 1 takes one of each of a, b, c (3); round 2 only a and b have a second (5).
        chosen = shots.choose(TRAIN, 5, seed=1)
        counts = {k: [e.output for e in chosen].count(k) for k in "abc"}
        assert counts == {"a": 2, "b": 2, "c": 1}
        assert len({e.line for e in chosen}) == 5  # no example twice

    def test_deterministic_for_a_seed_and_seeds_can_differ(self):
        lines = [[e.line for e in shots.choose(TRAIN, 4, seed=s)] for s in range(10)]
        assert lines[3] == [e.line for e in shots.choose(TRAIN, 4, seed=3)]
        assert len({tuple(x) for x in lines}) > 1

    def test_k_larger_than_the_data_gives_all_of_it(self):
        assert sorted(e.line for e in shots.choose(TRAIN, 50, seed=0)) == [1, 2, 3, 4, 5, 6]

    def test_k_zero_or_negative_gives_none(self):
        assert shots.choose(TRAIN, 0, seed=0) == []
        assert shots.choose(TRAIN, -2, seed=0) == []
        assert shots.choose([], 3, seed=0) == []

    def test_never_picks_an_avoided_input_compared_normalised(self):
        avoid = ["  C   ONE ", "A one", "a TWO"]
        for seed in range(10):
            chosen = shots.choose(TRAIN, 6, seed=seed, avoid_inputs=avoid)
            assert sorted(e.line for e in chosen) == [3, 4, 5]  # c has none left; a only "a three"

    def test_examples_without_an_output_are_skipped(self):
        train = [ex("no answer", None, "a"), ex("empty answer", "", "a"), ex("b one", "b", "b", line=9)]
        assert [e.line for e in shots.choose(train, 3, seed=0)] == [9]

    def test_without_category_the_answer_is_the_key(self):
        train = [ex(f"x{i}", "yes") for i in range(3)] + [ex("y", "no", line=7)]
        assert sorted(e.output for e in shots.choose(train, 2, seed=5)) == ["no", "yes"]

    def test_turns_drop_system_messages_and_keep_order(self):
        got = shots.turns([TRAIN[0], ex("c one", "c", "c", system=False)])
        assert got == [{"role": "user", "content": "a one"}, {"role": "assistant", "content": "a"},
                       {"role": "user", "content": "c one"}, {"role": "assistant", "content": "c"}]

    def test_prompted_puts_shots_after_the_system_prompt(self):
        shot_turns = shots.turns([TRAIN[3]])
        conversation = conv("where is my card?")
        got = shots.prompted(conversation, shot_turns)
        assert got == [SYSTEM, {"role": "user", "content": "b one"}, {"role": "assistant", "content": "b"},
                       {"role": "user", "content": "where is my card?"}]
        assert conversation == conv("where is my card?")  # not changed in place

    def test_prompted_without_system_prompt_puts_shots_first(self):
        shot_turns = shots.turns([TRAIN[3]])
        got = shots.prompted(conv("hi", system=False), shot_turns)
        assert [m["content"] for m in got] == ["b one", "b", "hi"]
        assert shots.prompted(conv("hi"), []) == conv("hi")

    def test_prompted_with_labels_tells_the_model_its_choices(self):
        conversation = conv("where is my card?")
        got = shots.prompted(conversation, [], ["a", "b"])
        assert got[0] == {"role": "system", "content": SYSTEM["content"].rstrip() + "\n"
                          "Answer with exactly one of these labels and nothing else: a, b."}
        assert got[1:] == conversation[1:] and conversation == conv("where is my card?")
        bare = shots.prompted(conv("hi", system=False), [], ["a"])
        assert bare[0]["role"] == "system" and bare[0]["content"].endswith("labels and nothing else: a.")


# -- overfitting ---------------------------------------------------------------------------------------


def records(train: list[float], evals: dict[int, float]) -> list[dict]:
    """metrics.jsonl as the trainer logs it: a train record every 10 steps, eval records apart."""
    out = [{"step": 10 * (i + 1), "train_loss": loss, "epoch": 0.1 * (i + 1)} for i, loss in enumerate(train)]
    return out + [{"step": step, "eval_loss": loss} for step, loss in evals.items()]


LONG = "Your card will arrive within five working days of the order."  # 11 words
LONG2 = "Please block the card in the app and order a new one today."  # 12 words


class TestOverfitting:
    def test_validation_rising_while_training_falls(self):
        signal = overfitting.loss_divergence(records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.6}))
        # Best 1.5 at step 20, last 1.6 at 40 (a rise of 0.1 > 2% of 1.5 = 0.03).
        # Training: steps <= 20 -> [2.0, 1.8], mean 1.9; steps > 20 -> [1.6, 1.4], mean 1.5.
        assert signal["signal"] == "validation_loss_rising"
        assert (signal["from_step"], signal["to_step"]) == (20, 40)
        assert "from 1.5000 (step 20) to 1.6000 (step 40)" in signal["message"]
        assert "training loss fell from 1.9000 to 1.5000" in signal["message"]

    def test_training_means_use_the_last_three_on_each_side(self):
        signal = overfitting.loss_divergence(records([3.0, 2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3, 1.2],
                                                     {40: 1.0, 100: 1.2}))
        # Before (steps <= 40): last three of [3.0, 2.0, 1.9, 1.8] -> mean 1.9.
        # After (steps > 40): last three of [1.7 .. 1.2] -> [1.4, 1.3, 1.2], mean 1.3.
        assert "training loss fell from 1.9000 to 1.3000" in signal["message"]

    def test_a_rise_within_two_percent_is_noise(self):
        # 1.52 - 1.5 = 0.02 <= 0.03 (2% of 1.5): none; 1.54 - 1.5 = 0.04 > 0.03: a signal.
        assert overfitting.loss_divergence(records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.52})) is None
        assert overfitting.loss_divergence(records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.54})) is not None

    def test_no_signal_when_training_loss_rises_too(self):
        assert overfitting.loss_divergence(records([1.4, 1.6, 1.8, 2.0], {20: 1.5, 40: 1.6})) is None

    def test_no_signal_when_the_last_eval_is_the_best(self):
        assert overfitting.loss_divergence(records([2.0, 1.8, 1.6, 1.4], {20: 1.6, 40: 1.5})) is None

    def test_too_few_records(self):
        assert overfitting.loss_divergence([]) is None
        assert overfitting.loss_divergence(records([2.0, 1.8, 1.6, 1.4], {40: 1.6})) is None  # one eval
        assert overfitting.loss_divergence(records([1.4], {20: 1.5, 40: 1.6})) is None  # one train

    def test_missing_losses_at_some_steps_are_skipped(self):
        rows = records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.6})
        rows += [{"step": 30, "eval_loss": None}, {"step": 50, "train_loss": None}, {"step": 60},
                 {"step": 70, "eval_loss": "n/a"}]
        signal = overfitting.loss_divergence(rows)
        assert (signal["from_step"], signal["to_step"]) == (20, 40)  # steps 30 and 70 have no number

    def test_regurgitation_counts_long_training_replies_that_are_wrong(self):
        outputs = ["  your CARD will arrive within five   working days of the order. ",  # a training reply, wrong
                   LONG2,  # a training reply, but the reference
                   "yes",  # a short training reply
                   "Something else entirely that nobody wrote in the training data."]
        references = ["Block it.", LONG2, "no", "Anything."]
        found = overfitting.regurgitation(outputs, references, [LONG, LONG2, "yes"], ["q0", "q1", "q2", "q3"])
        # One hit (index 0) of 4: rate 0.25.
        assert (found["signal"], found["count"], found["rate"]) == ("regurgitation", 1, 0.25)
        assert found["examples"] == [{"index": 0, "input": "q0", "output": outputs[0]}]
        assert "1 of 4 replies" in found["message"] and "(25%)" in found["message"]

    def test_short_replies_are_never_regurgitation(self):
        short = "Card arrives in five working days."  # 6 words < MIN_WORDS (8)
        assert len(short.split()) < overfitting.MIN_WORDS
        assert overfitting.regurgitation([short], ["other"], [short]) is None

    def test_equal_to_the_reference_is_not_regurgitation(self):
        assert overfitting.regurgitation([LONG], [LONG.upper()], [LONG]) is None

    def test_keep_limits_the_examples_not_the_count(self):
        found = overfitting.regurgitation([LONG] * 7 + ["no"], ["x"] * 8, [LONG], keep=2)
        # 7 hits of 8: rate 0.875; two examples kept; no inputs -> no "input" key.
        assert (found["count"], found["rate"]) == (7, 0.875)
        assert found["examples"] == [{"index": 0, "output": LONG}, {"index": 1, "output": LONG}]

    def test_lengths_must_match(self):
        with pytest.raises(ValueError):
            overfitting.regurgitation([LONG, LONG], ["x"], [LONG])

    def test_signals_combines_both_or_gives_none(self):
        rows = records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.6})
        both = overfitting.signals(rows, [LONG], ["x"], [LONG], ["q"])
        assert [s["signal"] for s in both] == ["validation_loss_rising", "regurgitation"]
        assert overfitting.signals([], ["a"], ["a"], [LONG]) == []


# -- ladder --------------------------------------------------------------------------------------------


TASK = {"kind": "classification", "labels": ["a", "b", "c"], "output": {"kind": "label"}}
NAMES = ["accuracy", "macro_f1", "format_compliance", "eval_loss", "perplexity"]
CONVS = [conv("q0"), conv("q1"), conv("q2"), conv("q3")]
REFS = ["a", "b", "c", "a"]
TUNED = ["a", "b", "x", "b"]  # right, right, not a label, wrong label


def ref(rung: str, metric: str, sign: int = 1) -> dict:
    return {"sign": sign, "rung": rung, "metric": metric}


def num(value: float, sign: int = 1) -> dict:
    return {"sign": sign, "number": value}


def criterion(text: str, left: list[dict], op: str, right: list[dict]) -> dict:
    return {"text": text, "left": left, "op": op, "right": right}


BEATS_PROMPT = criterion("fine_tuned.accuracy >= prompted_base.accuracy + 0.25", [ref("fine_tuned", "accuracy")],
                         ">=", [ref("prompted_base", "accuracy"), num(0.25)])
WIN_RATE = criterion("fine_tuned.win_rate >= 0.6", [ref("fine_tuned", "win_rate")], ">=", [num(0.6)])
HIGH_BAR = criterion("fine_tuned.accuracy >= 0.9", [ref("fine_tuned", "accuracy")], ">=", [num(0.9)])
LARGER = criterion("fine_tuned.accuracy >= larger.accuracy", [ref("fine_tuned", "accuracy")], ">=",
                   [ref("larger", "accuracy")])


def ladder(convs=CONVS, refs=REFS, task=TASK, names=NAMES) -> Ladder:
    return Ladder(task=task, metric_names=names, conversations=convs, references=refs)


def schema() -> dict:
    return json.loads((ROOT / "schemas" / "results.schema.json").read_text(encoding="utf-8"))


def validate(results: dict) -> None:
    jsonschema.Draft202012Validator(schema()).validate(json.loads(json.dumps(results)))


class TestLadder:
    def test_add_scores_with_the_task_metrics(self):
        entry = ladder().add("fine_tuned", TUNED, losses={"eval_loss": 0.5, "perplexity": math.exp(0.5)},
                             model="m", adapter=None, seconds=1.23456)
        m = entry["metrics"]
        assert list(m) == NAMES  # the spec's order, losses after the text metrics
        assert m["accuracy"] == 0.5  # 2 of 4
        # F1 per class: a p=1/1 r=1/2 -> 2/3; b p=1/2 r=1/1 -> 2/3; c 0 -> mean 4/9.
        assert m["macro_f1"] == pytest.approx(4 / 9)
        assert m["format_compliance"] == 0.75  # "x" is no label: 3 of 4
        assert m["eval_loss"] == 0.5 and m["perplexity"] == pytest.approx(1.6487, abs=1e-4)
        assert "unavailable" not in entry
        assert entry["examples"] == 4 and entry["model"] == "m" and "adapter" not in entry  # None dropped
        assert entry["seconds"] == 1.235
        assert entry["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                                           "support": 2}
        assert entry["confusion"] == {"labels": ["a", "b", "c", "(other)"],
                                      "matrix": [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]}

    def test_losses_named_but_not_given_are_unavailable(self):
        entry = ladder().add("base", REFS, unavailable={"eval_loss": "an endpoint gives no token probabilities"})
        assert set(entry["metrics"]) == {"accuracy", "macro_f1", "format_compliance"}
        assert entry["unavailable"] == {"eval_loss": "an endpoint gives no token probabilities",
                                        "perplexity": "not measured for this rung"}

    def test_non_finite_losses_are_left_out_and_unavailable(self):
        entry = ladder().add("base", REFS, losses={"eval_loss": float("nan"), "perplexity": float("inf")})
        assert "eval_loss" not in entry["metrics"] and "perplexity" not in entry["metrics"]
        assert set(entry["unavailable"]) == {"eval_loss", "perplexity"}

    def test_losses_not_named_are_not_asked_for(self):
        entry = ladder(names=["accuracy"]).add("base", REFS)
        assert entry["metrics"] == {"accuracy": 1.0} and "unavailable" not in entry

    def test_only_ladder_rungs(self):
        with pytest.raises(AssertionError):
            ladder().add("teacher", REFS)

    def test_line(self):
        lad = ladder()
        lad.add("fine_tuned", TUNED, losses={"eval_loss": 0.5, "perplexity": math.exp(0.5)})
        assert lad.line("fine_tuned") == ("fine_tuned: accuracy 0.500, macro_f1 0.444, format_compliance 0.750, "
                                          "eval_loss 0.500, perplexity 1.649")
        lad = ladder(names=[])
        lad.add("base", REFS)
        assert lad.line("base") == "base: no metrics"

    def test_rungs_are_ordered_whatever_the_add_order(self):
        lad = ladder()
        for rung in ("fine_tuned", "larger", "base", "prompted_base"):
            lad.add(rung, REFS)
        assert list(lad.ordered()) == ["base", "prompted_base", "larger", "fine_tuned"]
        assert list(lad.predictions()[0]["outputs"]) == ["base", "prompted_base", "larger", "fine_tuned"]

    def measured(self) -> Ladder:
        lad = ladder()
        lad.add("prompted_base", ["a", "a", "a", "a"])  # accuracy 2/4 = 0.5
        lad.add("fine_tuned", REFS)  # accuracy 1.0
        return lad

    def test_decide_passes_when_every_criterion_holds(self):
        verdicts, passed = self.measured().decide([BEATS_PROMPT])
        # 1.0 >= 0.5 + 0.25 = 0.75
        assert passed is True
        assert verdicts == [{"criterion": BEATS_PROMPT["text"], "value": 1.0, "threshold": 0.75, "passed": True}]

    def test_a_pending_win_rate_does_not_fail(self):
        verdicts, passed = self.measured().decide([BEATS_PROMPT, WIN_RATE])
        assert passed is True
        assert verdicts[1]["passed"] is None and verdicts[1]["value"] is None
        assert "ftspec review import" in verdicts[1]["pending"]
        assert "pending" not in verdicts[0]

    def test_a_measured_win_rate_decides(self):
        lad = self.measured()
        lad.add("fine_tuned", REFS, losses={"win_rate": 0.4})  # as after `ftspec review import`
        verdicts, passed = lad.decide([WIN_RATE])
        assert passed is False and verdicts[0]["passed"] is False and "pending" not in verdicts[0]

    def test_a_failing_criterion_fails(self):
        lad = ladder()
        lad.add("prompted_base", REFS)
        lad.add("fine_tuned", TUNED)
        verdicts, passed = lad.decide([BEATS_PROMPT, WIN_RATE])
        # 0.5 >= 1.0 + 0.25 fails; the pending win rate does not rescue it.
        assert passed is False
        assert (verdicts[0]["value"], verdicts[0]["threshold"], verdicts[0]["passed"]) == (0.5, 1.25, False)

    def test_a_rung_not_measured_fails_without_pending(self):
        verdicts, passed = self.measured().decide([LARGER])
        assert passed is False
        assert verdicts[0]["passed"] is None and verdicts[0]["threshold"] is None and "pending" not in verdicts[0]

    def test_no_criteria_pass(self):
        assert self.measured().decide([]) == ([], True)

    def run_results(self, lad: Ladder, kind: str = "run", **kw) -> dict:
        return lad.results(kind=kind, spec={"name": "t", "file": "x.ftspec"},
                           decoding={"strategy": "greedy", "max_new_tokens": 8, "batch_size": 4},
                           criteria=[BEATS_PROMPT, WIN_RATE], **kw)

    def test_results_of_a_run_are_valid(self):
        lad = self.measured()
        results = self.run_results(lad, training={"global_step": 40}, limit=None)
        validate(results)
        assert results["kind"] == "run" and results["passed"] is True
        assert results["eval_set"] == {"examples": 4, "sha256": eval_set_sha256(CONVS, REFS), "limit": None}
        assert list(results["rungs"]) == ["prompted_base", "fine_tuned"]
        assert results["task"] == {"kind": "classification", "labels": ["a", "b", "c"], "output": {"kind": "label"}}
        assert results["criteria"] == [BEATS_PROMPT, WIN_RATE] and results["overfitting"] == []
        assert results["samples"][2] == {"index": 2, "input": "q2", "reference": "c",
                                         "outputs": {"prompted_base": "a", "fine_tuned": "c"}}

    def test_results_of_a_baseline_are_valid(self):
        lad = ladder()
        lad.add("base", ["a", "b", "b", "b"], shots=0, unavailable={"eval_loss": "x", "perplexity": "x"})
        lad.add("prompted_base", ["a"] * 4, shots=3)
        results = lad.results(kind="baseline", spec={"name": "t"},
                              decoding={"strategy": "greedy", "max_new_tokens": 8}, criteria=[], limit=2)
        validate(results)
        assert results["kind"] == "baseline" and results["passed"] is True and results["acceptance"] == []
        assert results["eval_set"]["limit"] == 2 and list(results["rungs"]) == ["base", "prompted_base"]

    def test_samples_are_capped(self):
        n = SAMPLES + 5
        lad = ladder(convs=[conv(f"q{i}") for i in range(n)], refs=["a"] * n)
        lad.add("fine_tuned", ["a"] * n)
        results = self.run_results(lad)
        validate(results)
        assert results["eval_set"]["examples"] == n
        assert [s["index"] for s in results["samples"]] == list(range(SAMPLES))

    def test_overfitting_signals_only_for_a_run_with_fine_tuned(self):
        task = {"kind": "knowledge", "labels": None, "output": {"kind": "text"}}
        rows = records([2.0, 1.8, 1.6, 1.4], {20: 1.5, 40: 1.6})
        tuned = ladder(CONVS[:2], ["Short.", "Short."], task, ["exact_match"])
        tuned.add("fine_tuned", [LONG, "Short."])
        results = self.run_results(tuned, records=rows, train_outputs=[LONG])
        validate(results)
        assert [s["signal"] for s in results["overfitting"]] == ["validation_loss_rising", "regurgitation"]
        assert results["overfitting"][1]["examples"] == [{"index": 0, "input": "q0", "output": LONG}]
        assert self.run_results(tuned, kind="baseline", records=rows, train_outputs=[LONG])["overfitting"] == []

        untuned = ladder(CONVS[:2], ["Short.", "Short."], task, ["exact_match"])
        untuned.add("base", [LONG, "Short."])
        assert self.run_results(untuned, records=rows, train_outputs=[LONG])["overfitting"] == []

    def test_predictions_one_per_example_with_every_rung(self):
        lad = self.measured()
        preds = lad.predictions()
        assert len(preds) == 4
        assert preds[3] == {"index": 3, "messages": CONVS[3], "reference": "a",
                            "outputs": {"prompted_base": "a", "fine_tuned": "a"}}

    def test_eval_set_sha256(self):
        digest = eval_set_sha256(CONVS, REFS)
        assert len(digest) == 64 and digest == eval_set_sha256([list(c) for c in CONVS], list(REFS))
        assert eval_set_sha256(CONVS, ["a", "b", "c", "b"]) != digest  # a reference changed
        assert eval_set_sha256([conv("q0"), conv("q1"), conv("q2"), conv("Q3")], REFS) != digest
        assert eval_set_sha256(CONVS[:3], REFS[:3]) != digest
        with pytest.raises(ValueError):
            eval_set_sha256(CONVS, REFS[:3])

    def test_write_run_files(self, tmp_path):
        lad = self.measured()
        results, preds = self.run_results(lad), lad.predictions()
        folder = tmp_path / "runs" / "one"  # not there yet
        write_run_files(folder, results, preds)
        lines = (folder / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == preds
        assert json.loads((folder / "results.json").read_text(encoding="utf-8")) == results
        write_run_files(folder, results, preds, results_name="baseline.json")
        assert json.loads((folder / "baseline.json").read_text(encoding="utf-8")) == results


# -- baseline ------------------------------------------------------------------------------------------


SPEC = """\
ftspec 1
task "t" {{ kind = classification  labels = ["a", "b"] }}
data {{
  train  = jsonl("data/train.jsonl")
  eval   = jsonl("data/eval.jsonl")
  system = "{system}"
}}
model {{ base = "{model}" }}
eval {{
  max_new_tokens = 8
  compare {{ prompted_base {{ shots = 3 }} }}
}}
"""


def jsonl(rows: list[tuple[str, str]]) -> str:
    return "".join(json.dumps({"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]})
                   + "\n" for q, a in rows)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.jsonl").write_text(jsonl([("one", "a"), ("two", "b")]), encoding="utf-8")
    (tmp_path / "data" / "eval.jsonl").write_text(jsonl([("three", "a"), ("four", "b")]), encoding="utf-8")
    return tmp_path


def analyse(folder: Path, *, system: str = "Pick a or b.", model: str = "org/model"):
    from ftspec.lint import analyse as lint

    path = folder / "x.ftspec"
    path.write_text(SPEC.format(system=system, model=model), encoding="utf-8")
    spec, diagnostics = lint(path.read_text(encoding="utf-8"), str(path))
    assert spec is not None, diagnostics
    return spec, path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def record(spec, folder: Path, *, limit: int | None = None) -> dict:
    return {"format": 1, "kind": "baseline", "created": "2025-01-02T03:04:05Z", "spec": {"name": "t"},
            "eval_set": {"examples": 2, "sha256": "0" * 64, "limit": limit},
            "rungs": {"base": {"examples": 2, "metrics": {"accuracy": 0.5}},
                      "prompted_base": {"examples": 2, "metrics": {"accuracy": 0.75, "macro_f1": 0.7}}},
            "inputs": baseline.inputs_for_spec(spec, folder)}


def write_record(spec_path: Path, data: dict) -> Path:
    path = baseline.path_for(spec_path)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def plain_inputs(folder: Path, **over) -> dict:
    args = {"model": "org/model", "revision": None, "system": "s", "shots": 3, "max_new_tokens": 8,
            "eval_sources": [{"path": "data/eval.jsonl", "format": "jsonl"}],
            "train_sources": [{"path": "data/train.jsonl", "format": "jsonl"}], "spec_dir": folder}
    return baseline.inputs(**{**args, **over})


class TestBaseline:
    def test_path_for(self):
        assert baseline.path_for(Path("a/b.ftspec")) == Path("a/b.baseline.json")
        assert baseline.path_for("b.ftspec") == Path("b.baseline.json")

    def test_inputs_hash_the_data(self, project):
        got = plain_inputs(project)
        assert got["eval"] == [{"format": "jsonl", "path": "data/eval.jsonl",
                                "sha256": sha256(project / "data" / "eval.jsonl")}]
        assert list(got["eval"][0]) == ["format", "path", "sha256"]  # sorted keys, hash last
        assert got["train"][0]["sha256"] == sha256(project / "data" / "train.jsonl")
        assert {k: got[k] for k in ("model", "revision", "system", "shots", "max_new_tokens")} == {
            "model": "org/model", "revision": None, "system": "s", "shots": 3, "max_new_tokens": 8}

    def test_inputs_absolute_and_missing_data(self, project):
        absolute = str(project / "data" / "eval.jsonl")
        got = plain_inputs(project, eval_sources=[{"path": absolute, "format": "jsonl"}],
                           train_sources=[{"path": "data/nowhere.jsonl", "format": "jsonl"}])
        assert got["eval"][0]["sha256"] == sha256(project / "data" / "eval.jsonl")
        assert got["train"][0]["sha256"] is None

    def test_inputs_without_hashing(self, project):
        got = plain_inputs(project, hash_data=False)
        assert got["eval"] == [{"format": "jsonl", "path": "data/eval.jsonl"}]
        assert "sha256" not in got["train"][0]

    def test_model_paths(self, project, tmp_path_factory):
        inside = project / "models" / "tiny"
        inside.mkdir(parents=True)
        outside = tmp_path_factory.mktemp("elsewhere")
        assert plain_inputs(project, model=str(inside))["model"] == "models/tiny"
        assert plain_inputs(project, model=str(outside))["model"] == str(outside)
        assert plain_inputs(project, model="HuggingFaceTB/SmolLM2-135M-Instruct")["model"] == \
            "HuggingFaceTB/SmolLM2-135M-Instruct"

    def test_changes_name_each_change(self, project):
        old = plain_inputs(project)
        assert baseline.changes(old, plain_inputs(project)) == []
        cases = {
            "model": ({"model": "org/other"}, "the model changed ('org/model' -> 'org/other')"),
            "revision": ({"revision": "v2"}, "the model revision changed (None -> 'v2')"),
            "system": ({"system": "t"}, "the system prompt changed ('s' -> 't')"),
            "shots": ({"shots": 5}, "the number of shots changed (3 -> 5)"),
            "max_new_tokens": ({"max_new_tokens": 16}, "max_new_tokens changed (8 -> 16)"),
            "eval": ({"eval_sources": [{"path": "data/train.jsonl", "format": "jsonl"}]}, "the eval data changed"),
            "train": ({"train_sources": []}, "the train data (the prompted base's shots) changed"),
            "labels": ({"labels": ["a", "b"]}, "the labels changed (None -> ['a', 'b'])"),
            "base_shots": ({"base_shots": 2}, "the base rung's shots changed (None -> 2)"),
            "seed": ({"seed": 7}, "the seed (it draws the shots) changed (None -> 7)"),
            "quantized": ({"quantized": 4}, "the quantisation of the base model changed (None -> 4)"),
            "split": ({"split": {"fraction": 0.2, "stratified": True, "source": None}},
                      "the validation split (the shots come from what it leaves) changed"),
        }
        for key, (over, reason) in cases.items():
            assert baseline.changes(old, plain_inputs(project, **over)) == [reason], key
        both = baseline.changes(old, plain_inputs(project, shots=1, train_sources=[]))
        assert both == ["the number of shots changed (3 -> 1)", "the train data (the prompted base's shots) changed"]

    def test_changes_of_content_only_ignored_without_compare_data(self, project):
        old = plain_inputs(project)
        (project / "data" / "eval.jsonl").write_text(jsonl([("three", "b")]), encoding="utf-8")
        now = plain_inputs(project)
        assert baseline.changes(old, now) == ["the eval data changed"]
        assert baseline.changes(old, now, compare_data=False) == []
        assert baseline.changes(old, plain_inputs(project, hash_data=False), compare_data=False) == []
        moved = plain_inputs(project, eval_sources=[{"path": "data/other.jsonl", "format": "jsonl"}])
        assert baseline.changes(old, moved, compare_data=False) == ["the eval data changed"]

    def test_lookup_without_a_file(self, project):
        spec, path = analyse(project)
        assert baseline.lookup(spec, path) is None

    def test_lookup_a_current_record(self, project):
        spec, path = analyse(project)
        write_record(path, record(spec, project))
        measured = baseline.lookup(spec, path)
        assert measured.usable and measured.stale == [] and measured.problem is None
        assert measured.score("accuracy") == 0.75 and measured.score("accuracy", "base") == 0.5
        assert measured.score("macro_f1", "base") is None and measured.score("accuracy", "larger") is None
        assert measured.describe() == "measured by `ftspec baseline` on 2025-01-02, x.baseline.json"

    def test_lookup_sees_changed_data(self, project):
        spec, path = analyse(project)
        write_record(path, record(spec, project))
        (project / "data" / "train.jsonl").write_text(jsonl([("one", "b")]), encoding="utf-8")
        measured = baseline.lookup(spec, path)
        assert not measured.usable
        assert measured.stale == ["the train data (the prompted base's shots) changed"]
        assert baseline.lookup(spec, path, hash_data=False).usable  # not comparing content

    def test_lookup_sees_a_changed_spec(self, project):
        spec, path = analyse(project)
        write_record(path, record(spec, project))
        spec, path = analyse(project, system="Answer a or b.")
        assert baseline.lookup(spec, path).stale == [
            "the system prompt changed ('Pick a or b.' -> 'Answer a or b.')"]

    def test_lookup_local_model_in_the_spec_folder(self, project):
        (project / "models" / "tiny").mkdir(parents=True)
        spec, path = analyse(project, model="models/tiny")
        data = record(spec, project)
        assert data["inputs"]["model"] == "models/tiny"  # portable: relative to the spec's folder
        write_record(path, data)
        assert baseline.lookup(spec, path).usable

    def test_lookup_a_limited_measurement_is_stale(self, project):
        spec, path = analyse(project)
        write_record(path, record(spec, project, limit=5))
        measured = baseline.lookup(spec, path)
        assert measured.stale == ["it measured only the first 5 eval examples (--limit)"] and not measured.usable

    def test_lookup_a_corrupt_or_foreign_file(self, project):
        spec, path = analyse(project)
        baseline.path_for(path).write_text("{not json", encoding="utf-8")
        measured = baseline.lookup(spec, path)
        assert measured.problem.startswith("cannot read x.baseline.json: ") and not measured.usable
        assert measured.rungs == {} and measured.score("accuracy") is None
        write_record(path, {**record(spec, project), "kind": "run"})
        assert baseline.lookup(spec, path).problem == "cannot read x.baseline.json: not a baseline record of ftspec"
        write_record(path, [1, 2])
        assert "not a baseline record" in baseline.lookup(spec, path).problem


# -- runtime: reply loss and generation on a tiny local model -----------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    pytest.importorskip("transformers")
    import torch
    from tinymodel import build_tiny_model

    from ftspec.runtime.models import load_model, load_tokenizer

    # A 2-layer model with 32 hidden units: one thread is much faster than several
    # contending for a shared CPU.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")
    yield load_model(str(folder), dtype="float32"), load_tokenizer(str(folder))
    torch.set_num_threads(threads)


# Very different lengths, one without a system prompt.
CONVERSATIONS = [
    conv("card"),
    conv("My entire gym bag, including my wallet, was stolen out of my locker today. Everything in my wallet is "
         "gone - how do I block the card to make it can't be used?"),
    conv("top up failed", system=False),
    conv("Is there a way to know when my card will arrive? I have been waiting a week."),
    conv("pin blocked"),
    conv("What exchange rate do you use for euros to dollars, and is there a fee on top of it?"),
]
REPLIES = ["card_arrival", "lost_or_stolen_card", "top_up_failed", "card_arrival", "pin_blocked", "exchange_rate"]


def ids(encoded) -> list[int]:
    return list(encoded["input_ids"] if hasattr(encoded, "keys") else encoded)


class TestRuntime:
    def test_reply_loss_is_the_token_mean_over_reply_tokens(self, tiny):
        import torch

        from ftspec.runtime.loss import reply_loss

        model, tokenizer = tiny
        total, count, means = 0.0, 0, []
        for conversation, reply in zip(CONVERSATIONS[:3], REPLIES[:3], strict=True):
            prompt = ids(tokenizer.apply_chat_template(conversation, tokenize=True, add_generation_prompt=True))
            full = ids(tokenizer.apply_chat_template(conversation + [{"role": "assistant", "content": reply}],
                                                     tokenize=True))
            assert full[:len(prompt)] == prompt
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([full])).logits[0].float()
            # Token t is predicted by the logits at t - 1: the reply's tokens (and <|im_end|>\n) only.
            losses = torch.nn.functional.cross_entropy(logits[len(prompt) - 1:-1], torch.tensor(full[len(prompt):]),
                                                       reduction="none")
            total, count = total + float(losses.sum()), count + len(losses)
            means.append(float(losses.mean()))
        expected = total / count
        got = reply_loss(model, tokenizer, CONVERSATIONS[:3], REPLIES[:3], batch_size=2)  # padded batches
        assert got == pytest.approx(expected, rel=1e-5)
        assert reply_loss(model, tokenizer, CONVERSATIONS[:3], REPLIES[:3], batch_size=1) == pytest.approx(
            expected, rel=1e-5)
        # Weighted by tokens, not a mean of the examples' means (their reply lengths differ).
        assert sum(means) / len(means) != pytest.approx(expected, rel=1e-5)

    def test_reply_loss_with_no_reply_tokens_is_nan(self, tiny):
        from ftspec.runtime.loss import reply_loss

        model, tokenizer = tiny
        assert reply_loss(model, tokenizer, [], []) != reply_loss(model, tokenizer, [], [])  # nan
        assert math.isnan(reply_loss(model, tokenizer, CONVERSATIONS[:1], ["x"], max_length=3))  # prompt cut

    def test_perplexity(self):
        from ftspec.runtime.loss import perplexity

        assert perplexity(0.5) == pytest.approx(1.6487, abs=1e-4)  # e^0.5
        assert perplexity(0.0) == 1.0
        assert perplexity(100.0) == math.exp(50.0)  # capped
        assert math.isnan(perplexity(float("nan")))

    def test_generate_batched_equals_one_at_a_time_in_input_order(self, tiny):
        from ftspec.runtime.generate import generate

        model, tokenizer = tiny
        calls: list[tuple[int, int]] = []
        batched = generate(model, tokenizer, CONVERSATIONS, max_new_tokens=8, batch_size=4,
                           progress=lambda done, total: calls.append((done, total)))
        single = generate(model, tokenizer, CONVERSATIONS, max_new_tokens=8, batch_size=1)
        alone = [generate(model, tokenizer, [c], max_new_tokens=8)[0] for c in CONVERSATIONS]
        assert batched == single == alone  # fp32, left padding: padding changes nothing
        assert len(set(alone)) > 1  # replies differ, so a reply in the wrong place would show
        assert calls == [(4, 6), (6, 6)]  # 6 conversations in batches of 4

    def test_generate_progress_one_at_a_time_and_nothing(self, tiny):
        from ftspec.runtime.generate import generate

        model, tokenizer = tiny
        calls: list[tuple[int, int]] = []
        generate(model, tokenizer, CONVERSATIONS[:3], max_new_tokens=2, batch_size=1,
                 progress=lambda done, total: calls.append((done, total)))
        assert calls == [(1, 3), (2, 3), (3, 3)]
        calls.clear()
        assert generate(model, tokenizer, [], max_new_tokens=2, progress=lambda d, t: calls.append((d, t))) == []
        assert calls == []
