"""`ftspec augment SPEC --write`: the accepted candidates, with their provenance, into `augment.into`.

Only candidates a person accepted (as they were, or edited) are written; each is checked again
(`screen.py`), since an edit can make a duplicate or copy an eval example. Each line is a chat
example with a `provenance` object: the strategy and what it started from, the candidate's id,
and the review record (decision, reviewer, time, note, and the original text of an edited one).
The lint rule DA007 refuses generated training examples without such a record.

The file is written whole, atomically, from the queue every time, in the order the candidates were
made, so it never holds half a write and the same decisions always give the same bytes. A file
that holds lines of anything but this queue is never overwritten: it is the user's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftspec.augment import queue as q
from ftspec.augment.screen import Screen
from ftspec.runtime.io import atomic_write_text


@dataclass
class Written:
    path: Path
    written: int = 0
    accepted: int = 0
    edited: int = 0
    rejected: int = 0
    undecided: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (candidate id, why) refused at write
    by_strategy: dict[str, int] = field(default_factory=dict)
    removed: bool = False  # nothing accepted any more: the file this queue wrote before was removed
    orphans: int = 0  # decisions about candidates the queue does not hold: ignored
    damaged: int = 0  # cut lines in the decision logs: skipped


def _foreign_lines(path: Path, queue: q.Queue) -> list[int]:
    """Lines of an existing `into` file that this queue did not write."""
    if not path.exists():
        return []
    try:
        data = path.read_bytes()
    except OSError as e:
        raise q.QueueError(f"{path}: cannot be read: {e.strerror or e}") from None
    ids, foreign = queue.ids, []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            candidate = line["provenance"]["candidate"]
        except (ValueError, KeyError, TypeError):
            foreign.append(number)
            continue
        if candidate not in ids:
            foreign.append(number)
    return foreign


def record(candidate: dict[str, Any], decision: dict[str, Any]) -> dict[str, Any]:
    """The line written for an accepted candidate."""
    text_in, text_out = decision["input"].strip(), decision["output"].strip()
    edited = text_in != candidate["input"] or text_out != candidate["output"]
    review: dict[str, Any] = {"decision": "edit" if edited else "accept", "reviewer": decision["reviewer"],
                              "at": decision["at"]}
    if decision["note"]:
        review["note"] = decision["note"]
    if edited:
        review["original"] = {"input": candidate["input"], "output": candidate["output"]}
    provenance = {**candidate["provenance"], "candidate": candidate["id"], "generated_at": candidate["created_at"],
                  "review": review}
    return {"messages": [{"role": "user", "content": text_in}, {"role": "assistant", "content": text_out}],
            "provenance": provenance}


def write(spec, base: Path, queue: q.Queue, into: Path) -> Written:
    foreign = _foreign_lines(into, queue)
    if foreign:
        raise q.QueueError(
            f"{into} has {len(foreign)} line(s) that this review queue did not write (first: line {foreign[0]}); "
            "`ftspec augment --write` rewrites the whole file, so it leaves it alone: set `augment.into` to a new "
            "file name")
    cut: list[int] = []
    decided = q.all_decisions(queue, cut)
    screen = Screen(spec, base, into=into, rewriting=True)
    result = Written(into, orphans=q.orphans(decided, queue), damaged=sum(cut))
    lines = []
    for candidate in queue.queued():
        decision = decided.get(candidate["id"])
        if decision is None:
            result.undecided += 1
            continue
        if decision["decision"] == "reject":
            result.rejected += 1
            continue
        line = record(candidate, decision)
        user, reply = (m["content"] for m in line["messages"])
        verdict = screen.check(user, reply, candidate["id"])
        if verdict.refused:
            result.refused.append((candidate["id"], verdict.refused))
            continue
        if line["provenance"]["review"]["decision"] == "edit":
            result.edited += 1
        else:
            result.accepted += 1
        result.by_strategy[candidate["strategy"]] = result.by_strategy.get(candidate["strategy"], 0) + 1
        lines.append(json.dumps(line, ensure_ascii=False))
    result.written = len(lines)
    try:
        if lines:
            atomic_write_text(into, "\n".join(lines) + "\n")
        elif into.exists():
            # Everything it held was rejected or undone since: the examples must not stay trained on,
            # and an empty JSONL file is a format error, so the file goes (it held only this queue's lines).
            into.unlink()
            result.removed = True
    except OSError as e:
        raise q.QueueError(f"cannot write {into}: {e.strerror or e}") from None
    return result
