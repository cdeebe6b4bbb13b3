"""Near-duplicate texts: MinHash signatures (rensa) and LSH banding (numpy).

`near_duplicates` pairs each text with the EARLIEST earlier text whose estimated
Jaccard similarity (of word-shingle sets) reaches the threshold, so a report can say
"line j is a near duplicate of line i" and cleaning can keep the first of a group.
If a, b and c are all alike it reports (a, b) and (a, c), never (b, c); a text with
no match among earlier texts appears only as the first member of pairs.

Memory is bounded by one 32-bit signature per text (4 * num_perm bytes) plus one
64-bit key per LSH band: texts are read in chunks of ~128k characters, hashed and
dropped. Words are hashed with numpy over the chunk's bytes instead of building a
Python string per word and shingle, which would take longer than everything else together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import rensa

# Texts hashed at once: bounds the numpy temporaries (~30 bytes per byte of text); small chunks also stay in cache.
CHUNK_CHARS = 1 << 17
CHUNK_TEXTS = 1024
MAX_PARTNERS = 8  # each text is checked against at most the first 8 texts of an LSH bucket
_VERIFY_BLOCK = 1 << 14  # candidate pairs compared at once

_U64 = np.uint64
_SEPARATOR = 0xFF  # never occurs in UTF-8, so it can separate the texts in the chunk's byte buffer


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads sums of hashes over all 64 bits (wrapping arithmetic)."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


_BYTE_HASH = _mix(np.arange(1, 257, dtype=_U64))  # random value per byte: sums of them don't collide like sums of bytes
_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32, _SEPARATOR]] = True  # the ASCII whitespace of str.split()


def _multipliers(n: int) -> np.ndarray:
    """n fixed odd 64-bit multipliers, one per position, so that position matters in a sum of hashes."""
    return _mix(np.arange(101, 101 + n, dtype=_U64)) | _U64(1)


def _run_starts(x: np.ndarray) -> np.ndarray:
    """True where a run of equal values starts (x grouped, e.g. sorted)."""
    return np.concatenate(([True], x[1:] != x[:-1]))[: x.size]


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) for the threshold.

    A pair passes verification only if at most `num_perm - ceil(threshold * num_perm)`
    signature slots differ; with one band more than that, some band has no differing
    slot (pigeonhole), so LSH never drops a pair that verification would accept. Rows
    per band are then as many as fit, which keeps unrelated texts out of each other's
    buckets. At 0.9 and 64 permutations: 6 slots may differ, so 7 bands of 9 rows.
    Bands keep at least two rows: one-row bands make every shared common shingle a
    candidate (10x slower); so where half the slots or more may differ (threshold
    <= 0.5), a pair whose differing slots fall one in each band is missed.
    """
    need = math.ceil(threshold * num_perm)
    while need > 0 and (need - 1) / num_perm >= threshold:  # float rounding in the product
        need -= 1
    while need / num_perm < threshold:
        need += 1
    bands = min(num_perm - need + 1, max(1, num_perm // 2))
    return bands, num_perm // bands


def near_duplicates(
    texts: Iterable[str], threshold: float = 0.9, *, num_perm: int = 64, shingle: int = 3, seed: int = 42
) -> list[tuple[int, int, float]]:
    """Pairs (i, j, similarity), i < j, sorted, at most one per j: i is the earliest text
    whose estimated Jaccard similarity with text j is >= threshold.

    Texts are expected normalised (lowercase, whitespace collapsed); they are split on
    whitespace into words, and compared as sets of `shingle`-word shingles (a text of
    fewer words is one shingle). Empty texts are never paired. Similarity is the share
    of equal MinHash slots, so it is an estimate (standard error at most about
    sqrt(J * (1 - J) / num_perm), 0.04 at J = 0.9 and 64 slots): a pair whose true Jaccard is just above the threshold
    is missed about half the time, and 1.0 does not prove the texts are identical.
    The result depends only on the texts and the parameters.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if num_perm < 1 or shingle < 1:
        raise ValueError("num_perm and shingle must be at least 1")
    bands, rows = lsh_bands(threshold, num_perm)
    signatures: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    empty: list[np.ndarray] = []
    for chunk in _chunks(texts):
        hashes, offsets = _shingle_hashes(chunk, shingle)
        matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, num_perm, seed)
        # to_rows() (a list of lists) is the only way out of rensa's matrix: ~3x the cost of the sketching itself
        sig = np.array(matrix.to_rows(), dtype=np.uint32).reshape(len(chunk), num_perm)
        signatures.append(sig)
        keys.append(_band_keys(sig, bands, rows))
        empty.append(offsets[1:] == offsets[:-1])
    if not signatures:
        return []
    all_keys = np.concatenate(keys)
    keys.clear()  # one copy of the keys, not two, next to the signatures
    i, j = _candidates(all_keys, np.concatenate(empty))
    i, j, similarity = _verify(i, j, signatures, threshold)
    return [(a, b, s) for a, b, s in zip(i.tolist(), j.tolist(), similarity.tolist(), strict=True)]


def _chunks(texts: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    size = 0
    for text in texts:
        if not text.isascii():
            text = " ".join(text.split())  # other Unicode whitespace becomes a space, which the byte split sees
        chunk.append(text)
        size += len(text)
        if size >= CHUNK_CHARS or len(chunk) >= CHUNK_TEXTS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _shingle_hashes(chunk: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat 64-bit shingle hashes of the chunk's texts and the offsets of each text's run."""
    buf = np.frombuffer(b"\xff".join(t.encode("utf-8", "surrogatepass") for t in chunk), dtype=np.uint8)
    in_word = np.concatenate(([False], ~_IS_SPACE[buf], [False]))
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    starts, ends = edges[0::2], edges[1::2]
    # Word hash from two prefix sums of random byte values: A = sum v, B = sum v * (distance to word end),
    # so byte order matters; no Python object per word.
    first = np.zeros(buf.size + 1, dtype=_U64)
    np.cumsum(_BYTE_HASH[buf], out=first[1:])
    second = np.zeros(buf.size + 1, dtype=_U64)
    np.cumsum(first[1:], out=second[1:])
    total = first[ends] - first[starts]
    weighted = second[ends] - second[starts] - (ends - starts).astype(_U64) * first[starts]
    words = _mix(weighted * _U64(0x9E3779B97F4A7C15) + total)
    text_of = np.searchsorted(np.flatnonzero(buf == _SEPARATOR), starts)

    # Shingle p covers words p..p+k-1 of one text; a text shorter than k words gives one shingle
    # (its first word's window, cut at the text's end).
    n = words.size
    padded_words = np.concatenate((words, np.zeros(k - 1, dtype=_U64)))
    padded_text = np.concatenate((text_of, np.full(k - 1, -1)))
    combined = np.zeros(n, dtype=_U64)
    for o, multiplier in enumerate(_multipliers(k)):
        same_text = padded_text[o:o + n] == text_of
        combined += np.where(same_text, padded_words[o:o + n] * multiplier, _U64(0))
    keep = same_text | _run_starts(text_of)  # same_text is now "the whole window is in this text"
    counts = np.bincount(text_of[keep], minlength=len(chunk))
    offsets = np.zeros(len(chunk) + 1, dtype=_U64)
    np.cumsum(counts, out=offsets[1:])
    return _mix(combined[keep]), offsets


def _band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (text, band): equal keys mean (barring a 2^-64 collision) equal band slots."""
    keys = np.empty((sig.shape[0], bands), dtype=_U64)
    multipliers = _multipliers(rows)
    for b in range(bands):
        band = sig[:, b * rows:(b + 1) * rows].astype(_U64)
        keys[:, b] = _mix((band * multipliers).sum(axis=1, dtype=_U64))
    return keys


def _candidates(keys: np.ndarray, empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, sharing a band key: each text against the first MAX_PARTNERS texts of its
    bucket, so one huge bucket (a template repeated 10k times) costs linear, not quadratic, work."""
    pairs = np.zeros(0, dtype=np.int64)
    for b in range(keys.shape[1]):
        order = np.argsort(keys[:, b], kind="stable")  # stable: rows of a bucket stay in text order
        key = keys[order, b]
        position = np.arange(key.size)
        bucket_start = np.maximum.accumulate(np.where(_run_starts(key), position, 0))
        rank = position - bucket_start
        later = np.flatnonzero(rank > 0)
        found = [pairs]
        for o in range(min(MAX_PARTNERS, int(rank.max()))):
            later = later[rank[later] > o]
            found.append(order[bucket_start[later] + o].astype(np.int64) << 32 | order[later])
        pairs = np.unique(np.concatenate(found))  # per band: a pair found in every band is held once
    i, j = pairs >> 32, pairs & 0xFFFFFFFF
    ok = ~(empty[i] | empty[j])
    return i[ok], j[ok]


def _verify(i: np.ndarray, j: np.ndarray, signatures: list[np.ndarray], threshold: float):
    """Keep pairs whose share of equal slots is >= threshold, then the earliest i for each j."""
    needed = np.unique(np.concatenate((i, j)))
    sig = _gather(signatures, needed)  # only the candidates' signatures, not a copy of all of them
    a, b = np.searchsorted(needed, i), np.searchsorted(needed, j)
    similarity = np.empty(i.size)
    for s in range(0, i.size, _VERIFY_BLOCK):
        block = slice(s, s + _VERIFY_BLOCK)
        similarity[block] = (sig[a[block]] == sig[b[block]]).sum(axis=1) / sig.shape[1]
    ok = similarity >= threshold
    i, j, similarity = i[ok], j[ok], similarity[ok]
    by_j = np.lexsort((i, j))  # sorted by j, then i: the first row of each j has its earliest i
    first = by_j[_run_starts(j[by_j])]
    out = first[np.lexsort((j[first], i[first]))]
    return i[out], j[out], similarity[out]


def _gather(chunks: list[np.ndarray], rows: np.ndarray) -> np.ndarray:
    ends = np.cumsum([len(c) for c in chunks])
    which = np.searchsorted(ends, rows, side="right")
    out = np.empty((rows.size, chunks[0].shape[1]), dtype=np.uint32)
    for c in np.unique(which):
        m = which == c
        out[m] = chunks[c][rows[m] - (ends[c] - len(chunks[c]))]
    return out


def shingle_set(text: str, shingle: int = 3) -> set[int]:
    """Hashes of the text's word `shingle`-grams (the whole text when it is shorter)."""
    words = text.split()
    if len(words) < shingle:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i:i + shingle])) for i in range(len(words) - shingle + 1)}


def near_duplicates_verified(
    texts: Callable[[], Iterable[str]], threshold: float = 0.9, *, margin: float = 0.1, num_perm: int = 64,
    shingle: int = 3, seed: int = 42,
) -> list[tuple[int, int, float]]:
    """Like `near_duplicates`, with the exact Jaccard similarity instead of the estimate.

    The estimate from 64 slots has a standard error of about 0.04 near 0.9, so a pair just
    above the threshold is a coin flip. Candidates are found `margin` below the threshold,
    then the texts are read a second time (`texts` is called twice), keeping the shingle
    sets of candidate texts only, and each pair is kept if its exact Jaccard reaches the
    threshold. Pairs and order are as in `near_duplicates`; similarities are exact.
    """
    candidates = near_duplicates(texts(), max(threshold - margin, 0.05), num_perm=num_perm, shingle=shingle,
                                 seed=seed)
    if not candidates:
        return []
    wanted = {i for i, _, _ in candidates} | {j for _, j, _ in candidates}
    sets: dict[int, set[int]] = {}
    for index, text in enumerate(texts()):
        if index in wanted:
            sets[index] = shingle_set(text, shingle)
    out = []
    for i, j, _ in candidates:
        a, b = sets.get(i, set()), sets.get(j, set())
        union = len(a | b)
        similarity = len(a & b) / union if union else 0.0
        if similarity >= threshold:
            out.append((i, j, similarity))
    return out
