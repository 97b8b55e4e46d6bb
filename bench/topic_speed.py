"""CPU time of the topic step (``processors.topics.classify``: cues, model, relevance and tone) per article,
in process, on the real news and the team-written sets, normalised and tagged once beforehand.

    python -m bench.topic_speed [--data ../shared/evaldata/nlp-real] [--runs 5]

Prints the median and range of the runs' ms of process CPU per article (a shared machine disturbs CPU time
much less than wall time; note the load average beside the figure).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.nlp_real import NLP_REAL, load_items
from evaluation.devset import DEVSET, HELDOUT, UNSEEN, UNSEEN2, load_devset
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise
from processors.topics import classify, load_taxonomy


def articles(data: Path) -> list[Article]:
    """Every real item and every team-set case, normalised and tagged (the topic step reads the entities)."""
    resources = load_entity_resources(Settings())
    to_simplified = load_converter()
    raw = [Article.new(f"https://nlp-real.invalid/{i.id}", title="", body=i.text) for i in load_items(data)]
    for path in (DEVSET, HELDOUT, UNSEEN, UNSEEN2):
        raw += [
            Article.new(f"https://team.invalid/{path.stem}/{n}", title=c["title"], body=c["body"])
            for n, c in enumerate(load_devset(path))
        ]
    return [tag_entities(normalise(a, to_simplified), resources) for a in raw]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=NLP_REAL, help="the nlp-real folder")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    corpus = articles(args.data)
    taxonomy = load_taxonomy()
    for article in corpus[:20]:  # warm-up
        classify(article, taxonomy)
    runs = []
    for _ in range(args.runs):
        start = time.process_time()
        for article in corpus:
            classify(article, taxonomy)
        runs.append((time.process_time() - start) * 1000 / len(corpus))
    print(
        f"topic step: {statistics.median(runs):.3f} ms of CPU per article (runs {min(runs):.3f}–{max(runs):.3f}, "
        f"{len(corpus)} articles, {sum(len(a.body) for a in corpus) // len(corpus)} characters on average)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
