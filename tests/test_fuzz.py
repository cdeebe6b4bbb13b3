"""No input, however broken, makes lint raise; every diagnostic is well formed.

Random text, token soup and mutations of the example specs (deleting,
inserting, duplicating and swapping pieces) go through the whole lint
pipeline: syntax, spec, rules, suppressions.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftspec.diagnostics import Severity
from ftspec.lint import lint_text
from ftspec.rules import REGISTRY

EXAMPLES = [p.read_text(encoding="utf-8")
            for p in sorted((Path(__file__).resolve().parent.parent / "specs" / "examples").glob("*.ftspec"))]

PIECES = ["{", "}", "[", "]", "(", ")", "=", ",", '"', '"""', "#", "%", "\\", "\n", " ", ".", "-", "+",
          ">=", "ftspec", "1", "2e-5", "15%", "true", "task", "adapter", "lora", "accept", "r", "jsonl",
          "fine_tuned.accuracy", "# ftspec: ignore AD001", "\t", "\r\n", "é", "\x00", ":"]

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    diagnostics = lint_text(text, "fuzz.ftspec")
    lines = text.split("\n")
    for d in diagnostics:
        assert d.code in REGISTRY, d.code
        assert d.name == REGISTRY[d.code].name, (d.code, d.name)
        assert isinstance(d.severity, Severity)
        assert d.message and "Token(" not in d.message and "Traceback" not in d.message
        s = d.span
        assert 1 <= s.line <= len(lines) + 1, (s, len(lines))
        assert s.col >= 1 and s.end_col >= 1
        assert (s.end_line, s.end_col) >= (s.line, s.col), s


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_text(text):
    _check(text)


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=60))
def test_token_soup(pieces):
    _check("ftspec 1\n" + " ".join(pieces))


@st.composite
def mutated_example(draw):
    text = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "truncate"]))
        n = len(text)
        i = draw(st.integers(0, max(n - 1, 0)))
        if op == "delete":
            j = draw(st.integers(i, min(n, i + 40)))
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(PIECES)) + text[i:]
        elif op == "truncate":
            text = text[:i]
        else:
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            if op == "duplicate":
                lines.insert(b, lines[a])
            else:
                lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


@SETTINGS
@given(mutated_example())
def test_mutated_examples(text):
    _check(text)


def test_examples_are_clean():
    for text in EXAMPLES:
        assert lint_text(text, "example.ftspec") == []
