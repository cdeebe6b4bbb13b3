"""Jinja2 rendering of the build files: StrictUndefined, a literal filter for values that
become code, and a text filter for values shown in comments and docstrings."""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

from ftspec.compile.plan import plain

WIDTH = 100


def lit(value: Any, indent: int = 0) -> str:
    """A plan value as a Python literal: the only way spec values reach generated code.

    Strings use double quotes; containers that do not fit on the line are laid
    out one item per line, indented from `indent`. The text is read back with
    `ast.literal_eval` and must equal the value, or compiling fails.
    """
    value = plain(value)
    text = _literal(value, indent)
    if ast.literal_eval(text) != value:
        raise AssertionError(f"literal does not round-trip: {text!r}")
    return text


def _string(s: str) -> str:
    r = repr(s)
    if r.startswith('"'):
        return r
    # repr chose single quotes: every ' in it is escaped as \'; swap the quoting.
    return '"' + r[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'


def _inline(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_string(k)}: {_inline(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _literal(value: Any, indent: int) -> str:
    flat = _inline(value)
    if len(flat) + indent <= WIDTH or not isinstance(value, (list, dict)) or not value:
        return flat
    inner = " " * (indent + 4)
    if isinstance(value, list):
        items = [f"{inner}{_literal(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"
    items = [f"{inner}{_string(k)}: {_literal(v, indent + 4)}," for k, v in value.items()]
    return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"


def text(value: Any) -> str:
    """A value shown inside a comment or a docstring: one line of printable ASCII with quotes
    and backslashes escaped (JSON's escapes, all valid in Python strings), so it can end
    neither the comment's line nor the docstring. Values that become code use `lit`."""
    return json.dumps(str(value), ensure_ascii=True)[1:-1]


@lru_cache(maxsize=1)
def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(files("ftspec.templates"))),
        undefined=StrictUndefined,
        autoescape=False,  # Python, not HTML; values go through `lit`
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lit"] = lit
    env.filters["text"] = text
    return env


def render(template: str, **context: Any) -> str:
    text = environment().get_template(template).render(**context)
    ast.parse(text)  # a template bug must fail compile, not the training run
    return text
