"""Tier 1 metrics computed from predictions and references (guide: Evaluation Strategy).

Every metric here is a number from 0 to 1, higher is better, so acceptance criteria
compare like with like (BLEU is reported on that scale too, not sacrebleu's 0-100).
Empty inputs give 0.0; predictions and references must have the same length.

- labels (classification): `accuracy`, `macro_f1`, with `per_class` and `confusion` for the report;
- answers: `exact_match`, token-level `f1`;
- structured output: `format_compliance`, `field_f1` (with `field_scores` for the report);
- free text: `rouge_l`, `bleu`.

`eval_loss` and `perplexity` come from the model and `win_rate` from human review, so
`compute` leaves them out. Plain Python, unit-tested against values computed by hand; the
libraries that need more (jsonschema, rouge-score, sacrebleu) are imported where they are
used, so that importing this module stays cheap.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

OTHER = "(other)"  # the confusion matrix's row and column for anything that is not a label


def normalise(text: str) -> str:
    """Lower case, with runs of whitespace collapsed to one space and the ends trimmed."""
    return " ".join(text.strip().split()).lower()


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _f1(precision: float, recall: float) -> float:
    return _ratio(2 * precision * recall, precision + recall)


def _pairs(predictions: Sequence[str], references: Sequence[str]) -> list[tuple[str, str]]:
    return list(zip(predictions, references, strict=True))


# -- answers ------------------------------------------------------------------------------------------


def exact_match(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Share of predictions equal to their reference once both are `normalise`d."""
    pairs = _pairs(predictions, references)
    return _ratio(sum(normalise(p) == normalise(r) for p, r in pairs), len(pairs))


_ARTICLES = {"a", "an", "the"}


def answer_tokens(text: str) -> list[str]:
    """SQuAD's answer normalisation, as tokens: lower case, punctuation removed (any Unicode
    punctuation, not only ASCII), the articles a/an/the dropped, split on whitespace."""
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text.lower())
    return [token for token in text.split() if token not in _ARTICLES]


def f1(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Token-level F1, SQuAD style: the usual "F1" for generated answers.

    Each prediction and reference is a bag of `answer_tokens`; their overlap is the count
    of tokens they share (with multiplicity), P = overlap / prediction tokens, R = overlap
    / reference tokens, F1 = 2PR / (P + R). Per example, then averaged over the eval set,
    so partial answers get partial credit where `exact_match` gives none. If either side
    has no tokens the example scores 1 when both are empty, else 0 (as SQuAD does).
    """
    pairs = _pairs(predictions, references)
    scores = []
    for prediction, reference in pairs:
        pred, ref = answer_tokens(prediction), answer_tokens(reference)
        if not pred or not ref:
            scores.append(float(pred == ref))
            continue
        overlap = sum((Counter(pred) & Counter(ref)).values())
        scores.append(_f1(overlap / len(pred), overlap / len(ref)))
    return _ratio(sum(scores), len(scores))


# -- labels -------------------------------------------------------------------------------------------


def first_line(prediction: str) -> str:
    """The label a classifier answered: the first line of its output, blank if it said nothing."""
    return prediction.strip().split("\n", 1)[0] if prediction.strip() else ""


def accuracy(predictions: Sequence[str], references: Sequence[str]) -> float:
    """For labels: the prediction's first line must be the label (case and spacing aside)."""
    return exact_match([first_line(p) for p in predictions], references)


def _class_counts(preds: list[str], refs: list[str], c: str) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of class `c` (all normalised)."""
    tp = sum(p == c and r == c for p, r in zip(preds, refs, strict=True))
    fp = sum(p == c and r != c for p, r in zip(preds, refs, strict=True))
    fn = sum(p != c and r == c for p, r in zip(preds, refs, strict=True))
    return tp, fp, fn


def macro_f1(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Unweighted mean of per-class F1 over the reference classes.

    Each class counts the same however rare it is, so a model that always answers the
    majority class scores well on accuracy but not here. A predicted class that no
    reference has gets no F1 of its own (it only costs the classes it was mistaken for).
    """
    pairs = _pairs(predictions, references)
    preds = [normalise(first_line(p)) for p, _ in pairs]
    refs = [normalise(r) for _, r in pairs]
    classes = sorted(set(refs))
    scores = []
    for c in classes:
        tp, fp, fn = _class_counts(preds, refs, c)
        scores.append(_f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn)))
    return _ratio(sum(scores), len(scores))


def _classes(references: Sequence[str], labels: Sequence[str] | None) -> dict[str, str]:
    """Normalised label -> the label as written: the spec's labels in their order, else the
    references' distinct labels sorted (each as first written, ends trimmed)."""
    if labels:
        spellings = labels
    else:
        seen: dict[str, str] = {}
        for r in references:
            seen.setdefault(normalise(r), r.strip())
        spellings = sorted(seen.values())
    classes: dict[str, str] = {}
    for label in spellings:
        classes.setdefault(normalise(label), label)
    return classes


def per_class(predictions: Sequence[str], references: Sequence[str],
              labels: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support (reference count) of each label, for the report.

    Predictions are read as `accuracy` reads them (first line) and compared normalised,
    as in `macro_f1`; results are keyed by the label as the spec (or the first reference
    that has it) writes it. A label no reference has gets support 0 and recall 0.
    """
    pairs = _pairs(predictions, references)
    preds = [normalise(first_line(p)) for p, _ in pairs]
    refs = [normalise(r) for _, r in pairs]
    out: dict[str, dict[str, float]] = {}
    for key, label in _classes(references, labels).items():
        tp, fp, fn = _class_counts(preds, refs, key)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        out[label] = {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": tp + fn}
    return out


def confusion(predictions: Sequence[str], references: Sequence[str],
              labels: Sequence[str] | None = None) -> dict[str, list]:
    """Confusion matrix: `matrix[i][j]` counts examples whose reference is `labels[i]` and
    whose prediction (first line, normalised) is `labels[j]`.

    The last label is "(other)": its column holds predictions that are no label at all
    (an explanation, a made-up class, nothing), and its row references that are not one of
    the spec's labels, which is all zeros unless the eval data has such references.
    """
    pairs = _pairs(predictions, references)
    classes = _classes(references, labels)
    index = {key: i for i, key in enumerate(classes)}
    other = len(classes)
    matrix = [[0] * (other + 1) for _ in range(other + 1)]
    for prediction, reference in pairs:
        row = index.get(normalise(reference), other)
        matrix[row][index.get(normalise(first_line(prediction)), other)] += 1
    return {"labels": [*classes.values(), OTHER], "matrix": matrix}


# -- output format ------------------------------------------------------------------------------------


def format_compliance(predictions: Sequence[str], output: dict, labels: Sequence[str] | None) -> float:
    """Share of predictions whose form is right, by the task's `output` kind.

    - label: exactly one of the labels (normalised); any non-blank text when there are none;
    - regex: the pattern matches the whole prediction (surrounding whitespace trimmed);
    - json: a JSON object;
    - json_schema: a JSON object valid against `output["schema"]` (the loaded schema) by
      the validator its `$schema` names, Draft 2020-12 when it names none, with `format`
      checked, the same judgement the data checks make of the training outputs; without
      `output["schema"]`, as json;
    - anything else (text): not blank.

    JSON may have whitespace around it, nothing else: a ```json fence or a sentence around
    the object fails, because the program reading the output would fail on it too.
    """
    if not predictions:
        return 0.0
    kind = output.get("kind")
    if kind == "label":
        allowed = {normalise(label) for label in labels or []}
        ok = [normalise(p) in allowed if allowed else bool(p.strip()) for p in predictions]
    elif kind == "regex":
        pattern = re.compile(output["pattern"])
        ok = [pattern.fullmatch(p.strip()) is not None for p in predictions]
    elif kind in ("json", "json_schema"):
        validator = schema_validator(output["schema"]) if kind == "json_schema" and "schema" in output else None
        objects = [_json_object(p) for p in predictions]
        ok = [obj is not None and (validator is None or validator.is_valid(obj)) for obj in objects]
    else:
        ok = [bool(p.strip()) for p in predictions]
    return sum(ok) / len(ok)


def schema_validator(schema: dict):
    """A jsonschema validator for `schema`, built once per call of `format_compliance`."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _json_object(text: str) -> dict | None:
    """The JSON object `text` holds (whitespace around it allowed), or None."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


# -- fields (extraction) ------------------------------------------------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON value as dotted paths to its leaves: {"a": {"b": [{"c": 1}]}} -> {"a.b.0.c": 1}.

    List items are addressed by index, so order matters. An empty object or list nested
    inside is a leaf of its own ("items": [] is an answer: there are none).
    """
    if isinstance(value, dict | list) and (value or not prefix):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out: dict[str, Any] = {}
        for key, item in items:
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _same_value(a: Any, b: Any) -> bool:
    """Strings compare `normalise`d, numbers as numbers (3 == 3.0), a boolean only with a
    boolean; anything else (null, empty containers) by plain equality. "3" is not 3."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b  # NaN equals nothing
    if isinstance(a, str) and isinstance(b, str):
        return normalise(a) == normalise(b)
    return type(a) is type(b) and a == b


def _field_counts(predictions: Sequence[str], references: Sequence[str]):
    """Per path, per example: yields (path, in prediction, in reference, correct)."""
    for prediction, reference in _pairs(predictions, references):
        ref = _json_object(reference)
        if ref is None:
            continue  # no fields to score against (the data checks flag such references)
        pred_obj = _json_object(prediction)
        pred, ref_fields = (flatten(pred_obj) if pred_obj is not None else {}), flatten(ref)
        for path in pred.keys() | ref_fields.keys():
            in_pred, in_ref = path in pred, path in ref_fields
            yield path, in_pred, in_ref, in_pred and in_ref and _same_value(pred[path], ref_fields[path])


def field_f1(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Field-level F1 for extraction, micro-averaged over the eval set.

    Prediction and reference are parsed as JSON objects and `flatten`ed to dotted paths
    (`items.0.name`). A field is a true positive when its path is in both with the same
    value (see `_same_value`); P = true positives / prediction fields, R = true positives
    / reference fields, with the counts summed over all examples before dividing, so an
    example with many fields weighs more than one with few. A prediction that is not a
    JSON object has no fields: all of its reference's fields are missed. An example whose
    reference is not a JSON object is left out.
    """
    tp = predicted = expected = 0
    for _, in_pred, in_ref, correct in _field_counts(predictions, references):
        tp += correct
        predicted += in_pred
        expected += in_ref
    return _f1(_ratio(tp, predicted), _ratio(tp, expected))


def field_scores(predictions: Sequence[str], references: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support (references with the field) per field path, for the
    report: which fields the model gets wrong, misses, or makes up (support 0)."""
    counts: dict[str, list[int]] = {}  # path -> [tp, predicted, expected]
    for path, in_pred, in_ref, correct in _field_counts(predictions, references):
        c = counts.setdefault(path, [0, 0, 0])
        c[0], c[1], c[2] = c[0] + correct, c[1] + in_pred, c[2] + in_ref
    out = {}
    for path in sorted(counts):
        tp, predicted, expected = counts[path]
        precision, recall = _ratio(tp, predicted), _ratio(tp, expected)
        out[path] = {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": expected}
    return out


# -- free text ----------------------------------------------------------------------------------------


def rouge_l(predictions: Sequence[str], references: Sequence[str]) -> float:
    """ROUGE-L F-measure, the mean over examples (rouge-score, no stemming).

    Longest common subsequence of the tokens (rouge-score's tokenizer: lower case, runs of
    anything but letters and digits split), P = LCS / prediction tokens, R = LCS / reference
    tokens, F = 2PR / (P + R). Rewards the right words in the right order, not necessarily
    next to each other, which suits style and knowledge answers that can be phrased apart.
    """
    pairs = _pairs(predictions, references)
    if not pairs:
        return 0.0
    from rouge_score import rouge_scorer  # imports nltk: only when asked for

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    return sum(scorer.score(r, p)["rougeL"].fmeasure for p, r in pairs) / len(pairs)


def bleu(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (sacrebleu's defaults: 13a tokens, up to 4-grams, exp smoothing), on 0-1.

    BLEU = BP * exp(mean of log p_n, n = 1..4), p_n the clipped n-gram precision counted
    over the whole corpus and BP = exp(1 - reference length / prediction length) when the
    predictions are shorter, else 1. sacrebleu's 0-100 score is divided by 100 so that all
    metrics share a scale. It is a corpus statistic, not a mean of sentence scores, and
    case-sensitive; outputs shorter than four tokens throughout score 0.
    """
    pairs = _pairs(predictions, references)
    if not pairs:
        return 0.0
    import sacrebleu

    score = sacrebleu.corpus_bleu([p for p, _ in pairs], [[r for _, r in pairs]]).score
    return min(max(score / 100, 0.0), 1.0)  # float error can put an exact match at 1.0000000000000004


# -- all of them --------------------------------------------------------------------------------------


_BY_NAME = {
    "accuracy": accuracy,
    "exact_match": exact_match,
    "macro_f1": macro_f1,
    "f1": f1,
    "field_f1": field_f1,
    "rouge_l": rouge_l,
    "bleu": bleu,
}


def compute(names: Sequence[str], predictions: Sequence[str], references: Sequence[str], *,
            output: dict, labels: Sequence[str] | None) -> dict[str, float]:
    """The named metrics that can be computed from text, in the order named.

    `eval_loss` and `perplexity` (from the model) and `win_rate` (from human review) are
    left to the evaluation harness, as is any name this module does not know.
    """
    out: dict[str, float] = {}
    for name in names:
        if name == "format_compliance":
            out[name] = format_compliance(predictions, output, labels)
        elif name in _BY_NAME:
            out[name] = _BY_NAME[name](predictions, references)
    return out


def details(kind: str, predictions: Sequence[str], references: Sequence[str],
            labels: Sequence[str] | None = None) -> dict:
    """What the report shows beyond the numbers, by task kind: per-class scores and the
    confusion matrix for classification, per-field scores for extraction, else nothing."""
    if kind == "classification":
        return {"per_class": per_class(predictions, references, labels),
                "confusion": confusion(predictions, references, labels)}
    if kind == "extraction":
        return {"fields": field_scores(predictions, references)}
    return {}
