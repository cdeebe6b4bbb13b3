"""Training callbacks: monitoring to metrics.jsonl, progress lines for `ftspec run`."""

from __future__ import annotations

import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from ftspec.runtime.protocol import PROGRESS_PREFIX

_KEEP = {"loss": "train_loss", "eval_loss": "eval_loss", "grad_norm": "grad_norm",
         "learning_rate": "learning_rate", "epoch": "epoch"}


class MetricsLog(TrainerCallback):
    """One JSON object per logging or evaluation step: the guide's monitoring list
    (training loss, validation loss, gradient norm, learning rate, eval metrics)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def on_train_begin(self, args, state, control, **kwargs):
        # On resume, drop what was logged after the checkpoint we restart from,
        # so metrics.jsonl has each step once.
        if self.path.exists() and state.is_world_process_zero:
            kept = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    if json.loads(line).get("step", 0) <= state.global_step:
                        kept.append(line)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill
            self.path.write_text("".join(k + "\n" for k in kept), encoding="utf-8")

    def on_log(self, args, state, control, logs: dict[str, Any] | None = None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        self.record(state.global_step, logs)

    def record(self, step: int, values: dict[str, Any]) -> None:
        if "train_runtime" in values and "train_loss" in values:
            # The trainer's closing summary: its train_loss is the mean over the whole run,
            # not the loss at this step, and would read as a spike on the loss curve.
            values = {("mean_train_loss" if k == "train_loss" else k): v for k, v in values.items()}
        record: dict[str, Any] = {"step": step, "time": round(time.time(), 3)}
        for key, value in values.items():
            name = _KEEP.get(key, key)
            if isinstance(value, (int, float)) and math.isfinite(value):
                record[name] = value
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


class TaskMetrics(TrainerCallback):
    """The task's own metrics (accuracy, exact match, ...) on validation examples at every
    evaluation (guide: Training Monitoring, "Run task-specific evaluation every N steps").

    They are added to the evaluation's metrics as `eval_<name>`, so early stopping and
    best-checkpoint selection can use them, and recorded in metrics.jsonl. Must come
    before EarlyStoppingCallback in the callback list.
    """

    def __init__(self, examples, names: list[str], *, output: dict, labels: list[str] | None,
                 max_new_tokens: int, log: MetricsLog, limit: int = 64) -> None:
        self.examples = list(examples)[:limit]
        self.names, self.output, self.labels = names, output, labels
        self.max_new_tokens, self.log = max_new_tokens, log

    def on_evaluate(self, args, state, control, metrics=None, model=None, processing_class=None, **kwargs):
        from ftspec.evaluate import metrics as task_metrics
        from ftspec.runtime.generate import generate

        if metrics is None or model is None or processing_class is None or not self.examples:
            return
        side = processing_class.padding_side
        try:
            outputs = generate(model, processing_class, [ex.messages[:-1] for ex in self.examples],
                               max_new_tokens=self.max_new_tokens)
        finally:
            processing_class.padding_side = side  # training pads as it did before
        values = task_metrics.compute(self.names, outputs, [ex.output for ex in self.examples],
                                      output=self.output, labels=self.labels)
        if "eval_loss" in metrics:
            values["perplexity"] = math.exp(min(metrics["eval_loss"], 50.0))
        prefixed = {f"eval_{k}": v for k, v in values.items()}
        metrics.update(prefixed)
        if state.is_world_process_zero:
            self.log.record(state.global_step, prefixed)


class Throughput(TrainerCallback):
    """Tokens trained per second and peak memory, for training.json and metrics.jsonl.

    The clock runs from each optimizer step's start to its end only, so the evaluations and
    checkpoints between steps (which the trainer runs after `on_step_end`) do not count; on a GPU
    each step's end waits for its kernels, or the time would be that of queueing them. Tokens are
    the trainer's own count of non-padding input tokens (`include_num_input_tokens_seen`), over
    every process. Peak memory is the GPU's allocated peak on CUDA (this process's device), else
    the process's peak resident size.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.steps: list[float] = []  # each step's time: the median shows the steady state, without warm-up
        self.tokens_at_start: int | None = None
        self.started: float | None = None
        self.summary: dict[str, Any] = {}

    @staticmethod
    def _cuda():
        import torch

        return torch.cuda if torch.cuda.is_available() else None

    def on_train_begin(self, args, state, control, **kwargs):
        self.tokens_at_start = state.num_input_tokens_seen  # a resumed run counts from here
        cuda = self._cuda()
        if cuda is not None:
            cuda.reset_peak_memory_stats()

    def on_step_begin(self, args, state, control, **kwargs):
        self.started = time.perf_counter()

    def on_step_end(self, args, state, control, **kwargs):
        if self.started is None:
            return
        cuda = self._cuda()
        if cuda is not None:
            cuda.synchronize()
        took = time.perf_counter() - self.started
        self.seconds += took
        self.steps.append(took)
        self.started = None

    def on_train_end(self, args, state, control, **kwargs):
        tokens = state.num_input_tokens_seen - (self.tokens_at_start or 0)
        cuda = self._cuda()
        if cuda is not None:
            peak, kind = cuda.max_memory_allocated() / 2**30, "cuda_allocated"
        else:
            import resource
            import sys

            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
            peak, kind = rss / (2**30 if sys.platform == "darwin" else 2**20), "process_rss"
        median = statistics.median(self.steps) if self.steps else None
        self.summary = {"train_tokens": int(tokens), "train_step_seconds": round(self.seconds, 3),
                        "median_step_seconds": round(median, 4) if median is not None else None,
                        "first_step_seconds": round(self.steps[0], 3) if self.steps else None,
                        "train_tokens_per_second": round(tokens / self.seconds, 1) if self.seconds else None,
                        "peak_memory_gib": round(peak, 3), "peak_memory_kind": kind}


class Progress(TrainerCallback):
    """Machine-readable progress on stdout, one line per log step."""

    def __init__(self) -> None:
        self.start = time.time()
        self.first_step: int | None = None

    def on_log(self, args, state, control, logs: dict[str, Any] | None = None, **kwargs):
        if not state.is_world_process_zero:
            return
        if self.first_step is None:
            self.first_step = state.global_step
        done = state.global_step - self.first_step
        elapsed = time.time() - self.start
        remaining = max(state.max_steps - state.global_step, 0)
        eta = elapsed / done * remaining if done > 0 else None
        logs = logs or {}
        print(PROGRESS_PREFIX + json.dumps({
            "step": state.global_step, "max_steps": state.max_steps,
            "loss": logs.get("loss"), "eval_loss": logs.get("eval_loss"), "eta_s": eta,
        }), flush=True)


# Written by the Trainer when it saves a checkpoint; a folder without all of them
# was cut short (the run was killed while saving) and is skipped.
_CHECKPOINT_FILES = ("trainer_state.json", "optimizer.pt", "scheduler.pt")


def last_checkpoint(checkpoints: Path) -> str | None:
    """The newest complete `checkpoint-N` folder, or None."""
    root = Path(checkpoints)
    if not root.is_dir():
        return None
    found = []
    for child in root.iterdir():
        prefix, _, number = child.name.partition("-")
        if prefix == "checkpoint" and number.isdigit() and child.is_dir():
            found.append((int(number), child))
    for _, child in sorted(found, reverse=True):
        if all((child / name).exists() for name in _CHECKPOINT_FILES):
            return str(child)
    return None
