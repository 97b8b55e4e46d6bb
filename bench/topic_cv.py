"""Cross-validation of the topic layer on the tuning part of the real news (the held-out fifth is never read).

The rules were tuned on every tuning item, so their own figure there is optimistic; the trained model is not:
the tuning items are cut into folds (by SHA-1 of the id), and for each fold the model is trained on the team
sets and the other folds and scores the fold. Prints micro-F1 of the cues alone and of blends (model share,
threshold, cue score sure alone, share of the best run of sentences) for each training setting (regularisation
C, weight of a real text against a team-written one) — the figures used to choose how the two are mixed;
``--blind`` also scores each blend with the cues of some topics taken away (texts whose words the cues miss).
Needs scikit-learn (``dev`` extra).
Over 300 lines: one cross-validation, its folds, blends and blinded rescoring share the trained fold
models, and split apart each part would retrain them.

    python -m bench.topic_cv [--data ../shared/evaldata/nlp-real] [--folds 5] [--taxonomy OLD.yaml]
        [--sentence-shares 0,0.7] [--sentence-window 3] [--blind 0.3,0.5]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
from pathlib import Path

import yaml

from bench.counts import Counts
from bench.nlp_real import NLP_REAL, Item, load_items
from bench.train_topics import EVERY_TEXT, labels, taxonomy_texts, team_negative_texts, team_texts
from evaluation.topic_training import train
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise
from processors.topic_model import TopicModel, model_text
from processors.topics import CRITICAL, RELEVANT, TOPICS_FILE, Taxonomy, classify, load_taxonomy

# model share, threshold, cue score that is sure alone, share of the best run of sentences
Blend = tuple[float, float, float | None, float]


@dataclasses.dataclass
class Scored:
    """One setting's topic counts: over every fold, per fold (how much a fold's figure moves: the held-out
    part is about one fold's size) and per topic (where the misses are)."""

    all: Counts = dataclasses.field(default_factory=Counts)
    folds: list[Counts] = dataclasses.field(default_factory=list)
    topics: dict[str, Counts] = dataclasses.field(default_factory=dict)
    # share of the (article, topic) pairs whose cues are taken away → counts over every draw
    blind: dict[float, Counts] = dataclasses.field(default_factory=dict)

    def add(
        self, pairs: list[tuple[Item, Article]], tax: Taxonomy, blind: tuple[float, ...] = (), draws: int = 10
    ) -> None:
        fold = Counts()
        add_score(pairs, tax, fold, by_topic=self.topics)
        self.folds.append(fold)
        for rate in blind:
            for draw in range(draws):
                for item, article in pairs:
                    add_score(
                        [(item, article)],
                        blinded(tax, item.id, rate, draw),
                        self.blind.setdefault(rate, Counts()),
                    )
        self.all.tp, self.all.fp, self.all.fn = (
            self.all.tp + fold.tp,
            self.all.fp + fold.fp,
            self.all.fn + fold.fn,
        )


def blinded(tax: Taxonomy, item_id: str, rate: float, draw: int) -> Taxonomy:
    """The taxonomy without the cues of about ``rate`` of its topics, drawn for this article (by hash):
    how the blend fares on texts whose words the cues miss. The cues were tuned on every tuning text, so
    with all of them the cross-validation overrates them; the held-out part's recall (0.67 against 1.00
    on the tuning part) shows cues that miss about a third of the topics of unseen texts."""

    def drawn(topic: str) -> bool:
        digest = hashlib.sha1(f"blind:{draw}:{item_id}:{topic}".encode()).hexdigest()
        return int(digest, 16) % 1000 < rate * 1000

    topics = [dataclasses.replace(t, cues=()) if drawn(t.id) else t for t in tax.topics]
    return dataclasses.replace(tax, topics=topics)


def fold_of(item_id: str, folds: int) -> int:
    # the held-out part is SHA-1 % 5 == 0; folds hash the id with a prefix so they mix scripts and parts
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


def add_score(
    pairs: list[tuple[Item, Article]],
    tax: Taxonomy,
    counts: Counts,
    tone: bool = False,
    relevance: bool = False,
    by_topic: dict[str, Counts] | None = None,
) -> None:
    """Adds the topics (or, with ``tone``, the critical flag; with ``relevance``, right judgements as tp and
    wrong ones as fn, so that recall is the accuracy) found in ``pairs`` to ``counts``, and to ``by_topic``
    (topic → counts) when given."""
    for item, article in pairs:
        result = classify(article, tax)
        if relevance:
            right = bool(result.relevant) == item.gold["relevant"]
            counts.tp, counts.fn = counts.tp + right, counts.fn + (not right)
            continue
        if tone:
            gold, found = {item.gold["tone"]} - {"neutral"}, {result.tone} - {"neutral"}
        else:
            gold, found = set(item.gold["topics"]), {t.id for t in result.topics}
        counts.tp += len(gold & found)
        counts.fp += len(found - gold)
        counts.fn += len(gold - found)
        if by_topic is not None:
            for topic in gold | found:
                n = by_topic.setdefault(str(topic), Counts())
                n.tp, n.fp, n.fn = (
                    n.tp + (topic in gold & found),
                    n.fp + (topic not in gold),
                    n.fn + (topic not in found),
                )


def run(
    data: Path,
    folds: int,
    blends: list[Blend],
    trainings: list[tuple[float, float]],
    taxonomy: Path = TOPICS_FILE,
    tone_blends: list[tuple[float, float]] | None = None,
    relevance_blends: list[tuple[float, float]] | None = None,
    with_descriptions: bool = True,
    window: int = 2,
    blind: tuple[float, ...] = (),
) -> tuple[
    dict[tuple[tuple[float, float], Blend], Scored],
    dict[tuple[float, float], Counts],
    dict[tuple[float, float], Counts],
]:
    topics = [t["id"] for t in yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]]
    topics += [CRITICAL, RELEVANT]
    pairs = prepared([i for i in load_items(data) if i.part == "tuning"])
    team = team_texts()
    team_negatives = team_negative_texts()
    descriptions = taxonomy_texts() if with_descriptions else None
    base = load_taxonomy(taxonomy)
    totals: dict[tuple[tuple[float, float], Blend], Scored] = {}
    rules, tone_rules = Counts(), Counts()
    tones: dict[tuple[float, float], Counts] = {}
    relevances: dict[tuple[float, float], Counts] = {}
    relevance_rules = Counts()
    for fold in range(folds):
        test = [(i, a) for i, a in pairs if fold_of(i.id, folds) == fold]
        real = [
            (model_text("", a.body_simplified or ""), labels(i.gold["topics"], i.gold["tone"] == "critical"))
            for i, a in pairs
            if fold_of(i.id, folds) != fold and i.gold["topics"]
        ]
        add_score(test, dataclasses.replace(base, model=None), rules)
        add_score(test, dataclasses.replace(base, model=None), tone_rules, tone=True)
        add_score(test, dataclasses.replace(base, model=None), relevance_rules, relevance=True)
        for c, real_weight in trainings:
            weights = [1.0] * len(team) + [real_weight] * len(real)
            negatives = team_negatives + [
                model_text("", a.body_simplified or "")
                for i, a in pairs
                if fold_of(i.id, folds) != fold and not i.gold["topics"]
            ]
            trained = train(
                team + real,
                topics,
                c=c,
                sample_weight=weights,
                negatives=negatives,
                negative_labels=EVERY_TEXT,
                descriptions=descriptions,
            )
            model = TopicModel.from_data(trained)
            for share, threshold, floor, sentences in blends:
                tax = dataclasses.replace(
                    base,
                    model=model,
                    model_weight=share,
                    model_threshold=threshold,
                    cues_sure=floor,
                    sentence_share=sentences,
                    sentence_window=window,
                )
                key = ((c, real_weight), (share, threshold, floor, sentences))
                totals.setdefault(key, Scored()).add(test, tax, blind)
            if (c, real_weight) == trainings[0]:  # the tone with the first training setting only
                for share, threshold in tone_blends or []:
                    cfg = {**base.tone, "model_weight": share, "model_threshold": threshold}
                    tone_tax = dataclasses.replace(base, model=model, tone=cfg)
                    add_score(test, tone_tax, tones.setdefault((share, threshold), Counts()), tone=True)
                for share, cutoff in relevance_blends or []:
                    rel = {**base.relevance, "model_weight": share, "cutoff": cutoff}
                    rel_tax = dataclasses.replace(base, model=model, relevance=rel)
                    add_score(test, rel_tax, relevances.setdefault((share, cutoff), Counts()), relevance=True)
        print(f"fold {fold}: {len(test)} items, {len(team) + len(real)} training texts", flush=True)
    print(f"topics, cues alone: P {rules.precision:.3f} R {rules.recall:.3f} F1 {rules.f1:.3f}")
    print(
        f"critical tone, cues alone: P {tone_rules.precision:.3f} R {tone_rules.recall:.3f} F1 {tone_rules.f1:.3f}"
    )
    print(f"relevance accuracy, cues alone: {relevance_rules.recall:.3f}")
    return totals, tones, relevances


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=NLP_REAL, help="the nlp-real folder")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--shares", default="0.5,0.7,0.85", help="model shares to try")
    parser.add_argument("--thresholds", default="0.3,0.35,0.45", help="blend thresholds to try")
    parser.add_argument(
        "--sure", default="none,0.9", help="cue scores sure alone to try (none: always blended)"
    )
    parser.add_argument(
        "--sentence-shares",
        default="0",
        help="shares of the best run of sentences in the model's probability",
    )
    parser.add_argument("--sentence-window", type=int, default=2, help="sentences in a run (sentence view)")
    parser.add_argument(
        "--blind",
        default="",
        help="also score each blend with the cues of this share of the (article, topic) pairs taken away "
        "(e.g. 0.3,0.5; 10 draws each)",
    )
    parser.add_argument("--c", default="10", help="regularisation values to train with")
    parser.add_argument("--real-weights", default="1", help="weights of a real text in training")
    parser.add_argument(
        "--taxonomy",
        type=Path,
        default=TOPICS_FILE,
        help="the cues to blend with (an older topics.yaml, written before these texts were read, gives "
        "cues that never saw them)",
    )
    parser.add_argument("--tone-shares", default="0.5,0.7,0.9,1", help="tone: model shares to try")
    parser.add_argument("--tone-thresholds", default="0.35,0.4,0.45,0.5", help="tone: thresholds to try")
    parser.add_argument("--relevance-shares", default="0.3,0.5,0.7,1", help="relevance: model shares")
    parser.add_argument("--relevance-cutoffs", default="0.45,0.5,0.55", help="relevance: cutoffs to try")
    parser.add_argument(
        "--no-descriptions",
        action="store_true",
        help="train without the taxonomy's descriptions as examples (as before session 8)",
    )
    args = parser.parse_args(argv)
    floors = [None if f == "none" else float(f) for f in args.sure.split(",")]
    blends = list(
        itertools.product(
            _floats(args.shares), _floats(args.thresholds), floors, _floats(args.sentence_shares)
        )
    )
    trainings = list(itertools.product(_floats(args.c), _floats(args.real_weights)))
    tone_blends = list(itertools.product(_floats(args.tone_shares), _floats(args.tone_thresholds)))
    relevance_blends = list(
        itertools.product(_floats(args.relevance_shares), _floats(args.relevance_cutoffs))
    )
    totals, tones, relevances = run(
        args.data,
        args.folds,
        blends,
        trainings,
        args.taxonomy,
        tone_blends,
        relevance_blends,
        with_descriptions=not args.no_descriptions,
        window=args.sentence_window,
        blind=tuple(_floats(args.blind)) if args.blind else (),
    )
    print(
        f"\ntopics micro-F1, {args.folds}-fold cross-validation on the tuning part (model retrained per fold)"
    )
    print(
        f"{'C':>5} {'real w':>6} {'share':>6} {'thresh':>6} {'sure':>6} {'sent':>5} {'P':>6} {'R':>6} {'F1':>6}"
        "  folds' F1 min–max"
    )
    for ((c, rw), (share, threshold, floor, sentences)), scored in totals.items():
        f = "none" if floor is None else f"{floor:.2f}"
        n, spread = scored.all, [fold.f1 for fold in scored.folds]
        print(
            f"{c:5g} {rw:6g} {share:6.2f} {threshold:6.2f} {f:>6} {sentences:5.2f} {n.precision:6.3f} "
            f"{n.recall:6.3f} {n.f1:6.3f}"
            f"  {min(spread):.3f}–{max(spread):.3f}"
            + "".join(
                f"  cues of {rate:.0%} away: P {b.precision:.3f} R {b.recall:.3f} F1 {b.f1:.3f}"
                for rate, b in scored.blind.items()
            )
        )
    best_key, best = max(totals.items(), key=lambda kv: kv[1].all.f1)
    print(f"best: {best_key}, F1 {best.all.f1:.3f}; per topic (gold, found right, missed, false):")
    for topic, n in sorted(best.topics.items(), key=lambda kv: -(kv[1].fn + kv[1].fp)):
        print(f"  {topic:28} {n.tp + n.fn:3} {n.tp:3} {n.fn:3} {n.fp:3}")
    print(f"\ncritical tone, C {trainings[0][0]:g}, real weight {trainings[0][1]:g}")
    print(f"{'share':>6} {'thresh':>6} {'P':>6} {'R':>6} {'F1':>6}  tp fp fn")
    for (share, threshold), n in tones.items():
        print(
            f"{share:6.2f} {threshold:6.2f} {n.precision:6.3f} {n.recall:6.3f} {n.f1:6.3f}  {n.tp:2} {n.fp:2} {n.fn:2}"
        )
    print("\nrelevance accuracy")
    print(f"{'share':>6} {'cutoff':>6} {'accuracy':>8}")
    for (share, cutoff), n in relevances.items():
        print(f"{share:6.2f} {cutoff:6.2f} {n.recall:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
