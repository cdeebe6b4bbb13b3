"""The lint pipeline for one text or many files: syntax -> spec -> rules -> suppressions.

Pure functions over text; the only I/O is reading the spec files. Nothing here
imports torch, transformers, trl, peft, datasets or bitsandbytes (a test
checks), so that a pre-commit hook stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ftspec.diagnostics import Diagnostic, Severity, Span

SPEC_SUFFIX = ".ftspec"


@dataclass
class LintResult:
    files: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # path -> text, for formats that show source lines
    sources: dict[str, str] = field(default_factory=dict)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)


class UsageError(Exception):
    """Bad command-line input (a path that does not exist): exit 2."""


def analyse(text: str, path: str = "<string>", *, data: bool = False, config=None):
    """Run syntax, spec, rules and suppressions; return (spec or None, sorted diagnostics).

    With `data`, the cheap data checks run on the files the spec names (cached by
    their content) and the data rules report on them. `config` (ftspec.config.Config)
    sets the project's severities; without it, the rules' own."""
    from ftspec.rules import CHECKS, REGISTRY, Context, suppression
    from ftspec.spec import build
    from ftspec.syntax import parse

    doc, diagnostics = parse(text, path)
    if doc is None:
        return None, diagnostics
    spec, spec_diags = build(doc)
    diagnostics = diagnostics + spec_diags
    if spec is not None:
        ctx = Context(spec=spec, document=doc)
        if data:
            from ftspec.data.cache import cheap_report
            from ftspec.data.checks import CheckError

            try:
                ctx.data = cheap_report(spec, ctx.base_dir)
            except CheckError as exc:
                diagnostics.append(Diagnostic(
                    "DA006", "data.unreadable", Severity.ERROR, str(exc),
                    spec.task.span_of("output") or ctx.anchor, help="fix the path, relative to the spec's folder"))
        for rule in CHECKS:
            diagnostics.extend(rule.run(ctx))
    diagnostics = suppression.apply(diagnostics, doc.comments, set(REGISTRY))
    if config is not None:
        diagnostics = config.apply(diagnostics)
    return spec, sorted(diagnostics, key=Diagnostic.sort_key)


def lint_text(text: str, path: str = "<string>", *, data: bool = False, config=None) -> list[Diagnostic]:
    return analyse(text, path, data=data, config=config)[1]


def config_for(path: Path, explicit: Path | None = None):
    """The project configuration for a spec: `explicit` (--config), else found upward."""
    from ftspec import config

    try:
        return config.load(explicit) if explicit is not None else config.for_folder(path.resolve().parent)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from exc


def read_spec(path: Path) -> tuple[str | None, Diagnostic | None]:
    """The file's text, or a diagnostic saying why it cannot be read as UTF-8."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")) + 1
        return None, Diagnostic(
            "SY010", "syntax.encoding", Severity.ERROR,
            f"file is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
            Span(str(path), line, col, line, col + 1),
            help="save the file as UTF-8",
        )


def discover(paths: Iterable[str]) -> Iterator[Path]:
    """Files named directly, and every *.ftspec below named folders (hidden folders skipped)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root) / f for f in files if f.endswith(SPEC_SUFFIX))
            yield from sorted(found)
        elif path.is_file():
            yield path
        elif not path.exists():
            raise UsageError(f"{raw}: no such file or folder")
        else:
            raise UsageError(f"{raw}: not a file or folder")


def lint_paths(paths: Iterable[str], *, data: bool = True, config: Path | None = None) -> LintResult:
    result = LintResult()
    seen: set[Path] = set()
    for path in discover(paths):
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        result.files += 1
        try:
            text, problem = read_spec(path)
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        name = str(path)
        if problem is not None:
            result.diagnostics.append(problem)
            continue
        result.sources[name] = text
        result.diagnostics.extend(lint_text(text, name, data=data, config=config_for(path, config)))
    return result
