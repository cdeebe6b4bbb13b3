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
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftspec.data.normalize import ngrams, normalise, words
from ftspec.data.scan import FormatIssue, scan
from ftspec.data.sources import Example, SourceSpec
from ftspec.data.split import held_out
from ftspec.data.stats import Tokens, distribution
from ftspec.spec.vocabulary import SIZING

LISTED = 1000  # at most this many items are listed per finding kind; counts are always complete
NGRAM = 5  # word n-grams for contamination
OVERLAP = 0.6  # share of n-grams two inputs have in common that counts as contamination
FLOOR_WORDS, FLOOR_CHARS = 4, 20  # shorter inputs ("2", "yes") are never called contamination

def where(ex: Example | FormatIssue) -> dict[str, Any]:
    return {"file": ex.path, "line": ex.line}


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

    def columns(self, messages: int, tokens: int, assistant_tokens: int) -> None:
        self.messages.append(messages)
        self.tokens.append(tokens)
        self.assistant_tokens.append(assistant_tokens)

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
        # "The reply is exactly one label": compared as written, surrounding whitespace aside.
        self.labels = {x.strip() for x in spec.task.labels} if isinstance(spec.task.labels, list) else None
        self.pattern = re.compile(self.output.pattern) if self.output.kind == "regex" else None
        self.schema_validator = self._schema_validator()
        self.classification = spec.task.kind == "classification"
        self.estimate = self.tokens.tokenizer is None
        self.label_set = self.labels if self.output.kind == "label" else None
        assert Tokens.CHARS_PER_TOKEN == 4  # the estimate below divides by shifting
        self.checks_output = (self.output.kind == "label" and self.labels is not None) or self.output.kind in (
            "regex", "json", "json_schema")
        self.sources: list[SourceStats] = []
        self.eval_inputs: dict[int, dict] = {}
        self.eval_grams: dict[int, int] = {}  # n-gram hash -> index into eval_locations
        self.eval_locations: list[dict] = []
        self.eval_gram_counts: list[int] = []
        self.compliance = {"checked": 0, "failures": 0, "examples": []}
        self.tags: Counter = Counter()
        # One entry per training/validation example, by index: columns, not objects, so
        # memory grows by a few bytes an example plus the hash tables of unique inputs.
        self.source_paths: list[str] = []
        self.source_starts: list[int] = []  # index of each training/validation source's first example
        self.start_sources: list[int] = []  # ... and that source's place in source_paths
        self.ex_line = array("I")
        self.split_keys: list[str | None] = []  # what training stratifies by (tag or reply)
        self.first_example: dict[int, int] = {}  # normalised example hash -> first index
        self.first_input: dict[int, tuple[int, int]] = {}  # input hash -> (first index, output hash)
        self.duplicates: list[tuple[int, int]] = []
        self.conflicts: list[tuple[int, int]] = []
        self.counts = Counter()  # duplicates, conflicts
        self.categories: dict[str, int] = {}
        self.found_contamination: list[tuple] = []  # (index, eval location, kind, overlap)
        self.norm_cache: dict[str, int] = {}  # text -> hash of it normalised, for texts that repeat
        # Generated examples (`ftspec augment`'s provenance) in what is trained on: role ->
        # (strategy, reviewed) -> examples, and where the first unreviewed ones are.
        self.generated: dict[str, Counter] = {}
        self.unreviewed: list[dict] = []

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
        validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        return validator(schema, format_checker=validator.FORMAT_CHECKER)  # "format": "date" is checked

    # -- one source -------------------------------------------------------------------
    def read(self, source, role: str) -> int:
        """Check one source's examples as they stream by; return how many there were."""
        spec = SourceSpec.of(source)
        stats = SourceStats(role, str(Path(spec.path) if Path(spec.path).is_absolute() else self.base / spec.path))
        self.sources.append(stats)
        self.source_paths.append(stats.path)
        self._stream(scan(spec, self.base), stats, role, len(self.source_paths) - 1)
        return stats.examples

    def _stream(self, items, stats: SourceStats, role: str, source_index: int) -> None:
        """The hot loop of `ftspec check` and of lint's data rules (DESIGN.md section 8 asks
        for 150,000 examples/s on one core). Everything it touches per example is bound to a
        local first, and each text is normalised at most once."""
        system, max_tokens = self.spec.data.system, self.max_tokens
        estimate, classification = self.estimate, self.classification
        label_set, checks_output = self.label_set, self.checks_output
        is_eval, is_train, is_general = role == "eval", role == "train", role == "general"
        count_tokens = self.tokens.count
        messages_col, tokens_col, answer_col = stats.messages.append, stats.tokens.append, stats.assistant_tokens.append
        ex_line, split_keys = self.ex_line.append, self.split_keys.append
        categories, tag_counts, compliance = self.categories, self.tags, self.compliance
        first_example, first_input = self.first_example.setdefault, self.first_input.setdefault
        eval_inputs, eval_grams, norm_hash = self.eval_inputs, self.eval_grams, self._norm_hash
        made_counts: dict[tuple[str, bool], int] = {}  # generated examples: (strategy, reviewed) -> count
        unreviewed = self.unreviewed
        norm_hashes = self.norm_cache
        screen = bool(self.eval_locations) and not is_eval
        index = len(self.ex_line)
        if not is_eval and not is_general:  # examples are numbered across sources: where this one's numbers start
            self.source_starts.append(index)
            self.start_sources.append(source_index)
        examples = checked = 0
        for ex in items:
            if type(ex) is FormatIssue:
                stats.format_errors[ex.category] += 1
                if len(stats.issues) < LISTED:
                    stats.issues.append(ex.to_dict())
                continue
            messages = ex.messages
            roles = []
            chars = 0
            ex_user = None
            others = []  # messages that are neither the input (the last user turn) nor the reply
            for m in messages:
                r = m["role"]
                roles.append(r)
                chars += len(m["content"])
                if r == "user":
                    if ex_user is not None:
                        others.append(ex_user)
                    ex_user = m
                else:
                    others.append(m)
            last = others.pop()  # the assistant's reply: scan made sure it comes last
            added = False
            if roles[0] != "system" and "system" not in roles:
                stats.missing_system += 1  # counted before the spec's system prompt is applied
                added = system is not None
            if ex_user is None:
                stats.missing_user += 1
            output = last["content"]
            if estimate:
                text_tokens = (chars + (len(system) if added else 0) + 3) >> 2  # ceil(characters / 4)
                answer_tokens = (len(output) + 3) >> 2
            else:
                text_tokens = sum(count_tokens(m["content"]) for m in messages)
                text_tokens += count_tokens(system) if added else 0
                answer_tokens = count_tokens(output)
            messages_col(len(messages) + added)
            tokens_col(text_tokens)
            answer_col(answer_tokens)
            if text_tokens > max_tokens:
                stats.over_count += 1
                if len(stats.over_max_tokens) < LISTED:
                    stats.over_max_tokens.append({**where(ex), "tokens": text_tokens})
            extra = ex.extra  # None for most examples: what follows costs them one test
            if extra:
                tags = extra.get("tags")
                made = extra.get("generated")
                if made is not None and not is_eval:  # eval is not trained on: not counted here
                    made_counts[made] = made_counts.get(made, 0) + 1
                    if not made[1] and len(unreviewed) < LISTED:
                        unreviewed.append({**where(ex), "strategy": made[0]})
            else:
                tags = None
            if is_general:  # general-purpose data: format and size only, it has no task labels
                examples += 1
                continue
            # Texts are compared normalised, as word lists; hashed joined (one string hash is
            # cheaper than a tuple of forty).
            if ex_user is None:
                in_words = []
            else:
                text = ex_user["content"]
                in_words = text.lower().split() if text.isascii() else words(text)  # words(), inlined
            input_hash = hash(" ".join(in_words))
            label = output.strip()
            # Output format, eval replies too (the acceptance thresholds are measured against them).
            if label_set is not None:
                checked += 1
                if label not in label_set:
                    self.fails_format(ex, output)
            elif checks_output:
                self.compliant(ex)
            examples += 1
            if is_eval:
                self.index_eval(in_words, ex, input_hash)
                continue
            ex_line(ex.line)
            if is_train:
                split_keys(ex.category)
            # Categories: the label for classification; otherwise only an explicit one (a tag,
            # a CSV category column), so free-text answers do not each become a category.
            if tags:
                for tag in tags:
                    if type(tag) is str:
                        tag_counts[tag] += 1
            if classification:
                categories[label] = categories.get(label, 0) + 1
            elif tags and type(tags[0]) is str or (extra and extra.get("category_column")):
                categories[ex.category] = categories.get(ex.category, 0) + 1
            if screen and in_words:
                # Contamination: an exact input, or one of three probe n-grams (start, middle,
                # end) in the eval index; most inputs stop at the probes.
                n = len(in_words) - NGRAM
                if (input_hash in eval_inputs or n < 0
                        or hash(" ".join(in_words[:NGRAM])) in eval_grams
                        or hash(" ".join(in_words[n // 2:n // 2 + NGRAM])) in eval_grams
                        or hash(" ".join(in_words[n:])) in eval_grams):
                    found = self.contaminated(in_words, input_hash)
                    if found is not None:
                        self.found_contamination.append((index, *found))
            # Exact duplicates: the whole example, roles and contents, each normalised. Roles
            # are strings and the hashes ints, so one flat tuple is unambiguous.
            # Replies repeat (labels, above all): their hashes are cached like system prompts'.
            output_hash = norm_hashes.get(output)
            if output_hash is None:
                output_hash = norm_hash(output)
            if not others:
                whole = hash((*roles, input_hash, output_hash))
            elif len(others) == 1:  # a system prompt, usually one of a few: their hashes are cached
                content = others[0]["content"]
                other_hash = norm_hashes.get(content)
                whole = hash((*roles, input_hash, output_hash,
                              norm_hash(content) if other_hash is None else other_hash))
            else:
                whole = hash((*roles, input_hash, output_hash, *[norm_hash(m["content"]) for m in others]))
            first = first_example(whole, index)
            if first != index:
                self.counts["duplicates"] += 1
                if len(self.duplicates) < LISTED:
                    self.duplicates.append((first, index))
            elif in_words:  # without a user turn, examples share the empty input: no conflicts
                prior = first_input(input_hash, (index, output_hash))
                if prior[1] != output_hash:
                    self.counts["conflicts"] += 1
                    if len(self.conflicts) < LISTED:
                        self.conflicts.append((prior[0], index))
            index += 1
        stats.examples += examples
        compliance["checked"] += checked
        if made_counts:
            self.generated.setdefault(role, Counter()).update(made_counts)

    def generated_report(self) -> dict[str, Any]:
        """The synthetic share of the task's training data (train and validation; general-purpose
        data is trained on too, but is not the task's), and every generated example without a review."""
        trained = sum(s.examples for s in self.sources if s.role in ("train", "validation"))
        strategies: Counter = Counter()
        unreviewed = 0
        for role, counts in self.generated.items():
            for (strategy, reviewed), n in counts.items():
                if role != "general":
                    strategies[strategy] += n
                if not reviewed:
                    unreviewed += n
        count = sum(strategies.values())
        return {
            "train_examples": trained,
            "count": count,
            "share": round(count / trained, 4) if trained else 0.0,
            "by_strategy": dict(sorted(strategies.items(), key=lambda kv: (-kv[1], kv[0]))),
            "by_role": {role: sum(counts.values()) for role, counts in sorted(self.generated.items())},
            "unreviewed": {"count": unreviewed, "examples": self.unreviewed},
        }

    def path_of(self, index: int) -> str:
        """The file a training/validation example (by its number) came from."""
        return self.source_paths[self.start_sources[bisect_right(self.source_starts, index) - 1]]

    def _norm_hash(self, text: str) -> int:
        """Hash of a normalised text that is not the input: system prompts and replies, which
        often repeat, so the first few thousand are cached."""
        cached = hash(" ".join(words(text)))
        if len(self.norm_cache) < 4096:
            self.norm_cache[text] = cached
        return cached

    # -- eval index and contamination -----------------------------------------------------
    def index_eval(self, in_words: list[str], ex: Example, input_hash: int) -> None:
        if not _substantial(in_words):
            return
        location = where(ex)
        self.eval_inputs.setdefault(input_hash, location)
        index = len(self.eval_locations)
        self.eval_locations.append(location)
        grams = ngrams(in_words, NGRAM)
        self.eval_gram_counts.append(len(grams))
        for gram in grams:
            self.eval_grams.setdefault(gram, index)

    def contaminated(self, words: list[str], input_hash: int) -> tuple[dict, str, float] | None:
        """The eval example a training input copies, exactly or by shared n-grams; the caller
        screens first (a run of shared n-grams covering 60% of the positions always holds
        the middle probe, and an edit or two spares the start or the end)."""
        if not _substantial(words):
            return None
        exact = self.eval_inputs.get(input_hash)
        if exact is not None:
            return exact, "exact", 1.0
        grams = ngrams(words, NGRAM)
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
            ok = answer.strip() in self.labels
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
            self.fails_format(ex, answer)

    def fails_format(self, ex: Example, answer: str) -> None:
        self.compliance["failures"] += 1
        if len(self.compliance["examples"]) < LISTED:
            self.compliance["examples"].append({**where(ex), "output": answer[:200]})

    # -- everything -------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        data, quality = self.spec.data, self.spec.quality
        for source in data.eval or []:
            self.read(source, "eval")
        n_train = sum(self.read(source, "train") for source in data.train)
        for source in data.general or []:
            self.read(source, "general")
        # The split is the one training makes (same function, same seed), recorded here.
        if data.validation.source is not None:
            held = set(range(n_train, n_train + self.read(data.validation.source, "validation")))
            validation_info: dict[str, Any] = {"method": "file", "examples": len(held)}
        else:
            held = held_out(self.split_keys, data.validation.fraction,
                            stratified=bool(data.validation.stratified), seed=self.spec.training.seed)
            how = "stratified" if data.validation.stratified else "random"
            validation_info = {
                "method": f"split {data.validation.fraction:.0%} {how}, seed {self.spec.training.seed}",
                "examples": len(held),
                "lines": [[self.path_of(i), self.ex_line[i]] for i in sorted(held)[:LISTED]],
            }

        def loc(index: int, *, side: bool = False) -> dict[str, Any]:
            out: dict[str, Any] = {"file": self.path_of(index), "line": self.ex_line[index]}
            if side:
                out["side"] = "validation" if index in held else "train"
            return out

        duplicates = [{"first": loc(a), "duplicate": loc(b)} for a, b in self.duplicates]
        conflicts = [{"first": loc(a), "conflict": loc(b)} for a, b in self.conflicts]
        contamination = [{"example": loc(i, side=True), "eval": ev, "kind": kind, "overlap": overlap}
                         for i, ev, kind, overlap in self.found_contamination]
        dup_count, conflict_count = self.counts["duplicates"], self.counts["conflicts"]
        categories = self.categories
        near = self.near_duplicates(quality.near_duplicates) if self.near else None
        report = {
            "version": 1,
            "tokens": self.tokens.method,
            "sources": [s.to_dict() for s in self.sources],
            "validation": validation_info,
            "duplicates": {"count": dup_count, "pairs": duplicates},
            "near_duplicates": near,
            "contamination": {"count": len(contamination), "pairs": contamination[:LISTED]},
            "conflicts": {"count": conflict_count, "pairs": conflicts},
            "categories": dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
            "balance": self.balance(categories),
            "format_compliance": self.compliance,
            "tags": dict(self.tags.most_common()),
            "generated": self.generated_report(),
        }
        report["checks"] = self.verdicts(report)
        report["passed"] = all(c["passed"] or c["level"] != "error" for c in report["checks"])
        return report

    def near_duplicates(self, check) -> dict[str, Any] | None:
        if check.level == "off":
            return None
        from ftspec.data.near_dup import near_duplicates_verified

        locations: list[tuple[str, int]] = []
        inputs: list[int] = []
        wholes: list[int] = []
        sources = list(self.spec.data.train)
        if self.spec.data.validation.source is not None:
            sources.append(self.spec.data.validation.source)

        def texts():
            # Another pass over the files (two, with verification): memory holds signatures and
            # the shingles of candidate pairs, not the text.
            first_pass = not locations
            for source in sources:
                spec = SourceSpec.of(source)
                for item in scan(spec, self.base):
                    if isinstance(item, Example):
                        text = normalise(" ".join(m["content"] for m in item.messages))
                        if first_pass:
                            locations.append((item.path, item.line))
                            inputs.append(hash(normalise(item.input)))
                            wholes.append(hash(text))
                        yield text

        pairs = near_duplicates_verified(texts, check.threshold or 0.9)
        # Exact duplicates and same-input pairs (conflicts) are reported as such; told apart by
        # the texts' hashes, since an estimated similarity of 1.0 does not mean identical.
        listed = [{"first": {"file": locations[i][0], "line": locations[i][1]},
                   "duplicate": {"file": locations[j][0], "line": locations[j][1]}, "similarity": round(s, 3)}
                  for i, j, s in pairs if wholes[i] != wholes[j] and inputs[i] != inputs[j]]
        return {"count": len(listed), "threshold": check.threshold or 0.9, "pairs": listed[:LISTED]}

    def balance(self, categories: Counter) -> dict[str, Any]:
        kind = self.spec.task.kind
        minimum, recommended = SIZING[kind][0][0], SIZING[kind][1][0]  # lower ends of the ranges
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
            ("near_duplicates", q.near_duplicates.level if near is not None else "off", near["count"] if near else 0),
            ("contamination", q.contamination.level, report["contamination"]["count"]),
            ("conflicts", q.conflicts.level, report["conflicts"]["count"]),
            ("balance", q.balance.level, int(ratio is not None and max_ratio is not None and ratio > max_ratio)),
            ("max_tokens", "warn", over),
            ("format_compliance", "warn", report["format_compliance"]["failures"]),
            # The guide: "CRITICAL: Human review every synthetic example" (lint: DA007).
            ("reviewed", "error", report["generated"]["unreviewed"]["count"]),
        ]
        return [{"name": n, "level": level, "count": count, "passed": count == 0}
                for n, level, count in results if level != "off"]


class CheckError(Exception):
    """A check cannot run (an unreadable output schema): exit 2 with the message."""


def _substantial(words: list[str]) -> bool:
    return len(words) >= FLOOR_WORDS or sum(map(len, words)) + len(words) - 1 >= FLOOR_CHARS


def check_spec(spec, spec_dir: Path, *, tokens: Tokens | None = None, near: bool = True) -> dict[str, Any]:
    return Checker(spec, spec_dir, tokens=tokens, near=near).run()
