"""The training of the topic model (``config/topic_model.json``, scored by ``processors.topic_model``):
one logistic regression per topic over sublinear tf-idf of character 1–3-grams. Shared by the script
that rebuilds the shipped file (``bench.train_topics``) and the test that checks the pipeline reads what
it writes. Needs scikit-learn (the ``dev`` extra); the pipeline itself never imports this module."""

from __future__ import annotations

from typing import Any

from processors.topic_model import char_ngrams

# Regularisation: C = 10 did best in a 5-fold cross-validation on the training pool (held-out part unread).
C = 10.0
# An n-gram seen in one text only cannot generalise. Weights below MIN_WEIGHT are left out of the file:
# that keeps it near 2 MB instead of 5, and moved no probability by more than 0.05 on the training texts.
MIN_DF, MIN_WEIGHT = 2, 0.05


def train(
    pairs: list[tuple[str, list[str]]],
    topics: list[str],
    c: float = C,
    sample_weight: list[float] | None = None,
    negatives: list[str] | None = None,
    negative_labels: frozenset[str] = frozenset(),
    descriptions: list[tuple[str, list[str]]] | None = None,
) -> dict[str, Any]:
    """One model per topic with at least two examples; ``sample_weight``: one weight per pair.

    ``negatives``: more texts, examples against the ``negative_labels`` only (texts that are not about
    procuratorate work teach the tone label what a discipline bulletin about someone else looks like,
    while the topics learn from relevant texts alone). They do not change the vocabulary or its idf.

    ``descriptions``: (text, labels) written from the taxonomy (a topic's label, description and cue words),
    examples for the topics only, never for the ``negative_labels``: they give the model the words of a work
    area that the labelled texts do not use. They are part of the vocabulary."""
    from scipy.sparse import vstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(analyzer=char_ngrams, min_df=MIN_DF, sublinear_tf=True)
    described = descriptions or []
    x_all = vectorizer.fit_transform([text for text, _ in pairs + described])
    x, x_described = x_all[: len(pairs)], x_all[len(pairs) :]
    x_negatives = vectorizer.transform(negatives) if negatives else None
    terms = list(vectorizer.get_feature_names_out())
    intercepts, weights = {}, {}
    for topic in topics:
        y = [topic in gold for _, gold in pairs]
        if sum(y) < 2:
            continue  # too few examples to learn from: the rules alone decide this topic
        xs, ws = x, sample_weight
        if x_negatives is not None and topic in negative_labels:
            xs = vstack([x, x_negatives]).tocsr()
            y = y + [False] * x_negatives.shape[0]
            ws = None if sample_weight is None else [*sample_weight, *[1.0] * x_negatives.shape[0]]
        elif described and topic not in negative_labels:
            xs = vstack([x, x_described]).tocsr()
            y = y + [topic in gold for _, gold in described]
            ws = None if sample_weight is None else [*sample_weight, *[1.0] * len(described)]
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(xs, y, sample_weight=ws)
        intercepts[topic] = round(float(model.intercept_[0]), 4)
        weights[topic] = {
            str(i): round(float(w), 4) for i, w in enumerate(model.coef_[0]) if abs(w) >= MIN_WEIGHT
        }
    return {
        "about": "processors/topic_model.py; rebuilt by python -m bench.train_topics",
        "texts": len(pairs) + len(described),
        "terms": terms,
        "idf": [round(float(v), 4) for v in vectorizer.idf_],
        "intercepts": intercepts,
        "weights": weights,
    }
