"""Measure `ftspec lint` latency against the budgets of DESIGN.md section 8.

    python bench/lint_latency.py [--runs 20]

- one spec, cold process (a new Python process per run, as pre-commit runs it): budget 0.3 s
- 100 specs in one call: budget 1 s
- also: the first run after install, when Lark has not yet cached its parse
  tables (a fresh TMPDIR), and in-process throughput.

Prints the figures (median and 90th percentile of wall time) and exits 1 if a
budget is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.ftspec"))
BUDGET_ONE, BUDGET_HUNDRED = 0.3, 1.0


def _ftspec() -> list[str]:
    exe = shutil.which("ftspec", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "ftspec"]


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return elapsed


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    cmd = _ftspec()
    one = [*cmd, "lint", str(EXAMPLES[0])]

    with tempfile.TemporaryDirectory() as tmp:
        # 100 specs beside the examples' data, so each one's data rules run (from the cache,
        # as in pre-commit once the data has been checked once)
        folder = Path(tmp) / "specs"
        shutil.copytree(ROOT / "specs" / "examples", folder, ignore=shutil.ignore_patterns("*.ftspec"))
        for i in range(100):
            src = EXAMPLES[i % len(EXAMPLES)]
            (folder / f"{i:03d}-{src.name}").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        hundred = [*cmd, "lint", str(folder)]

        fresh_tmp = Path(tmp) / "fresh-tmpdir"
        cold_cache = []
        for i in range(3):
            d = fresh_tmp / str(i)
            d.mkdir(parents=True)
            cold_cache.append(timed(one, env={**os.environ, "TMPDIR": str(d)}))

        timed(one)  # make sure the parser cache exists
        one_samples = [timed(one) for _ in range(args.runs)]
        hundred_samples = [timed(hundred) for _ in range(max(5, args.runs // 4))]

    sys.path.insert(0, str(ROOT))
    from ftspec.lint import lint_text

    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    lint_text(texts[0], "warm.ftspec")
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < 2.0:
        lint_text(texts[n % len(texts)], "x.ftspec")
        n += 1
    per_spec_ms = (time.perf_counter() - start) / n * 1000

    med1, p90_1 = summary(one_samples)
    med100, p90_100 = summary(hundred_samples)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, command: {' '.join(cmd)} lint")
    print(f"lint 1 spec, cold process:       median {med1:.3f} s  p90 {p90_1:.3f} s  "
          f"(budget {BUDGET_ONE} s, {len(one_samples)} runs)")
    print(f"lint 100 specs, one call:        median {med100:.3f} s  p90 {p90_100:.3f} s  "
          f"(budget {BUDGET_HUNDRED} s, {len(hundred_samples)} runs)")
    print(f"lint 1 spec, first run ever:     median {statistics.median(cold_cache):.3f} s  "
          "(parser tables not yet cached; once per install)")
    print(f"in-process lint_text:            {per_spec_ms:.2f} ms per spec ({n} specs in 2 s)")
    ok = p90_1 <= BUDGET_ONE and p90_100 <= BUDGET_HUNDRED
    print("budgets met (p90)" if ok else "BUDGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
