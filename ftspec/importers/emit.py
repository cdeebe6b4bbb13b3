"""What the importers share: the result, reading YAML, reading loose values, writing the spec.

A converter reads a config through a `Writer`: each value it carries becomes a line of the
spec with its source key in a trailing comment, each value it cannot carry is listed with
why at the top of the spec. `Writer.sweep` lists whatever top-level key the converter did
not account for, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

EMPTY = "empty"  # the reason of a key left empty (`lora_model_dir:`): nothing to carry
TASK_KINDS = "classification, extraction, style, reasoning, knowledge"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\0": "\\0"}
_BLOCKS = ("task", "data", "quality", "model", "adapter", "training", "training.early_stopping")


class ConfigError(Exception):
    """The config cannot be read: not YAML, or not a mapping of keys."""


@dataclass(frozen=True)
class NotCarried:
    key: str  # dotted path into the config: `lora_r`, `datasets[0].path`, `model.lora_rank`
    value: Any
    why: str  # EMPTY for keys left empty


@dataclass
class Conversion:
    tool: str
    source_name: str
    text: str  # the spec
    carried: list[str] = field(default_factory=list)  # key paths carried into the spec
    not_carried: list[NotCarried] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load(config: dict | str, source_name: str) -> dict:
    """The config as a mapping; YAML text is parsed with `yaml.safe_load`."""
    if isinstance(config, str):
        import yaml

        try:
            config = yaml.safe_load(config)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{source_name}:{mark.line + 1}:{mark.column + 1}" if mark else source_name
            problem = getattr(exc, "problem", None) or str(exc)
            context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
            if context and start:
                problem += f" ({context} at {start.line + 1}:{start.column + 1})"
            raise ConfigError(f"{where}: not valid YAML: {problem}") from exc
    if not isinstance(config, dict):
        kind = "empty" if config is None else f"a YAML {type(config).__name__}"
        raise ConfigError(f"{source_name}: the config is {kind}, not a mapping of keys")
    return config


# -- loose values: YAML configs write numbers as strings ("2e-4") and leave keys empty ---


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def number(value: Any) -> int | float | None:
    """A number, also from a string: `2e-4`, "0.0002", "3" (PyYAML reads `2e-4` as a string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        for cast in (int, float):
            try:
                return cast(value.strip())
            except ValueError:
                pass
    return None


def whole(value: Any) -> int | None:
    n = number(value)
    if isinstance(n, float) and n.is_integer():
        return int(n)
    return n if isinstance(n, int) else None


def flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


# -- ftspec values -----------------------------------------------------------------


def string(text: str) -> str:
    out = "".join(_ESCAPES.get(c, c if c >= " " else f"\\u{ord(c):04x}") for c in text)
    return f'"{out}"'


def name_or_string(text: str) -> str:
    return text if _NAME.match(text) and text not in ("true", "false") else string(text)


def num(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", text)


def percent(fraction: float) -> str:
    return f"{round(fraction * 100, 8):g}%" if fraction >= 0 else num(fraction)


def names(items: list[str]) -> str:
    return "[" + ", ".join(name_or_string(i) for i in items) + "]"


def source(fmt: str, path: str, **options: str) -> str:
    extra = "".join(f", {k} = {string(v)}" for k, v in options.items() if v is not None)
    return f"{fmt}({string(path)}{extra})"


def show(value: Any, limit: int = 70) -> str:
    """A config value on one comment line: YAML-like, no newlines, no `#`, shortened."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value if value and _NAME.match(value.replace("/", "_").replace(".", "_")) else repr(value)
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {show(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v, limit) for v in value) + "]"
    else:
        text = str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("#", "\\x23")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def task_name(source_name: str) -> str:
    stem = re.sub(r"\.(ya?ml|json)\Z", "", source_name.replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-").lstrip(".")
    return name or "imported"


# -- the writer --------------------------------------------------------------------


@dataclass
class _Line:
    key: str
    value: str | list[tuple[str, str]]  # a value, or the items of a list written one per line
    comment: str = ""


class Writer:
    """Collects the spec's lines and the accounting of every key of one config."""

    def __init__(self, tool: str, source_name: str, config: dict) -> None:
        self.tool, self.source_name, self.config = tool, source_name, config
        self.lines: dict[str, list[_Line]] = {b: [] for b in _BLOCKS}
        self.notes: dict[str, list[str]] = {b: [] for b in _BLOCKS}  # comment lines above a block
        self.adapter = "lora"
        self.carried: list[str] = []
        self.not_carried: list[NotCarried] = []
        self.warnings: list[str] = []

    # accounting
    def put(self, block: str, key: str, value: str | list[tuple[str, str]], *keys: str, comment: str = "") -> None:
        """Write `key = value` in `block`, carried from the config's `keys` (named in the comment)."""
        self.carry(*keys)
        label = ", ".join(keys)
        self.lines[block].append(_Line(key, value, "; ".join(p for p in (label, comment) if p)))

    def number(self, block: str, key: str, value: int | float, *keys: str, comment: str = "",
               text: str | None = None) -> None:
        """Write a number if ftspec's range takes it; else list its keys with the range."""
        broken = [f"{op} {num(bound)}" for op, bound in _bounds(block, key) if not _OPS[op](value, bound)]
        if broken:
            for k in keys:
                self.drop(k, self.value_at(k), f"outside the range of ftspec's `{key}` ({', '.join(broken)})")
        else:
            self.put(block, key, text or num(value), *keys, comment=comment)

    def value_at(self, key: str) -> Any:
        node: Any = self.config
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
            node = node[int(part[1:-1])] if part.startswith("[") else node.get(part)
        return node

    def carry(self, *keys: str) -> None:
        self.carried.extend(k for k in keys if k not in self.carried)

    def drop(self, key: str, value: Any, why: str) -> None:
        self.not_carried.append(NotCarried(key, value, EMPTY if is_empty(value) else why))

    def warn(self, message: str) -> None:
        self.warnings.append(_one_line(message))

    def note(self, block: str, text: str) -> None:
        self.notes[block].append(_one_line(text))

    def has(self, block: str, key: str) -> bool:
        return any(line.key == key for line in self.lines[block])

    def accounted(self, key: str) -> bool:
        done = self.carried + [n.key for n in self.not_carried]
        return any(k == key or k.startswith((key + ".", key + "[")) for k in done)

    def sweep(self, reasons: dict[str, str], fallback: str) -> None:
        """List every top-level key no converter step accounted for."""
        for key, value in self.config.items():
            key = str(key)
            if not self.accounted(key):
                self.drop(key, value, reasons.get(key, fallback))

    # output
    def result(self, task: str) -> Conversion:
        return Conversion(self.tool, self.source_name, self.render(task), list(self.carried),
                          list(self.not_carried), list(self.warnings))

    def render(self, task: str) -> str:
        name = show(self.source_name.replace("\\", "/").rsplit("/", 1)[-1])
        out = ["ftspec 1", "", f"# Imported by `ftspec import {self.tool}` from {name}.",
               "# Review every TODO; `ftspec lint` checks the spec against the guide."]
        order = {str(k): i for i, k in enumerate(self.config)}
        ordered = sorted(self.not_carried, key=lambda n: order.get(re.split(r"[.\[]", n.key, maxsplit=1)[0], 0))
        listed = [n for n in ordered if n.why != EMPTY]
        if listed:
            out += ["#", f"# Not carried from {name}:"]
            out += ["#   " + _one_line(f"{n.key}: {show(n.value)} ({n.why})") for n in listed]
        empty = [_one_line(n.key) for n in ordered if n.why == EMPTY]
        if empty:
            out += ["#", f"# Empty in {name} (nothing to carry; ftspec's defaults apply):"]
            out += _wrap(empty, "#   ")
        if self.warnings:
            out += ["#", "# Check:"] + [f"#   {w}" for w in self.warnings]
        out += ["", "# TODO: choose the task kind. The config does not say what the task is; `style` (text",
                "# replies compared with the references by ROUGE-L and BLEU) assumes the least.",
                f"# The kinds: {TASK_KINDS} (docs/language.md, section 3.1)."]
        out += [f"task {string(task)} {{", "  kind = style  # TODO: choose the task kind", "}"]
        for block in _BLOCKS[1:-1]:
            out += self._block(block)
        return "\n".join(out) + "\n"

    def _block(self, block: str) -> list[str]:
        lines, nested = self.lines[block], block == "training" and self.lines["training.early_stopping"]
        if not lines and not nested and block != "data" and not (block == "adapter" and self.adapter != "lora"):
            return []
        lines = sorted(lines, key=lambda line: _order(block).get(line.key, 99))
        header = f"adapter {self.adapter} {{" if block == "adapter" else f"{block} {{"
        body = _aligned(lines)
        if nested:
            inner = [("  " + s) for s in _aligned(self.lines["training.early_stopping"])]
            body += ["  early_stopping {", *inner, "  }"]
        notes = [row for note in self.notes[block] for row in _wrap(note.split(" "), "# ", sep=" ")]
        return ["", *notes, header, *body, "}"]


_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}


def _node(block: str):
    from ftspec.spec.model import BLOCKS, EarlyStopping

    return EarlyStopping if block == "training.early_stopping" else BLOCKS[block]


def _bounds(block: str, key: str) -> list[tuple[str, float]]:
    """The range of a key of ftspec's model: [(">=", 1), ("<=", 4096)]."""
    out = []
    for meta in _node(block).model_fields[key].metadata:
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
            if getattr(meta, attr, None) is not None:
                out.append((op, getattr(meta, attr)))
    return out


def _order(block: str) -> dict[str, int]:
    """The keys of a block in the order of ftspec's model (and of docs/language.md)."""
    return {name: i for i, name in enumerate(_node(block).model_fields)}


def _aligned(lines: list[_Line]) -> list[str]:
    width = max((len(line.key) for line in lines), default=0)
    heads = []
    for line in lines:
        value = "[" if isinstance(line.value, list) else line.value
        heads.append(f"  {line.key.ljust(width)} = {value}")
    out = []
    for head, line in zip(heads, lines, strict=True):
        out.append(_commented(head, line.comment, _column(heads)))
        if isinstance(line.value, list):
            items = [f"    {text}," for text, _ in line.value]
            out += [_commented(i, c, _column(items)) for i, (_, c) in zip(items, line.value, strict=True)]
            out.append("  ]")
    return out


def _column(texts: list[str], limit: int = 60) -> int:
    return max((len(t) for t in texts if len(t) <= limit), default=0)


def _one_line(text: str) -> str:
    """Text safe in a comment: one line, and no `#` that could start a suppression."""
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("#", "\\x23")


def _commented(text: str, comment: str, column: int) -> str:
    comment = _one_line(comment)
    return f"{text.ljust(column)}  # {comment}" if comment else text


def _wrap(words: list[str], prefix: str, width: int = 100, sep: str = ", ") -> list[str]:
    rows, row = [], ""
    for word in words:
        piece = f"{row}{sep}{word}" if row else word
        if row and len(prefix) + len(piece) + 1 > width:
            rows.append(prefix + row + sep.rstrip())
            piece = word
        row = piece
    return rows + [prefix + row] if row else rows
