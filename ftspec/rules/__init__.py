"""Stage 3: rules over the typed spec, and the registry of every diagnostic code.

The registry is a plain dict, code -> Rule. A new rule is a function in a
family module, decorated with `@rule(...)` and listed in that module's `RULES`;
`FAMILIES` below is every family module, in the order rules run and are documented.
"""

from __future__ import annotations

from ftspec.rules import (
    adapter,
    antipatterns,
    data,
    decision,
    evaluation,
    generated,
    hyperparameters,
    overfitting,
    sizing,
    suppression,
)
from ftspec.rules.base import Context, Finding, Rule, rule
from ftspec.rules.reported import REPORTED

FAMILIES = [decision, sizing, data, generated, adapter, hyperparameters, overfitting, evaluation, antipatterns]

CHECKS: list[Rule] = [r for family in FAMILIES for r in family.RULES]

REGISTRY: dict[str, Rule] = {r.code: r for r in [*REPORTED, *CHECKS]}

__all__ = ["CHECKS", "FAMILIES", "REGISTRY", "Context", "Finding", "Rule", "rule", "suppression"]
