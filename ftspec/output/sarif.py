"""SARIF 2.1.0, for code-scanning dashboards. Every code that appears is
described in `tool.driver.rules` with its documentation."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from urllib.parse import quote

from ftspec import __version__
from ftspec.diagnostics import Severity
from ftspec.lint import LintResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(file: str) -> str:
    """A URI reference for a path: `file://` for absolute paths, percent-encoded relative otherwise."""
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return quote(PurePath(file).as_posix())


def sarif(result: LintResult) -> str:
    from ftspec.rules import REGISTRY

    codes = sorted({d.code for d in result.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        rule = REGISTRY.get(code)
        rules.append({
            "id": code,
            "name": rule.name if rule else code,
            "shortDescription": {"text": rule.summary if rule else code},
            "fullDescription": {"text": rule.doc if rule else code},
            "help": {"text": rule.doc if rule else code, "markdown": rule.doc if rule else code},
            "defaultConfiguration": {"level": _LEVEL[rule.severity] if rule else "error"},
        })
    results = []
    for d in result.diagnostics:
        s = d.span
        message = d.message + (f" Help: {d.help}" if d.help else "")
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _LEVEL[d.severity],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(s.file)},
                    "region": {
                        "startLine": s.line,
                        "startColumn": s.col,
                        "endLine": s.end_line,
                        "endColumn": max(s.end_col, s.col),
                    },
                }
            }],
        })
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ftspec",
                "version": __version__,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
