"""Machine formats: JSON (documented by schemas/lint-output.schema.json) and
GitHub Actions workflow annotations."""

from __future__ import annotations

import json

from ftspec import __version__
from ftspec.diagnostics import Severity
from ftspec.lint import LintResult

JSON_FORMAT_VERSION = 1


def to_json(result: LintResult) -> str:
    doc = {
        "version": JSON_FORMAT_VERSION,
        "ftspec_version": __version__,
        "files": result.files,
        "summary": {s.value: result.count(s) for s in Severity},
        "diagnostics": [d.to_dict() for d in result.diagnostics],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def github(result: LintResult) -> str:
    lines = []
    for d in result.diagnostics:
        s = d.span
        props = ",".join([
            f"file={_escape_property(s.file)}",
            f"line={s.line}",
            f"col={s.col}",
            f"endLine={s.end_line}",
            f"endColumn={s.end_col}",
            f"title={_escape_property(f'{d.code} {d.name}')}",
        ])
        text = d.message + (f"\n\nhelp: {d.help}" if d.help else "")
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_escape_data(text)}")
    return "\n".join(lines) + ("\n" if lines else "")
