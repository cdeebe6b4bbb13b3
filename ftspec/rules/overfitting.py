"""Overfitting rules (guide: Training Monitoring, Preventing Overfitting)."""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules import counts
from ftspec.rules.base import Context, Finding, rule
from ftspec.rules.hyperparameters import MAX_EPOCHS
from ftspec.spec.vocabulary import TRAINING_METRICS


@rule("OF001", "overfitting.no-early-stopping", Severity.WARNING)
def no_early_stopping(ctx: Context):
    """
    ## What it does
    Flags a spec that turns early stopping off (`early_stopping = off`).

    ## Why is this bad?
    The guide (Training Monitoring): "Stop when validation loss has not
    improved for 3 evaluation rounds", and under Preventing Overfitting: "Use
    early stopping based on validation metrics". Without it, every epoch runs
    to the end even after the model has started to memorise its data.

    ## Example
    ```
    training { epochs = 3  early_stopping = off }
    ```

    ## Use instead
    ```
    training { epochs = 3  early_stopping { patience = 3  metric = eval_loss } }
    ```
    or leave `early_stopping` out: that is the default.

    ## References
    - guide: Training Strategies > Training Monitoring
    - guide: Evaluation > Preventing Overfitting
    """
    training = ctx.spec.training
    if training.early_stopping is None:
        yield Finding(
            "early stopping is off: training cannot stop when validation loss stops improving",
            training.span_of("early_stopping"),
            help="remove `early_stopping = off`, or write `early_stopping { patience = 3 }`",
        )


@rule("OF002", "overfitting.keeps-last-checkpoint", Severity.WARNING)
def keeps_last_checkpoint(ctx: Context):
    """
    ## What it does
    Flags `save_best = false`, which keeps the last checkpoint instead of the
    one with the best validation metric.

    ## Why is this bad?
    The guide (Training Monitoring): "Save the checkpoint with the best
    validation metric, not the last one." The last checkpoint is the one most
    likely to be overfitted.

    ## Example
    ```
    training { save_best = false }
    ```

    ## Use instead
    ```
    training { save_best = true }
    ```
    or leave it out: keeping the best checkpoint is the default.

    ## References
    - guide: Training Strategies > Training Monitoring
    """
    training = ctx.spec.training
    if not training.save_best:
        yield Finding(
            "the last checkpoint is kept, not the one with the best validation metric",
            training.span_of("save_best"),
            help="remove `save_best = false`",
        )



VALIDATION_MIN, VALIDATION_MAX = 0.10, 0.20
FEW_EPOCHS = 3  # "try 1-2 before going to 3+"
_EPS = 1e-9


@rule("OF003", "overfitting.no-validation", Severity.ERROR)
def no_validation(ctx: Context):
    """
    ## What it does
    Reports a spec with no held-out validation data: `validation = 0%` and no
    validation file.

    ## Why is this bad?
    The guide (Preventing Overfitting): "Use a held-out validation set (10-20%
    of data)" and "Use early stopping based on validation metrics"; Training
    Monitoring: "Save the checkpoint with the best validation metric". Without
    validation examples there is nothing to stop on and no best checkpoint to
    keep: overfitting cannot even be seen. The compiled training script refuses
    to run with an empty validation split. The eval set is no substitute: it
    must never pick checkpoints, or its scores stop being held out.

    ## Example
    ```
    data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl")  validation = 0% }
    ```

    ## Use instead
    ```
    data { train = jsonl("train.jsonl")  eval = jsonl("eval.jsonl")  validation = 15% }
    ```
    or a separate file: `validation = jsonl("validation.jsonl")`.

    ## References
    - guide: Evaluation > Preventing Overfitting
    - guide: Training Strategies > Training Monitoring
    """
    validation = ctx.spec.data.validation
    if validation.source is not None or validation.fraction > 0:
        return
    yield Finding(
        "no validation data (validation = 0% and no file): early stopping and best-checkpoint selection "
        "have nothing to measure, and the training script will not run",
        validation.span or ctx.spec.data.span_of("validation"),
        help="write validation = 15% (the guide: 10-20% of data), or validation = jsonl(\"validation.jsonl\")",
    )


@rule("OF004", "overfitting.validation-size", Severity.WARNING)
def validation_size(ctx: Context):
    """
    ## What it does
    Flags a validation split outside the guide's 10-20% of the data. A separate
    validation file is not judged by this rule.

    ## Why is this bad?
    The guide (Preventing Overfitting): "Use a held-out validation set (10-20%
    of data)". Below 10% the validation loss is measured on so few examples that
    its noise decides when training stops and which checkpoint is kept; above
    20% examples are taken from training that a small dataset cannot spare.

    ## Example
    ```
    data { train = jsonl("train.jsonl")  validation = 5% }
    ```

    ## Use instead
    ```
    data { train = jsonl("train.jsonl")  validation = 15% }
    ```

    ## References
    - guide: Evaluation > Preventing Overfitting
    """
    validation = ctx.spec.data.validation
    fraction = validation.fraction
    if validation.source is not None or fraction <= 0:
        return  # a file, or no validation at all (OF003)
    if VALIDATION_MIN - _EPS <= fraction <= VALIDATION_MAX + _EPS:
        return
    side = "below" if fraction < VALIDATION_MIN else "above"
    yield Finding(
        f"a validation split of {fraction * 100:g}% is {side} the guide's "
        f"{VALIDATION_MIN * 100:g}-{VALIDATION_MAX * 100:g}% of the data",
        validation.span or ctx.spec.data.span_of("validation"),
        help="use validation = 15%",
    )


@rule("OF005", "overfitting.checkpoint-metric", Severity.ERROR)
def checkpoint_metric(ctx: Context):
    """
    ## What it does
    Reports an `early_stopping.metric` that training cannot measure on the
    validation split. Measurable during training: `eval_loss`, `perplexity` and the
    text metrics (`accuracy`, `exact_match`, `macro_f1`, `f1`, `format_compliance`,
    `field_f1`, `rouge_l`, `bleu`); not `win_rate`, which needs people.

    ## Why is this bad?
    The guide (Training Monitoring): "Stop when validation loss has not improved
    for 3 evaluation rounds" and "Save the checkpoint with the best validation
    metric". The metric is computed at every evaluation during training;
    `win_rate` comes from human review after the run, so there is nothing to stop
    on, and `ftspec compile` refuses the spec.

    ## Example
    ```
    training { early_stopping { metric = win_rate } }
    ```

    ## Use instead
    ```
    training { early_stopping { metric = eval_loss } }
    ```
    and judge `win_rate` in an acceptance criterion after `ftspec review import`.

    ## References
    - guide: Training Strategies > Training Monitoring
    - guide: Evaluation > Preventing Overfitting
    """
    es = ctx.spec.training.early_stopping
    if es is None or es.metric in TRAINING_METRICS:
        return
    known = ", ".join(f"`{m}`" for m in TRAINING_METRICS)
    yield Finding(
        f"early stopping on `{es.metric}` is not available during training; `ftspec compile` fails on it",
        es.span_of("metric"),
        help=f"use one of {known} (eval_loss is the guide's validation loss)",
    )


@rule("OF006", "overfitting.many-epochs-small-data", Severity.WARNING)
def many_epochs_small_data(ctx: Context):
    """
    ## What it does
    Flags more than 3 epochs on a small dataset: below the guide's recommended
    size for the task kind, times the number of categories. The count comes
    from the data files, or from `data.train_examples`; without either the rule
    says nothing. Above 5 epochs HP001 reports instead.

    ## Why is this bad?
    The guide (Preventing Overfitting): "Train for fewer epochs (try 1-2 before
    going to 3+)". A small dataset is memorised within a few passes: training
    loss keeps falling while validation loss rises.

    ## Example
    ```
    data { train = jsonl("train.jsonl")  train_examples = 120 }
    training { epochs = 5 }
    ```

    ## Use instead
    ```
    training { epochs = 2  early_stopping { patience = 3 } }
    ```
    or add data.

    ## References
    - guide: Evaluation > Preventing Overfitting
    - guide: Data Preparation > Data Sizing Guidelines
    """
    training = ctx.spec.training
    if not FEW_EPOCHS < training.epochs <= MAX_EPOCHS:
        return  # above MAX_EPOCHS, HP001 reports it
    count = counts.train_count(ctx)
    if count is None or not counts.is_small(ctx, count):
        return
    kind = ctx.spec.task.kind
    needed = counts.recommended(kind) * max(len(count.categories or ()), 1)
    yield Finding(
        f"{training.epochs:g} epochs on a small dataset: {count.examples} examples {count.source}, "
        f"below the recommended {needed} for {kind}; the guide: try 1-2 epochs before going to 3+",
        training.span_of("epochs"),
        help="use epochs = 2 with early stopping, or add data",
    )


@rule("OF007", "overfitting.no-regularization", Severity.WARNING)
def no_regularization(ctx: Context):
    """
    ## What it does
    Flags a spec with no regularisation: adapter `dropout = 0` together with
    `weight_decay = 0`. For `adapter full`, which has no adapter dropout,
    `weight_decay = 0` alone.

    ## Why is this bad?
    The guide (Preventing Overfitting): "Apply dropout and weight decay". Its
    LoRA configuration uses `lora_dropout=0.05  # Regularization`, and its
    hyperparameters `"weight_decay": 0.01  # Light regularization`. With both
    off, nothing holds the model back from memorising its training examples.

    ## Example
    ```
    adapter lora { dropout = 0 }
    training { weight_decay = 0 }
    ```

    ## Use instead
    ```
    adapter lora { dropout = 0.05 }
    training { weight_decay = 0.01 }
    ```

    ## References
    - guide: Evaluation > Preventing Overfitting
    - guide: Training Strategies > Hyperparameter Guidelines
    """
    adapter, training = ctx.spec.adapter, ctx.spec.training
    if training.weight_decay > 0:
        return
    if adapter.method == "full":
        yield Finding(
            "weight decay is 0 and full fine-tuning has no adapter dropout: nothing regularises training",
            training.span_of("weight_decay"),
            help="use weight_decay = 0.01 (the guide's light regularization)",
        )
    elif adapter.dropout <= 0:
        field_span = adapter.span_of("dropout") if adapter.origin("dropout") == "user" else None
        yield Finding(
            "adapter dropout 0 and weight decay 0: nothing regularises training; the guide: apply dropout "
            "and weight decay",
            field_span or training.span_of("weight_decay"),
            help="use dropout = 0.05 in the adapter and weight_decay = 0.01 in training",
        )


RULES = [no_early_stopping, keeps_last_checkpoint, no_validation, validation_size, checkpoint_metric,
         many_epochs_small_data, no_regularization]
