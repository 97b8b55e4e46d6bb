"""The trained half of the topic step: a linear model over character n-grams (``config/topic_model.json``,
rebuilt by ``python -m bench.train_topics``), scored with numpy, with the sentences that weigh most.

The model file holds, for the n-grams kept at training time, their inverse document frequency and, per
topic, an intercept and a weight per n-gram. A text's features are sublinear tf-idf (1 + log tf, times
idf), scaled to unit length; a topic's probability is the logistic of intercept + weights · features.
The same ``char_ngrams`` function cuts the text in the training script; scoring cuts the same n-grams
as integer keys (``ngram_keys``), counted and looked up by sorting arrays. ``best_runs`` reads the
title and every run of a few consecutive sentences as if each were the whole text (the topic step's
sentence view).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.literals import CODE_POINT_BITS, code_points

NGRAM_SIZES = (1, 2, 3)
_SPACE = re.compile(r"\s+")
# Past this many cells (runs × the article's n-grams) the runs are scored sparse: a dense table grows with
# the text's length squared. Measured on generated articles (CPU ms an article, dense / sparse): 100–400
# characters 0.24 / 0.35, 1 000–3 000 characters 5.6 / 3.0, 3 000–6 000 characters 12.0 / 5.7.
_DENSE_CELLS = 20_000
_JOIN = "\x00"  # joins sentences cut in one pass: an n-gram across two of them is in no vocabulary
_SENTENCE = re.compile(r"[^。！？!?\n]+")


def model_text(title: str, body: str) -> str:
    """The text the model reads: the title twice (the headline says what the story is about), then the body."""
    return f"{title}。{title}。{body}" if title else body


def char_ngrams(text: str) -> list[str]:
    """Every character 1-, 2- and 3-gram of the text, whitespace runs read as one space."""
    text = _SPACE.sub(" ", text)
    out: list[str] = []
    for n, grams in enumerate(_growing_ngrams(text), start=1):
        if n in NGRAM_SIZES:
            out += grams
    return out


def _growing_ngrams(text: str) -> Iterator[list[str]]:
    """The text's 1-grams, then its 2-grams … up to the largest size: each n-gram is the (n-1)-gram
    starting at the same place plus one character (string additions in C, no slicing loop)."""
    grams = list(text)
    for n in range(1, max(NGRAM_SIZES) + 1):
        if n > 1:
            grams = list(map(add, grams[:-1], text[n - 1 :]))
        yield grams


def gram_key(gram: str) -> int:
    """An n-gram as one integer: its code points side by side, ``CODE_POINT_BITS`` bits each (63 for
    three). Grams of different sizes may share a key, so a key is only compared with keys of its size."""
    key = 0
    for char in gram:
        key = (key << CODE_POINT_BITS) | ord(char)
    return key


def ngram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    """``gram_key`` of every n-gram of a text given as its code points, in text order."""
    if len(codes) < n:
        return np.zeros(0, dtype=np.int64)
    keys = codes[: len(codes) - n + 1].copy()
    for shift in range(1, n):
        keys = (keys << CODE_POINT_BITS) | codes[shift : len(codes) - n + 1 + shift]
    return keys


@dataclass(frozen=True)
class TopicModel:
    idf: dict[str, float]
    intercepts: dict[str, float]
    weights: dict[str, dict[str, float]]  # topic → n-gram → weight (n-grams of weight 0 left out)
    # The model as arrays, one row per n-gram of the vocabulary (``idf``): its idf and its weight for
    # each topic (a column). A text's n-grams are counted once and looked up once; one product then
    # scores every topic.
    _rows: dict[str, int] = field(init=False, repr=False, compare=False)
    # Per n-gram size: the vocabulary's keys (``ngram_keys``) sorted, and the row of each.
    _keys: dict[int, tuple[np.ndarray, np.ndarray]] = field(init=False, repr=False, compare=False)
    _idf: np.ndarray = field(init=False, repr=False, compare=False)
    _matrix: np.ndarray = field(init=False, repr=False, compare=False)
    _intercepts: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grams = list(self.idf)
        rows = {g: i for i, g in enumerate(grams)}
        matrix = np.zeros((len(grams), len(self.intercepts)))
        for column, topic in enumerate(self.intercepts):
            for gram, weight in self.weights.get(topic, {}).items():
                if gram in rows:  # a weight without an idf never scores (the text's n-grams need both)
                    matrix[rows[gram], column] = weight
        object.__setattr__(self, "_rows", rows)
        keys = {}
        for n in NGRAM_SIZES:
            of_size = [(gram_key(g), i) for g, i in rows.items() if len(g) == n]
            of_size.sort()
            keys[n] = (
                np.array([k for k, _ in of_size], dtype=np.int64),
                np.array([i for _, i in of_size], dtype=np.int64),
            )
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(
            self, "_idf", np.fromiter((self.idf[g] for g in grams), dtype=float, count=len(grams))
        )
        object.__setattr__(self, "_matrix", matrix)
        object.__setattr__(self, "_intercepts", np.fromiter(self.intercepts.values(), dtype=float))

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        if not path.exists():
            raise ValueError(
                f"{path}: topic model file missing; rebuild it with python -m bench.train_topics"
            )
        return cls.from_data(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> TopicModel:
        """The model from the file's content (what ``evaluation.topic_training.train`` returns)."""
        terms: list[str] = data["terms"]
        return cls(
            idf=dict(zip(terms, data["idf"], strict=True)),
            intercepts={t: float(v) for t, v in data["intercepts"].items()},
            weights={
                topic: {terms[int(i)]: float(w) for i, w in spec.items()}
                for topic, spec in data["weights"].items()
            },
        )

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the text's n-grams in the vocabulary and their features: sublinear tf-idf
        (1 + log tf, times idf) scaled to unit length."""
        found_rows, found_counts = [], []
        # The n-grams ``char_ngrams`` cuts, as integer keys: counted and looked up by sorting, with no
        # Python loop over the text's n-grams.
        codes = code_points(_SPACE.sub(" ", text))
        for n in NGRAM_SIZES:
            keys, counts = np.unique(ngram_keys(codes, n), return_counts=True)
            found = self._lookup(keys, n)
            known = found >= 0
            found_rows.append(found[known])
            found_counts.append(counts[known])
        if not sum(len(r) for r in found_rows):
            return np.zeros(0, dtype=int), np.zeros(0)
        index, counted = np.concatenate(found_rows), np.concatenate(found_counts).astype(float)
        order = np.argsort(index)  # the vocabulary's row order: the sums below always add up alike
        index, counted = index[order], counted[order]
        values = (1 + np.log(counted)) * self._idf[index]
        norm = math.sqrt(float(values @ values)) or 1.0
        return index, values / norm

    def _lookup(self, keys: np.ndarray, n: int) -> np.ndarray:
        """The vocabulary row of each n-gram given by its key (``ngram_keys``), -1 where it has none."""
        vocabulary, rows = self._keys[n]
        if not len(keys) or not len(vocabulary):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(vocabulary, keys), len(vocabulary) - 1)
        found: np.ndarray = np.where(vocabulary[at] == keys, rows[at], -1)
        return found

    def features(self, text: str) -> dict[str, float]:
        """The text's features by n-gram (those of the vocabulary only)."""
        grams = list(self.idf)
        index, values = self._vector(text)
        return {grams[i]: float(v) for i, v in zip(index.tolist(), values.tolist(), strict=True)}

    def probabilities(self, title: str, body: str) -> dict[str, float]:
        """Each topic's probability for the article."""
        index, values = self._vector(model_text(title, body))
        z = self._intercepts + values @ self._matrix[index] if len(index) else self._intercepts
        probability = 1 / (1 + np.exp(-np.clip(z, -30.0, 30.0)))
        return {topic: float(p) for topic, p in zip(self.intercepts, probability.tolist(), strict=True)}

    def best_runs(self, title: str, body: str, window: int) -> dict[str, tuple[float, str]]:
        """Each label's best run of the text — the title, or ``window`` consecutive body sentences (the
        whole body when shorter) — read on its own as if it were the whole text: its probability and its
        text. A run's n-grams are those of its sentences (none across a sentence end)."""
        title = title.strip()
        sentences = [s.strip() for s in _SENTENCE.findall(body) if s.strip()]
        texts = ["。".join(sentences[i : i + window]) for i in range(max(len(sentences) - window + 1, 0))]
        texts = ([title] if title else []) + (texts or ["。".join(sentences)] if sentences else [])
        if not texts:
            return {label: (0.0, "") for label in self.intercepts}
        parts = [_SPACE.sub(" ", s) for s in ([title] if title else []) + sentences]
        part, gram = self._occurrences(parts)
        columns, column = np.unique(gram, return_inverse=True)
        first = 1 if title else 0  # the title is run 0 on its own
        if len(texts) * len(columns) <= _DENSE_CELLS:
            z = self._dense_runs(part, columns, column, len(parts), first, window)
        else:
            z = self._sparse_runs(part, gram, len(texts), first, window)
        z = np.clip(self._intercepts + z, -30.0, 30.0)
        probability = 1 / (1 + np.exp(-z))
        best = probability.argmax(axis=0).tolist()
        return {
            label: (float(probability[row, column]), texts[row])
            for column, (label, row) in enumerate(zip(self.intercepts, best, strict=True))
        }

    def _dense_runs(
        self, part: np.ndarray, columns: np.ndarray, column: np.ndarray, parts: int, first: int, window: int
    ) -> np.ndarray:
        """The runs' weights · features from one dense row per part over the n-grams the article uses
        (``columns``): a run of sentences is the sum of their rows."""
        flat = np.bincount(part * len(columns) + column, minlength=parts * len(columns))
        table = flat.reshape(parts, len(columns)).astype(float)
        head, table = table[:first], table[first:]
        if len(table):
            summed = np.vstack([np.zeros((1, len(columns))), np.cumsum(table, axis=0)])
            step = min(window, len(table))
            table = summed[step:] - summed[:-step]
        runs = np.vstack([head, table])
        values = np.log(np.where(runs > 0, runs, 1.0)) + (runs > 0)  # 1 + log tf where the n-gram occurs
        values *= self._idf[columns]
        norms = np.sqrt((values * values).sum(axis=1, keepdims=True))
        values /= np.where(norms > 0, norms, 1.0)
        result: np.ndarray = values @ self._matrix[columns]
        return result

    def _sparse_runs(
        self, part: np.ndarray, gram: np.ndarray, runs: int, first: int, window: int
    ) -> np.ndarray:
        """The same for a long report: one entry per (run, n-gram) with its count, so the cost follows the
        text's length, not its length times its vocabulary."""
        # body sentence k counts in the runs starting at k - window + 1 … k (those that exist)
        run_ids, grams = [np.zeros(int((part < first).sum()), dtype=int)], [gram[part < first]]
        k, g = part[part >= first] - first, gram[part >= first]
        for back in range(window):
            inside = (k - back >= 0) & (k - back < runs - first)
            run_ids.append(k[inside] - back + first)
            grams.append(g[inside])
        size = len(self._rows)
        keys, counts = np.unique(np.concatenate(run_ids) * size + np.concatenate(grams), return_counts=True)
        run, column = keys // size, keys % size  # sorted by run
        values = (1 + np.log(counts)) * self._idf[column]
        norms = np.sqrt(np.bincount(run, weights=values * values, minlength=runs))
        values /= np.where(norms > 0, norms, 1.0)[run]
        summed = np.cumsum(values[:, None] * self._matrix[column], axis=0)
        summed = np.vstack([np.zeros((1, len(self.intercepts))), summed])
        bounds = np.searchsorted(run, np.arange(runs + 1))
        result: np.ndarray = summed[bounds[1:]] - summed[bounds[:-1]]
        return result

    def _occurrences(self, parts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every occurrence of a vocabulary n-gram in the parts: its part and its row in the vocabulary.
        The parts are cut in one pass, joined by a character no n-gram of the vocabulary contains."""
        joined = _JOIN.join(parts)
        starts = np.cumsum([0] + [len(p) + 1 for p in parts[:-1]])
        codes = code_points(joined)
        ids, where = [], []
        for n in NGRAM_SIZES:  # as integer keys, looked up by sorting (no Python call per n-gram)
            found = self._lookup(ngram_keys(codes, n), n)
            ids.append(found)
            where.append(np.arange(len(found)))
        gram, position = np.concatenate(ids), np.concatenate(where)
        known = gram >= 0
        return np.searchsorted(starts, position[known], side="right") - 1, gram[known]

    def evidence(self, topic: str, title: str, body: str, limit: int = 2, chars: int = 80) -> list[str]:
        """The sentences (title included) whose n-grams weigh most for ``topic``, best first, at most
        ``chars`` characters each: what an analyst reads to see why the model chose the topic."""
        w = self.weights.get(topic, {})
        scored = []
        for sentence in [title, *_SENTENCE.findall(body)]:
            sentence = sentence.strip()
            if sentence:
                grams = set(char_ngrams(sentence))
                # per square root of the sentence's n-grams: a long sentence does not win by length alone
                score = sum(w.get(g, 0.0) * self.idf.get(g, 0.0) for g in grams) / math.sqrt(len(grams))
                if score > 0:
                    scored.append((score, sentence))
        scored.sort(key=lambda pair: -pair[0])
        return [sentence[:chars] for _, sentence in scored[:limit]]
