"""Tier 3: blind A/B review of the fine-tuned model against another rung (guide: Evaluation Strategy,
human_evaluation: blind_comparison and error_categorization).

`export` draws pairs from a run's predictions.jsonl and writes three files: packet.json, what
reviewers see (no model names, sides and order random); key.json, the sealed key (mode 0600) that
says which side is the fine-tuned model; judgments.json, a blank form for each reviewer to fill.
`import_judgments` unblinds filled forms with the key, counts wins, losses, ties and error
categories, and writes them to RUN/results.json as `human`, with `fine_tuned.win_rate` so that an
acceptance criterion such as `accept fine_tuned.win_rate >= 0.5` is decided again.

The formats are schemas/review-packet.schema.json, review-key.schema.json and
review-judgments.schema.json; docs/review.md explains them to users.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ftspec.evaluate import acceptance
from ftspec.runtime.io import atomic_write_json, atomic_write_text, sha256_file
from ftspec.spec.vocabulary import ERROR_CATEGORIES, RUNGS

PACKET, KEY, JUDGMENTS = "packet.json", "key.json", "judgments.json"
RESULTS, PREDICTIONS = "results.json", "predictions.jsonl"
FINE_TUNED = "fine_tuned"
# The rungs the fine-tuned model can be compared with, in ladder order.
AGAINST = tuple(r for r in RUNGS if r != FINE_TUNED)
# Two-sided 95% normal quantile, the z of the Wilson interval.
Z95 = 1.959963984540054
# Schema problems listed in one refusal; more are counted, not listed.
MAX_PROBLEMS = 10

# What the guide's categories mean, for the instructions; a spec's own categories are listed by name.
CATEGORY_HELP = {
    "factual": "states something false, or contradicts the reference on a fact",
    "format": "not in the form asked for (a label, JSON, a layout, a length)",
    "reasoning": "wrong steps or a wrong conclusion from what was given",
    "other": "any other problem (tone, language, irrelevant or unsafe content)",
}


class ReviewError(Exception):
    """A refusal that says what to do. Callers print its message; it is never a bug."""


@dataclass(frozen=True)
class ExportResult:
    """What `export` wrote and drew."""

    packet: Path  # packet.json: give it to reviewers
    key: Path  # key.json: keep it apart (mode 0600)
    judgments: Path  # judgments.json: the blank form, one copy per reviewer
    packet_id: str
    against: str
    pairs: int  # items in the packet
    available: int  # examples that could be drawn (both replies present and different)
    identical: int  # examples skipped: both rungs gave the same reply
    missing: int  # examples skipped: one of the two replies is absent
    fine_tuned_on_a: int  # items whose side A is the fine-tuned model (for the record; about half)
    seed: int

    def summary(self) -> str:
        """One paragraph for the command line."""
        lines = [f"wrote {self.pairs} pair(s) ({FINE_TUNED} vs {self.against}, seed {self.seed}) to {self.packet}"]
        if self.identical:
            lines.append(f"skipped {self.identical} example(s) where both replies are identical (nothing to judge)")
        if self.missing:
            lines.append(f"skipped {self.missing} example(s) missing one of the two replies")
        lines.append(f"give reviewers {self.packet.name} and a copy each of {self.judgments.name}; "
                     f"keep {self.key} away from them")
        return "\n".join(lines)


# -- schemas and files -------------------------------------------------------------


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A schema shipped in the package (`ftspec.schemas`, the repo's schemas/ folder)."""
    return json.loads((files("ftspec.schemas") / name).read_text(encoding="utf-8"))


def _json_path(parts: Iterable[Any]) -> str:
    """jsonschema's path as people write it: `judgments[3].preferred`."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problems(document: Any, schema_name: str, label: str) -> list[str]:
    """`label: path: message` for each way `document` breaks the schema, in document order."""
    validator = Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(document),
                    key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path])
    problems = []
    for error in errors:
        path = _json_path(error.absolute_path)
        problems.append(f"{label}: {path}: {error.message}" if path else f"{label}: {error.message}")
    return problems


def _refuse_problems(problems: list[str], hint: str) -> None:
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_PROBLEMS} more")
        raise ReviewError("\n".join([*shown, hint]))


def _read_json(path: Path, what: str) -> Any:
    """The parsed file, or a refusal that names it (missing, unreadable, not JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReviewError(f"{path}: not found ({what})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReviewError(f"{path}: cannot be read: {e}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ReviewError(f"{path}: not valid JSON: line {e.lineno} column {e.colno}: {e.msg}") from None


def _dumps(data: Any) -> str:
    """The text atomic_write_json writes; packet.json is written from it so its hash is known."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _read_predictions(path: Path) -> list[dict[str, Any]]:
    """predictions.jsonl's records, each checked for the fields export reads."""
    if not path.is_file():
        raise ReviewError(f"{path}: not found: the run has no predictions to review (evaluate it first: `ftspec run`)")
    records = []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ReviewError(f"{path} line {number}: not valid JSON: {e.msg}") from None
            if not (isinstance(record, dict) and isinstance(record.get("index"), int)
                    and isinstance(record.get("messages"), list) and isinstance(record.get("outputs"), dict)):
                raise ReviewError(f"{path} line {number}: expected an object with `index`, `messages`, "
                                  "`reference` and `outputs`")
            records.append(record)
    return records


# -- export ------------------------------------------------------------------------


def export(run_dir: Path, out_dir: Path, *, against: str = "prompted_base", pairs: int = 50,
           seed: int | None = None, categories: Sequence[str] = ERROR_CATEGORIES) -> ExportResult:
    """Draw `pairs` examples of the run (all when it has fewer) where the fine-tuned model and
    `against` replied differently, and write packet.json, key.json and judgments.json to `out_dir`.

    Refuses (ReviewError) a folder that already holds a packet, a key or judgments: writing over
    them would orphan a key whose packet may already be with reviewers.
    """
    run_dir, out_dir = Path(run_dir), Path(out_dir)
    categories = _check_categories(categories)
    if isinstance(pairs, bool) or not isinstance(pairs, int) or pairs < 1:
        raise ReviewError(f"pairs must be a whole number of at least 1, not {pairs!r}")
    _refuse_existing(out_dir)
    results = _read_json(run_dir / RESULTS, "the run's results: evaluate the run first")
    records = _read_predictions(run_dir / PREDICTIONS)
    _check_rungs(against, records, run_dir / PREDICTIONS)
    candidates, identical, missing = _candidates(records, against)
    if not candidates:
        raise ReviewError(f"nothing to judge: {FINE_TUNED} and {against} gave the same reply on every example "
                          f"({identical} identical, {missing} missing one reply)")

    seed = int.from_bytes(os.urandom(8), "big") if seed is None else int(seed)
    rng = random.Random(seed)
    chosen = rng.sample(candidates, min(pairs, len(candidates)))  # random order: the packet's order
    sides = _balanced_sides(rng, len(chosen))
    packet_id = secrets.token_hex(8)  # not from rng: the id must say nothing about the seed

    spec_name = str(results.get("spec", {}).get("name", "")) if isinstance(results, dict) else ""
    items, item_keys = _items(chosen, sides, against)
    packet_text = _dumps({"format": 1, "packet": packet_id, "spec": spec_name,
                          "instructions": _instructions(categories), "categories": categories, "items": items})
    key = {
        "format": 1, "packet": packet_id,
        "packet_sha256": hashlib.sha256(packet_text.encode("utf-8")).hexdigest(),
        "run": str(run_dir.resolve()), "predictions_sha256": sha256_file(run_dir / PREDICTIONS),
        "spec": spec_name, "against": against, "seed": seed, "categories": categories,
        "created": _now(), "skipped": {"identical": identical, "missing": missing}, "items": item_keys,
    }
    template = {"packet": packet_id, "reviewer": "",
                "judgments": [{"id": item["id"], "preferred": None, "errors": {"a": [], "b": []}, "note": ""}
                              for item in items]}
    _write_all(out_dir, key, packet_text, template)
    return ExportResult(
        packet=out_dir / PACKET, key=out_dir / KEY, judgments=out_dir / JUDGMENTS, packet_id=packet_id,
        against=against, pairs=len(items), available=len(candidates), identical=identical, missing=missing,
        fine_tuned_on_a=sides.count("a"), seed=seed)


def _check_categories(categories: Sequence[str]) -> list[str]:
    """The categories as a list: at least one, no blanks, no repeats (a judgment names them)."""
    if isinstance(categories, str):
        categories = [categories]
    out = list(categories)
    if not out:
        raise ReviewError("no error categories: give at least one (the guide's: factual, format, reasoning, other)")
    for c in out:
        if not isinstance(c, str) or not c.strip():
            raise ReviewError(f"error category {c!r}: a category is a non-blank name")
    repeated = sorted({c for c in out if out.count(c) > 1})
    if repeated:
        raise ReviewError(f"error categories repeated: {', '.join(repeated)}")
    return out


def _refuse_existing(out_dir: Path) -> None:
    """Never write over an earlier export: its key would be lost while its packet is out with reviewers."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReviewError(f"{out_dir}: exists and is not a folder; pick another folder for the packet")
    present = [name for name in (PACKET, KEY, JUDGMENTS) if (out_dir / name).exists()]
    if present:
        raise ReviewError(f"{out_dir} already holds a review packet ({', '.join(present)}); a second export would "
                          "orphan its key and judgments: pick another folder")


def _check_rungs(against: str, records: list[dict[str, Any]], predictions: Path) -> None:
    """The fine-tuned model and `against` both have replies in predictions.jsonl."""
    present = {rung for r in records for rung, text in r["outputs"].items() if isinstance(text, str)}
    choices = [rung for rung in AGAINST if rung in present]
    choose = f"choose one of: {', '.join(choices)}" if choices else "the run has no other rung's replies"
    if against == FINE_TUNED:
        raise ReviewError(f"the fine-tuned model is compared with another rung, not with itself; {choose}")
    if against not in AGAINST:
        raise ReviewError(f"`{against}` is not a rung of the comparison ladder ({', '.join(AGAINST)}); {choose}")
    if FINE_TUNED not in present:
        raise ReviewError(f"{predictions}: no `{FINE_TUNED}` replies: review compares the fine-tuned model, and this "
                          "run has none (a baseline?); export from a run that trained and evaluated a model")
    if against not in present:
        raise ReviewError(f"the run has no `{against}` rung; {choose}")


def _candidates(records: list[dict[str, Any]], against: str) -> tuple[list[dict[str, Any]], int, int]:
    """Examples with two different replies, and how many were identical or missing one.

    Replies equal but for surrounding whitespace count as identical: a reviewer sees no difference.
    """
    candidates, identical, missing = [], 0, 0
    for record in records:
        mine, theirs = record["outputs"].get(FINE_TUNED), record["outputs"].get(against)
        if not isinstance(mine, str) or not isinstance(theirs, str):
            missing += 1
        elif mine.strip() == theirs.strip():
            identical += 1
        else:
            candidates.append(record)
    return candidates, identical, missing


def _balanced_sides(rng: random.Random, n: int) -> list[str]:
    """The fine-tuned model's side per item: half A, half B (the odd one at random), shuffled.

    Balanced rather than a coin per item so that a reviewer's lean towards one position cannot
    tilt the win rate; each item's side is still random, so the position says nothing.
    """
    sides = ["a", "b"] * (n // 2) + ([rng.choice("ab")] if n % 2 else [])
    rng.shuffle(sides)
    return sides


def _items(chosen: list[dict[str, Any]], sides: list[str], against: str) -> tuple[list[dict], list[dict]]:
    """Packet items and their key entries, numbered p001... in the drawn (random) order."""
    width = max(3, len(str(len(chosen))))
    items, keys = [], []
    for number, (record, side) in enumerate(zip(chosen, sides, strict=True), start=1):
        item_id = f"p{number:0{width}d}"
        mine, theirs = record["outputs"][FINE_TUNED], record["outputs"][against]
        a, b = (mine, theirs) if side == "a" else (theirs, mine)
        reference = record.get("reference")
        items.append({"id": item_id, "conversation": _conversation(record["messages"]),
                      "reference": reference if isinstance(reference, str) else None, "a": a, "b": b})
        keys.append({"id": item_id, "fine_tuned": side, "index": record["index"]})
    return items, keys


def _conversation(messages: list[Any]) -> list[dict[str, str]]:
    """Role and content of each message only: any other field could carry run details."""
    return [{"role": str(m.get("role", "")), "content": str(m.get("content", ""))}
            for m in messages if isinstance(m, dict)]


def _instructions(categories: list[str]) -> str:
    """The reviewers' instructions. They name no model: reviewers only know there are two systems."""
    described = "\n".join(f"  - {c}: {CATEGORY_HELP[c]}" if c in CATEGORY_HELP else f"  - {c}" for c in categories)
    return (
        "Each item shows a conversation (the input), the reply that was expected (the reference), and two "
        "replies, A and B, written by two different systems. Which system wrote A is drawn at random for "
        "every item: do not try to guess it.\n"
        "For each item, in your copy of judgments.json:\n"
        "1. Set `preferred` to \"a\" or \"b\" for the better reply, or \"tie\" when they are equally good or "
        "equally bad. Leave it null to skip an item you cannot judge.\n"
        "2. Under `errors`, list for each reply the kinds of error it makes, from these categories "
        "(an empty list when it makes none):\n"
        f"{described}\n"
        "3. Optionally, write a short `note`.\n"
        "The reference is one good reply, not the only one: judge whether a reply is right and useful, not "
        "whether it copies the reference's words. Fill in `reviewer` with your name."
    )


def _write_all(out_dir: Path, key: dict, packet_text: str, template: dict) -> None:
    """Key first, then packet and form, each atomically; on any failure, remove what was written.

    The key is created empty with mode 0600 and O_EXCL before it is filled, so it is never readable
    by others (atomic_write_text keeps an existing file's mode) and two exports cannot both write it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        try:
            os.close(os.open(out_dir / KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise ReviewError(f"{out_dir / KEY}: appeared while exporting; pick another folder") from None
        written.append(out_dir / KEY)
        atomic_write_json(out_dir / KEY, key)
        written.append(out_dir / PACKET)
        atomic_write_text(out_dir / PACKET, packet_text)
        written.append(out_dir / JUDGMENTS)
        atomic_write_json(out_dir / JUDGMENTS, template)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


# -- import ------------------------------------------------------------------------


def import_judgments(run_dir: Path, judgments: list[Path] | Path, key_path: Path) -> dict[str, Any]:
    """Unblind the judgments (one file per reviewer) with the key and write the counts to
    RUN/results.json: `human`, `rungs.fine_tuned.metrics.win_rate`, `acceptance` and `passed`
    decided again. Returns `human`. Importing again replaces `human`: the same files give the
    same counts.
    """
    run_dir, key_path = Path(run_dir), Path(key_path)
    paths = [Path(judgments)] if isinstance(judgments, str | os.PathLike) else [Path(p) for p in judgments]
    if not paths:
        raise ReviewError("no judgments files given")
    key = _read_key(key_path)
    _check_packet(key, key_path.parent / PACKET)
    results = _read_json(run_dir / RESULTS, "the run's results")
    _check_run(run_dir, results, key)

    tally = _Tally(key)
    for path in paths:
        tally.add(path, _read_judgments(path, key))
    human = tally.human()
    _write_results(run_dir / RESULTS, results, human)
    return human


def _read_key(path: Path) -> dict[str, Any]:
    key = _read_json(path, "the sealed key written by `ftspec review export`")
    _refuse_problems(_schema_problems(key, "review-key.schema.json", str(path)),
                     "this is not a review key written by `ftspec review export`")
    return key


def _check_packet(key: dict[str, Any], packet: Path) -> None:
    """A packet.json beside the key must be the one the key was written for, byte for byte:
    otherwise reviewers may have judged texts the key does not unblind."""
    if not packet.is_file():
        return  # the key was moved apart from the packet, as advised: nothing to compare
    actual = sha256_file(packet)
    if actual != key["packet_sha256"]:
        raise ReviewError(
            f"{packet}: changed since export (sha256 {actual[:12]}..., the key records "
            f"{key['packet_sha256'][:12]}...): the reviewers may have judged texts this key does not unblind. "
            "Import with this packet's own key, or export a new packet")


def _check_run(run_dir: Path, results: Any, key: dict[str, Any]) -> None:
    """The run is the one the packet was drawn from, with the same replies and a fine-tuned rung."""
    if not isinstance(results, dict) or not isinstance(results.get("rungs"), dict):
        raise ReviewError(f"{run_dir / RESULTS}: not a run's results (no `rungs`)")
    name = (results.get("spec") or {}).get("name")
    if name != key["spec"]:
        raise ReviewError(f"{run_dir}: a run of spec {name!r}, but the key is for spec {key['spec']!r} "
                          f"(exported from {key['run']})")
    predictions = run_dir / PREDICTIONS
    if predictions.is_file() and sha256_file(predictions) != key["predictions_sha256"]:
        raise ReviewError(f"{predictions}: changed since the packet was exported (re-evaluated?): the judgments are "
                          "of the old replies. Export a new packet from the run as it is now")
    if FINE_TUNED not in results["rungs"]:
        raise ReviewError(f"{run_dir / RESULTS}: no `{FINE_TUNED}` rung to record the win rate on")


def _read_judgments(path: Path, key: dict[str, Any]) -> dict[str, Any]:
    """One reviewer's file, valid against its schema, of this key's packet, with a reviewer name."""
    if path.suffix == ".jsonl":  # the log `ftspec review serve` writes (judgments-<reviewer>.jsonl), folded
        from ftspec.evaluate.review_app import judgments_from_log

        doc = judgments_from_log(path)
    else:
        doc = _read_json(path, "a reviewer's judgments")
    _refuse_problems(_schema_problems(doc, "review-judgments.schema.json", str(path)),
                     "fix the file (its format: schemas/review-judgments.schema.json, docs/review.md)")
    if doc["packet"] != key["packet"]:
        raise ReviewError(f"{path}: packet: judgments of packet {doc['packet']!r}, but the key is for packet "
                          f"{key['packet']!r}: import them with that packet's key")
    if not doc["reviewer"].strip():
        raise ReviewError(f"{path}: reviewer: blank; fill in the reviewer's name (each file is one reviewer)")
    return doc


class _Tally:
    """Counts over every reviewer's judgments, unblinded with the key."""

    def __init__(self, key: dict[str, Any]) -> None:
        self.key = key
        self.sides = {item["id"]: item["fine_tuned"] for item in key["items"]}
        self.categories = list(key["categories"])
        self.against = key["against"]
        self.wins = self.losses = self.ties = self.unjudged = 0
        self.errors = {rung: dict.fromkeys(self.categories, 0) for rung in (FINE_TUNED, self.against)}
        self.reviewers: dict[str, Path] = {}
        self.preferences: dict[str, dict[str, str]] = {}  # reviewer -> item -> preferred, for agreement

    def add(self, path: Path, doc: dict[str, Any]) -> None:
        """Count one reviewer's file; refuses it whole before counting anything from it."""
        reviewer = doc["reviewer"].strip()
        if reviewer in self.reviewers:
            raise ReviewError(f"{path}: reviewer: {reviewer!r} also judged in {self.reviewers[reviewer]}; "
                              "each reviewer is imported once")
        self._check(path, doc["judgments"])
        self.reviewers[reviewer] = path
        judged = [j for j in doc["judgments"] if j["preferred"] is not None]
        # Items left null, or left out of the file, are not judged: they count in no rate.
        self.unjudged += len(self.sides) - len(judged)
        self.preferences[reviewer] = {j["id"]: j["preferred"] for j in judged}
        for judgment in judged:
            self._count(judgment)

    def _check(self, path: Path, judgments: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for i, judgment in enumerate(judgments):
            item = judgment["id"]
            if item not in self.sides:
                raise ReviewError(f"{path}: judgments[{i}].id: {item!r} is not an item of packet {self.key['packet']}")
            if item in seen:
                raise ReviewError(f"{path}: judgments[{i}].id: {item!r} is judged twice in this file")
            seen.add(item)
            for side, names in judgment.get("errors", {}).items():
                for name in names:
                    if name not in self.categories:
                        raise ReviewError(f"{path}: judgments[{i}].errors.{side} (item {item}): {name!r} is not a "
                                          f"category of this packet; use one of: {', '.join(self.categories)}")

    def _count(self, judgment: dict[str, Any]) -> None:
        mine = self.sides[judgment["id"]]
        if judgment["preferred"] == "tie":
            self.ties += 1
        elif judgment["preferred"] == mine:
            self.wins += 1
        else:
            self.losses += 1
        for side, names in judgment.get("errors", {}).items():
            rung = FINE_TUNED if side == mine else self.against
            for name in names:
                self.errors[rung][name] += 1

    def human(self) -> dict[str, Any]:
        """results.json's `human` (schemas/results.schema.json, $defs/human)."""
        judged = self.wins + self.losses + self.ties
        if not judged:
            raise ReviewError(f"no item is judged in {', '.join(str(p) for p in self.reviewers.values())} "
                              "(every `preferred` is null): fill in the judgments first")
        # A tie is half a win: neither reply was better, so it counts for each side equally.
        win_rate = (self.wins + self.ties / 2) / judged
        human = {
            "against": self.against, "packet": self.key["packet"], "packets": len(self.sides), "judged": judged,
            "wins": self.wins, "losses": self.losses, "ties": self.ties, "unjudged": self.unjudged,
            "win_rate": win_rate, "ci95": list(wilson(win_rate, judged)), "errors": self.errors,
            "reviewers": list(self.reviewers), "imported": _now(),
        }
        agreement = reviewer_agreement(self.preferences)
        if agreement is not None:
            human["agreement"] = agreement
        return human


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two reviewers' labels (`preferred`: a, b or tie) of the same items, in the
    same order:

        kappa = (p_o - p_e) / (1 - p_e)

    p_o is the share of items they agree on, p_e the share expected by chance from each one's own
    label frequencies, sum over labels k of (n1_k / n) * (n2_k / n). 1 is full agreement, 0 no more
    than chance, below 0 less. None when p_e is 1 (both gave every item one and the same label):
    kappa is then 0/0, undefined.
    """
    if len(first) != len(second):
        raise ValueError(f"kappa compares labels of the same items: {len(first)} and {len(second)} labels")
    n = len(first)
    if not n:
        raise ValueError("kappa needs at least one item judged by both reviewers")
    observed = sum(x == y for x, y in zip(first, second, strict=True)) / n
    expected = sum((list(first).count(k) / n) * (list(second).count(k) / n) for k in set(first) | set(second))
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def reviewer_agreement(preferences: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """results.json's `human.agreement`: Cohen's kappa on `preferred` for each pair of reviewers
    over the items both judged, and `kappa`, their mean (Light's kappa; with two reviewers, the
    pair's). None when no two reviewers judged an item in common."""
    names = list(preferences)
    pairs = []
    for i, one in enumerate(names):
        for other in names[i + 1:]:
            common = [item for item in preferences[one] if item in preferences[other]]
            if not common:
                continue
            first = [preferences[one][item] for item in common]
            second = [preferences[other][item] for item in common]
            pairs.append({"reviewers": [one, other], "items": len(common),
                          "observed": sum(x == y for x, y in zip(first, second, strict=True)) / len(common),
                          "kappa": cohen_kappa(first, second)})
    if not pairs:
        return None
    defined = [p["kappa"] for p in pairs if p["kappa"] is not None]
    return {"kappa": sum(defined) / len(defined) if defined else None, "pairs": pairs}


def wilson(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `p` observed on `n` trials.

        centre    = (p + z²/2n) / (1 + z²/n)
        halfwidth = z · sqrt(p(1 - p)/n + z²/4n²) / (1 + z²/n)
        interval  = [centre - halfwidth, centre + halfwidth]

    Unlike p ± z·sqrt(p(1-p)/n) it stays within [0, 1] and is not zero-width at p = 0 or 1, which
    matters for the few dozen pairs a human review has. With ties as half wins, p is not strictly a
    binomial proportion, and judgments of one item by several reviewers are not independent: read the
    interval as approximate (a little narrow when reviewers overlap).
    """
    if n < 1:
        raise ValueError("the Wilson interval needs at least one trial")
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    halfwidth = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - halfwidth), min(1.0, centre + halfwidth)


def _write_results(path: Path, results: dict[str, Any], human: dict[str, Any]) -> None:
    """Set `human` and fine_tuned's win_rate, decide the criteria again, validate, write atomically.

    Nothing else changes, except that a `win_rate` listed as unavailable for fine_tuned is no longer.
    Old results without `criteria` keep their acceptance as it was (it cannot be decided again).
    """
    results["human"] = human
    fine_tuned = results["rungs"][FINE_TUNED]
    fine_tuned.setdefault("metrics", {})["win_rate"] = human["win_rate"]
    if isinstance(fine_tuned.get("unavailable"), dict):
        fine_tuned["unavailable"].pop("win_rate", None)
    if isinstance(results.get("criteria"), list):
        results["acceptance"] = acceptance.evaluate(results["criteria"], results["rungs"])
        results["passed"] = all(c["passed"] is True for c in results["acceptance"])
    _refuse_problems(_schema_problems(results, "results.schema.json", str(path)),
                     "results.json would not be valid after the import; it was left as it was")
    atomic_write_json(path, results)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # as results.json's `created`
