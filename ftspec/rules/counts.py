"""How many examples a spec trains on, for the rules that judge by size (sizing,
learning rate and epochs for small data, steps per epoch).

Counted from the data files when lint read them (the cheap report in `ctx.data`),
else taken from the spec's declared `data.train_examples`; `None` when neither is
known, and rules then say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftspec.rules.base import Context
from ftspec.spec.vocabulary import SIZING


@dataclass(frozen=True)
class TrainCount:
    examples: int  # labelled task examples: train sources plus a separate validation file
    counted: bool  # True: counted in the data files; False: the spec's declared train_examples
    categories: dict[str, int] | None = None  # label -> examples, when counted and the task has categories

    @property
    def source(self) -> str:
        return "in the data files" if self.counted else "declared (data.train_examples)"


def unreadable_train(ctx: Context) -> bool:
    """True when lint read the data but a training file could not be found."""
    if ctx.data is None:
        return False
    return any(s["role"] == "train" and s["format_errors"].get("file_not_found") for s in ctx.data["sources"])


def train_count(ctx: Context) -> TrainCount | None:
    declared = ctx.spec.data.train_examples
    if ctx.data is not None and not unreadable_train(ctx):
        examples = sum(s["examples"] for s in ctx.data["sources"] if s["role"] in ("train", "validation"))
        categories = dict(ctx.data["categories"]) if ctx.spec.task.kind == "classification" else None
        if categories is not None and isinstance(ctx.spec.task.labels, list):
            for label in ctx.spec.task.labels:  # a declared label with no example counts as 0
                categories.setdefault(label.strip(), 0)
        return TrainCount(examples, True, categories)
    if declared is not None:
        return TrainCount(declared, False)
    return None


def minimum(kind: str) -> int:
    """The guide's minimum examples per category for the task kind (the lower end of its range)."""
    return SIZING[kind][0][0]


def recommended(kind: str) -> int:
    """The guide's recommended examples per category (the lower end of its range)."""
    return SIZING[kind][1][0]


def is_small(ctx: Context, count: TrainCount) -> bool:
    """Below the guide's recommended size for the task as a whole: the categories (at least
    one) times the recommended examples per category. The guide's "smaller datasets"."""
    per_category = recommended(ctx.spec.task.kind)
    categories = len(count.categories) if count.categories else 1
    return count.examples < per_category * max(categories, 1)
