"""Normalisation for comparing texts: Unicode NFKC, case folded, whitespace collapsed."""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The normalised text as words: comparing word lists is comparing normalised texts."""
    if text.isascii():
        return text.lower().split()  # casefold() of ASCII, cheaper
    return unicodedata.normalize("NFKC", text).casefold().split()


def ngrams(words: list[str], n: int) -> set[int]:
    """Hashes of the word n-grams, each hashed joined by spaces (as the normalised text would
    show it); a text shorter than n words is one gram."""
    if len(words) < n:
        return {hash(" ".join(words))}
    return {hash(" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}
