"""Rebuilds ``config/topic_model.json``, the trained half of the topic step (``processors.topic_model``).

Trains one logistic regression per topic over sublinear tf-idf of character 1–3-grams on the team's
labelled sets (``tests/processors/*.yaml``) and the tuning part of the real news (``nlp-real``: every item
that is not held out — the held-out fifth is never read for training). Only relevant texts train it: the
model says which work areas a story covers once the relevance score has said it is about procuratorate
work. The same model learns critical tone as one more label (``tone:critical``), from the same texts and
the training texts that are not relevant (as examples against it), and relevance as another
(``relevance:relevant``: every relevant text for it, every other text against it). Each topic's label,
description and cue words in ``config/topics.yaml`` are one more example of that topic (for the topics only).
Needs scikit-learn (in the ``dev`` extra); the pipeline itself scores the file in plain Python.

    python -m bench.train_topics [--data ../shared/evaldata/nlp-real] [--output config/topic_model.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

from bench.nlp_real import NLP_REAL, load_items
from evaluation.devset import DEVSET, HELDOUT, UNSEEN, UNSEEN2, load_devset
from evaluation.topic_training import train
from pipeline.settings import CONFIG_DIR
from processors.normalise import clean_text, load_converter
from processors.topic_model import model_text
from processors.topics import CRITICAL, RELEVANT, TOPICS_FILE

OUTPUT = CONFIG_DIR / "topic_model.json"


# Labels the non-relevant texts train too (as examples against them); the topics learn from relevant texts only.
EVERY_TEXT = frozenset({CRITICAL, RELEVANT})


def labels(topics: list[str], critical: bool) -> list[str]:
    """A relevant text's labels for the model: its topics, the relevance label, and the tone label when
    it is critical."""
    return [*topics, RELEVANT, CRITICAL] if critical else [*topics, RELEVANT]


def team_texts() -> list[tuple[str, list[str]]]:
    """(model text, labels) of every relevant text of the team-written sets, in simplified script."""
    to_simplified = load_converter()
    pairs = []
    for path in (DEVSET, HELDOUT, UNSEEN, UNSEEN2):
        for case in load_devset(path):
            if case.get("topics"):
                title = clean_text(case["title"], to_simplified)[0]
                text = model_text(title, clean_text(case["body"], to_simplified)[0])
                pairs.append((text, labels(case["topics"], case["critical"])))
    return pairs


def training_texts(data: Path) -> list[tuple[str, list[str]]]:
    """(model text, labels) of every relevant training text, in simplified script."""
    to_simplified = load_converter()
    pairs = team_texts()
    for item in load_items(data):
        if item.part == "tuning" and item.gold["topics"]:
            text = model_text("", clean_text(item.text, to_simplified)[0])
            pairs.append((text, labels(item.gold["topics"], item.gold["tone"] == "critical")))
    return pairs


def taxonomy_texts() -> list[tuple[str, list[str]]]:
    """(text, [topic]) for every topic of ``config/topics.yaml``: its label, description and plain cue words,
    an example of the topic for the model (the analysts' own account of the work area)."""
    pairs = []
    for topic in yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]:
        words = [str(cue) for cue in topic["cues"] if not str(cue).startswith("re:")]
        text = f"{topic['label']}。{topic.get('description', '')}。{'，'.join(words)}"
        pairs.append((text, [topic["id"]]))
    return pairs


def team_negative_texts() -> list[str]:
    """Model texts of the team-written texts that are not about procuratorate work."""
    to_simplified = load_converter()
    return [
        model_text(clean_text(case["title"], to_simplified)[0], clean_text(case["body"], to_simplified)[0])
        for path in (DEVSET, HELDOUT, UNSEEN, UNSEEN2)
        for case in load_devset(path)
        if not case.get("topics")
    ]


def negative_texts(data: Path) -> list[str]:
    """Model texts of the training texts that are not about procuratorate work (team sets and the tuning
    part): examples against critical tone only."""
    to_simplified = load_converter()
    return team_negative_texts() + [
        model_text("", clean_text(item.text, to_simplified)[0])
        for item in load_items(data)
        if item.part == "tuning" and not item.gold["topics"]
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=NLP_REAL, help="the nlp-real folder")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the model file is written")
    args = parser.parse_args(argv)
    # read from the file, not load_taxonomy(): the taxonomy loads the model this script writes
    topics = [t["id"] for t in yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]]
    topics += [CRITICAL, RELEVANT]
    pairs = training_texts(args.data)
    negatives = negative_texts(args.data)
    model = train(
        pairs, topics, negatives=negatives, negative_labels=EVERY_TEXT, descriptions=taxonomy_texts()
    )
    args.output.write_text(
        json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
    )
    print(
        f"{args.output}: {len(pairs)} texts (and {len(negatives)} not relevant, for the tone), "
        f"{len(model['terms'])} n-grams, {len(model['weights'])} labels"
    )


if __name__ == "__main__":
    main()
