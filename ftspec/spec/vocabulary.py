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

# The guide's Data Sizing Guidelines: examples per category (minimum range, recommended range).
# Rules judge by the lower end of each range; "These are per-category minimums. If you have
# 10 categories, you need 10x these numbers."
SIZING = {
    "classification": ((50, 100), (200, 500)),
    "extraction": ((100, 200), (500, 1000)),
    "style": ((50, 100), (200, 500)),
    "reasoning": ((200, 500), (1000, 5000)),
    "knowledge": ((500, 1000), (2000, 10000)),
}
FEWEST_EXAMPLES = 100  # "fewer than 100 high-quality examples": few-shot prompting will likely match it

# Metrics the training loop can compute at each evaluation on the validation split (early
# stopping and best-checkpoint selection): the text metrics by generation, and the losses.
TEXT_METRICS = ("accuracy", "exact_match", "macro_f1", "f1", "format_compliance", "field_f1", "rouge_l", "bleu")
TRAINING_METRICS = ("eval_loss", "perplexity", *TEXT_METRICS)
