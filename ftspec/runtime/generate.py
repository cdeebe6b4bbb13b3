"""Batched greedy generation with left padding: the same decoding for every rung.

Prompts are batched by length (longest first, so a memory problem shows at once), which
keeps padding, and so wasted compute, small; outputs come back in the input order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def generate(model, tokenizer, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: int,
             batch_size: int = 16, progress: Callable[[int, int], None] | None = None) -> list[str]:
    import torch

    tokenizer.padding_side = "left"  # decoder-only: pad on the left so every row ends at its prompt
    model.eval()
    prompts = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in conversations]
    if not prompts:
        return []  # the tokenizer fails on an empty batch (`--limit 0`)
    lengths = [len(ids) for ids in tokenizer(prompts, add_special_tokens=False)["input_ids"]]
    order = sorted(range(len(prompts)), key=lambda i: -lengths[i])
    outputs: list[str] = [""] * len(prompts)
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        enc = tokenizer([prompts[i] for i in rows], return_tensors="pt", padding=True,
                        add_special_tokens=False).to(model.device)
        with torch.no_grad():
            generated = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                       pad_token_id=tokenizer.pad_token_id)
        new_tokens = generated[:, enc["input_ids"].shape[1]:]
        for i, text in zip(rows, tokenizer.batch_decode(new_tokens, skip_special_tokens=True), strict=True):
            outputs[i] = text.strip()
        if progress:
            progress(min(start + batch_size, len(order)), len(order))
    return outputs
