"""Throughput and memory of the data checks against DESIGN.md section 8.

    python bench/data_checks.py [--n 200000] [--near]

Writes N synthetic chat examples (JSONL, ~40 words of user text each, 20 intents, 1%
planted duplicates, a 500-example eval set with 0.5% of train copied from it), then times
the cheap checks (format, statistics, exact duplicates, contamination, conflicts, counts,
balance, label compliance: `check_spec(near=False)`), and with --near the near-duplicate
pass too. Prints examples/s (median of 3 runs) and peak memory (tracemalloc peak of Python allocations, and
the process's max RSS). Budget: cheap checks >= 150,000 examples/s on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("card account transfer payment refund fee balance top up pending declined exchange rate cash "
         "withdrawal statement app pin blocked lost stolen arrive delivery limit verify identity charge "
         "twice wrong amount currency direct debit contactless virtual physical cancel change address "
         "open close savings interest loan mortgage branch phone email password login please help why "
         "when how long still not yet today yesterday week month again").split()
BUDGET = 150_000


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "?"


def write_data(folder: Path, n: int) -> None:
    rng = random.Random(0)
    labels = [f"intent_{i:02d}" for i in range(20)]
    eval_rows = [(sentence(rng, 40), rng.choice(labels)) for _ in range(500)]
    with (folder / "eval.jsonl").open("w", encoding="utf-8") as f:
        for text, label in eval_rows:
            f.write(json.dumps({"messages": [{"role": "user", "content": text},
                                             {"role": "assistant", "content": label}]}) + "\n")
    recent: list[str] = []
    with (folder / "train.jsonl").open("w", encoding="utf-8") as f:
        for _ in range(n):
            roll = rng.random()
            if roll < 0.01 and recent:
                line = rng.choice(recent)  # planted exact duplicate
            else:
                text, label = (rng.choice(eval_rows) if roll < 0.015 else (sentence(rng, 40), rng.choice(labels)))
                line = json.dumps({"messages": [{"role": "system", "content": "Route the message."},
                                                {"role": "user", "content": text},
                                                {"role": "assistant", "content": label}]})
                if len(recent) < 1000:
                    recent.append(line)
            f.write(line + "\n")
    labels_text = ", ".join(f'"{x}"' for x in labels)
    (folder / "bench.ftspec").write_text(f"""\
ftspec 1
task "bench" {{ kind = classification  labels = [{labels_text}] }}
data {{ train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }}
model {{ base = "m" }}
""", encoding="utf-8")


def measure(spec, folder: Path, near: bool) -> tuple[float, int, dict]:
    from ftspec.data.checks import check_spec

    tracemalloc.start()
    start = time.perf_counter()
    report = check_spec(spec, folder, near=near)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--near", action="store_true", help="also time the near-duplicate pass")
    args = parser.parse_args()
    from ftspec.compile.build import load_spec

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_data(folder, args.n)
        size = (folder / "train.jsonl").stat().st_size
        spec = load_spec(folder / "bench.ftspec", rules=False)  # a synthetic spec: the data checks are measured
        measure(spec, folder, near=False)  # warm the page cache: the bench measures the checks, not the disk
        # tracemalloc slows allocation-heavy code: time without it (median of 3), measure memory once with it
        from ftspec.data.checks import check_spec

        times = []
        for _ in range(3):
            start = time.perf_counter()
            report = check_spec(spec, folder, near=False)
            times.append(time.perf_counter() - start)
        cheap_s = statistics.median(times)
        _, cheap_peak, _ = measure(spec, folder, near=False)
        rate = args.n / cheap_s
        print(f"{args.n:,} examples, {size / 1e6:.0f} MB of JSONL; duplicates {report['duplicates']['count']:,}, "
              f"contamination {report['contamination']['count']:,}")
        print(f"cheap checks: {cheap_s:.2f} s (median of 3) = {rate:,.0f} examples/s (budget >= {BUDGET:,}); "
              f"peak Python memory {cheap_peak / 1e6:.0f} MB")
        if args.near:
            start = time.perf_counter()
            near_report = check_spec(spec, folder, near=True)
            total = time.perf_counter() - start
            near_s = total - cheap_s
            print(f"near duplicates: +{near_s:.2f} s = {args.n / near_s:,.0f} examples/s (budget >= 40,000); "
                  f"{near_report['near_duplicates']['count']:,} pairs")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of the process: {rss:.0f} MB")
    return 0 if rate >= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
