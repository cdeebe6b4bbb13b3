"""The comparison ladder (guide: Evaluation Strategy, tier 2) as data: every rung's
outputs on the same eval set, scored the same way, assembled into results.json.

The compiled eval.py produces outputs (model side, `ftspec.runtime`); this module
scores them, decides acceptance and writes what a run leaves behind: results.json,
predictions.jsonl (every output of every rung, for review packets) and report.html.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ftspec.evaluate import acceptance, metrics, overfitting
from ftspec.spec.vocabulary import RUNGS

SAMPLES = 20  # examples shown with every rung's output in results.json and the report
HUMAN_METRICS = {"win_rate"}  # measured only when review judgments are imported


def eval_set_sha256(conversations: Sequence[list[dict[str, str]]], references: Sequence[str]) -> str:
    """A hash of the eval set as evaluated, so two results can be checked to share one."""
    digest = hashlib.sha256()
    for conv, ref in zip(conversations, references, strict=True):
        digest.update(json.dumps([conv, ref], ensure_ascii=False, sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _finite(values: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items() if isinstance(v, (int, float)) and math.isfinite(v)}


class Ladder:
    def __init__(self, *, task: dict[str, Any], metric_names: Sequence[str],
                 conversations: Sequence[list[dict[str, str]]], references: Sequence[str]) -> None:
        self.task, self.names = task, list(metric_names)
        self.conversations, self.references = list(conversations), list(references)
        self.rungs: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, list[str]] = {}

    def add(self, rung: str, outputs: Sequence[str], *, seconds: float | None = None,
            losses: dict[str, float] | None = None, unavailable: dict[str, str] | None = None,
            **info: Any) -> dict[str, Any]:
        """Score a rung's outputs; `losses` are eval_loss/perplexity measured by the model side."""
        assert rung in RUNGS, rung
        outputs = list(outputs)
        scores = metrics.compute(self.names, outputs, self.references, output=self.task["output"],
                                 labels=self.task.get("labels"))
        entry: dict[str, Any] = {**{k: v for k, v in info.items() if v is not None},
                                 "examples": len(outputs), "metrics": _finite({**scores, **(losses or {})})}
        missing = {**(unavailable or {})}
        for name in ("eval_loss", "perplexity"):
            if name in self.names and name not in entry["metrics"]:
                missing.setdefault(name, "not measured for this rung")
        if missing:
            entry["unavailable"] = missing
        entry.update(metrics.details(self.task["kind"], outputs, self.references, self.task.get("labels")))
        if seconds is not None:
            entry["seconds"] = round(seconds, 3)
        self.rungs[rung], self.outputs[rung] = entry, outputs
        return entry

    def line(self, rung: str) -> str:
        """`fine_tuned: accuracy 0.812, macro_f1 0.790` — what `ftspec run` shows of a rung."""
        shown = self.rungs[rung]["metrics"]
        return f"{rung}: " + (", ".join(f"{k} {v:.3f}" for k, v in shown.items()) or "no metrics")

    def ordered(self) -> dict[str, dict[str, Any]]:
        return {r: self.rungs[r] for r in RUNGS if r in self.rungs}

    def decide(self, criteria: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
        """The verdicts, and whether the run passes: every criterion measured and holding,
        except those waiting for human review (win_rate before `ftspec review import`)."""
        verdicts = acceptance.evaluate(criteria, self.ordered())
        passed = True
        for criterion, verdict in zip(criteria, verdicts, strict=True):
            if verdict["passed"] is None and _needs_human(criterion):
                verdict["pending"] = "human review: `ftspec review export`, then `ftspec review import`"
                continue
            passed = passed and bool(verdict["passed"])
        return verdicts, passed

    def results(self, *, kind: str, spec: dict[str, Any], decoding: dict[str, Any],
                criteria: list[dict[str, Any]], limit: int | None = None, training: dict | None = None,
                records: Sequence[dict[str, Any]] = (), train_outputs: Sequence[str] = (),
                baseline: dict[str, Any] | None = None) -> dict[str, Any]:
        verdicts, passed = self.decide(criteria)
        signals: list[dict[str, Any]] = []
        if kind == "run" and "fine_tuned" in self.outputs:
            inputs = [_last_user(c) for c in self.conversations]
            signals = overfitting.signals(records, self.outputs["fine_tuned"], self.references, train_outputs, inputs)
        return {
            "format": 1, "kind": kind, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "spec": spec,
            "task": {"kind": self.task["kind"], "labels": self.task.get("labels"), "output": self.task["output"]},
            "eval_set": {"examples": len(self.references), "sha256": eval_set_sha256(self.conversations,
                                                                                      self.references),
                         "limit": limit},
            "decoding": decoding,
            "rungs": self.ordered(),
            "acceptance": verdicts, "passed": passed, "criteria": criteria,
            "training": training, "overfitting": signals, "baseline": baseline,
            "samples": [self.sample(i) for i in range(min(SAMPLES, len(self.references)))],
        }

    def sample(self, i: int) -> dict[str, Any]:
        return {"index": i, "input": _last_user(self.conversations[i]), "reference": self.references[i],
                "outputs": {r: self.outputs[r][i] for r in RUNGS if r in self.outputs}}

    def predictions(self) -> list[dict[str, Any]]:
        """One object per eval example with every rung's output: predictions.jsonl."""
        return [{"index": i, "messages": conv, "reference": ref,
                 "outputs": {r: self.outputs[r][i] for r in RUNGS if r in self.outputs}}
                for i, (conv, ref) in enumerate(zip(self.conversations, self.references, strict=True))]


def _needs_human(criterion: dict[str, Any]) -> bool:
    return any(t.get("metric") in HUMAN_METRICS for t in criterion["left"] + criterion["right"])


def _last_user(conversation: list[dict[str, str]]) -> str:
    return next((m["content"] for m in reversed(conversation) if m["role"] == "user"), "")


def write_run_files(folder: Path, results: dict[str, Any], predictions: list[dict[str, Any]],
                    *, results_name: str = "results.json") -> None:
    """predictions.jsonl, then results.json, each written atomically (results last: a reader
    that finds results.json finds the predictions it counts)."""
    from ftspec.runtime.io import atomic_write_json, atomic_write_text

    folder = Path(folder)
    atomic_write_text(folder / "predictions.jsonl",
                      "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions))
    atomic_write_json(folder / results_name, results)
