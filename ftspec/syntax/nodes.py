"""The positioned syntax tree of a .ftspec file.

Plain frozen dataclasses rather than Lark trees, so later stages (and `fmt`)
depend on a small, stable shape and every node carries its own `Span`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ftspec.diagnostics import Span


@dataclass(frozen=True, slots=True)
class Str:
    value: str
    span: Span
    long: bool = False  # written as """...""" (kept for the formatter)


@dataclass(frozen=True, slots=True)
class Num:
    value: int | float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Pct:
    """`15%`: value is the fraction (0.15), text what the user wrote."""

    value: float
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Bool:
    value: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Ident:
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class List:
    items: tuple[Value, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class KwArg:
    key: str
    key_span: Span
    value: Value


@dataclass(frozen=True, slots=True)
class Call:
    """A constructor such as `jsonl("train.jsonl")` or `csv("x.csv", input = "text")`."""

    name: str
    name_span: Span
    args: tuple[Value, ...]
    kwargs: tuple[KwArg, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Phrase:
    """A value of several words: `15% stratified`, `warn 0.9`, `warn max_ratio 3`."""

    atoms: tuple[Value, ...]
    span: Span


Value = Str | Num | Pct | Bool | Ident | List | Call | Phrase


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str
    key_span: Span
    value: Value
    span: Span


@dataclass(frozen=True, slots=True)
class Term:
    """One operand of an acceptance criterion: `prompted_base.accuracy` or `0.10`."""

    sign: int  # +1 or -1
    ref: str | None
    number: float | None
    span: Span


@dataclass(frozen=True, slots=True)
class Accept:
    """`accept fine_tuned.accuracy >= prompted_base.accuracy + 0.10`."""

    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Block:
    name: str
    name_span: Span
    labels: tuple[Str | Ident, ...]
    body: tuple[Item, ...]
    span: Span


Item = Attribute | Block | Accept


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    text: str
    version: Num | None
    body: tuple[Item, ...]
    comments: tuple[Comment, ...] = field(default=())
