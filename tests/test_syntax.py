"""The parser: positioned tree, values, strings, and messages for broken input."""

from __future__ import annotations

import pytest

from ftspec.syntax import Accept, Attribute, Block, Call, Ident, List, Num, Pct, Phrase, Str, parse
from ftspec.syntax.parser import lark_parser


def _parse_ok(text: str):
    doc, diags = parse(text, "t.ftspec")
    assert diags == [], [d.message for d in diags]
    assert doc is not None
    return doc


def test_grammar_builds_in_lark_strict_mode():
    """Strict mode turns regex collisions and shift/reduce conflicts into errors."""
    from importlib.resources import files

    from lark import Lark

    grammar = files("ftspec.syntax").joinpath("ftspec.lark").read_text(encoding="utf-8")
    Lark(grammar, parser="lalr", lexer="contextual", strict=True)


def test_parser_is_built_once():
    assert lark_parser() is lark_parser()


def test_version_and_blocks_keep_positions():
    doc = _parse_ok('ftspec 1\n\ntask "router" {\n  kind = classification\n}\n')
    assert doc.version.value == 1
    (task,) = doc.body
    assert isinstance(task, Block)
    assert (task.name, task.labels[0].value) == ("task", "router")
    assert (task.name_span.line, task.name_span.col) == (3, 1)
    (kind,) = task.body
    assert isinstance(kind, Attribute)
    assert (kind.key_span.line, kind.key_span.col, kind.key_span.end_col) == (4, 3, 7)
    assert isinstance(kind.value, Ident)
    assert (kind.value.span.col, kind.value.span.end_col) == (10, 24)


def test_several_attributes_on_one_line_and_phrases():
    doc = _parse_ok("ftspec 1\nq { a = warn 0.9  b = 15% stratified  c = 1 }\n")
    a, b, c = doc.body[0].body
    assert isinstance(a.value, Phrase) and [type(x) for x in a.value.atoms] == [Ident, Num]
    assert isinstance(b.value, Phrase) and isinstance(b.value.atoms[0], Pct)
    assert b.value.atoms[0].value == pytest.approx(0.15)
    assert isinstance(c.value, Num) and c.value.value == 1


@pytest.mark.parametrize(
    ("text", "value"),
    [("2e-5", 2e-5), ("-1", -1), ("0.05", 0.05), ("3", 3), (".5", 0.5), ("1E+3", 1000.0)],
)
def test_numbers(text, value):
    doc = _parse_ok(f"ftspec 1\nx = {text}\n")
    assert doc.body[0].value.value == pytest.approx(value)


def test_integers_stay_integers():
    doc = _parse_ok("ftspec 1\nx = 16\n")
    assert type(doc.body[0].value.value) is int


def test_string_escapes():
    doc = _parse_ok('ftspec 1\nx = "a\\"b\\\\c\\nd\\te\\u00e9"\n')
    assert doc.body[0].value.value == 'a"b\\c\nd\te\u00e9'


def test_multiline_string_is_dedented():
    doc = _parse_ok('ftspec 1\nd {\n  s = """\n    line one\n      indented "quoted"\n  """\n}\n')
    value = doc.body[0].body[0].value
    assert isinstance(value, Str) and value.long
    assert value.value == 'line one\n  indented "quoted"'


def test_lists_calls_and_trailing_commas():
    doc = _parse_ok('ftspec 1\nx = [jsonl("a"), csv("b.csv", input = "text", output = "label"),]\n')
    value = doc.body[0].value
    assert isinstance(value, List) and len(value.items) == 2
    csv = value.items[1]
    assert isinstance(csv, Call) and csv.name == "csv"
    assert [(k.key, k.value.value) for k in csv.kwargs] == [("input", "text"), ("output", "label")]


def test_accept_criterion():
    doc = _parse_ok("ftspec 1\neval { accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10 }\n")
    (accept,) = doc.body[0].body
    assert isinstance(accept, Accept)
    assert accept.op == ">="
    assert [t.ref for t in accept.left] == ["fine_tuned.accuracy"]
    assert [(t.ref, t.number) for t in accept.right] == [("prompted_base.accuracy", None), (None, 0.10)]
    assert accept.text == "fine_tuned.accuracy >= prompted_base.accuracy + 0.10"


def test_comments_are_kept_but_not_inside_strings():
    doc = _parse_ok('ftspec 1  # version\nx = "a # not a comment"  # real\n')
    assert [c.text for c in doc.comments] == ["# version", "# real"]
    assert (doc.comments[1].span.line, doc.comments[1].span.col) == (2, 26)


def test_crlf_line_endings():
    doc = _parse_ok('ftspec 1\r\ntask "t" {\r\n  kind = style\r\n}\r\n')
    assert doc.body[0].body[0].value.name == "style"


# -- messages for broken input -------------------------------------------------------


def _one_error(text: str):
    doc, diags = parse(text, "t.ftspec")
    assert doc is None
    assert len(diags) == 1
    return diags[0]


def test_unclosed_block_names_the_block_and_where_it_opened():
    d = _one_error("ftspec 1\n\nadapter lora {\n  r = 16\n")
    assert d.code == "SY002"
    assert d.message == "missing `}` closing block `adapter` opened at 3:1"
    # placed at the end of the text
    assert (d.span.line, d.span.col) == (5, 1)


def test_unclosed_block_points_at_the_sibling_that_follows():
    d = _one_error("ftspec 1\nadapter lora {\n  r = 16\ntraining {\n  epochs = 3\n}\n")
    assert "before block `training` at 4:1" in d.help


def test_missing_value_points_after_equals():
    d = _one_error("ftspec 1\ntraining {\n  learning_rate =\n  epochs = 3\n}\n")
    assert (d.code, d.message) == ("SY005", "`learning_rate` has no value")
    assert (d.span.line, d.span.col) == (3, 18)


def test_missing_value_before_a_block():
    d = _one_error('ftspec 1\nsizing =\nmodel { base = "m" }\n')
    assert (d.code, d.message) == ("SY005", "`sizing` has no value")


def test_end_of_file_after_equals():
    d = _one_error("ftspec 1\nx =")
    assert d.code == "SY005"
    assert (d.span.line, d.span.col) == (2, 4)


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ('ftspec 1\ntask "t" { kind: style }', "SY006", "use `=` to set `kind`"),
        ('ftspec 1\ntask "t" { kind style }', "SY006", "expected `=` or `{` after `kind`"),
        ("ftspec 1\n}", "SY008", "unmatched `}`"),
        ("ftspec 1\nx = [a b]", "SY001", "missing `,` between list items"),
        ('ftspec 1\nx = jsonl("a" "b")', "SY001", "missing `,` between arguments"),
        ("ftspec 1\nx = [a, b\n", "SY002", "missing `]`"),
        ('ftspec 1\nd { x = jsonl("a" }', "SY002", "missing `)`"),
        ('ftspec 1\nx = "abc\ny = 1', "SY003", "not closed on this line"),
        ('ftspec 1\nx = """abc', "SY003", 'never closed with `"""`'),
        ("ftspec 1\nx = 'abc'", "SY004", "double quotes"),
        ("ftspec 1\nx = 1;", "SY004", "`;`"),
        ("ftspec 1\nx = @", "SY004", "expected a value"),
        ("ftspec 1\neval { accept fine_tuned.accuracy }", "SY001", "needs a comparison"),
        ("ftspec 1\neval { accept >= 1 }", "SY001", "expected a metric"),
        ("ftspec 1\nx = 1 = 2", "SY001", "unexpected `=`"),
        ('ftspec 1\nadapter = lora { r = 1 }', "SY001", "a block cannot be the value of `adapter`"),
        ("ftspec 1.0\n", "SY009", "whole number"),
        ("ftspec x\n", "SY009", "whole number"),
        ('ftspec 1\nx = "a\\qb"', "SY007", "unknown escape `\\q`"),
    ],
)
def test_messages_for_common_mistakes(text, code, fragment):
    doc, diags = parse(text, "t.ftspec")
    assert [d.code for d in diags] == [code]
    assert fragment in diags[0].message
    assert diags[0].help


def test_messages_never_dump_terminal_names():
    for text in ["ftspec 1\nx = ", "ftspec 1\nx = [", "ftspec 1\neval { accept a.b >= }", "ftspec 1\nq { ( }"]:
        _, diags = parse(text, "t.ftspec")
        for d in diags:
            assert "BLOCK_NAME" not in d.message and "LBRACE" not in d.message and "Token(" not in d.message


def test_sibling_hint_finds_the_right_opener_when_other_blocks_come_first():
    # Regression: tokens compare equal by text, so the opener must be found by identity.
    text = 'ftspec 1\ntask "t" {\n  kind = style\n}\nadapter lora {\n  r = 16\ntraining {\n  epochs = 3\n}\n'
    d = _one_error(text)
    assert d.message == "missing `}` closing block `adapter` opened at 5:1"
    assert "before block `training` at 7:1" in d.help


def test_missing_value_then_block_inside_a_later_block():
    d = _one_error('ftspec 1\ntask "t" { kind = style }\nq {\n  sizing =\n  model { base = "m" }\n}\n')
    assert (d.code, d.message) == ("SY005", "`sizing` has no value")


def test_absurd_nesting_is_a_diagnostic_not_a_crash():
    d = _one_error("ftspec 1\n" + "a { " * 3000 + "}" * 3000)
    assert d.code == "SY001" and "nested more than" in d.message
