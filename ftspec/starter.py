"""`ftspec init`: a starter spec for a task kind, every value commented with where it comes from.

`starter_text(kind)` writes the guide's defaults (ftspec's where the guide has none).
With `--data`, `summarise` reads the training file with the data checks' reader
(`ftspec.data.scan`) and the starter names it, its eval file when one lies beside it,
the labels, and the sizing column the data actually meets.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ftspec.spec.vocabulary import DEFAULT_METRICS, FEWEST_EXAMPLES, SIZING, TASK_KINDS

WIDTH = 110  # longest line the starter writes (a comment goes above its value past it)
MAX_LISTED_LABELS = 20  # more labels than this: `labels = from_data`
MIN_STEPS = 30  # rule HP006: fewer optimizer steps than this is flagged
INPUT_COLUMNS = ("text", "input", "prompt", "question", "instruction", "query", "message", "utterance",
                 "sentence", "document", "draft", "source", "content")
OUTPUT_COLUMNS = ("label", "category", "intent", "class", "output", "answer", "response", "completion",
                  "target", "final", "reply", "summary")
GENERIC_FOLDERS = ("data", "datasets", "dataset", "train")  # not task names
EVAL_NAMES = ("eval", "test", "evaluation", "heldout", "held_out")  # tried in this order, beside the train file


class InitError(Exception):
    """The data cannot be read or understood: exit 2 with the message."""


# -- what each kind starts with -----------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    row: str  # the guide's row in Data Sizing Guidelines
    output: str  # task.output as written
    output_note: str
    why: str
    why_note: str
    accept: tuple[tuple[str, str], ...]  # (criterion, comment)
    max_new_tokens: int
    reply: str  # what a reply is, for the max_new_tokens comment


_BAR = "ftspec's starting bar, not the guide's: set yours"
KINDS = {
    "classification": Kind(
        "Simple classification", "label", "the reply is exactly one label",
        "[latency, cost]", "a small model instead of a prompted large one", (
            ("fine_tuned.accuracy >= prompted_base.accuracy + 0.10", _BAR),
            ("fine_tuned.format_compliance >= 0.99", "the reply is one of the labels"),
        ), 64, "a label"),
    "extraction": Kind(
        "Structured extraction", "json", 'or json_schema("schema.json") to check every field',
        "format", "an output format prompting cannot reliably produce", (
            ("fine_tuned.format_compliance >= 0.99", "the reply parses"),
            ("fine_tuned.field_f1 >= prompted_base.field_f1 + 0.05", _BAR),
        ), 256, "a JSON object"),
    "style": Kind(
        "Style/tone adaptation", "text", "free text",
        "plateau", "prompt engineering has plateaued, measured on the eval set", (
            ("fine_tuned.rouge_l >= prompted_base.rouge_l", _BAR + "; people judge the tone"),
        ), 256, "a rewritten reply"),
    "reasoning": Kind(
        "Complex reasoning", "text", 'or regex("(?s).*Answer: [0-9]+$") to check the final line',
        "pattern", "consistent, patterned tasks", (
            ("fine_tuned.exact_match >= prompted_base.exact_match + 0.10", _BAR),
        ), 512, "a worked solution"),
    "knowledge": Kind(
        "Domain knowledge", "text", "free text",
        "domain", "knowledge not in the base model (internal terms, processes)", (
            ("fine_tuned.rouge_l >= prompted_base.rouge_l + 0.10", _BAR),
        ), 256, "an answer"),
}


# -- reading the data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A data file as the spec will name it."""

    format: str  # jsonl, json, alpaca, csv
    path: str  # relative to the spec's folder, `/`-separated
    input: str | None = None  # csv columns
    output: str | None = None
    delimiter: str | None = None
    examples: int = 0
    issues: int = 0  # format problems (DA001 will list them)

    def call(self) -> str:
        args = [quote(self.path)]
        for key in ("input", "output", "delimiter"):
            if getattr(self, key) is not None:
                args.append(f"{key} = {quote(getattr(self, key))}")
        return f"{self.format}({', '.join(args)})"


@dataclass(frozen=True)
class DataSummary:
    train: Found
    eval: Found | None = None
    eval_placeholder: str = "data/eval.jsonl"  # named when no eval file was found
    labels: dict[str, int] = field(default_factory=dict)  # reply -> training examples (classification)
    eval_only_labels: tuple[str, ...] = ()
    longest_reply: int = 0  # characters
    longest_example: int = 0  # characters
    has_system: bool = False  # every example carries its own system prompt
    folder: str = ""  # the training file's folder name, a task name candidate


def quote(text: str) -> str:
    """A .ftspec string literal (the escapes of docs/language.md)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch])
        elif ord(ch) < 32:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _relative(path: Path, spec_dir: Path) -> str:
    return Path(os.path.relpath(path.resolve(), spec_dir.resolve())).as_posix()


def _first_record(path: Path) -> object:
    if path.suffix == ".json":
        try:
            items = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise InitError(f"{path}: not valid JSON: {exc}") from exc
        return items[0] if isinstance(items, list) and items else None
    with path.open("rb") as f:
        for raw in f:
            if raw.strip():
                try:
                    return orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise InitError(f"{path}: the first line is not JSON: {exc}") from exc
    return None


def _pick(header: list[str], names: tuple[str, ...], taken: str | None = None) -> str | None:
    lower = {h.strip().lower(): h for h in header if h != taken}
    return next((lower[n] for n in names if n in lower), None)


def detect(path: Path) -> dict[str, str | None]:
    """The source's format and, for csv, its columns: what the spec's source call needs."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            first = f.readline().rstrip("\r\n")
        delimiter = "\t" if suffix == ".tsv" else max(",;\t|", key=lambda d: (first.count(d), d == ","))
        header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
        text = _pick(header, INPUT_COLUMNS)
        label = _pick(header, OUTPUT_COLUMNS, text)
        if (text is None or label is None) and len(header) == 2:
            text, label = header
        if text is None or label is None:
            raise InitError(f"{path}: cannot tell the input and output columns among {', '.join(header)}; "
                            "name them e.g. `text` and `label`")
        return {"format": "csv", "input": text, "output": label, "delimiter": None if delimiter == "," else delimiter}
    if suffix in (".jsonl", ".json"):
        record = _first_record(path)
        if isinstance(record, dict) and "messages" in record:
            return {"format": "jsonl" if suffix == ".jsonl" else "json"}
        if isinstance(record, dict) and "instruction" in record:
            return {"format": "alpaca"}
        raise InitError(f"{path}: expected chat examples ({{\"messages\": [...]}}) or alpaca examples "
                        "({\"instruction\", \"input\", \"output\"})")
    raise InitError(f"{path}: unknown data format `{path.suffix}`: use .jsonl, .json, .csv or .tsv")


def _read(path: Path, options: dict[str, str | None], spec_dir: Path) -> tuple[Found, list]:
    from ftspec.data.scan import FormatIssue, scan
    from ftspec.data.sources import SourceSpec

    source = SourceSpec(**{k: v for k, v in options.items() if v is not None}, path=str(path.resolve()))
    examples, issues = [], 0
    for item in scan(source, spec_dir):
        if isinstance(item, FormatIssue):
            issues += 1
        else:
            examples.append(item)
    return Found(path=_relative(path, spec_dir), examples=len(examples), issues=issues, **options), examples


def find_eval(train: Path) -> Path | None:
    """An eval file beside the training file: `eval`, `test`, ... in place of `train` in its name
    (`train.jsonl` -> `eval.jsonl`, `banking_train.csv` -> `banking_test.csv`), same extension."""
    stem = train.stem
    stems = [re.sub("train", name, stem, flags=re.IGNORECASE) for name in EVAL_NAMES] if re.search(
        "train", stem, re.IGNORECASE) else list(EVAL_NAMES)
    for candidate in stems:
        path = train.with_name(candidate + train.suffix)
        if path.is_file() and path.resolve() != train.resolve():
            return path
    return None


def _label(ex) -> str:
    """The reply, as the data checks compare it with `task.labels`."""
    return ex.output.strip()


def summarise(path: Path, kind: str, spec_dir: Path) -> DataSummary:
    """Read the training file (and an eval file beside it) for the starter."""
    path = Path(path)
    if not path.is_file():
        raise InitError(f"{path}: no such file")
    options = detect(path)
    train, examples = _read(path, options, spec_dir)
    if not examples:
        raise InitError(f"{path}: no example could be read ({train.issues} format problems: `ftspec check` lists them)")
    eval_found, eval_labels = None, set()
    eval_path = find_eval(path)
    if eval_path is not None:
        found, eval_examples = _read(eval_path, options, spec_dir)
        if eval_examples:  # in the train file's format, with its columns: name it
            eval_found, eval_labels = found, {_label(ex) for ex in eval_examples}
    labels = Counter(_label(ex) for ex in examples) if kind == "classification" else Counter()
    placeholder = path.with_name("eval" + path.suffix)
    return DataSummary(
        train=train, eval=eval_found, eval_placeholder=_relative(placeholder, spec_dir),
        labels=dict(sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))),
        eval_only_labels=tuple(sorted(eval_labels - set(labels))) if labels else (),
        longest_reply=max(len(ex.output) for ex in examples),
        longest_example=max(sum(len(m["content"]) for m in ex.messages) for ex in examples),
        has_system=all(ex.messages[0]["role"] == "system" for ex in examples),
        folder="" if path.resolve().parent.name in GENERIC_FOLDERS else path.resolve().parent.name,
    )


def guess_kind(path: Path, spec_dir: Path) -> str | None:
    """`classification` when the replies look like labels (few, short, repeated), else None."""
    train, examples = _read(path, detect(path), spec_dir)
    replies = Counter(_label(ex) for ex in examples)
    if examples and len(replies) <= max(2, len(examples) // 5) and max(map(len, replies)) <= 60:
        return "classification"
    return None


# -- writing the spec -----------------------------------------------------------------------------


def _block(head: str, entries: list, tail: str = "}") -> list[str]:
    """`head`, then entries: plain lines, or (code, comment) with the comments aligned; a comment
    that would make its line longer than WIDTH goes on the line above."""
    short = [len(e[0]) for e in entries if isinstance(e, tuple) and len(e[0]) <= 44]
    width = max(short, default=0)
    lines = [head]
    for e in entries:
        if isinstance(e, str):
            lines.append("  " + e if e else "")
            continue
        code, comment = e
        line = f"  {code:<{width}}  # {comment}" if comment else f"  {code}"
        lines += [f"  # {comment}", f"  {code}"] if len(line) > WIDTH else [line]
    return lines + [tail, ""]


def _wrap(comment: str) -> list[str]:
    """A comment as `#` lines of at most WIDTH characters."""
    import textwrap

    return ["# " + line for line in textwrap.wrap(comment, WIDTH)]


def _tokens(chars: int) -> int:
    return math.ceil(chars / 4)  # the data checks' estimate without a tokenizer


def _sizing(kind: str, data: DataSummary | None) -> tuple[str, str]:
    (low, high), (rec_low, rec_high) = SIZING[kind]
    unit = "per category" if kind == "classification" else "in total"
    if data is None:
        return "recommended", (f"the guide's recommended column for {KINDS[kind].row.lower()}: {rec_low}-{rec_high} "
                               f"{unit}; `minimum` asks {low}-{high} (Data Sizing Guidelines)")
    n = data.train.examples
    fewest = min(data.labels.values()) if data.labels else n
    most = max(data.labels.values(), default=n)
    spread = f"{fewest}" if fewest == most else f"{fewest}-{most}"
    counted = f"{n} examples, {len(data.labels)} labels, {spread} per label" if data.labels else f"{n} examples"
    if fewest >= rec_low:
        verdict, column = f"meets the guide's recommended {rec_low} {unit}", "recommended"
    elif fewest >= low:
        verdict, column = f"above the guide's minimum ({low} {unit}), below its recommended {rec_low}", "minimum"
    else:
        verdict, column = f"below the guide's minimum of {low} {unit}: collect more (SZ002)", "minimum"
    if n < FEWEST_EXAMPLES:
        verdict += "; under 100 examples, few-shot prompting will likely match it (SZ001)"
    return column, f"{counted}: {verdict}"


def _grad_accum(data: DataSummary | None) -> tuple[int, str]:
    """4, the guide's; less when the data is so small that a run would have under 30 steps (HP006)."""
    if data is None:
        return 4, "effective batch = batch_size x grad_accum = 16"
    trained = data.train.examples - math.ceil(data.train.examples * 0.15) - len(data.labels)  # a safe low count
    for accum in (4, 2, 1):
        steps = math.ceil(max(trained, 0) / (4 * accum)) * 3
        if steps >= MIN_STEPS:
            break
    note = f"effective batch {4 * accum}: about {steps} optimizer steps over 3 epochs"
    return accum, note + ("" if accum == 4 else f" (the guide's 4 would give fewer than {MIN_STEPS}, HP006)")


def _task(kind: str, name: str, data: DataSummary | None) -> list[str]:
    k = KINDS[kind]
    entries: list = [(f"kind   = {kind}", f"the guide's \"{k.row}\" row (Data Sizing Guidelines)"),
                     '# goal = "One sentence: what a correct reply is"']
    if kind == "classification":
        labels = data.labels if data else {}
        if labels and len(labels) <= MAX_LISTED_LABELS:
            listed = [quote(x) for x in labels]
            if len(", ".join(listed)) <= 80:
                entries.append((f"labels = [{', '.join(listed)}]", "from the training data"))
            else:
                entries += ["labels = [  # from the training data", *(f"  {x}," for x in listed), "]"]
        else:
            note = f"{len(labels)} labels in the training data" if labels else 'or the list: ["billing", "refund"]'
            entries.append(("labels = from_data", note))
        if data and data.eval_only_labels:
            entries.append("# in eval but not in train: " + ", ".join(quote(x) for x in data.eval_only_labels[:8]))
    entries.append((f"output = {k.output}", k.output_note))
    return _block(f"task {quote(name)} {{", entries)


def _data(kind: str, data: DataSummary | None) -> list[str]:
    split = "15% stratified" if kind == "classification" else "15%"
    split_note = "10-20% held out (Preventing Overfitting)"
    split_note += "; stratified: same label shares" if kind == "classification" else ""
    if data is None:
        train = ('train      = jsonl("data/train.jsonl")', 'chat examples, {"messages": [...]} a line (Data Format)')
        held = ('eval       = jsonl("data/eval.jsonl")', "held out: never trained on (no_contamination)")
    else:
        n = data.train.examples
        issues = f"; {data.train.issues} lines with format problems (DA001)" if data.train.issues else ""
        train = (f"train      = {data.train.call()}", f"{n} examples{issues}")
        if data.eval is not None:
            held = (f"eval       = {data.eval.call()}",
                    f"found beside it: {data.eval.examples} examples, never trained on")
        else:
            placeholder = Found(data.train.format, data.eval_placeholder, data.train.input, data.train.output,
                                data.train.delimiter)
            held = (f"eval       = {placeholder.call()}", "not found: hold examples out here, never trained on")
    system = ([] if data is not None and data.has_system else
              ['# system   = "..."   # a system prompt for the examples that have none'])
    return _block("data {", [train, held, (f"validation = {split}", split_note), *system])


def _quality(data: DataSummary | None) -> list[str]:
    tokens_note = "ftspec: fits common 2k-context small models"
    if data is not None and _tokens(data.longest_example) > 2048:
        tokens_note = f"the longest example is about {_tokens(data.longest_example)} tokens: raise this or shorten it"
    return _block("quality {", [
        "# The guide's Data Quality Checklist, each item a check (`ftspec check` runs them all).",
        ("duplicates      = error", "diversity: exact duplicates"),
        ("near_duplicates = warn 0.9", "diversity: near duplicates"),
        ("contamination   = error", "no_contamination: eval strictly separated from training"),
        ("conflicts       = error", "consistency: the same input with different outputs"),
        ("balance         = warn max_ratio 3", "balance: largest category / smallest"),
        ("max_tokens      = 2048", tokens_note),
    ])


def _training(data: DataSummary | None) -> list[str]:
    accum, accum_note = _grad_accum(data)
    return _block("training {", [
        "# The guide's Hyperparameter Guidelines, unless noted.",
        ("learning_rate = 2e-4", "the guide's 2e-5 is for full fine-tuning; LoRA trains ~10x higher"),
        ("epochs        = 3", "2-5 typical; watch for overfitting"),
        ("batch_size    = 4", "larger if memory allows"),
        (f"grad_accum    = {accum}", accum_note),
        ("warmup        = 10%", "5-10% of total steps"),
        ("weight_decay  = 0.01", "light regularization"),
        ("scheduler     = cosine", "cosine or linear both work"),
        ("max_grad_norm = 1.0", "gradient clipping"),
        ("early_stopping { patience = 3  metric = eval_loss }",
         "stop after 3 rounds without improvement (Training Monitoring)"),
        ("save_best     = true", "keep the best checkpoint, not the last (Training Monitoring)"),
        ("seed          = 42", "ftspec: a fixed seed makes runs repeatable"),
    ])


def _eval(kind: str, data: DataSummary | None) -> list[str]:
    k = KINDS[kind]
    metrics = ", ".join(DEFAULT_METRICS[kind])
    entries: list = [
        "# The guide's three-tier Evaluation Strategy.",
        (f"automated {{ metrics = [{metrics}] }}", "tier 1: task-specific metrics"),
        "compare {                      # tier 2: model comparison",
        "  base {}                      # vs_base_model",
        "  prompted_base { shots = 5 }  # vs_prompted_base: the baseline to beat (anti-pattern: no baseline)",
        "}",
    ]
    if kind == "style":
        entries += ["human {                        # tier 3: blind comparison by people (EV004)",
                    "  blind_pairs      = 50",
                    "  error_categories = [factual, format, reasoning, other]",
                    "  against          = prompted_base",
                    "}"]
    else:
        entries.append("# human { blind_pairs = 50 }   # tier 3: blind comparison by people")
    entries += [(f"accept {c}", note) for c, note in k.accept]
    tokens, note = k.max_new_tokens, f"ftspec: room for {k.reply}"
    if data is not None:
        longest = _tokens(data.longest_reply)
        tokens = max(16, math.ceil(longest * 1.25 / 16) * 16)  # a quarter more, in steps of 16
        note = f"the longest training reply is about {longest} tokens (characters / 4)"
    entries.append((f"max_new_tokens = {tokens}", note))
    return _block("eval {", entries)


def starter_text(kind: str, data_summary: DataSummary | None = None, name: str | None = None) -> str:
    """The starter spec for `kind`: the guide's defaults, each with a comment citing its source."""
    if kind not in KINDS:
        raise ValueError(f"unknown task kind {kind!r}: one of {', '.join(TASK_KINDS)}")
    k, data = KINDS[kind], data_summary
    column, sizing_note = _sizing(kind, data)
    lines = [
        "ftspec 1",
        "",
        f"# A starter spec for a {kind} task, written by `ftspec init`. Each value is the guide's",
        "# default (ftspec's where the guide has none), with the guide's section in the comment.",
        "# Paths are relative to this file. Next: ftspec lint, ftspec check, ftspec run.",
        "",
        *_task(kind, name or f"my-{kind}", data),
        *_block("decision {", [
            "# The guide's Decision Framework, answered and versioned with the spec.",
            ("needs_current_knowledge = false", "true: use RAG instead (DE001)"),
            ("task_stable             = true", "false: keep prompting, retraining is expensive (DE002)"),
            ("output_definable        = true", "false: do not fine-tune, it learns the inconsistency (DE003)"),
            (f"why     = {k.why}", f"\"Fine-tune when\": {k.why_note}"),
            ("retrain = quarterly", "anti-pattern: one-and-done training (AP002)"),
        ]),
        *_data(kind, data),
        *_quality(data),
        *_wrap(sizing_note),
        f"sizing = {column}",
        "",
        'model { base = "smollm2-135m-instruct" }   # 135M, runs on a laptop CPU (`ftspec models list`); use yours',
        "",
        *_block("adapter lora {", [
            "# LoRA, the most common PEFT method (Parameter-Efficient Fine-Tuning).",
            ("r       = 16", "the guide's start; 8-64 typical: higher = more capacity, more compute"),
            "# alpha derived: 2 * r, the guide's rule of thumb (write it to override)",
            ("dropout = 0.05", "regularization"),
            ("targets = [q_proj, k_proj, v_proj, o_proj]", "attention layers are highest impact"),
            ("bias    = none", ""),
        ]),
        *_training(data),
        *_eval(kind, data),
    ]
    return "\n".join(lines).rstrip() + "\n"


# -- the command ----------------------------------------------------------------------------------


def _task_name(text: str) -> str:
    """`text` as a task name (it names the build folder): other characters become `-`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=TASK_KINDS, default=None,
                        help="task kind (default: classification, or guessed from --data when its replies "
                             "look like labels)")
    parser.add_argument("--data", type=Path, default=None, metavar="PATH",
                        help="training data (.jsonl chat or alpaca, .json, .csv/.tsv): counted and named")
    parser.add_argument("--name", default=None, help="task name (default: the spec's file name, else the data's "
                        "folder)")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="SPEC",
                        help="write the spec here (default: print it)")
    parser.add_argument("--force", action="store_true", help="overwrite SPEC if it exists")


def main(args: argparse.Namespace) -> int:
    from ftspec.runtime.io import atomic_write_text

    out: Path | None = args.output
    if out is not None and out.exists() and not args.force:
        print(f"ftspec: {out} exists; --force overwrites it", file=sys.stderr)
        return 2
    spec_dir = out.parent if out is not None else Path.cwd()
    kind, summary = args.kind, None
    try:
        if args.data is not None:
            if kind is None:
                kind = guess_kind(args.data, spec_dir) if args.data.is_file() else "classification"
                if kind is None:
                    raise InitError(f"{args.data}: the replies are free text, not labels: say which kind "
                                    "with --kind extraction, style, reasoning or knowledge")
            summary = summarise(args.data, kind, spec_dir)
    except (InitError, OSError, UnicodeDecodeError) as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return 2
    kind = kind or "classification"
    candidates = [args.name, out.stem if out is not None else None, summary.folder if summary else None]
    name = next((_task_name(c) for c in candidates if c and _task_name(c)), f"my-{kind}")
    if args.name is not None and name != args.name:
        print(f"ftspec: task name `{args.name}` must be letters, digits, `-`, `_` or `.`", file=sys.stderr)
        return 2
    text = starter_text(kind, summary, name)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out, text)
        print(f"wrote {out}: a starter {kind} spec; next: ftspec lint {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="ftspec init", description="write a starter spec")
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
