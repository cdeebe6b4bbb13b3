"""Anti-pattern rules: the items of the guide's Anti-Patterns list that a spec can show and no
other family covers (guide: Anti-Patterns)."""

from __future__ import annotations

from ftspec.rules.base import Rule

RULES: list[Rule] = []
