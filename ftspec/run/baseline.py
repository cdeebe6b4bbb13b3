"""`ftspec baseline SPEC`: measure the base and prompted base models before any training.

It runs the compiled eval.py with `--rungs base,prompted_base` (the same data,
prompts and decoding `ftspec run` will use), leaves a run folder with results.json,
predictions.jsonl and report.html, and records the measurement beside the spec as
SPEC.baseline.json, which the decision rules then read instead of a declared score
and `ftspec run` reuses while it still matches.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

from ftspec.compile.build import CompileError, load_spec
from ftspec.evaluate.baseline import path_for
from ftspec.run.runner import RunError, _say, _tail, choose_output, ensure_build, stage_build, stream
from ftspec.runtime.io import atomic_write_json

BASELINE_RUNGS = ("base", "prompted_base")


def baseline(spec_path: Path, *, output: Path | None = None, limit: int | None = None,
             build_dir: Path | None = None, out: TextIO = sys.stderr) -> int:
    spec_path = Path(spec_path)
    try:
        spec = load_spec(spec_path, rules=False)
        if not spec.data.eval:
            raise RunError("a baseline is measured on held-out eval data, and the spec names none: "
                           "add `eval = jsonl(\"...\")` to `data`")
        compare = spec.eval.compare
        rungs = [r for r in BASELINE_RUNGS if getattr(compare, r) is not None]
        if not rungs:
            raise RunError("`eval.compare` turns off both `base` and `prompted_base`: there is nothing to measure")
        build = ensure_build(spec_path, build_dir, out, rules=False)
    except CompileError as exc:
        raise RunError(str(exc)) from exc
    folder = choose_output(spec.task.name, output, False, prefix="baseline-")
    folder.mkdir(parents=True, exist_ok=True)
    staged = stage_build(build, folder, False)
    log = folder / "run.log"
    _say(out, f"measuring {', '.join(rungs)} on the eval set; folder: {folder}  (log: {log})")
    cmd = [sys.executable, str(staged / "eval.py"), "--output", str(folder), "--rungs", ",".join(rungs)]
    if limit:
        cmd += ["--limit", str(limit)]
    started = time.time()
    try:
        code = stream(cmd, log, out, "eval")
    except KeyboardInterrupt:
        _say(out, "\ninterrupted; nothing was recorded")
        return 130
    if code != 0:
        _say(out, f"the baseline could not be measured (exit {code}); the end of {log}:\n{_tail(log)}")
        return 2
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    target = path_for(spec_path)
    lines = [f"measured in {time.time() - started:.0f} s on {results['eval_set']['examples']} eval examples"]
    for rung, data in results["rungs"].items():
        shots = f" ({data.get('shots', 0)}-shot)" if rung == "prompted_base" else ""
        lines.append(f"{rung}{shots}: " + ", ".join(f"{k} {v:.3f}" for k, v in data["metrics"].items()))
    if limit:
        # A trial on part of the eval set: the rules would not rely on it, and it must not
        # replace a whole measurement the team committed.
        lines.append(f"measured on only the first {limit} examples (--limit): not recorded in {target.name}")
    else:
        atomic_write_json(target, results)
        lines.append(f"recorded in {target}: commit it with the spec; `ftspec lint` now judges the decision "
                     "rules by this measurement, and `ftspec run` reuses it while the model, data and prompts "
                     "match")
    lines.append(f"report: {folder / 'report.html'}")
    _say(out, "\n".join(lines))
    return 0
