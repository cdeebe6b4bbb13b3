"""Stage 3: rules over the typed spec, and the registry of every diagnostic code.

The registry is a plain dict, code -> Rule. A new rule is a function in a
family module, decorated with `@rule(...)`, and listed in `CHECKS` below.
"""

from __future__ import annotations

from ftspec.rules import adapter, data, hyperparameters, overfitting, suppression
from ftspec.rules.base import Context, Finding, Rule, rule
from ftspec.rules.reported import REPORTED

CHECKS: list[Rule] = [
    adapter.rank_range,
    adapter.alpha_ratio,
    hyperparameters.epochs_range,
    hyperparameters.warmup_range,
    overfitting.no_early_stopping,
    overfitting.keeps_last_checkpoint,
    data.format_errors,
    data.duplicates,
    data.contamination,
    data.conflicts,
    data.file_not_found,
]

REGISTRY: dict[str, Rule] = {r.code: r for r in [*REPORTED, *CHECKS]}

__all__ = ["CHECKS", "REGISTRY", "Context", "Finding", "Rule", "rule", "suppression"]
