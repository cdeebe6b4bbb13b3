"""Near-duplicate detection: planted pairs found, unrelated texts left alone, the documented pairing."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ftspec.data import near_dup
from ftspec.data.near_dup import lsh_bands, near_duplicates

ROOT = Path(__file__).resolve().parent.parent


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], lo: int = 20, hi: int = 40) -> str:
    # skewed word choice, as in real text: common words recur across unrelated sentences
    words = [vocab[min(int(rng.paretovariate(1.0)) - 1, len(vocab) - 1)] if rng.random() < 0.4 else rng.choice(vocab)
             for _ in range(rng.randint(lo, hi))]
    return " ".join(words) + rng.choice([".", "?", "!"])


def variant(rng: random.Random, vocab: list[str], text: str) -> str:
    """One or two words changed, or one punctuation mark added or removed."""
    words = text.split()
    edit = rng.choice(["one word", "two words", "punctuation"])
    if edit == "punctuation":
        k = rng.randrange(len(words))
        words[k] = words[k][:-1] if words[k][-1] in ".?!," else words[k] + rng.choice(",.")
    else:
        for k in rng.sample(range(len(words)), 1 if edit == "one word" else 2):
            words[k] = rng.choice(vocab)
    return " ".join(words)


def jaccard(a: str, b: str, k: int = 3) -> float:
    def grams(t: str) -> set[tuple[str, ...]]:
        w = t.split()
        return {tuple(w[i:i + k]) for i in range(max(1, len(w) - k + 1))}

    sa, sb = grams(a), grams(b)
    return len(sa & sb) / len(sa | sb)


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], dict[tuple[int, int], float]]:
    """3000 unrelated sentences, then 200 of them get an edited copy at a later random position."""
    rng = random.Random(7)
    vocab = vocabulary(rng)
    texts = [sentence(rng, vocab) for _ in range(3000)]
    planted: dict[tuple[int, int], float] = {}
    for source in rng.sample(range(len(texts)), 200):
        copy = variant(rng, vocab, texts[source])
        at = rng.randint(source + 1, len(texts))
        texts.insert(at, copy)
        planted = {(i + (i >= at), j + (j >= at)): s for (i, j), s in planted.items()}
        planted[source, at] = jaccard(texts[source], copy)
    return texts, planted


THRESHOLD = 0.7  # one edit in 20-40 words changes 3-6 of the 18-38 three-word shingles: Jaccard ~0.6-0.9


def test_planted_near_duplicates_found(corpus):
    texts, planted = corpus
    found = {(i, j) for i, j, _ in near_duplicates(texts, THRESHOLD)}
    # The similarity is an estimate (standard error ~0.04 here), so a pair just above the threshold is
    # a coin flip; one a few errors above it must be found.
    clear = [p for p, s in planted.items() if s >= THRESHOLD + 0.1]
    near = [p for p, s in planted.items() if s >= THRESHOLD]
    assert len(clear) > 60 and len(near) > len(clear)
    assert sum(p in found for p in clear) / len(clear) >= 0.95
    assert sum(p in found for p in near) / len(near) >= 0.85
    assert all(p not in found for p, s in planted.items() if s < THRESHOLD - 0.15)


def test_unrelated_texts_not_paired(corpus):
    texts, _ = corpus
    for threshold in (0.6, THRESHOLD, 0.9):
        for i, j, _ in near_duplicates(texts, threshold):
            assert jaccard(texts[i], texts[j]) >= threshold - 0.15, (i, j)


def test_threshold_is_honoured(corpus):
    texts, _ = corpus
    by_threshold = {t: near_duplicates(texts, t) for t in (0.5, 0.7, 0.9)}
    assert len(by_threshold[0.5]) > len(by_threshold[0.7]) > len(by_threshold[0.9]) > 0
    for t, pairs in by_threshold.items():
        assert all(s >= t for _, _, s in pairs)
    strict = {(i, j) for i, j, _ in by_threshold[0.9]}
    assert strict <= {(i, j) for i, j, _ in by_threshold[0.7]}  # same signatures: a pair at 0.9 is one at 0.7


def test_output_sorted_once_per_later_text(corpus):
    texts, _ = corpus
    pairs = near_duplicates(texts, THRESHOLD)
    assert pairs == sorted(pairs)
    assert all(0 <= i < j < len(texts) for i, j, _ in pairs)
    later = [j for _, j, _ in pairs]
    assert len(later) == len(set(later))
    assert all(isinstance(i, int) and isinstance(j, int) and isinstance(s, float) for i, j, s in pairs)


def test_group_pairs_each_member_with_the_earliest():
    rng = random.Random(3)
    vocab = vocabulary(rng)
    base = sentence(rng, vocab, 60, 60)
    words = base.split()
    unrelated = [sentence(rng, vocab) for _ in range(5)]
    # 2, 4 and 6 differ from 0 only in the last word: all pairwise alike
    group = [" ".join(words[:-1] + [w]) for w in ("zzx", "zzy", "zzq")]
    texts = [base, unrelated[0], group[0], unrelated[1], group[1], unrelated[2], group[2], base]
    pairs = near_duplicates(texts, 0.9)
    assert [(i, j) for i, j, _ in pairs] == [(0, 2), (0, 4), (0, 6), (0, 7)]  # never (2, 4), (2, 6), (4, 6)
    assert pairs[-1][2] == 1.0  # the exact copy is kept, at similarity 1.0


def test_chain_pairs_with_the_earliest_match_only():
    """a ~ b and b ~ c but not a ~ c: c is reported against b, the earliest text it is near."""
    rng = random.Random(5)
    vocab = vocabulary(rng)
    words = [rng.choice(vocab) for _ in range(120)]
    a, b, c = (" ".join(words[s:s + 100]) for s in (0, 5, 10))
    assert jaccard(a, b) == jaccard(b, c) == pytest.approx(0.903, abs=0.001) and jaccard(a, c) < 0.82
    # 256 permutations: the estimates' error (~0.02) is well below the 0.045 margins on either side
    pairs = near_duplicates([a, b, c], 0.86, num_perm=256)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1), (1, 2)]


def test_exact_duplicates_pair_with_the_first_copy():
    texts = ["the cat sat on the mat", "a dog", "the cat sat on the mat", "a dog", "the cat sat on the mat"]
    assert near_duplicates(texts) == [(0, 2, 1.0), (0, 4, 1.0), (1, 3, 1.0)]


def test_many_copies_stay_linear():
    # one LSH bucket of 5000 rows: each row is checked against the bucket's first rows only
    texts = ["same words in every single row of this file"] * 5000 + ["and one other line here"]
    start = time.perf_counter()
    pairs = near_duplicates(texts)
    assert time.perf_counter() - start < 2
    assert pairs == [(0, j, 1.0) for j in range(1, 5000)]


def test_short_texts_are_one_shingle():
    texts = ["hello world", "hello world", "hello", "hello", "hello world again", "world hello"]
    assert near_duplicates(texts) == [(0, 1, 1.0), (2, 3, 1.0)]
    # with one-word shingles, word order no longer matters
    assert (4, 5) not in {(i, j) for i, j, _ in near_duplicates(texts, 0.6, shingle=1)}
    assert (0, 5, 1.0) in near_duplicates(texts, 0.6, shingle=1)


def test_empty_input_and_empty_texts():
    assert near_duplicates([]) == []
    assert near_duplicates(iter([])) == []
    assert near_duplicates(["", "   ", "", "one two three four", "one two three four"]) == [(3, 4, 1.0)]
    assert near_duplicates(["", "  "]) == []
    assert near_duplicates(["just one text"]) == []


def test_whitespace_and_unicode():
    texts = ["café crème brûlée tonight", "café\u00a0crème\u2003brûlée  tonight", "cafe creme brulee tonight",
             "a\x1fb c d", "a b c d"]
    assert near_duplicates(texts) == [(0, 1, 1.0), (3, 4, 1.0)]  # str.split() whitespace, accents kept
    assert near_duplicates(["bad \ud800 surrogate here", "bad \ud800 surrogate here"]) == [(0, 1, 1.0)]


def test_shingle_hashes_match_python_shingles():
    rng = random.Random(11)
    vocab = vocabulary(rng, 40)  # few words, so shingles repeat within and across texts
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))) for _ in range(300)]
    for k in (1, 2, 3, 5):
        hashes, offsets = near_dup._shingle_hashes(texts, k)
        seen: dict[tuple[str, ...], int] = {}
        for t, text in enumerate(texts):
            w = text.split()
            grams = [tuple(w[p:p + k]) for p in range(len(w) - k + 1)] if len(w) >= k else [tuple(w)] if w else []
            row = hashes[offsets[t]:offsets[t + 1]].tolist()
            assert len(row) == len(grams)
            for gram, h in zip(grams, row, strict=True):
                assert seen.setdefault(gram, h) == h
        assert len(set(seen.values())) == len(seen)  # distinct shingles, distinct hashes


def test_deterministic_across_processes(corpus):
    """Same output in a fresh interpreter with another str hash seed; the seed changes the estimates."""
    texts, _ = corpus
    pairs = near_duplicates(texts[:1000], THRESHOLD)
    assert near_duplicates(iter(texts[:1000]), THRESHOLD) == pairs
    code = ("import json, sys; from ftspec.data.near_dup import near_duplicates; "
            f"print(json.dumps(near_duplicates(json.load(sys.stdin), {THRESHOLD})))")
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts[:1000]), capture_output=True,
                         text=True, check=True, cwd=ROOT, env=env).stdout
    assert [tuple(p) for p in json.loads(out)] == pairs
    other = near_duplicates(texts[:1000], THRESHOLD, seed=7)
    assert [s for *_, s in other] != [s for *_, s in pairs]


@pytest.mark.parametrize("threshold", [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0])
@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_bands_never_miss_a_pair_that_verification_keeps(threshold, num_perm):
    bands, rows = lsh_bands(threshold, num_perm)
    need = min(m for m in range(num_perm + 1) if m / num_perm >= threshold)  # equal slots a kept pair has
    assert bands * rows <= num_perm and rows >= 2
    if threshold > 0.5:
        assert bands > num_perm - need  # pigeonhole: some band has no differing slot


def test_kept_pairs_found_whatever_slots_differ():
    """A signature pair at exactly the threshold is a candidate for any choice of differing slots."""
    rng = np.random.default_rng(0)
    bands, rows = lsh_bands(0.9, 64)
    for _ in range(200):
        a = rng.integers(0, 2**32, 64, dtype=np.uint64).astype(np.uint32)
        b = a.copy()
        b[rng.choice(64, 6, replace=False)] ^= 1  # 58 of 64 equal: similarity 0.906
        keys = near_dup._band_keys(np.stack([a, b]), bands, rows)
        assert (keys[0] == keys[1]).any()


@pytest.mark.parametrize("kwargs", [{"threshold": 0}, {"threshold": 1.5}, {"num_perm": 0}, {"shingle": 0}])
def test_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        near_duplicates(["a b c"], **kwargs)


def test_verified_pairs_carry_exact_similarity_and_find_pairs_just_above_the_threshold():
    from ftspec.data.near_dup import near_duplicates_verified, shingle_set

    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(400)]
    base = [" ".join(rng.choice(vocab) for _ in range(60)) for _ in range(300)]
    texts = list(base)
    planted = {}
    for i in range(0, 300, 10):  # change two words near the end: Jaccard a little above 0.9
        words = base[i].split()
        words[-3], words[-1] = "zz1", "zz2"
        planted[len(texts)] = i
        texts.append(" ".join(words))
    pairs = near_duplicates_verified(lambda: iter(texts), 0.9)
    found = {(i, j) for i, j, _ in pairs}
    truth = {}
    for j, i in planted.items():
        a, b = shingle_set(texts[i]), shingle_set(texts[j])
        truth[(i, j)] = len(a & b) / len(a | b)
    expected = {p for p, jac in truth.items() if jac >= 0.9}
    assert expected and expected <= found
    for i, j, sim in pairs:
        a, b = shingle_set(texts[i]), shingle_set(texts[j])
        assert sim == len(a & b) / len(a | b) >= 0.9
