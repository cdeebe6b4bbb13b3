"""Data rules: the cheap data checks as lint diagnostics, at the spec's data line.

They read the report of `ftspec.data.checks` (cached by file content), which the
lint pipeline puts in `Context.data`; `ftspec lint --no-data` leaves it out and
these rules then say nothing.
"""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule

_LEVEL = {"error": Severity.ERROR, "warn": Severity.WARNING}


def _source_span(ctx: Context, path: str):
    """The span of the source in the spec whose file is `path` (the data line)."""
    from ftspec.data.scan import resolve
    from ftspec.data.sources import SourceSpec

    data = ctx.spec.data
    named = [("train", s) for s in data.train] + [("eval", s) for s in data.eval or []]
    named += [("general", s) for s in data.general or []]
    if data.validation.source is not None:
        named.append(("validation", data.validation.source))
    base = ctx.base_dir
    for key, source in named:
        spec = SourceSpec.of(source)
        if str(resolve(spec, base)) == path:
            return source.span or data.span_of(key)
    return data.span


def _short(path: str, ctx: Context) -> str:
    try:
        from pathlib import Path

        return str(Path(path).relative_to(ctx.base_dir))
    except ValueError:
        return path


@rule("DA001", "data.format-errors", Severity.ERROR)
def format_errors(ctx: Context):
    """
    ## What it does
    Reports data files with format errors: invalid JSON or encoding, examples that are
    not chat objects, messages without role or content, unknown roles or keys, empty
    turns, no assistant reply or one that is not last, CSV rows that do not fit.

    ## Why is this bad?
    The guide: "Garbage in, fine-tuned garbage out". A broken line stops training
    hours in, or is silently trained on in a form the model should never learn.

    ## Example
    ```
    {"messages": [{"role": "user", "content": "Where is my card?"}]}
    ```

    ## Use instead
    ```
    {"messages": [{"role": "user", "content": "Where is my card?"}, {"role": "assistant", "content": "card_arrival"}]}
    ```
    `ftspec check SPEC` lists every problem with its line.

    ## References
    - guide: Anti-Patterns (garbage in, fine-tuned garbage out)
    - guide: Data Preparation > Data Format
    """
    if ctx.data is None:
        return
    for source in ctx.data["sources"]:
        errors = source["format_errors"]
        issues = [i for i in errors["issues"] if i["category"] != "file_not_found"]
        total = errors["total"] - errors.get("file_not_found", 0)
        if not total:
            continue
        first = issues[0]
        more = f" ({total - 1} more; `ftspec check` lists them)" if total > 1 else ""
        yield Finding(f"{_short(first['file'], ctx)}:{first['line']}: {first['message']}{more}",
                      _source_span(ctx, source["path"]),
                      help="fix the data file; the examples around a bad line are still read")


@rule("DA002", "data.duplicates", Severity.ERROR)
def duplicates(ctx: Context):
    """
    ## What it does
    Reports training examples that are exact duplicates of an earlier one once
    whitespace, case and Unicode form are normalised. Severity follows
    `quality { duplicates = error | warn | off }`.

    ## Why is this bad?
    Duplicates weight some examples more than others and leak between the training and
    validation splits, which makes validation loss look better than it is. The guide's
    checklist asks for diversity.

    ## Example
    ```
    {"messages": [..., {"role": "user", "content": "Where is my card?"}, ...]}
    {"messages": [..., {"role": "user", "content": "where is my  card?"}, ...]}
    ```

    ## Use instead
    Keep one; `ftspec check SPEC --write-clean DIR` writes a copy without them.

    ## References
    - guide: Data Preparation > Data Quality Checklist (diversity)
    """
    yield from _pairs(ctx, "duplicates", "duplicate", "is a duplicate of", ctx.spec.quality.duplicates.level)


@rule("DA003", "data.contamination", Severity.ERROR)
def contamination(ctx: Context):
    """
    ## What it does
    Reports training or validation examples whose input also appears in the eval set:
    the same text once normalised, or most of its word 5-grams. Inputs shorter than four
    words and twenty characters are never reported. Severity follows
    `quality { contamination = ... }`.

    ## Why is this bad?
    The guide's anti-pattern "Training on your test set": inflated metrics and false
    confidence. The evaluation would measure memory, not skill.

    ## Example
    An eval message `Is there a fee for topping up by bank transfer?` also in train.jsonl.

    ## Use instead
    Remove it from the training data (`ftspec check SPEC --write-clean DIR`).

    ## References
    - guide: Anti-Patterns (training on your test set)
    - guide: Data Preparation > Data Quality Checklist (no_contamination)
    """
    if ctx.data is None:
        return
    level = ctx.spec.quality.contamination.level
    found = ctx.data["contamination"]
    if level == "off" or not found["count"]:
        return
    first = found["pairs"][0]
    ex, ev = first["example"], first["eval"]
    more = f" ({found['count'] - 1} more)" if found["count"] > 1 else ""
    yield Finding(
        f"{_short(ex['file'], ctx)}:{ex['line']} ({ex['side']}) repeats eval example "
        f"{_short(ev['file'], ctx)}:{ev['line']} ({first['kind']}, overlap {first['overlap']}){more}",
        _source_span(ctx, ex["file"]), help="remove eval examples from the training data", severity=_LEVEL[level])


@rule("DA004", "data.conflicts", Severity.ERROR)
def conflicts(ctx: Context):
    """
    ## What it does
    Reports examples with the same input as an earlier one and a different output.
    Severity follows `quality { conflicts = ... }`.

    ## Why is this bad?
    The guide's consistency check: "Would two domain experts label this the same way?"
    If your data answers the same question two ways, the model learns your inconsistency.

    ## Example
    ```
    "I lost my card on the bus" -> lost_or_stolen_card
    "I lost my card on the bus" -> card_arrival
    ```

    ## Use instead
    Decide the right answer, clarify the labelling guideline, fix the data.

    ## References
    - guide: Data Preparation > Data Quality Checklist (consistency)
    - guide: The Decision Framework (do NOT fine-tune 5: cannot define correct output)
    """
    yield from _pairs(ctx, "conflicts", "conflict", "gives a different output than", ctx.spec.quality.conflicts.level)


def _pairs(ctx: Context, key: str, side: str, verb: str, level: str):
    if ctx.data is None or level == "off" or not ctx.data[key]["count"]:
        return
    found = ctx.data[key]
    first = found["pairs"][0]
    a, b = first["first"], first[side]
    more = f" ({found['count'] - 1} more; `ftspec check` lists them)" if found["count"] > 1 else ""
    yield Finding(f"{_short(b['file'], ctx)}:{b['line']} {verb} line {a['line']}{more}",
                  _source_span(ctx, b["file"]), help="`ftspec check SPEC` lists every pair",
                  severity=_LEVEL[level])


@rule("DA005", "data.file-not-found", Severity.WARNING)
def file_not_found(ctx: Context):
    """
    ## What it does
    Reports a data file the spec names that does not exist (paths are relative to the
    spec's folder). The data rules could not check it.

    ## Why is this bad?
    Nothing about that data was checked; training would stop at it.

    ## Example
    ```
    data { train = jsonl("data/trian.jsonl") }
    ```

    ## Use instead
    ```
    data { train = jsonl("data/train.jsonl") }
    ```
    Where the data is deliberately absent (a CI job without it), lint with `--no-data`.

    ## References
    - guide: Data Preparation
    """
    if ctx.data is None:
        return
    for source in ctx.data["sources"]:
        if source["format_errors"].get("file_not_found"):
            yield Finding(f"data file not found: {_short(source['path'], ctx)}; its data rules were not checked",
                          _source_span(ctx, source["path"]),
                          help="check the path (relative to the spec's folder), or lint with --no-data")


RULES = [format_errors, duplicates, contamination, conflicts, file_not_found]
