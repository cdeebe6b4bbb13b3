"""Turn Lark's parse exceptions into diagnostics a person understands.

Three layers, most specific first:
1. structure: an unclosed `{`/`[`/`(` at end of file is named with where it
   was opened (the token log tells which block); an unmatched `}`; a name
   that is neither `name = value` nor `name { ... }`; an unterminated string;
   a value missing after `=`.
2. examples: Lark's `match_examples` compares the parser state of the error
   with small broken snippets whose message we chose (missing comma in a
   list, a malformed acceptance criterion, a bad version line).
3. fallback: "unexpected X; expected one of ..." with readable names.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ftspec.diagnostics import Diagnostic, Severity, Span, end_of_text

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

# Readable names for terminals, used in "expected ..." lists.
TERMINAL_NAMES = {
    "KEY": "an attribute (`name = value`)",
    "BLOCK_NAME": "a block (`name { ... }`)",
    "CALL_NAME": "a source such as `jsonl(\"...\")`",
    "ACCEPT_KW": "`accept`",
    "VERSION_KW": "`ftspec 1`",
    "IDENT": "a name",
    "REF": "a metric such as `fine_tuned.accuracy`",
    "STRING": "a string",
    "LONG_STRING": "a string",
    "NUMBER": "a number",
    "INT": "a whole number",
    "PERCENT": "a percentage",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "EQUALS": "`=`",
    "COMPARATOR": "a comparison (`>=`, `>`, `<=`, `<`, `==`, `!=`)",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LBRACKET": "`[`",
    "RBRACKET": "`]`",
    "LPAREN": "`(`",
    "RPAREN": "`)`",
    "COMMA": "`,`",
    "PLUS": "`+`",
    "MINUS": "`-`",
    "$END": "end of file",
    "VALUE": "a value",
}

_CLOSERS = {"LBRACE": "}", "LBRACKET": "]", "LPAREN": ")"}

# label -> (code, name, message, help); message may use {found}.
_EXAMPLE_MESSAGES = {
    "list-comma": (
        "SY001", "syntax.invalid-syntax",
        "missing `,` between list items before {found}",
        "separate list items with commas: `[q_proj, v_proj]`",
    ),
    "call-comma": (
        "SY001", "syntax.invalid-syntax",
        "missing `,` between arguments before {found}",
        'separate arguments with commas: `csv("train.csv", input = "text")`',
    ),
    "accept-comparator": (
        "SY001", "syntax.invalid-syntax",
        "an acceptance criterion needs a comparison; found {found}",
        "write it as `accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10`",
    ),
    "accept-operand": (
        "SY001", "syntax.invalid-syntax",
        "expected a metric (`rung.metric`) or a number in the acceptance criterion; found {found}",
        "write it as `accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10`",
    ),
    "value-after-value": (
        "SY001", "syntax.invalid-syntax",
        "unexpected {found} after a value",
        "each attribute is `name = value`; blocks are `name { ... }`",
    ),
}

_EXAMPLES = {
    "list-comma": ["a = [x y]", 'a = ["x" "y"]', "a = [1 2]", "a = [x, y z]"],
    "call-comma": ['a = jsonl("x" "y")', 'a = csv("x" input = "y")'],
    "accept-comparator": ["accept a.b", "accept a.b + 1", "accept a.b c", "accept a.b = c"],
    "accept-operand": ["accept >= 1", "accept a.b >= ", "accept a.b >= }", "accept a.b + >= 1"],
    "value-after-value": ["a = 1 = 2", "a = [1] (", "a = 1 )"],
}


def syntax_diagnostic(err: UnexpectedInput, text: str, path: str, seen: list[Token]) -> Diagnostic:
    for attempt in (_structural, _by_example):
        diag = attempt(err, text, path, seen)
        if diag is not None:
            return diag
    return _fallback(err, text, path)


# -- helpers -------------------------------------------------------------------


def _found(token: Token | None) -> str:
    if token is None or token.type == "$END":
        return "end of file"
    value = str(token)
    if len(value) > 30:
        value = value[:27] + "..."
    return f"`{value}`"


def _tok_span(path: str, tok: Token) -> Span:
    return Span(path, tok.line, tok.column, tok.end_line, tok.end_column)


def _after(path: str, tok: Token) -> Span:
    return Span.point(path, tok.end_line, tok.end_column)


def _err_token(err: UnexpectedInput) -> Token | None:
    if isinstance(err, UnexpectedToken):
        return err.token
    return None


def _at_end(err: UnexpectedInput) -> bool:
    tok = _err_token(err)
    return isinstance(err, UnexpectedEOF) or (tok is not None and tok.type == "$END")


def _open_stack(seen: list[Token]) -> list[tuple[Token, Token | None]]:
    """(opener token, block-name token or None) for every bracket still open."""
    stack: list[tuple[Token, Token | None]] = []
    pending_name: Token | None = None
    for tok in seen:
        if tok.type == "BLOCK_NAME":
            pending_name = tok
        elif tok.type in _CLOSERS:
            name = pending_name if tok.type == "LBRACE" else None
            stack.append((tok, name))
            pending_name = None
        elif tok.type in ("RBRACE", "RBRACKET", "RPAREN"):
            if stack:
                stack.pop()
    return stack


def _err_span(err: UnexpectedInput, text: str, path: str) -> Span:
    tok = _err_token(err)
    if _at_end(err):
        return end_of_text(path, text)
    if tok is not None:
        return _tok_span(path, tok)
    line, col = err.line, err.column
    return Span(path, line, col, line, col + 1)


# -- layer 1: structure ----------------------------------------------------------


def _structural(err, text, path, seen):
    tok = _err_token(err)
    last = seen[-1] if seen else None

    if _at_end(err):
        stack = _open_stack(seen)
        if stack:
            return _unclosed(stack[-1], seen, text, path)

    if isinstance(err, UnexpectedCharacters) and not (seen and seen[0].type == "VERSION_KW"
                                                       and err.line == seen[0].line):
        return _bad_character(err, text, path, seen)

    version = seen[0] if seen and seen[0].type == "VERSION_KW" else None
    if version is not None and getattr(err, "line", 0) in (version.line, -1) and len(seen) <= 2:
        return _bad_version(err, text, path)
    if tok is not None and tok.type == "VERSION_KW":
        return Diagnostic(
            "SY009", "syntax.bad-version-line", Severity.ERROR,
            "the version line `ftspec N` must come first",
            _tok_span(path, tok), help="move it to the top of the file",
        )

    # A value was expected right after `=` but something else came.
    if last is not None and last.type == "EQUALS":
        if tok is None or tok.type in ("KEY", "BLOCK_NAME", "RBRACE", "$END", "ACCEPT_KW") or _at_end(err):
            key = _key_before(seen)
            return Diagnostic(
                "SY005", "syntax.missing-value", Severity.ERROR,
                f"`{key}` has no value" if key else "missing value after `=`",
                _after(path, last),
                help=f"give it a value: `{key} = ...`" if key else "give it a value",
            )

    if tok is not None and tok.type == "EQUALS":
        accept = _last_of(seen, "ACCEPT_KW")
        key_tok = _last_of(seen, "KEY")
        if accept is not None and (key_tok is None or _position(seen, accept) > _position(seen, key_tok)):
            return Diagnostic(
                "SY001", "syntax.invalid-syntax", Severity.ERROR,
                "unexpected `=` in the acceptance criterion",
                _tok_span(path, tok),
                help="compare with `>=`, `>`, `<=`, `<`, `==` or `!=`",
            )
        key = _key_before(seen)
        return Diagnostic(
            "SY001", "syntax.invalid-syntax", Severity.ERROR,
            "unexpected `=` after the value" + (f" of `{key}`" if key else ""),
            _tok_span(path, tok),
            help="each attribute is one `name = value`; a value cannot contain `=`",
        )

    # A closer that does not match the innermost opener: that one is unclosed.
    if tok is not None and tok.type in ("RBRACE", "RBRACKET", "RPAREN"):
        stack = _open_stack(seen)
        if stack and _CLOSERS[stack[-1][0].type] != str(tok):
            opener = stack[-1][0]
            what = {"LBRACKET": "list", "LPAREN": "argument list", "LBRACE": "block"}[opener.type]
            closer = _CLOSERS[opener.type]
            return Diagnostic(
                "SY002", "syntax.unclosed", Severity.ERROR,
                f"missing `{closer}` closing the {what} opened at {opener.line}:{opener.column}",
                _tok_span(path, tok),
                help=f"add `{closer}` before {_found(tok)}",
                related=((f"{what} opened here", _tok_span(path, opener)),),
            )

    if tok is not None and tok.type == "RBRACE" and not _open_stack(seen):
        return Diagnostic(
            "SY008", "syntax.unmatched-closer", Severity.ERROR,
            "unmatched `}`: no block is open here",
            _tok_span(path, tok),
            help="remove it, or look for a block above that was closed twice",
        )

    expected = set(getattr(err, "expected", ()) or ())
    # A bare name where an attribute or a block should start.
    if tok is not None and tok.type in ("IDENT", "REF") and "KEY" in expected:
        return _name_without_equals(tok, text, path)

    # A value then `{`: usually a block name written on the line after a
    # missing value (`sizing =` / `model {`), or `adapter = lora {`.
    if tok is not None and tok.type == "LBRACE" and last is not None and last.type == "IDENT":
        eq = _last_of(seen, "EQUALS")
        key = _key_before(seen[: _position(seen, eq) + 1]) if eq is not None else None
        if eq is not None and last.line > eq.line:
            return Diagnostic(
                "SY005", "syntax.missing-value", Severity.ERROR,
                f"`{key}` has no value" if key else "missing value after `=`",
                _after(path, eq),
                help=f"give it a value: `{key} = ...`; the block `{last}` below starts a new item",
            )
        return Diagnostic(
            "SY001", "syntax.invalid-syntax", Severity.ERROR,
            f"a block cannot be the value of `{key}`" if key else "unexpected `{`",
            _tok_span(path, tok),
            help=f"write a block without `=`: `{key} {last} {{ ... }}`" if key else "",
        )
    return None


def _unclosed(entry, seen, text, path):
    opener, name = entry
    closer = _CLOSERS[opener.type]
    at = f"{opener.line}:{opener.column}"
    if opener.type == "LBRACE":
        what = f"block `{name}`" if name is not None else "block"
        start = name if name is not None else opener
        at = f"{start.line}:{start.column}"
        help_ = "add `}` at the end of the block"
        # A block that starts at or left of the unclosed block's column is
        # almost always meant to be its sibling: the `}` is missing before it.
        if name is not None:
            for tok in seen[_position(seen, opener) + 1 :]:
                if tok.type == "BLOCK_NAME" and tok.column <= name.column:
                    help_ = (f"add `}}` before block `{tok}` at {tok.line}:{tok.column}, "
                             f"which is indented as a sibling of `{name}`, not inside it")
                    break
    elif opener.type == "LBRACKET":
        what, help_ = "list", "add `]` after the last item"
    else:
        what, help_ = "argument list", "add `)` after the last argument"
    return Diagnostic(
        "SY002", "syntax.unclosed", Severity.ERROR,
        f"missing `{closer}` closing {what} opened at {at}",
        end_of_text(path, text),
        help=help_,
        related=((f"{what} opened here", _tok_span(path, name or opener)),),
    )


def _bad_version(err, text, path):
    first = text.split("\n")[err.line - 1] if getattr(err, "line", -1) and err.line > 0 else ""
    return Diagnostic(
        "SY009", "syntax.bad-version-line", Severity.ERROR,
        f"the version line must be `ftspec` and a whole number; found `{first.strip()}`",
        _err_span(err, text, path),
        help="start the file with `ftspec 1`",
    )


def _position(seen: list[Token], tok: Token) -> int:
    # By identity: tokens are strings, so `list.index` would find the first `{` of the file.
    return next(i for i, t in enumerate(seen) if t is tok)


def _key_before(seen: list[Token]) -> str | None:
    for tok in reversed(seen):
        if tok.type == "KEY":
            return str(tok)
    return None


def _last_of(seen: list[Token], kind: str) -> Token | None:
    for tok in reversed(seen):
        if tok.type == kind:
            return tok
    return None


def _name_without_equals(tok: Token, text: str, path: str) -> Diagnostic:
    name = str(tok)
    line = text.split("\n")[tok.line - 1]
    # What follows on the line, up to a closing brace or a comment.
    rest = re.split(r"[}#]", line[tok.end_column - 1 :], maxsplit=1)[0].strip()
    if rest.startswith(":"):
        return Diagnostic(
            "SY006", "syntax.missing-equals", Severity.ERROR,
            f"use `=` to set `{name}`, not `:`",
            _tok_span(path, tok),
            help=f"write `{name} = {rest[1:].strip() or '...'}`",
        )
    if rest:
        return Diagnostic(
            "SY006", "syntax.missing-equals", Severity.ERROR,
            f"expected `=` or `{{` after `{name}`",
            _tok_span(path, tok),
            help=f"set a value with `{name} = {rest}`, or open a block with `{name} {{ ... }}`",
        )
    return Diagnostic(
        "SY006", "syntax.missing-equals", Severity.ERROR,
        f"`{name}` is neither an attribute nor a block",
        _tok_span(path, tok),
        help=f"set a value with `{name} = ...`, or open a block with `{name} {{ ... }}`",
    )


def _bad_character(err: UnexpectedCharacters, text: str, path: str, seen):
    pos = err.pos_in_stream
    ch = text[pos]
    line_text = text.split("\n")[err.line - 1]
    here = Span(path, err.line, err.column, err.line, err.column + 1)
    if ch == '"':
        # `"""abc` lexes as an empty string `""` and then a stray `"`.
        opened_long = text.startswith('"""', pos) or (pos >= 2 and text[pos - 2 : pos] == '""')
        if opened_long:
            end = end_of_text(path, text)
            col = err.column if text.startswith('"""', pos) else err.column - 2
            return Diagnostic(
                "SY003", "syntax.unterminated-string", Severity.ERROR,
                'multi-line string is never closed with `"""`',
                Span(path, err.line, col, end.line, end.col),
                help='close it with `"""`',
            )
        return Diagnostic(
            "SY003", "syntax.unterminated-string", Severity.ERROR,
            "string is not closed on this line",
            Span(path, err.line, err.column, err.line, len(line_text) + 1),
            help='close it with `"`; for text over several lines use `"""..."""`',
        )
    if ch == "'":
        return Diagnostic(
            "SY004", "syntax.invalid-character", Severity.ERROR,
            "strings use double quotes, not `'`",
            here, help='write "..." instead of \'...\'',
        )
    m = _NAME_RE.match(text, pos)
    if m:
        tok = Token("IDENT", m.group(), pos, err.line, err.column, err.line, err.column + len(m.group()))
        expected = set(err.allowed or ())
        if "KEY" in expected or "BLOCK_NAME" in expected:
            return _name_without_equals(tok, text, path)
        return None
    if ch == ":" and seen:
        prev = seen[-1]
        if prev.type in ("IDENT", "BLOCK_NAME", "KEY"):
            return _name_without_equals(prev, text, path)
    if ch == ";":
        return Diagnostic(
            "SY004", "syntax.invalid-character", Severity.ERROR,
            "unexpected `;`: attributes need no terminator",
            here, help="remove the `;`; put attributes on their own lines or separate them with spaces",
        )
    shown = ch if ch.isprintable() and not ch.isspace() else repr(ch)
    expected = _expected_list(set(err.allowed or ()))
    return Diagnostic(
        "SY004", "syntax.invalid-character", Severity.ERROR,
        f"unexpected character `{shown}`" + (f"; expected {expected}" if expected else ""),
        here, help="remove it, or put it inside a string",
    )


# -- layer 2: examples -----------------------------------------------------------


def _by_example(err, text, path, seen):
    if not isinstance(err, (UnexpectedToken, UnexpectedEOF)):
        return None

    label = _match_example(err)
    if label is None:
        return None
    stack = _open_stack(seen)
    if label == "list-comma" and stack and stack[-1][0].type == "LPAREN":
        label = "call-comma"
    code, name, message, help_ = _EXAMPLE_MESSAGES[label]
    found = _found(_err_token(err))
    span = _err_span(err, text, path)
    if label == "accept-comparator" and seen:
        span = _after(path, seen[-1])  # the comparison belongs right after the metric
    return Diagnostic(code, name, Severity.ERROR, message.format(found=found), span, help=help_)


@lru_cache(maxsize=1)
def _example_index() -> tuple[tuple[object, str, str], ...]:
    """(parser state, token type, label) of each broken example.

    Lark's own `match_examples` compares whole parser stacks, so an example
    only matches at the same nesting depth; we compare the current LALR state
    (and the token), which is what decides what may come next.
    """
    from ftspec.syntax.parser import lark_parser

    index = []
    for label, snippets in _EXAMPLES.items():
        for snippet in snippets:
            try:
                lark_parser().parse(snippet)
            except (UnexpectedToken, UnexpectedEOF) as ex:
                index.append((ex.state.position, _token_type(ex), label))
            except UnexpectedInput:
                continue
    return tuple(index)


def _token_type(err) -> str:
    tok = _err_token(err)
    return tok.type if tok is not None else "$END"


def _match_example(err) -> str | None:
    state = getattr(err, "state", None)
    if state is None:
        return None
    candidate = None
    for position, token_type, label in _example_index():
        if position == state.position:
            if token_type == _token_type(err):
                return label
            candidate = candidate or label
    return candidate


# -- layer 3: fallback -----------------------------------------------------------


_VALUE_TERMINALS = {"STRING", "LONG_STRING", "NUMBER", "PERCENT", "IDENT", "TRUE", "FALSE",
                    "LBRACKET", "CALL_NAME", "MINUS"}


def _expected_list(expected: set[str]) -> str:
    if {"STRING", "NUMBER", "IDENT"} <= expected:
        # Where any value may come, "a value" says it; KEY is only there
        # because the lexer always accepts it (see parser._AlwaysAcceptKeys).
        expected = (expected - _VALUE_TERMINALS - {"KEY"}) | {"VALUE"}
    names = sorted({TERMINAL_NAMES.get(t, t) for t in expected if not t.startswith("__")})
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return "one of " + ", ".join(names)


def _fallback(err, text, path):
    tok = _err_token(err)
    expected = _expected_list(set(getattr(err, "expected", ()) or getattr(err, "allowed", ()) or ()))
    found = "end of file" if _at_end(err) else _found(tok) if tok is not None else "this"
    message = f"unexpected {found}" + (f"; expected {expected}" if expected else "")
    return Diagnostic("SY001", "syntax.invalid-syntax", Severity.ERROR, message,
                      _err_span(err, text, path),
                      help="see docs/language.md for the shape of each block")
