"""Eval generation: batched (left padding, length-sorted) vs one example at a time (budget >= 5x).

    python bench/eval_generation.py [--model DIR] [--n 64] [--batch-size 16] [--max-new-tokens 16]

Both sides call ftspec.runtime.generate.generate, the function the compiled eval.py uses,
with the same greedy decoding on the same eval conversations (Banking77 messages from
tests/data with a system prompt); one-at-a-time is batch size 1. Without --model a small
Llama is built locally (random weights, 4 layers, hidden 256); pass a real model folder
(e.g. SmolLM2-135M-Instruct saved as safetensors) for a representative figure. Prints
examples/s of each side, the ratio, and how many outputs agree between the two (padding
can change a greedy choice where two tokens are nearly tied).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "banking77-mini"
BUDGET = 5.0


def conversations(n: int) -> list[list[dict[str, str]]]:
    rows = []
    for name in ("test.csv", "train.csv"):
        with (MINI / name).open(encoding="utf-8", newline="") as f:
            rows += [r["text"] for r in csv.DictReader(f)]
    system = "You route bank customer messages to one intent: card_arrival, lost_or_stolen_card or top_up_failed."
    return [[{"role": "system", "content": system}, {"role": "user", "content": text}] for text in rows[:n]]


def timed(fn, repeats: int) -> tuple[float, list[str]]:
    times, out = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="a model folder (default: build a small one)")
    parser.add_argument("--n", type=int, default=64, help="eval examples")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side; the median counts")
    args = parser.parse_args()

    import torch

    sys.path.insert(0, str(ROOT / "tests"))
    from ftspec.runtime.generate import generate
    from ftspec.runtime.models import load_model, load_tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model
        if model_dir is None:
            from tinymodel import build_tiny_model

            model_dir = build_tiny_model(Path(tmp) / "model", hidden=256, layers=4)
        tokenizer = load_tokenizer(str(model_dir))
        model = load_model(str(model_dir), dtype="float32")
        convs = conversations(args.n)
        generate(model, tokenizer, convs[:4], max_new_tokens=4)  # warm up

        def one_at_a_time():
            return generate(model, tokenizer, convs, max_new_tokens=args.max_new_tokens, batch_size=1)

        def batched():
            return generate(model, tokenizer, convs, max_new_tokens=args.max_new_tokens, batch_size=args.batch_size)

        single_s, single = timed(one_at_a_time, args.repeats)
        batch_s, batch = timed(batched, args.repeats)
    agree = sum(a == b for a, b in zip(single, batch, strict=True))
    ratio = single_s / batch_s
    print(f"model: {args.model or 'local Llama, 4 layers, hidden 256, random weights'}; {len(convs)} examples, "
          f"greedy, max_new_tokens {args.max_new_tokens}, {torch.get_num_threads()} threads")
    print(f"one at a time: {len(convs) / single_s:8.2f} examples/s ({single_s:.2f} s)")
    print(f"batched ({args.batch_size}): {len(convs) / batch_s:8.2f} examples/s ({batch_s:.2f} s)")
    print(f"ratio: {ratio:.1f}x (budget >= {BUDGET:g}x): {'met' if ratio >= BUDGET else 'NOT met'}")
    print(f"outputs identical in both: {agree}/{len(convs)}")
    return 0 if ratio >= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
