"""Accuracy of the NLP processors on labelled texts: real published news by default (``bench.nlp_real``),
or with ``--set`` one of the team-written sets of ``tests/processors/`` (``devset.yaml`` …).

Runs normalise → entities → topics → figures over every text and prints precision, recall and F1 per
field against the gold labels, and the fallback pipeline's generic PERSON/ORG/GPE layer beside the
domain layer. ``python -m bench.nlp --errors`` also lists every miss and false alarm.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bench.counts import Counts
from bench.results import record
from evaluation.devset import DEVSET, HELDOUT, UNSEEN, UNSEEN2, enrich, figure_key, load_devset
from pipeline.settings import Settings
from processors.entities import load_entity_resources
from processors.normalise import load_converter
from processors.topics import load_taxonomy

TARGETS = {"procuratorates": 0.95, "topics": 0.85, "relevance accuracy": 0.95, "figures": 0.90}


class Score(Counts):
    def add(self, gold: Iterable[str], found: Iterable[str]) -> tuple[list[str], list[str]]:
        g, f = Counter(gold), Counter(found)
        self.tp += sum((g & f).values())
        self.fp += sum((f - g).values())
        self.fn += sum((g - f).values())
        return sorted((g - f).elements()), sorted((f - g).elements())


def run(show_errors: bool = False, path: Path = DEVSET) -> dict[str, Score]:
    settings = Settings()
    resources = load_entity_resources(settings)
    taxonomy, converter = load_taxonomy(), load_converter()
    cases = load_devset(path)
    scores = {name: Score() for name in ("procuratorates", "topics", "relevant", "critical", "figures")}
    generic = {name: Score() for name in ("generic ORG", "domain PROCURATORATE")}
    labels: Counter[str] = Counter()
    correct_relevance = 0
    for case in cases:
        article = enrich(case, resources, taxonomy, converter)
        errors = {
            "procuratorates": scores["procuratorates"].add(case["procuratorates"], article.procuratorates),
            "topics": scores["topics"].add(case["topics"], [t.id for t in article.topics]),
            "relevant": scores["relevant"].add(["yes"] * case["relevant"], ["yes"] * bool(article.relevant)),
            "critical": scores["critical"].add(
                ["yes"] * case["critical"], ["yes"] * (article.tone == "critical")
            ),
            "figures": scores["figures"].add(
                [figure_key(*_split_figure(f)) for f in case["figures"]],
                [figure_key(s.value, s.unit) for s in article.statistics],
            ),
        }
        correct_relevance += bool(article.relevant) == case["relevant"]
        # The generic layer alone: ORG spans that are exactly a gold procuratorate's canonical name.
        docs = resources.nlp.pipe([article.title_simplified or "", article.body_simplified or ""])
        generic_orgs = {e.text for doc in docs for e in doc.ents if e.label_ == "ORG"}
        for doc in resources.nlp.pipe([article.title_simplified or "", article.body_simplified or ""]):
            labels.update(f"generic {e.label_}" for e in doc.ents)
        labels.update(f"domain {e.label}" for e in article.entities)
        gold = set(case["procuratorates"])
        generic["generic ORG"].add(gold, {o for o in generic_orgs if "检察" in o})
        generic["domain PROCURATORATE"].add(gold, set(article.procuratorates))
        if show_errors:
            for field, (missed, extra) in errors.items():
                if missed or extra:
                    print(f"  {case['id']:34} {field:15} missed {missed} extra {extra}")
    print(f"\nNLP processors on {len(cases)} texts of {path.name} ({resources.description})\n")
    print(f"{'field':22} {'precision':>9} {'recall':>7} {'F1':>6}   target")
    for name, score in scores.items():
        target = TARGETS.get(name, None)
        note = f"F1 ≥ {target}" if target and name != "figures" else ("P, R ≥ 0.90" if target else "")
        print(f"{name:22} {score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f}   {note}")
        record("nlp", f"{name} F1, {len(cases)} texts of {path.name}", score.f1, "")
    print(f"{'relevance accuracy':22} {correct_relevance / len(cases):9.3f}{'':16}   ≥ 0.95")
    print(
        "\nprocuratorate canonical names: the generic layer (jieba nt/ORG spans containing 检察) vs the domain layer"
    )
    for name, score in generic.items():
        print(f"{name:22} {score.precision:9.3f} {score.recall:7.3f} {score.f1:6.3f}")
    print("\nentity mentions by label: " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    return scores


def _split_figure(text: str) -> tuple[float, str | None]:
    value, _, unit = text.partition(" ")
    return float(value), unit or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    parser.add_argument(
        "--set",
        choices=["real", "dev", "heldout", "unseen", "unseen2"],
        default="real",
        help="which labelled texts: real published news (../shared/evaldata/nlp-real) or a team-written set",
    )
    parser.add_argument(
        "--record-before", action="store_true", help="real set: save these figures as the 'before' columns"
    )
    parser.add_argument(
        "--tuning-only", action="store_true", help="real set: run the tuning part alone (no held-out figures)"
    )
    parser.add_argument(
        "--data", type=Path, help="real set: the nlp-real folder (default ../shared/evaldata/nlp-real)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.set == "real":
        from bench import nlp_real  # imports this module's steps

        root = args.data or nlp_real.NLP_REAL
        if root.is_dir():
            nlp_real.run(
                show_errors=args.errors,
                record_before=args.record_before,
                root=root,
                tuning_only=args.tuning_only,
            )
            return 0
        # A fresh clone has no evaluation data beside it: `make bench` still measures the devset.
        print(f"note: {root} not found (--data FOLDER); the team-written devset is measured instead")
    sets = {"heldout": HELDOUT, "unseen": UNSEEN, "unseen2": UNSEEN2}
    run(show_errors=args.errors, path=sets.get(args.set, DEVSET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
