"""Stage 1: text -> positioned syntax tree (`Document`) plus syntax diagnostics."""

from ftspec.syntax.nodes import (
    Accept,
    Attribute,
    Block,
    Bool,
    Call,
    Comment,
    Document,
    Ident,
    List,
    Num,
    Pct,
    Phrase,
    Str,
    Term,
    Value,
)
from ftspec.syntax.parser import parse

__all__ = [
    "Accept", "Attribute", "Block", "Bool", "Call", "Comment", "Document", "Ident",
    "List", "Num", "Pct", "Phrase", "Str", "Term", "Value", "parse",
]
