# Compiled by ftspec 0.1.0 from knowledge.ftspec: edit the spec and recompile
# (`ftspec compile`) rather than this file. Values from the spec appear below as literals.
"""Fine-tune meta-llama/Llama-3.2-3B-Instruct for the task expense-policy (knowledge).

Run it alone with `python train.py --output DIR`, or through `ftspec run`.
Writes DIR/checkpoints/, DIR/adapter/ (the best checkpoint's adapter and the
tokenizer) and DIR/metrics.jsonl.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ftspec.data.sources import DataError
from ftspec.runtime import data, device, entry, models, schedule
from ftspec.runtime.callbacks import MetricsLog, Progress, TaskMetrics, Throughput, last_checkpoint
from ftspec.runtime.io import atomic_write_json

SPEC_DIR = Path("<ROOT>/specs/examples")  # data paths in the spec are relative to it
BASE_MODEL = "meta-llama/Llama-3.2-3B-Instruct"
REVISION = None
TRAIN_SOURCES = [{"format": "alpaca", "path": "data/policy/qa.json"}]
VALIDATION = {"fraction": 0.2, "stratified": False, "source": None}
SYSTEM_PROMPT = "You answer questions about the Acme 2026 expense policy."
TASK_METRICS = ["rouge_l", "exact_match"]  # computed on validation examples at each evaluation
OUTPUT_FORMAT = {"kind": "text", "pattern": None, "schema_path": None}
LABELS = None
PRECISION = "auto"
EVAL_EVERY = None
SEED = 42


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, required=True, help="run folder")
    parser.add_argument("--resume", action="store_true", help="continue from the last complete checkpoint")
    parser.add_argument("--max-steps", type=int, default=None, help="stop after N optimizer steps")
    parser.add_argument("--spec-dir", type=Path, default=SPEC_DIR, help="where the spec's data paths start")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch
    from peft import LoraConfig
    from transformers import EarlyStoppingCallback, PrinterCallback
    from trl import SFTConfig, SFTTrainer

    torch.manual_seed(SEED)
    try:
        train_examples, validation_examples = data.train_validation(
            TRAIN_SOURCES, VALIDATION, args.spec_dir, SYSTEM_PROMPT, SEED
        )
    except DataError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return 2
    if not validation_examples:
        print("ftspec: the validation split is empty; early stopping and best-checkpoint selection need it",
              file=sys.stderr)
        return 2
    precision = device.decide(PRECISION)
    print(f"precision: {precision.reason}", flush=True)
    processes = int(os.environ.get("WORLD_SIZE", "1"))  # set by `accelerate launch`
    every = schedule.eval_steps(
        EVAL_EVERY, len(train_examples), batch_size=4,
        grad_accum=4, epochs=3.0,
        processes=processes, max_steps=args.max_steps,
    )

    tokenizer = models.load_tokenizer(BASE_MODEL, REVISION)
    model = models.load_model(BASE_MODEL, dtype=precision.dtype, revision=REVISION)

    peft_config = LoraConfig(
        r=64,
        lora_alpha=128,
        lora_dropout=0.05,
        target_modules="all-linear",
        bias="none",
        task_type="CAUSAL_LM",
    )

    config = SFTConfig(
        output_dir=str(args.output / "checkpoints"),
        learning_rate=0.0001,
        num_train_epochs=3.0,
        max_steps=args.max_steps or -1,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=4,
        gradient_accumulation_steps=4,
        warmup_steps=0.1,  # transformers 5: a float below 1 is a ratio of all steps
        weight_decay=0.01,
        lr_scheduler_type="cosine",
        max_grad_norm=1.0,
        optim="adamw_torch",
        seed=SEED,
        # Decided, not defaulted: TRL would turn on bf16 and gradient checkpointing.
        bf16=precision.bf16,
        fp16=precision.fp16,
        use_cpu=precision.use_cpu,
        gradient_checkpointing=False,
        # Loss on the final assistant turn only: the data is in prompt-completion form.
        completion_only_loss=True,
        max_length=1024,
        eval_strategy="steps",
        eval_steps=every,
        save_strategy="steps",
        save_steps=every,
        logging_steps=max(1, every // 2),
        load_best_model_at_end=True,
        metric_for_best_model="eval_loss",
        greater_is_better=False,
        save_total_limit=2,  # the best and the latest
        report_to=[],  # metrics.jsonl is written in any case
        disable_tqdm=True,  # `ftspec run` draws its own progress line
        include_num_input_tokens_seen="non_padding",  # for tokens/s in training.json
    )

    metrics_log = MetricsLog(args.output / "metrics.jsonl")
    throughput = Throughput()
    callbacks = [metrics_log, Progress(), throughput]
    if TASK_METRICS:  # before early stopping, which may read them
        callbacks.append(TaskMetrics(
            validation_examples, TASK_METRICS, output=OUTPUT_FORMAT, labels=LABELS,
            max_new_tokens=64, log=metrics_log,
        ))
    callbacks.append(EarlyStoppingCallback(
        early_stopping_patience=2,
        early_stopping_threshold=0.0,
    ))
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=data.as_dataset(data.prompt_completion(train_examples)),
        eval_dataset=data.as_dataset(data.prompt_completion(validation_examples)),
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
    )
    trainer.remove_callback(PrinterCallback)  # metrics.jsonl and the progress lines carry the logs
    resume = last_checkpoint(args.output / "checkpoints") if args.resume else None
    if args.resume:
        print(f"resuming from {resume}" if resume else "no complete checkpoint yet: starting fresh", flush=True)
    trainer.train(resume_from_checkpoint=resume)

    if trainer.is_world_process_zero():
        trainer.save_model(str(args.output / "adapter"))
        tokenizer.save_pretrained(str(args.output / "adapter"))
        atomic_write_json(args.output / "training.json", {
            "global_step": trainer.state.global_step,
            "best_checkpoint": trainer.state.best_model_checkpoint,
            "best_metric": trainer.state.best_metric,
            "metric": "eval_loss",
            "stopped_early": trainer.state.global_step < trainer.state.max_steps,
            "train_examples": len(train_examples),
            "validation_examples": len(validation_examples),
            "precision": precision.reason,
            "quantized_bits": 4 if getattr(model, "is_loaded_in_4bit", False) else
            8 if getattr(model, "is_loaded_in_8bit", False) else None,
            **throughput.summary,
        })
        metrics_log.record(trainer.state.global_step, throughput.summary)
    return 0


if __name__ == "__main__":
    sys.exit(entry.run(main, __file__))
