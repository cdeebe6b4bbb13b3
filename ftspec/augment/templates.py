"""Template variation (guide: Data Augmentation, template_variation): inputs with `{slot}`s filled
with every combination of the slots' values. Deterministic and offline: no model is asked.

A group makes `combinations()` inputs, enumerated as mixed-radix numbers (template by template,
the slots in order of first use, the first slot varying slowest); with `count` below that, the
seed draws which numbers, without listing every combination, so that a group of a billion
combinations costs no more than one of ten.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from ftspec.spec.model import ESCAPED, SLOT, TemplateGroup, slots


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each `{slot}` it uses replaced and each `{{word}}` written `{word}`; other braces
    (a JSON output's) stay as written."""
    return ESCAPED.sub(r"{\1}", SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), text))


def _combination(group: TemplateGroup, number: int) -> tuple[str, dict[str, str]]:
    """The template and slot values of the group's combination `number` (0-based)."""
    for template in group.inputs:
        names = list(dict.fromkeys(slots(template) + slots(group.output)))
        size = 1
        for name in names:
            size *= len(group.fill[name])
        if number < size:
            chosen: dict[str, str] = {}
            for name in reversed(names):  # the last slot varies fastest
                number, index = divmod(number, len(group.fill[name]))
                chosen[name] = group.fill[name][index]
            return template, {name: chosen[name] for name in names}
        number -= size
    raise IndexError("combination number out of range")


def expand(name: str, group: TemplateGroup, seed: int) -> Iterator[dict[str, Any]]:
    """The group's filled examples: every combination, or `count` of them drawn by the seed, in
    combination order. Each is {input, output, provenance}."""
    total = group.combinations()
    if group.count is not None and group.count < total:
        # A seed per group: adding a group never changes what another draws.
        numbers = sorted(random.Random(f"{seed}:template:{name}").sample(range(total), group.count))
    else:
        numbers = range(total)
    for number in numbers:
        template, values = _combination(group, number)
        yield {"input": fill(template, values).strip(), "output": fill(group.output, values).strip(),
               "provenance": {"strategy": "template", "template": name, "pattern": template, "fill": values}}
