"""Read the sources a spec declares into chat examples, streaming, each with its file and line.

Formats:
- `jsonl`: one `{"messages": [...]}` object per line (optional `tags`, `weight`).
- `json`: a JSON array of such objects.
- `alpaca`: `{"instruction", "input", "output"}` objects, as a JSON array (`.json`) or one
  per line (any other extension).
- `csv`: rows mapped to a user message (`input` column, default `text`) and an assistant
  reply (`output` column, default `label`); `category` names the column used to count
  categories (default: the output column).

Readers raise `DataError` with the file and line for anything they cannot read; the data
checks turn those into diagnostics, the training script into a one-line message.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DataError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Example:
    messages: list[dict[str, str]]
    path: str
    line: int
    category: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def input(self) -> str:
        """The last user turn: what the model is asked."""
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "user"), "")

    @property
    def output(self) -> str:
        """The final assistant turn: what the model must answer."""
        return self.messages[-1]["content"] if self.messages and self.messages[-1]["role"] == "assistant" else ""


@dataclass(frozen=True)
class SourceSpec:
    """A source as the compiled script names it: plain values only."""

    format: str
    path: str
    input: str | None = None
    output: str | None = None
    category: str | None = None
    delimiter: str | None = None


def read(source: SourceSpec, base: Path) -> Iterator[Example]:
    path = Path(source.path)
    if not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise DataError(str(path), 0, "file not found")
    reader = {"jsonl": _jsonl, "json": _json_array, "alpaca": _alpaca, "csv": _csv}[source.format]
    yield from reader(path, source)


def _chat(obj: Any, path: str, line: int) -> Example:
    if not isinstance(obj, dict):
        raise DataError(path, line, f"expected an object, got {type(obj).__name__}")
    messages = obj.get("messages")
    if not isinstance(messages, list) or not messages:
        raise DataError(path, line, "missing or empty `messages` list")
    clean = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
            raise DataError(path, line, f"message {i} needs string `role` and `content`")
        clean.append({"role": m["role"], "content": m["content"]})
    if clean[-1]["role"] != "assistant":
        raise DataError(path, line, "the last message must be the assistant's reply")
    tags = obj.get("tags")
    category = tags[0] if isinstance(tags, list) and tags and isinstance(tags[0], str) else None
    return Example(clean, path, line, category if category is not None else clean[-1]["content"])


def _jsonl(path: Path, source: SourceSpec) -> Iterator[Example]:
    with path.open("r", encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(str(path), line_no, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
            yield _chat(obj, str(path), line_no)


def _load_array(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(str(path), exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, list):
        raise DataError(str(path), 1, "expected a JSON array of examples")
    return data


def _json_array(path: Path, source: SourceSpec) -> Iterator[Example]:
    for i, obj in enumerate(_load_array(path), start=1):
        yield _chat(obj, str(path), i)  # line: the example's position in the array


def _alpaca_example(obj: Any, path: str, line: int) -> Example:
    if not isinstance(obj, dict) or not isinstance(obj.get("instruction"), str) or not isinstance(
            obj.get("output"), str):
        raise DataError(path, line, "an alpaca example needs string `instruction` and `output`")
    prompt = obj["instruction"]
    if isinstance(obj.get("input"), str) and obj["input"].strip():
        prompt = f"{prompt}\n\n{obj['input']}"
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": obj["output"]}]
    return Example(messages, path, line, obj["output"])


def _alpaca(path: Path, source: SourceSpec) -> Iterator[Example]:
    if path.suffix == ".json":
        for i, obj in enumerate(_load_array(path), start=1):
            yield _alpaca_example(obj, str(path), i)
        return
    with path.open("r", encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataError(str(path), line_no, f"invalid JSON: {exc.msg}") from None
                yield _alpaca_example(obj, str(path), line_no)


def _csv(path: Path, source: SourceSpec) -> Iterator[Example]:
    input_col = source.input or "text"
    output_col = source.output or "label"
    category_col = source.category or output_col
    with path.open("r", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=source.delimiter or ",")
        header = reader.fieldnames or []
        for col in {input_col, output_col, category_col}:
            if col not in header:
                raise DataError(str(path), 1, f"no column `{col}` (columns: {', '.join(header)})")
        for row in reader:
            line = reader.line_num
            if any(row.get(col) is None for col in (input_col, output_col, category_col)):
                raise DataError(str(path), line, f"row has fewer fields than the header ({len(header)})")
            messages = [{"role": "user", "content": row[input_col].strip()},
                        {"role": "assistant", "content": row[output_col].strip()}]
            yield Example(messages, str(path), line, row[category_col].strip())
