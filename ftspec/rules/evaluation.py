"""Evaluation rules: the three tiers, task metrics, the comparison ladder, held-out eval data
(guide: Evaluation Strategy)."""

from __future__ import annotations

from ftspec.rules.base import Rule

RULES: list[Rule] = []
