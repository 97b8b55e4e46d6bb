"""Cross-validation of the topic layer on the tuning part of the real news (the held-out fifth is never read).

The rules were tuned on every tuning item, so their own figure there is optimistic; the trained model is not:
the tuning items are cut into folds (by SHA-1 of the id), and for each fold the model is trained on the team
sets and the other folds and scores the fold. Prints micro-F1 of the cues alone, the model alone and blends
(weight, threshold) — the figure used to choose how the two are mixed. Needs scikit-learn (``dev`` extra).

    python -m bench.topic_cv [--data ../shared/evaldata/nlp-real] [--folds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import math
from pathlib import Path

import yaml

from bench.counts import Counts
from bench.nlp_real import NLP_REAL, Item, load_items
from bench.train_topics import team_texts
from evaluation.topic_training import train
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise
from processors.topic_model import TopicModel, model_text
from processors.topics import TOPICS_FILE, Taxonomy, classify, load_taxonomy


def fold_of(item_id: str, folds: int) -> int:
    # the held-out part is SHA-1 % 5 == 0; folds use another digit of the hash so they mix scripts and parts
    return int(hashlib.sha1(f"fold:{item_id}".encode()).hexdigest(), 16) % folds


def prepared(items: list[Item]) -> list[tuple[Item, Article]]:
    """Every tuning item normalised and tagged once (the topic step reads the entities)."""
    resources = load_entity_resources(Settings())
    to_simplified = load_converter()
    out = []
    for item in items:
        article = Article.new(f"https://nlp-real.invalid/{item.id}", title="", body=item.text)
        out.append((item, tag_entities(normalise(article, to_simplified), resources)))
    return out


def score(pairs: list[tuple[Item, Article]], tax: Taxonomy) -> Counts:
    counts = Counts()
    for item, article in pairs:
        gold, found = set(item.gold["topics"]), {t.id for t in classify(article, tax).topics}
        counts.tp += len(gold & found)
        counts.fp += len(found - gold)
        counts.fn += len(gold - found)
    return counts


def run(data: Path, folds: int, grid: list[tuple[float, float]]) -> dict[tuple[float, float], Counts]:
    topics = [t["id"] for t in yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]]
    tuning = [i for i in load_items(data) if i.part == "tuning"]
    pairs = prepared(tuning)
    team = team_texts()
    base = load_taxonomy()
    totals: dict[tuple[float, float], Counts] = {key: Counts() for key in grid}
    for fold in range(folds):
        test = [(i, a) for i, a in pairs if fold_of(i.id, folds) == fold]
        train_pairs = team + [
            (model_text("", a.body_simplified or ""), i.gold["topics"])
            for i, a in pairs
            if fold_of(i.id, folds) != fold and i.gold["topics"]
        ]
        model = TopicModel.from_data(train(train_pairs, topics))
        for weight, threshold in grid:
            tax = dataclasses.replace(base, model=model, model_weight=weight, model_threshold=threshold)
            if weight == 0:  # the cues alone, at their own threshold
                tax = dataclasses.replace(base, model=None)
            c = score(test, tax)
            t = totals[(weight, threshold)]
            t.tp, t.fp, t.fn = t.tp + c.tp, t.fp + c.fp, t.fn + c.fn
        print(f"fold {fold}: {len(test)} items, {len(train_pairs)} training texts", flush=True)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=NLP_REAL, help="the nlp-real folder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--weights", default="0,0.5,0.6,0.7,1", help="model shares to try")
    parser.add_argument("--thresholds", default="0.3,0.35,0.4,0.45,0.5", help="blend thresholds to try")
    args = parser.parse_args(argv)
    weights = [float(w) for w in args.weights.split(",")]
    thresholds = [float(t) for t in args.thresholds.split(",")]
    grid = [(0.0, 0.0)] + [(w, t) for w, t in itertools.product(weights, thresholds) if w > 0]
    totals = run(args.data, args.folds, grid)
    print(
        f"\ntopics micro-F1, {args.folds}-fold cross-validation on the tuning part (model retrained per fold)"
    )
    print(f"{'model share':>11} {'threshold':>9} {'P':>6} {'R':>6} {'F1':>6}")
    for (w, t), c in totals.items():
        label = "cues alone" if w == 0 else f"{w:11.2f} {t:9.2f}"
        print(f"{label:>21} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}")
    best = max(totals.items(), key=lambda kv: kv[1].f1)
    print(f"best: share {best[0][0]}, threshold {best[0][1]}, F1 {best[1].f1:.3f}")
    return 0 if not math.isnan(best[1].f1) else 1


if __name__ == "__main__":
    raise SystemExit(main())
