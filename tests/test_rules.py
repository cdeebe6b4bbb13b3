"""Rules: data-driven cases (tests/rules/cases/CODE.toml), documentation, registry."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ftspec.diagnostics import Severity
from ftspec.lint import lint_text
from ftspec.rules import CHECKS, REGISTRY

CASES_DIR = Path(__file__).parent / "rules" / "cases"
CASE_FILES = sorted(CASES_DIR.glob("*.toml"))


def _cases():
    for path in CASE_FILES:
        code = path.stem
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            yield pytest.param(code, case, id=f"{code}: {case['name']}")


@pytest.mark.parametrize(("code", "case"), list(_cases()))
def test_rule_case(code, case, tmp_path, monkeypatch):
    # Data rules: the case's `files` are written beside the spec, and lint reads them
    # (`data = false`: written, but linted as with --no-data, e.g. a baseline record alone).
    files = case.get("files", {})
    for name, content in files.items():
        (tmp_path / name).write_text(content.lstrip("\n"), encoding="utf-8")
    monkeypatch.setenv("FTSPEC_CACHE_DIR", str(tmp_path / ".cache"))
    diagnostics = lint_text(case["spec"].lstrip("\n"), str(tmp_path / "case.ftspec"),
                            data=case.get("data", bool(files)))
    found = [f"{d.span.line}:{d.span.col} {d.code}" for d in diagnostics if d.code == code]
    assert found == case["expect"]
    # The case's spec must be otherwise valid, so the case tests only this rule.
    others = [f"{d.code} {d.message}" for d in diagnostics
              if d.code != code and d.severity is Severity.ERROR]
    assert others == []


def test_every_rule_has_failing_and_passing_cases():
    have = {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))["case"] for p in CASE_FILES}
    for rule in CHECKS:
        cases = have.get(rule.code)
        assert cases, f"{rule.code} has no tests/rules/cases/{rule.code}.toml"
        assert any(c["expect"] for c in cases), f"{rule.code}: no failing case"
        assert any(not c["expect"] for c in cases), f"{rule.code}: no passing case"


SECTIONS = ["What it does", "Why is this bad?", "Example", "Use instead", "References"]


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_rule_documentation_has_ruff_sections(code):
    doc = REGISTRY[code].doc
    headings = re.findall(r"^## (.+)$", doc, flags=re.M)
    assert headings == SECTIONS, f"{code}: sections {headings}"
    for heading in SECTIONS:
        body = doc.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
        assert body.strip(), f"{code}: empty section {heading!r}"


@pytest.mark.parametrize("rule", CHECKS, ids=lambda r: r.code)
def test_check_rules_cite_the_guide(rule):
    references = rule.doc.split("## References", 1)[1]
    assert "guide:" in references


def test_codes_and_names_are_well_formed_and_unique():
    names = [r.name for r in REGISTRY.values()]
    assert len(names) == len(set(names))
    for code, rule in REGISTRY.items():
        assert rule.code == code
        assert re.fullmatch(r"[A-Z]{2}\d{3}", code)
        assert re.fullmatch(r"[a-z][a-z-]*\.[a-z0-9-]+", rule.name)


def test_every_code_emitted_in_the_source_uses_its_registered_name():
    """Parser and builder construct diagnostics with a literal code and name: keep them in step."""
    root = Path(__file__).resolve().parent.parent / "ftspec"
    pairs = set()
    for path in root.rglob("*.py"):
        pairs |= set(re.findall(r'"([A-Z]{2}\d{3})",\s*"([a-z]+\.[a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert pairs, "no diagnostics found in the source"
    for code, name in sorted(pairs):
        assert code in REGISTRY, f"{code} is emitted but not documented in the registry"
        assert REGISTRY[code].name == name, f"{code} emitted as {name}, registered as {REGISTRY[code].name}"
