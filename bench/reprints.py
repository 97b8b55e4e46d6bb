"""Reprint detection benchmark: precision and recall of "same story", cost per article, state per article.

Each text goes through the steps before the reprint step (normalise, entities, figures): the
signature carries the facts they found.

    .venv/bin/python -m bench.reprints [--pairs N] [--seed S] [--history N]

Generated pairs (bench/reprint_corpus.py): copies of one story (script conversion with pinyin
damage, byline and footer, a paragraph dropped, 5–10 % of Han characters changed, title changed,
one or two figures changed, alone and together) and look-alike different stories (releases in one
procuratorate's formulaic frame, the same meeting in two cities, the same beat in the same place,
two counties quoting one provincial notice). A pair counts as "same story" when the two sketches
share an LSH band and ``compare`` agrees with the paragraphs a store that has seen ``--history``
other generated stories knows as boilerplate — what the step decides; the ``_empty_store`` figures
know none. The baseline, measured in the same run, is MinHash Jaccard ≥ 0.5 over the same sketches.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import cast

from bench.counts import Counts
from bench.reprint_corpus import KINDS, Story, background, look_alike_pairs, same_story_pairs
from bench.results import record
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise
from processors.reprints.fingerprint import BOILERPLATE_STORIES, Sketch, compare, sketch
from processors.reprints.sqlite_store import SqliteStoryStore
from processors.reprints.step import assign_story
from processors.reprints.text import facts_of
from processors.statistics import extract_statistics

BASELINE_JACCARD = 0.5
CONVERT = load_converter()


@dataclass
class Score(Counts):
    tn: int = 0

    def add(self, truth: bool, said: bool) -> None:
        if truth:
            self.tp, self.fn = self.tp + said, self.fn + (not said)
        else:
            self.fp, self.tn = self.fp + said, self.tn + (not said)


class Signer:
    """Sketches of generated stories as the chain makes them: normalise, then ``text`` applied to the
    simplified body (the no-digits variant), entities and figures, then the sketch with their facts.
    Each (story, variant) is signed once."""

    def __init__(self) -> None:
        self.resources = load_entity_resources(Settings())
        self._done: dict[tuple[str, str, str], Sketch | None] = {}

    def article(
        self, story: Story, text: Callable[[str], str] = str, url: str = "http://bench.cn/x"
    ) -> Article:
        article = normalise(
            Article.new(url, title=story.title, body=story.body, source=story.source), CONVERT
        )
        if text is not str:
            article = article.model_copy(update={"body_simplified": text(article.body_simplified or "")})
        return extract_statistics(tag_entities(article, self.resources))

    def __call__(self, story: Story, text: Callable[[str], str] = str) -> Sketch | None:
        key = (story.title, story.body, repr(text))
        if key not in self._done:
            article = self.article(story, text)
            self._done[key] = sketch(article.body_simplified or "", facts_of(article))
        return self._done[key]


@lru_cache(maxsize=1)
def signer() -> Signer:
    """The one signer of the run (the entity pipeline loads once)."""
    return Signer()


def same_by_step(a: Sketch | None, b: Sketch | None, boilerplate: Collection[int] = ()) -> bool:
    if a is None or b is None:
        return False
    return bool(set(a.bands) & set(b.bands)) and compare(a, b, boilerplate).same_story


def known_boilerplate(stories: list[Story], text: Callable[[str], str] = str) -> frozenset[int]:
    """Paragraphs found word for word in at least BOILERPLATE_STORIES of ``stories`` (each a story
    of its own): what a StoryStore that registered them answers."""
    seen: Counter[int] = Counter()
    for story in stories:
        signed = signer()(story, text)
        if signed is not None:
            seen.update(set(signed.paragraphs))
    return frozenset(h for h, n in seen.items() if n >= BOILERPLATE_STORIES)


def same_by_baseline(a: Sketch | None, b: Sketch | None) -> bool:
    return a is not None and b is not None and compare(a, b).jaccard >= BASELINE_JACCARD


def evaluate(
    pairs: list[tuple[Story, Story, str, bool]],
    text: Callable[[str], str] = str,
    history: list[Story] | None = None,
) -> dict[str, object]:
    boilerplate = known_boilerplate(history or [], text)
    step, baseline = Score(), Score()
    by_kind: defaultdict[str, Score] = defaultdict(Score)
    for a, b, kind, truth in pairs:
        x, y = signer()(a, text), signer()(b, text)
        said = same_by_step(x, y, boilerplate)
        step.add(truth, said)
        baseline.add(truth, same_by_baseline(x, y))
        by_kind[kind if not truth else "all" if kind.count("+") == len(KINDS) - 1 else "any"].add(truth, said)
        if truth:
            for name in KINDS:
                if name in kind.split("+"):
                    by_kind[f"with {name}"].add(truth, said)
    return {
        "precision": round(step.precision, 4),
        "recall": round(step.recall, 4),
        "baseline_precision": round(baseline.precision, 4),
        "baseline_recall": round(baseline.recall, 4),
        "recall_by_transformation": {
            k: round(s.recall, 3) for k, s in sorted(by_kind.items()) if s.tp + s.fn
        },
        "false_positive_rate_by_kind": {
            k: round(s.fp / (s.fp + s.tn), 3) for k, s in sorted(by_kind.items()) if s.fp + s.tn
        },
    }


def cost(pairs: list[tuple[Story, Story, str, bool]]) -> dict[str, float]:
    """µs per article for normalise, sketch alone and the whole step on a SQLite store; bytes per article."""
    articles = [
        Article.new(
            f"http://bench.cn/{i}-{j}.html", site=f"outlet{j}", title=s.title, body=s.body, source=s.source
        )
        for i, (a, b, _, _) in enumerate(pairs)
        for j, s in enumerate((a, b))
    ]
    started = time.perf_counter()
    normalised = [normalise(a, CONVERT) for a in articles]
    normalise_s = time.perf_counter() - started
    resources = signer().resources
    normalised = [extract_statistics(tag_entities(a, resources)) for a in normalised]  # the facts, untimed
    started = time.perf_counter()
    sketches = [sketch(a.body_simplified or "", facts_of(a)) for a in normalised]
    sketch_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stories.sqlite3"
        store = SqliteStoryStore(path)
        store.init()
        started = time.perf_counter()
        for article in normalised:
            assign_story(article, store, CONVERT)
        step_s = time.perf_counter() - started
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        size = path.stat().st_size
    signed = [s for s in sketches if s is not None]
    n = len(articles)
    return {
        "articles": n,
        "normalise_us": round(normalise_s / n * 1e6),
        "sketch_us": round(sketch_s / n * 1e6),
        "step_sqlite_us": round(step_s / n * 1e6),
        "sqlite_bytes_per_article": round(size / n),
        "es_sketch_json_bytes_per_article": round(
            sum(len(json.dumps({**s.to_dict(), "bands": s.bands}, ensure_ascii=False)) for s in signed)
            / len(signed)
        ),
        "mean_body_chars": round(sum(len(a.body) for a in articles) / n),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=400, help="pairs of each class (default 400)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--history", type=int, default=2000, help="stories the store has seen before (default 2000)"
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    history = background(random.Random(args.seed + 1), args.history)
    no_digits: Callable[[str], str] = lambda t: re.sub(r"[0-9]", "", t)  # noqa: E731
    same = [(a, b, kind, True) for a, b, kind in same_story_pairs(rng, args.pairs)]
    different = [(a, b, kind, False) for a, b, kind in look_alike_pairs(rng, args.pairs)]
    pairs = same + different
    scores = evaluate(pairs, history=history)
    report = {
        "pairs": {"same_story": len(same), "look_alike": len(different)},
        "with_figures": scores,
        # Every digit removed from both texts: what the wording alone decides.
        "without_figures": evaluate(pairs, no_digits, history),
        # An empty store: no paragraph is known boilerplate yet.
        "with_figures_empty_store": evaluate(pairs),
        "without_figures_empty_store": evaluate(pairs, no_digits),
        "cost": cost(pairs),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    for metric in ("precision", "recall"):
        ours, baseline = cast(float, scores[metric]), cast(float, scores[f"baseline_{metric}"])
        record("reprints", f"reprint detection {metric}, {len(pairs)} pairs", ours, "",
               baseline=baseline, baseline_name="the baseline of bench.reprints")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
