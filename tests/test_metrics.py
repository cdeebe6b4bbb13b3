"""Unit tests for the tier 1 metrics (ftspec.evaluate.metrics).

Expected values are worked out by hand in the comments next to each assertion.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

from ftspec.evaluate import metrics

# -- answers ----------------------------------------------------------------------------------------


class TestExactMatch:
    def test_counts_matches_over_references(self):
        # matches: yes/yes, no/no; mismatch: maybe/yes -> 2/3
        assert metrics.exact_match(["yes", "no", "maybe"], ["yes", "no", "yes"]) == pytest.approx(2 / 3)

    def test_normalises_case_and_whitespace(self):
        # "  New   York\n" -> "new york"; "NEW YORK" -> "new york"; all four match
        preds = ["  New   York\n", "NEW YORK", "new\tyork", "New York"]
        assert metrics.exact_match(preds, ["new york"] * 4) == 1.0

    def test_inner_whitespace_is_collapsed_not_removed(self):
        assert metrics.exact_match(["newyork"], ["new york"]) == 0.0

    def test_multi_line_prediction_is_not_an_exact_match(self):
        assert metrics.exact_match(["positive\nbecause"], ["positive"]) == 0.0

    def test_empty_inputs_give_zero(self):
        assert metrics.exact_match([], []) == 0.0

    def test_length_mismatch_raises(self):
        with pytest.raises(ValueError):
            metrics.exact_match(["a", "b"], ["a"])


class TestTokenF1:
    def test_same_answer_after_normalisation_scores_one(self):
        # "The Eiffel Tower." -> lower case, "." removed, "the" dropped -> [eiffel, tower] on both sides
        assert metrics.f1(["The Eiffel Tower."], ["eiffel tower"]) == 1.0

    def test_partial_answer_gets_partial_credit(self):
        # [paris, france] vs [paris]: overlap 1, P = 1/2, R = 1/1, F1 = 2*(1/2)*1 / (3/2) = 2/3
        assert metrics.f1(["Paris, France"], ["Paris"]) == pytest.approx(2 / 3)
        assert metrics.exact_match(["Paris, France"], ["Paris"]) == 0.0

    def test_overlap_counts_tokens_with_multiplicity(self):
        # {red: 2, blue: 1} & {red: 1, blue: 2} = {red: 1, blue: 1} -> overlap 2, P = 2/3, R = 2/3, F1 = 2/3
        assert metrics.f1(["red red blue"], ["red blue blue"]) == pytest.approx(2 / 3)

    def test_mean_over_examples(self):
        # 1 (same) + 2/3 (partial, as above) + 0 (no shared token) -> (1 + 2/3 + 0) / 3 = 5/9
        preds = ["an apple", "Paris, France", "blue"]
        refs = ["apple", "Paris", "red"]
        assert metrics.f1(preds, refs) == pytest.approx(5 / 9)

    def test_no_tokens_on_either_side(self):
        # both empty after normalisation ("The." -> []) -> 1; one side empty -> 0; mean (1 + 0 + 0) / 3
        assert metrics.f1(["The.", "", "x"], ["", "x", "  "]) == pytest.approx(1 / 3)

    def test_empty_inputs_give_zero(self):
        assert metrics.f1([], []) == 0.0

    def test_length_mismatch_raises(self):
        with pytest.raises(ValueError):
            metrics.f1(["a"], ["a", "b"])


# -- labels -----------------------------------------------------------------------------------------


class TestAccuracy:
    def test_first_line_of_prediction_is_the_label(self):
        # first lines: "positive" (ok), "negative" (ok), "the answer is positive" (wrong) -> 2/3
        preds = ["positive\nThe review praises the food.", "\n\n  Negative  \nbecause", "The answer is positive"]
        refs = ["positive", "negative", "positive"]
        assert metrics.accuracy(preds, refs) == pytest.approx(2 / 3)

    def test_blank_prediction_is_wrong(self):
        assert metrics.accuracy(["", "   \n  "], ["a", "b"]) == 0.0

    def test_label_on_second_line_does_not_count(self):
        assert metrics.accuracy(["Sure!\npositive"], ["positive"]) == 0.0

    def test_empty_inputs_give_zero(self):
        assert metrics.accuracy([], []) == 0.0


class TestMacroF1:
    def test_three_class_example_computed_by_hand(self):
        # refs : a  a  a  b  b  c
        # preds: a  a  b  b  c  c
        # class a: tp=2 (0,1) fp=0        fn=1 (2)   P=1    R=2/3  F1 = 2*1*(2/3)/(1+2/3) = 4/5
        # class b: tp=1 (3)   fp=1 (2)    fn=1 (4)   P=1/2  R=1/2  F1 = 1/2
        # class c: tp=1 (5)   fp=1 (4)    fn=0       P=1/2  R=1    F1 = 2*(1/2)*1/(3/2) = 2/3
        # macro = (4/5 + 1/2 + 2/3) / 3 = (24 + 15 + 20) / 90 = 59/90
        refs = ["a", "a", "a", "b", "b", "c"]
        preds = ["a", "a", "b", "b", "c", "c"]
        expected = (Fraction(4, 5) + Fraction(1, 2) + Fraction(2, 3)) / 3
        assert expected == Fraction(59, 90)
        assert metrics.macro_f1(preds, refs) == pytest.approx(float(expected))

    def test_normalises_and_uses_first_line(self):
        # Same confusion as above, written with case, spacing and explanations: still 59/90.
        refs = ["A", "a ", "a", "B", "b", "C"]
        preds = [" A\nbecause", "a", "B", "b\n\nok", "  C ", "c"]
        assert metrics.macro_f1(preds, refs) == pytest.approx(59 / 90)

    def test_perfect_predictions_give_one(self):
        assert metrics.macro_f1(["x", "y", "y"], ["x", "y", "y"]) == 1.0

    def test_averages_over_reference_classes_only(self):
        # refs a, b; preds a, z. class a: P=1 R=1 F1=1; class b: tp=0 -> F1=0.
        # "z" is not a reference class and gets no F1 of its own: (1 + 0) / 2 = 1/2
        assert metrics.macro_f1(["a", "z"], ["a", "b"]) == pytest.approx(0.5)

    def test_unweighted_mean_differs_from_accuracy(self):
        # refs: a a a a b; preds all a.
        # class a: P=4/5 R=1 F1 = 2*(4/5)/(9/5) = 8/9; class b: F1=0 -> macro = 4/9, accuracy = 4/5
        refs, preds = ["a", "a", "a", "a", "b"], ["a"] * 5
        assert metrics.macro_f1(preds, refs) == pytest.approx(4 / 9)
        assert metrics.accuracy(preds, refs) == pytest.approx(4 / 5)

    def test_empty_inputs_give_zero(self):
        assert metrics.macro_f1([], []) == 0.0


class TestPerClass:
    def test_three_class_example_computed_by_hand(self):
        # The macro F1 example: refs a a a b b c, preds a a b b c c
        # a: tp=2 fp=0 fn=1 -> P=1   R=2/3 F1=4/5 support 3
        # b: tp=1 fp=1 fn=1 -> P=1/2 R=1/2 F1=1/2 support 2
        # c: tp=1 fp=1 fn=0 -> P=1/2 R=1   F1=2/3 support 1
        refs = ["a", "a", "a", "b", "b", "c"]
        preds = ["a", "a\nbecause", "B", "b", "c", "c"]
        out = metrics.per_class(preds, refs, ["A", "b", "C"])
        assert list(out) == ["A", "b", "C"]  # the spec's spelling and order
        assert out["A"] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 4 / 5, "support": 3})
        assert out["b"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2})
        assert out["C"] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1})
        # their mean is the macro F1: (4/5 + 1/2 + 2/3) / 3 = 59/90
        assert sum(s["f1"] for s in out.values()) / 3 == pytest.approx(metrics.macro_f1(preds, refs))

    def test_without_labels_uses_sorted_references_as_first_written(self):
        # normalised classes a ("A" first), b ("b") -> sorted spellings ["A", "b"]
        # A: preds a, z for refs A, a -> tp=1 fn=1 fp=0 -> P=1 R=1/2 F1=2/3; b: tp=1 -> all 1
        out = metrics.per_class(["a", "b", "z"], ["A", "b", "a"])
        assert list(out) == ["A", "b"]
        assert out["A"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
        assert out["b"] == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1})

    def test_label_without_references_has_zero_support(self):
        # x: tp=0 fp=0 fn=1 -> P=0 (0/0) R=0 support 1; y: tp=0 fp=1 fn=0 -> P=0 R=0 (0/0) support 0
        out = metrics.per_class(["y"], ["x"], ["x", "y"])
        assert out["x"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
        assert out["y"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}

    def test_empty_inputs(self):
        assert metrics.per_class([], []) == {}
        assert metrics.per_class([], [], ["a"]) == {"a": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}}


class TestConfusion:
    def test_rows_are_references_columns_predictions(self):
        # ref pos: preds pos, neg, "Pos\nwhy" (-> pos) -> [2, 1, 0]
        # ref neg: preds neg, "maybe" (no label -> other) -> [0, 1, 1]
        # no reference outside the labels -> other row [0, 0, 0]
        refs = ["pos", "pos", "neg", "neg", "pos"]
        preds = ["pos", "neg", "NEG", "maybe", "Pos\nwhy"]
        out = metrics.confusion(preds, refs, ["pos", "neg"])
        assert out == {"labels": ["pos", "neg", "(other)"], "matrix": [[2, 1, 0], [0, 1, 1], [0, 0, 0]]}

    def test_reference_outside_the_labels_goes_in_the_other_row(self):
        # ref "neutral" is not a label: row (other), column pos -> matrix[2][0] = 1
        out = metrics.confusion(["pos"], ["neutral"], ["pos", "neg"])
        assert out["matrix"] == [[0, 0, 0], [0, 0, 0], [1, 0, 0]]

    def test_without_labels_uses_the_references(self):
        # labels from refs sorted: a, b; blank prediction -> other column
        out = metrics.confusion(["b", ""], ["b", "a"])
        assert out == {"labels": ["a", "b", "(other)"], "matrix": [[0, 0, 1], [0, 1, 0], [0, 0, 0]]}

    def test_counts_add_up_to_the_examples(self):
        out = metrics.confusion(["a", "b", "c", "a"], ["a", "a", "b", "x"], ["a", "b"])
        assert sum(map(sum, out["matrix"])) == 4

    def test_empty_inputs(self):
        assert metrics.confusion([], [], ["a"]) == {"labels": ["a", "(other)"], "matrix": [[0, 0], [0, 0]]}
        assert metrics.confusion([], []) == {"labels": ["(other)"], "matrix": [[0]]}


# -- output format ----------------------------------------------------------------------------------


class TestFormatCompliance:
    def test_labels_compared_normalised(self):
        # "positive" ok, " NEGATIVE " ok, "neutral" not a label, "positive\nbecause" is not just a label -> 2/4
        preds = ["positive", " NEGATIVE ", "neutral", "positive\nbecause"]
        assert metrics.format_compliance(preds, {"kind": "label"}, ["Positive", "negative"]) == 0.5

    def test_label_kind_without_label_set_accepts_any_non_blank(self):
        assert metrics.format_compliance(["x", "  ", "y"], {"kind": "label"}, None) == pytest.approx(2 / 3)

    def test_regex_must_match_whole_stripped_prediction(self):
        # "555-1234" ok, " 555-1234 \n" ok after strip, "call 555-1234" not a full match, "5551234" no dash -> 2/4
        preds = ["555-1234", " 555-1234 \n", "call 555-1234", "5551234"]
        assert metrics.format_compliance(preds, {"kind": "regex", "pattern": r"\d{3}-\d{4}"}, None) == 0.5

    @pytest.mark.parametrize("kind", ["json", "json_schema"])
    def test_json_needs_an_object(self, kind):
        # object ok, array no, not JSON no, object with spaces ok, JSON string no -> 2/5
        preds = ['{"a": 1}', "[1, 2]", "not json", ' {"b": null} ', '"str"']
        assert metrics.format_compliance(preds, {"kind": kind}, None) == pytest.approx(2 / 5)

    def test_free_text_needs_something(self):
        assert metrics.format_compliance(["an answer", " ", ""], {"kind": "text"}, None) == pytest.approx(1 / 3)

    def test_empty_predictions_give_zero(self):
        assert metrics.format_compliance([], {"kind": "label"}, ["a"]) == 0.0


INVOICE = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "total": {"type": "number"}},
    "required": ["name", "total"],
    "additionalProperties": False,
}


class TestJsonSchemaCompliance:
    def test_valid_invalid_and_not_json(self):
        # valid; valid with whitespace around; missing "total"; "total" a string; extra field;
        # not JSON; a ```json fence (not tolerated) -> 2/7
        preds = [
            '{"name": "ACME", "total": 12.5}',
            ' \n{"name": "x", "total": 3}\n',
            '{"name": "x"}',
            '{"name": "x", "total": "12"}',
            '{"name": "x", "total": 1, "vat": 0}',
            "total: 12",
            '```json\n{"name": "x", "total": 1}\n```',
        ]
        output = {"kind": "json_schema", "schema": INVOICE}
        assert metrics.format_compliance(preds, output, None) == pytest.approx(2 / 7)

    def test_must_be_an_object_even_if_the_schema_allows_more(self):
        # the empty schema accepts anything, but the output must still be a JSON object -> 1/3
        preds = ["{}", "[1]", "3"]
        assert metrics.format_compliance(preds, {"kind": "json_schema", "schema": {}}, None) == pytest.approx(1 / 3)

    def test_draft_2020_12_by_default(self):
        # prefixItems + items: false is 2020-12: [1, "a"] ok; ["a", 1] wrong types; [1, "a", 2] an extra item -> 1/3
        schema = {"type": "object", "properties": {"pair": {
            "type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False}}}
        preds = ['{"pair": [1, "a"]}', '{"pair": ["a", 1]}', '{"pair": [1, "a", 2]}']
        assert metrics.format_compliance(preds, {"kind": "json_schema", "schema": schema}, None) == pytest.approx(1 / 3)

    def test_format_is_checked(self):
        # 2024-02-30 is no date; 2024-02-29 is (leap year) -> 1/2
        schema = {"type": "object", "properties": {"date": {"type": "string", "format": "date"}}}
        preds = ['{"date": "2024-02-30"}', '{"date": "2024-02-29"}']
        assert metrics.format_compliance(preds, {"kind": "json_schema", "schema": schema}, None) == 0.5


# -- fields -----------------------------------------------------------------------------------------


class TestFlatten:
    def test_dotted_paths_with_list_indexes(self):
        value = {"a": {"b": [{"c": 1}, 2]}, "d": [], "e": {}, "f": None}
        # nested empty containers are leaves of their own
        assert metrics.flatten(value) == {"a.b.0.c": 1, "a.b.1": 2, "d": [], "e": {}, "f": None}

    def test_empty_object_has_no_fields(self):
        assert metrics.flatten({}) == {}


class TestFieldF1:
    def test_nested_list_and_number_fields_computed_by_hand(self):
        # ref fields (7): supplier.name, supplier.vat, total, items.0.sku, items.0.qty, items.1.sku, items.1.qty
        # pred fields (7): supplier.name " acme  LTD " == "ACME Ltd" normalised (tp), total 12.0 == 12 (tp),
        #   items.0.sku (tp), items.0.qty 3 != 2, items.1.sku (tp), items.1.qty (tp), currency (not in ref)
        # tp = 5, P = 5/7, R = 5/7 (supplier.vat missed), F1 = 5/7
        ref = {"supplier": {"name": "ACME Ltd", "vat": "GB123"}, "total": 12,
               "items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 1}]}
        pred = {"supplier": {"name": " acme  LTD "}, "total": 12.0,
                "items": [{"sku": "A1", "qty": 3}, {"sku": "B2", "qty": 1}], "currency": "GBP"}
        assert metrics.field_f1([json.dumps(pred)], [json.dumps(ref)]) == pytest.approx(5 / 7)

    def test_types_must_agree(self):
        # n: "3" vs 3 (string is not a number), flag: 1 vs true (number is not a boolean), note: null == null
        # tp = 1 of 3 predicted, 3 expected -> P = R = F1 = 1/3
        pred, ref = '{"n": "3", "flag": 1, "note": null}', '{"n": 3, "flag": true, "note": null}'
        assert metrics.field_f1([pred], [ref]) == pytest.approx(1 / 3)

    def test_list_order_matters(self):
        # tags.0 y != x, tags.1 x != y -> tp = 0 -> 0
        assert metrics.field_f1(['{"tags": ["y", "x"]}'], ['{"tags": ["x", "y"]}']) == 0.0

    def test_invalid_prediction_misses_every_field_micro_averaged(self):
        # ex 1: perfect, tp=2 predicted=2 expected=2; ex 2: not JSON, tp=0 predicted=0 expected=3
        # sums: tp=2 predicted=2 expected=5 -> P = 1, R = 2/5, F1 = 2*1*(2/5) / (7/5) = 4/7
        # (a per-example mean would be (1 + 0) / 2 = 1/2)
        preds = ['{"a": 1, "b": "x"}', "not json"]
        refs = ['{"a": 1, "b": "x"}', '{"a": 2, "b": "y", "c": "z"}']
        assert metrics.field_f1(preds, refs) == pytest.approx(4 / 7)

    def test_json_that_is_not_an_object_counts_as_invalid(self):
        # [1] has no fields: tp=0 predicted=0 expected=1 -> 0
        assert metrics.field_f1(["[1]"], ['{"a": 1}']) == 0.0

    def test_reference_that_is_not_an_object_is_left_out(self):
        # only the second example is scored: perfect -> 1
        assert metrics.field_f1(['{"a": 1}', '{"a": 1}'], ["oops", '{"a": 1}']) == 1.0

    def test_empty_inputs_give_zero(self):
        assert metrics.field_f1([], []) == 0.0
        assert metrics.field_f1(["{}"], ["{}"]) == 0.0  # no fields at all

    def test_length_mismatch_raises(self):
        with pytest.raises(ValueError):
            metrics.field_f1(["{}"], [])


class TestFieldScores:
    def test_per_path_computed_by_hand(self):
        # ex 1 perfect (a, b); ex 2 not JSON (a, b missed); ex 3 a right, z made up
        # a: tp 2 predicted 2 expected 3 -> P=1 R=2/3 F1=4/5 support 3
        # b: tp 1 predicted 1 expected 2 -> P=1 R=1/2 F1=2/3 support 2
        # z: tp 0 predicted 1 expected 0 -> P=0 R=0 F1=0 support 0
        preds = ['{"a": 1, "b": "x"}', "not json", '{"a": 5, "z": 1}']
        refs = ['{"a": 1, "b": "x"}', '{"a": 2, "b": "y"}', '{"a": 5}']
        out = metrics.field_scores(preds, refs)
        assert list(out) == ["a", "b", "z"]
        assert out["a"] == pytest.approx({"precision": 1.0, "recall": 2 / 3, "f1": 4 / 5, "support": 3})
        assert out["b"] == pytest.approx({"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2})
        assert out["z"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
        # overall: tp 3, predicted 4, expected 5 -> P=3/4 R=3/5 F1 = (9/10) / (27/20) = 2/3
        assert metrics.field_f1(preds, refs) == pytest.approx(2 / 3)

    def test_empty_inputs(self):
        assert metrics.field_scores([], []) == {}


# -- free text --------------------------------------------------------------------------------------


class TestRougeL:
    def test_lcs_computed_by_hand(self):
        # pred the cat on the mat (5), ref the cat sat on the mat (6): LCS "the cat on the mat" = 5
        # P = 5/5, R = 5/6, F = 2*1*(5/6) / (11/6) = 10/11
        assert metrics.rouge_l(["the cat on the mat"], ["the cat sat on the mat"]) == pytest.approx(10 / 11)

    def test_tokens_are_lower_case_words(self):
        # "The cat!" -> [the, cat]; "the dog" -> [the, dog]: LCS 1, P = R = 1/2, F = 1/2
        assert metrics.rouge_l(["The cat!"], ["the dog"]) == pytest.approx(0.5)

    def test_order_matters(self):
        # [sat, cat] vs [cat, sat]: LCS 1, P = R = 1/2, F = 1/2
        assert metrics.rouge_l(["sat cat"], ["cat sat"]) == pytest.approx(0.5)

    def test_mean_of_example_f_measures(self):
        # (10/11 + 1/2) / 2 = (20 + 11) / 44 = 31/44
        preds, refs = ["the cat on the mat", "The cat!"], ["the cat sat on the mat", "the dog"]
        assert metrics.rouge_l(preds, refs) == pytest.approx(31 / 44)

    def test_exact_and_blank(self):
        # exact: LCS = both lengths -> 1; blank prediction: no tokens -> 0; mean 1/2
        assert metrics.rouge_l(["a b c", ""], ["a b c", "a b c"]) == pytest.approx(0.5)

    def test_empty_inputs_give_zero(self):
        assert metrics.rouge_l([], []) == 0.0


class TestBleu:
    def test_exact_match_is_one(self):
        assert metrics.bleu(["the cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx(1.0)

    def test_n_gram_precisions_computed_by_hand(self):
        # pred the cat sat on the mat / ref the cat sat on a mat, 6 tokens each -> BP = 1
        # p1: the (clipped to 1), cat, sat, on, mat = 5/6
        # p2: the cat, cat sat, sat on (not "on the", "the mat") = 3/5
        # p3: the cat sat, cat sat on = 2/4;  p4: the cat sat on = 1/3
        # BLEU = (5/6 * 3/5 * 1/2 * 1/3) ** (1/4) = (1/12) ** (1/4) ~ 0.5373
        assert metrics.bleu(["the cat sat on the mat"], ["the cat sat on a mat"]) == pytest.approx((1 / 12) ** 0.25)

    def test_brevity_penalty(self):
        # pred the cat sat on the (5) / ref the cat sat on the mat (6): p1 = 5/5, p2 = 4/4, p3 = 3/3, p4 = 2/2
        # BP = exp(1 - 6/5) = exp(-1/5) ~ 0.8187
        assert metrics.bleu(["the cat sat on the"], ["the cat sat on the mat"]) == pytest.approx(math.exp(-0.2))

    def test_corpus_statistic_not_mean_of_sentences(self):
        # sentence 1 exact (6 tokens): 6/6, 5/5, 4/4, 3/3; sentence 2 as in the hand case: 5/6, 3/5, 2/4, 1/3
        # summed: p1 = 11/12, p2 = 8/10, p3 = 6/8, p4 = 4/6; lengths 12 = 12 -> BP = 1
        # BLEU = (11/12 * 4/5 * 3/4 * 2/3) ** (1/4) = (11/30) ** (1/4) ~ 0.7782 (the mean of sentences would be 0.7686)
        preds = ["the cat sat on the mat", "the cat sat on the mat"]
        refs = ["the cat sat on the mat", "the cat sat on a mat"]
        assert metrics.bleu(preds, refs) == pytest.approx((11 / 30) ** 0.25)

    def test_case_sensitive(self):
        # The != the: p1 = 5/6, p2 = 4/5, p3 = 3/4, p4 = 2/3 -> (1/3) ** (1/4) ~ 0.7598
        assert metrics.bleu(["The cat sat on the mat"], ["the cat sat on the mat"]) == pytest.approx((1 / 3) ** 0.25)

    def test_short_outputs_have_no_four_grams(self):
        # "yes" has no 2-, 3- or 4-grams: corpus BLEU is 0 even for an exact match
        assert metrics.bleu(["yes"], ["yes"]) == 0.0

    def test_empty_inputs_give_zero(self):
        assert metrics.bleu([], []) == 0.0


# -- compute and details ----------------------------------------------------------------------------



class TestCompute:
    def test_computes_the_named_text_metrics_only(self):
        preds = ["a", "b\nwhy", "B"]
        refs = ["a", "b", "a"]
        names = ["accuracy", "exact_match", "macro_f1", "format_compliance", "eval_loss", "perplexity", "win_rate"]
        out = metrics.compute(names, preds, refs, output={"kind": "label"}, labels=["a", "b"])
        assert set(out) == {"accuracy", "exact_match", "macro_f1", "format_compliance"}
        # accuracy: first lines a, b, B vs a, b, a -> 2/3
        assert out["accuracy"] == pytest.approx(2 / 3)
        # exact match: "b\nwhy" != "b" -> only the first -> 1/3
        assert out["exact_match"] == pytest.approx(1 / 3)
        # class a: tp=1 fp=0 fn=1 -> P=1 R=1/2 F1=2/3; class b: tp=1 fp=1 fn=0 -> P=1/2 R=1 F1=2/3 -> 2/3
        assert out["macro_f1"] == pytest.approx(2 / 3)
        # compliance: "a" ok, "b\nwhy" no, "B" ok -> 2/3
        assert out["format_compliance"] == pytest.approx(2 / 3)

    def test_no_names_no_metrics(self):
        assert metrics.compute([], ["a"], ["a"], output={"kind": "label"}, labels=None) == {}

    def test_dispatches_every_text_metric_and_skips_the_rest(self):
        preds = ['{"a": 1}', "the cat sat on the mat"]
        refs = ['{"a": 1}', "the cat sat on a mat"]
        text = ["accuracy", "exact_match", "macro_f1", "f1", "format_compliance", "field_f1", "rouge_l", "bleu"]
        out = metrics.compute([*text, "eval_loss", "perplexity", "win_rate"], preds, refs,
                              output={"kind": "json"}, labels=None)
        assert list(out) == text  # in the order named; eval_loss, perplexity, win_rate left out
        for name in text:
            if name != "format_compliance":
                assert out[name] == getattr(metrics, name)(preds, refs)
        # compliance: the object ok, the sentence no -> 1/2; field F1: only ex 1 has a JSON reference, perfect -> 1
        assert out["format_compliance"] == 0.5
        assert out["field_f1"] == 1.0


class TestDetails:
    def test_classification_has_per_class_and_confusion(self):
        preds, refs = ["a", "b", "c"], ["a", "a", "b"]
        out = metrics.details("classification", preds, refs, ["a", "b"])
        assert out == {"per_class": metrics.per_class(preds, refs, ["a", "b"]),
                       "confusion": metrics.confusion(preds, refs, ["a", "b"])}
        # ref a: preds a, b -> [1, 1, 0]; ref b: pred c (no label) -> [0, 0, 1]
        assert out["confusion"]["matrix"] == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]

    def test_extraction_has_field_scores(self):
        out = metrics.details("extraction", ['{"a": 1}'], ['{"a": 1}'], None)
        assert out == {"fields": {"a": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}}}

    @pytest.mark.parametrize("kind", ["style", "reasoning", "knowledge"])
    def test_other_kinds_have_none(self, kind):
        assert metrics.details(kind, ["x"], ["x"], None) == {}
