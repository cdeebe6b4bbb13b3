"""docs/language.md documents every key of the model, and its complete example specs lint clean."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from ftspec.diagnostics import Severity
from ftspec.lint import lint_text
from ftspec.spec import model

DOC = Path(__file__).resolve().parent.parent / "docs" / "language.md"

# A fenced block tagged `ftspec`: complete example specs. Fragments use untagged fences.
_FENCE = re.compile(r"^```ftspec[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def _node_types(annotation) -> list[type[BaseModel]]:
    """The Node classes inside a field annotation (through Annotated, unions, lists)."""
    if isinstance(annotation, type) and issubclass(annotation, model.Node):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return []
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        args = args[:1]
    elif origin not in (typing.Union, types.UnionType, list, dict, tuple):
        return []
    return [found for arg in args for found in _node_types(arg)]


def _models() -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []
    todo: list[type[BaseModel]] = [model.Spec]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.append(cls)
        for field in cls.model_fields.values():
            todo.extend(_node_types(field.annotation))
    return seen


def _fields() -> list[tuple[str, str]]:
    return [(cls.__name__, name) for cls in _models() for name in cls.model_fields]


def _examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [block for block in _FENCE.findall(text) if block.startswith("ftspec 1\n")]


def test_the_walk_reaches_the_nested_models():
    names = {cls.__name__ for cls in _models()}
    assert {
        "Spec", "Task", "OutputFormat", "Decision", "PromptBaseline", "Data", "Source", "Validation",
        "Quality", "QualityCheck", "Model", "Adapter", "Training", "EarlyStopping", "Eval", "Automated",
        "Compare", "Rung", "PromptedRung", "LargerRung", "Criterion", "Term", "Human",
    } <= names


@pytest.mark.parametrize(("owner", "field"), _fields(), ids=lambda x: x)
def test_every_field_is_documented(owner, field):
    assert f"`{field}`" in DOC.read_text(encoding="utf-8"), (
        f"`{field}` of {owner} does not appear in backticks in docs/language.md"
    )


def test_the_docs_have_complete_examples():
    assert len(_examples()) >= 2


@pytest.mark.parametrize("example", _examples(), ids=lambda text: f"{len(text.splitlines())}-lines")
def test_every_complete_example_lints_without_errors(example):
    errors = [d for d in lint_text(example, "doc.ftspec") if d.severity is Severity.ERROR]
    assert errors == [], "\n".join(f"{d.span}: {d.code} {d.message}" for d in errors)
