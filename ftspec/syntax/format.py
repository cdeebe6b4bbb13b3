"""`ftspec fmt`: the canonical layout of a .ftspec file (docs/formatting.md).

The formatter re-emits the tokens of the Lark parse tree with canonical
whitespace and keeps the author's line structure: what was written on one line
stays on one line, what was written over several lines is laid out one element
per line. Comments are attached to the token before them (a trailing comment,
same line) or after them (an own-line comment), and are written back there, so a
`# ftspec: ignore` stays on the line of what it suppresses.

The result is parsed again and compared with the input (the syntax tree without
positions, and the comments in order); a difference is a bug of the formatter
and raises `FormatInternalError` rather than return a changed spec.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from bisect import bisect_left
from dataclasses import fields, is_dataclass

from lark import Token, Tree

from ftspec.diagnostics import Diagnostic, Severity
from ftspec.syntax import nodes as n
from ftspec.syntax.parser import _LOCK, lark_parser, parse

STEP = 2  # columns of indentation per block level
OPENERS = ("{", "[", "(")


class FormatError(Exception):
    """The text cannot be formatted, and is left as it is.

    Either it does not parse (`diagnostics` says where), or its canonical layout
    would move code on or off the line of a `# ftspec: ignore` comment (the
    message says which), which would change what the comment suppresses."""

    def __init__(self, diagnostics: list[Diagnostic], message: str | None = None) -> None:
        self.diagnostics = diagnostics
        super().__init__(message or "\n".join(_located(d) for d in diagnostics) or "the text does not parse")


class FormatInternalError(RuntimeError):
    """The formatted text would not mean what the input means (a formatter bug)."""


def format_text(text: str, path: str = "<string>") -> str:
    """The canonical layout of `text`; raises `FormatError` if it does not parse."""
    doc, diagnostics = parse(text, path)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if doc is None or errors:
        raise FormatError(errors or diagnostics)
    tree = _lark_tree(text)
    out = _Formatter(tree, doc.comments).document()
    again, problems = parse(out, path)
    if again is None or problems:
        raise FormatInternalError(f"{path}: the formatted text does not parse: {problems[:1]}")
    if _meaning(again) != _meaning(doc):
        raise FormatInternalError(f"{path}: formatting would change the spec; left as it is")
    _check_suppressions(doc, tree, again, path)
    return out


def _lark_tree(text: str) -> Tree:
    parser = lark_parser()
    with _LOCK:  # the postlexer keeps per-parse state; `parse` takes the same lock
        postlex = parser.options.postlex
        postlex.seen, postlex.comments = [], []
        try:
            return parser.parse(text)
        finally:
            postlex.seen, postlex.comments = [], []


# -- meaning: what formatting must not change --------------------------------------------
_NOT_MEANING = {"span", "key_span", "name_span"}


def _meaning(doc: n.Document) -> tuple:
    comments = tuple(c.text.rstrip() for c in doc.comments)
    return _strip(doc.version), _strip(doc.body), comments


def _strip(node):
    """A node without positions (and without an accept's source text, whose spacing fmt sets)."""
    if isinstance(node, tuple):
        return tuple(_strip(x) for x in node)
    if is_dataclass(node):
        skip = _NOT_MEANING | ({"text"} if isinstance(node, n.Accept) else set())
        return (type(node).__name__, *(_strip(getattr(node, f.name)) for f in fields(node) if f.name not in skip))
    return node


# Brackets and commas that close a line are the only tokens fmt may move off a line.
_MOVABLE = {"RBRACE", "RBRACKET", "RPAREN", "COMMA"}


def _check_suppressions(doc: n.Document, tree: Tree, again: n.Document, path: str) -> None:
    """Suppressions are line-based: each must share its line with the same tokens as before."""
    if not any("ftspec" in c.text for c in doc.comments):
        return
    from ftspec.rules.suppression import parse_suppressions

    suppressions = {s.comment.span.line for s in parse_suppressions(doc.comments)}
    if not suppressions:
        return
    before = [t.line for t in _tokens(tree) if t.type not in _MOVABLE]
    after = [t.line for t in _tokens(_lark_tree(again.text)) if t.type not in _MOVABLE]
    if len(before) != len(after):
        raise FormatInternalError(f"{path}: the formatted text has other tokens")
    for old, new in zip(doc.comments, again.comments, strict=True):
        if old.span.line not in suppressions:
            continue
        if [k for k, line in enumerate(before) if line == old.span.line] != [
                k for k, line in enumerate(after) if line == new.span.line]:
            raise FormatError([], f"{path}:{old.span.line}:{old.span.col}: cannot format: the canonical layout "
                                  "would move code on or off the line of this suppression; write what it "
                                  "suppresses on one line, as fmt would lay it out")


# -- comments ---------------------------------------------------------------------------
def _tokens(tree: Tree):
    for child in tree.children:
        if isinstance(child, Tree):
            yield from _tokens(child)
        else:
            yield child


class _Notes:
    """Comments by token: `after` a token on its line, or on their own lines `before` one.

    Commas are left out, so a comment after an item's comma belongs to the item
    (fmt writes the commas itself)."""

    def __init__(self, tree: Tree, comments: tuple[n.Comment, ...]) -> None:
        tokens = [t for t in _tokens(tree) if t.type != "COMMA"]
        starts = [(t.line, t.column) for t in tokens]
        self.before: dict[int, list[n.Comment]] = {}
        self.after: dict[int, n.Comment] = {}
        self.tail: list[n.Comment] = []  # after the last token
        # Lines that are not blank although no token fmt places starts there.
        self.lines = {c.span.line for c in comments} | {t.line for t in _tokens(tree) if t.type == "COMMA"}
        for c in comments:
            i = bisect_left(starts, (c.span.line, c.span.col))
            if i > 0 and tokens[i - 1].end_line == c.span.line:
                self.after[id(tokens[i - 1])] = c
            elif i < len(tokens):
                self.before.setdefault(id(tokens[i]), []).append(c)
            else:
                self.tail.append(c)

    def blank_between(self, end_line: int, start_line: int) -> bool:
        """Whether a blank line lies strictly between two source lines."""
        return any(line not in self.lines for line in range(end_line + 1, start_line))


# -- output lines -----------------------------------------------------------------------
class _Printer:
    """Lines of output. Items start lines; comments force the line breaks they need."""

    def __init__(self, notes: _Notes) -> None:
        self.notes = notes
        self.lines: list[str] = []
        self.cur: str | None = None  # the open line, indentation included
        self.comment: n.Comment | None = None  # trailing comment of the open line
        self.comment_column = 0  # ... and the column it asks for (0-based; 0: two spaces after the code)
        self.indent = 0  # of the open line
        self.base = 0  # of the current item; continuation lines get one more step
        self.comment_indent = 0  # of own-line comments before the next line's first token
        self.fresh = False  # a new line was asked for and not begun yet
        self.closer = False  # ... and it starts with a closing bracket
        self.blank = False  # a blank line is wanted before the next line
        self.opened = False  # the last line written ends with an opening bracket
        self.last_line = 0  # source line of the last token or comment written
        self.sep: str | None = None  # overrides the separator of the next token

    def line(self, indent: int, *, blank: bool = False, closer: bool = False) -> None:
        """Begin the next item (or a closing bracket) on a line of its own."""
        self._close()
        self.indent = self.base = indent
        self.fresh, self.closer = True, closer
        self.comment_indent = indent + STEP if closer else indent
        self.blank = self.blank or blank

    def emit(self, text: str, tok: Token | None = None, sep: str = " ", glue: bool = False) -> None:
        """Write a token: after `sep` on the open line, or at the start of a new one."""
        for c in self.notes.before.get(id(tok), ()) if tok is not None else ():
            if not self.fresh:  # a comment in the middle of an item: continue below it
                self._close()
                self.fresh, self.closer = True, False
                self.indent = self.comment_indent = self.base + STEP
            self._gap(c.span.line)
            self._write(" " * self.comment_indent + c.text.rstrip())
            self.last_line = c.span.line
        if self.cur is not None and self.comment is not None and not glue:
            self._close()  # a trailing comment ends the line: continue on the next
            self.indent = self.base + STEP
            self.fresh, self.closer = True, False
        if self.fresh:
            if tok is not None and not self.closer:
                self._gap(tok.line)
            self.cur, self.fresh = " " * self.indent + text, False
        else:
            self.cur += (self.sep if self.sep is not None else sep) + text
        self.sep = None
        if tok is not None:
            self.last_line = tok.end_line
            if id(tok) in self.notes.after:
                self.trail(self.notes.after[id(tok)], self.notes.after[id(tok)].span.col - 1)

    def trail(self, comment: n.Comment, column: int = 0) -> None:
        """End the open line with a comment (at `column` if the code leaves room)."""
        self.comment, self.comment_column = comment, column

    def finish(self) -> str:
        self._close()
        for c in self.notes.tail:
            self._gap(c.span.line)
            self._write(c.text.rstrip())
            self.last_line = c.span.line
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def _gap(self, src_line: int) -> None:
        if self.last_line and self.notes.blank_between(self.last_line, src_line):
            self.blank = True

    def _close(self) -> None:
        if self.cur is None:
            return
        code, self.cur = self.cur, None
        opened = code.endswith(OPENERS)
        if self.comment is not None:
            # Two spaces at least; a comment written further right keeps its column.
            width = len(code.rsplit("\n", 1)[-1])
            code += " " * max(2, self.comment_column - width) + self.comment.text.rstrip()
            self.comment = None
        self._write(code, opened)

    def _write(self, line: str, opened: bool = False) -> None:
        if self.blank and self.lines and self.lines[-1] and not self.opened:
            self.lines.append("")
        self.lines.append(line)
        self.blank, self.opened = False, opened


# -- the layout -------------------------------------------------------------------------
class _Formatter:
    def __init__(self, tree: Tree, comments: tuple[n.Comment, ...]) -> None:
        self.tree = tree
        self.notes = _Notes(tree, comments)
        self.p = _Printer(self.notes)

    def document(self) -> str:
        p = self.p
        *version, body = self.tree.children
        if version:
            kw, num = version[0].children
            p.line(0)
            p.emit(str(kw), kw)
            p.emit(str(num), num)
        self.body(body.children, 0, top=True, after_version=bool(version))
        return p.finish()

    # -- bodies: items, the lines they share, blank lines, aligned `=` --------------------
    def body(self, items: list[Tree], indent: int, top: bool = False, after_version: bool = False) -> None:
        for item, (shared, forced, width) in zip(items, self.plan(items, top, after_version), strict=True):
            if shared:
                self.p.sep = "  "
            else:  # blank lines written in the source come back through the printer
                self.p.line(indent, blank=forced)
            self.item(item, indent, width)

    def plan(self, items: list[Tree], top: bool, after_version: bool) -> list[tuple[bool, bool, int]]:
        """Per item: whether it shares the previous item's line, whether a blank line is
        forced before it, and the width its key is padded to."""
        one_line = [it.meta.line == it.meta.end_line for it in items]
        shared, forced, blank = [], [], []
        for i, it in enumerate(items):
            prev = items[i - 1] if i else None
            shared.append(prev is not None and one_line[i] and one_line[i - 1] and it.meta.line == prev.meta.end_line)
            # At the top, the version line and blocks written over several lines stand apart.
            forced.append(top and (after_version if prev is None else not (one_line[i] and one_line[i - 1])))
            blank.append(forced[i] or (prev is not None and not shared[i]
                                       and self.notes.blank_between(prev.meta.end_line, it.meta.line)))
        # Alignment: attributes alone on their lines whose `=` shared a column in the
        # source form a group (blank lines end it); its `=` go one space after the longest key.
        widths = [0] * len(items)
        alone = [it.data == "attribute" and not shared[i] and not (i + 1 < len(items) and shared[i + 1])
                 for i, it in enumerate(items)]
        i = 0
        while i < len(items):
            j = i + 1
            if alone[i]:
                column = items[i].children[1].column
                while j < len(items) and alone[j] and not blank[j] and items[j].children[1].column == column:
                    j += 1
                width = max(len(items[k].children[0]) for k in range(i, j))
                for k in range(i, j):
                    widths[k] = width
            i = j
        return list(zip(shared, forced, widths, strict=True))

    def item(self, tree: Tree, indent: int, width: int = 0) -> None:
        p = self.p
        if tree.data == "attribute":
            key, eq, value = tree.children
            p.emit(str(key).ljust(width), key)
            p.emit("=", eq)
            for atom in value.children:
                self.atom(atom, indent)
        elif tree.data == "block":
            self.block(tree, indent)
        else:  # accept: every token as written, one space apart
            for tok in _tokens(tree):
                p.emit(str(tok), tok)

    def block(self, tree: Tree, indent: int) -> None:
        p = self.p
        name, *labels, lbrace, body, rbrace = tree.children
        p.emit(str(name), name)
        for label in labels:
            tok = label if isinstance(label, Token) else label.children[0]
            p.emit(str(tok), tok)
        p.emit("{", lbrace)
        items = body.children
        if lbrace.line == rbrace.line:  # written on one line: stays on one line
            for i, item in enumerate(items):
                p.sep = "  " if i else " "
                self.item(item, indent)
            p.emit("}", rbrace, sep=" " if items else "")
        elif not items and not self._comments_inside(lbrace, rbrace):
            p.emit("}", rbrace, sep="")
        else:
            self.body(items, indent + STEP)
            self._lift(rbrace)
            p.line(indent, closer=True)
            p.emit("}", rbrace)

    # -- values -------------------------------------------------------------------------
    def atom(self, tree: Tree, indent: int, sep: str = " ") -> None:
        p = self.p
        kind = tree.data
        if kind == "list":
            self.seq(tree.children[0], tree.children[1:-1], tree.children[-1], indent, sep)
        elif kind == "call":
            name = tree.children[0]
            p.emit(str(name), name, sep)
            self.seq(tree.children[1], tree.children[2:-1], tree.children[-1], indent, "")
        elif kind == "kwarg":
            key, eq, value = tree.children
            p.emit(str(key), key, sep)
            p.emit("=", eq)
            self.atom(value, indent)
        else:  # string, number, percent, bool, ident; a number's sign sticks to it
            for i, tok in enumerate(tree.children):
                p.emit(str(tok), tok, sep if i == 0 else "")

    def seq(self, opener: Token, children: list, closer: Token, indent: int, sep: str) -> None:
        """A list or a call's arguments: on one line, or one element per line with commas."""
        p = self.p
        elements = [c for c in children if isinstance(c, Tree)]
        p.emit(str(opener), opener, sep)
        if opener.line == closer.line or (not elements and not self._comments_inside(opener, closer)):
            for i, element in enumerate(elements):
                if i:
                    p.emit(",", sep="", glue=True)
                self.atom(element, indent, "" if i == 0 else " ")
            p.emit(str(closer), closer, sep="")
            return
        for element in elements:
            p.line(indent + STEP)
            self.atom(element, indent + STEP, "")
            p.emit(",", sep="", glue=True)
        self._lift(closer)
        p.line(indent, closer=True)
        p.emit(str(closer), closer, sep="")

    def _lift(self, closer: Token) -> None:
        """A comment after a closing bracket that goes to a line of its own stays with the
        element written before the bracket on its line (the line a suppression names)."""
        p = self.p
        if p.cur is not None and p.comment is None and p.last_line == closer.line and id(closer) in self.notes.after:
            p.trail(self.notes.after.pop(id(closer)))

    def _comments_inside(self, opener: Token, closer: Token) -> bool:
        return id(opener) in self.notes.after or bool(self.notes.before.get(id(closer)))


# -- the command --------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="spec files, or folders searched for *.ftspec")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the files that would change and exit 1 if any would")
    parser.add_argument("--diff", action="store_true",
                        help="write nothing; print a unified diff of the changes and exit 1 if any")


def main(args: argparse.Namespace) -> int:
    """`ftspec fmt`: 0 all formatted, 1 a file would change (--check, --diff) or does not
    parse, 2 a usage error or an internal one."""
    from ftspec.lint import UsageError, discover, read_spec
    from ftspec.runtime.io import atomic_write_text

    try:
        paths = list(discover(args.paths))
    except UsageError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return 2
    if not paths:
        print(f"ftspec: no .ftspec files found in {' '.join(args.paths)}", file=sys.stderr)
    write = not (args.check or args.diff)
    status, changed, seen = 0, 0, set()
    for path in paths:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            text, problem = read_spec(path)
            if problem is not None:
                raise FormatError([problem])
            formatted = format_text(text, str(path))
        except OSError as exc:
            print(f"ftspec: {path}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            status = 2
            continue
        except FormatError as exc:
            print(exc)
            status = max(status, 1)
            continue
        except FormatInternalError as exc:
            print(f"ftspec: internal error: {exc}", file=sys.stderr)
            status = 2
            continue
        if formatted == text:
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(keepends=True), formatted.splitlines(keepends=True),
                fromfile=f"{path} (original)", tofile=f"{path} (formatted)"))
        if args.check:
            print(f"would reformat: {path}")
        if not write:
            status = max(status, 1)
            continue
        try:
            atomic_write_text(path.resolve(), formatted)  # keeps the mode; through a link, the target
        except OSError as exc:
            print(f"ftspec: {path}: cannot write: {exc.strerror or exc}", file=sys.stderr)
            changed -= 1
            status = 2
        else:
            print(f"reformatted: {path}")
    done = "reformatted" if write else "would be reformatted"
    print(f"{changed} file{'s' if changed != 1 else ''} {done}, {len(seen) - changed} left as they are",
          file=sys.stderr)
    return status


def _located(d: Diagnostic) -> str:
    tag = "" if d.severity is Severity.ERROR else f"[{d.severity.value}] "
    return f"{d.span.file}:{d.span.line}:{d.span.col}: {d.code} {tag}{d.message}"
