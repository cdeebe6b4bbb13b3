"""Unit tests for the runtime library the compiled scripts import, and for the data readers and split.

Expected values are worked out by hand in the comments next to each assertion.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

from ftspec.data.sources import DataError, Example, SourceSpec, read
from ftspec.data.split import split
from ftspec.evaluate import acceptance
from ftspec.run.progress import ProgressView
from ftspec.runtime import data, schedule
from ftspec.runtime.callbacks import PROGRESS_PREFIX, MetricsLog, last_checkpoint
from ftspec.runtime.io import atomic_write_json, atomic_write_text

# -- helpers ----------------------------------------------------------------------------------------


def chat(user: str, assistant: str, *, system: str | None = None, tags: list[str] | None = None) -> dict:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    obj: dict = {"messages": messages}
    if tags is not None:
        obj["tags"] = tags
    return obj


def write_jsonl(path: Path, objs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


def examples(categories: list[str | None]) -> list[Example]:
    """One example per entry; `line` is the position (0-based) so examples can be told apart."""
    return [Example([{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}],
                    "mem", i, c) for i, c in enumerate(categories)]


# -- split ------------------------------------------------------------------------------------------


def lines(part: list[Example]) -> list[int]:
    return [ex.line for ex in part]


class TestSplit:
    CATS = ["a"] * 10 + ["b"] * 6 + ["c"] * 3 + ["d"] * 2 + ["e"]

    def test_same_seed_same_split(self):
        exs = examples(self.CATS)
        for stratified in (False, True):
            first = split(exs, 0.2, stratified=stratified, seed=7)
            again = split(exs, 0.2, stratified=stratified, seed=7)
            assert (lines(first[0]), lines(first[1])) == (lines(again[0]), lines(again[1]))

    def test_different_seeds_differ(self):
        exs = examples([None] * 40)
        held = {tuple(lines(split(exs, 0.25, stratified=False, seed=s)[1])) for s in range(5)}
        assert len(held) > 1

    @pytest.mark.parametrize("stratified", [False, True])
    @pytest.mark.parametrize("seed", [0, 1, 42])
    def test_train_and_validation_partition_the_examples_in_order(self, stratified, seed):
        exs = examples(self.CATS)
        train, validation = split(exs, 0.3, stratified=stratified, seed=seed)
        assert sorted(lines(train) + lines(validation)) == list(range(len(exs)))  # nothing lost or duplicated
        assert not set(lines(train)) & set(lines(validation))
        assert lines(train) == sorted(lines(train))  # input order kept
        assert lines(validation) == sorted(lines(validation))
        assert all(ex is exs[ex.line] for ex in train + validation)  # the same objects, not copies

    @pytest.mark.parametrize("seed", range(10))
    def test_stratified_keeps_every_category_with_two_or_more_on_both_sides(self, seed):
        exs = examples(self.CATS)
        train, validation = split(exs, 0.1, stratified=True, seed=seed)
        for cat in "abcd":  # e has a single example
            assert cat in {ex.category for ex in train}
            assert cat in {ex.category for ex in validation}

    def test_stratified_fraction_rounded_per_category(self):
        # fraction 0.3: a: round(3.0)=3, b: round(1.8)=2, c: round(0.9)=1, d: round(0.6)=1,
        # e (single): round(0.3)=0 -> 7 held
        exs = examples(self.CATS)
        _, validation = split(exs, 0.3, stratified=True, seed=3)
        counts = {c: sum(ex.category == c for ex in validation) for c in "abcde"}
        assert counts == {"a": 3, "b": 2, "c": 1, "d": 1, "e": 0}

    def test_stratified_small_fraction_still_holds_one_per_category(self):
        # fraction 0.05 of a (10) is round(0.5)=0, raised to 1 so that a is on both sides
        exs = examples(["a"] * 10 + ["b"] * 10)
        _, validation = split(exs, 0.05, stratified=True, seed=0)
        assert sorted(ex.category for ex in validation) == ["a", "b"]

    @pytest.mark.parametrize(("n", "fraction", "held"), [(20, 0.1, 2), (20, 0.25, 5), (7, 0.3, 2), (10, 0.01, 1)])
    def test_fraction_respected_with_rounding(self, n, fraction, held):
        # 20*0.1=2; 20*0.25=5; 7*0.3=2.1 -> 2; 10*0.01=0.1 -> 0, at least 1
        _, validation = split(examples([None] * n), fraction, stratified=False, seed=0)
        assert len(validation) == held

    def test_train_never_emptied(self):
        train, validation = split(examples([None] * 3), 0.99, stratified=False, seed=0)
        assert len(train) == 1 and len(validation) == 2

    @pytest.mark.parametrize("stratified", [False, True])
    def test_fraction_zero_means_no_validation(self, stratified):
        exs = examples(self.CATS)
        train, validation = split(exs, 0.0, stratified=stratified, seed=0)
        assert validation == []
        assert train == exs and train is not exs

    def test_single_example_goes_to_train(self):
        exs = examples(["a"])
        assert split(exs, 0.5, stratified=False, seed=0) == (exs, [])


# -- sources ----------------------------------------------------------------------------------------


class TestReadJsonl:
    def test_reads_messages_with_line_numbers_skipping_blank_lines(self, tmp_path):
        path = tmp_path / "train.jsonl"
        path.write_text(
            json.dumps(chat("hi", "hello", tags=["greeting", "x"])) + "\n"
            + "\n"
            + "   \n"
            + json.dumps(chat("2+2?", "4", system="be brief")) + "\n",
            encoding="utf-8",
        )
        got = list(read(SourceSpec("jsonl", "train.jsonl"), tmp_path))
        assert [ex.line for ex in got] == [1, 4]
        assert all(ex.path == str(path) for ex in got)
        assert got[0].messages == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
        assert got[0].category == "greeting"  # first tag
        assert got[1].category == "4"  # no tags: the assistant's reply
        assert got[1].messages[0] == {"role": "system", "content": "be brief"}
        assert (got[1].input, got[1].output) == ("2+2?", "4")

    def test_extra_message_keys_are_dropped(self, tmp_path):
        obj = {"messages": [{"role": "user", "content": "q", "name": "u"},
                            {"role": "assistant", "content": "a", "weight": 0}]}
        write_jsonl(tmp_path / "t.jsonl", [obj])
        (ex,) = read(SourceSpec("jsonl", "t.jsonl"), tmp_path)
        assert ex.messages == [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]

    def test_non_string_first_tag_falls_back_to_reply(self, tmp_path):
        write_jsonl(tmp_path / "t.jsonl", [chat("q", "ans", tags=[3]), chat("q", "ans2", tags=[])])
        assert [ex.category for ex in read(SourceSpec("jsonl", "t.jsonl"), tmp_path)] == ["ans", "ans2"]

    def test_invalid_json_on_line_three(self, tmp_path):
        path = tmp_path / "t.jsonl"
        path.write_text(json.dumps(chat("a", "b")) + "\n" + json.dumps(chat("c", "d")) + "\n"
                        + '{"messages": [\n', encoding="utf-8")
        it = read(SourceSpec("jsonl", "t.jsonl"), tmp_path)
        assert next(it).line == 1 and next(it).line == 2  # streamed: good lines come first
        with pytest.raises(DataError) as err:
            next(it)
        assert (err.value.path, err.value.line) == (str(path), 3)
        assert "invalid JSON" in err.value.message
        assert str(err.value).startswith(f"{path}:3: ")

    def test_missing_messages(self, tmp_path):
        path = tmp_path / "t.jsonl"
        path.write_text(json.dumps(chat("a", "b")) + "\n" + json.dumps({"text": "hi"}) + "\n", encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("jsonl", "t.jsonl"), tmp_path))
        assert (err.value.path, err.value.line) == (str(path), 2)
        assert "messages" in err.value.message

    def test_empty_messages(self, tmp_path):
        write_jsonl(tmp_path / "t.jsonl", [{"messages": []}])
        with pytest.raises(DataError, match="messages"):
            list(read(SourceSpec("jsonl", "t.jsonl"), tmp_path))

    def test_last_message_must_be_assistant(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [{"messages": [{"role": "user", "content": "hi"}]}])
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("jsonl", "t.jsonl"), tmp_path))
        assert (err.value.path, err.value.line) == (str(path), 1)
        assert "assistant" in err.value.message

    def test_message_without_string_content(self, tmp_path):
        write_jsonl(tmp_path / "t.jsonl", [{"messages": [{"role": "user", "content": 5},
                                                         {"role": "assistant", "content": "x"}]}])
        with pytest.raises(DataError, match="message 0"):
            list(read(SourceSpec("jsonl", "t.jsonl"), tmp_path))

    def test_line_that_is_not_an_object(self, tmp_path):
        (tmp_path / "t.jsonl").write_text("[1, 2]\n", encoding="utf-8")
        with pytest.raises(DataError, match="expected an object, got list"):
            list(read(SourceSpec("jsonl", "t.jsonl"), tmp_path))


class TestReadPaths:
    def test_file_not_found(self, tmp_path):
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("jsonl", "missing.jsonl"), tmp_path))
        assert err.value.path == str(tmp_path / "missing.jsonl")
        assert err.value.line == 0
        assert "not found" in err.value.message

    def test_directory_is_not_a_file(self, tmp_path):
        (tmp_path / "d.jsonl").mkdir()
        with pytest.raises(DataError, match="not found"):
            list(read(SourceSpec("jsonl", "d.jsonl"), tmp_path))

    def test_relative_path_resolved_against_base(self, tmp_path, monkeypatch):
        (tmp_path / "spec" / "data").mkdir(parents=True)
        path = write_jsonl(tmp_path / "spec" / "data" / "t.jsonl", [chat("q", "a")])
        monkeypatch.chdir(tmp_path)  # the working directory must not matter
        (ex,) = read(SourceSpec("jsonl", "data/t.jsonl"), tmp_path / "spec")
        assert ex.path == str(path)

    def test_absolute_path_ignores_base(self, tmp_path):
        path = write_jsonl(tmp_path / "t.jsonl", [chat("q", "a")])
        (ex,) = read(SourceSpec("jsonl", str(path)), tmp_path / "elsewhere")
        assert ex.path == str(path)


class TestReadJsonArray:
    def test_array_positions_are_the_line_numbers(self, tmp_path):
        path = tmp_path / "t.json"
        path.write_text(json.dumps([chat("a", "1"), chat("b", "2", tags=["t"])], indent=2), encoding="utf-8")
        got = list(read(SourceSpec("json", "t.json"), tmp_path))
        assert [(ex.line, ex.input, ex.output, ex.category) for ex in got] == [(1, "a", "1", "1"), (2, "b", "2", "t")]
        assert all(ex.path == str(path) for ex in got)

    def test_invalid_json_reports_its_line(self, tmp_path):
        path = tmp_path / "t.json"
        path.write_text("[\n" + json.dumps(chat("a", "1")) + ",\n{bad\n]\n", encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("json", "t.json"), tmp_path))
        assert (err.value.path, err.value.line) == (str(path), 3)

    def test_not_an_array(self, tmp_path):
        (tmp_path / "t.json").write_text(json.dumps(chat("a", "1")), encoding="utf-8")
        with pytest.raises(DataError, match="array") as err:
            list(read(SourceSpec("json", "t.json"), tmp_path))
        assert err.value.line == 1

    def test_bad_element_reports_its_position(self, tmp_path):
        (tmp_path / "t.json").write_text(json.dumps([chat("a", "1"), {"messages": "x"}]), encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("json", "t.json"), tmp_path))
        assert err.value.line == 2


ALPACA = [
    {"instruction": "Translate to French.", "input": "cat", "output": "chat"},
    {"instruction": "Say hi.", "input": "", "output": "hi"},
    {"instruction": "Count to two.", "output": "1 2"},
]


class TestReadAlpaca:
    def expected(self, got: list[Example]) -> None:
        assert [ex.messages for ex in got] == [
            [{"role": "user", "content": "Translate to French.\n\ncat"}, {"role": "assistant", "content": "chat"}],
            [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "hi"}],
            [{"role": "user", "content": "Count to two."}, {"role": "assistant", "content": "1 2"}],
        ]
        assert [ex.category for ex in got] == ["chat", "hi", "1 2"]

    def test_json_array(self, tmp_path):
        (tmp_path / "a.json").write_text(json.dumps(ALPACA), encoding="utf-8")
        got = list(read(SourceSpec("alpaca", "a.json"), tmp_path))
        self.expected(got)
        assert [ex.line for ex in got] == [1, 2, 3]

    def test_jsonl(self, tmp_path):
        path = tmp_path / "a.jsonl"
        path.write_text(json.dumps(ALPACA[0]) + "\n\n" + json.dumps(ALPACA[1]) + "\n" + json.dumps(ALPACA[2]) + "\n",
                        encoding="utf-8")
        got = list(read(SourceSpec("alpaca", "a.jsonl"), tmp_path))
        self.expected(got)
        assert [ex.line for ex in got] == [1, 3, 4]

    def test_jsonl_invalid_json(self, tmp_path):
        path = tmp_path / "a.jsonl"
        path.write_text(json.dumps(ALPACA[0]) + "\n" + json.dumps(ALPACA[1]) + "\n{oops\n", encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("alpaca", "a.jsonl"), tmp_path))
        assert (err.value.path, err.value.line) == (str(path), 3)

    def test_missing_output(self, tmp_path):
        (tmp_path / "a.jsonl").write_text(json.dumps({"instruction": "x"}) + "\n", encoding="utf-8")
        with pytest.raises(DataError, match="instruction") as err:
            list(read(SourceSpec("alpaca", "a.jsonl"), tmp_path))
        assert err.value.line == 1


class TestReadCsv:
    def test_custom_columns_and_delimiter(self, tmp_path):
        path = tmp_path / "d.csv"
        path.write_text("question;answer;topic\n What is 2+2? ;4;math\nCapital of France?; Paris ;geo\n",
                        encoding="utf-8")
        spec = SourceSpec("csv", "d.csv", input="question", output="answer", category="topic", delimiter=";")
        got = list(read(spec, tmp_path))
        assert [ex.messages for ex in got] == [
            [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}],
            [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris"}],
        ]
        assert [ex.category for ex in got] == ["math", "geo"]
        assert [ex.line for ex in got] == [2, 3]  # the header is line 1
        assert all(ex.path == str(path) for ex in got)

    def test_input_output_category_columns(self, tmp_path):
        (tmp_path / "d.csv").write_text("input,output,category\nhello,hi,greet\n\"a, b\",c,list\n", encoding="utf-8")
        spec = SourceSpec("csv", "d.csv", input="input", output="output", category="category")
        got = list(read(spec, tmp_path))
        assert [(ex.input, ex.output, ex.category) for ex in got] == [("hello", "hi", "greet"), ("a, b", "c", "list")]

    def test_default_columns_text_and_label(self, tmp_path):
        (tmp_path / "d.csv").write_text("text,label\ngreat food,positive\ncold soup,negative\n", encoding="utf-8")
        got = list(read(SourceSpec("csv", "d.csv"), tmp_path))
        assert [(ex.input, ex.output, ex.category) for ex in got] == [
            ("great food", "positive", "positive"), ("cold soup", "negative", "negative")]

    def test_missing_column(self, tmp_path):
        path = tmp_path / "d.csv"
        path.write_text("text,answer\nx,y\n", encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("csv", "d.csv"), tmp_path))
        assert (err.value.path, err.value.line) == (str(path), 1)
        assert "`label`" in err.value.message
        assert "text, answer" in err.value.message

    def test_missing_category_column(self, tmp_path):
        (tmp_path / "d.csv").write_text("text,label\nx,y\n", encoding="utf-8")
        with pytest.raises(DataError, match="`topic`"):
            list(read(SourceSpec("csv", "d.csv", category="topic"), tmp_path))

    def test_short_row_is_a_data_error(self, tmp_path):
        (tmp_path / "d.csv").write_text("text,label\nok,pos\nonly text\n", encoding="utf-8")
        with pytest.raises(DataError) as err:
            list(read(SourceSpec("csv", "d.csv"), tmp_path))
        assert err.value.line == 3

    def test_category_from_output_column_is_stripped_like_the_output(self, tmp_path):
        (tmp_path / "d.csv").write_text("text,label\ngood, pos\nfine,pos\n", encoding="utf-8")
        got = list(read(SourceSpec("csv", "d.csv"), tmp_path))
        assert [ex.output for ex in got] == ["pos", "pos"]
        assert [ex.category for ex in got] == ["pos", "pos"]


# -- runtime.data -----------------------------------------------------------------------------------


class TestRuntimeData:
    def test_load_inserts_system_prompt_only_when_missing(self, tmp_path):
        write_jsonl(tmp_path / "a.jsonl", [chat("q1", "a1"), chat("q2", "a2", system="own prompt")])
        write_jsonl(tmp_path / "b.jsonl", [chat("q3", "a3")])
        got = data.load([{"format": "jsonl", "path": "a.jsonl"}, {"format": "jsonl", "path": "b.jsonl"}],
                        tmp_path, "You are a classifier.")
        assert [ex.input for ex in got] == ["q1", "q2", "q3"]  # sources in order
        assert [ex.messages[0] for ex in got] == [
            {"role": "system", "content": "You are a classifier."},
            {"role": "system", "content": "own prompt"},
            {"role": "system", "content": "You are a classifier."},
        ]
        assert [len(ex.messages) for ex in got] == [3, 3, 3]  # no second system message

    @pytest.mark.parametrize("system", [None, ""])
    def test_load_without_system_prompt_leaves_messages(self, tmp_path, system):
        write_jsonl(tmp_path / "a.jsonl", [chat("q1", "a1")])
        (ex,) = data.load([{"format": "jsonl", "path": "a.jsonl"}], tmp_path, system)
        assert [m["role"] for m in ex.messages] == ["user", "assistant"]

    def test_load_passes_source_options(self, tmp_path):
        (tmp_path / "d.csv").write_text("q|a\nhi|hello\n", encoding="utf-8")
        (ex,) = data.load([{"format": "csv", "path": "d.csv", "input": "q", "output": "a", "delimiter": "|"}],
                          tmp_path, None)
        assert (ex.input, ex.output) == ("hi", "hello")

    def test_train_validation_split_by_fraction(self, tmp_path):
        write_jsonl(tmp_path / "t.jsonl", [chat(f"q{i}", "pos" if i % 2 else "neg") for i in range(20)])
        sources = [{"format": "jsonl", "path": "t.jsonl"}]
        validation = {"fraction": 0.2, "stratified": True, "source": None}
        train, val = data.train_validation(sources, validation, tmp_path, "sys", seed=5)
        # stratified: 10 pos -> 2 held, 10 neg -> 2 held
        assert len(train) == 16 and len(val) == 4
        assert sorted(ex.output for ex in val) == ["neg", "neg", "pos", "pos"]
        assert sorted(ex.line for ex in train + val) == list(range(1, 21))
        assert all(ex.messages[0] == {"role": "system", "content": "sys"} for ex in train + val)
        # the same split the data checks get from `split` with the same seed
        expected = split(data.load(sources, tmp_path, "sys"), 0.2, stratified=True, seed=5)
        assert [ex.line for ex in val] == [ex.line for ex in expected[1]]

    def test_train_validation_separate_source(self, tmp_path):
        write_jsonl(tmp_path / "t.jsonl", [chat(f"q{i}", "a") for i in range(5)])
        write_jsonl(tmp_path / "v.jsonl", [chat("v1", "b"), chat("v2", "c")])
        validation = {"fraction": 0.0, "stratified": False, "source": {"format": "jsonl", "path": "v.jsonl"}}
        train, val = data.train_validation([{"format": "jsonl", "path": "t.jsonl"}], validation, tmp_path, "sys", 0)
        assert [ex.input for ex in train] == [f"q{i}" for i in range(5)]  # nothing held out of train
        assert [ex.input for ex in val] == ["v1", "v2"]
        assert all(ex.path == str(tmp_path / "v.jsonl") for ex in val)
        assert all(ex.messages[0]["role"] == "system" for ex in val)

    def test_prompt_completion_shape(self):
        ex = Example([{"role": "system", "content": "s"}, {"role": "user", "content": "u1"},
                      {"role": "assistant", "content": "a1"}, {"role": "user", "content": "u2"},
                      {"role": "assistant", "content": "a2"}], "p", 1, "c")
        (row,) = data.prompt_completion([ex])
        assert row == {"prompt": ex.messages[:4], "completion": [{"role": "assistant", "content": "a2"}]}
        assert row["prompt"][-1] == {"role": "user", "content": "u2"}

    def test_prompt_completion_keeps_order(self):
        rows = data.prompt_completion(examples(["x", "y"]))
        assert [r["completion"][0]["content"] for r in rows] == ["a0", "a1"]
        assert [r["prompt"] for r in rows] == [[{"role": "user", "content": "q0"}], [{"role": "user", "content": "q1"}]]


# -- acceptance -------------------------------------------------------------------------------------


def term(rung: str | None = None, metric: str | None = None, number: float | None = None, sign: int = 1) -> dict:
    """A term as `Term.model_dump()` gives it."""
    return {"sign": sign, "rung": rung, "metric": metric, "number": number}


def criterion(left: list[dict], op: str, right: list[dict], text: str = "c") -> dict:
    return {"text": text, "left": left, "op": op, "right": right}


RUNGS = {
    "base": {"metrics": {"accuracy": 0.5, "macro_f1": 0.25}, "examples": 8},
    "prompted_base": {"metrics": {"accuracy": 0.625}, "examples": 8},
    "fine_tuned": {"metrics": {"accuracy": 0.875, "macro_f1": 0.75}, "examples": 8},
}


class TestAcceptance:
    def test_improvement_over_prompted_base(self):
        text = "fine_tuned.accuracy >= prompted_base.accuracy + 0.10"
        c = criterion([term("fine_tuned", "accuracy")], ">=",
                      [term("prompted_base", "accuracy"), term(number=0.10)], text)
        (v,) = acceptance.evaluate([c], RUNGS)
        # 0.875 >= 0.625 + 0.10 = 0.725
        assert v == {"criterion": text, "value": 0.875, "threshold": pytest.approx(0.725), "passed": True}

    def test_fails_when_the_margin_is_not_met(self):
        c = criterion([term("fine_tuned", "accuracy")], ">=", [term("prompted_base", "accuracy"), term(number=0.3)])
        (v,) = acceptance.evaluate([c], RUNGS)
        # 0.875 >= 0.925 is false
        assert v["passed"] is False
        assert v["threshold"] == pytest.approx(0.925)

    def test_negative_signs_subtract(self):
        # fine_tuned.macro_f1 - base.macro_f1 > 0.4 : 0.75 - 0.25 = 0.5 > 0.4
        c = criterion([term("fine_tuned", "macro_f1"), term("base", "macro_f1", sign=-1)], ">", [term(number=0.4)])
        (v,) = acceptance.evaluate([c], RUNGS)
        assert v["value"] == pytest.approx(0.5) and v["threshold"] == pytest.approx(0.4) and v["passed"] is True
        # a negative number on the right: fine_tuned.accuracy >= base.accuracy - 0.5 + 0.2 -> 0.875 >= 0.2
        c = criterion([term("fine_tuned", "accuracy")], ">=",
                      [term("base", "accuracy"), term(number=0.5, sign=-1), term(number=0.2)])
        (v,) = acceptance.evaluate([c], RUNGS)
        assert v["threshold"] == pytest.approx(0.2) and v["passed"] is True

    @pytest.mark.parametrize(("op", "left", "right", "passed"), [
        (">=", 0.5, 0.5, True), (">=", 0.25, 0.5, False),
        (">", 0.5, 0.5, False), (">", 0.75, 0.5, True),
        ("<=", 0.5, 0.5, True), ("<=", 0.75, 0.5, False),
        ("<", 0.5, 0.5, False), ("<", 0.25, 0.5, True),
        ("==", 0.5, 0.5, True), ("==", 0.25, 0.5, False),
        ("!=", 0.5, 0.5, False), ("!=", 0.25, 0.5, True),
    ])
    def test_each_operator(self, op, left, right, passed):
        c = criterion([term(number=left)], op, [term(number=right)])
        (v,) = acceptance.evaluate([c], {})
        assert (v["value"], v["threshold"], v["passed"]) == (left, right, passed)

    def test_metric_on_the_right_side(self):
        # 0.9 > fine_tuned.accuracy (0.875)
        c = criterion([term(number=0.9)], ">", [term("fine_tuned", "accuracy")])
        assert acceptance.evaluate([c], RUNGS)[0]["passed"] is True

    def test_missing_rung_is_not_measured(self):
        c = criterion([term("fine_tuned", "accuracy")], ">=", [term("larger", "accuracy")])
        (v,) = acceptance.evaluate([c], RUNGS)
        assert v["value"] == 0.875 and v["threshold"] is None and v["passed"] is None

    def test_missing_metric_is_not_measured(self):
        c = criterion([term("prompted_base", "macro_f1")], ">=", [term(number=0.1)])
        (v,) = acceptance.evaluate([c], RUNGS)
        assert v["value"] is None and v["passed"] is None

    def test_one_verdict_per_criterion_in_order(self):
        cs = [criterion([term(number=1)], ">", [term(number=0)], "one"),
              criterion([term(number=0)], ">", [term(number=1)], "two"),
              criterion([term("nope", "accuracy")], ">", [term(number=1)], "three")]
        assert [(v["criterion"], v["passed"]) for v in acceptance.evaluate(cs, RUNGS)] == [
            ("one", True), ("two", False), ("three", None)]
        assert acceptance.evaluate([], RUNGS) == []

    def test_margin_met_exactly_passes(self):
        rungs = {"fine_tuned": {"metrics": {"accuracy": 3 / 10}}, "prompted_base": {"metrics": {"accuracy": 2 / 10}}}
        c = criterion([term("fine_tuned", "accuracy")], ">=",
                      [term("prompted_base", "accuracy"), term(number=0.10)])
        assert acceptance.evaluate([c], rungs)[0]["passed"] is True


# -- schedule ---------------------------------------------------------------------------------------


class TestSchedule:
    @pytest.mark.parametrize(("args", "steps"), [
        ((100, 8, 2, 3), 21),  # 16 per step: ceil(100/16)=7 a epoch, 3 epochs -> 21
        ((100, 8, 2, 3, 2), 12),  # 32 per step: ceil(100/32)=4, x3 -> 12
        ((100, 8, 2, 1.5), 11),  # 7 x 1.5 = 10.5 -> 11
        ((96, 8, 2, 1), 6),  # exactly 6 steps
        ((1, 8, 4, 1), 1),
        ((0, 8, 4, 1), 1),  # at least one step
        ((10, 4, 1, 2, 0), 6),  # processes 0 counts as 1: ceil(10/4)=3, x2 -> 6
    ])
    def test_total_steps(self, args, steps):
        assert schedule.total_steps(*args) == steps

    @pytest.mark.parametrize("n", [1, 7, 63, 64, 65, 1000])
    @pytest.mark.parametrize(("batch", "accum", "procs"), [(1, 1, 1), (8, 2, 1), (4, 4, 2), (3, 5, 3)])
    def test_total_steps_matches_trainer_arithmetic(self, n, batch, accum, procs):
        # The Trainer: len(dataloader) = ceil(n / (batch * procs)); updates per epoch = ceil(len / accum)
        per_epoch = max(math.ceil(math.ceil(n / (batch * procs)) / accum), 1)
        assert schedule.total_steps(n, batch, accum, 2, procs) == 2 * per_epoch

    def test_explicit_eval_every_wins(self):
        assert schedule.eval_steps(7, 100000, 1, 1, 10) == 7
        assert schedule.eval_steps(7, 10, 1, 1, 1, max_steps=1000) == 7

    def test_about_ten_evaluations(self):
        # 21 steps (above) // 10 -> every 2 steps
        assert schedule.eval_steps(None, 100, 8, 2, 3) == 2
        # 1000 examples, 8 a step, 2 epochs: 125 * 2 = 250 steps -> every 25
        assert schedule.eval_steps(None, 1000, 8, 1, 2) == 25
        assert 250 // schedule.eval_steps(None, 1000, 8, 1, 2) == schedule.EVALUATIONS_PER_RUN

    def test_at_least_one(self):
        # 5 steps // 10 = 0 -> 1
        assert schedule.eval_steps(None, 40, 8, 1, 1) == 1
        assert schedule.eval_steps(0, 1, 8, 1, 1) == 1

    def test_max_steps_replaces_the_epoch_count(self):
        assert schedule.eval_steps(None, 100, 8, 2, 3, max_steps=55) == 5
        assert schedule.eval_steps(None, 100000, 1, 1, 10, max_steps=3) == 1

    def test_processes_shorten_the_run(self):
        # 1000 examples, 4 x 1 x 5 processes = 20 a step -> 50 steps -> every 5
        assert schedule.eval_steps(None, 1000, 4, 1, 1, processes=5) == 5


# -- callbacks --------------------------------------------------------------------------------------


def make_checkpoint(root: Path, name: str, files=("trainer_state.json", "optimizer.pt", "scheduler.pt")) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for f in files:
        (folder / f).write_text("x", encoding="utf-8")
    (folder / "adapter_model.safetensors").write_text("x", encoding="utf-8")
    return folder


class TestLastCheckpoint:
    def test_highest_complete_checkpoint_numerically(self, tmp_path):
        make_checkpoint(tmp_path, "checkpoint-9")
        best = make_checkpoint(tmp_path, "checkpoint-10")
        make_checkpoint(tmp_path, "checkpoint-2")
        assert last_checkpoint(tmp_path) == str(best)  # 10 > 9 although "checkpoint-9" sorts after as text

    @pytest.mark.parametrize("missing", ["trainer_state.json", "optimizer.pt", "scheduler.pt"])
    def test_skips_incomplete_checkpoint(self, tmp_path, missing):
        good = make_checkpoint(tmp_path, "checkpoint-20")
        files = [f for f in ("trainer_state.json", "optimizer.pt", "scheduler.pt") if f != missing]
        make_checkpoint(tmp_path, "checkpoint-30", files)
        assert last_checkpoint(tmp_path) == str(good)

    def test_skips_folders_that_are_not_checkpoints(self, tmp_path):
        good = make_checkpoint(tmp_path, "checkpoint-4")
        names = ("checkpoint-x", "checkpoint-", "checkpoint-99-tmp", "runs-100", "checkpoints-50", "tmp-checkpoint-60")
        for name in names:
            make_checkpoint(tmp_path, name)
        (tmp_path / "checkpoint-70").write_text("a file, not a folder", encoding="utf-8")
        assert last_checkpoint(tmp_path) == str(good)

    def test_none_when_nothing_usable(self, tmp_path):
        assert last_checkpoint(tmp_path / "absent") is None
        assert last_checkpoint(tmp_path) is None
        make_checkpoint(tmp_path, "checkpoint-5", ["trainer_state.json"])
        assert last_checkpoint(tmp_path) is None


@dataclass
class State:
    """What MetricsLog reads from transformers' TrainerState."""

    global_step: int = 0
    is_world_process_zero: bool = True


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class TestMetricsLog:
    def test_on_train_begin_drops_later_steps_and_cut_lines(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        path.write_text(
            '{"step": 10, "train_loss": 1.0}\n'
            '{"step": 20, "eval_loss": 0.9}\n'
            '{"step": 30, "train_loss": 0.8}\n'
            '{"step": 20, "tr'  # cut by a kill
            "\n"
            '{"note": "no step"}\n',
            encoding="utf-8",
        )
        MetricsLog(path).on_train_begin(None, State(global_step=20), None)
        # step 30 > 20 dropped; the cut line dropped; no step counts as 0 and stays
        assert read_jsonl(path) == [{"step": 10, "train_loss": 1.0}, {"step": 20, "eval_loss": 0.9},
                                    {"note": "no step"}]
        assert path.read_text(encoding="utf-8").endswith("}\n")

    def test_on_train_begin_fresh_run_keeps_nothing_after_step_zero(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        path.write_text('{"step": 5}\n{"step": 0, "x": 1}\n', encoding="utf-8")
        MetricsLog(path).on_train_begin(None, State(global_step=0), None)
        assert read_jsonl(path) == [{"step": 0, "x": 1}]

    def test_on_train_begin_without_file_or_on_other_processes(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        MetricsLog(path).on_train_begin(None, State(global_step=3), None)
        assert not path.exists()
        path.write_text('{"step": 9}\n', encoding="utf-8")
        MetricsLog(path).on_train_begin(None, State(global_step=3, is_world_process_zero=False), None)
        assert read_jsonl(path) == [{"step": 9}]

    def test_the_closing_summary_keeps_its_mean_loss_apart(self, tmp_path):
        # transformers' last log of a run: train_loss there is the mean over all steps, not a step's loss
        path = tmp_path / "metrics.jsonl"
        MetricsLog(path).on_log(None, State(global_step=153), None,
                                logs={"train_runtime": 223.4, "train_loss": 1.03, "epoch": 3.0})
        (rec,) = read_jsonl(path)
        assert rec["mean_train_loss"] == 1.03 and "train_loss" not in rec and rec["train_runtime"] == 223.4

    def test_on_log_appends_finite_numbers_with_loss_renamed(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        path.write_text('{"step": 1}\n', encoding="utf-8")
        log = MetricsLog(path)
        log.on_log(None, State(global_step=12), None, logs={
            "loss": 0.5, "grad_norm": 1.25, "learning_rate": 2e-4, "epoch": 0.3, "eval_accuracy": 0.75,
            "nan_metric": float("nan"), "inf_metric": float("inf"), "text": "skip", "none": None,
        })
        log.on_log(None, State(global_step=14), None, logs={"eval_loss": 0.7, "step_count": 3})
        first, second, third = read_jsonl(path)
        assert first == {"step": 1}  # appended, not overwritten
        assert set(second) == {"step", "time", "train_loss", "grad_norm", "learning_rate", "epoch", "eval_accuracy"}
        assert (second["step"], second["train_loss"], second["grad_norm"]) == (12, 0.5, 1.25)
        assert (second["learning_rate"], second["epoch"], second["eval_accuracy"]) == (2e-4, 0.3, 0.75)
        assert "loss" not in second
        assert isinstance(second["time"], float)
        assert {k: v for k, v in third.items() if k != "time"} == {"step": 14, "eval_loss": 0.7, "step_count": 3}

    def test_on_log_ignores_empty_logs_and_other_processes(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        log = MetricsLog(path)
        log.on_log(None, State(global_step=1), None, logs=None)
        log.on_log(None, State(global_step=1), None, logs={})
        log.on_log(None, State(global_step=1, is_world_process_zero=False), None, logs={"loss": 1.0})
        assert not path.exists()


# -- progress view ----------------------------------------------------------------------------------


def record(step: int, max_steps: int = 100, loss=None, eval_loss=None, eta=None) -> str:
    return PROGRESS_PREFIX + json.dumps({"step": step, "max_steps": max_steps, "loss": loss,
                                         "eval_loss": eval_loss, "eta_s": eta})


class TestProgressView:
    def test_log_prints_a_line_when_the_decile_changes(self):
        out = io.StringIO()
        view = ProgressView(out)
        assert view.tty is False
        for step in (1, 5, 9, 10, 15, 19, 20, 55, 100):
            assert view.handle(record(step, loss=1.0)) is True
        # deciles: 1,5,9 -> 0 (first printed); 10,15,19 -> 1 (10 printed); 20 -> 2; 55 -> 5; 100 -> 10
        printed = out.getvalue().splitlines()
        assert [line.split("step ")[1].split("/")[0] for line in printed] == ["1", "10", "20", "55", "100"]
        assert "\r" not in out.getvalue()

    def test_non_progress_lines_are_ignored(self):
        out = io.StringIO()
        view = ProgressView(out)
        assert view.handle("{'loss': 1.0}") is False
        assert view.handle("ftspec-progress " + json.dumps({"step": 1})) is False
        assert view.handle(PROGRESS_PREFIX + "{cut") is False
        assert out.getvalue() == ""
        assert view.train_loss is None

    def test_render_shows_step_losses_and_eta(self):
        out = io.StringIO()
        view = ProgressView(out)
        view.handle(record(50, 100, loss=1.23456, eval_loss=0.98765, eta=65))
        line = out.getvalue().rstrip("\n")
        # half of 24 columns filled
        assert line == "train [" + "#" * 12 + "." * 12 + "] step 50/100  loss 1.2346  val 0.9877  eta 01:05"

    def test_losses_carry_over_records_without_them(self):
        view = ProgressView(io.StringIO())
        view.handle(record(10, loss=2.0, eval_loss=1.5))
        view.handle(record(20))
        assert (view.train_loss, view.eval_loss) == (2.0, 1.5)
        view.handle(record(30, loss=1.0))
        assert (view.train_loss, view.eval_loss) == (1.0, 1.5)

    def test_render_without_losses_or_eta(self):
        view = ProgressView(io.StringIO())
        text = view.render(0, 10, None)
        assert text == "train [" + "." * 24 + "] step 0/10  loss -  eta --:--"
        assert "val" not in text

    def test_render_long_eta_and_overshoot(self):
        view = ProgressView(io.StringIO())
        view.train_loss = 0.5
        # 3661 s = 1 h 1 min 1 s; step past the total fills the bar, no more
        assert view.render(12, 10, 3661) == "train [" + "#" * 24 + "] step 12/10  loss 0.5000  eta 1:01:01"

    def test_missing_max_steps_does_not_divide_by_zero(self):
        out = io.StringIO()
        view = ProgressView(out)
        assert view.handle(PROGRESS_PREFIX + json.dumps({"step": 0, "max_steps": 0})) is True
        assert "step 0/1" in out.getvalue()

    def test_close_on_a_log_writes_nothing(self):
        out = io.StringIO()
        view = ProgressView(out)
        view.handle(record(1))
        before = out.getvalue()
        view.close()
        assert out.getvalue() == before


# -- atomic writes ----------------------------------------------------------------------------------


class TestAtomicWrites:
    def test_text_written_without_temp_files(self, tmp_path):
        path = tmp_path / "out" / "deep" / "report.txt"
        atomic_write_text(path, "héllo\nworld\n")
        assert path.read_text(encoding="utf-8") == "héllo\nworld\n"
        assert [p.name for p in path.parent.iterdir()] == ["report.txt"]

    def test_existing_file_replaced(self, tmp_path):
        path = tmp_path / "r.txt"
        path.write_text("old content that is longer than the new one", encoding="utf-8")
        atomic_write_text(path, "new")
        assert path.read_text(encoding="utf-8") == "new"
        assert os.listdir(tmp_path) == ["r.txt"]

    def test_json_written_indented_with_newline(self, tmp_path):
        path = tmp_path / "results.json"
        atomic_write_json(path, {"name": "café", "scores": [1, 0.5]})
        text = path.read_text(encoding="utf-8")
        assert json.loads(text) == {"name": "café", "scores": [1, 0.5]}
        assert text.endswith("}\n") and "café" in text and '\n  "name"' in text

    def test_failed_json_serialisation_leaves_old_file_intact(self, tmp_path):
        path = tmp_path / "results.json"
        atomic_write_json(path, {"passed": True})
        before = path.read_text(encoding="utf-8")
        with pytest.raises(TypeError):
            atomic_write_json(path, {"passed": object()})
        assert path.read_text(encoding="utf-8") == before
        assert os.listdir(tmp_path) == ["results.json"]

    def test_failed_write_removes_temp_file_and_keeps_old(self, tmp_path, monkeypatch):
        path = tmp_path / "r.txt"
        path.write_text("old", encoding="utf-8")

        def boom(src, dst):
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", boom)
        with pytest.raises(OSError, match="disk full"):
            atomic_write_text(path, "new")
        monkeypatch.undo()
        assert path.read_text(encoding="utf-8") == "old"
        assert os.listdir(tmp_path) == ["r.txt"]

    @pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
    def test_written_file_has_the_usual_permissions(self, tmp_path):
        old = os.umask(0o022)
        try:
            path = tmp_path / "results.json"
            atomic_write_json(path, {"a": 1})
            assert stat.S_IMODE(path.stat().st_mode) == 0o644
        finally:
            os.umask(old)


def _chat_lines(path: Path, pairs: list[tuple[str, str]]) -> None:
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": q}, {"role": "assistant",
                                                                                    "content": a}]}) + "\n"
                            for q, a in pairs), encoding="utf-8")


def test_general_data_joins_training_after_the_split(tmp_path):
    _chat_lines(tmp_path / "train.jsonl", [(f"task question {i}", "yes" if i % 2 else "no") for i in range(40)])
    _chat_lines(tmp_path / "general.jsonl", [(f"general question {i}", f"answer {i}") for i in range(7)])
    validation = {"fraction": 0.2, "stratified": True, "source": None}
    sources = [{"format": "jsonl", "path": "train.jsonl"}]
    plain_train, plain_held = data.train_validation(sources, validation, tmp_path, None, 42)
    train, held = data.train_validation(sources, validation, tmp_path, None, 42,
                                        general=[{"format": "jsonl", "path": "general.jsonl"}])
    # The split is the one without general data (the one `ftspec check` records) ...
    assert [ex.line for ex in held] == [ex.line for ex in plain_held]
    assert all(ex.path.endswith("train.jsonl") for ex in held)
    # ... and every general example is trained on.
    assert len(train) == len(plain_train) + 7
    assert sorted(ex.line for ex in train if ex.path.endswith("general.jsonl")) == list(range(1, 8))


def test_the_checks_read_general_data_for_format_and_size_only(tmp_path):
    from ftspec.compile.build import load_spec
    from ftspec.data.checks import check_spec

    _chat_lines(tmp_path / "train.jsonl", [(f"Where is my card number {i} today?", "card") for i in range(30)])
    _chat_lines(tmp_path / "eval.jsonl", [("Which card is the blocked one here?", "card")])
    # The same question twice with different answers: a conflict in task data, fine in general data.
    _chat_lines(tmp_path / "general.jsonl", [("Say hello to everyone in the room", "hello"),
                                             ("Say hello to everyone in the room", "hi")])
    with (tmp_path / "general.jsonl").open("a", encoding="utf-8") as f:
        f.write("not json\n")
    (tmp_path / "s.ftspec").write_text('ftspec 1\ntask "t" { kind = classification }\n'
                                       'data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl")\n'
                                       '       general = jsonl("general.jsonl") }\nmodel { base = "m" }\n',
                                       encoding="utf-8")
    report = check_spec(load_spec(tmp_path / "s.ftspec", rules=False), tmp_path, near=False)
    general = next(s for s in report["sources"] if s["role"] == "general")
    assert general["examples"] == 2
    assert general["format_errors"]["invalid_json"] == 1 and general["format_errors"]["issues"][0]["line"] == 3
    assert report["conflicts"]["count"] == 0
    assert report["categories"] == {"card": 30}


# -- entry: exit codes of the compiled scripts -------------------------------------------------------


class TestEntry:
    def test_the_scripts_own_verdicts_pass_through(self):
        from ftspec.runtime import entry

        assert entry.run(lambda: 0, "eval.py") == 0 and entry.run(lambda: 1, "eval.py") == 1

    def test_a_message_exit_is_2_with_the_message(self, capsys):
        from ftspec.runtime import entry

        def main():
            raise SystemExit("ftspec: the offline model x is not pulled yet")

        assert entry.run(main, "/b/eval.py") == 2
        assert capsys.readouterr().err == "ftspec: the offline model x is not pulled yet\n"

    def test_a_crash_is_2_never_1_with_the_traceback_and_a_last_line(self, capsys):
        from ftspec.runtime import entry

        def main():
            return {}["missing"]

        assert entry.run(main, "/b/eval.py") == 2  # 1 would read as "an acceptance criterion failed"
        err = capsys.readouterr().err
        assert "Traceback" in err and err.splitlines()[-1] == "ftspec: eval.py failed: KeyError: 'missing'"
