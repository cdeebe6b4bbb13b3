"""The plan: everything the templates need, resolved from the spec, as plain literals.

Templates only ever see values from here, and print each through the `lit`
filter (Python `repr` of plain data), so a spec value can never become code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ftspec.spec.model import Spec
from ftspec.spec.vocabulary import TEXT_METRICS, TRAINING_METRICS


class PlanError(Exception):
    def __init__(self, message: str, span) -> None:
        super().__init__(message)
        self.span = span


def plain(value: Any) -> Any:
    """Builtin types only (str subclasses such as Name become str), so `repr` is a literal."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    raise TypeError(f"not a plain value: {value!r}")


def _source(source) -> dict[str, Any]:
    return {k: v for k, v in plain(source.model_dump()).items() if v is not None}


def resolve_model(base: str, spec_dir: Path) -> str:
    """A local model (folder or GGUF file) is taken relative to the spec's folder and written
    absolute; an offline alias or a hub id stays as written (the script resolves it)."""
    from ftspec.models.resolve import classify

    where = classify(base, spec_dir)
    return where.value if where.kind in ("local", "gguf") else base


def _rungs(spec: Spec, spec_dir: Path) -> dict[str, Any]:
    """The ladder's rungs in order; a rung the spec turns off is absent."""
    compare = spec.eval.compare
    rungs: dict[str, Any] = {}
    if compare.base is not None:
        rungs["base"] = {"shots": compare.base.shots}
    if compare.prompted_base is not None:
        rungs["prompted_base"] = {"shots": compare.prompted_base.shots}
    if compare.larger is not None:
        larger = compare.larger
        model = larger.model if larger.endpoint else resolve_model(larger.model, spec_dir)
        rungs["larger"] = {"model": model, "endpoint": larger.endpoint, "api_key_env": larger.api_key_env}
    rungs["fine_tuned"] = {}
    return rungs


def _output_schema(spec: Spec, spec_dir: Path) -> dict[str, Any] | None:
    """`output = json_schema("file.json")`: the schema itself, read at compile time, so that
    eval.py checks format compliance against what was compiled."""
    name = spec.task.output.schema_path if spec.task.output else None
    if not name:
        return None
    path = Path(name) if Path(name).is_absolute() else spec_dir / name
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanError(f"cannot read the output schema {name}: {getattr(exc, 'strerror', None) or exc}",
                        spec.task.span_of("output")) from None
    if not isinstance(schema, dict):
        raise PlanError(f"the output schema {name} is not a JSON object", spec.task.span_of("output"))
    return schema


def make_plan(spec: Spec, spec_path: Path) -> dict[str, Any]:
    spec_dir = spec_path.resolve().parent
    t, a, d = spec.training, spec.adapter, spec.data
    es = t.early_stopping
    metric = es.metric if es is not None else "eval_loss"
    if metric not in TRAINING_METRICS:
        raise PlanError(
            f"early stopping on `{metric}` is not available during training; use one of "
            + ", ".join(f"`{m}`" for m in TRAINING_METRICS),
            spec.training.early_stopping.span_of("metric"),
        )
    greater_is_better = metric not in ("eval_loss", "perplexity")
    task_metrics = [m for m in spec.eval.automated.metrics or [] if m in TEXT_METRICS]
    if metric in TEXT_METRICS and metric not in task_metrics:
        task_metrics.append(metric)
    targets = a.targets if a.targets != "all_linear" else "all-linear"  # PEFT's spelling
    return plain({
        "task": {"name": spec.task.name, "kind": spec.task.kind, "labels": spec.task.labels
                 if isinstance(spec.task.labels, list) else None, "output": spec.task.output},
        "spec_dir": str(spec_dir),
        "spec_file": spec_path.name,
        "spec_sha256": hashlib.sha256(spec_path.read_bytes()).hexdigest(),
        "model": {"base": resolve_model(spec.model.base, spec_dir), "revision": spec.model.revision},
        "data": {
            "train": [_source(s) for s in d.train],
            "eval": [_source(s) for s in d.eval or []],
            "validation": {
                "fraction": d.validation.fraction,
                "stratified": bool(d.validation.stratified),
                "source": _source(d.validation.source) if d.validation.source else None,
            },
            "system": d.system,
            "general": [_source(s) for s in d.general or []],
        },
        "adapter": {
            "method": a.method, "r": a.r, "alpha": a.alpha, "dropout": a.dropout, "targets": targets,
            "bias": a.bias, "bits": a.bits, "quant_type": a.quant_type, "compute_dtype": a.compute_dtype,
            "double_quant": a.double_quant,
        },
        "training": {
            "learning_rate": t.learning_rate, "epochs": t.epochs, "batch_size": t.batch_size,
            "grad_accum": t.grad_accum, "warmup": t.warmup, "weight_decay": t.weight_decay,
            "scheduler": t.scheduler, "max_grad_norm": t.max_grad_norm, "optimizer": t.optimizer,
            "precision": t.precision, "eval_every": t.eval_every, "save_best": t.save_best, "seed": t.seed,
            "gradient_checkpointing": t.gradient_checkpointing,
            "report_to": t.report_to,
            "max_length": spec.quality.max_tokens,
            "early_stopping": None if es is None else {
                "patience": es.patience, "min_delta": es.min_delta},
            "metric_for_best": metric,
            "task_metrics": task_metrics,
            "greater_is_better": greater_is_better,
        },
        "eval": {
            "metrics": spec.eval.automated.metrics,
            "max_new_tokens": spec.eval.max_new_tokens,
            "rungs": _rungs(spec, spec_dir),
            "accept": [c.model_dump() for c in spec.eval.accept],
            "output_schema": _output_schema(spec, spec_dir),
        },
    })
