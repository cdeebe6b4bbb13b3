"""The validation split: deterministic, stratified by category when asked.

The data checks and the compiled training script both call `split`, so the
examples the checks call "validation" are the ones training evaluates on.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from ftspec.data.sources import Example


def held_out(categories: Sequence[str | None], fraction: float, *, stratified: bool, seed: int) -> set[int]:
    """Indexes of the validation examples, given each example's category (or None)."""
    if fraction <= 0 or len(categories) < 2:
        return set()
    rng = random.Random(seed)
    if not stratified:
        n = max(1, round(len(categories) * fraction))
        return set(rng.sample(range(len(categories)), min(n, len(categories) - 1)))
    groups: dict[str | None, list[int]] = defaultdict(list)
    for i, category in enumerate(categories):
        groups[category].append(i)
    held: set[int] = set()
    for key in sorted(groups, key=lambda k: (k is None, str(k))):
        members = groups[key]
        n = round(len(members) * fraction)
        if len(members) > 1:
            n = max(1, min(n, len(members) - 1))  # every category on both sides when it can be
        held.update(rng.sample(members, n))
    return held


def split(examples: list[Example], fraction: float, *, stratified: bool, seed: int) -> tuple[list, list]:
    """Return (train, validation). Order inside each part follows the input order."""
    held = held_out([ex.category for ex in examples], fraction, stratified=stratified, seed=seed)
    train = [ex for i, ex in enumerate(examples) if i not in held]
    validation = [ex for i, ex in enumerate(examples) if i in held]
    return train, validation
