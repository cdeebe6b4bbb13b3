"""Tier 1 metrics computed from predictions and references (guide: Evaluation Strategy).

Plain Python, unit-tested against values computed by hand. The evaluation issue
adds ROUGE-L, BLEU, field-level F1 and the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence


def normalise(text: str) -> str:
    return " ".join(text.strip().split()).lower()


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    if not references:
        return 0.0
    return sum(normalise(p) == normalise(r) for p, r in zip(predictions, references, strict=True)) / len(references)


def accuracy(predictions: Sequence[str], references: Sequence[str]) -> float:
    """For labels: the prediction's first line must be the label (case and spacing aside)."""
    firsts = [p.strip().split("\n", 1)[0] if p.strip() else "" for p in predictions]
    return exact_match(firsts, references)


def macro_f1(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Unweighted mean of per-class F1 over the reference classes."""
    preds = [normalise(p.strip().split("\n", 1)[0]) if p.strip() else "" for p in predictions]
    refs = [normalise(r) for r in references]
    classes = sorted(set(refs))
    if not classes:
        return 0.0
    scores = []
    for c in classes:
        tp = sum(p == c and r == c for p, r in zip(preds, refs, strict=True))
        fp = sum(p == c and r != c for p, r in zip(preds, refs, strict=True))
        fn = sum(p != c and r == c for p, r in zip(preds, refs, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def format_compliance(predictions: Sequence[str], output: dict, labels: Sequence[str] | None) -> float:
    """Share of predictions whose form is right: a known label, a regex match, or a JSON object."""
    if not predictions:
        return 0.0
    kind = output.get("kind")
    if kind == "label":
        allowed = {normalise(label) for label in labels or []}
        ok = [normalise(p) in allowed if allowed else bool(p.strip()) for p in predictions]
    elif kind == "regex":
        pattern = re.compile(output["pattern"])
        ok = [pattern.fullmatch(p.strip()) is not None for p in predictions]
    elif kind in ("json", "json_schema"):
        ok = [_is_json_object(p) for p in predictions]
    else:
        ok = [bool(p.strip()) for p in predictions]
    return sum(ok) / len(ok)


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except json.JSONDecodeError:
        return False


def compute(names: Sequence[str], predictions: Sequence[str], references: Sequence[str], *,
            output: dict, labels: Sequence[str] | None) -> dict[str, float]:
    """The named metrics that can be computed from text; others are left to the evaluation harness."""
    out: dict[str, float] = {}
    for name in names:
        if name == "accuracy":
            out[name] = accuracy(predictions, references)
        elif name == "exact_match":
            out[name] = exact_match(predictions, references)
        elif name == "macro_f1":
            out[name] = macro_f1(predictions, references)
        elif name == "format_compliance":
            out[name] = format_compliance(predictions, output, labels)
    return out
