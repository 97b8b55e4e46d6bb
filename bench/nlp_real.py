"""Accuracy of the NLP processors on real published news (``../shared/evaldata/nlp-real``, read at run time).

Runs normalise → entities → topics → figures over every excerpt and prints precision, recall and F1 per
field for all items, for the held-out part (never tuned on) and for the part the rules were tuned on, then
per script (simplified / traditional) and per province group (Shanxi / other provinces / national), with
the figures recorded before the tuning round (``nlp_real_before.json``) beside the held-out ones.

The held-out part: the items whose id's SHA-1, read as a number, is divisible by 5 (about one fifth).
``--errors`` lists the misses of the tuning part only: the held-out part's misses are never printed;
``--tuning-only`` does not run the held-out part at all (for working rounds: the held-out part is scored
only to report, a few times a round).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.counts import Counts
from bench.evalset import EVALDATA, held_out
from bench.results import record
from evaluation.devset import enrich
from pipeline.gazetteer import autonomous_stem, short_form
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources
from processors.normalise import clean_text, load_converter
from processors.statistics import find_figures
from processors.topics import load_taxonomy

NLP_REAL = EVALDATA / "nlp-real"
BEFORE_FILE = Path(__file__).with_name("nlp_real_before.json")
FIELDS = ("procuratorates", "places", "topics", "relevant", "critical", "figures")
TARGETS = {
    "procuratorates": "F1 ≥ 0.95",
    "topics": "F1 ≥ 0.85",
    "relevance accuracy": "≥ 0.95",
    "critical": "P, R ≥ 0.75",
    "figures": "P, R ≥ 0.95",
}
_GROUPS = {"山西": "Shanxi", "shanxi": "Shanxi", "全国": "national", "national": "national"}
_SCRIPTS = {"S": "simplified", "simp": "simplified", "T": "traditional", "trad": "traditional"}


@dataclass
class Item:
    id: str
    url: str
    text: str
    gold: dict[str, Any]
    script: str
    group: str

    @property
    def part(self) -> str:
        return "held-out" if held_out(self.id) else "tuning"


def load_items(root: Path = NLP_REAL) -> list[Item]:
    items: list[Item] = []
    for part in sorted(p for p in root.iterdir() if p.is_dir()):
        meta: dict[str, tuple[str, str]] = {}
        for line in (part / "meta.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) >= 4:
                meta[cols[0]] = (cols[2], cols[3])
        for line in (part / "items.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                gold = json.loads(line)
                province, script = meta[gold["id"]]
                items.append(
                    Item(
                        gold["id"],
                        gold["url"],
                        gold["text"],
                        gold,
                        _SCRIPTS[script],
                        _GROUPS.get(province, "other provinces"),
                    )
                )
    return items


def figure_keys(literals: Iterable[str], to_simplified: Callable[[str], str]) -> list[str]:
    """Gold figures (literal, residue kept: 60萬(wàn)元) as the step's (value, unit) keys."""
    keys = []
    for literal in literals:
        found = find_figures(clean_text(literal, to_simplified)[0])
        keys.append(found_key(found[0].value, found[0].unit) if len(found) == 1 else literal)
    return keys


def named_places(article: Article) -> list[str]:
    """The article's regions that the text names (山西 names 山西省); the ancestors the entity step
    adds for filtering (洪洞县 → 临汾市, 山西省) are not named places unless written."""
    text = f"{article.title_simplified or ''}\n{article.body_simplified or ''}"
    names = [path.split("/")[-1] for path in article.regions]
    return [
        n
        for n in dict.fromkeys(names)
        if n in text or short_form(n) in text or (autonomous_stem(n) or n) in text
    ]


def found_key(value: float, unit: str | None) -> str:
    return f"{value:g} {unit or ''}".strip()


@dataclass
class Tally:
    """Counts per field for one slice of the items, and relevance accuracy."""

    counts: dict[str, Counts] = field(default_factory=lambda: {f: Counts() for f in FIELDS})
    items: int = 0
    relevance_right: int = 0

    def accuracy(self) -> float:
        return self.relevance_right / self.items if self.items else 0.0

    def row(self, name: str) -> dict[str, float]:
        if name == "relevance accuracy":
            return {"accuracy": round(self.accuracy(), 3)}
        c = self.counts[name]
        return {"precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3)}

    def summary(self) -> dict[str, dict[str, float]]:
        return {name: self.row(name) for name in (*FIELDS, "relevance accuracy")}


def compare(gold: Iterable[str], found: Iterable[str], counts: Counts) -> tuple[list[str], list[str]]:
    g, f = list(dict.fromkeys(gold)), list(dict.fromkeys(found))
    counts.tp += len(set(g) & set(f))
    counts.fp += len(set(f) - set(g))
    counts.fn += len(set(g) - set(f))
    return [x for x in g if x not in f], [x for x in f if x not in g]


def score_item(
    item: Item, article: Article, to_simplified: Callable[[str], str], tallies: list[Tally]
) -> dict:
    """Adds the item to every tally; returns the misses per field."""
    gold = item.gold
    # The gold lists procuratorates for relevant items only (every negative has []): scored there.
    procuratorates = (gold["procuratorates"], article.procuratorates) if gold["relevant"] else None
    pairs: dict[str, tuple[list[str], list[str]] | None] = {
        "procuratorates": procuratorates,
        "places": (gold["places"], named_places(article)),
        "topics": (gold["topics"], [t.id for t in article.topics]),
        "relevant": (["yes"] * gold["relevant"], ["yes"] * bool(article.relevant)),
        "critical": (["yes"] * (gold["tone"] == "critical"), ["yes"] * (article.tone == "critical")),
        "figures": (
            figure_keys(gold["statistics"], to_simplified),
            [found_key(s.value, s.unit) for s in article.statistics],
        ),
    }
    errors: dict[str, tuple[list[str], list[str]]] = {}
    for tally in tallies:
        tally.items += 1
        tally.relevance_right += bool(article.relevant) == gold["relevant"]
        for name, pair in pairs.items():
            if pair is not None:
                errors[name] = compare(pair[0], pair[1], tally.counts[name])
    return errors


def print_table(title: str, columns: dict[str, dict[str, dict[str, float]]]) -> None:
    """One row per field, one P/R/F1 group per column (all, held-out, before …)."""
    print(f"\n{title}")
    header = f"{'field':20}" + "".join(f" | {name:^20}" for name in columns)
    print(header + "   target")
    print(f"{'':20}" + "".join(f" | {'P':>6} {'R':>6} {'F1':>6}" for _ in columns))
    for name in (*FIELDS, "relevance accuracy"):
        cells = ""
        for summary in columns.values():
            row = summary.get(name, {})
            if "accuracy" in row:
                cells += f" | {'':>6} {'':>6} {row['accuracy']:6.3f}"
            elif row:
                cells += f" | {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f}"
            else:
                cells += f" | {'–':>20}"
        print(f"{name:20}{cells}   {TARGETS.get(name, '')}")


def load_before() -> dict[str, dict[str, dict[str, float]]]:
    if not BEFORE_FILE.exists():
        return {}
    before: dict[str, dict[str, dict[str, float]]] = json.loads(BEFORE_FILE.read_text(encoding="utf-8"))[
        "slices"
    ]
    return before


def run(
    show_errors: bool = False,
    record_before: bool = False,
    root: Path = NLP_REAL,
    tuning_only: bool = False,
) -> dict[str, dict[str, dict[str, float]]]:
    resources = load_entity_resources(Settings())
    taxonomy, to_simplified = load_taxonomy(), load_converter()
    items = load_items(root)
    if tuning_only:
        items = [item for item in items if item.part == "tuning"]
    slices: dict[str, Tally] = defaultdict(Tally)
    for item in items:
        case = {"id": item.id, "title": item.gold.get("title", ""), "body": item.text}
        article = enrich(case, resources, taxonomy, to_simplified)
        keys = ["all", item.part, item.script, f"{item.part} {item.script}", item.group]
        errors = score_item(item, article, to_simplified, [slices[k] for k in keys])
        if show_errors and item.part == "tuning":
            for name, (missed, extra) in errors.items():
                if missed or extra:
                    print(f"  {item.id} {item.script[:4]} {name:15} missed {missed} extra {extra}")
    summaries = {name: tally.summary() for name, tally in slices.items()}
    counts = {name: tally.items for name, tally in slices.items()}
    print(f"\nNLP processors on {len(items)} real texts of {root} ({resources.description})")
    print(
        "held-out part: ids whose SHA-1 is divisible by 5; "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    print(
        "places: the article's regions (every level) against the gold places, by name; figures: (value, unit)"
    )
    before = load_before()
    if tuning_only:
        print_table("the tuning part only (the held-out part not run)", {"tuning": summaries["tuning"]})
        print_table(
            "tuning part by script",
            {k: summaries[k] for k in ("tuning simplified", "tuning traditional") if k in summaries},
        )
        return summaries
    columns = {"all": summaries["all"], "held-out": summaries["held-out"]}
    if before:
        columns = {
            "before: all": before["all"],
            "all": summaries["all"],
            "before: held-out": before["held-out"],
            "held-out": summaries["held-out"],
        }
    print_table("all items and the held-out part (never tuned on)", columns)
    print_table(
        "by part: tuned on, and never tuned on",
        {k: summaries[k] for k in ("tuning", "held-out") if k in summaries},
    )
    print_table(
        "by script",
        {
            k: summaries[k]
            for k in ("simplified", "traditional", "held-out simplified", "held-out traditional")
            if k in summaries
        },
    )
    print_table(
        "by province group",
        {k: summaries[k] for k in ("Shanxi", "other provinces", "national") if k in summaries},
    )
    for part in ("all", "held-out"):
        for name, row in summaries.get(part, {}).items():
            value = row.get("f1", row.get("accuracy"))
            if value is not None:
                metric = "F1" if "f1" in row else "accuracy"
                record("nlp", f"{name} {metric}, {part} ({counts.get(part, 0)} real texts)", value, "")
    if record_before:
        BEFORE_FILE.write_text(
            json.dumps({"slices": summaries}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    return summaries
