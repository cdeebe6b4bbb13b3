"""How often to evaluate and checkpoint, when the spec does not say."""

from __future__ import annotations

import math

EVALUATIONS_PER_RUN = 10


def total_steps(examples: int, batch_size: int, grad_accum: int, epochs: float, processes: int = 1) -> int:
    per_step = batch_size * grad_accum * max(processes, 1)
    return max(1, math.ceil(math.ceil(examples / per_step) * epochs))


def eval_steps(requested: int | None, examples: int, batch_size: int, grad_accum: int, epochs: float,
               processes: int = 1, max_steps: int | None = None) -> int:
    """The spec's `eval_every`, or about ten evaluations a run: enough points for early
    stopping's patience to mean something, few enough to keep evaluation cheap."""
    if requested:
        return requested
    steps = max_steps or total_steps(examples, batch_size, grad_accum, epochs, processes)
    return max(1, steps // EVALUATIONS_PER_RUN)
