"""The prompted base rung's k-shot prompt: examples drawn from train, never from eval.

The guide's decision framework asks whether a better prompt would do (step 1), so the
rung that stands for "a better prompt" must be a fair one: shots cover as many
different answers as they can (for classification, different labels), they are the
same for every eval example (one prompt, as a team would deploy it), and a training
example whose input also appears in the eval set is never shown (that would be
answering the question in the prompt).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ftspec.data.normalize import normalise
from ftspec.data.sources import Example


def choose(train: Sequence[Example], k: int, *, seed: int, avoid_inputs: Sequence[str] = ()) -> list[Example]:
    """k training examples, one per distinct answer in turn (round-robin over answers in a
    seeded order), so a 5-shot prompt for 5+ labels shows 5 different labels."""
    if k <= 0:
        return []
    avoid = {normalise(text) for text in avoid_inputs}
    by_answer: dict[str, list[Example]] = {}
    for ex in train:
        if ex.output and normalise(ex.input) not in avoid:
            by_answer.setdefault(ex.category or ex.output, []).append(ex)
    rng = random.Random(seed)
    answers = sorted(by_answer)
    rng.shuffle(answers)
    for key in answers:
        rng.shuffle(by_answer[key])
    chosen: list[Example] = []
    depth = 0
    while len(chosen) < k and any(len(group) > depth for group in by_answer.values()):
        for key in answers:
            if len(chosen) < k and len(by_answer[key]) > depth:
                chosen.append(by_answer[key][depth])
        depth += 1
    return chosen


def turns(shots: Sequence[Example]) -> list[dict[str, str]]:
    """The shots as alternating user/assistant turns (their own system prompts dropped)."""
    out: list[dict[str, str]] = []
    for ex in shots:
        out.extend({"role": m["role"], "content": m["content"]} for m in ex.messages if m["role"] != "system")
    return out


def label_instruction(labels: Sequence[str]) -> str:
    return "Answer with exactly one of these labels and nothing else: " + ", ".join(labels) + "."


def prompted(conversation: list[dict[str, str]], shot_turns: list[dict[str, str]],
             labels: Sequence[str] | None = None) -> list[dict[str, str]]:
    """The conversation with the shots placed after its system prompt, before its first turn.

    With `labels` (classification), the system prompt also lists them: a good prompt tells
    the model its choices, and the baseline must be a good prompt, not a straw man (the
    fine-tuned model learns the labels from the data instead)."""
    head = [dict(m) for m in conversation[:1]] if conversation and conversation[0]["role"] == "system" else []
    if labels:
        if head:
            head[0]["content"] = head[0]["content"].rstrip() + "\n" + label_instruction(labels)
        else:
            head = [{"role": "system", "content": label_instruction(labels)}]
    rest = conversation[1:] if conversation and conversation[0]["role"] == "system" else conversation
    return head + shot_turns + list(rest)
