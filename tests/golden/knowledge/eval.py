# Compiled by ftspec 0.1.0 from knowledge.ftspec: edit the spec and recompile
# (`ftspec compile`) rather than this file. Values from the spec appear below as literals.
"""Evaluate the fine-tuned adapter for expense-policy on the held-out eval set.

Run it alone with `python eval.py --output DIR` after train.py, or through
`ftspec run`. Writes DIR/results.json; exits 1 if an acceptance criterion fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ftspec.data.sources import DataError
from ftspec.evaluate import acceptance, metrics
from ftspec.runtime import data, device, models
from ftspec.runtime.generate import generate
from ftspec.runtime.io import atomic_write_json

SPEC_DIR = Path("<ROOT>/specs/examples")
BASE_MODEL = "meta-llama/Llama-3.2-3B-Instruct"
REVISION = None
EVAL_SOURCES = [{"format": "alpaca", "path": "data/policy/eval.json"}]
SYSTEM_PROMPT = "You answer questions about the Acme 2026 expense policy."
TASK = {
    "name": "expense-policy",
    "kind": "knowledge",
    "labels": None,
    "output": {"kind": "text", "pattern": None, "schema_path": None},
}
METRICS = ["rouge_l", "exact_match"]
MAX_NEW_TOKENS = 64
RUNGS = ["base"]
CRITERIA = [
    {
        "text": "fine_tuned.rouge_l >= prompted_base.rouge_l + 0.10",
        "left": [{"sign": 1, "rung": "fine_tuned", "metric": "rouge_l", "number": None}],
        "op": ">=",
        "right": [
            {"sign": 1, "rung": "prompted_base", "metric": "rouge_l", "number": None},
            {"sign": 1, "rung": None, "metric": None, "number": 0.1},
        ],
    },
]
PRECISION = "auto"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="run folder holding adapter/")
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR, help="where the spec's data paths start")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N examples")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from peft import PeftModel

    if not EVAL_SOURCES:
        print("ftspec: the spec names no eval data (`data { eval = ... }`): nothing to evaluate", file=sys.stderr)
        return 2
    try:
        examples = data.load(EVAL_SOURCES, args.spec_dir, SYSTEM_PROMPT)[: args.limit]
    except DataError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return 2
    conversations = [ex.messages[:-1] for ex in examples]
    references = [ex.output for ex in examples]
    precision = device.decide(PRECISION)
    tokenizer = models.load_tokenizer(BASE_MODEL, REVISION)
    model = models.load_model(BASE_MODEL, dtype=precision.dtype, revision=REVISION)

    rungs = {}
    predictions = {}
    for rung in RUNGS + ["fine_tuned"]:
        if rung == "fine_tuned":
            model = PeftModel.from_pretrained(model, str(args.output / "adapter"))
        outputs = generate(model, tokenizer, conversations, max_new_tokens=MAX_NEW_TOKENS)
        predictions[rung] = outputs
        rungs[rung] = {
            "metrics": metrics.compute(METRICS, outputs, references, output=TASK["output"], labels=TASK["labels"]),
            "examples": len(examples),
        }
        print(f"{rung}: " + ", ".join(f"{k} {v:.3f}" for k, v in rungs[rung]["metrics"].items()), flush=True)

    verdicts = acceptance.evaluate(CRITERIA, rungs)
    measured = [v for v in verdicts if v["passed"] is not None]
    results = {
        "spec": {"name": TASK["name"]},
        "rungs": rungs,
        "acceptance": verdicts,
        "passed": all(v["passed"] for v in measured),
        "samples": [
            {"input": c[-1]["content"], "reference": r, **{rung: predictions[rung][i] for rung in predictions}}
            for i, (c, r) in enumerate(zip(conversations[:20], references[:20], strict=True))
        ],
    }
    atomic_write_json(args.output / "results.json", results)
    for v in verdicts:
        state = "not measured" if v["passed"] is None else "pass" if v["passed"] else "FAIL"
        print(f"accept {v['criterion']}: {state}", flush=True)
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
