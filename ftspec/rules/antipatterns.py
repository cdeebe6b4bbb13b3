"""Anti-pattern rules: the items of the guide's Anti-Patterns list that a spec can show and no
other family covers (guide: Anti-Patterns)."""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, Rule, rule
from ftspec.rules.hyperparameters import LR_START, MAX_EPOCHS, _lr, _method
from ftspec.spec.model import Adapter, Training

# The top of the moderate learning-rate range: full fine-tuning starts at the guide's 2e-5;
# LoRA and QLoRA train about 10x higher, and peers use 2e-4 to 3e-4.
MODERATE_LR = {"full": 5e-5, "adapter": 3e-4}

QUALITY_CHECKS = ("duplicates", "near_duplicates", "contamination", "conflicts", "balance")
MIN_CHECKS_OFF = 2
MIN_TUNED = 4
# The hyperparameters of the guide's LoRA configuration and training_args.
TRAINING_KNOBS = ("learning_rate", "epochs", "batch_size", "grad_accum", "warmup", "weight_decay", "scheduler",
                  "max_grad_norm", "optimizer")
ADAPTER_KNOBS = ("r", "alpha", "dropout", "targets", "bias")


@rule("AP001", "anti-pattern.catastrophic-forgetting", Severity.WARNING)
def catastrophic_forgetting(ctx: Context):
    """
    ## What it does
    Flags aggressive training with no general-purpose data mixed in (`data.general`
    unset). Aggressive: a learning rate above the moderate range (above 3e-4 for
    LoRA and QLoRA, above 5e-5 for full fine-tuning), or more than 5 epochs.

    ## Why is this bad?
    The guide's anti-pattern "Ignoring catastrophic forgetting: Fine-tuning
    aggressively and losing the model's general capabilities. Use moderate learning
    rates and mix in general-purpose data." A high learning rate or many passes over
    a narrow dataset overwrite what the base model knew; examples of general use in
    the training mix keep those abilities exercised. The guide starts full
    fine-tuning at 2e-5; LoRA is commonly trained about 10x higher (2e-4 to 3e-4).

    ## Example
    ```
    data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl") }
    training { learning_rate = 1e-3  epochs = 8 }
    ```

    ## Use instead
    ```
    data {
      train   = jsonl("train.jsonl")
      eval    = jsonl("eval.jsonl")
      general = jsonl("general.jsonl")
    }
    training { learning_rate = 2e-4  epochs = 3 }
    ```

    ## References
    - guide: Anti-Patterns (ignoring catastrophic forgetting)
    - guide: Training Strategies > Hyperparameter Guidelines
    """
    spec = ctx.spec
    if spec.data.general:
        return
    training = spec.training
    kind, shown = _method(ctx)
    high_lr = training.learning_rate > MODERATE_LR[kind]
    many_epochs = training.epochs > MAX_EPOCHS
    if not (high_lr or many_epochs):
        return
    found = []
    if high_lr:
        found.append(f"learning rate {_lr(training.learning_rate)} is above the moderate "
                     f"{_lr(MODERATE_LR[kind])} for {shown}")
    if many_epochs:
        found.append(f"{training.epochs:g} epochs is more than {MAX_EPOCHS}")
    yield Finding(
        f"aggressive training with no general-purpose data mixed in ({'; '.join(found)}): "
        "the model may lose its general capabilities",
        training.span_of("learning_rate" if high_lr else "epochs"),
        help=('add `general = jsonl("...")` to `data`, '
              + (f"or lower the learning rate (start at {_lr(LR_START[kind])} for {shown})" if high_lr
                 else f"or train for at most {MAX_EPOCHS} epochs")),
    )


@rule("AP002", "anti-pattern.one-and-done", Severity.WARNING)
def one_and_done(ctx: Context):
    """
    ## What it does
    Flags a spec that does not say when the model is retrained (`decision.retrain`
    unset), or says `retrain = never`.

    ## Why is this bad?
    The guide's anti-pattern "One-and-done training: Training once and never
    retraining. Your data distribution changes. Schedule periodic retraining with
    fresh data." A model trained once drifts away from the inputs it meets in
    production; a schedule in the spec makes retraining a plan, not an afterthought.

    ## Example
    ```
    decision { retrain = never }
    ```

    ## Use instead
    ```
    decision { retrain = quarterly }
    ```
    or `monthly`, `yearly`, `on_drift` (when production monitoring shows the inputs changed).

    ## References
    - guide: Anti-Patterns (one-and-done training)
    - guide: Deployment > Self-Hosted Fine-Tuning (monitoring)
    """
    decision = ctx.spec.decision
    if decision.retrain is None:
        yield Finding(
            "no retraining schedule (`decision.retrain` is unset): the data distribution changes, "
            "and the guide asks for periodic retraining with fresh data",
            decision.span,
            help="write `retrain = quarterly` in `decision` (or monthly, yearly, on_drift)",
        )
    elif decision.retrain == "never":
        yield Finding(
            "`retrain = never`: a model trained once drifts as the data distribution changes; "
            "the guide asks for periodic retraining with fresh data",
            decision.span_of("retrain"),
            help="schedule it: `retrain = quarterly` (or monthly, yearly, on_drift)",
        )


def _default(block, field: str, ctx: Context):
    """The value a field would have if not written (the derived one where there is one)."""
    if block is ctx.spec.training and field == "learning_rate":
        return LR_START[_method(ctx)[0]]
    if block is ctx.spec.adapter and field == "alpha":
        return 2 * ctx.spec.adapter.r
    model = Training if block is ctx.spec.training else Adapter
    return model.model_fields[field].default


@rule("AP003", "anti-pattern.hyperparameter-obsession", Severity.WARNING)
def hyperparameter_obsession(ctx: Context):
    """
    ## What it does
    Flags a spec that tunes many hyperparameters while the data checks are off: 4 or
    more of the training values (`learning_rate`, `epochs`, `batch_size`,
    `grad_accum`, `warmup`, `weight_decay`, `scheduler`, `max_grad_norm`,
    `optimizer`) and adapter values (`r`, `alpha`, `dropout`, `targets`, `bias`)
    written with a value other than their default, and at least 2 of the data
    quality checks (`duplicates`, `near_duplicates`, `contamination`, `conflicts`,
    `balance`) set to `off`.

    ## Why is this bad?
    The guide's anti-pattern "Hyperparameter obsession: Spending days tuning learning
    rates when your training data has quality issues. Fix data first, then tune
    hyperparameters." And its philosophy: "Spend more time curating data than tuning
    hyperparameters." Duplicates, contamination and contradictory labels cost more
    than any learning rate can win back.

    ## Example
    ```
    quality { duplicates = off  conflicts = off }
    adapter lora { r = 32  dropout = 0.1 }
    training { learning_rate = 1.5e-4  warmup = 5% }
    ```

    ## Use instead
    ```
    quality { duplicates = error  conflicts = error }
    ```
    fix what the checks find, then tune, starting from the defaults.

    ## References
    - guide: Anti-Patterns (hyperparameter obsession)
    - guide: Philosophy (spend more time curating data than tuning hyperparameters)
    - guide: Data Preparation > Data Quality Checklist
    """
    spec = ctx.spec
    quality = spec.quality
    off = [name for name in QUALITY_CHECKS if getattr(quality, name).level == "off"]
    if len(off) < MIN_CHECKS_OFF:
        return
    tuned = []
    blocks = [(spec.training, TRAINING_KNOBS)]
    if spec.adapter.method != "full":
        blocks.append((spec.adapter, ADAPTER_KNOBS))
    for block, fields in blocks:
        for field in fields:
            if block.origin(field) == "user" and getattr(block, field) != _default(block, field, ctx):
                tuned.append(field)
    if len(tuned) < MIN_TUNED:
        return
    spans = [s for s in (quality.span_of(name) for name in off) if s is not None]
    yield Finding(
        f"{len(tuned)} hyperparameters tuned ({', '.join(tuned)}) while {len(off)} data checks are off "
        f"({', '.join(off)}): the guide says fix the data first, then tune",
        min(spans, key=lambda s: (s.line, s.col)) if spans else None,  # the first written
        help="turn the data checks back on (`error` or `warn`) and fix what they find before tuning",
    )


RULES: list[Rule] = [catastrophic_forgetting, one_and_done, hyperparameter_obsession]
