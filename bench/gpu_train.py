"""Tokens/s and peak GPU memory of the compiled train.py, bf16 LoRA against QLoRA, on a GPU.

    python bench/gpu_train.py --tokenizer DIR [--steps 80] [--out DIR]

DIR holds config.json and the tokenizer of SmolLM2-135M-Instruct (the folder `ftspec models pull
smollm2-135m-instruct` makes). Two model shapes are built from it with random weights (speed and
memory do not depend on the values; quality is not measured here): the 135M model itself, and
the shape of SmolLM2-1.7B (hidden 2048, 24 layers, intermediate 8192, 32 heads), where 4-bit
weights make a visible difference. For each shape and adapter, a spec like the quickstart's
(its Banking77 data, LoRA r16 on q/k/v/o) is compiled with `ftspec compile` and its train.py run
for --steps optimizer steps; the figures are the ones train.py writes to training.json (tokens
trained per second of optimizer steps, evaluation excluded; peak GPU memory allocated). Batch:
the quickstart's 4 for the 135M shape, 32 for the larger one.

Needs a CUDA GPU and bitsandbytes; prints a table and writes gpu_train.json to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "specs" / "data" / "quickstart"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json")
SHAPES = {
    "smollm2-135m": ({}, 4),
    "smollm2-1.7b-shape": ({"hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 24,
                            "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 64}, 32),
}
ADAPTERS = {
    "bf16 LoRA": "adapter lora { r = 16  alpha = 32  targets = [q_proj, k_proj, v_proj, o_proj] }",
    "QLoRA nf4": "adapter qlora { r = 16  alpha = 32  targets = [q_proj, k_proj, v_proj, o_proj]  bits = 4 "
                 " quant_type = nf4  compute_dtype = bfloat16 }",
}


def build(tokenizer: Path, shape: dict, folder: Path) -> Path:
    """A random-weight model of the shape, saved in bf16 with the tokenizer."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.from_pretrained(tokenizer)
    for key, value in shape.items():
        setattr(config, key, value)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(folder)
    for name in TOKENIZER_FILES:
        if (tokenizer / name).exists():
            shutil.copy(tokenizer / name, folder / name)
    return folder


def spec(model: Path, adapter: str, batch: int, steps: int) -> str:
    return f"""ftspec 1
task "gpu-bench" {{ kind = classification  labels = from_data }}
data {{
  train  = csv("{DATA / 'train.csv'}", input = "text", output = "category")
  eval   = csv("{DATA / 'eval.csv'}", input = "text", output = "category")  # train.py never reads it
  validation = 15% stratified
  system = "Reply with the intent of this bank customer message."
}}
model {{ base = "{model}" }}
{adapter}
training {{
  learning_rate = 2e-4  epochs = 50  batch_size = {batch}  grad_accum = 1  warmup = 10%
  eval_every = {steps}  early_stopping = off  save_best = false
}}
eval {{ max_new_tokens = 10 }}
"""


def run(name: str, model: Path, adapter: str, batch: int, steps: int, work: Path) -> dict:
    folder = work / name.replace(" ", "-")
    folder.mkdir(parents=True)
    spec_path = folder / "bench.ftspec"
    spec_path.write_text(spec(model, adapter, batch, steps), encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    compiled = subprocess.run([sys.executable, "-m", "ftspec", "compile", str(spec_path), "-o", str(folder / "build")],
                              capture_output=True, text=True, env=env)
    if compiled.returncode != 0:
        return {"run": name, "error": f"compile failed: {compiled.stdout[-2000:]}{compiled.stderr[-2000:]}"}
    started = time.perf_counter()
    trained = subprocess.run([sys.executable, str(folder / "build" / "train.py"), "--output", str(folder / "run"),
                              "--max-steps", str(steps)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if trained.returncode != 0:  # recorded, and the other runs go on
        return {"run": name, "error": f"train.py failed: {trained.stdout[-1500:]}{trained.stderr[-3000:]}"}
    training = json.loads((folder / "run" / "training.json").read_text(encoding="utf-8"))
    return {"run": name, "batch": batch, "steps": training["global_step"], "precision": training["precision"],
            "quantized_bits": training["quantized_bits"], "tokens": training["train_tokens"],
            "step_seconds": training["train_step_seconds"], "tokens_per_second": training["train_tokens_per_second"],
            "median_step_seconds": training["median_step_seconds"],
            "first_step_seconds": training["first_step_seconds"],
            "peak_memory_gib": training["peak_memory_gib"], "peak_memory_kind": training["peak_memory_kind"],
            "process_wall_seconds": round(wall, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=80)
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--work", type=Path, default=Path("/tmp/ftspec-gpu-bench"))
    parser.add_argument("--smoke", action="store_true", help="check the bench itself on a CPU: the 135M shape only")
    parser.add_argument("--shapes", default=",".join(SHAPES), help=f"comma-separated, of: {', '.join(SHAPES)}")
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available() and not args.smoke:
        print("no CUDA GPU: this bench measures the GPU path")
        return 2
    shutil.rmtree(args.work, ignore_errors=True)
    results = []
    shapes = {name: SHAPES[name] for name in args.shapes.split(",")}
    if args.smoke:
        shapes = dict(list(SHAPES.items())[:1])
    models = {name: build(args.tokenizer, shape, args.work / "models" / name) for name, (shape, _) in shapes.items()}
    for adapter_name, adapter in ADAPTERS.items():  # bf16 first: a QLoRA failure cannot hide its figures
        for shape_name, (_, batch) in shapes.items():
            result = run(f"{shape_name} {adapter_name}", models[shape_name], adapter, batch, args.steps, args.work)
            results.append(result)
            print(json.dumps(result), flush=True)
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU (smoke)"
    print(f"\n{device}, torch {torch.__version__}, {args.steps} steps each")
    print(f"{'run':36} {'batch':>5} {'tokens/s':>10} {'median step s':>13} {'first step s':>12} {'peak GiB':>9}")
    for r in results:
        if "error" in r:
            print(f"{r['run']:36} failed: {r['error'][-300:]}")
            continue
        print(f"{r['run']:36} {r['batch']:>5} {r['tokens_per_second']:>10,.0f} {r['median_step_seconds']:>13.4f} "
              f"{r['first_step_seconds']:>12.2f} {r['peak_memory_gib']:>9.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_train.json").write_text(json.dumps({"device": device, "torch": torch.__version__,
                                                         "results": results}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
