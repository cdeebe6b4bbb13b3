"""Stage 2: syntax tree -> typed `Spec`, with spans attached and schema diagnostics.

The tree becomes plain data (recording the span of every key and value by
path), pydantic validates it against the model, and each validation error is
mapped back to the span of the value it is about. Duplicates, labels and the
version line are checked here because pydantic never sees them.
"""

from __future__ import annotations

import re
import types
import typing
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel, ValidationError

from ftspec import LANGUAGE_VERSION
from ftspec.diagnostics import Diagnostic, Severity, Span
from ftspec.spec import values as v
from ftspec.spec.model import Spec
from ftspec.spec.node import Node
from ftspec.syntax import nodes as n

Path = tuple[str | int, ...]

# Blocks that take a label, and the field it fills.
LABEL_FIELDS: dict[Path, tuple[str, str]] = {
    ("task",): ("name", 'task "my-task" { ... }'),
    ("adapter",): ("method", "adapter lora { ... }"),
}


def build(doc: n.Document) -> tuple[Spec | None, list[Diagnostic]]:
    builder = _Builder(doc)
    return builder.run()


class _Builder:
    def __init__(self, doc: n.Document) -> None:
        self.doc = doc
        self.file = doc.path
        self.diagnostics: list[Diagnostic] = []
        self.spans: dict[Path, Span] = {}
        self.key_spans: dict[Path, Span] = {}
        self.block_spans: dict[Path, Span] = {}
        self.unlabelled: set[Path] = set()  # label fields whose label is missing

    def error(self, code: str, name: str, message: str, span: Span, help: str = "", related=()) -> None:
        self.diagnostics.append(Diagnostic(code, name, Severity.ERROR, message, span, help, tuple(related)))

    # -- tree -> data -------------------------------------------------------------
    def run(self) -> tuple[Spec | None, list[Diagnostic]]:
        data = self.body(self.doc.body, ())
        self.version(data)
        try:
            spec = Spec.model_validate(data)
        except ValidationError as exc:
            reported = set()
            union_member: dict[Path, str] = {}
            for err in exc.errors(include_url=False):
                raw_loc = tuple(err["loc"])
                # A union reports once per member, tagged in the loc (`list[str]`,
                # `literal['all_linear']`): keep the errors of its first member only.
                tag_at = next((i for i, p in enumerate(raw_loc) if _is_union_tag(p)), None)
                if tag_at is not None:
                    first = union_member.setdefault(raw_loc[:tag_at], raw_loc[tag_at])
                    if first != raw_loc[tag_at]:
                        continue
                loc = tuple(p for p in raw_loc if not _is_union_tag(p))
                if err["type"] == "missing" and loc in self.unlabelled:
                    continue  # already reported as a missing label
                diag = self.translate({**err, "loc": loc})
                if (diag.span, diag.code, loc) not in reported:
                    reported.add((diag.span, diag.code, loc))
                    self.diagnostics.append(diag)
            return None, self.diagnostics
        self.attach(spec, ())
        spec._document = self.doc
        return spec, self.diagnostics

    def version(self, data: dict[str, Any]) -> None:
        ver = self.doc.version
        if ver is None:
            self.error("SP007", "spec.version", "missing version line `ftspec 1`",
                       Span.point(self.file, 1, 1), help="add `ftspec 1` as the first line")
        elif ver.value != LANGUAGE_VERSION:
            self.error("SP007", "spec.version",
                       f"unsupported language version {ver.value}; this ftspec reads version {LANGUAGE_VERSION}",
                       ver.span, help=f"write `ftspec {LANGUAGE_VERSION}`, or upgrade ftspec")
        if "version" in data:
            span = self.key_spans.get(("version",), Span.point(self.file, 1, 1))
            self.error("SP001", "spec.unknown-key", "`version` is set by the first line, not as a key",
                       span, help=f"remove it; the file starts with `ftspec {LANGUAGE_VERSION}`")
        data["version"] = LANGUAGE_VERSION

    def body(self, items: tuple, path: Path) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Span] = {}
        for item in items:
            if isinstance(item, n.Accept):
                self.accept(item, path, out)
                continue
            key = item.key if isinstance(item, n.Attribute) else item.name
            key_span = item.key_span if isinstance(item, n.Attribute) else item.name_span
            if key in first:
                where = f"{first[key].line}:{first[key].col}"
                kind = "block" if isinstance(item, n.Block) else "key"
                inside = f" in block `{path[-1]}`" if path else ""
                self.error("SP004", "spec.duplicate", f"duplicate {kind} `{key}`{inside} (first set at {where})",
                           key_span, help="keep one; the first is used until then",
                           related=(("first set here", first[key]),))
                continue
            first[key] = key_span
            sub = path + (key,)
            self.key_spans[sub] = key_span
            if isinstance(item, n.Attribute):
                self.spans[sub] = item.value.span
                out[key] = self.value(item.value, sub)
            else:
                self.block_spans[sub] = item.name_span
                content = self.body(item.body, sub)
                self.labels(item, sub, content)
                out[key] = content
        return out

    def labels(self, block: n.Block, path: Path, content: dict[str, Any]) -> None:
        # Only top-level blocks have a fixed label meaning.
        field = LABEL_FIELDS.get(path)
        if field is None:
            parent = _model_at(Spec, path[:-1])
            known = parent is not None and path[-1] in parent.model_fields
            if block.labels and known:  # an unknown block is reported as such, once
                label = block.labels[0]
                self.error("SP006", "spec.bad-label", f"block `{block.name}` takes no label",
                           label.span.to(block.labels[-1].span),
                           help=f"write `{block.name} {{ ... }}`")
            return
        name, example = field
        if not block.labels:
            self.unlabelled.add(path + (name,))
            self.error("SP005", "spec.missing", f"block `{block.name}` needs a label: `{example}`",
                       block.name_span, help=f"write `{example}`")
            return
        if len(block.labels) > 1:
            self.error("SP006", "spec.bad-label", f"block `{block.name}` takes one label",
                       block.labels[1].span.to(block.labels[-1].span), help=f"write `{example}`")
        label = block.labels[0]
        self.spans[path + (name,)] = label.span
        self.key_spans[path + (name,)] = label.span
        content[name] = label.value if isinstance(label, n.Str) else v.Name(label.name)

    def accept(self, item: n.Accept, path: Path, out: dict[str, Any]) -> None:
        if path != ("eval",):
            self.error("SP009", "spec.misplaced", "`accept` belongs inside the `eval` block",
                       item.span, help="move it into `eval { ... }`")
            return
        criteria = out.setdefault("accept", [])
        here = path + ("accept", len(criteria))
        self.spans[here] = item.span
        sides = {}
        for side, terms in (("left", item.left), ("right", item.right)):
            sides[side] = []
            for j, term in enumerate(terms):
                self.spans[here + (side, j)] = term.span
                sides[side].append(self.term(term, here + (side, j)))
        criteria.append({"text": item.text, "left": sides["left"], "op": item.op, "right": sides["right"]})

    def term(self, term: n.Term, path: Path) -> dict[str, Any]:
        if term.ref is None:
            return {"sign": term.sign, "number": term.number}
        parts = term.ref.split(".")
        if len(parts) != 2:
            # Let the model report it, at the term's span.
            return {"sign": term.sign, "rung": v.Name(term.ref), "metric": None}
        self.spans[path + ("rung",)] = term.span
        self.spans[path + ("metric",)] = term.span
        return {"sign": term.sign, "rung": v.Name(parts[0]), "metric": v.Name(parts[1])}

    def value(self, node: n.Value, path: Path) -> Any:
        if isinstance(node, n.Str):
            return node.value
        if isinstance(node, n.Num):
            return node.value
        if isinstance(node, n.Pct):
            return v.Percent(node.value)
        if isinstance(node, n.Bool):
            return node.value
        if isinstance(node, n.Ident):
            return v.Name(node.name)
        if isinstance(node, n.List):
            items = []
            for i, item in enumerate(node.items):
                self.spans[path + (i,)] = item.span
                items.append(self.value(item, path + (i,)))
            return items
        if isinstance(node, n.Call):
            # Arguments land where the model will hold them: the path argument
            # at `path`, options under their names.
            if node.args:
                self.spans[path + ("path",)] = node.args[0].span
            kwargs = {}
            for kw in node.kwargs:
                if kw.key in kwargs:
                    self.error("SP004", "spec.duplicate", f"duplicate option `{kw.key}` in `{node.name}(...)`",
                               kw.key_span, help="keep one")
                    continue
                self.spans[path + (kw.key,)] = kw.value.span
                self.key_spans[path + (kw.key,)] = kw.key_span
                kwargs[kw.key] = self.value(kw.value, path + (kw.key,))
            args = tuple(self.value(a, path) for a in node.args)
            return v.CallValue(node.name, args, kwargs)
        if isinstance(node, n.Phrase):
            return v.PhraseValue(tuple(self.value(a, path) for a in node.atoms))
        raise AssertionError(f"unknown value node {node!r}")

    # -- validation errors -> diagnostics -----------------------------------------
    def span_for(self, loc: Path) -> Span:
        for end in range(len(loc), 0, -1):
            prefix = loc[:end]
            for table in (self.spans, self.block_spans):
                if prefix in table:
                    return table[prefix]
        return Span.point(self.file, 1, 1)

    def translate(self, err: dict[str, Any]) -> Diagnostic:
        loc: Path = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        field = next((p for p in reversed(loc) if isinstance(p, str)), "value")
        where = _where(loc)
        span = self.span_for(loc)
        got = v.show(value) if value is not None else ""

        if kind == "extra_forbidden":
            span = self.key_spans.get(loc, span)
            model = _model_at(Spec, loc[:-1])
            allowed = list(model.model_fields) if model else []
            near = get_close_matches(field, allowed, n=1, cutoff=0.6)
            what = "block" if loc in self.block_spans else "key"
            parent = f" in block `{_block_name(loc[:-1])}`" if len(loc) > 1 else ""
            help_ = f"did you mean `{near[0]}`?" if near else (
                "known: " + ", ".join(f"`{a}`" for a in allowed) if allowed else "remove it")
            hint = f"; did you mean `{near[0]}`?" if near else ""
            return Diagnostic("SP001", "spec.unknown-key", Severity.ERROR,
                              f"unknown {what} `{field}`{parent}{hint}", span, help=help_)
        if kind == "missing":
            parent = loc[:-1]
            model = _model_at(Spec, loc)
            if not parent:
                example = _BLOCK_EXAMPLES.get(field, f"{field} {{ ... }}" if model else f"{field} = ...")
                return Diagnostic("SP005", "spec.missing", Severity.ERROR,
                                  f"missing `{field}` {'block' if model else 'setting'}",
                                  Span.point(self.file, 1, 1), help=f"add `{example}`")
            return Diagnostic("SP005", "spec.missing", Severity.ERROR,
                              f"`{field}` is required in block `{_block_name(parent)}`",
                              self.block_spans.get(parent, span), help=f"add `{field} = ...` to the block")
        if kind in ("model_type", "model_attributes_type", "dict_type"):
            return Diagnostic("SP002", "spec.wrong-type", Severity.ERROR,
                              f"`{field}` is a block; got `{got}`", span,
                              help=f"write `{field} {{ ... }}`")
        if isinstance(value, dict) and loc in self.block_spans and kind != "ftspec":
            return Diagnostic("SP002", "spec.wrong-type", Severity.ERROR,
                              f"`{field}` is a setting, not a block", self.block_spans[loc],
                              help=f"write `{field} = ...`")
        if kind == "literal_error":
            allowed = _literal_choices(err.get("ctx", {}).get("expected", ""))
            near = get_close_matches(str(value), allowed, n=1, cutoff=0.6) if isinstance(value, str) else []
            listed = ", ".join(f"`{a}`" for a in allowed)
            hint = f"; did you mean `{near[0]}`?" if near else ""
            return Diagnostic("SP002", "spec.wrong-type", Severity.ERROR,
                              f"{where} must be one of {listed}; got `{got}`{hint}", span,
                              help=f"did you mean `{near[0]}`?" if near else f"use one of {listed}")
        if kind in _BOUNDS:
            bound = next(iter(err.get("ctx", {}).values()), "")
            return Diagnostic("SP003", "spec.out-of-range", Severity.ERROR,
                              f"{where} must be {_BOUNDS[kind]} {bound}; got `{got}`", span,
                              help="see docs/language.md for the allowed range")
        if kind == "too_short":
            return Diagnostic("SP003", "spec.out-of-range", Severity.ERROR,
                              f"{where} needs at least one entry", span, help="add an entry")
        if kind in _TYPES:
            return Diagnostic("SP002", "spec.wrong-type", Severity.ERROR,
                              f"{where} must be {_TYPES[kind]}; got `{got}`", span,
                              help=_type_help(kind, value))
        message = err["msg"] if kind == "ftspec" else f"{where}: {err['msg']}"
        return Diagnostic("SP008", "spec.invalid-value", Severity.ERROR, message, span,
                          help="see docs/language.md for the forms this value takes")

    # -- spans onto the model -----------------------------------------------------
    def attach(self, node: Node, path: Path) -> None:
        node._span = _lookup(self.block_spans, path) or _lookup(self.spans, path)
        for name in type(node).model_fields:
            if span := _lookup(self.spans, path + (name,)) or _lookup(self.block_spans, path + (name,)):
                node._spans[name] = span
            if span := _lookup(self.key_spans, path + (name,)):
                node._key_spans[name] = span
            child = getattr(node, name)
            if isinstance(child, Node):
                self.attach(child, path + (name,))
            elif isinstance(child, list):
                for i, item in enumerate(child):
                    if isinstance(item, Node):
                        self.attach(item, path + (name, i))
            elif isinstance(child, dict):  # named blocks: `template { NAME { ... } }`
                for key, item in child.items():
                    if isinstance(item, Node):
                        self.attach(item, path + (name, key))


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _is_union_tag(part: str | int) -> bool:
    """Pydantic tags errors inside a union with the member (`list[str]`, `literal['x']`);
    a key of the language never contains brackets or quotes."""
    return isinstance(part, str) and _KEY.fullmatch(part) is None


def _lookup(table: dict[Path, Span], path: Path) -> Span | None:
    """A span by model path. A single value written where a list is allowed
    (`train = jsonl("...")`) was recorded without the list index 0."""
    if path in table:
        return table[path]
    return table.get(tuple(p for p in path if p != 0 or isinstance(p, bool)))


_BLOCK_EXAMPLES = {
    "task": 'task "my-task" { kind = classification }',
    "data": 'data { train = jsonl("train.jsonl") }',
    "model": 'model { base = "HuggingFaceTB/SmolLM2-135M-Instruct" }',
}

_BOUNDS = {
    "greater_than_equal": "at least",
    "greater_than": "greater than",
    "less_than_equal": "at most",
    "less_than": "less than",
}

_TYPES = {
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "`true` or `false`",
    "list_type": "a list `[...]`",
}


def _type_help(kind: str, value: Any) -> str:
    if kind == "string_type" and isinstance(value, list):
        return "write one string, not a list"
    if kind == "list_type":
        return f"write a list: `[{v.show(value)}]`"
    if kind == "bool_type":
        return "write `true` or `false`"
    return "see docs/language.md for the type of this value"


def _where(loc: Path) -> str:
    names = [p for p in loc if isinstance(p, str)]
    if names[:2] == ["eval", "accept"]:
        return f"`{names[-1]}` in the acceptance criterion"
    if not names:
        return "value"
    return f"`{names[-1]}`" if len(names) == 1 else f"`{names[-1]}` in `{names[-2]}`"


def _block_name(path: Path) -> str:
    names = [str(p) for p in path if isinstance(p, str)]
    return names[-1] if names else "spec"


def _literal_choices(expected: str) -> list[str]:
    quoted = re.findall(r"'([^']*)'", expected)
    if quoted:
        return quoted
    return [p.strip() for p in re.split(r",| or ", expected) if p.strip()]


def _model_at(model: type[BaseModel], loc: Path) -> type[BaseModel] | None:
    """The model class found by following `loc` from `model` (list indexes skipped)."""
    current: type[BaseModel] | None = model
    keyed = False  # the part after a field holding named blocks is a name, not a field
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        if keyed:
            keyed = False
            continue
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _node_type(field.annotation)
        keyed = current is not None and typing.get_origin(field.annotation) is dict
    return current


def _node_type(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _node_type(typing.get_args(annotation)[0])
    if origin is dict:
        return _node_type(typing.get_args(annotation)[1])
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _node_type(arg)
            if found is not None:
                return found
    return None
