"""The quickstart's wall time against its budget (DESIGN.md section 8: <= 10 minutes on a 2-core CPU).

    python bench/quickstart.py [--models-dir DIR] [--fresh]

Runs `ftspec run specs/quickstart.ftspec` as a user does (a new process, the default
decoding and training settings), into a temporary run folder, and prints the wall time
of the whole command, the pull (with --fresh: into an empty model cache, so download and
conversion are counted), training and evaluation as `ftspec run` reports them, and the
ladder from results.json. Exit 1 when the budget is missed or acceptance fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "quickstart.ftspec"
BUDGET_S = 600


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="the model cache to use (default: ftspec's own, ~/.cache/ftspec/models)")
    parser.add_argument("--fresh", action="store_true", help="pull into an empty model cache, counting the pull")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        if args.fresh:
            env["FTSPEC_MODELS_DIR"] = str(Path(tmp) / "models")
        elif args.models_dir:
            env["FTSPEC_MODELS_DIR"] = str(args.models_dir)
        run = Path(tmp) / "run"
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "ftspec", "run", str(SPEC), "--output", str(run),
                               "--build", str(Path(tmp) / "build")], capture_output=True, text=True, env=env)
        wall = time.perf_counter() - started
        if not (run / "results.json").is_file():
            print(proc.stderr[-3000:], file=sys.stderr)
            print(f"the run failed (exit {proc.returncode})", file=sys.stderr)
            return 1
        results = json.loads((run / "results.json").read_text(encoding="utf-8"))
    pulled = re.search(r"pulled \S+ into .* \((\d+) MB, (\d+) s\)", proc.stderr)
    stages = re.search(r"done in (\d+) s \(train (\d+) s, eval (\d+) s\)", proc.stderr)
    print(f"ftspec run specs/quickstart.ftspec: {wall:.0f} s wall (budget {BUDGET_S} s)")
    if pulled:
        print(f"  pull: {pulled.group(2)} s ({pulled.group(1)} MB)")
    if stages:
        print(f"  train {stages.group(2)} s, eval {stages.group(3)} s")
    for rung, data in results["rungs"].items():
        print(f"  {rung}: " + ", ".join(f"{k} {v:.3f}" for k, v in data["metrics"].items()))
    for verdict in results["acceptance"]:
        print(f"  accept {verdict['criterion']}: {'pass' if verdict['passed'] else 'FAIL'} "
              f"(value {verdict['value']:.3f}, threshold {verdict['threshold']:.3f})")
    ok = wall <= BUDGET_S and results["passed"]
    print("budget met, acceptance passed" if ok else "BUDGET MISSED or acceptance failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
