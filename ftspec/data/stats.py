"""Distributions for the report: min, max, mean, median and the 5th/95th percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), on sorted data."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def distribution(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"count": 0, "min": 0, "max": 0, "mean": 0.0, "median": 0.0, "p5": 0.0, "p95": 0.0}
    data = sorted(values)
    return {
        "count": len(data),
        "min": data[0],
        "max": data[-1],
        "mean": round(sum(data) / len(data), 3),
        "median": round(percentile(data, 0.5), 6),
        "p5": round(percentile(data, 0.05), 6),
        "p95": round(percentile(data, 0.95), 6),
    }


class Tokens:
    """Token counts with the base model's tokenizer when it loads locally, else an estimate."""

    CHARS_PER_TOKEN = 4  # the usual rule of thumb for English text with BPE vocabularies

    def __init__(self, model_path: str | None) -> None:
        self.tokenizer = None
        self.method = f"estimate: characters / {self.CHARS_PER_TOKEN} (the base model's tokenizer is not local)"
        if model_path:
            try:
                from transformers import AutoTokenizer  # only when a local model folder exists

                self.tokenizer = AutoTokenizer.from_pretrained(model_path)
                self.method = f"tokenizer of {model_path}"
            except Exception:  # noqa: BLE001 - any failure means: estimate instead, and say so
                self.tokenizer = None

    def count(self, text: str) -> int:
        if self.tokenizer is not None:
            return len(self.tokenizer.encode(text, add_special_tokens=False))
        return math.ceil(len(text) / self.CHARS_PER_TOKEN)
