"""Broken specs and the diagnostics they must produce, stored as data.

tests/fixtures/broken/*.ftspec are the inputs; expected.toml lists, per file,
`"LINE:COL CODE"` for every diagnostic. `pytest --update-fixtures` rewrites it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ftspec.lint import lint_paths
from ftspec.rules import REGISTRY

FIXTURES = Path(__file__).parent / "fixtures" / "broken"
EXPECTED = FIXTURES / "expected.toml"
FILES = sorted(p.name for p in FIXTURES.glob("*.ftspec"))


def _actual(name: str) -> list[str]:
    result = lint_paths([str(FIXTURES / name)], data=False)  # syntax and schema fixtures: no data files
    for d in result.diagnostics:  # a diagnostic's name is the registry's name for its code
        assert d.name == REGISTRY[d.code].name, (d.code, d.name)
    return [f"{d.span.line}:{d.span.col} {d.code}" for d in result.diagnostics]


def test_every_fixture_has_expectations(update_fixtures):
    if update_fixtures:
        lines = ["# Expected diagnostics of each broken fixture: \"LINE:COL CODE\".",
                 "# Regenerate with `pytest --update-fixtures` and review the diff.", ""]
        for name in FILES:
            lines.append(f'["{name}"]')
            lines.append("diagnostics = [")
            lines.extend(f'  "{item}",' for item in _actual(name))
            lines.append("]")
            lines.append("")
        EXPECTED.write_text("\n".join(lines), encoding="utf-8")
    expected = tomllib.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(expected) == FILES


@pytest.mark.parametrize("name", FILES)
def test_broken_fixture_reports_stored_diagnostics(name):
    expected = tomllib.loads(EXPECTED.read_text(encoding="utf-8"))[name]["diagnostics"]
    assert expected, f"{name}: a broken fixture must produce at least one diagnostic"
    assert _actual(name) == expected
