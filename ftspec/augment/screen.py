"""The data checks a candidate must pass before a person sees it, and again when it is written.

Refused, never shown: an input that copies an eval example (exactly, or by shared word n-grams:
the same test as `quality.contamination`, `ftspec.data.checks.Checker.contaminated`), an input
already in the training data or in an earlier candidate (a duplicate with the same reply, a
conflict with another), a reply the task's output format does not allow (a label not in
`task.labels`, a regex or JSON schema it fails). Flagged for the reviewer: an input close to a
training input by the same n-gram test (refused instead when `quality.near_duplicates = error`).

Inputs are compared normalised (`ftspec.data.normalize.words`), as the data checks compare them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftspec.data.checks import Checker
from ftspec.data.normalize import words
from ftspec.data.scan import FormatIssue, resolve, scan
from ftspec.data.sources import Example, SourceSpec


@dataclass
class Verdict:
    refused: str | None  # why the candidate cannot be used; None: it goes to the reviewer
    flags: list[str]
    # Which check refused it: empty, format, contamination, duplicate, conflict, near_duplicate.
    check: str | None = None


class Screen:
    """An index of the spec's data (eval for contamination, the rest for duplicates), that
    candidates are checked against one by one; each candidate that passes joins the index, so that
    two candidates never duplicate each other either.

    `into`: the file accepted candidates go to; it need not exist yet, and with `rewriting` it is
    left out of the index (it is about to be written again from the decisions)."""

    def __init__(self, spec, base: Path, *, into: Path, rewriting: bool = False) -> None:
        self.spec, self.base = spec, Path(base)
        self.eval = Checker(spec, self.base, near=False)  # its eval index and contamination test
        self.near = Checker(spec, self.base, near=False)  # the same n-gram index, of training inputs
        self.near_level = spec.quality.near_duplicates.level
        self.inputs: dict[int, tuple[str, str]] = {}  # normalised input -> (where, normalised reply)
        self.examples: list[Example] = []  # single-turn training examples: what paraphrase and synthetic start from
        self.unreadable: list[str] = []
        data = spec.data
        for source in data.eval or []:
            for ex in self._read(source):
                in_words = words(ex.input)
                self.eval.index_eval(in_words, ex, hash(" ".join(in_words)))
        training = [("train", s) for s in data.train] + [("general", s) for s in data.general or []]
        if data.validation.source is not None:
            training.append(("validation", data.validation.source))
        self.into = Path(into).resolve()
        for role, source in training:
            is_into = resolve(SourceSpec.of(source), self.base).resolve() == self.into
            if is_into and (rewriting or not self.into.exists()):
                continue
            for ex in self._read(source):
                self.remember(ex.input, ex.output, f"{self.short(ex.path)}:{ex.line}", ex)
                # What paraphrase, back translation and synthetic start from: collected single-turn
                # examples, never generated ones (a paraphrase of a paraphrase drifts; and `into` is
                # rewritten, so its line numbers would not stay true in the provenance).
                generated = ex.extra is not None and "generated" in ex.extra
                if role == "train" and not is_into and not generated and \
                        len(ex.messages) - (ex.messages[0]["role"] == "system") == 2:
                    self.examples.append(ex)

    def _read(self, source):
        for item in scan(SourceSpec.of(source), self.base):
            if isinstance(item, FormatIssue):
                self.unreadable.append(f"{item.path}:{item.line}: {item.message}")
                continue
            yield item

    def short(self, path: str) -> str:
        try:
            return str(Path(path).relative_to(self.base))
        except ValueError:
            return path

    def remember(self, text_in: str, text_out: str, where: str, ex: Example | None = None) -> None:
        in_words = words(text_in)
        key = hash(" ".join(in_words))
        self.inputs.setdefault(key, (where, " ".join(words(text_out))))
        # The n-gram index keeps a location per input: a file line, or a candidate's id (line 0).
        self.near.index_eval(in_words, ex if ex is not None else Example([], where, 0), key)

    def check(self, text_in: str, text_out: str, where: str) -> Verdict:
        """Check one candidate; if it passes, it joins the index as `where` (its id)."""
        flags: list[str] = []
        if not text_in.strip() or not text_out.strip():
            return Verdict("the input or the reply is empty", flags, "empty")
        format_problem = self._format(text_out)
        if format_problem:
            return Verdict(format_problem, flags, "format")
        in_words = words(text_in)
        key = hash(" ".join(in_words))
        copied = self.eval.contaminated(in_words, key)
        if copied is not None:
            location, kind, overlap = copied
            how = "exactly" if kind == "exact" else f"{overlap:.0%} of its word 5-grams"
            return Verdict(f"copies eval example {self.short(location['file'])}:{location['line']} ({how}): "
                           "contamination", flags, "contamination")
        prior = self.inputs.get(key)
        if prior is not None:
            place, reply = prior
            if reply == " ".join(words(text_out)):
                return Verdict(f"duplicate of {place}", flags, "duplicate")
            return Verdict(f"conflicts with {place}: the same input with another reply", flags, "conflict")
        close = self.near.contaminated(in_words, key)
        if close is not None:
            location, _, overlap = close
            note = (f"close to {self._where(location)}: {overlap:.0%} of its word 5-grams are shared "
                    "(a near duplicate)")
            if self.near_level == "error":
                return Verdict(note + "; quality.near_duplicates = error", flags, "near_duplicate")
            if self.near_level == "warn":
                flags.append(note)
        self.remember(text_in, text_out, where)
        return Verdict(None, flags)

    def _where(self, location: dict[str, Any]) -> str:
        return f"{self.short(location['file'])}:{location['line']}" if location["line"] else location["file"]

    def _format(self, reply: str) -> str | None:
        """Why the reply breaks the task's output format (None if it does not), as the data check
        `format_compliance` sees it."""
        checker, kind = self.eval, self.spec.task.output.kind
        answer = reply.strip()
        if kind == "label" and checker.labels is not None:
            if answer not in checker.labels:
                labels = ", ".join(sorted(checker.labels))
                return f"the reply `{answer[:80]}` is not one of the task's labels ({labels})"
        elif kind == "regex":
            if checker.pattern.fullmatch(answer) is None:
                return f"the reply does not match the task's output regex `{self.spec.task.output.pattern}`"
        elif kind in ("json", "json_schema"):
            try:
                value = json.loads(reply)
            except json.JSONDecodeError:
                return "the reply is not JSON (the task's output is JSON)"
            if not isinstance(value, dict):
                return "the reply is not a JSON object"
            if checker.schema_validator is not None and not checker.schema_validator.is_valid(value):
                return "the reply does not follow the task's JSON schema"
        return None
