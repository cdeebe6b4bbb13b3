"""Make candidates for the review queue: each strategy of the spec's `augment` block in turn,
each candidate screened (`screen.py`) and appended to the queue as soon as it is made.

A strategy stops when the queue holds `count` of its candidates that passed the checks, so a
rerun after a stop (a killed process, an endpoint that went away) goes on where it stopped and a
rerun after a finished one asks nothing.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftspec.augment import generate
from ftspec.augment import queue as q
from ftspec.augment.screen import Screen
from ftspec.augment.templates import expand
from ftspec.evaluate.review_app import now

PARAPHRASE_TOKENS, SYNTHETIC_TOKENS = 1024, 2048  # reply budgets per request
ATTEMPTS = 3  # synthetic requests per needed request, before giving up on a model that repeats itself


@dataclass
class Tally:
    """What one strategy did in this run."""

    made: int = 0
    queued: int = 0
    refused: Counter = field(default_factory=Counter)  # reason's kind -> count
    repeats: int = 0  # candidates made before: by an earlier run, or twice in this one
    requests: int = 0
    unreadable: int = 0  # endpoint replies without a JSON array
    note: str = ""

    def add(self, candidate: dict[str, Any]) -> None:
        self.made += 1
        if candidate["status"] == "queued":
            self.queued += 1
        else:
            self.refused[candidate["check"].replace("_", " ")] += 1


def _candidate(strategy: str, text_in: str, text_out: str, provenance: dict[str, Any],
               screen: Screen) -> dict[str, Any]:
    cid = q.candidate_id(strategy, text_in, text_out)
    verdict = screen.check(text_in, text_out, cid)
    return {"id": cid, "strategy": strategy, "input": text_in, "output": text_out,
            "status": "refused" if verdict.refused else "queued", "reason": verdict.refused, "check": verdict.check,
            "flags": verdict.flags, "provenance": provenance, "created_at": now()}


def _add(queue: q.Queue, tally: Tally, candidates: list[dict[str, Any]]) -> None:
    fresh: dict[str, dict[str, Any]] = {}
    for c in candidates:
        if c["id"] in queue.ids or c["id"] in fresh:
            tally.repeats += 1
        else:
            fresh[c["id"]] = c
            tally.add(c)
    q.append(queue, list(fresh.values()))


def templates(spec, screen: Screen, queue: q.Queue) -> Tally:
    tally = Tally()
    for name, group in spec.augment.template.items():
        made = []
        for item in expand(name, group, spec.augment.seed):
            cid = q.candidate_id("template", item["input"], item["output"])
            if cid in queue.ids:
                tally.repeats += 1
                continue
            made.append(_candidate("template", item["input"], item["output"], item["provenance"], screen))
        _add(queue, tally, made)
        if group.count is not None and group.count > group.combinations():
            tally.note += (f"template `{name}` makes {group.combinations()} combinations, fewer than its count "
                           f"{group.count}; ")
    return tally


def _endpoint_provenance(spec) -> dict[str, Any]:
    return {"model": spec.augment.model, "endpoint": spec.augment.endpoint.split("?", 1)[0]}


def _each_example(strategy: str, count: int, done_word: str, spec, screen: Screen, queue: q.Queue,
                  say: Callable[[str], None], ask: Callable[[Any, Tally], tuple[list[str] | None, dict]]) -> Tally:
    """The strategies that start from one training example at a time (paraphrase, back
    translation): examples in the seed's order, each once across runs, until `count` are queued.
    `ask(example, tally)` returns the new inputs (None: an unreadable reply) and what the
    provenance adds; the example's reply is kept."""
    tally = Tally()
    earlier = queue.of(strategy)
    done = {c["provenance"].get("source") for c in earlier}
    need = count - sum(c["status"] == "queued" for c in earlier)
    for ex in generate.example_order(screen.examples, spec.augment.seed, strategy):
        if need <= 0:
            break
        source = f"{screen.short(ex.path)}:{ex.line}"
        if source in done:
            continue
        texts, extra = ask(ex, tally)
        if texts is None:
            tally.unreadable += 1
            continue
        provenance = {"strategy": strategy, "source": source, "original": ex.input, **extra,
                      **_endpoint_provenance(spec)}
        before = tally.queued
        _add(queue, tally, [_candidate(strategy, text, ex.output, provenance, screen) for text in texts])
        need -= tally.queued - before
        say(f"{strategy}: {count - max(need, 0)}/{count} queued ({tally.requests} requests)")
    else:
        if need > 0:
            tally.note += f"every training example has been {done_word}; {need} fewer candidates than `count`; "
    return tally


def paraphrases(spec, screen: Screen, queue: q.Queue, endpoint, say: Callable[[str], None]) -> Tally:
    config, temperature = spec.augment.paraphrase, spec.augment.temperature

    def ask(ex, tally: Tally) -> tuple[list[str] | None, dict]:
        reply = endpoint.complete(generate.paraphrase_messages(ex.input, config.per_example), PARAPHRASE_TOKENS,
                                  temperature=temperature)
        tally.requests += 1
        texts = generate.read_paraphrases(reply)
        return (None if texts is None else texts[:config.per_example]), {}

    return _each_example("paraphrase", config.count, "paraphrased", spec, screen, queue, say, ask)


def back_translations(spec, screen: Screen, queue: q.Queue, endpoint, say: Callable[[str], None]) -> Tally:
    """Each training example out into one of `via`, in turn, and back: two requests per candidate."""
    config, temperature = spec.augment.back_translation, spec.augment.temperature
    turns = itertools.count(len(queue.of("back_translation")))  # the languages take turns across runs too

    def ask(ex, tally: Tally) -> tuple[list[str] | None, dict]:
        via = config.via[next(turns) % len(config.via)]
        pivot = generate.plain_reply(endpoint.complete(generate.translate_messages(ex.input, via), PARAPHRASE_TOKENS,
                                                       temperature=temperature))
        back = generate.plain_reply(endpoint.complete(generate.translate_messages(pivot, config.language),
                                                      PARAPHRASE_TOKENS, temperature=temperature))
        tally.requests += 2
        return ([back] if pivot and back else None), {"via": via, "pivot": pivot}

    return _each_example("back_translation", config.count, "translated", spec, screen, queue, say, ask)


def synthetic(spec, screen: Screen, queue: q.Queue, endpoint, say: Callable[[str], None]) -> Tally:
    tally, config, augment, task = Tally(), spec.augment.synthetic, spec.augment, spec.task
    earlier = [c["provenance"].get("request", -1) for c in queue.of("synthetic")]
    request = max(earlier, default=-1) + 1
    need = config.count - sum(c["status"] == "queued" for c in queue.of("synthetic"))
    labels = task.labels if isinstance(task.labels, list) else None
    budget = math.ceil(max(need, 0) / config.per_request) * ATTEMPTS
    while need > 0 and tally.requests < budget and screen.examples:
        seeds = generate.seed_examples(screen.examples, config.shots, augment.seed, request)
        messages = generate.synthetic_messages(seeds, min(config.per_request, need), goal=task.goal, labels=labels,
                                               kind=task.kind)
        reply = endpoint.complete(messages, SYNTHETIC_TOKENS, temperature=augment.temperature)
        tally.requests += 1
        pairs = generate.read_examples(reply)
        if pairs is None:
            tally.unreadable += 1
            request += 1
            continue
        provenance = {"strategy": "synthetic", "request": request,
                      "seeds": [f"{screen.short(ex.path)}:{ex.line}" for ex in seeds], **_endpoint_provenance(spec)}
        made = [_candidate("synthetic", text_in, text_out, provenance, screen) for text_in, text_out in pairs]
        before = tally.queued
        _add(queue, tally, made)
        need -= tally.queued - before
        request += 1
        say(f"synthetic: {config.count - max(need, 0)}/{config.count} queued ({tally.requests} requests)")
    if need > 0 and screen.examples and tally.unreadable == tally.requests:
        tally.note += (f"stopped after {tally.requests} requests: no reply held a JSON array of examples (is the "
                       "model able to follow the format?); ")
    elif need > 0 and screen.examples:
        tally.note += (f"stopped after {tally.requests} requests with {need} fewer candidates than `count`: the "
                       "model's examples were refused or repeated (see the reasons); run again to ask more; ")
    if not screen.examples:
        tally.note += "no single-turn training example to show the model as a seed; "
    return tally


def make(spec, base: Path, queue: q.Queue, *, strategies: set[str], endpoint_factory: Callable[[], Any],
         say: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
         ) -> tuple[dict[str, Tally], Screen]:
    """Run the chosen strategies; returns each one's tally. The screen is built once, with every
    queued candidate of earlier runs in it (a new candidate may not repeat one of them)."""
    into = _into(spec, base)
    screen = Screen(spec, base, into=into)
    for c in queue.queued():
        screen.remember(c["input"], c["output"], c["id"])
    tallies: dict[str, Tally] = {}
    if "template" in strategies and spec.augment.template:
        tallies["template"] = templates(spec, screen, queue)
    endpoint = None
    for name, run in (("paraphrase", paraphrases), ("synthetic", synthetic), ("back_translation", back_translations)):
        if name in strategies and getattr(spec.augment, name) is not None:
            endpoint = endpoint or endpoint_factory()
            tallies[name] = run(spec, screen, queue, endpoint, say)
    return tallies, screen


def _into(spec, base: Path) -> Path:
    into = Path(spec.augment.into)
    return into if into.is_absolute() else Path(base) / into
