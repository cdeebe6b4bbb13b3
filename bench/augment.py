"""How long `ftspec augment` takes around the model: indexing the spec's data, and screening
and queueing each candidate.

    python bench/augment.py [--candidates 5000]

Uses the whole Banking77 set in ../shared/data/banking77 (10,003 training and 3,080 eval
messages) and a template group that makes --candidates candidates: building the screen (every
training and eval input indexed, as `ftspec augment` does before the first candidate), then
screening each candidate and appending it to a queue on disk (each fsync'ed before the next, as
`ftspec augment` does). Prints seconds and candidates per second. No budget in
DESIGN.md covers augmentation; the figure says the checks cost nothing next to a person's review
(seconds per candidate) or an endpoint round trip.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "banking77"

SPEC = """ftspec 1
task "banking77" {{ kind = classification  labels = from_data }}
data {{
  train = csv("{data}/train.csv", input = "text", output = "category")
  eval  = csv("{data}/test.csv", input = "text", output = "category")
}}
model {{ base = "x" }}
augment {{
  into = "augmented.jsonl"
  template {{
    g {{
      inputs = ["{{a}} my {{b}} {{c}} {{d}}"]
      output = "card_arrival"
      fill {{
        a = [{a}]
        b = ["card", "new card", "debit card", "replacement card", "virtual card", "visa card", "card pin",
             "top up", "transfer", "refund"]
        c = ["has not arrived", "is late", "was declined", "is blocked", "is missing", "is wrong",
             "was charged twice", "is pending", "failed", "disappeared"]
        d = ["today", "yesterday", "last week", "again", "twice", "this morning", "since Monday",
             "after the update", "abroad", "at the ATM"]
      }}
      count = {count}
    }}
  }}
}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"no Banking77 data at {DATA}")
        return 2
    from ftspec.augment import queue as q
    from ftspec.augment.make import templates
    from ftspec.augment.screen import Screen
    from ftspec.compile.build import load_spec

    openers = ["why", "when", "help", "hello", "please check", "urgent", "question", "hi team", "so", "ok"]
    work = Path(tempfile.mkdtemp(prefix="ftspec-bench-augment-"))
    try:
        spec_path = work / "b.ftspec"
        spec_path.write_text(SPEC.format(data=DATA, count=args.candidates,
                                         a=", ".join(f'"{o}"' for o in openers)), encoding="utf-8")
        spec = load_spec(spec_path, rules=False)
        start = time.perf_counter()
        screen = Screen(spec, work, into=work / "augmented.jsonl")
        indexed = time.perf_counter() - start
        queue = q.create(work / "augmented.review", {"queue": "b-augment", "spec": str(spec_path),
                                                     "into": "augmented.jsonl", "task": {"name": "banking77"}})
        start = time.perf_counter()
        tally = templates(spec, screen, queue)
        screened = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"index the data (10,003 train + 3,080 eval inputs): {indexed:.2f} s")
    print(f"make, screen and queue {tally.made} candidates: {screened:.2f} s "
          f"({tally.made / screened:,.0f} candidates/s; {tally.queued} queued, "
          f"{sum(tally.refused.values())} refused)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
