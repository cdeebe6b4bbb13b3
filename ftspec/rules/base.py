"""What a rule is: a code, a dotted name, a default severity, documentation,
and a check that yields findings. Rules read the spec; they never raise for
anything a user can write (a crash is an internal error, exit 2).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ftspec.diagnostics import Diagnostic, Severity, Span
from ftspec.spec.model import Spec
from ftspec.syntax.nodes import Document


@dataclass(frozen=True, slots=True)
class Finding:
    message: str
    span: Span | None
    help: str = ""
    severity: Severity | None = None  # overrides the rule's, e.g. from a spec's quality level


@dataclass
class Context:
    """What a rule may look at. `data` (counts from the data files) comes with the data stage."""

    spec: Spec
    document: Document
    data: dict | None = None  # the cheap data-check report; None with --no-data

    @property
    def base_dir(self):
        """The spec's folder: data paths are relative to it."""
        from pathlib import Path

        path = Path(self.document.path)
        return path.resolve().parent if path.name.endswith(".ftspec") else Path.cwd()

    @property
    def baseline(self):
        """`ftspec baseline`'s record beside the spec (ftspec.evaluate.baseline.Measured), checked
        against the spec as it is; None without one. Data files are hashed only when the data
        stage runs (with --no-data only the spec's values are compared)."""
        if not hasattr(self, "_baseline"):
            from pathlib import Path

            from ftspec.evaluate.baseline import lookup

            path = Path(self.document.path)
            self._baseline = lookup(self.spec, path, hash_data=self.data is not None) \
                if path.name.endswith(".ftspec") else None
        return self._baseline

    @property
    def anchor(self) -> Span:
        """Where spec-wide findings point when nothing more precise exists: the task block."""
        return self.spec.task.span or Span.point(self.document.path, 1, 1)


Check = Callable[[Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    doc: str
    check: Check | None = field(default=None, compare=False)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def summary(self) -> str:
        """First paragraph of the documentation's "What it does" section."""
        for block in self.doc.split("## ")[1:]:
            title, _, body = block.partition("\n")
            if title.strip().lower() == "what it does":
                return " ".join(body.strip().split("\n\n")[0].split())
        return self.name

    def run(self, ctx: Context) -> Iterator[Diagnostic]:
        assert self.check is not None
        for finding in self.check(ctx):
            yield Diagnostic(self.code, self.name, finding.severity or self.severity, finding.message,
                             finding.span or ctx.anchor, finding.help)


def rule(code: str, name: str, severity: Severity) -> Callable[[Check], Rule]:
    """Decorator: the function's docstring is the rule's user documentation."""

    def wrap(fn: Check) -> Rule:
        return Rule(code, name, severity, inspect.cleandoc(fn.__doc__ or ""), fn)

    return wrap


def reported(code: str, name: str, severity: Severity, doc: str) -> Rule:
    """A code reported by the parser or the spec builder rather than by a check."""
    return Rule(code, name, severity, inspect.cleandoc(doc))
