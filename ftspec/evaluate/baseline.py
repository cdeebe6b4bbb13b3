"""The measured prompt baseline: `ftspec baseline`'s record, kept beside the spec.

`banking.ftspec` -> `banking.baseline.json`: base and prompted base measured on the
eval set with the decoding `ftspec run` uses. Commit it with the spec: the decision
rules read it instead of a declared score (and say so), and `ftspec run` reuses its
rungs instead of generating them again, when nothing they depend on has changed.

What they depend on (`inputs`): the model, the eval data, the train data (the prompted
base's shots are drawn from it), the system prompt, the number of shots and the
decoding. Light on purpose: the lint path reads it, so nothing heavy is imported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftspec.runtime.io import sha256_file

SUFFIX = ".baseline.json"


def path_for(spec_path: Path) -> Path:
    spec_path = Path(spec_path)
    return spec_path.with_name(spec_path.name.removesuffix(".ftspec") + SUFFIX)


def _portable_model(model: str, spec_dir: Path) -> str:
    """A local model inside the spec's folder is recorded relative to it, so the record
    means the same on another checkout; anything else as it is."""
    path = Path(model)
    if path.is_absolute():
        try:
            return path.resolve().relative_to(spec_dir.resolve()).as_posix()
        except ValueError:
            return model
    return model


def inputs(*, model: str, revision: str | None, eval_sources: list[dict[str, Any]],
           train_sources: list[dict[str, Any]], system: str | None, shots: int | None, max_new_tokens: int,
           spec_dir: Path, hash_data: bool = True, labels: list[str] | None = None, base_shots: int | None = None,
           seed: int | None = None, split: dict[str, Any] | None = None, quantized: int | None = None
           ) -> dict[str, Any]:
    """Everything a baseline measurement depends on, as plain data to compare: the labels
    (the prompted base's prompt lists them), and the seed and the validation split (the
    shots are drawn from what the split leaves for training), the quantisation of the base
    (QLoRA evaluates every local rung on the 4-bit base)."""

    def sources(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for source in items:
            entry = dict(sorted(source.items()))
            if hash_data:
                path = Path(source["path"])
                path = path if path.is_absolute() else spec_dir / path
                entry["sha256"] = sha256_file(path) if path.is_file() else None
            out.append(entry)
        return out

    if split is not None:
        split = {**split, "source": sources([split["source"]])[0] if split.get("source") else None}
    return {
        "model": _portable_model(model, spec_dir), "revision": revision, "system": system,
        "shots": shots, "base_shots": base_shots, "max_new_tokens": max_new_tokens, "labels": labels,
        "seed": seed, "split": split, "quantized": quantized,
        "eval": sources(eval_sources), "train": sources(train_sources),
    }


def inputs_for_spec(spec, spec_dir: Path, *, hash_data: bool = True) -> dict[str, Any]:
    from ftspec.compile.plan import plain, resolve_model

    prompted, base = spec.eval.compare.prompted_base, spec.eval.compare.base
    validation = spec.data.validation

    def sources(items) -> list[dict[str, Any]]:
        return [{k: v for k, v in plain(s.model_dump()).items() if v is not None} for s in items or []]

    # The same values, in the same shapes, as the compiled eval.py passes (compile/plan.py).
    split = {"fraction": validation.fraction, "stratified": bool(validation.stratified),
             "source": sources([validation.source])[0] if validation.source else None}
    return inputs(model=resolve_model(spec.model.base, spec_dir), revision=spec.model.revision,
                  eval_sources=sources(spec.data.eval), train_sources=sources(spec.data.train),
                  system=spec.data.system, shots=prompted.shots if prompted else None,
                  max_new_tokens=spec.eval.max_new_tokens, spec_dir=spec_dir, hash_data=hash_data,
                  labels=list(spec.task.labels) if isinstance(spec.task.labels, list) else None,
                  base_shots=base.shots if base else None, seed=spec.training.seed, split=split,
                  quantized=spec.adapter.bits if spec.adapter.method == "qlora" else None)


def _unhashed(value: Any) -> Any:
    """The value with every file hash left out (lint --no-data compares only what the spec says)."""
    if isinstance(value, dict):
        return {k: _unhashed(v) for k, v in value.items() if k != "sha256"}
    if isinstance(value, list):
        return [_unhashed(v) for v in value]
    return value


def changes(recorded: dict[str, Any], now: dict[str, Any], *, compare_data: bool = True) -> list[str]:
    """Why a recorded measurement no longer holds for the spec as it is now; empty if it does."""
    if not compare_data:
        recorded, now = _unhashed(recorded), _unhashed(now)
    reasons = []
    for key, what in (("model", "the model"), ("revision", "the model revision"), ("system", "the system prompt"),
                      ("shots", "the number of shots"), ("max_new_tokens", "max_new_tokens"),
                      ("labels", "the labels"), ("base_shots", "the base rung's shots"),
                      ("seed", "the seed (it draws the shots)"), ("quantized", "the quantisation of the base model")):
        if recorded.get(key) != now.get(key):
            reasons.append(f"{what} changed ({recorded.get(key)!r} -> {now.get(key)!r})")
    for key, what in (("split", "the validation split (the shots come from what it leaves)"),
                      ("eval", "the eval data"), ("train", "the train data (the prompted base's shots)")):
        if (recorded.get(key) or None) != (now.get(key) or None):
            reasons.append(f"{what} changed")
    return reasons


@dataclass
class Measured:
    """A baseline file as the rules see it."""

    path: Path
    created: str
    rungs: dict[str, Any]
    stale: list[str] = field(default_factory=list)
    problem: str | None = None  # the file exists but cannot be used

    def score(self, metric: str, rung: str = "prompted_base") -> float | None:
        value = self.rungs.get(rung, {}).get("metrics", {}).get(metric)
        return float(value) if isinstance(value, (int, float)) else None

    @property
    def usable(self) -> bool:
        return self.problem is None and not self.stale

    def describe(self) -> str:
        return f"measured by `ftspec baseline` on {self.created[:10]}, {self.path.name}"


def read_record(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None), or (None, why it is not a baseline record ftspec can use)."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"cannot read {Path(path).name}: {exc}"
    rungs = record.get("rungs") if isinstance(record, dict) else None
    if not isinstance(record, dict) or record.get("kind") != "baseline" or not isinstance(rungs, dict):
        return None, f"cannot read {Path(path).name}: not a baseline record of ftspec"
    if not all(isinstance(r, dict) and isinstance(r.get("metrics", {}), dict) for r in rungs.values()):
        return None, f"cannot read {Path(path).name}: its rungs are not ftspec's"
    return record, None


def stale_reasons(record: dict[str, Any], now: dict[str, Any], *, compare_data: bool = True,
                  eval_sha256: str | None = None) -> list[str]:
    """Why a record no longer stands for the spec as it is now (`now`: its `inputs`); with
    `eval_sha256`, also whether its outputs can be reused for that eval set as evaluated."""
    recorded = record.get("inputs") if isinstance(record.get("inputs"), dict) else {}
    try:
        reasons = changes(recorded, now, compare_data=compare_data)
    except (TypeError, AttributeError, KeyError):  # a hand-edited record: not what ftspec wrote
        reasons = ["its inputs are not in ftspec's form"]
    eval_set = record.get("eval_set") if isinstance(record.get("eval_set"), dict) else {}
    if eval_set.get("limit"):
        reasons.append(f"it measured only the first {eval_set['limit']} eval examples (--limit)")
    if eval_sha256 is not None:
        if eval_set.get("sha256") != eval_sha256:
            reasons.append("the eval set differs")
        outputs = record.get("outputs")
        if not isinstance(outputs, dict) or not all(isinstance(o, list) for o in outputs.values()):
            reasons.append("its outputs are not lists of replies")
    return reasons


def lookup(spec, spec_path: Path, *, hash_data: bool = True) -> Measured | None:
    """The baseline file of a spec, checked against the spec as it is now; None if absent."""
    path = path_for(spec_path)
    if not path.is_file():
        return None
    record, problem = read_record(path)
    if record is None:
        return Measured(path, "", {}, problem=problem)
    now = inputs_for_spec(spec, Path(spec_path).resolve().parent, hash_data=hash_data)
    return Measured(path, str(record.get("created", "")), record["rungs"],
                    stale_reasons(record, now, compare_data=hash_data))
