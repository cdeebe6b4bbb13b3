"""The TextMate grammar of .ftspec files (editors/), run through a real TextMate engine.

The engine is VS Code's own: vscode-textmate with vscode-oniguruma, pinned in
tests/textmate/package-lock.json and driven by tests/textmate/tokenize.mjs. It needs
Node.js and `npm ci --prefix tests/textmate`; without them the engine tests are skipped,
except under CI=true, where they fail.

What is checked: every spec under specs/ is tokenised with no invalid scope and nothing
left unscoped; every token the language's own lexer (ftspec.lark) finds gets the scope of
its kind; a table of constructs gets the expected scopes; every broken fixture tokenises
without errors or timeouts; the grammar and the VS Code extension are well formed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from lark import Lark, Token

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "editors" / "ftspec.tmLanguage.json"
VSCODE = ROOT / "editors" / "vscode"
ENGINE = Path(__file__).resolve().parent / "textmate"
LARK = ROOT / "ftspec" / "syntax" / "ftspec.lark"

SPECS = sorted((ROOT / "specs").rglob("*.ftspec"))
BROKEN = sorted((ROOT / "tests" / "fixtures" / "broken").glob("*.ftspec"))

# Constructs that the example specs may not contain (a suppression, `off`, escapes, ...).
# It must parse: it is held to the same checks as the files under specs/.
SAMPLE = r'''ftspec 1
task "sample\u00e9\t" { kind = extraction  output = json }
data {
  train = [json("a.json"), alpaca("b.json", input = "q"), csv("c.csv")]
  validation = .5%
  system = """
    Say "yes" or \"no\".
  """
}
model { base = "m" }
adapter lora { r = 128 }   # ftspec: ignore AD001, AD002 long contracts need the capacity
training { seed = -1  learning_rate = 1E-4  early_stopping = off  warmup = 0.1 }
eval {
  compare { larger { model = "big" } }
  accept fine_tuned.accuracy >= larger.accuracy - 5%
  accept fine_tuned.exact_match != base.exact_match
  accept fine_tuned.eval_loss < 2.5 + prompted_base.eval_loss
}
'''

# Long lines of names, strings and numbers: each must be tokenised within the engine's time
# limit (a pattern that rescans the rest of the line at every name would not be).
LONG = "\n".join(["x = " + "abc " * 6000, "t " + '"s" ' * 2000, "v = " + "1.5e-3 " * 2000,
                  "k = [" + "a, " * 2000 + "]"])

# (file, a piece of the line, the token's text, a scope the token must have). The file is a
# path relative to the repository or "SAMPLE"; the line is the first that contains the piece.
CLS = "specs/examples/classification.ftspec"
EXT = "specs/examples/extraction.ftspec"
KNO = "specs/examples/knowledge.ftspec"
REA = "specs/examples/reasoning.ftspec"
STY = "specs/examples/style.ftspec"
EXPECTED = [
    (CLS, "# Route a bank", "#", "punctuation.definition.comment.ftspec"),
    (CLS, "# Route a bank", " Route a bank customer's message to one of its intents.",
     "comment.line.number-sign.ftspec"),
    (CLS, "ftspec 1", "ftspec", "keyword.other.version.ftspec"),
    (CLS, "ftspec 1", "1", "constant.numeric.integer.version.ftspec"),
    (CLS, 'task "banking', "task", "entity.name.type.block.ftspec"),
    (CLS, 'task "banking', "banking-intents", "entity.name.label.ftspec"),
    (CLS, 'task "banking', "banking-intents", "string.quoted.double.ftspec"),
    (CLS, 'task "banking', "{", "punctuation.section.block.begin.ftspec"),
    (CLS, "decision {", "decision", "entity.name.type.block.ftspec"),
    (CLS, "data {", "data", "entity.name.type.block.ftspec"),
    (CLS, "quality {", "quality", "entity.name.type.block.ftspec"),
    (CLS, "model {", "model", "entity.name.type.block.ftspec"),
    (CLS, "adapter lora", "adapter", "entity.name.type.block.ftspec"),
    (CLS, "adapter lora", "lora", "entity.name.label.ftspec"),
    (CLS, "adapter lora", "lora", "constant.language.enum.ftspec"),
    (CLS, "training {", "training", "entity.name.type.block.ftspec"),
    (CLS, "eval {", "eval", "entity.name.type.block.ftspec"),
    (CLS, "prompt_baseline {", "prompt_baseline", "entity.name.type.block.ftspec"),
    (CLS, "early_stopping {", "early_stopping", "entity.name.type.block.ftspec"),
    (CLS, "automated {", "automated", "entity.name.type.block.ftspec"),
    (CLS, "compare {", "compare", "entity.name.type.block.ftspec"),
    (CLS, "base {}", "base", "entity.name.type.block.ftspec"),
    (CLS, "base {}", "}", "punctuation.section.block.end.ftspec"),
    (STY, "human {", "human", "entity.name.type.block.ftspec"),
    (EXT, "larger {", "larger", "entity.name.type.block.ftspec"),
    (CLS, "= classification", "kind", "variable.other.key.ftspec"),
    (CLS, "= classification", "=", "keyword.operator.assignment.ftspec"),
    (CLS, "= classification", "classification", "constant.language.enum.ftspec"),
    (CLS, "scheduler = cosine", "cosine", "constant.language.enum.ftspec"),
    (CLS, "= error", "error", "constant.language.enum.ftspec"),
    (CLS, "= warn 0.9", "warn", "constant.language.enum.ftspec"),
    (CLS, "= warn 0.9", "0.9", "constant.numeric.float.ftspec"),
    (CLS, "targets = [q_proj", "q_proj", "constant.language.enum.ftspec"),
    (CLS, "targets = [q_proj", "[", "punctuation.definition.list.begin.ftspec"),
    (CLS, "targets = [q_proj", ",", "punctuation.separator.comma.ftspec"),
    (CLS, "targets = [q_proj", "]", "punctuation.definition.list.end.ftspec"),
    (EXT, "quant_type = nf4", "nf4", "constant.language.enum.ftspec"),
    (EXT, "adapter qlora", "qlora", "constant.language.enum.ftspec"),
    (EXT, "double_quant = true", "true", "constant.language.boolean.ftspec"),
    (CLS, "needs_current_knowledge", "false", "constant.language.boolean.ftspec"),
    (CLS, "goal", "Route a bank customer's message to its intent", "string.quoted.double.ftspec"),
    (CLS, "goal", '"', "punctuation.definition.string.begin.ftspec"),
    (CLS, "learning_rate = 2e-4", "2e-4", "constant.numeric.float.ftspec"),
    (CLS, "learning_rate = 2e-4", "3", "constant.numeric.integer.ftspec"),
    (CLS, "validation = 15%", "15", "constant.numeric.percentage.ftspec"),
    (CLS, "validation = 15%", "%", "constant.numeric.percentage.ftspec"),
    (CLS, "validation = 15%", "%", "keyword.other.unit.percent.ftspec"),
    (CLS, "validation = 15%", "stratified", "constant.language.enum.ftspec"),
    (CLS, "= jsonl(", "jsonl", "support.function.constructor.ftspec"),
    (CLS, "= jsonl(", "(", "punctuation.definition.arguments.begin.ftspec"),
    (CLS, "= jsonl(", ")", "punctuation.definition.arguments.end.ftspec"),
    (STY, "= csv(", "csv", "support.function.constructor.ftspec"),
    (STY, "= csv(", "input", "variable.other.key.ftspec"),
    (KNO, "= alpaca(", "alpaca", "support.function.constructor.ftspec"),
    (REA, "output = regex(", "regex", "support.function.constructor.ftspec"),
    (REA, "output = regex(", "\\\\", "constant.character.escape.ftspec"),
    (EXT, "output = json_schema(", "json_schema", "support.function.constructor.ftspec"),
    (EXT, '= """', '"""', "string.quoted.triple.ftspec"),
    (EXT, "You extract billing", "    You extract billing fields from invoices.", "string.quoted.triple.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "accept", "keyword.control.accept.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "fine_tuned", "variable.other.rung.ftspec"),
    (CLS, "accept fine_tuned.accuracy", ".", "punctuation.accessor.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "accuracy", "variable.other.metric.ftspec"),
    (CLS, "accept fine_tuned.accuracy", ">=", "keyword.operator.comparison.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "prompted_base", "variable.other.rung.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "+", "keyword.operator.arithmetic.ftspec"),
    (CLS, "accept fine_tuned.accuracy", "0.10", "constant.numeric.float.ftspec"),
    ("SAMPLE", "# ftspec: ignore", "ftspec: ignore", "keyword.other.suppression.ftspec"),
    ("SAMPLE", "# ftspec: ignore", "ftspec: ignore", "comment.line.number-sign.ftspec"),
    ("SAMPLE", "# ftspec: ignore", "AD001", "constant.other.rule-code.ftspec"),
    ("SAMPLE", "# ftspec: ignore", "AD001", "comment.line.number-sign.ftspec"),
    ("SAMPLE", "# ftspec: ignore", "AD002", "constant.other.rule-code.ftspec"),
    ("SAMPLE", "# ftspec: ignore", " long contracts need the capacity", "comment.line.number-sign.ftspec"),
    ("SAMPLE", 'task "sample', "\\u00e9", "constant.character.escape.ftspec"),
    ("SAMPLE", 'task "sample', "\\t", "constant.character.escape.ftspec"),
    ("SAMPLE", 'task "sample', "output", "variable.other.key.ftspec"),
    ("SAMPLE", 'task "sample', "json", "constant.language.enum.ftspec"),
    ("SAMPLE", "train = [json(", "json", "support.function.constructor.ftspec"),
    ("SAMPLE", "validation = .5%", ".5", "constant.numeric.percentage.ftspec"),
    ("SAMPLE", 'Say "yes"', '    Say "yes" or ', "string.quoted.triple.ftspec"),
    ("SAMPLE", 'Say "yes"', '\\"', "constant.character.escape.ftspec"),
    ("SAMPLE", "seed = -1", "-1", "constant.numeric.integer.ftspec"),
    ("SAMPLE", "seed = -1", "1E-4", "constant.numeric.float.ftspec"),
    ("SAMPLE", "seed = -1", "off", "constant.language.off.ftspec"),
    ("SAMPLE", "larger.accuracy - 5%", "-", "keyword.operator.arithmetic.ftspec"),
    ("SAMPLE", "larger.accuracy - 5%", "larger", "variable.other.rung.ftspec"),
    ("SAMPLE", "larger.accuracy - 5%", "5", "constant.numeric.percentage.ftspec"),
    ("SAMPLE", "!= base", "!=", "keyword.operator.comparison.ftspec"),
    ("SAMPLE", "< 2.5", "<", "keyword.operator.comparison.ftspec"),
    ("SAMPLE", "< 2.5", "eval_loss", "variable.other.metric.ftspec"),
]

# (broken fixture, a piece of the line, the token's text, a scope the token must have)
EXPECTED_INVALID = [
    ("bad-escape.ftspec", "regex(", "\\d", "invalid.illegal.unrecognized-escape.ftspec"),
    ("semicolon.ftspec", "epochs = 3;", ";", "invalid.illegal.character.ftspec"),
    ("colon-for-equals.ftspec", ":", ":", "invalid.illegal.character.ftspec"),
    ("single-quotes.ftspec", "'", "'", "invalid.illegal.character.ftspec"),
]

# The scope (prefix) that each kind of token of ftspec.lark must get; several mean "one of".
LARK_SCOPES = {
    "VERSION_KW": ("keyword.other.version.ftspec",),
    "INT": ("constant.numeric.integer.version.ftspec",),
    "KEY": ("variable.other.key.ftspec",),
    "EQUALS": ("keyword.operator.assignment.ftspec",),
    "BLOCK_NAME": ("entity.name.type.block.ftspec",),
    "CALL_NAME": ("support.function.constructor.ftspec", "variable.function.ftspec"),
    "IDENT": ("constant.language.enum.ftspec", "constant.language.off.ftspec", "entity.name.label.ftspec"),
    "STRING": ("string.quoted.double.ftspec",),
    "LONG_STRING": ("string.quoted.triple.ftspec",),
    "NUMBER": ("constant.numeric.integer.ftspec", "constant.numeric.float.ftspec"),
    "PERCENT": ("constant.numeric.percentage.ftspec",),
    "TRUE": ("constant.language.boolean.ftspec",),
    "FALSE": ("constant.language.boolean.ftspec",),
    "ACCEPT_KW": ("keyword.control.accept.ftspec",),
    "REF": ("variable.other.rung.ftspec",),
    "COMPARATOR": ("keyword.operator.comparison.ftspec",),
    "PLUS": ("keyword.operator.arithmetic.ftspec",),
    "MINUS": ("keyword.operator.arithmetic.ftspec", "constant.numeric.integer.ftspec", "constant.numeric.float.ftspec"),
    "LBRACE": ("punctuation.section.block.begin.ftspec",),
    "RBRACE": ("punctuation.section.block.end.ftspec",),
    "LBRACKET": ("punctuation.definition.list.begin.ftspec",),
    "RBRACKET": ("punctuation.definition.list.end.ftspec",),
    "LPAREN": ("punctuation.definition.arguments.begin.ftspec",),
    "RPAREN": ("punctuation.definition.arguments.end.ftspec",),
    "COMMA": ("punctuation.separator.comma.ftspec",),
    "COMMENT": ("comment.line.number-sign.ftspec",),
}


# --- the engine ---------------------------------------------------------------------------


def _engine_missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js is not installed (the TextMate engine runs on it)"
    if not (ENGINE / "node_modules" / "vscode-textmate").is_dir():
        return "vscode-textmate is not installed: run `npm ci --prefix tests/textmate`"
    return None


def _read(path: Path) -> str:
    # As an editor shows it: a file that is not UTF-8 (latin1.ftspec) gets replacement characters.
    return path.read_bytes().decode("utf-8", errors="replace")


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def _tokenised() -> dict | str:
    """Every spec, fixture and the sample, tokenised in one run of the engine (or why it failed)."""
    files = [{"name": _name(p), "text": _read(p)} for p in [*SPECS, *BROKEN]]
    files += [{"name": "SAMPLE", "text": SAMPLE}, {"name": "LONG", "text": LONG}]
    proc = subprocess.run(
        ["node", str(ENGINE / "tokenize.mjs"), str(GRAMMAR)],
        input=json.dumps({"files": files}), capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    if proc.returncode != 0:
        return f"the engine failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
    out = json.loads(proc.stdout)
    out["files"] = {f["name"]: f for f in out["files"]}
    out["texts"] = {f["name"]: f["text"] for f in files}
    return out


@pytest.fixture(scope="module")
def tokens() -> dict:
    missing = _engine_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}; CI must install the engine")
        pytest.skip(missing)
    result = _tokenised()
    if isinstance(result, str):
        pytest.fail(result)
    return result


def _line_tokens(tokens: dict, name: str, piece: str) -> tuple[int, list[dict]]:
    assert tokens["files"][name]["error"] is None, tokens["files"][name]["error"]
    lines = tokens["texts"][name].split("\n")
    for number, line in enumerate(lines, 1):
        if piece in line:
            return number, tokens["files"][name]["lines"][number - 1]
    raise AssertionError(f"{name}: no line contains {piece!r}")


def _describe(line: list[dict]) -> str:
    return "\n".join(f"  {t['text']!r}: {' '.join(t['scopes'][1:])}" for t in line)


def _has_scope(token: dict, scope: str) -> bool:
    return any(s == scope or s.startswith(scope + ".") for s in token["scopes"])


def _check_expected(tokens: dict, name: str, piece: str, text: str, scope: str) -> None:
    number, line = _line_tokens(tokens, name, piece)
    matching = [t for t in line if t["text"] == text]
    assert matching, f"{name}:{number}: no token {text!r}; the tokens are\n{_describe(line)}"
    assert any(scope in t["scopes"] for t in matching), (
        f"{name}:{number}: token {text!r} lacks scope {scope}; the tokens are\n{_describe(line)}")


# --- the tests ----------------------------------------------------------------------------


def test_the_engine_compiles_every_pattern(tokens):
    assert tokens["scopeName"] == "source.ftspec"
    assert tokens["regexErrors"] == [], "patterns that Oniguruma cannot compile"
    assert set(tokens["files"]) == {_name(p) for p in [*SPECS, *BROKEN]} | {"SAMPLE", "LONG"}
    assert len(SPECS) >= 6 and len(BROKEN) >= 20, "the globs found too few files"


@pytest.mark.parametrize("name", [_name(p) for p in [*SPECS, *BROKEN]] + ["SAMPLE", "LONG"])
def test_tokenises_without_errors(tokens, name):
    """Every line is tokenised in time, and its tokens cover it exactly, broken files included."""
    result = tokens["files"][name]
    assert result["error"] is None, result["error"]
    assert result["stoppedEarly"] == [], f"tokenising stopped early on lines {result['stoppedEarly']}"
    lines = tokens["texts"][name].split("\n")
    assert len(result["lines"]) == len(lines)
    for number, (text, line) in enumerate(zip(lines, result["lines"], strict=True), 1):
        assert "".join(t["text"] for t in line) == text.removesuffix("\r"), f"line {number}"
        for t in line:
            assert t["scopes"][0] == "source.ftspec", f"line {number}: {t}"


@pytest.mark.parametrize("name", [_name(p) for p in SPECS] + ["SAMPLE"])
def test_valid_specs_have_no_invalid_or_unscoped_token(tokens, name):
    assert tokens["files"][name]["error"] is None, tokens["files"][name]["error"]
    for number, line in enumerate(tokens["files"][name]["lines"], 1):
        for t in line:
            assert not any(s.startswith("invalid") for s in t["scopes"]), (
                f"{name}:{number}: {t['text']!r} is marked invalid:\n{_describe(line)}")
            assert t["text"].strip() == "" or len(t["scopes"]) > 1, (
                f"{name}:{number}: {t['text']!r} got no scope from the grammar:\n{_describe(line)}")


@pytest.mark.parametrize(("name", "piece", "text", "scope"), EXPECTED,
                         ids=[f"{e[0].rsplit('/', 1)[-1]}:{e[2]}" for e in EXPECTED])
def test_expected_scope(tokens, name, piece, text, scope):
    _check_expected(tokens, name, piece, text, scope)


@pytest.mark.parametrize(("name", "piece", "text", "scope"), EXPECTED_INVALID, ids=[e[0] for e in EXPECTED_INVALID])
def test_broken_fixture_marked_invalid(tokens, name, piece, text, scope):
    _check_expected(tokens, f"tests/fixtures/broken/{name}", piece, text, scope)


class _Recorder:
    """Postlexer that keeps every token, as ftspec's parser does (and recognises `name =` everywhere)."""

    always_accept = ("KEY",)

    def __init__(self) -> None:
        self.seen: list[Token] = []

    def process(self, stream):
        for token in stream:
            self.seen.append(token)
            yield token


@cache
def _lark() -> Lark:
    recorder = _Recorder()
    return Lark(LARK.read_text(encoding="utf-8"), parser="lalr", lexer="contextual", postlex=recorder,
                lexer_callbacks={"COMMENT": recorder.seen.append})


@pytest.mark.parametrize("name", [_name(p) for p in SPECS] + ["SAMPLE"])
def test_agrees_with_the_language_lexer(tokens, name):
    """Each token that ftspec.lark lexes starts a TextMate token with the scope of its kind."""
    parser = _lark()
    recorder = parser.options.postlex
    recorder.seen.clear()
    parser.parse(tokens["texts"][name])  # a spec under specs/ must parse
    lark_tokens = list(recorder.seen)
    assert lark_tokens
    assert tokens["files"][name]["error"] is None, tokens["files"][name]["error"]
    lines = tokens["files"][name]["lines"]
    for tok in lark_tokens:
        line = lines[tok.line - 1]
        starts, col = {}, 1
        for t in line:  # columns counted in Python characters, as Lark counts them
            starts[col] = t
            col += len(t["text"])
        where = f"{name}:{tok.line}:{tok.column} {tok.type} {str(tok)!r}"
        t = starts.get(tok.column)
        if t is None and tok.type in ("NUMBER", "PERCENT"):
            t = starts.get(tok.column - 1)  # `-1`: the sign and the number are one TextMate token
            t = t if t is not None and t["text"].startswith("-") else None
        assert t is not None, f"{where}: no TextMate token starts there:\n{_describe(line)}"
        assert tok.type in LARK_SCOPES, f"{where}: a new kind of token: add it to LARK_SCOPES"
        wanted = LARK_SCOPES[tok.type]
        assert any(_has_scope(t, s) for s in wanted), f"{where}: wanted one of {wanted}:\n{_describe(line)}"


# --- the files ----------------------------------------------------------------------------


def _walk(node, path="$"):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}[{i}]")


def test_grammar_is_well_formed():
    grammar = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    assert grammar["scopeName"] == "source.ftspec"
    assert grammar["name"] == "ftspec"
    assert grammar["fileTypes"] == ["ftspec"]
    assert grammar["patterns"] and isinstance(grammar["repository"], dict)
    for path, node in _walk(grammar):
        if path == "$":
            continue  # the grammar's own name
        include = node.get("include")
        if include is not None:
            assert include.startswith("#") and include[1:] in grammar["repository"], f"{path}: {include}"
        names = [v for k, v in node.items() if k in ("name", "contentName") and isinstance(v, str)]
        for scope in " ".join(names).split():
            # every scope ends in the language's name, as TextMate's conventions ask
            assert scope == "source.ftspec" or scope.endswith(".ftspec"), f"{path}: {scope}"
        if "begin" in node:
            assert "end" in node or "while" in node, f"{path}: begin without end"
    used = {n["include"][1:] for _, n in _walk(grammar) if "include" in n}
    assert used == set(grammar["repository"]), "repository entries that nothing includes"


def test_vscode_extension():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert manifest["name"] and manifest["publisher"] and manifest["version"] and manifest["engines"]["vscode"]
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "ftspec" and language["extensions"] == [".ftspec"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["language"] == "ftspec" and grammar["scopeName"] == "source.ftspec"
    # The extension folder must hold everything it names (it is copied or packaged alone).
    copy = (VSCODE / grammar["path"]).resolve()
    assert copy.is_relative_to(VSCODE.resolve())
    assert copy.read_bytes() == GRAMMAR.read_bytes(), (
        "the extension's grammar is a copy of editors/ftspec.tmLanguage.json: "
        f"cp editors/ftspec.tmLanguage.json {copy.relative_to(ROOT)}")

    config_path = (VSCODE / language["configuration"]).resolve()
    assert config_path.is_relative_to(VSCODE.resolve())
    config = json.loads(config_path.read_text(encoding="utf-8"))
    assert config["comments"] == {"lineComment": "#"}
    assert [tuple(b) for b in config["brackets"]] == [("{", "}"), ("[", "]"), ("(", ")")]
    closing = {p["open"]: p["close"] for p in config["autoClosingPairs"]}
    assert closing == {"{": "}", "[": "]", "(": ")", '"': '"'}
    word = re.compile(config["wordPattern"])
    assert [m.group() for m in word.finditer("warmup = 10%  lr = 2e-4  q_proj banking-intents -1")] == [
        "warmup", "10%", "lr", "2e-4", "q_proj", "banking-intents", "-1"]
    for rule in config["indentationRules"].values():
        re.compile(rule)


def test_engine_lockfile_pins_the_engine():
    package = json.loads((ENGINE / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ENGINE / "package-lock.json").read_text(encoding="utf-8"))
    for dep, version in package["devDependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{dep}: pin an exact version"
        assert lock["packages"][f"node_modules/{dep}"]["version"] == version
