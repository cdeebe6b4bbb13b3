"""Decision rules: the guide's "Do NOT fine-tune when" list and its six-step decision tree
(guide: The Decision Framework: When to Fine-Tune)."""

from __future__ import annotations

import json
import math
import operator
import re
from pathlib import Path

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule

LARGE_MODEL = 8e9  # parameters: above this, a model is "large" for latency or cost (the guide's 7B vs 70B)


@rule("DE001", "decision.needs-current-knowledge", Severity.ERROR)
def needs_current_knowledge(ctx: Context):
    """
    ## What it does
    Refuses a spec that declares `needs_current_knowledge = true`: the task's answers
    depend on up-to-date facts.

    ## Why is this bad?
    The guide (The Decision Framework, "Do NOT fine-tune when", 2): "Your task requires
    up-to-date knowledge. Use RAG instead." Step 2 of its decision tree: "Does it need
    external knowledge? -> RAG". Fine-tuning freezes what the model knows on the day it
    is trained; the facts move on and the model keeps answering with the old ones.

    ## Example
    ```
    decision { needs_current_knowledge = true }
    ```

    ## Use instead
    Retrieve the current facts at question time (RAG) and prompt the base model with
    them. Fine-tune only for what does not change (a format, a style), and then write:
    ```
    decision { needs_current_knowledge = false  why = format }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (do NOT fine-tune 2; decision tree step 2)
    """
    decision = ctx.spec.decision
    if decision.needs_current_knowledge:
        yield Finding(
            "the task needs up-to-date knowledge: the guide says use retrieval (RAG), not fine-tuning",
            decision.span_of("needs_current_knowledge"),
            help="use retrieval (RAG) to give the model current facts; fine-tune only for what does not change",
        )


@rule("DE002", "decision.unstable-task", Severity.ERROR)
def unstable_task(ctx: Context):
    """
    ## What it does
    Refuses a spec that declares `task_stable = false`: the task changes often.

    ## Why is this bad?
    The guide (The Decision Framework, "Do NOT fine-tune when", 4): "Your task changes
    frequently. Re-training is expensive; updating a prompt is free." Step 4 of its
    decision tree: "Is the task pattern stable? -> If no, stick with prompts".

    ## Example
    ```
    decision { task_stable = false }
    ```

    ## Use instead
    Keep prompting while the task still changes; fine-tune once its pattern has settled:
    ```
    decision { task_stable = true  why = pattern }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (do NOT fine-tune 4; decision tree step 4)
    """
    decision = ctx.spec.decision
    if not decision.task_stable:
        yield Finding(
            "the task changes often: re-training is expensive, updating a prompt is free (the guide)",
            decision.span_of("task_stable"),
            help="keep prompting until the task is stable, then fine-tune",
        )


@rule("DE003", "decision.undefinable-output", Severity.ERROR)
def undefinable_output(ctx: Context):
    """
    ## What it does
    Refuses a spec that declares `output_definable = false`: nobody can say what a
    correct output is.

    ## Why is this bad?
    The guide (The Decision Framework, "Do NOT fine-tune when", 5): "You cannot clearly
    define 'correct' output. If you cannot label data consistently, fine-tuning will
    learn your inconsistency."

    ## Example
    ```
    decision { output_definable = false }
    ```

    ## Use instead
    Write a labelling guideline until two experts agree on the outputs (the guide's
    consistency check), then:
    ```
    task "t" { kind = classification  goal = "Route a message to the team that owns it" }
    decision { output_definable = true }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (do NOT fine-tune 5)
    - guide: Data Preparation > Data Quality Checklist (consistency)
    """
    decision = ctx.spec.decision
    if not decision.output_definable:
        yield Finding(
            "correct output cannot be defined: you cannot label consistently, and fine-tuning "
            "will learn the inconsistency (the guide)",
            decision.span_of("output_definable"),
            help="define what a correct output is (a labelling guideline two experts agree on) before fine-tuning",
        )


@rule("DE004", "decision.no-prompt-baseline", Severity.ERROR)
def no_prompt_baseline(ctx: Context):
    """
    ## What it does
    Requires a prompt baseline: a measurement by `ftspec baseline` (the file
    `SPEC.baseline.json` beside the spec, still matching it), a declared score
    (`decision { prompt_baseline { score = ... } }`), or eval data (`data.eval`) with the
    prompted base model left in the comparison (`eval.compare.prompted_base`, on by
    default), so that ftspec measures the baseline itself.

    ## Why is this bad?
    The guide's first "Do NOT fine-tune when": "You have not tried good prompts first.
    Most teams underinvest in prompt engineering." Step 1 of its decision tree: "Can you
    solve it with a better prompt? -> Try that first". And the anti-pattern "No
    evaluation baseline": "You cannot demonstrate improvement without a baseline."

    ## Example
    ```
    data { train = jsonl("data/train.jsonl") }
    ```

    ## Use instead
    Let ftspec measure the prompted base model on held-out eval data:
    ```
    data { train = jsonl("data/train.jsonl")  eval = jsonl("data/eval.jsonl") }
    ```
    or declare the score of your best prompt:
    ```
    decision { prompt_baseline { metric = accuracy  score = 0.41  shots = 5 } }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (do NOT fine-tune 1; decision tree step 1)
    - guide: Anti-Patterns (no evaluation baseline; fine-tuning as first resort)
    - guide: Evaluation > Evaluation Strategy (vs_prompted_base)
    """
    spec = ctx.spec
    baseline = spec.decision.prompt_baseline
    if baseline is not None and baseline.score is not None:
        return
    measured = ctx.baseline
    if measured is not None and measured.usable and "prompted_base" in measured.rungs:
        return
    has_eval = bool(spec.data.eval)
    prompted_on = spec.eval.compare.prompted_base is not None
    if has_eval and prompted_on:
        return
    if has_eval:
        why = "`prompted_base = off` stops ftspec measuring one on the eval data"
        span = spec.eval.compare.span_of("prompted_base")
    elif prompted_on:
        why = "the spec has no eval data (`data.eval`) to measure one on"
        span = (baseline.span if baseline is not None else None) or spec.decision.span or spec.data.span
    else:
        why = "the spec has no eval data (`data.eval`) and `prompted_base = off`"
        span = (baseline.span if baseline is not None else None) or spec.decision.span or spec.data.span
    yield Finding(
        f"no prompt baseline: `decision.prompt_baseline.score` is not declared and {why}",
        span,
        help="declare `decision { prompt_baseline { metric = accuracy  score = 0.41 } }`, or add "
        "`eval = jsonl(\"...\")` to `data` and keep `eval.compare.prompted_base` on so ftspec measures it",
    )


_OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
        "==": math.isclose, "!=": lambda a, b: not math.isclose(a, b)}
_MIRROR = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}


def _absolute_target(criterion, metric: str) -> tuple[str, float] | None:
    """(op, number) when the criterion is `fine_tuned.<metric> OP numbers` (or its mirror)."""

    def alone(side):
        return len(side) == 1 and side[0].sign == 1 and side[0].rung == "fine_tuned" and side[0].metric == metric

    def numbers(side):
        if not side or any(t.rung is not None or t.number is None for t in side):
            return None
        return round(sum(t.sign * t.number for t in side), 9)  # 0.9 - 5% is 0.85, not 0.8500000000000001

    if alone(criterion.left) and (value := numbers(criterion.right)) is not None:
        return criterion.op, value
    if alone(criterion.right) and (value := numbers(criterion.left)) is not None:
        return _MIRROR[criterion.op], value
    return None


@rule("DE005", "decision.baseline-meets-target", Severity.ERROR)
def baseline_meets_target(ctx: Context):
    """
    ## What it does
    Compares the prompt baseline with the acceptance criteria that set an absolute target
    on the same metric (`accept fine_tuned.accuracy >= 0.85`): when the baseline's score
    already meets such a target, fine-tuning is not justified. The baseline is the one
    measured by `ftspec baseline` when its record still matches the spec (then every
    metric it measured is compared), else the declared `decision.prompt_baseline`; the
    message says which.

    ## Why is this bad?
    The guide: "Fine-tune only when you have a clear, measurable gap that cheaper methods
    cannot close." If the prompted model already reaches the target, there is no gap:
    the anti-pattern "Fine-tuning as first resort", where prompt engineering is "faster,
    cheaper, and often sufficient".

    ## Example
    ```
    decision { prompt_baseline { metric = accuracy  score = 0.91 } }
    eval { accept fine_tuned.accuracy >= 0.85 }
    ```

    ## Use instead
    Ship the prompt. Or, if the target was set too low, set the one the product needs,
    above the baseline, or a gain over the prompted base model:
    ```
    eval { accept fine_tuned.accuracy >= prompted_base.accuracy + 0.05 }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (decision tree step 1; fine-tune when 5)
    - guide: Anti-Patterns (fine-tuning as first resort)
    """
    spec = ctx.spec
    for metric, score, which in _baseline_scores(ctx):
        for criterion in spec.eval.accept:
            target = _absolute_target(criterion, metric)
            if target is None:
                continue
            op, value = target
            if _OPS[op](score, value):
                yield Finding(
                    f"the prompt baseline ({which}) has {metric} {score:.4g}, which already meets "
                    f"`accept {criterion.text}`: fine-tuning is not justified",
                    criterion.span or spec.eval.span,
                    help="ship the prompt; or set a target above the baseline "
                    f"(e.g. `accept fine_tuned.{metric} >= prompted_base.{metric} + 0.05`)",
                )


def _baseline_scores(ctx: Context):
    """(metric, score, which) of the prompt baseline: measured if usable, else declared."""
    measured = ctx.baseline
    if measured is not None and measured.usable and "prompted_base" in measured.rungs:
        for metric in measured.rungs["prompted_base"].get("metrics", {}):
            score = measured.score(metric)
            if score is not None:
                yield metric, score, measured.describe()
        return
    declared = ctx.spec.decision.prompt_baseline
    if declared is not None and declared.score is not None:
        yield declared.metric, declared.score, "declared in `decision.prompt_baseline`"


@rule("DE008", "decision.stale-baseline", Severity.WARNING)
def stale_baseline(ctx: Context):
    """
    ## What it does
    Flags a baseline record (`SPEC.baseline.json`, written by `ftspec baseline`) that no
    longer matches the spec: the model, the eval or train data, the system prompt, the
    number of shots or the decoding changed since it was measured, or it measured only
    part of the eval set (`--limit`). The decision rules then fall back to the declared
    baseline, and `ftspec run` measures the base rungs again.

    ## Why is this bad?
    The guide's anti-pattern "No evaluation baseline": "You cannot demonstrate improvement
    without a baseline." A baseline of another model or another eval set is not a baseline
    for this one: a decision taken on it compares two different things.

    ## Example
    The spec's `model.base` changed from SmolLM2-135M to SmolLM2-360M after
    `ftspec baseline` ran.

    ## Use instead
    Measure again: `ftspec baseline SPEC`, and commit the new record with the spec.

    ## References
    - guide: Anti-Patterns (no evaluation baseline)
    - guide: Evaluation > Evaluation Strategy (vs_prompted_base)
    """
    measured = ctx.baseline
    if measured is None or measured.usable:
        return
    why = measured.problem or "; ".join(measured.stale)
    yield Finding(
        f"the measured baseline {measured.path.name} no longer holds for this spec: {why}",
        ctx.spec.decision.span_of("prompt_baseline") or ctx.spec.data.span_of("eval") or ctx.anchor,
        help=f"measure it again with `ftspec baseline {Path(ctx.document.path).name}` and commit the new record",
    )


@rule("DE006", "decision.no-reason", Severity.WARNING)
def no_reason(ctx: Context):
    """
    ## What it does
    Flags a spec that does not say why it fine-tunes: `decision.why` is empty.

    ## Why is this bad?
    The guide's philosophy: "Fine-tune only when you have a clear, measurable gap that
    cheaper methods cannot close." Its "Fine-tune when" list names five reasons: an
    output format prompting cannot produce (`format`), knowledge not in the base model
    (`domain`), latency or cost that need a smaller model (`latency`, `cost`),
    consistent patterned tasks (`pattern`), and prompting that has plateaued on a
    proper evaluation set (`plateau`). A spec that names none has not made the case, and
    reviewers cannot check it.

    ## Example
    ```
    decision { prompt_baseline { score = 0.41 } }
    ```

    ## Use instead
    ```
    decision { prompt_baseline { score = 0.41 }  why = [format, latency] }
    ```

    ## References
    - guide: The Decision Framework: When to Fine-Tune (fine-tune when)
    - guide: Anti-Patterns (fine-tuning as first resort)
    """
    decision = ctx.spec.decision
    if not decision.why:
        yield Finding(
            "the spec does not say why it fine-tunes (`decision.why` is empty)",
            decision.span_of("why"),
            help="name the guide's reason: why = format | domain | latency | cost | pattern | plateau",
        )


_SIZE = re.compile(r"(?:(\d+)x)?(\d+(?:\.\d+)?)([bm])", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-_/\s:]+")


def params_from_name(name: str) -> float | None:
    """Parameters named in a model id: `Llama-3-70B-Instruct` 70e9, `Mixtral-8x7B` 56e9,
    `SmolLM2-135M` 135e6; the first such token counts. None when the name says no size."""
    for token in _SEPARATORS.split(name):
        m = _SIZE.fullmatch(token)
        if m:
            experts = int(m.group(1)) if m.group(1) else 1
            unit = 1e9 if m.group(3).lower() == "b" else 1e6
            return experts * float(m.group(2)) * unit
    return None


def _positive(cfg: dict, *keys: str) -> int | None:
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


def params_from_config(cfg: dict) -> float | None:
    """An estimate of a decoder's parameters from its config.json: embeddings, attention and
    MLP (gated when `intermediate_size` is given; times the experts of a mixture). None when
    the config lacks the sizes."""
    if isinstance(cfg.get("text_config"), dict):
        cfg = cfg["text_config"]  # a multimodal model: its language model
    hidden = _positive(cfg, "hidden_size", "n_embd", "d_model")
    layers = _positive(cfg, "num_hidden_layers", "n_layer", "num_layers")
    if hidden is None or layers is None:
        return None
    vocab = _positive(cfg, "vocab_size") or 0
    heads = _positive(cfg, "num_attention_heads", "n_head") or 1
    kv_heads = _positive(cfg, "num_key_value_heads") or heads
    head_dim = _positive(cfg, "head_dim") or hidden // heads
    gated = _positive(cfg, "intermediate_size") is not None
    inner = _positive(cfg, "moe_intermediate_size", "intermediate_size", "n_inner", "ffn_dim") or 4 * hidden
    experts = _positive(cfg, "num_local_experts", "num_experts", "n_routed_experts") or 1
    attention = 2 * hidden * heads * head_dim + 2 * hidden * kv_heads * head_dim
    mlp = (3 if gated else 2) * hidden * inner * experts
    tied = cfg.get("tie_word_embeddings", True) is not False
    return float(layers * (attention + mlp) + vocab * hidden * (1 if tied else 2))


def model_params(ctx: Context) -> tuple[float, str] | None:
    """(parameters, how they were found) for the base model: estimated from a local folder's
    config.json, else read from the model's name. None when unknown."""
    base = ctx.spec.model.base
    try:
        config = Path(ctx.base_dir) / base / "config.json"
        if config.is_file():
            cfg = json.loads(config.read_text(encoding="utf-8"))
            if isinstance(cfg, dict) and (params := params_from_config(cfg)) is not None:
                return params, "estimated from its config.json"
    except (OSError, ValueError):
        pass
    params = params_from_name(base)
    return (params, "from its name") if params is not None else None


def _size(params: float) -> str:
    if params >= 1e9:
        return f"{round(params / 1e9, 1):g}B"
    return f"{round(params / 1e6):g}M"


@rule("DE007", "decision.large-model-for-latency", Severity.WARNING)
def large_model_for_latency(ctx: Context):
    """
    ## What it does
    Flags a spec that gives latency or cost as its reason (`why = latency` or `cost`)
    and fine-tunes a base model of more than 8B parameters. The size is read from the
    model's name (`Llama-3-70B-Instruct`, `Mixtral-8x7B`), or estimated from the
    `config.json` of a local model folder; an unknown size is not reported.

    ## Why is this bad?
    The guide's third reason to fine-tune is "Latency or cost requires a smaller model
    and you need to compress a large model's capability into a smaller one", and step 5
    of its decision tree: "Is latency/cost critical? -> Fine-tune smaller model". Its Cost
    Optimization: "Start with smaller models. Fine-tuned 7B often beats prompted 70B."
    Fine-tuning a 70B model keeps the latency and the serving cost that were the reason.

    ## Example
    ```
    decision { why = [latency, cost] }
    model { base = "meta-llama/Meta-Llama-3-70B-Instruct" }
    ```

    ## Use instead
    ```
    decision { why = [latency, cost] }
    model { base = "meta-llama/Meta-Llama-3-8B-Instruct" }
    ```
    and compare it with the large model: `eval { compare { larger { model = "..." } } }`.

    ## References
    - guide: The Decision Framework: When to Fine-Tune (fine-tune when 3; decision tree step 5)
    - guide: Deployment > Cost Optimization (start with smaller models)
    """
    spec = ctx.spec
    reasons = [r for r in spec.decision.why if r in ("latency", "cost")]
    if not reasons:
        return
    found = model_params(ctx)
    if found is None:
        return
    params, how = found
    # An estimate from a config is not exact: an "8B" model is 8.03B by its config.
    if params <= (LARGE_MODEL * 1.05 if how.startswith("estimated") else LARGE_MODEL):
        return
    yield Finding(
        f"`why` gives {' and '.join(reasons)}, but the base model `{spec.model.base}` has about "
        f"{_size(params)} parameters ({how}): more than {_size(LARGE_MODEL)}",
        spec.model.span_of("base"),
        help="fine-tune a smaller model (8B or less): the guide: \"Fine-tuned 7B often beats prompted 70B\"",
    )


RULES = [needs_current_knowledge, unstable_task, undefinable_output, no_prompt_baseline, baseline_meets_target,
         no_reason, large_model_for_latency, stale_baseline]
