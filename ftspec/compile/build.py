"""`ftspec compile`: lint, plan, render, and write the build folder atomically.

The build folder holds exactly train.py, eval.py and ftspec.lock.json. It is
written to a temporary sibling and swapped in, so a failed compile leaves the
previous build as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ftspec import __version__
from ftspec.diagnostics import Diagnostic, Severity, Span

BUILD_FILES = ("train.py", "eval.py", "ftspec.lock.json")


class CompileError(Exception):
    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


@dataclass
class Build:
    path: Path
    lock: dict
    warnings: list[str] = field(default_factory=list)


def load_spec(spec_path: Path, *, rules: bool = True):
    """Lint the spec; return the Spec, or raise CompileError with the errors. With `rules`
    false only syntax and spec errors count (`ftspec check` reports on the data of a spec
    that the guide's rules still reject)."""
    from ftspec.lint import analyse, read_spec

    if not spec_path.is_file():
        raise CompileError(f"{spec_path}: no such file")
    text, problem = read_spec(spec_path)
    if problem is not None:
        raise CompileError(f"{spec_path} has errors", [problem])
    from ftspec.lint import UsageError, config_for

    try:
        config = config_for(spec_path)
    except UsageError as exc:
        raise CompileError(str(exc)) from exc
    spec, diagnostics = analyse(text, str(spec_path), config=config)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR and (rules or d.code.startswith(("SY", "SP")))]
    if errors or spec is None:
        raise CompileError(f"{spec_path} has lint errors; fix them and compile again", errors)
    return spec


def default_build_dir(spec) -> Path:
    return Path("build") / spec.task.name


def compile_spec(spec_path: Path, out: Path | None = None, *, rules: bool = True) -> Build:
    """Lint, plan, render and write the build. `rules=False` (for `ftspec baseline`, which
    measures before the guide's rules are settled) lets only syntax and spec errors stop it."""
    from ftspec.compile.lock import make_lock
    from ftspec.compile.plan import PlanError, make_plan
    from ftspec.compile.render import render

    spec_path = Path(spec_path)
    spec = load_spec(spec_path, rules=rules)
    out = Path(out) if out is not None else default_build_dir(spec)
    try:
        plan = make_plan(spec, spec_path)
    except PlanError as exc:
        diag = Diagnostic("SP008", "spec.invalid-value", Severity.ERROR, str(exc),
                          exc.span or Span.point(str(spec_path), 1, 1),
                          help="early stopping on `eval_loss` needs no generation and works for every task")
        raise CompileError(f"{spec_path} cannot be compiled", [diag]) from None
    header = {"ftspec_version": __version__, "spec_file": spec_path.name}
    files = {
        "train.py": render("train.py.j2", p=plan, h=header),
        "eval.py": render("eval.py.j2", p=plan, h=header),
    }
    lock = make_lock(spec, spec_path, plan)
    files["ftspec.lock.json"] = json.dumps(lock, indent=2, ensure_ascii=False) + "\n"
    warnings = [f"data file not found: {d['path']} (compiled anyway; training will stop there)"
                for d in lock["data"] if d.get("missing")]
    _write_atomically(out, files)
    return Build(out, lock, warnings)


def _write_atomically(out: Path, files: dict[str, str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_dir():
        raise CompileError(f"{out} exists and is not a folder")
    if out.is_dir():
        unexpected = sorted(p.name for p in out.iterdir() if p.name not in BUILD_FILES)
        if unexpected:
            # Never replace a folder holding something we did not write.
            raise CompileError(f"{out} holds files ftspec did not write ({', '.join(unexpected[:3])}); "
                               "choose another folder with -o")
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.compiling-", dir=out.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        if out.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
            try:
                os.replace(staging, out)
            except BaseException:
                os.replace(old, out)  # put the previous build back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
