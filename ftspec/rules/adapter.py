"""Adapter rules: LoRA rank and alpha (guide: Parameter-Efficient Fine-Tuning)."""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import Context, Finding, rule

RANK_MIN, RANK_MAX = 8, 64


@rule("AD001", "adapter.rank-range", Severity.WARNING)
def rank_range(ctx: Context):
    """
    ## What it does
    Flags a LoRA rank `r` outside the guide's typical range of 8 to 64.

    ## Why is this bad?
    The guide (Parameter-Efficient Fine-Tuning): "Rank: higher = more capacity,
    more compute. 8-64 typical." Below 8 the adapter often cannot hold the task;
    above 64 it costs memory and time and overfits small datasets, usually for
    no gain over 64.

    ## Example
    ```
    adapter lora { r = 256  alpha = 512 }
    ```

    ## Use instead
    ```
    adapter lora { r = 16  alpha = 32 }
    ```
    Raise the rank only when a measured evaluation shows the adapter is short
    of capacity.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or RANK_MIN <= adapter.r <= RANK_MAX:
        return
    side = "below" if adapter.r < RANK_MIN else "above"
    yield Finding(
        f"LoRA rank {adapter.r} is {side} the guide's typical range {RANK_MIN}-{RANK_MAX}",
        adapter.span_of("r"),
        help="start at r = 16 and raise it only if evaluation shows the adapter lacks capacity",
    )


@rule("AD002", "adapter.alpha-ratio", Severity.WARNING)
def alpha_ratio(ctx: Context):
    """
    ## What it does
    Flags a LoRA `alpha` far from the guide's rule of thumb `alpha = 2 * r`:
    below `r` or above `4 * r`.

    ## Why is this bad?
    LoRA scales its update by `alpha / r`. The guide: "Common rule: alpha = 2 * r".
    With `alpha = r / 2` the update is scaled down fourfold against that rule
    and the adapter learns slowly at the usual learning rates; far above `4 * r`
    it behaves like a much larger learning rate and training gets unstable.

    ## Example
    ```
    adapter lora { r = 32  alpha = 16 }
    ```

    ## Use instead
    ```
    adapter lora { r = 32  alpha = 64 }
    ```
    or leave `alpha` out: ftspec derives `2 * r`.

    ## References
    - guide: Training Strategies > Parameter-Efficient Fine-Tuning (PEFT)
    """
    adapter = ctx.spec.adapter
    if adapter.method == "full" or adapter.alpha is None:
        return
    ratio = adapter.alpha / adapter.r
    if 1 <= ratio <= 4:
        return
    yield Finding(
        f"LoRA alpha {adapter.alpha} is {ratio:g}x the rank {adapter.r}; the guide's rule is alpha = 2 * r",
        adapter.span_of("alpha"),
        help=f"set alpha = {2 * adapter.r}, or remove it to have ftspec derive 2 * r",
    )


RULES = [rank_range, alpha_ratio]
