"""jieba's accurate mode with its HMM (``Tokenizer.cut(text)``), computed with less Python per character.

The shared segmenter's words come from here (``pipeline.segmenter``): the same words as jieba's own
``cut`` on the same dictionary, to the word. jieba builds, per block of Han characters, a dict of
lists (every word starting at each position), then a second pass takes the best route through it
with a generator and a tuple per candidate, and a ``log`` of each candidate's frequency. Here the
dictionary's log-probabilities are computed once, and one right-to-left pass finds each position's
words and its best route together. Runs of single characters the dictionary does not know go to
jieba's HMM (``finalseg``, its own tables), decoded here with four running scores and a back-pointer
per character instead of a dict and a copied path per state. The blocks and the characters between
them are cut with jieba's own patterns. The table costs about 23 MiB beside jieba's own dictionary
(500 000 entries with the project's words), once per process.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import jieba
import jieba.finalseg

_BLOCK = jieba.re_han_default  # what jieba cuts with its dictionary (Han, Latin letters, digits …)
_SKIP = jieba.re_skip_default  # outside those blocks: whitespace and line breaks as they are
_PREFIX = object()  # in ``WordRoute.table``: a prefix of words, itself no word
_HMM = jieba.finalseg
_LOW = _HMM.MIN_FLOAT  # jieba's log-probability of what its HMM never saw


def _hmm_states(run: str) -> list[str]:
    """The HMM's states (B, M, E, S) of a run of Han characters: ``finalseg.viterbi``'s path, the same
    sums in the same order and ties decided alike (of equal scores, the larger state letter), with a
    back-pointer per character instead of a copied path."""
    start, trans = _HMM.start_P, _HMM.trans_P
    em_b, em_m, em_e, em_s = (_HMM.emit_P[state] for state in "BMES")
    eb, es, mm, me = trans["B"]["E"], trans["E"]["S"], trans["M"]["M"], trans["M"]["E"]
    bm, bb_from_e, bb_from_s, ss = trans["B"]["M"], trans["E"]["B"], trans["S"]["B"], trans["S"]["S"]
    char = run[0]
    b = start["B"] + em_b.get(char, _LOW)
    m = start["M"] + em_m.get(char, _LOW)
    e = start["E"] + em_e.get(char, _LOW)
    s = start["S"] + em_s.get(char, _LOW)
    back: list[tuple[str, str, str, str]] = []
    for char in run[1:]:
        emission = em_b.get(char, _LOW)  # B after E or S
        from_e, from_s = e + bb_from_e + emission, s + bb_from_s + emission
        nb, pb = (from_e, "E") if from_e > from_s else (from_s, "S")
        emission = em_m.get(char, _LOW)  # M after M or B
        from_m, from_b = m + mm + emission, b + bm + emission
        nm, pm = (from_m, "M") if from_m >= from_b else (from_b, "B")
        emission = em_s.get(char, _LOW)  # S after S or E
        from_s, from_e = s + ss + emission, e + es + emission
        ns, ps = (from_s, "S") if from_s >= from_e else (from_e, "E")
        emission = em_e.get(char, _LOW)  # E after B or M
        from_b, from_m = b + eb + emission, m + me + emission
        ne, pe = (from_b, "B") if from_b > from_m else (from_m, "M")
        b, m, s, e = nb, nm, ns, ne
        back.append((pb, pm, pe, ps))
    state = "E" if e > s else "S"
    states = [state]
    for pointers in reversed(back):
        state = pointers["BMES".index(state)]
        states.append(state)
    states.reverse()
    return states


def _hmm_words(block: str) -> Iterator[str]:
    """``finalseg``'s words of a run of Han characters (its ``__cut``)."""
    states = _hmm_states(block)
    begin = after = 0
    for i, state in enumerate(states):
        if state == "B":
            begin = i
        elif state == "E":
            yield block[begin : i + 1]
            after = i + 1
        elif state == "S":
            yield block[i]
            after = i + 1
    if after < len(block):
        yield block[after:]


def hmm_cut(text: str) -> Iterator[str]:
    """``jieba.finalseg.cut(text)``: the HMM's words of the Han runs, the rest as jieba splits it."""
    for block in _HMM.re_han.split(text):
        if _HMM.re_han.match(block):
            for word in _hmm_words(block):
                if word in _HMM.Force_Split_Words:
                    yield from word
                else:
                    yield word
        else:
            yield from (piece for piece in _HMM.re_skip.split(block) if piece)


class WordRoute:
    """A jieba tokenizer's dictionary as one table: word → log-probability, prefix → ``_PREFIX``.

    Built from the tokenizer's current dictionary; ``cut`` rebuilds it when words were added since
    (the total frequency changes with every added word; ``del_word``, which the project never calls,
    would go unseen)."""

    def __init__(self, tokenizer: jieba.Tokenizer) -> None:
        tokenizer.check_initialized()
        self.tokenizer = tokenizer
        self._build()

    def _build(self) -> None:
        tokenizer = self.tokenizer
        self.total = tokenizer.total
        self.size = len(tokenizer.FREQ)
        logtotal = math.log(self.total)
        # jieba scores a word log(freq) - log(total): the same subtraction, once per word
        self.table: dict[str, object] = {
            w: (math.log(f) - logtotal if f else _PREFIX) for w, f in tokenizer.FREQ.items()
        }
        # a position no word starts at: jieba takes its character alone with frequency 1
        self.unknown = math.log(1) - logtotal
        self.freq = tokenizer.FREQ

    def _ends(self, block: str) -> list[int]:
        """Where the best route's word starting at each position ends (jieba's ``calc`` over its
        ``get_DAG``: the highest score, and of equal scores the longest word)."""
        size = len(block)
        get, prefix, unknown = self.table.get, _PREFIX, self.unknown
        score = [0.0] * (size + 1)
        ends = [0] * (size + 1)
        for k in range(size - 1, -1, -1):
            best, end = None, k + 1
            i = k
            frag = block[k]
            while i < size:
                value = get(frag)
                if value is None:
                    break  # no word starts with frag
                if value is not prefix:
                    total = value + score[i + 1]  # type: ignore[operator]  # a float
                    if best is None or total >= best:
                        best, end = total, i + 1
                i += 1
                frag = block[k : i + 1]
            if best is None:
                best = unknown + score[k + 1]
            score[k], ends[k] = best, end
        return ends

    def _unknown_run(self, run: str) -> Iterator[str]:
        """Single characters in a row, as jieba yields them: the HMM's words when the run is no word."""
        if len(run) == 1:
            yield run
        elif not self.freq.get(run):
            yield from hmm_cut(run)
        else:
            yield from run

    def _cut_block(self, block: str) -> Iterator[str]:
        ends = self._ends(block)
        x, run, size = 0, "", len(block)
        while x < size:
            y = ends[x]
            if y - x == 1:
                run += block[x]
            else:
                if run:
                    yield from self._unknown_run(run)
                    run = ""
                yield block[x:y]
            x = y
        if run:
            yield from self._unknown_run(run)

    def cut(self, text: str) -> Iterator[str]:
        """The words of ``text``: ``jieba.Tokenizer.cut(text)`` (accurate mode, HMM on)."""
        if self.tokenizer.total != self.total or len(self.tokenizer.FREQ) != self.size:
            self._build()
        for block in _BLOCK.split(text):
            if not block:
                continue
            if _BLOCK.match(block):
                yield from self._cut_block(block)
            else:
                for piece in _SKIP.split(block):
                    if _SKIP.match(piece):
                        yield piece
                    else:
                        yield from piece
