"""The validation split: deterministic, stratified by category when asked.

The data checks and the compiled training script both call `split`, so the
examples the checks call "validation" are the ones training evaluates on.
"""

from __future__ import annotations

import random
from collections import defaultdict

from ftspec.data.sources import Example


def split(examples: list[Example], fraction: float, *, stratified: bool, seed: int) -> tuple[list, list]:
    """Return (train, validation). Order inside each part follows the input order."""
    if fraction <= 0 or len(examples) < 2:
        return list(examples), []
    rng = random.Random(seed)
    if stratified:
        groups: dict[str | None, list[int]] = defaultdict(list)
        for i, ex in enumerate(examples):
            groups[ex.category].append(i)
        held: set[int] = set()
        for key in sorted(groups, key=lambda k: (k is None, str(k))):
            members = groups[key]
            n = round(len(members) * fraction)
            if len(members) > 1:
                n = max(1, min(n, len(members) - 1))  # every category on both sides when it can be
            held.update(rng.sample(members, n))
    else:
        n = max(1, round(len(examples) * fraction))
        held = set(rng.sample(range(len(examples)), min(n, len(examples) - 1)))
    train = [ex for i, ex in enumerate(examples) if i not in held]
    validation = [ex for i, ex in enumerate(examples) if i in held]
    return train, validation
