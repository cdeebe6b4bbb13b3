"""Paraphrasing and synthetic generation through an OpenAI-compatible chat endpoint (guide: Data
Augmentation). The prompts follow the guide's: "rephrase inputs while preserving meaning", and its
synthetic pipeline, "Based on these examples, generate N new examples that follow the same pattern
but with different inputs and appropriate outputs. Vary the complexity, length, and edge cases."
Replies are asked for as JSON arrays and read leniently (a code fence or a sentence around the
array is fine); whatever cannot be read is counted, never guessed at.

Every choice (which training example is paraphrased next, which seed examples a request shows) is
drawn from the spec's seed and the request's number, so a rerun after a stop asks what the
stopped run would have asked next.
"""

from __future__ import annotations

import json
import random
from typing import Any

from ftspec.data.sources import Example

PARAPHRASE_SYSTEM = "You rewrite user messages for a fine-tuning dataset. You reply with JSON only."
SYNTHETIC_SYSTEM = "You write new examples for a fine-tuning dataset. You reply with JSON only."
TRANSLATE_SYSTEM = "You are a careful translator. You reply with the translation only."


def paraphrase_messages(text: str, n: int) -> list[dict[str, str]]:
    ask = (f"Rephrase the message below in {n} different ways. Preserve its meaning and intent exactly; "
           "vary the wording, length and tone as real users would. Do not answer it.\n"
           f"Reply with only a JSON array of {n} strings.\n\nMessage:\n{text}")
    return [{"role": "system", "content": PARAPHRASE_SYSTEM}, {"role": "user", "content": ask}]


def synthetic_messages(seeds: list[Example], n: int, *, goal: str | None, labels: list[str] | None,
                       kind: str) -> list[dict[str, str]]:
    shown = "\n".join(json.dumps({"input": ex.input, "output": ex.output}, ensure_ascii=False) for ex in seeds)
    lines = [f"Based on these examples, generate {n} new examples that follow the same pattern but with "
             "different inputs and appropriate outputs. Vary the complexity, length, and edge cases."]
    if goal:
        lines.append(f"The task: {goal}")
    if labels:
        lines.append("Each output must be exactly one of these labels: " + ", ".join(labels) + ".")
    elif kind == "extraction":
        lines.append("Each output must have the same form as the examples' outputs.")
    lines.append('Reply with only a JSON array of objects with the keys "input" and "output".')
    lines.append(f"\nSeed examples:\n{shown}")
    return [{"role": "system", "content": SYNTHETIC_SYSTEM}, {"role": "user", "content": "\n".join(lines)}]


def translate_messages(text: str, language: str) -> list[dict[str, str]]:
    ask = (f"Translate the message below into {language}. Keep its meaning, tone and any names or numbers. "
           f"Reply with only the translation.\n\nMessage:\n{text}")
    return [{"role": "system", "content": TRANSLATE_SYSTEM}, {"role": "user", "content": ask}]


def plain_reply(text: str) -> str:
    """A reply meant as plain text, without the code fence or quotes a model sometimes adds."""
    text = text.strip()
    if text.startswith("```") and text.endswith("```"):
        text = text.strip("`").split("\n", 1)[-1].strip() if "\n" in text else text.strip("`")
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def json_array(text: str) -> list[Any] | None:
    """The first JSON array in a reply (inside a ``` fence, or after a sentence), or None."""
    decoder = json.JSONDecoder()
    start = text.find("[")
    while start != -1:
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("[", start + 1)
            continue
        if isinstance(value, list):
            return value
        start = text.find("[", start + 1)
    return None


def read_paraphrases(reply: str) -> list[str] | None:
    items = json_array(reply)
    if items is None:
        return None
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def read_examples(reply: str) -> list[tuple[str, str]] | None:
    items = json_array(reply)
    if items is None:
        return None
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("input"), str):
            output = item.get("output")
            if isinstance(output, (dict, list)):  # a JSON task's output, given as JSON rather than as text
                output = json.dumps(output, ensure_ascii=False)
            if isinstance(output, str) and item["input"].strip() and output.strip():
                out.append((item["input"].strip(), output.strip()))
    return out


def example_order(examples: list[Example], seed: int, strategy: str) -> list[Example]:
    """The order a strategy takes training examples in: a shuffle by the seed and its name."""
    order = list(examples)
    random.Random(f"{seed}:{strategy}").shuffle(order)
    return order


def seed_examples(examples: list[Example], shots: int, seed: int, request: int) -> list[Example]:
    """The examples request number `request` shows: drawn by the seed and the number, spread over
    the categories first, so that a request does not see only the most common one."""
    rng = random.Random(f"{seed}:synthetic:{request}")
    by_category: dict[str, list[Example]] = {}
    for ex in examples:
        by_category.setdefault(ex.category or ex.output, []).append(ex)
    groups = [rng.sample(group, len(group)) for _, group in sorted(by_category.items())]
    rng.shuffle(groups)
    chosen: list[Example] = []
    while len(chosen) < min(shots, len(examples)):
        for group in groups:
            if group and len(chosen) < shots:
                chosen.append(group.pop())
    return chosen
