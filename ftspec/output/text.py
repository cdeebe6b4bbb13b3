"""Human formats: one line per finding (concise), or ruff-style with the source
line, a caret under the span and the help (full)."""

from __future__ import annotations

from ftspec.diagnostics import Diagnostic, Severity
from ftspec.lint import LintResult


def _summary(result: LintResult) -> str:
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    infos = result.count(Severity.INFO)
    if not result.diagnostics:
        return f"All checks passed: {result.files} file{'s' if result.files != 1 else ''}."
    parts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if infos:
        parts.append(f"{infos} info")
    return f"Found {', '.join(parts)} in {result.files} file{'s' if result.files != 1 else ''}."


def concise(result: LintResult) -> str:
    lines = [
        f"{d.span.file}:{d.span.line}:{d.span.col}: {d.code} {_tag(d)}{d.message}"
        for d in result.diagnostics
    ]
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _tag(d: Diagnostic) -> str:
    return "" if d.severity is Severity.ERROR else f"[{d.severity.value}] "


def full(result: LintResult) -> str:
    blocks = [_full_one(d, result.sources.get(d.span.file)) for d in result.diagnostics]
    blocks.append(_summary(result))
    return "\n".join(blocks) + "\n"


def _full_one(d: Diagnostic, text: str | None) -> str:
    s = d.span
    out = [f"{s.file}:{s.line}:{s.col}: {d.code} {d.severity.value}: {d.message}"]
    if text is not None:
        lines = text.split("\n")
        if 1 <= s.line <= len(lines):
            source = lines[s.line - 1].rstrip("\r").expandtabs(1)
            gutter = " " * len(str(s.line))
            end = s.end_col if s.end_line == s.line else len(source) + 1
            width = max(1, end - s.col)
            out.append(f"{gutter} |")
            out.append(f"{s.line} | {source}")
            out.append(f"{gutter} | {' ' * (s.col - 1)}{'^' * width}")
            for message, rel in d.related:
                where = f"{rel.line}:{rel.col}"
                if rel.file == s.file and rel.line != s.line and where not in d.message:
                    out.append(f"{gutter} = note: {message} at {where}")
    else:
        gutter = " "
    if d.help:
        out.append(f"{gutter} = help: {d.help}")
    out.append(f"{gutter} = see: ftspec explain {d.code}")
    return "\n".join(out) + "\n"
