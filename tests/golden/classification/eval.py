# Compiled by ftspec 0.1.0 from classification.ftspec: edit the spec and recompile
# (`ftspec compile`) rather than this file. Values from the spec appear below as literals.
"""Evaluate banking-intents on the held-out eval set: the comparison ladder.

Every rung answers the same eval conversations with the same decoding (greedy,
batched, at most MAX_NEW_TOKENS new tokens) and is scored with the same metrics;
the spec's acceptance criteria decide the exit code.

Run it alone with `python eval.py --output DIR` after train.py, or through
`ftspec run`; `--rungs base,prompted_base` measures the baseline before any
training (`ftspec baseline`). Writes DIR/results.json, DIR/predictions.jsonl and
DIR/report.html. Exit codes: 0 accepted, 1 an acceptance criterion failed,
2 the evaluation could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ftspec.data.sources import DataError
from ftspec.evaluate import baseline, report, shots
from ftspec.evaluate.endpoint import ChatEndpoint, EndpointError, api_key
from ftspec.evaluate.ladder import Ladder, eval_set_sha256, write_run_files
from ftspec.runtime import data, device, entry, models
from ftspec.runtime.generate import generate
from ftspec.runtime.loss import perplexity, reply_loss
from ftspec.runtime.protocol import PROGRESS_PREFIX

SPEC = {
    "name": "banking-intents",
    "file": "classification.ftspec",
    "sha256": "3c33a4b615ec72687384dc07a0f2c06d316cd156d793e941f239511e8a57d57b",
}
# Data paths in the spec are relative to its folder.
SPEC_DIR = Path("<ROOT>/specs/examples")
BASE_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
REVISION = None
EVAL_SOURCES = [{"format": "jsonl", "path": "data/banking/eval.jsonl"}]
# The prompted base's shots are drawn from the training split, never from eval.
TRAIN_SOURCES = [{"format": "jsonl", "path": "data/banking/train.jsonl"}]
VALIDATION = {"fraction": 0.15, "stratified": True, "source": None}
SYSTEM_PROMPT = "You route bank customer messages to an intent."
TASK = {
    "kind": "classification",
    "labels": [
        "card_arrival",
        "lost_or_stolen_card",
        "top_up_failed",
        "exchange_rate",
        "pin_blocked",
        "refund_not_showing_up",
    ],
    "output": {"kind": "label", "pattern": None, "schema_path": None},
}
METRICS = ["accuracy", "macro_f1", "format_compliance"]
RUNGS = {"base": {"shots": 0}, "prompted_base": {"shots": 5}, "fine_tuned": {}}
DECODING = {"strategy": "greedy", "max_new_tokens": 64, "batch_size": 16}
CRITERIA = [
    {
        "text": "fine_tuned.accuracy >= prompted_base.accuracy + 0.10",
        "left": [{"sign": 1, "rung": "fine_tuned", "metric": "accuracy", "number": None}],
        "op": ">=",
        "right": [
            {"sign": 1, "rung": "prompted_base", "metric": "accuracy", "number": None},
            {"sign": 1, "rung": None, "metric": None, "number": 0.1},
        ],
    },
    {
        "text": "fine_tuned.format_compliance >= 0.99",
        "left": [{"sign": 1, "rung": "fine_tuned", "metric": "format_compliance", "number": None}],
        "op": ">=",
        "right": [{"sign": 1, "rung": None, "metric": None, "number": 0.99}],
    },
]
PRECISION = "auto"
SEED = 42


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="run folder (holding adapter/ for fine_tuned)")
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR, help="where the spec's data paths start")
    parser.add_argument("--rungs", default=",".join(RUNGS), help="comma-separated rungs to measure (default: all)")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="an `ftspec baseline` record: reuse its base and prompted_base outputs if it "
                        "still matches the spec and data")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N examples")
    return parser.parse_args(argv)


def progress(label: str):
    started = time.time()

    def report_progress(done: int, total: int) -> None:
        eta = (time.time() - started) / done * (total - done) if done else None
        print(PROGRESS_PREFIX + json.dumps({"label": label, "step": done, "max_steps": total, "eta_s": eta}),
              flush=True)

    return report_progress


def baseline_inputs(spec_dir: Path) -> dict:
    shots_n = RUNGS.get("prompted_base", {}).get("shots")
    return baseline.inputs(model=BASE_MODEL, revision=REVISION, eval_sources=EVAL_SOURCES,
                           train_sources=TRAIN_SOURCES, system=SYSTEM_PROMPT, shots=shots_n,
                           max_new_tokens=DECODING["max_new_tokens"], spec_dir=spec_dir, labels=TASK["labels"],
                           base_shots=RUNGS.get("base", {}).get("shots"), seed=SEED, split=VALIDATION,
                           quantized=None)


def reusable(path: Path | None, spec_dir: Path, eval_sha256: str) -> dict:
    """The rungs' outputs in a baseline record that still holds, by rung; {} otherwise."""
    if path is None or not path.is_file():
        return {}
    record, problem = baseline.read_record(path)
    reasons = [problem] if problem else baseline.stale_reasons(record, baseline_inputs(spec_dir),
                                                               eval_sha256=eval_sha256)
    if reasons:
        print(f"not reusing {path.name}: " + "; ".join(reasons), flush=True)
        return {}
    return {"record": record, "outputs": record["outputs"]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    asked_for = [name.strip() for name in args.rungs.split(",") if name.strip()]
    unknown = [name for name in asked_for if name not in RUNGS]
    if unknown or not asked_for:
        print(f"ftspec: --rungs {args.rungs!r}: this spec's rungs are " + ", ".join(RUNGS), file=sys.stderr)
        return 2
    if args.limit is not None and args.limit < 1:
        print(f"ftspec: --limit {args.limit}: expected at least 1", file=sys.stderr)
        return 2
    wanted = [r for r in RUNGS if r in asked_for]
    kind = "run" if "fine_tuned" in wanted else "baseline"
    if not EVAL_SOURCES:
        print("ftspec: the spec names no eval data (`data { eval = ... }`): nothing to evaluate", file=sys.stderr)
        return 2
    larger = RUNGS.get("larger") if "larger" in wanted else None
    try:
        # Before any generation: a missing key must not cost the other rungs' time.
        key = api_key(larger["api_key_env"]) if larger and larger["endpoint"] else None
    except EndpointError as exc:
        print(f"ftspec: larger rung: {exc}", file=sys.stderr)
        return 2
    try:
        examples = data.load(EVAL_SOURCES, args.spec_dir, SYSTEM_PROMPT)[: args.limit]
        # Shots come from the task's own training split; general-purpose data is trained on
        # (and counts for regurgitation) but is never shown as an example of the task.
        training, _ = data.train_validation(TRAIN_SOURCES, VALIDATION, args.spec_dir, SYSTEM_PROMPT, SEED)
        general = []
    except DataError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return 2
    conversations = [ex.messages[:-1] for ex in examples]
    references = [ex.output for ex in examples]
    ladder = Ladder(task=TASK, metric_names=METRICS, conversations=conversations, references=references)
    reuse = reusable(args.baseline, args.spec_dir, eval_set_sha256(conversations, references))

    precision = device.decide(PRECISION)
    tokenizer = models.load_tokenizer(BASE_MODEL, REVISION)
    model = models.load_model(BASE_MODEL, dtype=precision.dtype, revision=REVISION)

    def losses(m, tok) -> dict:
        loss = reply_loss(m, tok, conversations, references)
        return {"eval_loss": loss, "perplexity": perplexity(loss)}

    for rung in wanted:
        settings = RUNGS[rung]
        started = time.time()
        if rung in ("base", "prompted_base"):
            shown = shots.choose(training, settings["shots"], seed=SEED, avoid_inputs=[ex.input for ex in examples])
            # The prompted base is told the labels too (for classification): a fair prompt.
            labels = TASK["labels"] if rung == "prompted_base" else None
            asked = [shots.prompted(c, shots.turns(shown), labels) for c in conversations]
            if rung in reuse.get("outputs", {}):
                outputs, source = reuse["outputs"][rung], "baseline"
            else:
                outputs = generate(model, tokenizer, asked, max_new_tokens=DECODING["max_new_tokens"],
                                   batch_size=DECODING["batch_size"], progress=progress(f"eval {rung}"))
                source = "measured"
            measured = losses(model, tokenizer) if rung == "base" else None
            same = "the base model's weights: its loss is the base rung's"
            unavailable = None if rung == "base" else {"eval_loss": same, "perplexity": same}
            ladder.add(rung, outputs, seconds=time.time() - started, losses=measured, unavailable=unavailable,
                       model=BASE_MODEL, shots=len(shown), source=source)
        elif rung == "larger" and settings["endpoint"]:
            try:
                client = ChatEndpoint(settings["endpoint"], settings["model"], key=key,
                                      concurrency=DECODING["batch_size"])
                outputs = client.generate(conversations, max_new_tokens=DECODING["max_new_tokens"],
                                          progress=progress("eval larger"))
            except EndpointError as exc:
                print(f"ftspec: larger rung: {exc}", file=sys.stderr)
                return 2
            no_probs = "an endpoint gives no token probabilities"
            ladder.add(rung, outputs, seconds=time.time() - started, model=settings["model"],
                       endpoint=settings["endpoint"], shots=0, source="measured",
                       unavailable={"eval_loss": no_probs, "perplexity": no_probs})
        elif rung == "larger":
            larger_tokenizer = models.load_tokenizer(settings["model"])
            larger = models.load_model(settings["model"], dtype=precision.dtype)
            outputs = generate(larger, larger_tokenizer, conversations, max_new_tokens=DECODING["max_new_tokens"],
                               batch_size=DECODING["batch_size"], progress=progress("eval larger"))
            ladder.add(rung, outputs, seconds=time.time() - started, losses=losses(larger, larger_tokenizer),
                       model=settings["model"], shots=0, source="measured")
            del larger
        else:  # fine_tuned
            from peft import PeftModel

            tuned = PeftModel.from_pretrained(model, str(args.output / "adapter"))
            outputs = generate(tuned, tokenizer, conversations, max_new_tokens=DECODING["max_new_tokens"],
                               batch_size=DECODING["batch_size"], progress=progress("eval fine_tuned"))
            ladder.add(rung, outputs, seconds=time.time() - started, losses=losses(tuned, tokenizer),
                       model=BASE_MODEL, adapter=str(args.output / "adapter"), shots=0, source="measured")
        print(ladder.line(rung), flush=True)

    records = report.read_records(args.output / "metrics.jsonl")  # skips a line cut by a killed run
    training_summary = None
    if (args.output / "training.json").is_file():
        training_summary = json.loads((args.output / "training.json").read_text(encoding="utf-8"))
    results = ladder.results(
        kind=kind, spec=SPEC, decoding=DECODING, criteria=CRITERIA if kind == "run" else [], limit=args.limit,
        training=training_summary, records=records, train_outputs=[ex.output for ex in training + general],
        baseline={"file": str(args.baseline), "created": reuse["record"].get("created", "")} if reuse else None,
    )
    if kind == "baseline":
        results["inputs"] = baseline_inputs(args.spec_dir)
        results["outputs"] = ladder.outputs
    write_run_files(args.output, results, ladder.predictions())
    report.write(args.output)
    for signal in results["overfitting"]:
        print(f"overfitting: {signal['message']}", flush=True)
    for verdict in results["acceptance"]:
        state = ("pending " + verdict["pending"]) if verdict.get("pending") else \
            "not measured" if verdict["passed"] is None else "pass" if verdict["passed"] else "FAIL"
        print(f"accept {verdict['criterion']}: {state} (value {verdict['value']}, threshold {verdict['threshold']})",
              flush=True)
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(entry.run(main, __file__))
