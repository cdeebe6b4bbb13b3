"""Rebuild the quickstart's Banking77 subset (train.csv, eval.csv) from the full dataset.

    python specs/data/quickstart/make.py [--banking77 DIR]

Four intents, real customer messages only: train rows from Banking77's own train split,
eval rows from its own test split, with conflicts, duplicates and near-duplicates (within
a side and across them) left out by the same filter the example data uses
(specs/examples/data/generate.py, `banking_subset`). Seeded: two runs write identical files.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "examples" / "data" / "generate.py"
LABELS = ["card_arrival", "lost_or_stolen_phone", "pin_blocked", "terminate_account"]
TRAIN_PER_LABEL, EVAL_PER_LABEL = 60, 20
SEED = 77


def _generator():
    spec = importlib.util.spec_from_file_location("generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_csv(path: Path, rows: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["text", "category"])
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--banking77", type=Path,
                        default=Path(os.environ.get("BANKING77_DIR", "/work/shared/data/banking77")),
                        help="folder with Banking77's train.csv and test.csv")
    args = parser.parse_args()
    rng = random.Random(SEED)
    trains, evals = _generator().banking_subset(args.banking77, LABELS, TRAIN_PER_LABEL, EVAL_PER_LABEL, rng)
    train = [(text, label) for label in LABELS for text in trains[label]]
    evaluation = [(text, label) for label in LABELS for text in evals[label]]
    rng.shuffle(train)
    rng.shuffle(evaluation)
    write_csv(HERE / "train.csv", train)
    write_csv(HERE / "eval.csv", evaluation)
    print(f"quickstart: {len(train)} train, {len(evaluation)} eval")


if __name__ == "__main__":
    main()
