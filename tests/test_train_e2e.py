"""`ftspec compile && ftspec run` for real: a tiny local model trained on real Banking77
messages, early stopping, best checkpoint, resume after SIGKILL, two processes."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="the training stack is installed by the README's test command")

from tinymodel import build_tiny_model  # noqa: E402

MINI = Path(__file__).parent / "data" / "banking77-mini"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model")


def write_spec(folder: Path, model: Path, training: str, extra: str = "") -> Path:
    spec = folder / "mini.ftspec"
    spec.write_text(f"""\
ftspec 1
task "mini-intents" {{
  kind   = classification
  labels = ["card_arrival", "lost_or_stolen_card", "top_up_failed"]
}}
data {{
  train      = csv("{MINI / 'train.csv'}", input = "text", output = "category")
  eval       = csv("{MINI / 'test.csv'}", input = "text", output = "category")
  validation = 15% stratified
  system     = "Route the message to an intent."
}}
model {{ base = "{model}" }}
adapter lora {{ r = 8  targets = [q_proj, v_proj] }}
training {{ {training} }}
eval {{ max_new_tokens = 6  accept fine_tuned.format_compliance >= 0 }}
{extra}""", encoding="utf-8")
    return spec


def ftspec(*args: str, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ftspec", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def metrics(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def test_run_trains_stops_early_and_keeps_the_best_checkpoint(tmp_path, tiny_model):
    # A learning rate far too high for a constant schedule: validation loss bottoms out and
    # turns up, so early stopping ends the run and the best checkpoint is not the last.
    spec = write_spec(tmp_path, tiny_model, "learning_rate = 0.3  scheduler = constant  warmup = 0  epochs = 5 "
                      " batch_size = 8  grad_accum = 1  eval_every = 2  early_stopping { patience = 2 }")
    compiled = ftspec("compile", str(spec), cwd=tmp_path)
    assert compiled.returncode == 0, compiled.stderr
    proc = ftspec("run", str(spec), "--output", "runs/one", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "runs" / "one"
    training = json.loads((run / "training.json").read_text())
    last_step = training["global_step"]
    best_step = int(Path(training["best_checkpoint"]).name.split("-")[1])
    assert training["stopped_early"] is True and last_step < 5 * 13
    assert best_step < last_step
    assert "stopped early" in proc.stderr and "train [" in proc.stderr
    # Speed and memory: tokens counted by the trainer, timed over the steps alone (no evaluation).
    assert training["train_tokens"] > last_step * 8 * 5  # batches of 8 examples of more than 5 tokens
    assert 0 < training["train_step_seconds"] and training["train_tokens_per_second"] == pytest.approx(
        training["train_tokens"] / training["train_step_seconds"], rel=0.01)
    assert training["peak_memory_kind"] == "process_rss" and 0.1 < training["peak_memory_gib"] < 20
    assert 0 < training["median_step_seconds"] <= training["train_step_seconds"]
    assert 0 < training["first_step_seconds"] <= training["train_step_seconds"]
    assert f"speed: {training['train_tokens']:,} tokens in" in proc.stderr and "peak process memory" in proc.stderr

    records = metrics(run)
    assert any("train_loss" in r and "grad_norm" in r and "learning_rate" in r for r in records)
    evals = {r["step"]: r["eval_loss"] for r in records if "eval_loss" in r}
    assert list(evals) == list(range(2, last_step + 1, 2))
    assert evals[best_step] == min(evals.values()) == training["best_metric"]
    # patience 2: the two evaluations after the best did not improve on it
    assert sorted(evals)[-3] == best_step

    # The saved adapter is the best checkpoint's, not the last one's.
    from safetensors.torch import load_file

    saved = load_file(run / "adapter" / "adapter_model.safetensors")
    best = load_file(tmp_path / training["best_checkpoint"] / "adapter_model.safetensors")
    last = load_file(run / "checkpoints" / f"checkpoint-{last_step}" / "adapter_model.safetensors")
    assert all((saved[k] == best[k]).all() for k in saved)
    assert any(not (saved[k] == last[k]).all() for k in saved)
    assert (run / "adapter" / "tokenizer_config.json").is_file()

    results = json.loads((run / "results.json").read_text())
    assert set(results["rungs"]) == {"base", "prompted_base", "fine_tuned"}
    assert results["rungs"]["fine_tuned"]["examples"] == 30
    assert results["acceptance"][0]["passed"] is True
    assert sorted(p.name for p in (run / "build").iterdir()) == ["eval.py", "ftspec.lock.json", "train.py"]


def test_train_script_runs_alone(tmp_path, tiny_model):
    spec = write_spec(tmp_path, tiny_model, "epochs = 1  batch_size = 8  grad_accum = 1")
    assert ftspec("compile", str(spec), "-o", "b", cwd=tmp_path).returncode == 0
    proc = subprocess.run([sys.executable, "b/train.py", "--output", "out", "--max-steps", "3"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "out" / "training.json").read_text())["global_step"] == 3


def _complete_checkpoints(run: Path) -> list[int]:
    found = []
    for path in (run / "checkpoints").glob("checkpoint-*"):
        if all((path / f).exists() for f in ("trainer_state.json", "optimizer.pt", "scheduler.pt")):
            found.append(int(path.name.split("-")[1]))
    return sorted(found)


def test_resume_after_sigkill_finishes_with_the_same_number_of_steps(tmp_path, tiny_model):
    spec = write_spec(tmp_path, tiny_model, "epochs = 2  batch_size = 1  grad_accum = 1  eval_every = 20 "
                      " early_stopping = off")
    steps = 2 * 102  # 102 training examples after the 15% split, batch 1, 2 epochs
    proc = subprocess.Popen([sys.executable, "-m", "ftspec", "run", str(spec), "--output", "runs/k"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    run = tmp_path / "runs" / "k"
    deadline = time.time() + 240
    while time.time() < deadline and not (run / "checkpoints").is_dir() or not _complete_checkpoints(run):
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = _complete_checkpoints(run)[-1]
    assert killed_at < steps
    assert not (run / "training.json").exists()

    resumed = ftspec("run", str(spec), "--resume", "--output", "runs/k", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    training = json.loads((run / "training.json").read_text())
    assert training["global_step"] == steps
    train_steps = [r["step"] for r in metrics(run) if "train_loss" in r]
    assert len(train_steps) == len(set(train_steps)), "a step was logged twice across the resume"
    assert "resuming from" in (run / "run.log").read_text()


def test_two_processes_share_the_work(tmp_path, tiny_model):
    spec = write_spec(tmp_path, tiny_model, "epochs = 1  batch_size = 8  grad_accum = 1")
    proc = ftspec("run", str(spec), "--processes", "2", "--output", "runs/ddp", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + (tmp_path / "runs/ddp/run.log").read_text()[-3000:]
    training = json.loads((tmp_path / "runs" / "ddp" / "training.json").read_text())
    assert training["global_step"] == math.ceil(102 / (8 * 2))  # one epoch, two processes of batch 8
    assert "--multi_gpu" in (tmp_path / "runs" / "ddp" / "run.log").read_text()


def test_qlora_trains_a_4bit_base(tmp_path, tmp_path_factory):
    pytest.importorskip("bitsandbytes")
    # bitsandbytes packs 4-bit weights in blocks of 64: the model needs dimensions of at least that.
    model = build_tiny_model(tmp_path_factory.mktemp("tiny128") / "model", hidden=128)
    spec = write_spec(tmp_path, model, "epochs = 1  batch_size = 8  grad_accum = 1")
    text = spec.read_text().replace("adapter lora { r = 8  targets = [q_proj, v_proj] }",
                                    "adapter qlora { r = 8  targets = [q_proj, v_proj]  compute_dtype = float32 }")
    spec.write_text(text)
    proc = ftspec("run", str(spec), "--output", "runs/q", cwd=tmp_path)
    run = tmp_path / "runs" / "q"
    assert proc.returncode == 0, proc.stderr + (run / "run.log").read_text()[-3000:]
    training = json.loads((run / "training.json").read_text())
    assert training["quantized_bits"] == 4
    assert "BitsAndBytesConfig(" in (run / "build" / "eval.py").read_text()
    assert json.loads((run / "results.json").read_text())["rungs"]["fine_tuned"]["examples"] == 30


def test_task_metrics_each_evaluation_and_early_stopping_on_accuracy(tmp_path, tiny_model):
    spec = write_spec(tmp_path, tiny_model, "epochs = 1  batch_size = 8  grad_accum = 1  eval_every = 4 "
                      " early_stopping { patience = 3  metric = accuracy }")
    proc = ftspec("run", str(spec), "--output", "runs/acc", cwd=tmp_path)
    run = tmp_path / "runs" / "acc"
    assert proc.returncode == 0, proc.stderr + (run / "run.log").read_text()[-3000:]
    records = metrics(run)
    task = [r for r in records if "eval_accuracy" in r]
    assert [r["step"] for r in task] == [4, 8, 12, 13]  # every 4 steps, and at the end of the epoch
    assert all({"eval_macro_f1", "eval_format_compliance", "eval_perplexity"} <= r.keys() for r in task)
    training = json.loads((run / "training.json").read_text())
    assert training["metric"] == "accuracy"
    assert training["best_metric"] == max(r["eval_accuracy"] for r in task)
