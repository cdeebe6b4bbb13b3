"""Measure `ftspec.data.near_dup.near_duplicates` against its budget.

    python bench/near_dup.py [--n 50000] [--threshold 0.9] [--repeat 3]

Generates N synthetic chat-like texts (optional system prompt, a question, an
answer; Zipf-distributed pseudo-words, some punctuation; about 85 words each) and
plants near-duplicates: 2% of the texts are edited copies of an earlier text (an
exact copy, one punctuation mark, one or two words replaced, one word deleted, a
few words appended). Everything runs pinned to one CPU, rensa's thread pool included.

- examples/s: best of --repeat calls on a list of texts; budget >= 40,000/s
- peak memory: a separate call fed by a generator (no list of texts held), under
  tracemalloc (peak of traced allocations, numpy included) and ru_maxrss
- recall: share of planted pairs whose true Jaccard is >= threshold that are
  reported; budget >= 0.95. Also by Jaccard band, because MinHash estimates are
  noisy near the threshold.
- precision: reported pairs whose true Jaccard is below threshold - 0.15 (must be 0)

Exits 1 if a budget is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

BUDGET_RATE, BUDGET_RECALL = 40_000, 0.95
PLANTED_SHARE = 0.02
EDITS = ("copy", "punctuation", "one word", "two words", "delete", "append")
SYSTEM_PROMPTS = [
    "you are a helpful assistant that answers questions about our products clearly and briefly.",
    "you are a support agent for a bank. be polite and never ask for a password.",
    "answer as a friendly tutor who explains each step of the reasoning.",
    "you are a travel assistant. give short practical answers.",
    "reply in plain english and keep answers under one hundred words.",
]


class Corpus:
    """Deterministic texts with planted near-duplicate pairs (source i, edited copy j), i < j."""

    def __init__(self, n: int, seed: int):
        self.n, self.seed = n, seed
        rng = random.Random(seed)
        syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["th", "st", "er", "an", "ing"]
        vocab: set[str] = set()
        while len(vocab) < 20_000:
            vocab.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
        self.vocab = np.array(sorted(vocab))
        weights = 1.0 / (np.arange(len(self.vocab)) + 10.0)
        self.cdf = np.cumsum(weights / weights.sum())
        ends = rng.sample(range(n), 2 * int(n * PLANTED_SHARE))  # every text is in at most one planted pair
        pairs = [tuple(sorted(ends[k:k + 2])) for k in range(0, len(ends), 2)]
        self.planted = {i: (j, EDITS[k % len(EDITS)]) for k, (i, j) in enumerate(pairs)}
        self.jaccard: dict[tuple[int, int], float] = {}  # filled as texts are generated

    def texts(self) -> Iterator[str]:
        gen = np.random.default_rng(self.seed)
        rng = random.Random(self.seed + 1)
        waiting: dict[int, str] = {}
        for start in range(0, self.n, 1000):
            for i in range(start, min(start + 1000, self.n)):
                if i in waiting:
                    yield waiting.pop(i)
                    continue
                text = self._text(gen, rng)
                if i in self.planted:
                    j, edit = self.planted[i]
                    waiting[j] = copy = self._edit(text, edit, rng)
                    self.jaccard[i, j] = jaccard(text, copy)
                yield text

    def _text(self, gen: np.random.Generator, rng: random.Random) -> str:
        question = self._words(gen, gen.integers(6, 30))
        answer = self._words(gen, gen.integers(15, 120))
        for k in range(rng.randint(5, 14), len(answer), rng.randint(8, 16)):
            answer[k] += "."
        system = rng.choice(SYSTEM_PROMPTS) + " " if rng.random() < 0.4 else ""
        return f"{system}user: {' '.join(question)}? assistant: {' '.join(answer)}."

    def _words(self, gen: np.random.Generator, n: int) -> list[str]:
        picks = np.minimum(np.searchsorted(self.cdf, gen.random(n)), len(self.vocab) - 1)
        return self.vocab[picks].tolist()

    def _edit(self, text: str, edit: str, rng: random.Random) -> str:
        words = text.split()
        k = rng.randrange(len(words))
        if edit == "punctuation":
            words[k] = words[k][:-1] if words[k][-1] in ".,?!" else words[k] + rng.choice(".,?!")
        elif edit in ("one word", "two words"):
            for k in rng.sample(range(len(words)), 1 if edit == "one word" else 2):
                words[k] = str(rng.choice(self.vocab))
        elif edit == "delete":
            del words[k]
        elif edit == "append":
            words += [str(w) for w in rng.choices(self.vocab, k=rng.randint(2, 4))]
        return " ".join(words)


def shingles(text: str, k: int = 3) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i:i + k]) for i in range(max(1, len(words) - k + 1))}


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--num-perm", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verified", action="store_true",
                        help="measure near_duplicates_verified (exact Jaccard on candidates), as ftspec check runs it")
    args = parser.parse_args()

    # One core: pin the process before rensa starts its (rayon) thread pool, which sizes itself to the CPUs it may use.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    os.environ["RAYON_NUM_THREADS"] = "1"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ftspec.data.near_dup import lsh_bands, near_duplicates, near_duplicates_verified

    t = args.threshold
    corpus = Corpus(args.n, args.seed)
    # Memory first, while no list of texts exists: ru_maxrss only ever grows. tracemalloc's own
    # bookkeeping costs memory, so the RSS figure comes from a run without it.
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    streamed = near_duplicates(corpus.texts(), t, num_perm=args.num_perm)
    rss_streamed = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    near_duplicates(corpus.texts(), t, num_perm=args.num_perm)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    texts = list(corpus.texts())
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        pairs = near_duplicates(texts, t, num_perm=args.num_perm)
        times.append(time.perf_counter() - start)
    rate = args.n / min(times)
    if args.verified:
        # What `ftspec check` runs: candidates 0.1 below the threshold, then exact Jaccard.
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            pairs = near_duplicates_verified(lambda: iter(texts), t, num_perm=args.num_perm)
            times.append(time.perf_counter() - start)
        rate = args.n / min(times)
        streamed = pairs  # the streamed comparison above is of the estimate-only pass

    found = {(i, j) for i, j, _ in pairs}
    near = [p for p, jac in corpus.jaccard.items() if jac >= t]
    recall = sum(p in found for p in near) / max(1, len(near))
    true = [jaccard(texts[i], texts[j]) for i, j, _ in pairs]
    below = sum(jac < t for jac in true)
    wrong = sum(jac < t - 0.15 for jac in true)
    bands, rows = lsh_bands(t, args.num_perm)

    words = sum(len(x.split()) for x in texts) / len(texts)
    print(f"{args.n} texts, {words:.0f} words each on average; threshold {t}, {args.num_perm} permutations, "
          f"LSH {bands} bands x {rows} rows; one CPU")
    print(f"time: best {min(times):.2f} s of {args.repeat} ({', '.join(f'{x:.2f}' for x in times)})")
    print(f"throughput: {rate:,.0f} examples/s (budget >= {BUDGET_RATE:,})")
    print(f"memory: tracemalloc peak {traced_peak / 2**20:.1f} MiB "
          f"(signatures alone: {args.n * args.num_perm * 4 / 2**20:.1f} MiB); max RSS {rss_streamed / 1024:.0f} MiB "
          f"(before the call {rss_before / 1024:.0f} MiB; texts streamed, not held)")
    print(f"planted pairs: {len(corpus.jaccard)}, of which {len(near)} have true Jaccard >= {t}")
    print(f"recall (true Jaccard >= {t}): {recall:.3f} (budget >= {BUDGET_RECALL})")
    clear = [p for p, jac in corpus.jaccard.items() if jac >= t + 0.025]
    print(f"recall (true Jaccard >= {t + 0.025:.3f}, about one standard error above the threshold): "
          f"{sum(p in found for p in clear) / max(1, len(clear)):.3f}")
    edges = [t, t + 0.025, t + 0.05, 1.0 + 1e-9]
    for lo, hi in zip(edges, edges[1:], strict=False):
        band = [p for p, jac in corpus.jaccard.items() if lo <= jac < hi]
        if band:
            share = sum(p in found for p in band) / len(band)
            print(f"  true Jaccard in [{lo:.3f}, {min(hi, 1):.3f}{']' if hi > 1 else ')'}: "
                  f"{share:.3f} of {len(band)}")
    for edit in EDITS:
        kind = [p for p, (j, e) in corpus.planted.items() if e == edit]
        got = [(i, j) in found for i, (j, e) in corpus.planted.items() if e == edit]
        jac = [corpus.jaccard[i, j] for i, (j, e) in corpus.planted.items() if e == edit]
        print(f"  {edit:>11}: median true Jaccard {np.median(jac):.3f}, reported {sum(got) / len(kind):.3f}")
    below_planted = [p for p, jac in corpus.jaccard.items() if jac < t]
    print(f"planted pairs below {t} reported anyway: "
          f"{sum(p in found for p in below_planted)} of {len(below_planted)}")
    print(f"reported pairs: {len(pairs)}; true Jaccard < {t}: {below}; < {t - 0.15:.2f}: {wrong} (must be 0)")
    print(f"deterministic (streamed run == list run): {streamed == pairs}")

    ok = rate >= BUDGET_RATE and recall >= BUDGET_RECALL and wrong == 0 and streamed == pairs
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
