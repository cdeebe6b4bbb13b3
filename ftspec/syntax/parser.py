"""Parse .ftspec text into a `Document`.

The Lark parser is built once per process (LALR + contextual lexer, positions
kept). `parse` never raises for bad input: it returns the document it could
build (None on a syntax error) and a list of diagnostics.
"""

from __future__ import annotations

import textwrap
import threading
from functools import lru_cache
from importlib.resources import files

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from ftspec.diagnostics import Diagnostic, Severity, Span
from ftspec.syntax import nodes as n

GRAMMAR_FILE = "ftspec.lark"
_LOCK = threading.Lock()


class _AlwaysAcceptKeys:
    """Postlexer that makes the lexer recognise `name =` everywhere.

    The contextual lexer only tries terminals the parser can accept in its
    current state. After `lr =` that is a value, so a following line
    `epochs = 3` would lex `epochs` as an identifier value and the error would
    surface at the second `=`. Always accepting KEY makes the error land where
    the mistake is: `lr` has no value.
    """

    always_accept = ("KEY",)

    def __init__(self) -> None:
        # Tokens and comments of the parse in progress: the error messages use
        # the tokens to tell which block is still open; comments carry
        # suppressions. One parse at a time (see `_LOCK`).
        self.seen: list[Token] = []
        self.comments: list[Token] = []

    def comment(self, token: Token) -> None:
        self.comments.append(token)

    def process(self, stream):
        for token in stream:
            self.seen.append(token)
            yield token


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    grammar = files("ftspec.syntax").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")
    postlex = _AlwaysAcceptKeys()
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        postlex=postlex,
        # Comments are ignored by the grammar; the lexer hands them over here.
        lexer_callbacks={"COMMENT": postlex.comment},
        # Building the LALR tables costs ~150 ms, half the lint budget; Lark
        # keeps them in a temp file keyed by the grammar's hash, the options
        # and the Lark and Python versions, so a changed grammar rebuilds.
        cache=True,
    )


def parse(text: str, path: str = "<string>") -> tuple[n.Document | None, list[Diagnostic]]:
    """Parse `text`; return the document (None if the syntax is broken) and diagnostics."""
    parser = lark_parser()
    with _LOCK:
        postlex = parser.options.postlex
        postlex.seen, postlex.comments = [], []
        try:
            tree, err = parser.parse(text), None
        except UnexpectedInput as exc:
            tree, err = None, exc
        seen, comment_tokens = postlex.seen, postlex.comments
        postlex.seen, postlex.comments = [], []
    if err is not None:
        from ftspec.syntax.errors import syntax_diagnostic  # only paid for on errors

        # The token that failed went through the postlexer too: drop it.
        if seen and getattr(err, "token", None) is seen[-1]:
            seen.pop()
        return None, [syntax_diagnostic(err, text, path, seen)]
    too_deep = _too_deep(seen, path)
    if too_deep is not None:
        return None, [too_deep]
    builder = _Builder(path, text)
    comments = tuple(n.Comment(str(c), builder.tspan(c)) for c in comment_tokens)
    doc = builder.document(tree, comments)
    return doc, builder.diagnostics


MAX_DEPTH = 16  # the language needs 3 (eval > compare > prompted_base)


def _too_deep(tokens: list[Token], path: str) -> Diagnostic | None:
    """Refuse absurd nesting before the (recursive) tree conversion meets it."""
    depth = 0
    for tok in tokens:
        if tok.type == "LBRACE":
            depth += 1
            if depth > MAX_DEPTH:
                return Diagnostic(
                    "SY001", "syntax.invalid-syntax", Severity.ERROR,
                    f"blocks nested more than {MAX_DEPTH} deep",
                    Span(path, tok.line, tok.column, tok.end_line, tok.end_column),
                    help="no block of the language nests more than 3 deep; look for a missing `}`",
                )
        elif tok.type == "RBRACE":
            depth -= 1
    return None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "0": "\0"}


class _Builder:
    """Lark tree -> nodes. Collects diagnostics for problems the grammar admits."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.diagnostics: list[Diagnostic] = []

    # -- spans -------------------------------------------------------------
    def tspan(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column)

    def mspan(self, tree: Tree) -> Span:
        m = tree.meta
        return Span(self.path, m.line, m.column, m.end_line, m.end_column)

    # -- document ----------------------------------------------------------
    def document(self, tree: Tree, comments: tuple[n.Comment, ...]) -> n.Document:
        version = None
        body: tuple = ()
        for child in tree.children:
            if child.data == "version":
                tok = child.children[1]
                version = n.Num(int(tok), str(tok), self.tspan(tok))
            else:
                body = self.body(child)
        return n.Document(self.path, self.text, version, body, comments)

    def body(self, tree: Tree) -> tuple:
        out = []
        for item in tree.children:
            if item.data == "attribute":
                key, _eq, value = item.children
                out.append(n.Attribute(str(key), self.tspan(key), self.value(value), self.mspan(item)))
            elif item.data == "block":
                out.append(self.block(item))
            else:
                out.append(self.accept(item))
        return tuple(out)

    def block(self, tree: Tree) -> n.Block:
        name = tree.children[0]
        labels = []
        body = ()
        for child in tree.children[1:]:
            if isinstance(child, Token):
                if child.type == "IDENT":
                    labels.append(n.Ident(str(child), self.tspan(child)))
            elif child.data == "string":
                labels.append(self.string(child))
            elif child.data == "body":
                body = self.body(child)
        return n.Block(str(name), self.tspan(name), tuple(labels), body, self.mspan(tree))

    def accept(self, tree: Tree) -> n.Accept:
        expr = tree.children[1]
        left, op, right = expr.children
        span = self.mspan(tree)
        text = self.text_of(self.mspan(expr))
        return n.Accept(self.terms(left), str(op), self.terms(right), text, span)

    def text_of(self, span: Span) -> str:
        lines = self.text.split("\n")[span.line - 1 : span.end_line]
        if len(lines) == 1:
            return lines[0][span.col - 1 : span.end_col - 1]
        lines[-1] = lines[-1][: span.end_col - 1]
        lines[0] = lines[0][span.col - 1 :]
        return " ".join(line.strip() for line in lines)

    def terms(self, tree: Tree) -> tuple[n.Term, ...]:
        out = []
        sign = 1
        for child in tree.children:
            if isinstance(child, Token):  # PLUS / MINUS
                sign = -1 if child.type == "MINUS" else 1
                continue
            tok = child.children[0]
            span = self.tspan(tok)
            if tok.type == "REF":
                out.append(n.Term(sign, str(tok), None, span))
            elif tok.type == "PERCENT":
                out.append(n.Term(sign, None, float(tok[:-1]) / 100, span))
            else:
                out.append(n.Term(sign, None, float(tok), span))
            sign = 1
        return tuple(out)

    # -- values ------------------------------------------------------------
    def value(self, tree: Tree) -> n.Value:
        atoms = [self.atom(child) for child in tree.children]
        if len(atoms) == 1:
            return atoms[0]
        return n.Phrase(tuple(atoms), self.mspan(tree))

    def atom(self, tree: Tree) -> n.Value:
        kind = tree.data
        if kind == "string":
            return self.string(tree)
        if kind == "number":
            return self.number(tree)
        if kind == "percent":
            tok = tree.children[0]
            return n.Pct(float(tok[:-1]) / 100, str(tok), self.tspan(tok))
        if kind == "bool":
            tok = tree.children[0]
            return n.Bool(tok.type == "TRUE", self.tspan(tok))
        if kind == "ident":
            tok = tree.children[0]
            return n.Ident(str(tok), self.tspan(tok))
        if kind == "list":
            items = [self.atom(c) for c in tree.children if isinstance(c, Tree)]
            return n.List(tuple(items), self.mspan(tree))
        if kind == "call":
            return self.call(tree)
        raise AssertionError(f"unknown value node {kind}")  # grammar and builder disagree

    def call(self, tree: Tree) -> n.Call:
        name = tree.children[0]
        args, kwargs = [], []
        for child in tree.children[1:]:
            if not isinstance(child, Tree):
                continue
            if child.data == "kwarg":
                key, _eq, val = child.children
                kwargs.append(n.KwArg(str(key), self.tspan(key), self.atom(val)))
            else:
                args.append(self.atom(child))
        return n.Call(str(name), self.tspan(name), tuple(args), tuple(kwargs), self.mspan(tree))

    def number(self, tree: Tree) -> n.Num:
        toks = tree.children
        tok = toks[-1]
        text = "".join(str(t) for t in toks)
        span = self.tspan(toks[0]).to(self.tspan(tok))
        is_int = all(c.isdigit() for c in str(tok))
        value: int | float = int(text) if is_int else float(text)
        return n.Num(value, text, span)

    def string(self, tree: Tree) -> n.Str:
        tok = tree.children[0]
        span = self.tspan(tok)
        if tok.type == "LONG_STRING":
            raw = str(tok)[3:-3]
            self.unescape(raw, span, 3)  # reports bad escapes where they are written
            # Trim before decoding, so an escaped `\n` or `\t` is content, not layout.
            return n.Str(self.unescape(_trim_long(raw), span, 3, report=False), span, long=True)
        return n.Str(self.unescape(str(tok)[1:-1], span, 1), span)

    def unescape(self, raw: str, span: Span, quote_len: int, report: bool = True) -> str:
        if "\\" not in raw:
            return raw
        out = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch != "\\":
                out.append(ch)
                i += 1
                continue
            nxt = raw[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif nxt == "u" and _is_hex(raw[i + 2 : i + 6]):
                out.append(chr(int(raw[i + 2 : i + 6], 16)))
                i += 6
            else:
                if not report:
                    out.append(nxt)
                    i += 2
                    continue
                where = self.offset_span(span, quote_len + i, 2)
                self.diagnostics.append(Diagnostic(
                    "SY007", "syntax.invalid-escape", Severity.ERROR,
                    f"unknown escape `\\{nxt}` in string",
                    where,
                    help='escapes are \\n \\t \\r \\" \\\\ \\0 and \\uXXXX; write `\\\\` for a backslash',
                ))
                out.append(nxt)
                i += 2
        return "".join(out)

    def offset_span(self, span: Span, offset: int, length: int) -> Span:
        """Span of `length` characters at `offset` characters into a token."""
        line, col = span.line, span.col
        lines = self.text.split("\n")
        for _ in range(offset):
            if col - 1 >= len(lines[line - 1]):
                line, col = line + 1, 1
            else:
                col += 1
        return Span(self.path, line, col, line, col + length)


def _is_hex(s: str) -> bool:
    return len(s) == 4 and all(c in "0123456789abcdefABCDEF" for c in s)


def _trim_long(s: str) -> str:
    """Multi-line strings: drop the newline after the opening quotes, the
    indentation common to every line, and trailing blank space before the
    closing quotes, so a system prompt can be indented with its block."""
    if s.startswith("\n"):
        s = s[1:]
    elif s.startswith("\r\n"):
        s = s[2:]
    return textwrap.dedent(s).rstrip(" \t\r\n")
