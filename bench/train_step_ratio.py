"""Per-step time of the compiled train.py against a hand-written TRL script (budget <= 1.05).

    python bench/train_step_ratio.py [--steps 40] [--repeats 3] [--hidden 256] [--layers 4]

Both train the same locally built Llama (random weights, the given size) with LoRA r=16
on q/k/v/o, batch 4 x accumulation 4, fp32 on the CPU, on the Banking77 subset in
tests/data, with no evaluation or checkpoint inside the measured steps. The compiled
script's time per step comes from the trainer's own `train_runtime` (metrics.jsonl);
the hand-written one's from timing `trainer.train()`. Runs alternate, and the median
of each side is compared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "banking77-mini"
BUDGET = 1.05


def spec_text(model: Path, steps: int) -> str:
    return f"""\
ftspec 1
task "bench" {{ kind = classification }}
data {{
  train  = csv("{MINI / 'train.csv'}", input = "text", output = "category")
  validation = 15%
  system = "Route the message to an intent."
}}
model {{ base = "{model}" }}
adapter lora {{ r = 16  alpha = 32  dropout = 0.05  targets = [q_proj, k_proj, v_proj, o_proj] }}
training {{
  learning_rate = 2e-4  batch_size = 4  grad_accum = 4  warmup = 10%  epochs = 100
  max_grad_norm = 1.0  eval_every = {steps * 10}   # no evaluation or checkpoint inside the measured steps
  early_stopping = off  # ftspec: ignore OF001 a benchmark, not a model
}}
quality {{ max_tokens = 256 }}
"""


def compiled_step(build: Path, out: Path, steps: int) -> float:
    subprocess.run([sys.executable, str(build / "train.py"), "--output", str(out), "--max-steps", str(steps)],
                   check=True, capture_output=True, text=True)
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    final = next(r for r in reversed(records) if "train_runtime" in r)
    return final["train_runtime"] / steps


def handwritten_step(model: Path, out: Path, steps: int) -> float:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "handwritten_trl.py"), str(model),
                           str(MINI / "train.csv"), str(out), str(steps)], check=True, capture_output=True, text=True)
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("STEP_SECONDS"))
    return float(line.split()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from tinymodel import build_tiny_model

    from ftspec.compile import compile_spec

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model = build_tiny_model(tmp / "model", hidden=args.hidden, layers=args.layers)
        spec = tmp / "bench.ftspec"
        spec.write_text(spec_text(model, args.steps), encoding="utf-8")
        build = compile_spec(spec, tmp / "build").path
        compiled, handwritten = [], []
        for i in range(args.repeats):
            compiled.append(compiled_step(build, tmp / f"c{i}", args.steps))
            handwritten.append(handwritten_step(model, tmp / f"h{i}", args.steps))
    c, h = statistics.median(compiled), statistics.median(handwritten)
    ratio = c / h
    print(f"model: random Llama, hidden {args.hidden}, {args.layers} layers; {args.steps} steps x {args.repeats}")
    print(f"compiled train.py:   {c * 1000:.1f} ms/step  (runs: {', '.join(f'{x * 1000:.1f}' for x in compiled)})")
    print(f"hand-written TRL:    {h * 1000:.1f} ms/step  (runs: {', '.join(f'{x * 1000:.1f}' for x in handwritten)})")
    print(f"ratio compiled / hand-written: {ratio:.3f}  (budget <= {BUDGET})")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
