"""The trained half of the topic step: a linear model over character n-grams (``config/topic_model.json``,
rebuilt by ``python -m bench.train_topics``), scored in plain Python, with the sentences that weigh most.

The model file holds, for the n-grams kept at training time, their inverse document frequency and, per
topic, an intercept and a weight per n-gram. A text's features are sublinear tf-idf (1 + log tf, times
idf), scaled to unit length; a topic's probability is the logistic of intercept + weights · features.
The same ``char_ngrams`` function cuts the text here and in the training script, so the two agree.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

NGRAM_SIZES = (1, 2, 3)
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"[^。！？!?\n]+")


def model_text(title: str, body: str) -> str:
    """The text the model reads: the title twice (the headline says what the story is about), then the body."""
    return f"{title}。{title}。{body}" if title else body


def char_ngrams(text: str) -> list[str]:
    """Every character 1-, 2- and 3-gram of the text, whitespace runs read as one space."""
    text = _SPACE.sub(" ", text)
    return [text[i : i + n] for n in NGRAM_SIZES for i in range(len(text) - n + 1)]


def sentence_runs(title: str, body: str, window: int) -> list[str]:
    """The title, then every run of ``window`` consecutive body sentences (the whole body when shorter)."""
    sentences = [s.strip() for s in _SENTENCE.findall(body) if s.strip()]
    runs = ["。".join(sentences[i : i + window]) for i in range(max(len(sentences) - window + 1, 1))]
    return [t for t in [title.strip(), *runs] if t]


@dataclass(frozen=True)
class TopicModel:
    idf: dict[str, float]
    intercepts: dict[str, float]
    weights: dict[str, dict[str, float]]  # topic → n-gram → weight (n-grams of weight 0 left out)
    # The model as arrays, one row per n-gram of the vocabulary (``idf``): its idf and its weight for
    # each topic (a column). A text's n-grams are counted once and looked up once; one product then
    # scores every topic.
    _rows: dict[str, int] = field(init=False, repr=False, compare=False)
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
        rows = self._rows
        counted = Counter(char_ngrams(text))
        known = counted.keys() & rows.keys()  # one set operation in C, not a lookup per n-gram
        if not known:
            return np.zeros(0, dtype=int), np.zeros(0)
        index = np.fromiter((rows[g] for g in known), dtype=int, count=len(known))
        counts = np.fromiter((counted[g] for g in known), dtype=float, count=len(known))
        order = np.argsort(index)  # a set's order changes between processes; sums must not
        index, counts = index[order], counts[order]
        values = (1 + np.log(counts)) * self._idf[index]
        norm = math.sqrt(float(values @ values)) or 1.0
        return index, values / norm

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

    def unit_probabilities(self, units: list[str]) -> np.ndarray:
        """Each label's probability for each text of ``units`` read on its own (one row per unit, the
        labels' columns in the order of ``intercepts``): a sentence of a long story scored as if it were
        the whole story."""
        z = np.tile(self._intercepts, (len(units), 1))
        for row, unit in enumerate(units):
            index, values = self._vector(unit)
            if len(index):
                z[row] += values @ self._matrix[index]
        return 1 / (1 + np.exp(-np.clip(z, -30.0, 30.0)))

    def best_runs(self, title: str, body: str, window: int) -> dict[str, tuple[float, str]]:
        """Each label's best run of the text (the title, or ``window`` consecutive body sentences) read
        on its own: its probability and its text."""
        units = sentence_runs(title, body, window)
        if not units:
            return {label: (0.0, "") for label in self.intercepts}
        table = self.unit_probabilities(units)
        best = table.argmax(axis=0).tolist()
        return {
            label: (float(table[row, column]), units[row])
            for column, (label, row) in enumerate(zip(self.intercepts, best, strict=True))
        }

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
