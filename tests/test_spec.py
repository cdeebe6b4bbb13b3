"""The typed spec: defaults from the guide, derived values, origins and spans, schema errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftspec.spec import Spec, build
from ftspec.syntax import parse

EXAMPLES = Path(__file__).resolve().parent.parent / "specs" / "examples"


def _build(text: str):
    doc, diags = parse(text, "t.ftspec")
    assert doc is not None, [d.message for d in diags]
    spec, more = build(doc)
    return spec, diags + more


def _spec(text: str) -> Spec:
    spec, diags = _build(text)
    assert diags == [], [f"{d.code} {d.message}" for d in diags]
    return spec


def test_defaults_come_from_the_guide_and_say_so(minimal_spec):
    spec = _spec(minimal_spec)
    t = spec.training
    assert (t.epochs, t.batch_size, t.grad_accum, t.warmup, t.weight_decay, t.max_grad_norm) == (
        3, 4, 4, 0.1, 0.01, 1.0)
    assert t.scheduler == "cosine"
    assert t.early_stopping.patience == 3 and t.early_stopping.metric == "eval_loss"
    assert t.origin("epochs") == "default"
    assert "Hyperparameter Guidelines" in t.default_source("epochs")
    assert spec.adapter.method == "lora" and spec.adapter.r == 16
    assert spec.data.validation.fraction == pytest.approx(0.15)


def test_derived_values(minimal_spec):
    spec = _spec(minimal_spec)
    assert spec.adapter.alpha == 32 and spec.adapter.origin("alpha") == "derived"
    assert spec.task.output.kind == "label" and spec.task.origin("output") == "derived"
    assert spec.data.validation.stratified is True
    assert spec.eval.automated.metrics == ["accuracy", "macro_f1", "format_compliance"]


def test_full_fine_tuning_derives_the_guides_learning_rate(minimal_spec):
    spec = _spec(minimal_spec + "adapter full { }\n")
    assert spec.training.learning_rate == pytest.approx(2e-5)
    assert spec.training.origin("learning_rate") == "derived"
    assert spec.adapter.alpha is None


def test_user_values_keep_origin_and_span(minimal_spec):
    spec = _spec(minimal_spec + "adapter lora {\n  r = 8\n  alpha = 16\n}\n")
    assert spec.adapter.origin("r") == "user"
    span = spec.adapter.span_of("alpha")
    assert (span.line, span.col, span.end_col) == (7, 11, 13)
    key = spec.adapter.key_span_of("alpha")
    assert (key.line, key.col) == (7, 3)
    # a value the user did not write points at its block
    assert spec.adapter.span_of("dropout") == spec.adapter.span


def test_derived_value_never_overrides_the_user(minimal_spec):
    spec = _spec(minimal_spec + "adapter lora { r = 8  alpha = 8 }\n")
    assert spec.adapter.alpha == 8 and spec.adapter.origin("alpha") == "user"


def test_specs_do_not_share_default_blocks(minimal_spec):
    a = _spec(minimal_spec)
    b = _spec(minimal_spec.replace("classification", "style"))
    assert a.eval.automated is not b.eval.automated
    assert a.eval.automated.metrics != b.eval.automated.metrics


def test_sources_phrases_and_criteria():
    spec = _spec(
        "ftspec 1\n"
        'task "t" { kind = style }\n'
        'data {\n  train = [jsonl("a.jsonl"), csv("b.csv", input = "draft", output = "final")]\n'
        "  validation = 10% random\n}\n"
        "quality { balance = warn max_ratio 5  near_duplicates = off }\n"
        'model { base = "m" }\n'
        "eval { accept fine_tuned.rouge_l >= prompted_base.rouge_l - 2% }\n"
    )
    a, b = spec.data.train
    assert (a.format, a.path) == ("jsonl", "a.jsonl")
    assert (b.format, b.input, b.output) == ("csv", "draft", "final")
    assert (b.span_of("path").line, b.span_of("path").col) == (4, 34)
    assert spec.data.validation.fraction == pytest.approx(0.10)
    assert spec.data.validation.stratified is False
    assert spec.quality.balance.max_ratio == 5 and spec.quality.near_duplicates.level == "off"
    (crit,) = spec.eval.accept
    assert crit.left[0].rung == "fine_tuned" and crit.right[1].number == pytest.approx(0.02)
    assert crit.right[1].sign == -1


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ftspec")), ids=lambda p: p.stem)
def test_examples_build(path):
    spec = _spec(path.read_text(encoding="utf-8"))
    assert spec.task.kind == path.stem


# -- schema errors -------------------------------------------------------------------


def _codes(text: str) -> list[tuple[str, int, int, str]]:
    _, diags = _build(text)
    return [(d.code, d.span.line, d.span.col, d.message) for d in diags]


def test_unknown_key_suggests_the_right_one(minimal_spec):
    ((code, line, col, message),) = _codes(minimal_spec + "training { learning_rat = 1e-5 }\n")
    assert (code, line, col) == ("SP001", 5, 12)
    assert "did you mean `learning_rate`?" in message


def test_unknown_block_suggests_the_right_one(minimal_spec):
    ((code, _, _, message),) = _codes(minimal_spec + "adaptor lora { }\n")
    assert code == "SP001" and "did you mean `adapter`?" in message


def test_out_of_range_points_at_the_value(minimal_spec):
    ((code, line, col, message),) = _codes(minimal_spec + "adapter lora { dropout = 1.5 }\n")
    assert (code, line, col) == ("SP003", 5, 26)
    assert "less than 1" in message


def test_wrong_type_points_at_the_value(minimal_spec):
    ((code, line, col, message),) = _codes(minimal_spec + 'adapter lora { r = "16" }\n')
    assert (code, line, col) == ("SP002", 5, 20)
    assert "whole number" in message


def test_enum_value_suggests(minimal_spec):
    ((code, _, _, message),) = _codes(minimal_spec + "training { scheduler = cosin }\n")
    assert code == "SP002" and "did you mean `cosine`?" in message


def test_duplicates_are_reported_with_the_first_place(minimal_spec):
    diags = _build(minimal_spec + "training { epochs = 3  epochs = 4 }\nmodel { base = \"n\" }\n")[1]
    assert [(d.code, d.span.line) for d in diags] == [("SP004", 5), ("SP004", 6)]
    assert diags[0].related[0][1].col == 12


def test_qlora_keys_on_lora_are_refused(minimal_spec):
    ((code, _, _, message),) = _codes(minimal_spec + "adapter lora { quant_type = nf4 }\n")
    assert code == "SP008" and "qlora" in message


def test_missing_required_blocks_each_reported():
    codes = _codes("ftspec 1\n")
    assert [c[0] for c in codes] == ["SP005", "SP005", "SP005"]
    assert {c[3] for c in codes} == {"missing `task` block", "missing `data` block", "missing `model` block"}


def test_missing_version_is_an_error(minimal_spec):
    assert [c[0] for c in _codes(minimal_spec.replace("ftspec 1\n", ""))] == ["SP007"]
