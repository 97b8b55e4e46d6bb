"""Finding the words of a long list in a text (the gazetteer's place names, the taxonomy's cue phrases).

A ``a|b|c`` regular expression over thousands of names makes Python's ``re`` try every name at
every position: on a 2 000-character article the gazetteer's 5 000 names cost more than half of
what jieba needs to segment it (a trie-shaped pattern only halves that). Looking up, at each
position, the few lengths the words starting with that character have is about twenty times faster.

The words found are the ones a longest-first alternation finds: scanning left to right, the longest
word starting at a position, then on after it. In a long text, the positions where a word can start
(its first two characters begin some word, or its one character is a word) are found first with one
array look-up over the text's character pairs, and only those are tried.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np

CODE_POINT_BITS = 21  # a code point fits in 21 bits: two or three side by side are one int64
# Below this many characters the plain scan is cheaper than building the arrays.
_ARRAY_FROM = 64


def code_points(text: str) -> np.ndarray:
    """The text's code points, one int64 each (to build integer keys of character n-grams)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _among(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_keys`` (a binary search each; ``np.isin`` sorts both)."""
    if not len(sorted_keys):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[at] == values


class Found(NamedTuple):
    start: int
    end: int
    text: str


class Literals:
    """A set of words, scanned for as ``re.finditer`` over their longest-first alternation would."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(w for w in words if w)
        lengths: dict[str, set[int]] = {}
        for word in self.words:
            lengths.setdefault(word[0], set()).add(len(word))
        self._lengths = {char: sorted(sizes, reverse=True) for char, sizes in lengths.items()}
        self._pairs = np.unique(
            np.array(
                [(ord(w[0]) << CODE_POINT_BITS) | ord(w[1]) for w in self.words if len(w) >= 2],
                dtype=np.int64,
            )
        )
        self._singles = np.unique(np.array([ord(w) for w in self.words if len(w) == 1], dtype=np.int64))

    def __bool__(self) -> bool:
        return bool(self.words)

    def _starts(self, text: str) -> Iterable[int]:
        """The positions where a word may start, in order (every position of a short text)."""
        if len(text) < _ARRAY_FROM:
            return range(len(text))
        codes = code_points(text)
        may = np.zeros(len(codes), dtype=bool)
        may[:-1] = _among((codes[:-1] << CODE_POINT_BITS) | codes[1:], self._pairs)
        may |= _among(codes, self._singles)
        return np.flatnonzero(may).tolist()

    def finditer(self, text: str) -> Iterator[Found]:
        words, lengths = self.words, self._lengths.get
        after = 0  # where the last word found ends: no word starts inside it
        for position in self._starts(text):
            if position < after:
                continue
            for length in lengths(text[position], ()):
                word = text[position : position + length]
                if word in words:  # near the end the slice may be a shorter word: len(word), not length
                    yield Found(position, position + len(word), word)
                    after = position + len(word)
                    break
