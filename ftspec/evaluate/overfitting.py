"""Overfitting signals in a finished run (guide: Preventing Overfitting).

Two of the guide's signs are measurable after the fact:
- "Validation loss increasing while training loss decreases": read from metrics.jsonl.
- "Model outputs training examples verbatim": the fine-tuned model's replies to *eval*
  inputs that repeat a training reply word for word, when that reply is not the right
  answer. Short replies are left out: a label or "yes" repeats training data by design.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ftspec.data.normalize import normalise

# A rise smaller than this (relative to the best validation loss) is noise, not a trend.
RISE = 0.02
# Replies shorter than this many words are not counted as regurgitation.
MIN_WORDS = 8


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def loss_divergence(records: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The validation loss rose after its best point while the training loss kept falling."""
    evals = sorted((r["step"], r["eval_loss"]) for r in records if isinstance(r.get("eval_loss"), (int, float)))
    trains = sorted((r["step"], r["train_loss"]) for r in records if isinstance(r.get("train_loss"), (int, float)))
    if len(evals) < 2 or len(trains) < 2:
        return None
    best_step, best = min(evals, key=lambda e: (e[1], e[0]))
    last_step, last = evals[-1]
    if last_step <= best_step or last - best <= RISE * abs(best):
        return None
    # Training loss around the best point and at the end, averaged over a few log steps
    # so one noisy batch does not decide.
    before = [loss for step, loss in trains if step <= best_step][-3:]
    after = [loss for step, loss in trains if step > best_step][-3:]
    if not before or not after or _mean(after) >= _mean(before):
        return None
    return {
        "signal": "validation_loss_rising",
        "from_step": best_step, "to_step": last_step,
        "message": (f"validation loss rose from {best:.4f} (step {best_step}) to {last:.4f} (step {last_step}) "
                    f"while training loss fell from {_mean(before):.4f} to {_mean(after):.4f}: the model is "
                    "memorising; keep the best checkpoint (training.save_best, on by default), and try fewer "
                    "epochs, a lower learning rate or more data"),
    }


def regurgitation(outputs: Sequence[str], references: Sequence[str], train_outputs: Sequence[str],
                  inputs: Sequence[str] = (), *, keep: int = 5) -> dict[str, Any] | None:
    """Replies to eval inputs that repeat a training reply verbatim and are not the reference."""
    seen = {normalise(t) for t in train_outputs if len(t.split()) >= MIN_WORDS}
    hits = []
    for i, (out, ref) in enumerate(zip(outputs, references, strict=True)):
        text = normalise(out)
        if len(text.split()) >= MIN_WORDS and text in seen and text != normalise(ref):
            hits.append(i)
    if not hits:
        return None
    rate = len(hits) / len(outputs)
    return {
        "signal": "regurgitation", "count": len(hits), "rate": rate,
        "examples": [{"index": i, **({"input": inputs[i]} if inputs else {}), "output": outputs[i]}
                     for i in hits[:keep]],
        "message": (f"{len(hits)} of {len(outputs)} replies to eval inputs ({rate:.0%}) repeat a training reply "
                    "word for word and are not the expected answer: the model recites training data; "
                    "more varied data, fewer epochs or a smaller rank would help"),
    }


def signals(records: Sequence[dict[str, Any]], outputs: Sequence[str], references: Sequence[str],
            train_outputs: Sequence[str], inputs: Sequence[str] = ()) -> list[dict[str, Any]]:
    found = [loss_divergence(records), regurgitation(outputs, references, train_outputs, inputs)]
    return [s for s in found if s is not None]
