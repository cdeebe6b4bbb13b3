"""`ftspec run`: compile if the build is stale, train, evaluate, summarise.

Training and evaluation run as subprocesses of the compiled scripts (the same
files a person can run by hand), their output streamed to DIR/run.log and
their progress drawn as one line. A killed run continues with `--resume`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from ftspec.compile.build import BUILD_FILES, CompileError, compile_spec, default_build_dir, load_spec
from ftspec.compile.lock import stale_reasons
from ftspec.evaluate.baseline import path_for as baseline_path
from ftspec.run.progress import ProgressView


class RunError(Exception):
    """A run that cannot start or go on, with the reason and what to do."""


def _say(out: TextIO, text: str) -> None:
    out.write(text + "\n")
    out.flush()


def ensure_models(spec, spec_dir: Path, out: TextIO) -> None:
    """Pull the offline models the spec names (the base, a local larger rung) on first use."""
    from ftspec.models.pull import PullError, pull
    from ftspec.models.resolve import classify

    wanted = [spec.model.base]
    larger = spec.eval.compare.larger
    if larger is not None and not larger.endpoint:
        wanted.append(larger.model)
    for base in wanted:
        where = classify(base, spec_dir)
        if where.kind == "alias":
            try:
                pull(where.value, out=out)
            except PullError as exc:
                raise RunError(str(exc)) from None


def ensure_build(spec_path: Path, build_dir: Path | None, out: TextIO, *, rules: bool = True) -> Path:
    spec = load_spec(spec_path, rules=rules)
    ensure_models(spec, spec_path.resolve().parent, out)
    build = Path(build_dir) if build_dir else default_build_dir(spec)
    lock_path = build / "ftspec.lock.json"
    if lock_path.is_file():
        reasons = stale_reasons(json.loads(lock_path.read_text(encoding="utf-8")), spec_path)
        if not reasons:
            return build
        _say(out, "recompiling: " + "; ".join(reasons))
    else:
        _say(out, f"compiling {spec_path} -> {build}/")
    result = compile_spec(spec_path, build, rules=rules)
    for warning in result.warnings:
        _say(out, f"warning: {warning}")
    return build


def choose_output(task: str, output: Path | None, resume: bool, prefix: str = "") -> Path:
    if output is not None:
        return Path(output)
    root = Path("runs") / task
    if resume:
        # Baseline folders (`ftspec baseline`) are not training runs: never resume into one.
        runs = sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith("baseline-")) \
            if root.is_dir() else []
        unfinished = [p for p in runs if not (p / "results.json").exists()]
        if not unfinished:
            raise RunError(f"no unfinished run of {task} under {root}/ to resume; name one with --output")
        return unfinished[-1]
    return root / (prefix + time.strftime("%Y%m%d-%H%M%S", time.gmtime()))


def stage_build(build: Path, output: Path, resume: bool) -> Path:
    """Copy the build into the run folder, for the record; a resumed run must use the same build."""
    staged = output / "build"
    if resume and (staged / "ftspec.lock.json").is_file():
        before = json.loads((staged / "ftspec.lock.json").read_text(encoding="utf-8"))
        now = json.loads((build / "ftspec.lock.json").read_text(encoding="utf-8"))
        if before.get("spec") != now.get("spec") or before.get("data") != now.get("data"):
            raise RunError(f"the spec or its data changed since {output} started; resuming would mix two "
                           "configurations: start a new run (without --resume)")
        return staged
    staged.mkdir(parents=True, exist_ok=True)
    for name in BUILD_FILES:
        shutil.copy2(build / name, staged / name)
    return staged


def _launcher(processes: int, strategy: str) -> list[str]:
    if processes <= 1:
        return [sys.executable]
    import importlib.util

    if importlib.util.find_spec("accelerate") is None:
        raise RunError("--processes needs accelerate: pip install accelerate")
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(processes),
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    if strategy == "fsdp":
        if not _has_gpu():
            raise RunError("`distributed = fsdp` needs GPUs; on the CPU use the default `ddp`")
        return cmd + ["--use_fsdp"]
    # accelerate's torchrun launcher is behind --multi_gpu; its --cpu flag wants mpirun for
    # several processes. Without GPUs the script's use_cpu=True makes the processes join
    # a gloo group (DistributedType.MULTI_CPU), so the same launcher serves both.
    return cmd + ["--multi_gpu"]


def _has_gpu() -> bool:
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=10)
        return out.returncode == 0 and "GPU" in out.stdout
    except (OSError, subprocess.SubprocessError):
        return False


def stream(cmd: list[str], log: Path, out: TextIO, label: str) -> int:
    """Run cmd, appending its output to log, drawing its progress; return its exit code."""
    view = ProgressView(out)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TOKENIZERS_PARALLELISM": "false"}
    with log.open("a", encoding="utf-8") as log_file:
        log_file.write(f"\n$ {' '.join(cmd)}\n")
        log_file.flush()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                start_new_session=True, bufsize=1)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                log_file.write(line)
                log_file.flush()
                line = line.rstrip("\n")
                if not view.handle(line) and label == "eval" and _is_result_line(line):
                    _say(out, f"  {line}")
            return proc.wait()
        except KeyboardInterrupt:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        finally:
            view.close()


def _is_result_line(line: str) -> bool:
    return line.startswith(("base:", "prompted_base:", "larger:", "fine_tuned:", "accept ", "overfitting:",
                            "not reusing "))


def _tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(f"  | {line}" for line in text[-lines:])


def run(spec_path: Path, *, output: Path | None = None, resume: bool = False, processes: int = 1,
        max_steps: int | None = None, build_dir: Path | None = None, out: TextIO = sys.stderr) -> int:
    spec_path = Path(spec_path)
    try:
        build = ensure_build(spec_path, build_dir, out)
    except CompileError as exc:
        raise RunError(str(exc)) from exc
    task = json.loads((build / "ftspec.lock.json").read_text(encoding="utf-8"))["resolved"]["task.name"]["value"]
    output = choose_output(task, output, resume)
    if resume and not (output / "checkpoints").is_dir():
        _say(out, f"{output} has no checkpoint yet: starting from the beginning")
    output.mkdir(parents=True, exist_ok=True)
    staged = stage_build(build, output, resume)
    log = output / "run.log"
    _say(out, f"run folder: {output}  (log: {log})")

    started = time.time()
    lock = json.loads((staged / "ftspec.lock.json").read_text(encoding="utf-8"))
    strategy = lock["resolved"].get("training.distributed", {}).get("value", "ddp")
    train_cmd = [*_launcher(processes, strategy), str(staged / "train.py"), "--output", str(output)]
    if resume:
        train_cmd.append("--resume")
    if max_steps:
        train_cmd += ["--max-steps", str(max_steps)]
    try:
        code = stream(train_cmd, log, out, "train")
        if code != 0:
            _say(out, f"training failed (exit {code}); the end of {log}:\n{_tail(log)}")
            _say(out, f"after fixing the cause, continue with: ftspec run {spec_path} --resume --output {output}")
            return 130 if code == 130 else 2
        trained = time.time() - started
        _say(out, "evaluating on the held-out eval set")
        eval_cmd = [sys.executable, str(staged / "eval.py"), "--output", str(output)]
        recorded = baseline_path(spec_path)
        if recorded.is_file():
            eval_cmd += ["--baseline", str(recorded)]  # reused only if it still matches (eval.py checks)
        code = stream(eval_cmd, log, out, "eval")
    except KeyboardInterrupt:
        _say(out, f"\ninterrupted; continue with: ftspec run {spec_path} --resume --output {output}")
        return 130
    summary(output, trained, time.time() - started - trained, out)
    verdict = _read(output / "results.json")
    if code not in (0, 1) or verdict is None or verdict.get("passed") is not (code == 0):
        # Only eval.py's own verdict, written to results.json, may end a run with 0 or 1.
        _say(out, f"evaluation failed (exit {code}); the end of {log}:\n{_tail(log)}")
        return 2
    return code


def summary(output: Path, train_s: float, eval_s: float, out: TextIO) -> None:
    training = _read(output / "training.json")
    results = _read(output / "results.json")
    lines = [f"done in {train_s + eval_s:.0f} s (train {train_s:.0f} s, eval {eval_s:.0f} s)"]
    if training:
        stop = "stopped early" if training.get("stopped_early") else "ran to the end"
        lines.append(f"training: {training['global_step']} steps, {stop}; best {training['metric']} "
                     f"{training['best_metric']:.4f} at {Path(training['best_checkpoint'] or '-').name}")
        if training.get("train_tokens_per_second"):
            where = "GPU memory allocated" if training.get("peak_memory_kind") == "cuda_allocated" else "process memory"
            lines.append(f"speed: {training['train_tokens']:,} tokens in {training['train_step_seconds']:.0f} s of "
                         f"steps, {training['train_tokens_per_second']:,.0f} tokens/s; peak {where} "
                         f"{training['peak_memory_gib']:.2f} GiB")
    if results:
        for rung, data in results.get("rungs", {}).items():
            lines.append(f"{rung}: " + ", ".join(f"{k} {v:.3f}" for k, v in data["metrics"].items()))
        verdict = "PASSED" if results.get("passed") else "FAILED"
        failed = [v["criterion"] for v in results.get("acceptance", []) if v["passed"] is False]
        lines.append(f"acceptance: {verdict}" + (f" ({'; '.join(failed)})" if failed else ""))
    lines.append(f"adapter: {output / 'adapter'}  metrics: {output / 'metrics.jsonl'}")
    if (output / "report.html").is_file():
        lines.append(f"report: {output / 'report.html'}")
    _say(out, "\n".join(lines))


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
