"""`ftspec augment SPEC`: make candidates into the review queue; `--write`: the accepted ones into data.

    ftspec augment specs/intents.ftspec              # template / paraphrase / synthetic -> queue
    ftspec review serve specs/data/augmented.review  # a person accepts, edits or rejects each
    ftspec augment specs/intents.ftspec --write      # accepted -> specs/data/augmented.jsonl

Docs: docs/augment.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ftspec.augment import queue as q

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
SHOWN_REFUSALS = 5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, metavar="SPEC", help="a spec with an `augment { ... }` block")
    parser.add_argument("--write", action="store_true",
                        help="write the accepted candidates, with provenance, to `augment.into` (makes nothing)")
    parser.add_argument("--only", default=None, metavar="STRATEGIES",
                        help="comma-separated strategies to run: template, paraphrase, synthetic, "
                             "back_translation (default: all the spec declares)")


def _strategies(text: str | None) -> set[str]:
    if text is None:
        return set(q.STRATEGIES)
    chosen = {s.strip() for s in text.split(",") if s.strip()}
    unknown = sorted(chosen - set(q.STRATEGIES))
    if unknown or not chosen:
        raise q.QueueError(f"--only {text!r}: use one or more of {', '.join(q.STRATEGIES)}")
    return chosen


def _short(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def main(args: argparse.Namespace) -> int:
    from ftspec.compile import CompileError
    from ftspec.compile.build import load_spec

    try:
        spec = load_spec(args.spec, rules=False)  # augmenting is for data the sizing rules still reject
    except CompileError as exc:
        if exc.diagnostics:
            from ftspec.cli import _print_diagnostics

            _print_diagnostics(exc.diagnostics)
        message = f"{args.spec} has errors; fix them and run `ftspec augment` again" if exc.diagnostics else exc
        print(f"ftspec: {message}", file=sys.stderr)
        return EXIT_FINDINGS if exc.diagnostics else EXIT_ERROR
    if spec.augment is None:
        print(f"ftspec: {args.spec} has no `augment` block: add one, e.g. `augment {{ into = \"data/augmented.jsonl\" "
              "template { ... } }` (docs/augment.md)", file=sys.stderr)
        return EXIT_ERROR
    base = args.spec.resolve().parent
    into = Path(spec.augment.into)
    into = into if into.is_absolute() else base / into
    folder = q.queue_dir(into)
    try:
        strategies = _strategies(args.only)
        if args.write:
            return _write(spec, base, folder, into)
        return _make(spec, base, folder, into, strategies, args.spec)
    except q.QueueError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:  # the data or queue folder cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"ftspec: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR


def _manifest(spec, spec_path: Path, into: Path) -> dict:
    labels = spec.task.labels if isinstance(spec.task.labels, list) else None
    return {"queue": f"{spec.task.name}-augment", "spec": str(spec_path), "into": str(into),
            "task": {"name": spec.task.name, "kind": spec.task.kind, "goal": spec.task.goal, "labels": labels,
                     "output": spec.task.output.kind}}


def _make(spec, base: Path, folder: Path, into: Path, strategies: set[str], spec_path: Path) -> int:
    from ftspec.augment.make import make
    from ftspec.data.checks import CheckError
    from ftspec.evaluate.endpoint import ChatEndpoint, EndpointError, api_key

    declared = {"template"} if spec.augment.template else set()
    declared |= {name for name in q.STRATEGIES[1:] if getattr(spec.augment, name) is not None}
    if not strategies & declared:
        raise q.QueueError(f"--only {', '.join(sorted(strategies))}: the spec's augment block declares "
                           f"{', '.join(s for s in q.STRATEGIES if s in declared)}; nothing to do")
    endpoint = None
    if strategies & declared - {"template"}:  # the endpoint's URL and key, before anything is made
        try:
            augment = spec.augment
            endpoint = ChatEndpoint(augment.endpoint, augment.model,
                                    key=api_key(augment.api_key_env, "the augment endpoint's key"))
        except EndpointError as exc:
            raise q.QueueError(str(exc)) from None
    queue = q.create(folder, _manifest(spec, spec_path, into))
    before = len(queue.candidates)
    if queue.damaged:
        print(f"note: {queue.damaged} cut line(s) in {_short(folder / q.CANDIDATES)} are skipped (a run killed "
              "while writing); their candidates are made again if needed", file=sys.stderr)
    try:
        tallies, screen = make(spec, base, queue, strategies=strategies, endpoint_factory=lambda: endpoint)
    except EndpointError as exc:
        made = len(queue.candidates) - before
        print(f"ftspec: {exc}", file=sys.stderr)
        print(f"ftspec: the {made} candidate(s) made before that are kept in {_short(folder)}; run `ftspec augment` "
              "again to go on from there", file=sys.stderr)
        return EXIT_ERROR
    except CheckError as exc:
        print(f"ftspec: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for line in screen.unreadable[:3]:
        print(f"warning: {line} (candidates are not checked against unreadable lines; `ftspec check` lists them)",
              file=sys.stderr)
    _summary(tallies, queue, queue.candidates[before:])
    waiting = _waiting(queue)
    print(f"queue: {_short(folder)}: {len(queue.queued())} candidate(s) for review, {waiting} not yet decided")
    print(f"next: ftspec review serve {_short(folder)}   (accept / edit / reject each one)")
    print(f"then: ftspec augment {_short(spec_path)} --write   (accepted ones -> {_short(into)})")
    return EXIT_OK


def _waiting(queue: q.Queue) -> int:
    decided = q.all_decisions(queue)
    return sum(c["id"] not in decided for c in queue.queued())


def _summary(tallies: dict, queue: q.Queue, new: list[dict]) -> None:
    for name, tally in tallies.items():
        refused = sum(tally.refused.values())
        parts = [f"{tally.made} made", f"{tally.queued} queued"]
        if refused:
            parts.append(f"{refused} refused (" + ", ".join(f"{n} {k}" for k, n in tally.refused.most_common()) + ")")
        if tally.repeats:
            parts.append(f"{tally.repeats} already made")
        if tally.requests:
            parts.append(f"{tally.requests} request(s)")
        if tally.unreadable:
            parts.append(f"{tally.unreadable} repl(ies) without a JSON array, skipped")
        print(f"{name}: " + ", ".join(parts))
        if tally.note:
            print(f"  note: {tally.note.rstrip('; ')}")
    refused = [c for c in new if c["status"] == "refused"]  # this run's; earlier ones were shown then
    for c in refused[:SHOWN_REFUSALS]:
        print(f"  refused {c['id']} ({c['strategy']}): {c['input'][:60]!r}: {c['reason']}")
    if len(refused) > SHOWN_REFUSALS:
        print(f"  ... {len(refused) - SHOWN_REFUSALS} more refusals, each with its reason, in "
              f"{_short(queue.folder / q.CANDIDATES)}")


def _write(spec, base: Path, folder: Path, into: Path) -> int:
    from ftspec.augment.write import write

    if not (folder / q.MANIFEST).exists():
        raise q.QueueError(f"no review queue at {_short(folder)}: run `ftspec augment SPEC` first, then review")
    queue = q.load(folder)
    result = write(spec, base, queue, into)
    for cid, why in result.refused:
        print(f"  not written {cid}: {why}", file=sys.stderr)
    counts = (f"{result.accepted} accepted, {result.edited} edited; {result.rejected} rejected, "
              f"{result.undecided} not yet decided")
    if result.refused:
        counts += f", {len(result.refused)} refused by the data checks after review"
    if result.orphans:
        print(f"note: {result.orphans} decision(s) about candidates this queue does not hold were ignored "
              f"(their lines in {_short(folder / q.CANDIDATES)} are gone)", file=sys.stderr)
    if result.damaged:
        print(f"note: {result.damaged} cut line(s) in the decision logs were skipped (a write cut by a kill; "
              "the page never showed them as saved)", file=sys.stderr)
    if result.removed:
        print(f"removed {_short(into)}: none of its examples is accepted any more ({counts}); take it out of "
              "data.train until some are")
        return EXIT_OK
    if not result.written:
        print(f"nothing accepted yet ({counts}); nothing written")
        return EXIT_OK
    strategies = ", ".join(f"{k} {n}" for k, n in sorted(result.by_strategy.items()))
    print(f"wrote {result.written} reviewed example(s) to {_short(into)} ({strategies}; {counts})")
    named = _named_in_train(spec, base, into)
    if not named:
        print(f"next: name it in the spec's data block to train on it: train = [..., jsonl(\"{spec.augment.into}\")]")
    return EXIT_OK


def _named_in_train(spec, base: Path, into: Path) -> bool:
    from ftspec.data.scan import resolve
    from ftspec.data.sources import SourceSpec

    return any(resolve(SourceSpec.of(s), base).resolve() == into.resolve() for s in spec.data.train)
