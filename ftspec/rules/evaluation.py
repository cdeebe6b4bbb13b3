"""Evaluation rules: the three tiers, task metrics, the comparison ladder, held-out eval data
(guide: Evaluation Strategy)."""

from __future__ import annotations

import os
from pathlib import Path

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, Rule, rule

# Task-specific tier 1 metrics per kind: at least one must be computed (style: EV004 asks for people).
TASK_METRICS = {
    "classification": ("accuracy", "macro_f1", "f1"),
    "extraction": ("format_compliance",),
    "reasoning": ("exact_match", "accuracy"),
    "knowledge": ("exact_match", "f1", "rouge_l"),
}

CONTAMINATED_SHARE = 0.5  # this share of the eval examples found in the training data: the eval set lies inside it


@rule("EV001", "evaluation.no-eval-data", Severity.ERROR)
def no_eval_data(ctx: Context):
    """
    ## What it does
    Reports a spec with no held-out evaluation data (`data.eval`).

    ## Why is this bad?
    The guide's Evaluation Strategy has three tiers: automated metrics on the task,
    a comparison with the base model and the prompted base model, and human review.
    The first two are measured on examples the model never trained on; without them
    there is nothing to measure, and no way to show that fine-tuning improved
    anything (the anti-pattern "No evaluation baseline": "You cannot demonstrate
    improvement without a baseline"). The validation split is no substitute: it
    picks checkpoints, so its scores are not held out.

    ## Example
    ```
    data { train = jsonl("data/train.jsonl") }
    ```

    ## Use instead
    ```
    data { train = jsonl("data/train.jsonl")  eval = jsonl("data/eval.jsonl") }
    ```

    ## References
    - guide: Evaluation > Evaluation Strategy
    - guide: Data Preparation > Data Quality Checklist (no_contamination)
    - guide: Anti-Patterns (no evaluation baseline)
    """
    data = ctx.spec.data
    if data.eval:
        return
    yield Finding(
        "no eval data (`data.eval`): tiers 1 and 2 of the guide's evaluation have nothing held out "
        "to measure on, and no improvement can be shown",
        data.span,
        help='add `eval = jsonl("eval.jsonl")` to `data`: examples never trained on',
    )


@rule("EV002", "evaluation.no-task-metric", Severity.WARNING)
def no_task_metric(ctx: Context):
    """
    ## What it does
    Flags `eval.automated.metrics` written without a task-specific metric for the
    task kind: `accuracy`, `macro_f1` or `f1` for classification;
    `format_compliance` for extraction; `exact_match` or `accuracy` for reasoning;
    `exact_match`, `f1` or `rouge_l` for knowledge. Style tasks are left to EV004.
    Metrics left out are derived from the kind and always fit.

    ## Why is this bad?
    The guide's first tier of evaluation: "task_specific: Accuracy, F1, BLEU,
    ROUGE — whatever fits your task", and for structured output
    "format_compliance: Does output match required structure?". Loss alone, or a
    metric that does not fit the task, cannot say whether the model does the job.

    ## Example
    ```
    task "router" { kind = classification }
    eval { automated { metrics = [eval_loss, rouge_l] } }
    ```

    ## Use instead
    ```
    eval { automated { metrics = [accuracy, macro_f1, format_compliance] } }
    ```
    or leave `metrics` out: ftspec derives them from the kind.

    ## References
    - guide: Evaluation > Evaluation Strategy (task_specific, format_compliance)
    """
    kind = ctx.spec.task.kind
    automated = ctx.spec.eval.automated
    wanted = TASK_METRICS.get(kind)
    if wanted is None or automated.origin("metrics") != "user" or not automated.metrics:
        return
    if any(m in wanted for m in automated.metrics):
        return
    names = " or ".join(f"`{m}`" for m in wanted)
    written = ", ".join(automated.metrics)
    yield Finding(
        f"no task-specific metric for {kind} in [{written}]: the guide's tier 1 measures the task ({names})",
        automated.span_of("metrics"),
        help=f"add {names} to `metrics`, or leave `metrics` out to use the defaults for {kind}",
    )


@rule("EV003", "evaluation.missing-comparison", Severity.WARNING)
def missing_comparison(ctx: Context):
    """
    ## What it does
    Flags `compare { base = off }` and `compare { prompted_base = off }`: a rung of
    the guide's comparison ladder left out. One finding per rung turned off.

    ## Why is this bad?
    The guide's second tier of evaluation compares the fine-tuned model with the
    base model ("How much did fine-tuning improve over the base?") and with the
    prompted base model ("How much did fine-tuning improve over prompted base?").
    Without the prompted base, nothing shows that fine-tuning beat the cheaper
    alternative (the anti-pattern "Fine-tuning as first resort"); without the
    base, nothing shows what fine-tuning added at all.

    ## Example
    ```
    eval { compare { base = off  prompted_base = off } }
    ```

    ## Use instead
    ```
    eval { compare { base {}  prompted_base { shots = 5 } } }
    ```
    or leave `compare` out: both rungs are measured by default.

    ## References
    - guide: Evaluation > Evaluation Strategy (vs_base_model, vs_prompted_base)
    - guide: Anti-Patterns (no evaluation baseline)
    """
    compare = ctx.spec.eval.compare
    questions = {
        "base": "How much did fine-tuning improve over the base?",
        "prompted_base": "How much did fine-tuning improve over prompted base?",
    }
    for rung, question in questions.items():
        if getattr(compare, rung) is None:
            yield Finding(
                f"`{rung} = off`: the comparison with the {rung.replace('_', ' ')} model is not measured "
                f"(the guide asks: \"{question}\")",
                compare.span_of(rung),
                help=f"remove `{rung} = off`; the {rung.replace('_', ' ')} model is then measured on the eval set",
            )


@rule("EV004", "evaluation.style-without-human", Severity.WARNING)
def style_without_human(ctx: Context):
    """
    ## What it does
    Flags a style task (`kind = style`) with no human evaluation (`eval { human { ... } }`).

    ## Why is this bad?
    The guide's third tier of evaluation is human: "blind_comparison: Show humans
    outputs from different models, randomized". Tone and style are what automatic
    text metrics (ROUGE, BLEU) measure worst: a reply can share most of its words
    with the reference and still have the wrong voice, or none and be right.

    ## Example
    ```
    task "brand-voice" { kind = style }
    eval { accept fine_tuned.rouge_l >= prompted_base.rouge_l }
    ```

    ## Use instead
    ```
    task "brand-voice" { kind = style }
    eval {
      human { blind_pairs = 50  against = prompted_base }
      accept fine_tuned.rouge_l >= prompted_base.rouge_l
    }
    ```

    ## References
    - guide: Evaluation > Evaluation Strategy (human_evaluation, blind_comparison)
    """
    spec = ctx.spec
    if spec.task.kind != "style" or spec.eval.human is not None:
        return
    yield Finding(
        "a style task with no human evaluation: automatic text metrics miss tone; the guide's tier 3 "
        "shows people outputs in a blind comparison",
        spec.eval.span or spec.task.span_of("kind"),
        help="add `human { blind_pairs = 50 }` to `eval`",
    )


def _real(path: Path | str) -> Path:
    """The file a path names: `./data/../eval.jsonl` and `eval.jsonl` are one file."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written, normalised
        return Path(os.path.normpath(path))


def _same(a: Path, b: Path) -> bool:
    return _real(a) == _real(b)


@rule("EV005", "evaluation.eval-in-train", Severity.ERROR)
def eval_in_train(ctx: Context):
    """
    ## What it does
    Reports an eval source that is the same file as a training, general-purpose or
    validation source. When lint reads the data, also reports an eval file whose
    examples are mostly in the training data: at least half of them found in the
    training or validation examples (the contamination check of DA003).

    ## Why is this bad?
    The guide's anti-pattern "Training on your test set: Accidentally including
    evaluation examples in training data. This gives inflated metrics and false
    confidence." Its checklist: "no_contamination: Is your eval set strictly
    separated from training data?" Scores on examples the model was trained on
    measure memory, not skill, and every comparison built on them is void.

    ## Example
    ```
    data { train = jsonl("data/all.jsonl")  eval = jsonl("data/all.jsonl") }
    ```

    ## Use instead
    ```
    data { train = jsonl("data/train.jsonl")  eval = jsonl("data/eval.jsonl") }
    ```
    with the eval examples split off once, before training, and never trained on.

    ## References
    - guide: Anti-Patterns (training on your test set)
    - guide: Data Preparation > Data Quality Checklist (no_contamination)
    - guide: Evaluation > Evaluation Strategy
    """
    from ftspec.data.scan import resolve
    from ftspec.data.sources import SourceSpec

    data = ctx.spec.data
    if not data.eval:
        return
    base = ctx.base_dir
    others = [("train", s) for s in data.train] + [("general", s) for s in data.general or []]
    if data.validation.source is not None:
        others.append(("validation", data.validation.source))
    resolved = [(role, resolve(SourceSpec.of(s), base)) for role, s in others]
    flagged: set[Path] = set()
    for source in data.eval:
        path = resolve(SourceSpec.of(source), base)
        span = source.span or data.span_of("eval")
        same = next((role for role, other in resolved if _same(path, other)), None)
        if same is not None:
            flagged.add(_real(path))
            yield Finding(
                f"the eval file {source.path} is also a {same} source: the model is evaluated on what it trained on",
                span,
                help="split off eval examples into their own file, never trained on",
            )
    if ctx.data is None:
        return
    found: dict[str, set[int]] = {}
    for pair in ctx.data["contamination"]["pairs"]:
        ev = pair["eval"]
        found.setdefault(str(_real(ev["file"])), set()).add(ev["line"])
    for report in ctx.data["sources"]:
        if report["role"] != "eval" or not report["examples"]:
            continue
        path = _real(report["path"])
        inside = len(found.get(str(path), ()))
        if path in flagged or inside < CONTAMINATED_SHARE * report["examples"]:
            continue
        source = next((s for s in data.eval if _same(resolve(SourceSpec.of(s), base), path)), None)
        span = (source.span if source is not None else None) or data.span_of("eval")
        yield Finding(
            f"the eval set lies inside the training data: {inside} of its {report['examples']} examples "
            f"are found in the training or validation examples",
            span,
            help="split off eval examples the model never trains on; `ftspec check SPEC` lists the pairs",
        )


@rule("EV006", "evaluation.no-acceptance", Severity.WARNING)
def no_acceptance(ctx: Context):
    """
    ## What it does
    Flags a spec with no acceptance criteria (`accept ...` in `eval`).

    ## Why is this bad?
    The guide: "Fine-tune only when you have a clear, measurable gap that cheaper
    methods cannot close." An acceptance criterion writes that gap down: the score
    the fine-tuned model must reach, or its margin over the prompted base model.
    Without one, any result can be called a success, and nothing says when the
    fine-tuned model should not ship.

    ## Example
    ```
    eval { automated { metrics = [accuracy] } }
    ```

    ## Use instead
    ```
    eval {
      automated { metrics = [accuracy] }
      accept fine_tuned.accuracy >= prompted_base.accuracy + 0.05
    }
    ```

    ## References
    - guide: Philosophy (a clear, measurable gap)
    - guide: Evaluation > Evaluation Strategy (vs_prompted_base)
    """
    spec = ctx.spec
    if spec.eval.accept:
        return
    metric = (spec.eval.automated.metrics or ["accuracy"])[0]
    yield Finding(
        "no acceptance criteria: nothing says what result would justify the fine-tuned model",
        spec.eval.span,
        help=f"add to `eval`: `accept fine_tuned.{metric} >= prompted_base.{metric} + 0.05`",
    )


def _rungs(criterion) -> list[str]:
    terms = [*criterion.left, *criterion.right]
    return list(dict.fromkeys(t.rung for t in terms if t.rung is not None))


@rule("EV007", "evaluation.accept-uncompared-rung", Severity.ERROR)
def accept_uncompared_rung(ctx: Context):
    """
    ## What it does
    Reports an acceptance criterion that refers to a model the comparison does not
    measure: `base` or `prompted_base` turned off in `compare`, or `larger` with no
    `compare { larger { ... } }` block.

    ## Why is this bad?
    The criterion can never be decided: the run has no score for that model, so the
    fine-tuned model is neither accepted nor rejected. The guide's second tier
    names the models to compare with (base, prompted base, larger); a criterion
    is only as good as the comparison behind it.

    ## Example
    ```
    eval {
      compare { prompted_base = off }
      accept fine_tuned.accuracy >= prompted_base.accuracy + 0.05
    }
    ```

    ## Use instead
    ```
    eval {
      compare { prompted_base { shots = 5 } }
      accept fine_tuned.accuracy >= prompted_base.accuracy + 0.05
    }
    ```

    ## References
    - guide: Evaluation > Evaluation Strategy (model_comparison)
    """
    compare = ctx.spec.eval.compare
    measured = {"fine_tuned": True, "base": compare.base is not None,
                "prompted_base": compare.prompted_base is not None, "larger": compare.larger is not None}
    for criterion in ctx.spec.eval.accept:
        missing = [r for r in _rungs(criterion) if not measured.get(r, True)]
        if not missing:
            continue
        why = ", ".join(
            f"`{r}` has no `compare {{ larger {{ model = ... }} }}` block" if r == "larger" else f"`{r} = off`"
            for r in missing)
        names = " and ".join(f"`{r}`" for r in missing)
        fix = " and ".join(
            "add `larger { model = \"...\" }` to `compare`" if r == "larger" else f"remove `{r} = off`"
            for r in missing)
        yield Finding(
            f"`accept {criterion.text}` refers to {names}, which is not measured ({why}): "
            "the criterion can never be decided",
            criterion.span or ctx.spec.eval.span,
            help=f"{fix}, or compare with a rung that is measured",
        )


@rule("EV008", "evaluation.accept-unmeasured-metric", Severity.ERROR)
def accept_unmeasured_metric(ctx: Context):
    """
    ## What it does
    Reports an acceptance criterion that uses a metric tier 1 does not compute: one
    not in `eval.automated.metrics` (written, or derived from the task kind).

    ## Why is this bad?
    Only the metrics of `automated.metrics` are measured on the eval set, for every
    model of the comparison. A criterion on another metric has no value to compare,
    so it can never be decided, and the run cannot say whether the fine-tuned model
    meets the measurable gap the guide asks for.

    ## Example
    ```
    task "router" { kind = classification }
    eval { accept fine_tuned.exact_match >= 0.9 }
    ```
    (classification computes `accuracy`, `macro_f1` and `format_compliance`).

    ## Use instead
    ```
    eval {
      automated { metrics = [accuracy, macro_f1, format_compliance, exact_match] }
      accept fine_tuned.exact_match >= 0.9
    }
    ```

    ## References
    - guide: Evaluation > Evaluation Strategy (automated_metrics)
    """
    automated = ctx.spec.eval.automated
    computed = list(automated.metrics or [])
    for criterion in ctx.spec.eval.accept:
        terms = [*criterion.left, *criterion.right]
        missing = list(dict.fromkeys(t.metric for t in terms
                                     if t.rung is not None and t.metric is not None and t.metric not in computed))
        if not missing:
            continue
        names = " and ".join(f"`{m}`" for m in missing)
        where = "written" if automated.origin("metrics") == "user" else f"derived for {ctx.spec.task.kind}"
        yield Finding(
            f"`accept {criterion.text}` uses {names}, which tier 1 does not compute "
            f"(`automated.metrics`, {where}: {', '.join(computed)}): the criterion can never be decided",
            criterion.span or ctx.spec.eval.span,
            help=f"add {names} to `eval {{ automated {{ metrics = [...] }} }}`, or use a computed metric",
        )


RULES: list[Rule] = [no_eval_data, no_task_metric, missing_comparison, style_without_human, eval_in_train,
                     no_acceptance, accept_uncompared_rung, accept_unmeasured_metric]
