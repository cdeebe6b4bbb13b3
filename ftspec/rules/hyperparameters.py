"""Hyperparameter rules (guide: Hyperparameter Guidelines, Cost Optimization)."""

from __future__ import annotations

import math

from ftspec.diagnostics import Severity
from ftspec.rules import counts
from ftspec.rules.base import Context, Finding, rule

MAX_EPOCHS = 5
WARMUP_MIN, WARMUP_MAX = 0.05, 0.10


@rule("HP001", "hyperparameters.epochs-range", Severity.WARNING)
def epochs_range(ctx: Context):
    """
    ## What it does
    Flags training for more than 5 epochs.

    ## Why is this bad?
    The guide (Hyperparameter Guidelines): "2-5 epochs typical. Watch for
    overfitting", and under Preventing Overfitting: "Train for fewer epochs
    (try 1-2 before going to 3+)". Past 5 epochs a small dataset is memorised:
    training loss keeps falling while validation loss rises.

    ## Example
    ```
    training { epochs = 10 }
    ```

    ## Use instead
    ```
    training { epochs = 3  early_stopping { patience = 3 } }
    ```

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    - guide: Evaluation > Preventing Overfitting
    """
    training = ctx.spec.training
    if training.epochs > MAX_EPOCHS:
        yield Finding(
            f"{training.epochs:g} epochs is beyond the guide's typical 2-{MAX_EPOCHS}",
            training.span_of("epochs"),
            help="try 1-3 epochs with early stopping; add data rather than epochs",
        )


@rule("HP002", "hyperparameters.warmup-range", Severity.WARNING)
def warmup_range(ctx: Context):
    """
    ## What it does
    Flags a warmup outside the guide's 5-10% of total steps.

    ## Why is this bad?
    The guide (Hyperparameter Guidelines): `"warmup_ratio": 0.1  # 5-10% of
    total steps`. Without warmup the first updates, taken with a cold
    optimiser state, can wreck the pretrained weights (the guide's "catastrophic
    forgetting"); a long warmup spends much of a short run at a tiny learning rate.

    ## Example
    ```
    training { warmup = 30% }
    ```

    ## Use instead
    ```
    training { warmup = 10% }
    ```

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    """
    training = ctx.spec.training
    if WARMUP_MIN <= training.warmup <= WARMUP_MAX:
        return
    yield Finding(
        f"warmup of {training.warmup * 100:g}% is outside the guide's {WARMUP_MIN * 100:g}-{WARMUP_MAX * 100:g}%",
        training.span_of("warmup"),
        help="use warmup = 10%",
    )



# Typical learning rates: full fine-tuning around the guide's 2e-5; LoRA and QLoRA about 10x that.
LR_RANGE = {"full": (5e-6, 1e-4), "adapter": (5e-5, 5e-4)}
LR_START = {"full": 2e-5, "adapter": 2e-4}  # the starting values (the spec's defaults)
LR_SMALL_DATA = {"full": 1e-5, "adapter": 1e-4}  # "Lower (1e-5) for smaller datasets"
MAX_GRAD_NORM = 5.0
MIN_STEPS = 30


def _lr(x: float) -> str:
    """A learning rate as written in the guide: 2e-5, 1.5e-4; 0.01 and up as decimals."""
    if x >= 1e-2:
        return f"{x:g}"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def _method(ctx: Context) -> tuple[str, str]:
    """("full" or "adapter", the method as shown in messages)."""
    method = ctx.spec.adapter.method
    return ("full", "full fine-tuning") if method == "full" else ("adapter", "LoRA" if method == "lora" else "QLoRA")


def _effective_batch(ctx: Context) -> str:
    t = ctx.spec.training
    return f"effective batch {t.batch_size} x {t.grad_accum} = {t.batch_size * t.grad_accum}"


@rule("HP003", "hyperparameters.learning-rate-range", Severity.WARNING)
def learning_rate_range(ctx: Context):
    """
    ## What it does
    Flags a learning rate outside the typical range for the method: 5e-6 to 1e-4
    for full fine-tuning, 5e-5 to 5e-4 for LoRA and QLoRA.

    ## Why is this bad?
    The guide (Hyperparameter Guidelines) starts full fine-tuning at
    `"learning_rate": 2e-5`. LoRA trains only a small adapter, and is commonly
    trained about 10x higher (2e-4; 1e-4 to 3e-4 in most published recipes).
    Far above the range, training diverges or overwrites what the model knew
    (the guide's "catastrophic forgetting": "Use moderate learning rates"); far
    below it, the run ends before the model has learnt the task. The learning
    rate goes together with the effective batch size (`batch_size x grad_accum`),
    which the message shows.

    ## Example
    ```
    adapter lora { r = 16 }
    training { learning_rate = 1e-3 }
    ```

    ## Use instead
    ```
    adapter lora { r = 16 }
    training { learning_rate = 2e-4 }
    ```
    or leave it out: ftspec uses 2e-4 for LoRA and QLoRA, 2e-5 for `adapter full`.

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    - guide: Anti-Patterns (ignoring catastrophic forgetting)
    """
    lr = ctx.spec.training.learning_rate
    kind, shown = _method(ctx)
    low, high = LR_RANGE[kind]
    if low <= lr <= high:
        return
    side = "below" if lr < low else "above"
    yield Finding(
        f"learning rate {_lr(lr)} is {side} the typical {_lr(low)} to {_lr(high)} for {shown} "
        f"({_effective_batch(ctx)})",
        ctx.spec.training.span_of("learning_rate"),
        help=f"start at learning_rate = {_lr(LR_START[kind])}, the usual value for {shown}",
    )


@rule("HP004", "hyperparameters.small-data-learning-rate", Severity.WARNING)
def small_data_learning_rate(ctx: Context):
    """
    ## What it does
    Flags a learning rate above the method's starting value (2e-5 for full
    fine-tuning, 2e-4 for LoRA and QLoRA) when the dataset is small: below the
    guide's recommended size for the task kind, times the number of categories.
    The count comes from the data files, or from `data.train_examples`; without
    either the rule says nothing.

    ## Why is this bad?
    The guide (Hyperparameter Guidelines): `"learning_rate": 2e-5  # Start
    here. Lower (1e-5) for smaller datasets.` With few examples, every step
    repeats the same ones; a high learning rate memorises them and overwrites
    general abilities.

    ## Example
    ```
    task "t" { kind = classification }
    data { train = jsonl("train.jsonl")  train_examples = 120 }
    training { learning_rate = 3e-4 }
    ```

    ## Use instead
    ```
    training { learning_rate = 1e-4 }
    ```
    (1e-5 for `adapter full`), or add data.

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    - guide: Data Preparation > Data Sizing Guidelines
    """
    count = counts.train_count(ctx)
    if count is None or not counts.is_small(ctx, count):
        return
    lr = ctx.spec.training.learning_rate
    kind, shown = _method(ctx)
    if lr <= LR_START[kind]:
        return
    needed = counts.recommended(ctx.spec.task.kind) * max(len(count.categories or ()), 1)
    yield Finding(
        f"learning rate {_lr(lr)} is above the {_lr(LR_START[kind])} start for {shown} on a small dataset: "
        f"{count.examples} examples {count.source}, below the recommended {needed} for {ctx.spec.task.kind}",
        ctx.spec.training.span_of("learning_rate"),
        help=f"use learning_rate = {_lr(LR_SMALL_DATA[kind])} (the guide: lower for smaller datasets), or add data",
    )


@rule("HP005", "hyperparameters.loose-clipping", Severity.WARNING)
def loose_clipping(ctx: Context):
    """
    ## What it does
    Flags `max_grad_norm` above 5.

    ## Why is this bad?
    The guide (Hyperparameter Guidelines): `"max_grad_norm": 1.0  # Gradient
    clipping`. The gradient norm of a fine-tuning step is usually below a few
    units, so a limit far above 1 rarely clips: the spikes the guide's Training
    Monitoring warns of ("Sudden spikes indicate instability") go through
    whole and can undo the training so far.

    ## Example
    ```
    training { max_grad_norm = 100 }
    ```

    ## Use instead
    ```
    training { max_grad_norm = 1.0 }
    ```
    or leave it out: 1.0 is the default.

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    - guide: Training Strategies > Training Monitoring
    """
    training = ctx.spec.training
    if training.max_grad_norm <= MAX_GRAD_NORM:
        return
    yield Finding(
        f"max_grad_norm {training.max_grad_norm:g} rarely clips; the guide clips at 1.0",
        training.span_of("max_grad_norm"),
        help="use max_grad_norm = 1.0",
    )


def _trained_examples(ctx: Context, count: counts.TrainCount) -> tuple[int, str]:
    """Examples a training epoch goes through, and where that number comes from: the task
    examples less the validation split, plus general-purpose examples (counted in the data
    files only)."""
    data = ctx.spec.data
    if count.counted and ctx.data is not None:
        sources = ctx.data["sources"]
        train = sum(s["examples"] for s in sources if s["role"] == "train")
        general = sum(s["examples"] for s in sources if s["role"] == "general")
        held = 0 if data.validation.source is not None else ctx.data.get("validation", {}).get("examples", 0)
    else:
        train, general, fraction = count.examples, 0, data.validation.fraction
        held = 0
        if data.validation.source is None and fraction > 0 and train >= 2:
            held = min(max(1, round(train * fraction)), train - 1)  # as the split rounds
    examples = train - held + general
    note = f"{examples} training examples {count.source}"
    if held or general:
        note = f"{examples} training examples: {train} {count.source}"
        note += f" less {held} for validation" if held else ""
        note += f" plus {general} general" if general else ""
    return examples, note


@rule("HP006", "hyperparameters.too-few-steps", Severity.WARNING)
def too_few_steps(ctx: Context):
    """
    ## What it does
    Flags a run of fewer than 30 optimizer steps: the training examples left
    after the validation split, divided by the effective batch size
    (`batch_size x grad_accum`, rounded up), times the epochs. The count comes
    from the data files, or from `data.train_examples`; without either the rule
    says nothing.

    ## Why is this bad?
    The guide's schedule needs steps to work with: a warmup of "5-10% of total
    steps" (Hyperparameter Guidelines), evaluation "every N steps", and early
    stopping after "3 evaluation rounds" without improvement (Training
    Monitoring). With 20 steps the warmup is one or two steps, there are only a
    few evaluations, and early stopping can hardly act. The guide's effective
    batch of 16 (`4 x 4`) suits thousands of examples, not a hundred.

    ## Example
    ```
    data { train = jsonl("train.jsonl")  train_examples = 120 }
    training { batch_size = 4  grad_accum = 8  epochs = 2 }
    ```

    ## Use instead
    ```
    training { batch_size = 4  grad_accum = 1  epochs = 2 }
    ```

    ## References
    - guide: Training Strategies > Hyperparameter Guidelines
    - guide: Training Strategies > Training Monitoring
    """
    count = counts.train_count(ctx)
    if count is None:
        return
    examples, note = _trained_examples(ctx, count)
    if examples <= 0:
        return
    training = ctx.spec.training

    def steps(batch: int, accum: int) -> int:
        return math.ceil(math.ceil(examples / (batch * accum)) * training.epochs)

    total = steps(training.batch_size, training.grad_accum)
    if total >= MIN_STEPS:
        return
    batch, accum = training.batch_size, 1
    while steps(batch, accum) < MIN_STEPS and batch > 1:
        batch = max(1, batch // 2)
    if steps(batch, accum) >= MIN_STEPS:
        fix = f"batch_size = {batch} with grad_accum = 1 gives {steps(batch, accum)} steps"
        help_ = f"use a smaller grad_accum or batch_size: {fix}"
    else:
        help_ = f"even batch_size = 1 with grad_accum = 1 gives only {steps(1, 1)} steps: add examples"
    field = next((f for f in ("grad_accum", "batch_size") if training.origin(f) == "user"), "epochs")
    yield Finding(
        f"training takes {total} optimizer steps, fewer than {MIN_STEPS} ({note}; {_effective_batch(ctx)}; "
        f"{training.epochs:g} epochs)",
        training.span_of(field),
        help=help_,
    )


@rule("HP007", "hyperparameters.full-fine-tuning", Severity.WARNING)
def full_fine_tuning(ctx: Context):
    """
    ## What it does
    Flags `adapter full`: full fine-tuning, which updates every parameter of the
    base model.

    ## Why is this bad?
    The guide's first cost lever (Cost Optimization): "Use LoRA/QLoRA instead of
    full fine-tuning (10-100x cheaper)". Full fine-tuning needs memory for the
    gradients and optimiser state of every weight, writes a whole model per
    checkpoint, and forgets more of what the base model knew (the guide's
    "catastrophic forgetting"). Use it when a measured evaluation shows LoRA
    cannot close the gap.

    ## Example
    ```
    adapter full { }
    ```

    ## Use instead
    ```
    adapter lora { r = 16 }
    ```
    or `adapter qlora { }` when memory is short.

    ## References
    - guide: Deployment > Cost Optimization
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method != "full":
        return
    yield Finding(
        "full fine-tuning updates every parameter; the guide: LoRA/QLoRA is 10-100x cheaper",
        adapter.span_of("method"),
        help="use `adapter lora { r = 16 }`, or `adapter qlora { }` when GPU memory is short",
    )


RULES = [epochs_range, warmup_range, learning_rate_range, small_data_learning_rate, loose_clipping,
         too_few_steps, full_fine_tuning]
