"""Raw values handed from the syntax tree to the model, and the validators
that read the language's several-word values (`15% stratified`, `warn 0.9`)
and constructors (`jsonl("...")`) into plain data.

Validators raise `invalid(...)`, whose message reaches the user unchanged at
the span of the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError


class Name(str):
    """A bare identifier (`classification`), as opposed to a quoted string."""


class Percent(float):
    """`15%`, held as the fraction 0.15."""


@dataclass(frozen=True)
class CallValue:
    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class PhraseValue:
    atoms: tuple[Any, ...]


def invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("ftspec", message)


def show(value: Any) -> str:
    """A raw value as the user would have written it."""
    if isinstance(value, PhraseValue):
        return " ".join(show(a) for a in value.atoms)
    if isinstance(value, CallValue):
        inner = [show(a) for a in value.args] + [f"{k} = {show(v)}" for k, v in value.kwargs.items()]
        return f"{value.name}({', '.join(inner)})"
    if isinstance(value, Percent):
        return f"{float(value) * 100:g}%"
    if isinstance(value, Name):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ ... }"
    return str(value)


def atoms(value: Any) -> tuple[Any, ...]:
    return value.atoms if isinstance(value, PhraseValue) else (value,)


def one_or_many(value: Any) -> Any:
    """`why = latency` and `why = [latency, cost]` both mean a list."""
    if isinstance(value, (list, dict)) or value is None:
        return value
    return [value]


# -- quality checks: `error`, `warn 0.9`, `warn max_ratio 3`, `off` -----------------

LEVELS = ("error", "warn", "off")


def check_phrase(value: Any, *, number_key: str | None = None, defaults: dict[str, float] | None = None) -> Any:
    """Read `LEVEL [NUMBER] [NAME NUMBER]...` into a dict for `QualityCheck`.

    `number_key` names what a bare number means for this check (`warn 0.9` is a
    threshold); `defaults` are its default settings, kept when only the level
    is written (`near_duplicates = warn` still means 0.9), and also the only
    names the check accepts in `NAME NUMBER` pairs.
    """
    if isinstance(value, dict):
        return value
    defaults = defaults or {}
    parts = list(atoms(value))
    first = parts.pop(0)
    if not isinstance(first, str) or first not in LEVELS:
        raise invalid(f"expected `error`, `warn` or `off` first; got `{show(first)}`")
    out: dict[str, Any] = {"level": str(first), **defaults}
    allowed = set(defaults) | ({number_key} if number_key else set())
    while parts:
        part = parts.pop(0)
        if isinstance(part, Name) and part in allowed and parts and _is_number(parts[0]):
            out[str(part)] = float(parts.pop(0))
        elif _is_number(part) and number_key:
            out[number_key] = float(part)
        else:
            if allowed:
                names = " or ".join(f"`{name} N`" for name in sorted(allowed))
                bare = f"a number ({number_key}), or " if number_key else ""
                expect = f"{bare}{names}"
            else:
                expect = "nothing after the level"
            raise invalid(f"unexpected `{show(part)}` in `{show(value)}`; expected {expect}")
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- validation split: `15%`, `15% stratified`, `0.15`, `jsonl("val.jsonl")`, `none`

def validation_phrase(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, CallValue):
        return {"source": value}
    out: dict[str, Any] = {}
    for part in atoms(value):
        if isinstance(part, bool):
            raise invalid(f"expected a fraction such as `15%`; got `{show(part)}`")
        if isinstance(part, (int, float)):
            out["fraction"] = float(part)
        elif part == "stratified":
            out["stratified"] = True
        elif part == "random":
            out["stratified"] = False
        elif part == "none":
            out["fraction"] = 0.0
        else:
            raise invalid(
                f"unexpected `{show(part)}` in validation; expected a fraction (`15%`), "
                "`stratified`, `random` or `none`, or a source such as `jsonl(\"val.jsonl\")`"
            )
    return out


# -- sources: jsonl("p"), json("p"), alpaca("p"), csv("p", input = "text", output = "label")

SOURCE_OPTIONS = {
    "jsonl": set(),
    "json": set(),
    "alpaca": set(),
    "csv": {"input", "output", "category", "delimiter"},
}


def source_call(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and not isinstance(value, Name):
        raise invalid(f'a data source needs its format: `jsonl({show(value)})`')
    if not isinstance(value, CallValue):
        raise invalid(f'expected a data source such as `jsonl("train.jsonl")`; got `{show(value)}`')
    if value.name not in SOURCE_OPTIONS:
        from difflib import get_close_matches

        near = get_close_matches(value.name, list(SOURCE_OPTIONS), n=1)
        hint = f" (did you mean `{near[0]}`?)" if near else ""
        raise invalid(f"unknown source `{value.name}(...)`{hint}; sources are "
                      + ", ".join(f"`{n}(...)`" for n in SOURCE_OPTIONS))
    if len(value.args) != 1 or not isinstance(value.args[0], str) or isinstance(value.args[0], Name):
        raise invalid(f'`{value.name}` takes one path, as a string: `{value.name}("data/train.{value.name}")`')
    allowed = SOURCE_OPTIONS[value.name]
    for key in value.kwargs:
        if key not in allowed:
            listed = ", ".join(f"`{k}`" for k in sorted(allowed)) or "none"
            raise invalid(f"`{value.name}` has no option `{key}`; its options: {listed}")
    return {"format": value.name, "path": value.args[0], **value.kwargs}


# -- output format: label | text | json | regex("...") | json_schema("schema.json")

def output_value(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, Name) and value in ("label", "text", "json"):
        return {"kind": str(value)}
    if isinstance(value, CallValue) and value.name in ("regex", "json_schema") and len(value.args) == 1 \
            and isinstance(value.args[0], str) and not value.kwargs:
        key = "pattern" if value.name == "regex" else "schema_path"
        return {"kind": value.name, key: value.args[0]}
    raise invalid(
        f"expected `label`, `text`, `json`, `regex(\"...\")` or `json_schema(\"file.json\")`; got `{show(value)}`"
    )
