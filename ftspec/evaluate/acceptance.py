"""Decide the spec's acceptance criteria from measured rungs."""

from __future__ import annotations

from typing import Any

# Metrics are ratios of counts: 0.2 + 0.1 must meet 0.3. Differences below this are equality.
TOLERANCE = 1e-9

_OPS = {
    ">=": lambda a, b: a >= b - TOLERANCE,
    ">": lambda a, b: a > b + TOLERANCE,
    "<=": lambda a, b: a <= b + TOLERANCE,
    "<": lambda a, b: a < b - TOLERANCE,
    "==": lambda a, b: abs(a - b) <= TOLERANCE,
    "!=": lambda a, b: abs(a - b) > TOLERANCE,
}


def _side(terms: list[dict[str, Any]], rungs: dict[str, Any]) -> float | None:
    total = 0.0
    for term in terms:
        if term.get("rung"):
            value = rungs.get(term["rung"], {}).get("metrics", {}).get(term["metric"])
            if value is None:
                return None
        else:
            value = term["number"]
        total += term["sign"] * value
    return total


def evaluate(criteria: list[dict[str, Any]], rungs: dict[str, Any]) -> list[dict[str, Any]]:
    """One `{criterion, value, threshold, passed}` per criterion; `passed` is None when a
    rung or metric it needs was not measured."""
    out = []
    for c in criteria:
        value, threshold = _side(c["left"], rungs), _side(c["right"], rungs)
        passed = None if value is None or threshold is None else bool(_OPS[c["op"]](value, threshold))
        out.append({"criterion": c["text"], "value": value, "threshold": threshold, "passed": passed})
    return out
