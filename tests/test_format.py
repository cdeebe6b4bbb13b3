"""`ftspec fmt`: canonical, idempotent, never changes meaning, keeps every comment
and every suppression on its line (docs/formatting.md)."""

from __future__ import annotations

import argparse
import dataclasses
import stat
import textwrap
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ftspec.lint import lint_text
from ftspec.syntax import format as fmt_module
from ftspec.syntax import nodes as n
from ftspec.syntax import parse
from ftspec.syntax.format import FormatError, FormatInternalError, add_arguments, format_text, main
from ftspec.syntax.parser import _LOCK, lark_parser

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").rglob("*.ftspec"))
BROKEN = sorted((ROOT / "tests" / "fixtures" / "broken").glob("*.ftspec"))


def _case_specs() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "tests" / "rules" / "cases").glob("*.toml")):
        for i, case in enumerate(tomllib.loads(path.read_text(encoding="utf-8")).get("case", [])):
            if "spec" in case:
                out.append((f"{path.name}#{i}", case["spec"]))
    return out


def _parses(text: str) -> bool:
    doc, diagnostics = parse(text)
    return doc is not None and not any(d.severity.value == "error" for d in diagnostics)


def _corpus() -> list[tuple[str, str]]:
    texts = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in SPECS]
    for p in BROKEN:
        try:
            texts.append((str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    texts += _case_specs()
    return [(name, text) for name, text in texts if _parses(text)]


CORPUS = _corpus()


def _plain(node):
    """A syntax node without positions (and an accept without its source text)."""
    if isinstance(node, tuple):
        return tuple(_plain(x) for x in node)
    if dataclasses.is_dataclass(node):
        return (type(node).__name__, *(
            _plain(getattr(node, f.name)) for f in dataclasses.fields(node)
            if f.name not in ("span", "key_span", "name_span") and not (f.name == "text" and isinstance(node, n.Accept))
        ))
    return node


def _meaning(text: str):
    doc, _ = parse(text)
    assert doc is not None
    return _plain(doc.version), _plain(doc.body), [c.text.rstrip() for c in doc.comments]


def _codes(text: str) -> list[str]:
    return sorted(d.code for d in lint_text(text, "spec.ftspec"))


def _assert_good(text: str) -> str:
    out = format_text(text)
    assert format_text(out) == out, "not idempotent"
    assert _meaning(out) == _meaning(text), "meaning changed"
    return out


# -- the corpus --------------------------------------------------------------------------
def test_the_corpus_is_large():
    assert len(SPECS) >= 6 and len(CORPUS) > 200


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_example_specs_are_formatted(path):
    text = path.read_text(encoding="utf-8")
    assert format_text(text, str(path)) == text


@pytest.mark.parametrize(("name", "text"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_idempotent_meaning_and_lint(name, text):
    out = _assert_good(text)
    assert _codes(out) == _codes(text)


# -- perturbed examples (hypothesis) -------------------------------------------------------
def _lark_tokens(text: str):
    parser = lark_parser()
    with _LOCK:
        postlex = parser.options.postlex
        postlex.seen, postlex.comments = [], []
        try:
            tree = parser.parse(text)
        finally:
            postlex.seen, postlex.comments = [], []
    return list(tree.scan_values(lambda v: True))


def _pieces(text: str) -> list[tuple[str, str, int]]:
    """(type, text, offset) of every token and comment, in order."""
    doc, _ = parse(text)
    found = [(t.line, t.column, t.type, str(t)) for t in _lark_tokens(text)]
    found += [(c.span.line, c.span.col, "COMMENT", c.text) for c in doc.comments]
    out, pos = [], 0
    for _, _, kind, s in sorted(found):
        pos = text.index(s, pos)  # only whitespace lies between two pieces
        out.append((kind, s, pos))
        pos += len(s)
    return out


SEEDS = [text for name, text in CORPUS if name.startswith("specs") or "ftspec: ignore" in text]
SEED_PIECES = [_pieces(text) for text in SEEDS]
SAME_LINE = [" ", "  ", "\t", "   "]
ANY_GAP = [*SAME_LINE, "\n", "\n\n", "\n    ", " \n\n\n  ", "  # fuzz\n", "\n# fuzz\n\n",
           "  # ftspec: ignore AD001 fuzz\n", "\n  # ftspec: ignore HP001 fuzz\n"]


def _gap_choices(left: str, right: str, in_header: bool) -> list[str]:
    """Separators that keep the tokens what they were: a key keeps its `=` on its line,
    a block its labels and `{`, a call its `(` right after the name."""
    if left == "COMMENT":
        return ["\n", "\n\n", "\n  ", "\n\t\n"]
    if left == "CALL_NAME":
        return [""]
    if left == "KEY" or in_header:
        return SAME_LINE + ([""] if right in ("EQUALS", "LBRACE") else [])
    choices = ANY_GAP if right != "COMMENT" else [c for c in ANY_GAP if "#" not in c]
    glued = left in ("LBRACKET", "LPAREN") or right in ("COMMA", "RBRACKET", "RPAREN")
    return choices + ([""] if glued else [])


@st.composite
def perturbed(draw):
    """An example spec with the whitespace between some of its tokens changed, and
    comments (suppressions too) inserted where a line may end."""
    k = draw(st.integers(0, len(SEEDS) - 1))
    original, pieces = SEEDS[k], SEED_PIECES[k]
    edits = dict(draw(st.lists(st.tuples(st.integers(1, len(pieces) - 1), st.integers(0, 99)), max_size=30)))
    out, pos, in_header = [], 0, False
    for i, (kind, s, start) in enumerate(pieces):
        if i in edits:
            choices = _gap_choices(pieces[i - 1][0], kind, in_header)
            out.append(choices[edits[i] % len(choices)])
        else:
            out.append(original[pos:start])
        out.append(s)
        pos = start + len(s)
        in_header = (in_header or kind == "BLOCK_NAME") and kind != "LBRACE"
    out.append(original[pos:])
    return original, "".join(out)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perturbed())
def test_perturbed_specs_format_well(pair):
    original, text = pair
    if not _parses(text) or _meaning(text)[:2] != _meaning(original)[:2]:
        event("perturbation changed the spec")  # e.g. `warn x` + `y {` joined into a block header
        return
    try:
        out = _assert_good(text)
    except FormatError as exc:
        assert not exc.diagnostics and "suppression" in str(exc)
        event("refused: a suppression's line would change")
        return
    assert _codes(out) == _codes(text)


# -- the style -------------------------------------------------------------------------
def _fmt(text: str) -> str:
    return _assert_good(textwrap.dedent(text).lstrip("\n"))


def _expect(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


STYLE = {
    "spacing": (
        """
        ftspec   1
        task "t"{kind=classification   goal="g"}
        """,
        """
        ftspec 1

        task "t" { kind = classification  goal = "g" }
        """,
    ),
    "indentation, blank lines, shared lines": (
        """
        ftspec 1
        training {

                learning_rate = 2e-4 epochs=3
        \tseed = 1



            early_stopping {
        patience = 3 }

        }
        """,
        """
        ftspec 1

        training {
          learning_rate = 2e-4  epochs = 3
          seed = 1

          early_stopping {
            patience = 3
          }
        }
        """,
    ),
    "alignment follows the columns written": (
        """
        ftspec 1
        quality {
          duplicates    =   error
          conflicts     = error
          # a comment does not end a group
          max_tokens    = 256
          balance = warn max_ratio 3
          near_duplicates = warn 0.9

          contamination = error
        }
        """,
        """
        ftspec 1

        quality {
          duplicates = error
          conflicts  = error
          # a comment does not end a group
          max_tokens = 256
          balance = warn max_ratio 3
          near_duplicates = warn 0.9

          contamination = error
        }
        """,
    ),
    "trailing comments: two spaces at least, a column further right kept": (
        """
        ftspec 1
        sizing = minimum # why
        seed = 42                        # aligned by hand
        model { base = "m" }#   tight and trailing spaces\x20\x20
""",
        """
        ftspec 1

        sizing = minimum  # why
        seed = 42                        # aligned by hand
        model { base = "m" }  #   tight and trailing spaces
        """,
    ),
    "blocks: one line stays one line, several lines one item per line, empty is {}": (
        """
        ftspec 1
        eval { compare { base { }  prompted_base { shots = 5 } } }
        adapter full {
        }
        adapter lora { r = 16
          alpha = 32 }
        """,
        """
        ftspec 1

        eval { compare { base {}  prompted_base { shots = 5 } } }

        adapter full {}

        adapter lora {
          r = 16
          alpha = 32
        }
        """,
    ),
    "lists and calls": (
        """
        ftspec 1
        data {
          why = [ latency,cost , ]
          train = [jsonl("a.jsonl"),
            csv( "b.csv" , input="text" )]
          eval = csv("e.csv",
            input = "q", output = "a")
          none = [
          ]
        }
        """,
        """
        ftspec 1

        data {
          why = [latency, cost]
          train = [
            jsonl("a.jsonl"),
            csv("b.csv", input = "text"),
          ]
          eval = csv(
            "e.csv",
            input = "q",
            output = "a",
          )
          none = []
        }
        """,
    ),
    "values as written": (
        '''
        ftspec 1
        training { learning_rate = 2E-4  warmup = 10%  x = - 5  y = .5  z = "a\\u0041\\n" }
        data { validation = 15%   stratified
        system = """
              kept
            as written
          """ }
        ''',
        '''
        ftspec 1

        training { learning_rate = 2E-4  warmup = 10%  x = -5  y = .5  z = "a\\u0041\\n" }

        data {
          validation = 15% stratified
          system = """
              kept
            as written
          """
        }
        ''',
    ),
    "accept": (
        """
        ftspec 1
        eval {
          accept   fine_tuned.accuracy>=prompted_base.accuracy+0.10
          accept fine_tuned.rouge_l
            >= larger.rouge_l - 5%
        }
        """,
        """
        ftspec 1

        eval {
          accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10
          accept fine_tuned.rouge_l >= larger.rouge_l - 5%
        }
        """,
    ),
    "comments everywhere": (
        """
        # header
        ftspec 1 # version
        # before the task

        task "t" {  # open
          kind = classification
          labels = [  # the labels
            a,  # first
            # before b
            b
            # after b
          ]
          # last in the block
        }  # close
        sizing = minimum  # the end of an item
        data {
        validation = warn  # inside a value
          0.9 }
        # the end
        """,
        """
        # header
        ftspec 1  # version

        # before the task

        task "t" {  # open
          kind = classification
          labels = [  # the labels
            a,  # first
            # before b
            b,
            # after b
          ]
          # last in the block
        }  # close

        sizing = minimum  # the end of an item

        data {
          validation = warn  # inside a value
            0.9
        }
        # the end
        """,
    ),
}


@pytest.mark.parametrize("name", STYLE)
def test_style(name):
    source, expected = STYLE[name]
    assert _fmt(source) == _expect(expected)


def test_a_comma_on_its_own_line_is_not_a_blank_line():
    assert format_text("ftspec 1\nx = [\n  a\n  ,\n  b\n]\n") == "ftspec 1\n\nx = [\n  a,\n  b,\n]\n"


def test_nothing_and_only_comments():
    assert format_text("") == ""
    assert format_text("\n\n  \n") == ""
    assert format_text("# a\n\n\n\n# b   \n") == "# a\n\n# b\n"
    assert format_text("ftspec 1") == "ftspec 1\n"


def test_line_endings_become_lf():
    text = 'ftspec 1\r\nmodel { base = "m" }  # c\r\n'
    assert format_text(text) == 'ftspec 1\n\nmodel { base = "m" }  # c\n'


def test_syntax_errors_are_reported_not_formatted():
    with pytest.raises(FormatError) as info:
        format_text('ftspec 1\nmodel {\n  base = \n}\n', "bad.ftspec")
    assert [d.code[:2] for d in info.value.diagnostics] == ["SY"]
    assert str(info.value).startswith("bad.ftspec:3:")


# -- suppressions ------------------------------------------------------------------------
HEAD = """\
ftspec 1
task "t" { kind = classification }
data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }
model { base = "m" }
"""


@pytest.mark.parametrize("tail", [
    "adapter lora {r=128}     # ftspec: ignore AD001 long contracts need the capacity\n",
    "adapter lora { r = 128 } # ftspec: ignore AD001 long contracts need the capacity\n",
    "adapter lora {\n    r=128   # ftspec: ignore AD001 long contracts need the capacity\n  alpha = 256\n}\n",
    "adapter lora {\n  r = 128 }  # ftspec: ignore AD001 long contracts need the capacity\n",
    "adapter lora {\n  alpha = 256\n  r = [\n  128 ] # ftspec: ignore AD001 capacity\n}\n",
    "training { epochs = 3 }  # ftspec: ignore HP001 nothing to suppress here\n",
    "adapter lora { r = 128 }\n# ftspec: ignore AD001 on a line of its own: suppresses nothing\n",
])
def test_suppressions_stay_on_their_line_and_still_suppress(tail):
    text = HEAD + tail
    out = _assert_good(text)
    assert _codes(out) == _codes(text)
    old, new = parse(text)[0].comments, parse(out)[0].comments
    for before, after in zip(old, new, strict=True):
        if "ftspec: ignore" in before.text:
            assert _words_on_line(out, after.span.line) == _words_on_line(text, before.span.line)


def _words_on_line(text: str, line: int) -> list[str]:
    """The tokens that start on a line, less the closing brackets and commas fmt may move."""
    return [str(t) for t in sorted(_lark_tokens(text), key=lambda t: (t.line, t.column))
            if t.line == line and t.type not in ("RBRACE", "RBRACKET", "RPAREN", "COMMA")]


def test_a_suppressed_finding_stays_suppressed():
    text = HEAD + "adapter lora {\n  r = 128 }  # ftspec: ignore AD001 capacity\n"
    assert "AD001" not in _codes(text)
    out = format_text(text)
    assert "  r = 128  # ftspec: ignore AD001 capacity\n}\n" in out
    assert "AD001" not in _codes(out)


def test_a_layout_that_would_move_a_suppression_is_refused():
    text = HEAD + "training { epochs = 8  # ftspec: ignore HP001 measured\n  seed = 1\n}\n"
    with pytest.raises(FormatError) as info:
        format_text(text, "s.ftspec")
    assert info.value.diagnostics == []
    assert str(info.value).startswith("s.ftspec:5:24: cannot format:")


# -- the command -------------------------------------------------------------------------
UGLY = 'ftspec 1\nmodel{base="m"}\n'
PRETTY = 'ftspec 1\n\nmodel { base = "m" }\n'
BROKEN_TEXT = 'ftspec 1\nmodel {\n  base = \n}\n'


def _fmt_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="ftspec fmt")
    add_arguments(parser)
    return main(parser.parse_args(list(argv)))


def _tree(tmp_path: Path) -> dict[str, Path]:
    files = {"ugly": tmp_path / "a" / "ugly.ftspec", "pretty": tmp_path / "a" / "b" / "pretty.ftspec",
             "hidden": tmp_path / ".hidden" / "skip.ftspec", "other": tmp_path / "a" / "notes.txt"}
    for name, path in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PRETTY if name == "pretty" else UGLY, encoding="utf-8")
    return files


def _snapshot(paths) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in paths}


def test_check_lists_what_would_change_and_writes_nothing(tmp_path, capsys):
    files = _tree(tmp_path)
    before = _snapshot(files.values())
    assert _fmt_cli("--check", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert out == f"would reformat: {files['ugly']}\n"
    assert _snapshot(files.values()) == before
    assert _fmt_cli("--check", str(files["pretty"])) == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(tmp_path, capsys):
    files = _tree(tmp_path)
    before = _snapshot(files.values())
    assert _fmt_cli("--diff", str(files["ugly"]), str(files["pretty"])) == 1
    out = capsys.readouterr().out
    assert f"--- {files['ugly']} (original)" in out and "+model { base = \"m\" }" in out and "-model{" in out
    assert "pretty" not in out
    assert _snapshot(files.values()) == before


def test_rewrites_in_place_keeping_the_mode(tmp_path, capsys):
    files = _tree(tmp_path)
    files["ugly"].chmod(0o640)
    pretty = _snapshot([files["pretty"]])
    assert _fmt_cli(str(tmp_path)) == 0
    assert files["ugly"].read_text(encoding="utf-8") == PRETTY
    assert stat.S_IMODE(files["ugly"].stat().st_mode) == 0o640
    assert _snapshot([files["pretty"]]) == pretty  # unchanged files are not written
    assert files["hidden"].read_text(encoding="utf-8") == UGLY  # hidden folders are skipped
    assert "reformatted: " in capsys.readouterr().out
    again = _snapshot([files["ugly"]])
    assert _fmt_cli(str(tmp_path)) == 0
    assert _snapshot([files["ugly"]]) == again


def test_through_a_link_the_target_is_rewritten(tmp_path):
    target = tmp_path / "real.ftspec"
    target.write_text(UGLY, encoding="utf-8")
    link = tmp_path / "link.ftspec"
    link.symlink_to(target)
    assert _fmt_cli(str(link)) == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8") == PRETTY


def test_a_broken_file_is_reported_and_left_alone(tmp_path, capsys):
    files = _tree(tmp_path)
    broken = tmp_path / "a" / "broken.ftspec"
    broken.write_text(BROKEN_TEXT, encoding="utf-8")
    latin1 = tmp_path / "a" / "latin1.ftspec"
    latin1.write_bytes("ftspec 1\n# caf\u00e9\n".encode("latin-1"))
    before = _snapshot([broken, latin1])
    assert _fmt_cli(str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert f"{broken}:3:" in out and " SY0" in out
    assert f"{latin1}:2:6: SY010" in out
    assert _snapshot([broken, latin1]) == before
    assert files["ugly"].read_text(encoding="utf-8") == PRETTY  # the others are still formatted


def test_usage_errors_exit_2(tmp_path, capsys):
    assert _fmt_cli(str(tmp_path / "missing.ftspec")) == 2
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _fmt_cli("--check")


def test_no_spec_files_is_fine(tmp_path, capsys):
    assert _fmt_cli(str(tmp_path)) == 0
    assert "no .ftspec files" in capsys.readouterr().err


def test_a_refused_layout_is_reported_and_left_alone(tmp_path, capsys):
    path = tmp_path / "s.ftspec"
    path.write_text(HEAD + "training { epochs = 8  # ftspec: ignore HP001 measured\n  seed = 1\n}\n", encoding="utf-8")
    before = _snapshot([path])
    assert _fmt_cli(str(path)) == 1
    assert f"{path}:5:24: cannot format:" in capsys.readouterr().out
    assert _snapshot([path]) == before


@pytest.mark.parametrize("wrong", [PRETTY.replace('"m"', '"n"'), PRETTY + "# made up\n", "ftspec 1\nmodel {\n"])
def test_a_formatter_bug_is_caught_not_written(tmp_path, monkeypatch, capsys, wrong):
    monkeypatch.setattr(fmt_module._Formatter, "document", lambda self: wrong)
    with pytest.raises(FormatInternalError):
        format_text(UGLY)
    path = tmp_path / "ugly.ftspec"
    path.write_text(UGLY, encoding="utf-8")
    assert _fmt_cli(str(path)) == 2
    assert "internal error" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == UGLY
