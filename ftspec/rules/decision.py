"""Decision rules: the guide's "Do NOT fine-tune when" list and its six-step decision tree
(guide: The Decision Framework: When to Fine-Tune)."""

from __future__ import annotations

from ftspec.rules.base import Rule

RULES: list[Rule] = []
