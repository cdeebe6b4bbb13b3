"""Training and evaluation data for compiled scripts, read exactly as the data checks read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ftspec.data.sources import Example, SourceSpec, read
from ftspec.data.split import split


def load(sources: list[dict[str, Any]], base: Path, system: str | None) -> list[Example]:
    examples: list[Example] = []
    for source in sources:
        for ex in read(SourceSpec(**source), base):
            if system and ex.messages[0]["role"] != "system":
                ex.messages.insert(0, {"role": "system", "content": system})
            examples.append(ex)
    return examples


def train_validation(train: list[dict[str, Any]], validation: dict[str, Any], base: Path,
                     system: str | None, seed: int, general: list[dict[str, Any]] = ()
                     ) -> tuple[list[Example], list[Example]]:
    """The training examples and the validation examples, from a split or a separate file.
    General-purpose examples join training after the split: validation measures the task,
    and the split stays the one `ftspec check` records."""
    examples = load(train, base, system)
    if validation.get("source"):
        training, held = examples, load([validation["source"]], base, system)
    else:
        training, held = split(examples, validation["fraction"], stratified=validation["stratified"], seed=seed)
    if general:
        training = training + load(list(general), base, system)
    return training, held


def prompt_completion(examples: list[Example]) -> list[dict[str, Any]]:
    """TRL's conversational prompt-completion form: the loss covers only the final
    assistant turn (TRL masks the prompt), whatever the chat template supports."""
    return [{"prompt": ex.messages[:-1], "completion": ex.messages[-1:]} for ex in examples]


def as_dataset(rows: list[dict[str, Any]]):
    from datasets import Dataset

    return Dataset.from_list(rows)
