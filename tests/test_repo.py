"""Repository promises: CI runs the README's test command; docs list every code."""

from __future__ import annotations

import re
from pathlib import Path

from ftspec.rules import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_starts_with_the_two_commands():
    main, tests = _readme_commands()[:2]
    assert "ftspec run specs/quickstart.ftspec" in main
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    tests = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def test_rules_doc_lists_every_code():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, rule in REGISTRY.items():
        assert f"`{code}`" in doc and rule.name in doc, code


def test_rules_doc_reference_is_generated_from_the_rules():
    from ftspec.rules import reference

    current = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert reference.render(current) == current, "run `python -m ftspec.rules.reference --write`"
    for rule in REGISTRY.values():  # every rule's documentation is there, whole
        assert rule.doc.splitlines()[1] in current, rule.code
