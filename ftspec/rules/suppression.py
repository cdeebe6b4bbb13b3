"""Inline suppression: `# ftspec: ignore CODE[,CODE...] reason` on the line of a finding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ftspec.diagnostics import Diagnostic, Severity
from ftspec.syntax.nodes import Comment

_DIRECTIVE = re.compile(
    r"#\s*ftspec:\s*ignore\b\s*"
    r"(?P<codes>[A-Z]{2}\d{3}(?:\s*,\s*[A-Z]{2}\d{3})*)?"  # CODE or CODE,CODE
    r"\s*(?P<reason>.*)$"
)

# Syntax and schema errors mean the spec was never resolved and no rule ran:
# suppressing them would turn a broken file green.
UNSUPPRESSIBLE = ("SY", "SP")


@dataclass
class Suppression:
    comment: Comment
    codes: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)


def parse_suppressions(comments: tuple[Comment, ...]) -> list[Suppression]:
    out = []
    for comment in comments:
        m = _DIRECTIVE.search(comment.text)
        if m:
            codes = tuple(c.strip() for c in (m.group("codes") or "").split(",") if c.strip())
            out.append(Suppression(comment, codes, m.group("reason").strip()))
    return out


def apply(diagnostics: list[Diagnostic], comments: tuple[Comment, ...], known: set[str]) -> list[Diagnostic]:
    """Drop suppressed diagnostics; report suppressions that lack a reason or do nothing."""
    suppressions = parse_suppressions(comments)
    by_line = {s.comment.span.line: s for s in suppressions}
    kept = []
    for diag in diagnostics:
        sup = by_line.get(diag.span.line)
        if sup and diag.code in sup.codes and not diag.code.startswith(UNSUPPRESSIBLE):
            sup.used.add(diag.code)
            continue
        kept.append(diag)
    for sup in suppressions:
        span = sup.comment.span
        if not sup.codes:
            kept.append(Diagnostic(
                "SU002", "suppression.unused", Severity.WARNING,
                "suppression names no code", span,
                help="write `# ftspec: ignore CODE reason`, e.g. `# ftspec: ignore AD001 why`",
            ))
            continue
        for code in sup.codes:
            if code.startswith(UNSUPPRESSIBLE):
                kept.append(Diagnostic("SU002", "suppression.unused", Severity.WARNING,
                                       f"{code} cannot be suppressed: syntax and schema errors must be fixed",
                                       span, help="fix the error and remove the suppression"))
            elif code not in known:
                kept.append(Diagnostic("SU002", "suppression.unused", Severity.WARNING,
                                       f"suppression names unknown code {code}", span,
                                       help="`ftspec explain --list` shows every code"))
            elif code not in sup.used:
                kept.append(Diagnostic("SU002", "suppression.unused", Severity.WARNING,
                                       f"nothing on this line is reported as {code}", span,
                                       help="remove the suppression"))
        if not sup.reason:
            kept.append(Diagnostic("SU001", "suppression.missing-reason", Severity.WARNING,
                                   "suppression without a reason", span,
                                   help="say why after the code: `# ftspec: ignore CODE because ...`"))
    return kept
