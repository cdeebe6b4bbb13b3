"""`ftspec diff`: what changed between two specs, once resolved, and what that invalidates.

Both files are built to the resolved spec (every value written, defaulted or derived),
flattened to `path -> (value, origin)`, and compared. Each change gets the consequences
of its field family from `FAMILIES`. Comments, layout and the order of blocks never
show; a default written out with the same value is reported, but not as a change.

Also a git diff driver: `--textconv FILE` prints the resolved listing, and git's
external diff convention (7 or 9 arguments) prints the semantic diff of one file.
"""

from __future__ import annotations

import argparse
import difflib
import json
import posixpath
import re
import sys
import typing
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from ftspec.spec.model import QLORA_ONLY, Adapter, Criterion, OutputFormat, QualityCheck, Source, Spec
from ftspec.spec.node import Node

LORA_ONLY = ("r", "alpha", "dropout", "targets", "bias")
SET_LIKE = {"decision.why", "adapter.targets", "eval.automated.metrics", "training.report_to"}  # order is moot
ORIGIN_WORDS = {"user": "written", "default": "default", "derived": "derived"}


class Code(str):
    """A value already in the language's notation (a source call, a check phrase): shown as is."""


ABSENT = Code("n/a")  # the key does not exist on that side: its block is off, or another adapter method


# -- resolving -------------------------------------------------------------------------------------


def _optional_block(node: Node, name: str) -> bool:
    args = typing.get_args(type(node).model_fields[name].annotation)
    return type(None) in args and any(isinstance(a, type) and issubclass(a, Node) for a in args)


def _number(x: float) -> str:
    return f"{x:g}"


def _call(name: str, *args: str) -> Code:
    return Code(f"{name}({', '.join(args)})")


def _source(s: Source) -> Code:
    args = [json.dumps(posixpath.normpath(s.path), ensure_ascii=False)]
    args += [f"{k} = {json.dumps(getattr(s, k), ensure_ascii=False)}"
             for k in ("input", "output", "category", "delimiter") if getattr(s, k) is not None]
    return _call(s.format, *args)


def _output(o: OutputFormat) -> Code:
    if o.kind == "regex":
        return _call("regex", json.dumps(o.pattern, ensure_ascii=False))
    if o.kind == "json_schema":
        return _call("json_schema", json.dumps(o.schema_path, ensure_ascii=False))
    return Code(o.kind)


def _check(c: QualityCheck) -> Code:
    settings = [(k, getattr(c, k)) for k in ("threshold", "max_ratio") if getattr(c, k) is not None]
    words = [c.level] + [f"{k} {_number(v)}" for k, v in settings]
    return Code(" ".join(words))


def _side(terms) -> str:
    out = []
    for i, t in enumerate(terms):
        term = f"{t.rung}.{t.metric}" if t.rung else _number(t.number)
        out.append(term if i == 0 and t.sign == 1 else f"{'+' if t.sign == 1 else '-'} {term}")
    return " ".join(out)


def _criterion(c: Criterion) -> Code:
    return Code(f"{_side(c.left)} {c.op} {_side(c.right)}")


def _plain(value: Any) -> Any:
    if isinstance(value, Source):
        return _source(value)
    if isinstance(value, OutputFormat):
        return _output(value)
    if isinstance(value, QualityCheck):
        return _check(value)
    if isinstance(value, Criterion):
        return _criterion(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _skipped(node: Node, name: str) -> bool:
    """Keys that have no meaning for this adapter method (their defaults would only be noise)."""
    method = node.method if isinstance(node, Adapter) else None
    return (method == "full" and name in LORA_ONLY + QLORA_ONLY) or (method == "lora" and name in QLORA_ONLY)


def resolved(node: Node, prefix: str = "") -> dict[str, tuple[Any, str]]:
    """Every value of the spec as `path -> (value, origin)`; sources, output formats, quality
    checks and acceptance criteria as one value each, in the language's notation."""
    out: dict[str, tuple[Any, str]] = {}
    for name in type(node).model_fields:
        if _skipped(node, name):
            continue
        value, path, origin = getattr(node, name), prefix + name, node.origin(name)
        if isinstance(value, Node) and not isinstance(value, (Source, OutputFormat, QualityCheck)):
            if _optional_block(node, name):
                out[path] = ("on", origin)
            out.update(resolved(value, path + "."))
        elif value is None and _optional_block(node, name):
            out[path] = ("off", origin)
        elif isinstance(value, dict):  # named blocks (`augment.template`), slot values (`fill`): a path each
            for key, item in value.items():
                if isinstance(item, Node):
                    out.update(resolved(item, f"{path}.{key}."))
                else:
                    out[f"{path}.{key}"] = (_plain(item), origin)
        else:
            plain = _plain(value)
            out[path] = (sorted(plain) if path in SET_LIKE or path == "eval.accept" else plain, origin)
    return out


# -- comparing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    old: Any  # ABSENT where the key does not exist on that side
    new: Any
    old_origin: str | None  # user, default, derived; None where absent
    new_origin: str | None
    consequences: list[str] = field(default_factory=list)
    invalidates: tuple[str, ...] = ()  # retrain, baseline, results, verdicts

    @property
    def semantic(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class Family:
    pattern: str  # fnmatch over the path; the first family that matches applies
    what: str  # what changed, in the impact lines: "retrain needed (<what>)"
    impacts: tuple[str, ...] = ()
    advice: Any = None  # a text, or (old, new, change) -> text or None


IMPACTS = {
    "retrain": "retrain needed ({})",
    "baseline": "a fresh baseline is needed ({}): ftspec baseline",
    "results": "earlier results are not comparable ({})",
    "verdicts": "the bar changed: compare verdicts with care",
}
INVALIDATES = {
    "retrain": "the trained model (retrain: ftspec run)",
    "baseline": "the baseline (measure it again: ftspec baseline)",
    "results": "earlier eval results (not comparable)",
    "verdicts": "earlier acceptance verdicts (another bar)",
}
R, B, RES, V = "retrain", "baseline", "results", "verdicts"


def _up_down(up: str, down: str):
    def advice(old, new, change):
        if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
            return up if new > old else down
        return None
    return advice


def _method(old, new, change):
    return {"full": "full fine-tuning updates every parameter: 10-100x the cost of LoRA (guide: Cost "
                    "Optimization); the default learning rate drops to 2e-5",
            "qlora": "a 4-bit quantised base model: less memory (guide: QLoRA)",
            "lora": "LoRA on a full-precision base model (guide: Parameter-Efficient Fine-Tuning)"}.get(new)


def _targets(old, new, change):
    if isinstance(old, list) and isinstance(new, list) and len(new) != len(old):
        return "more modules adapted: more capacity and memory" if len(new) > len(old) else \
            "fewer modules adapted: less capacity and memory"
    return "other modules adapted" if new == "all_linear" or old == "all_linear" else None


def _quality(old, new, change):
    check = change.path.split(".")[1]
    if str(new).startswith("off"):
        return f"data problems will not be caught: the {check} check is off (guide: Data Quality Checklist)"
    if str(old).startswith("off"):
        return f"the {check} check runs again: ftspec check"
    return f"the {check} check changed: ftspec check; nothing to retrain unless the data changes"


def _criteria(old, new, change):
    if not isinstance(old, list) or not isinstance(new, list):
        return None
    added, removed = [c for c in new if c not in old], [c for c in old if c not in new]
    parts = ([f"added: {'; '.join(added)}"] if added else []) + ([f"removed: {'; '.join(removed)}"] if removed else [])
    return ", ".join(parts) or None


def _sizing(old, new, change):
    return ("a lower bar: the guide's recommended size is no longer asked (SZ003)" if new == "minimum"
            else "a higher bar: the guide's recommended size is asked (SZ003)")


def _derived_or(text_or_fn, derivation: str):
    def advice(old, new, change):
        if change.new_origin == "derived":
            return f"derived: {derivation}"
        return text_or_fn(old, new, change) if callable(text_or_fn) else text_or_fn
    return advice


def _switch(off: str, on: str):
    return lambda old, new, change: off if new == "off" else on if old == "off" else None


FAMILIES = [
    Family("version", "language version"),
    Family("task.kind", "task kind changed", (R, B, RES),
           "the sizing row, the default metrics and the output format follow the kind"),
    Family("task.name", "task name changed", (),
           "build and run folders move to the new name; earlier runs stay under the old one"),
    Family("task.goal", "goal changed", (), "documentation only: nothing to retrain"),
    Family("task.labels", "label set changed", (R, B, RES),
           "the prompted base is told the labels; format compliance checks replies against them"),
    Family("task.output", "output format changed", (R, RES), "format compliance is judged by the new format"),
    Family("decision.prompt_baseline*", "declared baseline changed", (),
           "the decision rules judge the declared baseline again (DE004, DE005): ftspec lint"),
    Family("decision.*", "decision changed", (),
           "the decision record changed: nothing to retrain; ftspec lint checks it against the guide"),
    Family("data.train", "training data changed", (R, B), "the prompted base draws its shots from the training data"),
    Family("data.general", "general-purpose data changed", (R,)),
    Family("data.validation*", "validation split changed", (R,),
           "other examples train and pick the best checkpoint"),
    Family("data.system", "system prompt changed", (R, B, RES), "the system prompt is in every prompt"),
    Family("data.eval", "eval set changed", (B, RES)),
    Family("data.train_examples", "declared example count changed", (),
           "only the sizing rules read it, when the data is not read: nothing to retrain"),
    Family("quality.max_tokens", "max_tokens changed", (R,), "examples are truncated to max_tokens in training"),
    Family("quality.*", "quality check changed", (), _quality),
    Family("sizing", "sizing column changed", (), _sizing),
    Family("model.*", "base model changed", (R, B, RES)),
    Family("adapter.method", "adapter method changed", (R,), _method),
    Family("adapter.r", "LoRA rank changed", (R,), _up_down(
        "more capacity, more compute and memory; watch for overfitting on small data "
        "(guide: Parameter-Efficient Fine-Tuning)", "less capacity, less compute and memory; may underfit")),
    Family("adapter.alpha", "LoRA alpha changed", (R,),
           _derived_or("the update is scaled by alpha / r", "alpha = 2 * r")),
    Family("adapter.dropout", "LoRA dropout changed", (R,), _up_down(
        "more regularization", "less regularization: watch for overfitting (guide: Preventing Overfitting)")),
    Family("adapter.targets", "LoRA targets changed", (R,), _targets),
    Family("adapter.*", "adapter changed", (R,)),
    Family("training.learning_rate", "learning rate changed", (R,), _derived_or(_up_down(
        "risk of catastrophic forgetting: the guide asks for moderate learning rates (Anti-Patterns)",
        "slower learning: it may need more epochs"), "learning_rate = 2e-5 for adapter full")),
    Family("training.epochs", "epochs changed", (R,), _up_down(
        "more passes: watch for overfitting (guide: 2-5 typical; try 1-2 before going to 3+)",
        "fewer passes: less overfitting, may underfit")),
    Family("training.batch_size", "batch size changed", (R,), "the effective batch and the number of steps change"),
    Family("training.grad_accum", "gradient accumulation changed", (R,),
           "the effective batch and the number of steps change"),
    Family("training.weight_decay", "weight decay changed", (R,), _up_down(
        "more regularization", "less regularization: watch for overfitting (guide: Preventing Overfitting)")),
    Family("training.early_stopping", "early stopping changed", (R,), _switch(
        "early stopping is off: nothing stops overfitting (guide: Training Monitoring)", "early stopping is on")),
    Family("training.save_best", "checkpoint choice changed", (R,),
           lambda old, new, change: "the last checkpoint is kept, not the best (guide: Training Monitoring)"
           if new is False else None),
    Family("training.report_to", "trackers changed", (), "only where monitoring is sent: nothing to retrain"),
    Family("training.distributed", "distribution changed", (),
           "how training runs (memory, speed), not what it learns: nothing to retrain"),
    Family("training.gradient_checkpointing", "gradient checkpointing changed", (),
           "how training runs (memory, speed), not what it learns: nothing to retrain"),
    Family("training.*", "training changed", (R,)),
    Family("eval.automated.metrics", "metrics changed", (RES,), "compare only the metrics both runs computed"),
    Family("eval.max_new_tokens", "decoding changed", (B, RES), "replies are cut at max_new_tokens"),
    Family("eval.compare.prompted_base*", "prompted base rung changed", (B,), _switch(
        "the prompted base is not measured: no baseline to beat (EV003)", "the prompted base is measured again")),
    Family("eval.compare.base*", "base rung changed", (B,), _switch(
        "the base model is not measured (EV003)", "the base model is measured again")),
    Family("eval.compare.larger*", "larger-model rung changed", (),
           "measure the larger model again: earlier comparisons with it do not apply"),
    Family("eval.accept", "acceptance criteria changed", (V,), _criteria),
    Family("eval.human*", "human evaluation changed", (),
           "the human evaluation plan changed: earlier judgments followed another plan"),
    Family("augment*", "augmentation changed", (),
           "only what `ftspec augment` makes next: nothing to retrain until reviewed examples join data.train"),
    Family("*", "changed", (R,)),
]


def _family(path: str) -> Family:
    return next(f for f in FAMILIES if fnmatchcase(path, f.pattern))


def explain(change: Change) -> Change:
    """The change with its consequences and what it invalidates filled in."""
    if not change.semantic:
        note = ("now written explicitly: it no longer follows the default" if change.new_origin == "user"
                else "now left to the default")
        return Change(**{**asdict(change), "consequences": [f"no semantic change: {note}"]})
    family = _family(change.path)
    if ABSENT in (change.old, change.new):  # a key of a block turned on or off, or of another adapter method
        note = "no longer applies" if change.new == ABSENT else "now applies"
        return Change(**{**asdict(change), "consequences": [note], "invalidates": family.impacts})
    lines = [IMPACTS[i].format(family.what) for i in family.impacts]
    advice = family.advice(change.old, change.new, change) if callable(family.advice) else family.advice
    if advice:
        lines.append(advice)
    return Change(**{**asdict(change), "consequences": lines, "invalidates": family.impacts})


def _merged(old: list[str], new: list[str]) -> list[str]:
    """Both key orders in one: keys only in `old` stay where they were, relative to the rest."""
    only_old, out, done = set(old) - set(new), [], 0
    positions = {k: i for i, k in enumerate(old)}
    for key in new:
        if key in positions:
            out += [k for k in old[done:positions[key]] if k in only_old]
            done = max(done, positions[key] + 1)
        out.append(key)
    return out + [k for k in old[done:] if k in only_old]


def semantic_diff(old_spec: Spec, new_spec: Spec) -> list[Change]:
    """Every value that differs, in the spec's order, with its consequences; a value whose only
    change is where it comes from (a default now written) is included with `semantic` false."""
    old, new = resolved(old_spec), resolved(new_spec)
    order = _merged(list(old), list(new))
    changes = []
    for path in order:
        (a, ao), (b, bo) = old.get(path, (ABSENT, None)), new.get(path, (ABSENT, None))
        if a != b or ao != bo:
            changes.append(explain(Change(path, a, b, ao, bo)))
    return changes


# -- showing ---------------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def show(value: Any) -> str:
    if isinstance(value, Code):
        return str(value)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], Code) and "(" in value[0]:
            return value[0]  # one data source
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, str) and not _NAME.fullmatch(value):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _with_origin(value: Any, origin: str | None) -> str:
    return show(value) if origin is None else f"{show(value)} ({ORIGIN_WORDS[origin]})"


def render_text(changes: list[Change]) -> str:
    lines = []
    for c in changes:
        if c.old_origin == c.new_origin:
            lines.append(f"{c.path}: {show(c.old)} -> {show(c.new)} ({ORIGIN_WORDS[c.new_origin]})")
        else:
            lines.append(f"{c.path}: {_with_origin(c.old, c.old_origin)} -> {_with_origin(c.new, c.new_origin)}")
        lines += [f"  - {text}" for text in c.consequences]
    semantic = [c for c in changes if c.semantic]
    if not semantic:
        lines.append("no semantic change")
    else:
        hit = [INVALIDATES[i] for i in INVALIDATES if any(i in c.invalidates for c in semantic)]
        lines.append(f"{len(semantic)} change{'s' if len(semantic) != 1 else ''}; invalidates: "
                     + ("; ".join(hit) if hit else "nothing trained or measured"))
    return "\n".join(lines) + "\n"


def render_json(changes: list[Change], old: str, new: str) -> str:
    items = [{**asdict(c), "invalidates": list(c.invalidates), "semantic": c.semantic} for c in changes]
    invalidated = sorted({i for c in changes if c.semantic for i in c.invalidates})
    doc = {"format_version": 1, "old": old, "new": new, "semantic": any(c.semantic for c in changes),
           "changes": items, "invalidates": invalidated}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def listing(spec: Spec) -> str:
    """The canonical resolved listing (`--textconv`): one `path = value  # origin` a line."""
    rows = [f"{path} = {show(value)}  # {ORIGIN_WORDS[origin]}" for path, (value, origin) in resolved(spec).items()]
    return "# resolved by ftspec: every value, written, default or derived\n" + "\n".join(rows) + "\n"


# -- loading and the command -----------------------------------------------------------------------


class SpecError(Exception):
    """A file that cannot be read or does not build; the message has file:line:col."""


def load(path: Path, name: str | None = None) -> tuple[Spec, str]:
    """The built spec and its text; `name` is how messages call the file (git's temp files)."""
    from ftspec.diagnostics import Severity
    from ftspec.lint import analyse, read_spec

    name = name or str(path)
    try:
        text, problem = read_spec(Path(path))
    except OSError as exc:
        raise SpecError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    if problem is not None:
        raise SpecError(f"{name}:{problem.span.line}:{problem.span.col}: {problem.code} {problem.message}")
    spec, diagnostics = analyse(text, name)
    if spec is None:
        errors = [d for d in diagnostics if d.severity is Severity.ERROR] or diagnostics
        raise SpecError("\n".join(f"{d.span}: {d.code} {d.message}" for d in errors[:5]))
    return spec, text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="OLD NEW; or git's 7 (or 9) external diff arguments: "
                             "path old-file old-hex old-mode new-file new-hex new-mode")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    parser.add_argument("--textconv", type=Path, default=None, metavar="FILE",
                        help="print FILE's resolved listing (for git's diff.<driver>.textconv)")


def _git(args: argparse.Namespace) -> int:
    """git's external diff: `path old-file old-hex old-mode new-file new-hex new-mode [new-path info]`.
    Always exits 0 on success, as git expects of an external diff; a file that does not build
    falls back to a plain text diff."""
    path, old_file, new_file = args.files[0], args.files[1], args.files[4]
    new_path = args.files[7] if len(args.files) == 9 else path
    print(f"ftspec diff a/{path} b/{new_path}")
    if "/dev/null" in (old_file, new_file):
        print("new spec" if old_file == "/dev/null" else "spec deleted")
        return 0
    try:
        old, _ = load(Path(old_file), f"a/{path}")
        new, _ = load(Path(new_file), f"b/{new_path}")
    except SpecError as exc:
        print(f"does not build, so a plain text diff:\n{exc}")
        texts = [Path(f).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
                 for f in (old_file, new_file)]
        sys.stdout.writelines(difflib.unified_diff(*texts, f"a/{path}", f"b/{new_path}"))
        return 0
    changes = semantic_diff(old, new)
    sys.stdout.write(render_json(changes, path, new_path) if args.format == "json" else render_text(changes))
    return 0


def _textconv(path: Path) -> int:
    """The listing; a file that does not build prints its errors and its text (git must not fail)."""
    try:
        sys.stdout.write(listing(load(path)[0]))
    except SpecError as exc:
        if not path.is_file():
            raise
        print("# does not build:\n" + "\n".join(f"# {line}" for line in str(exc).splitlines()))
        sys.stdout.write(path.read_text(encoding="utf-8", errors="replace"))
    return 0


def main(args: argparse.Namespace) -> int:
    """0: no semantic change; 1: changes found; 2: a file cannot be read or does not build."""
    try:
        if args.textconv is not None:
            return _textconv(args.textconv)
        if len(args.files) in (7, 9):
            return _git(args)
        if len(args.files) != 2:
            print("ftspec diff: give OLD and NEW (or git's external diff arguments)", file=sys.stderr)
            return 2
        old, new = (load(Path(f))[0] for f in args.files)
    except SpecError as exc:
        print(exc, file=sys.stderr)
        return 2
    changes = semantic_diff(old, new)
    text = render_json(changes, *args.files) if args.format == "json" else render_text(changes)
    sys.stdout.write(text)
    return 1 if any(c.semantic for c in changes) else 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="ftspec diff", description="the semantic diff of two specs")
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
