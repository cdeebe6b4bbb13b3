"""Sizing rules: how many training examples the task needs (guide: Data Sizing Guidelines;
The Decision Framework, "fewer than 100 high-quality examples")."""

from __future__ import annotations

from ftspec.rules.base import Rule

RULES: list[Rule] = []
