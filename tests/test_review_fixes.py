"""Regressions found in review: each test names the behaviour it holds."""

from __future__ import annotations

from ftspec.lint import lint_text
from ftspec.spec import build
from ftspec.syntax import parse

BASE = 'ftspec 1\ntask "t" { kind = classification }\ndata { train = jsonl("train.jsonl") }\nmodel { base = "m" }\n'


def _spec(text: str):
    doc, diags = parse(text, "t.ftspec")
    spec, more = build(doc)
    assert diags + more == [], [d.message for d in diags + more]
    return spec


def _codes(text: str) -> list[tuple[str, str]]:
    # These are parser and builder fixes: the guide's rules (no eval data, no baseline) are not the point.
    return [(d.code, d.message) for d in lint_text(text, "t.ftspec") if d.code[:2] in ("SY", "SP", "SU")]


def test_hash_inside_a_multiline_string_is_not_a_comment():
    text = BASE + 'training { optimizer = """\n  # ftspec: ignore HP001 inside the string\n""" }\n'
    assert _codes(text) == []  # read as a comment, it would be an unused suppression (SU002)


def test_comment_after_closing_triple_quotes_is_a_comment():
    text = BASE + 'training {\n  optimizer = """\nadamw_torch\n"""  # ftspec: ignore HP001 reason\n}\n'
    assert [c for c, _ in _codes(text)] == ["SU002"]  # found, and unused


def test_default_blocks_are_not_shared_between_specs():
    a, b = _spec(BASE), _spec(BASE)
    for block in ("data.validation", "training.early_stopping", "eval.compare.prompted_base", "quality.balance"):
        first, second = a, b
        for part in block.split("."):
            first, second = getattr(first, part), getattr(second, part)
        assert first is not second, block


def test_escaped_newlines_in_long_strings_are_content():
    spec = _spec(BASE.replace('data { train = jsonl("train.jsonl") }',
                              'data { train = jsonl("train.jsonl")  system = """\\nHello\\n""" }'))
    assert spec.data.system == "\nHello\n"


def test_equals_in_accept_is_named_as_such():
    ((code, message),) = _codes(BASE + "eval { max_new_tokens = 8  accept fine_tuned.accuracy => 0.5 }\n")
    assert code == "SY001" and message == "unexpected `=` in the acceptance criterion"


def test_hyphenated_unknown_key_is_reported_at_the_key():
    ((code, message),) = _codes(BASE + "training { learning-rate = 1e-4 }\n")
    assert code == "SP001" and "unknown key `learning-rate` in block `training`" in message
    assert "did you mean `learning_rate`?" in message


def test_repeated_call_option_is_a_duplicate():
    text = BASE.replace('jsonl("train.jsonl")', 'csv("x.csv", input = "a", input = "b")')
    assert [c for c, _ in _codes(text)] == ["SP004"]


def test_version_cannot_be_set_as_a_key():
    assert [c for c, _ in _codes(BASE + "version = 5\n")] == ["SP001"]


def test_schema_errors_cannot_be_suppressed():
    codes = [c for c, _ in _codes(BASE + "training2 { }  # ftspec: ignore SP001 trying\n")]
    assert codes == ["SP001", "SU002"]


def test_level_only_checks_keep_their_default_settings():
    spec = _spec(BASE + "quality { near_duplicates = warn  balance = error }\n")
    assert spec.quality.near_duplicates.threshold == 0.9
    assert spec.quality.balance.max_ratio == 3.0


def test_checks_refuse_settings_they_do_not_have():
    ((code, message),) = _codes(BASE + "quality { duplicates = warn threshold 0.5 }\n")
    assert code == "SP008" and "nothing after the level" in message


def test_rungs_can_be_left_out():
    spec = _spec(BASE + "eval { compare { base = off } }\n")
    assert spec.eval.compare.base is None and spec.eval.compare.prompted_base.shots == 5


def test_single_values_and_empty_lists():
    spec = _spec(BASE + "eval { automated { metrics = accuracy } }\n")
    assert spec.eval.automated.metrics == ["accuracy"]
    assert [c for c, _ in _codes(BASE + "adapter lora { targets = [] }\n")] == ["SP003"]


def test_sub_block_spans_point_at_the_sub_block():
    spec = _spec(BASE + "eval {\n  human { blind_pairs = 10 }\n}\n")
    span = spec.eval.span_of("human")
    assert (span.line, span.col) == (6, 3)


def test_validation_file_means_no_split():
    spec = _spec(BASE.replace('jsonl("train.jsonl")', 'jsonl("train.jsonl")  validation = jsonl("v.jsonl")'))
    assert spec.data.validation.fraction == 0.0 and spec.data.validation.origin("fraction") == "derived"
