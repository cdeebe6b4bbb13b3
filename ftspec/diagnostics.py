"""The one Diagnostic type every stage reports through.

Syntax errors, schema errors, rule findings and (later) data findings are all
`Diagnostic`s: a stable code, a dotted name, a severity, a one-line message, a
help line that says what to do, and the exact span in the source.

Spans are 1-based; `end_col` is exclusive (it points one past the last
character), as in Lark, HCL and SARIF, so an empty span has col == end_col.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, file: str, line: int, col: int) -> Span:
        return cls(file, line, col, line, col)

    def to(self, other: Span) -> Span:
        """The span from the start of self to the end of other."""
        return Span(self.file, self.line, self.col, other.end_line, other.end_col)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    help: str = ""
    # Related places, e.g. where a duplicated key was first set.
    related: tuple[tuple[str, Span], ...] = field(default=())

    def sort_key(self) -> tuple:
        s = self.span
        return (s.file, s.line, s.col, self.severity.rank, self.code)

    def to_dict(self) -> dict:
        s = self.span
        return {
            "file": s.file,
            "line": s.line,
            "col": s.col,
            "end_line": s.end_line,
            "end_col": s.end_col,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "help": self.help,
            "related": [
                {"message": msg, "file": r.file, "line": r.line, "col": r.col,
                 "end_line": r.end_line, "end_col": r.end_col}
                for msg, r in self.related
            ],
        }


def end_of_text(file: str, text: str) -> Span:
    """The empty span just past the last character: where end-of-file errors go."""
    lines = text.split("\n")
    return Span.point(file, len(lines), len(lines[-1]) + 1)
