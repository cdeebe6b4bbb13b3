"""Batched greedy generation with left padding: the same decoding for every rung."""

from __future__ import annotations

from collections.abc import Sequence


def generate(model, tokenizer, conversations: Sequence[list[dict[str, str]]], *, max_new_tokens: int,
             batch_size: int = 16) -> list[str]:
    import torch

    tokenizer.padding_side = "left"  # decoder-only: pad on the left so every row ends at its prompt
    model.eval()
    outputs: list[str] = []
    for start in range(0, len(conversations), batch_size):
        batch = conversations[start:start + batch_size]
        prompts = [tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True) for c in batch]
        enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
        with torch.no_grad():
            generated = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                       pad_token_id=tokenizer.pad_token_id)
        new_tokens = generated[:, enc["input_ids"].shape[1]:]
        outputs.extend(tokenizer.batch_decode(new_tokens, skip_special_tokens=True))
    return [o.strip() for o in outputs]
