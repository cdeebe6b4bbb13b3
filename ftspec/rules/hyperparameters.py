"""Hyperparameter rules (guide: Hyperparameter Guidelines)."""

from __future__ import annotations

from ftspec.diagnostics import Severity
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


RULES = [epochs_range, warmup_range]
