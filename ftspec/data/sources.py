"""Examples and sources as the training script sees them.

`read` streams a source's examples and stops at the first problem (training
must not skip data silently); `ftspec.data.scan` does the reading and is what
the data checks use to report every problem instead.

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

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DataError(Exception):
    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass(slots=True)
class Example:
    messages: list[dict[str, str]]
    path: str
    line: int
    category: str | None = None
    extra: dict[str, Any] | None = None  # tags, or that the category is a CSV column

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

    @classmethod
    def of(cls, source: Any) -> SourceSpec:
        """From a spec's `Source` block (its options left unset stay unset)."""
        return cls(**{k: v for k, v in source.model_dump().items() if v is not None})


def read(source: SourceSpec, base: Path) -> Iterator[Example]:
    """The source's examples; the first problem raises DataError (training cannot skip data silently)."""
    from ftspec.data.scan import FormatIssue, scan

    for item in scan(source, base):
        if isinstance(item, FormatIssue):
            raise DataError(item.path, item.line, item.message)
        yield item
