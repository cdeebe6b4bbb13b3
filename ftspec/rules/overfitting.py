"""Overfitting rules (guide: Training Monitoring, Preventing Overfitting)."""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule


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


RULES = [no_early_stopping, keeps_last_checkpoint]
