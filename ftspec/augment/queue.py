"""The review queue of `ftspec augment`: candidates waiting for a person, and their decisions.

A queue is the folder beside the spec's `augment.into` file (`data/augmented.jsonl` ->
`data/augmented.review/`):

- `queue.json`: what the queue is for (task, labels, the spec and the `into` file);
- `candidates.jsonl`: one candidate per line, appended as they are made (fsync'ed, so a run
  stopped midway keeps what it made and the next run goes on); a candidate refused by the data
  checks is kept too, with its reason, so that it is never asked for or shown again;
- `decisions-<reviewer>.jsonl`: each reviewer's decisions, appended and fsync'ed one by one by
  the review app (`ftspec review serve QUEUE_DIR`), as the judgments of a review packet are.

A decision is an event: `{"event": "decide", "queue", "reviewer", "id", "decision": "accept" |
"edit" | "reject", "input", "output", "note", "at"}` (`input`/`output` are the text as accepted,
changed or not), or `{"event": "clear", ...}` to undo one. Folded over every reviewer's log in
time order, the last event of a candidate wins. Only `ftspec augment SPEC --write` turns the
accepted ones into training data.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ftspec.evaluate.review_app import DAMAGED, REVIEWER, REVIEWER_HELP, EventLog, envelope_problem, json_lines, now
from ftspec.runtime.io import atomic_write_json

MANIFEST, CANDIDATES = "queue.json", "candidates.jsonl"
STRATEGIES = ("template", "paraphrase", "synthetic", "back_translation")  # the order they run in
DECISIONS = ("accept", "edit", "reject")
MAX_TEXT = 20_000  # characters of an edited input or output
MAX_NOTE = 10_000
DECIDE_FIELDS = {"event", "queue", "reviewer", "id", "decision", "input", "output", "note"}
CLEAR_FIELDS = {"event", "queue", "reviewer", "id"}
CANDIDATE_ID = re.compile(r"^c[0-9a-f]{12}$")


class QueueError(Exception):
    """The queue cannot be read or used: the message says why and what to do."""


def queue_dir(into: Path) -> Path:
    """`data/augmented.jsonl` -> `data/augmented.review`."""
    into = Path(into)
    return into.with_name(into.stem + ".review")


def candidate_id(strategy: str, text_in: str, text_out: str) -> str:
    """The same candidate made twice (by a rerun, or by two requests) has one id."""
    digest = hashlib.sha256(f"{strategy}\0{text_in}\0{text_out}".encode()).hexdigest()
    return "c" + digest[:12]


def decisions_path(folder: Path, reviewer: str) -> Path:
    if not isinstance(reviewer, str) or not REVIEWER.match(reviewer):
        raise QueueError(f"reviewer id {reviewer!r}: use {REVIEWER_HELP}")
    return Path(folder) / f"decisions-{reviewer}.jsonl"


# -- candidates ----------------------------------------------------------------------


@dataclass
class Queue:
    folder: Path
    manifest: dict[str, Any]
    candidates: list[dict[str, Any]] = field(default_factory=list)  # in the order they were made
    damaged: int = 0  # lines cut by a kill: skipped

    @property
    def id(self) -> str:
        return self.manifest["queue"]

    @cached_property
    def ids(self) -> set[str]:
        """Every candidate's id (kept up to date by `append`)."""
        return {c["id"] for c in self.candidates}

    def queued(self) -> list[dict[str, Any]]:
        """The candidates a reviewer sees: those the data checks did not refuse."""
        return [c for c in self.candidates if c["status"] == "queued"]

    @cached_property
    def waiting(self) -> frozenset[str]:
        """The ids of the queued candidates (kept: every event the app receives is checked against it)."""
        return frozenset(c["id"] for c in self.queued())

    def of(self, strategy: str) -> list[dict[str, Any]]:
        return [c for c in self.candidates if c["strategy"] == strategy]


def create(folder: Path, manifest: dict[str, Any]) -> Queue:
    """The queue in `folder`: opened if it exists (its manifest must be for the same task), else made."""
    folder = Path(folder)
    if (folder / MANIFEST).exists():
        queue = load(folder)
        if queue.manifest["task"]["name"] != manifest["task"]["name"]:
            raise QueueError(f"{folder} is the review queue of task {queue.manifest['task']['name']!r}, not "
                             f"{manifest['task']['name']!r}: give this spec's `augment.into` another file name")
        return queue
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_json(folder / MANIFEST, {"version": 1, **manifest, "created_at": now()})
    except OSError as e:
        raise QueueError(f"cannot make the review queue {folder}: {e.strerror or e}; it is the folder beside "
                         "`augment.into` (check that path)") from None
    return load(folder)


def load(folder: Path) -> Queue:
    folder = Path(folder)
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QueueError(f"{folder}: no {MANIFEST}; this is not a review queue written by `ftspec augment`") from None
    except (OSError, ValueError) as e:
        raise QueueError(f"{path}: cannot be read: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("version") != 1 or not isinstance(manifest.get("queue"), str):
        raise QueueError(f"{path}: not a review queue manifest of this ftspec (version 1)")
    queue = Queue(folder, manifest)
    seen: set[str] = set()
    for number, candidate in json_lines(folder / CANDIDATES, QueueError):
        if candidate is DAMAGED:
            queue.damaged += 1  # a write cut by a kill
            continue
        problem = candidate_problem(candidate)
        if problem:
            raise QueueError(f"{folder / CANDIDATES} line {number}: {problem}")
        if candidate["id"] not in seen:
            seen.add(candidate["id"])
            queue.candidates.append(candidate)
    return queue


def candidate_problem(candidate: Any) -> str | None:
    if not isinstance(candidate, dict):
        return "a candidate is a JSON object"
    for key, kind in (("id", str), ("strategy", str), ("input", str), ("output", str), ("status", str),
                      ("provenance", dict), ("flags", list)):
        if not isinstance(candidate.get(key), kind):
            return f"`{key}` missing or not a {kind.__name__}"
    if not CANDIDATE_ID.match(candidate["id"]):
        return f"id {candidate['id']!r} is not a candidate id"
    if candidate["status"] not in ("queued", "refused"):
        return f"status {candidate['status']!r} is not 'queued' or 'refused'"
    return None


def append(queue: Queue, candidates: list[dict[str, Any]]) -> None:
    """Add candidates (each on disk and fsync'ed before the next is made)."""
    log = EventLog(queue.folder / CANDIDATES)
    for candidate in candidates:
        problem = candidate_problem(candidate)
        if problem:
            raise AssertionError(f"a bad candidate was made: {problem}")
        if candidate["id"] in queue.ids:
            continue
        try:
            log.append(candidate)
        except OSError as e:
            raise QueueError(f"cannot add to {log.path}: {e.strerror or e}") from None
        queue.candidates.append(candidate)
        queue.ids.add(candidate["id"])
        queue.__dict__.pop("waiting", None)


# -- decisions -----------------------------------------------------------------------


def decision_problem(event: Any, queue: Queue | None, *, sent: bool = False) -> str | None:
    """What is wrong with one decision event (None when nothing is); `sent`: as the page sends it
    (no `at`, which the server adds), about a candidate waiting in the queue. An event read from a
    log may name a candidate the queue no longer has (its line was cut, or the folder was edited):
    that is not a problem of the log, and folding ignores it (`orphans` counts them)."""
    problem = envelope_problem(event, {"decide": DECIDE_FIELDS, "clear": CLEAR_FIELDS}, sent=sent)
    if problem:
        return problem
    kind = event["event"]
    if queue is not None and event["queue"] != queue.id:
        return f"queue: {event['queue']!r} is not this queue ({queue.id!r}): a page of another queue?"
    if not isinstance(event["id"], str) or not CANDIDATE_ID.match(event["id"]) or (
            sent and queue is not None and event["id"] not in queue.waiting):
        return f"id: {event['id']!r} is not a candidate waiting in this queue"
    if kind == "clear":
        return None
    if event["decision"] not in DECISIONS:
        return f"decision: {event['decision']!r} is not one of 'accept', 'edit', 'reject'"
    for key in ("input", "output"):
        text = event[key]
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            return f"{key}: a text of at most {MAX_TEXT} characters"
        if event["decision"] != "reject" and not text.strip():
            return f"{key}: empty; an accepted example needs an input and an output (or reject it)"
    if not isinstance(event["note"], str) or len(event["note"]) > MAX_NOTE:
        return f"note: a text of at most {MAX_NOTE} characters"
    return None


def read_decisions(path: Path, queue: Queue | None = None) -> tuple[list[dict[str, Any]], int]:
    """A reviewer's decision events in file order, and the count of damaged lines skipped (a write
    cut by a kill, never acknowledged). A line that is JSON but not a valid event is refused."""
    events, damaged = [], 0
    for number, event in json_lines(path, QueueError):
        if event is DAMAGED:
            damaged += 1
            continue
        problem = decision_problem(event, queue)
        if problem:
            raise QueueError(f"{path} line {number}: {problem}")
        events.append(event)
    return events, damaged


def fold(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Candidate id -> its decision, the last event of each candidate winning (a clear removes it)."""
    decided: dict[str, dict[str, Any]] = {}
    for event in events:
        decided.pop(event["id"], None)
        if event["event"] == "decide":
            decided[event["id"]] = {k: event[k] for k in ("decision", "input", "output", "note", "reviewer", "at")}
    return decided


def orphans(decided: dict[str, dict[str, Any]], queue: Queue) -> int:
    """Decisions about candidates the queue does not hold (or that it refused): ignored."""
    return sum(i not in queue.waiting for i in decided)


def all_decisions(queue: Queue, damaged: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """Every reviewer's decisions together, in time order: the latest decision of a candidate wins.
    `damaged`, if given, collects the count of cut lines skipped."""
    events = []
    for path in sorted(queue.folder.glob("decisions-*.jsonl")):
        found, cut = read_decisions(path, queue)
        events.extend(found)
        if damaged is not None:
            damaged.append(cut)
    events.sort(key=lambda e: e["at"])  # ISO times in UTC with microseconds: text order is time order
    return fold(events)
