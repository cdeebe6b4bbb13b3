"""`ftspec check`: every data check of the spec in one streaming pass per file.

Memory is bounded by one small record per example (hashes, category, counts), never
by the text; near-duplicate detection re-reads the files rather than keep them.
Sources are read eval first, so train and validation are checked against an eval
index as they stream by.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftspec.data.normalize import ngrams, normalise
from ftspec.data.scan import FormatIssue, scan
from ftspec.data.sources import Example, SourceSpec
from ftspec.data.split import split
from ftspec.data.stats import Tokens, distribution

LISTED = 1000  # at most this many items are listed per finding kind; counts are always complete
NGRAM = 5  # word n-grams for contamination
OVERLAP = 0.6  # share of n-grams two inputs have in common that counts as contamination
FLOOR_WORDS, FLOOR_CHARS = 4, 20  # shorter inputs ("2", "yes") are never called contamination

# The guide's Data Sizing Guidelines, per category: (minimum, recommended), lower ends of the ranges.
SIZING = {
    "classification": (50, 200), "extraction": (100, 500), "style": (50, 200),
    "reasoning": (200, 1000), "knowledge": (500, 2000),
}


def where(ex: Example | FormatIssue) -> dict[str, Any]:
    return {"file": ex.path, "line": ex.line}


@dataclass(slots=True)
class Record:
    """What the checks keep of an example."""

    path: str
    line: int
    category: str | None
    input_hash: int
    output_hash: int
    example_hash: int


@dataclass
class SourceStats:
    role: str
    path: str
    examples: int = 0
    format_errors: Counter = field(default_factory=Counter)
    issues: list[dict] = field(default_factory=list)
    missing_system: int = 0
    missing_user: int = 0
    messages: array = field(default_factory=lambda: array("I"))
    tokens: array = field(default_factory=lambda: array("I"))
    assistant_tokens: array = field(default_factory=lambda: array("I"))
    over_max_tokens: list[dict] = field(default_factory=list)
    over_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role, "path": self.path, "examples": self.examples,
            "format_errors": {"total": sum(self.format_errors.values()), **dict(sorted(self.format_errors.items())),
                              "issues": self.issues},
            "missing_system": self.missing_system, "missing_user": self.missing_user,
            "messages": distribution(self.messages), "tokens": distribution(self.tokens),
            "assistant_tokens": distribution(self.assistant_tokens),
            "over_max_tokens": {"count": self.over_count, "examples": self.over_max_tokens},
        }


class Checker:
    def __init__(self, spec, spec_dir: Path, *, tokens: Tokens | None = None, near: bool = True) -> None:
        self.spec, self.base = spec, spec_dir
        self.tokens = tokens or Tokens(None)
        self.near = near
        self.max_tokens = spec.quality.max_tokens
        self.output = spec.task.output
        self.labels = {normalise(x) for x in spec.task.labels} if isinstance(spec.task.labels, list) else None
        self.pattern = re.compile(self.output.pattern) if self.output.kind == "regex" else None
        self.schema_validator = self._schema_validator()
        self.sources: list[SourceStats] = []
        self.eval_inputs: dict[int, dict] = {}
        self.eval_grams: dict[int, int] = {}  # n-gram hash -> index into eval_locations
        self.eval_locations: list[dict] = []
        self.eval_gram_counts: list[int] = []
        self.compliance = {"checked": 0, "failures": 0, "examples": []}
        self.tags: Counter = Counter()
        self.found_contamination: list[tuple] = []  # (file, line, eval location, kind, overlap)

    def _schema_validator(self):
        if self.output.kind != "json_schema":
            return None
        import jsonschema

        path = Path(self.output.schema_path)
        path = path if path.is_absolute() else self.base / path
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CheckError(f"cannot read the output schema {path}: {exc}") from exc
        return jsonschema.Draft202012Validator(schema)

    # -- one source -------------------------------------------------------------------
    def read(self, source, role: str) -> list[Record]:
        spec = SourceSpec(**{k: v for k, v in source.model_dump().items() if v is not None})
        stats = SourceStats(role, str(Path(spec.path) if Path(spec.path).is_absolute() else self.base / spec.path))
        self.sources.append(stats)
        records: list[Record] = []
        system = self.spec.data.system
        for item in scan(spec, self.base):
            if isinstance(item, FormatIssue):
                stats.format_errors[item.category] += 1
                if len(stats.issues) < LISTED:
                    stats.issues.append(item.to_dict())
                continue
            records.append(self.example(item, stats, system, role))
        return records

    def example(self, ex: Example, stats: SourceStats, system: str | None, role: str) -> Record:
        stats.examples += 1
        roles = [m["role"] for m in ex.messages]
        if "system" not in roles:
            stats.missing_system += 1  # before the spec's system prompt is applied
        if "user" not in roles:
            stats.missing_user += 1
        stats.messages.append(len(ex.messages) + (1 if system and "system" not in roles else 0))
        text_tokens = sum(self.tokens.count(m["content"]) for m in ex.messages)
        if system and "system" not in roles:
            text_tokens += self.tokens.count(system)
        answer_tokens = self.tokens.count(ex.output)
        stats.tokens.append(text_tokens)
        stats.assistant_tokens.append(answer_tokens)
        if text_tokens > self.max_tokens:
            stats.over_count += 1
            if len(stats.over_max_tokens) < LISTED:
                stats.over_max_tokens.append({**where(ex), "tokens": text_tokens})
        for tag in ex.extra.get("tags") or []:
            if isinstance(tag, str):
                self.tags[tag] += 1
        norm_in, norm_out = normalise(ex.input), normalise(ex.output)
        record = Record(ex.path, ex.line, ex.category, hash(norm_in), hash(norm_out),
                        hash(tuple(normalise(m["content"]) + "\x00" + m["role"] for m in ex.messages)))
        if role == "eval":
            self.index_eval(norm_in, ex, record)
        else:
            self.compliant(ex)
            record_contamination = self.contaminated(norm_in)
            if record_contamination is not None:
                self.found_contamination.append((ex.path, ex.line, *record_contamination))
        return record

    # -- eval index and contamination -----------------------------------------------------
    def index_eval(self, norm_in: str, ex: Example, record: Record) -> None:
        if not _substantial(norm_in):
            return
        location = where(ex)
        self.eval_inputs.setdefault(record.input_hash, location)
        index = len(self.eval_locations)
        self.eval_locations.append(location)
        grams = ngrams(norm_in.split(), NGRAM)
        self.eval_gram_counts.append(len(grams))
        for gram in grams:
            self.eval_grams.setdefault(gram, index)

    def contaminated(self, norm_in: str) -> tuple[dict, str, float] | None:
        if not _substantial(norm_in) or not self.eval_locations:
            return None
        exact = self.eval_inputs.get(hash(norm_in))
        if exact is not None:
            return exact, "exact", 1.0
        grams = ngrams(norm_in.split(), NGRAM)
        hits = Counter(self.eval_grams[g] for g in grams if g in self.eval_grams)
        if not hits:
            return None
        index, shared = hits.most_common(1)[0]
        # Shared n-grams over the larger of the two: a short training message that is only
        # a fragment of a longer eval message (or the reverse) is not a copy of it.
        overlap = shared / max(len(grams), self.eval_gram_counts[index])
        return (self.eval_locations[index], "ngram", round(overlap, 3)) if overlap >= OVERLAP else None

    # -- output format ----------------------------------------------------------------
    def compliant(self, ex: Example) -> None:
        kind, answer = self.output.kind, ex.output
        if kind == "label" and self.labels is not None:
            ok = normalise(answer) in self.labels
        elif kind == "regex":
            ok = self.pattern.fullmatch(answer.strip()) is not None
        elif kind in ("json", "json_schema"):
            try:
                value = json.loads(answer)
                ok = isinstance(value, dict) and (self.schema_validator is None
                                                  or self.schema_validator.is_valid(value))
            except json.JSONDecodeError:
                ok = False
        else:
            return
        self.compliance["checked"] += 1
        if not ok:
            self.compliance["failures"] += 1
            if len(self.compliance["examples"]) < LISTED:
                self.compliance["examples"].append({**where(ex), "output": answer[:200]})

    # -- everything -------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        data, quality = self.spec.data, self.spec.quality
        for source in data.eval or []:
            self.read(source, "eval")
        train: list[Record] = []
        for source in data.train:
            train += self.read(source, "train")
        # The split is the one training makes (same function, same seed), recorded here.
        if data.validation.source is not None:
            held = self.read(data.validation.source, "validation")
            both = train + held
            validation_info: dict[str, Any] = {"method": "file", "examples": len(held)}
        else:
            _, held = split(train, data.validation.fraction, stratified=bool(data.validation.stratified),
                            seed=self.spec.training.seed)
            both = train
            how = "stratified" if data.validation.stratified else "random"
            validation_info = {
                "method": f"split {data.validation.fraction:.0%} {how}, seed {self.spec.training.seed}",
                "examples": len(held),
                "lines": [[r.path, r.line] for r in held[:LISTED]],
            }
        held_ids = {id(r) for r in held}
        side = {id(r): ("validation" if id(r) in held_ids else "train") for r in both}

        duplicates, conflicts = [], []
        first_example: dict[int, Record] = {}
        first_input: dict[int, Record] = {}
        dup_count = conflict_count = 0
        for r in both:
            seen = first_example.get(r.example_hash)
            if seen is not None:
                dup_count += 1
                if len(duplicates) < LISTED:
                    duplicates.append({"first": _loc(seen), "duplicate": _loc(r)})
                continue
            first_example[r.example_hash] = r
            prior = first_input.get(r.input_hash)
            if prior is None:
                first_input[r.input_hash] = r
            elif prior.output_hash != r.output_hash:
                conflict_count += 1
                if len(conflicts) < LISTED:
                    conflicts.append({"first": _loc(prior), "conflict": _loc(r)})

        locations = {(r.path, r.line): side[id(r)] for r in both}
        contamination = [
            {"example": {"file": path, "line": line, "side": locations.get((path, line), "train")},
             "eval": ev, "kind": kind, "overlap": overlap}
            for path, line, ev, kind, overlap in self.found_contamination
        ]

        near = self.near_duplicates(quality.near_duplicates) if self.near else None
        categories = Counter(r.category for r in both if r.category is not None)
        report = {
            "version": 1,
            "tokens": self.tokens.method,
            "sources": [s.to_dict() for s in self.sources],
            "validation": validation_info,
            "duplicates": {"count": dup_count, "pairs": duplicates},
            "near_duplicates": near,
            "contamination": {"count": len(contamination), "pairs": contamination[:LISTED]},
            "conflicts": {"count": conflict_count, "pairs": conflicts},
            "categories": dict(categories.most_common()),
            "balance": self.balance(categories),
            "format_compliance": self.compliance,
            "tags": dict(self.tags.most_common()),
        }
        report["checks"] = self.verdicts(report)
        report["passed"] = all(c["passed"] or c["level"] != "error" for c in report["checks"])
        return report

    def near_duplicates(self, check) -> dict[str, Any] | None:
        if check.level == "off":
            return None
        from ftspec.data.near_dup import near_duplicates

        locations: list[tuple[str, int]] = []

        def texts():
            for source in self.spec.data.train:
                spec = SourceSpec(**{k: v for k, v in source.model_dump().items() if v is not None})
                for item in scan(spec, self.base):
                    if isinstance(item, Example):
                        locations.append((item.path, item.line))
                        yield normalise(" ".join(m["content"] for m in item.messages))

        pairs = near_duplicates(texts(), check.threshold or 0.9)
        listed = [{"first": {"file": locations[i][0], "line": locations[i][1]},
                   "duplicate": {"file": locations[j][0], "line": locations[j][1]}, "similarity": round(s, 3)}
                  for i, j, s in pairs if s < 1.0]  # exact duplicates are reported as such
        return {"count": len(listed), "threshold": check.threshold or 0.9, "pairs": listed[:LISTED]}

    def balance(self, categories: Counter) -> dict[str, Any]:
        kind = self.spec.task.kind
        minimum, recommended = SIZING[kind]
        counts = list(categories.values())
        ratio = round(max(counts) / min(counts), 3) if counts else None
        per_category = kind == "classification"
        return {
            "ratio": ratio,
            "max_ratio": self.spec.quality.balance.max_ratio,
            "sizing": {"minimum": minimum, "recommended": recommended, "per_category": per_category},
            "below_minimum": sorted(c for c, n in categories.items() if n < minimum) if per_category else [],
            "below_recommended": sorted(c for c, n in categories.items() if n < recommended) if per_category else [],
        }

    def verdicts(self, report: dict[str, Any]) -> list[dict[str, Any]]:
        q = self.spec.quality
        format_errors = sum(s["format_errors"]["total"] for s in report["sources"])
        over = sum(s["over_max_tokens"]["count"] for s in report["sources"])
        ratio, max_ratio = report["balance"]["ratio"], q.balance.max_ratio
        near = report["near_duplicates"]
        results = [
            ("format", "error", format_errors),
            ("duplicates", q.duplicates.level, report["duplicates"]["count"]),
            ("near_duplicates", q.near_duplicates.level, near["count"] if near else 0),
            ("contamination", q.contamination.level, report["contamination"]["count"]),
            ("conflicts", q.conflicts.level, report["conflicts"]["count"]),
            ("balance", q.balance.level, int(ratio is not None and max_ratio is not None and ratio > max_ratio)),
            ("max_tokens", "warn", over),
            ("format_compliance", "warn", report["format_compliance"]["failures"]),
        ]
        return [{"name": n, "level": level, "count": count, "passed": count == 0}
                for n, level, count in results if level != "off"]


class CheckError(Exception):
    """A check cannot run (an unreadable output schema): exit 2 with the message."""


def _substantial(norm: str) -> bool:
    return len(norm) >= FLOOR_CHARS or len(norm.split()) >= FLOOR_WORDS


def _loc(r: Record) -> dict[str, Any]:
    return {"file": r.path, "line": r.line}


def check_spec(spec, spec_dir: Path, *, tokens: Tokens | None = None, near: bool = True) -> dict[str, Any]:
    return Checker(spec, spec_dir, tokens=tokens, near=near).run()
