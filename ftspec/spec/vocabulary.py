"""Names the language knows: task kinds, metrics, rungs, and what each kind measures.

Kept apart from the model so rules, the evaluation harness and the docs read
the same lists.
"""

from __future__ import annotations

TASK_KINDS = ("classification", "extraction", "style", "reasoning", "knowledge")

# Why fine-tune, from the guide's "Fine-tune when" list (The Decision Framework).
WHY = ("format", "domain", "latency", "cost", "pattern", "plateau")

METRICS = (
    "accuracy", "macro_f1", "f1", "exact_match", "format_compliance", "field_f1",
    "rouge_l", "bleu", "eval_loss", "perplexity", "win_rate",
)

# The comparison ladder of the guide's "Model Comparison" tier.
RUNGS = ("base", "prompted_base", "larger", "fine_tuned")

# Tier 1 metrics by task kind when the spec names none (guide: Evaluation
# Strategy, "task_specific: Accuracy, F1, BLEU, ROUGE — whatever fits your task").
DEFAULT_METRICS = {
    "classification": ["accuracy", "macro_f1", "format_compliance"],
    "extraction": ["exact_match", "field_f1", "format_compliance"],
    "style": ["rouge_l", "bleu"],
    "reasoning": ["exact_match", "accuracy"],
    "knowledge": ["rouge_l", "exact_match"],
}

ERROR_CATEGORIES = ("factual", "format", "reasoning", "other")

SOURCE_FORMATS = ("jsonl", "json", "csv", "alpaca")
