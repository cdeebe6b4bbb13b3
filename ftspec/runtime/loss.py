"""Loss of a model on the eval set's replies: the held-out counterpart of validation loss.

Only the reply's tokens count (as in training, where TRL masks the prompt), averaged over
tokens, so the figure is comparable with the training log's eval_loss; perplexity is its
exponential.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def reply_loss(model, tokenizer, conversations: Sequence[list[dict[str, str]]], replies: Sequence[str], *,
               batch_size: int = 8, max_length: int | None = None) -> float:
    import torch

    rows = []
    for conv, reply in zip(conversations, replies, strict=True):
        prompt = tokenizer.apply_chat_template(conv, tokenize=True, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(conv + [{"role": "assistant", "content": reply}], tokenize=True)
        prompt, full = _ids(prompt), _ids(full)
        # The template renders the prompt as a prefix of the whole conversation; where a
        # template does not, count the reply as the tokens after the prompt's length.
        start = len(prompt)
        labels = [-100] * start + full[start:]
        if max_length:
            full, labels = full[:max_length], labels[:max_length]
        if any(label != -100 for label in labels):
            rows.append((full, labels))
    if not rows:
        return float("nan")
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([r + [pad] * (width - len(r)) for r, _ in batch], device=model.device)
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch], device=model.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r, _ in batch], device=model.device)
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits.float()
        shifted, targets = logits[:, :-1], labels[:, 1:]
        losses = torch.nn.functional.cross_entropy(shifted.reshape(-1, shifted.shape[-1]), targets.reshape(-1),
                                                   ignore_index=-100, reduction="sum")
        total += float(losses)
        count += int((targets != -100).sum())
    return total / count if count else float("nan")


def perplexity(loss: float) -> float:
    return math.exp(min(loss, 50.0)) if math.isfinite(loss) else float("nan")


def _ids(encoded) -> list[int]:
    """apply_chat_template(tokenize=True) gives a list, or a BatchEncoding in newer versions."""
    if isinstance(encoded, dict) or hasattr(encoded, "keys"):
        encoded = encoded["input_ids"]
    return list(encoded)
