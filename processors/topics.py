"""Topic step of the ``topics`` stage: work areas (multi-label, with score and evidence), relevance and tone.

The taxonomy and every cue live in ``config/topics.yaml``; this module only counts and scores. Past 300
lines because cue counting, the topics' blend, relevance and tone share the taxonomy and the unit cutting.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.literals import Literals
from pipeline.model import Article, TopicScore
from pipeline.settings import CONFIG_DIR
from processors.topic_model import TopicModel

TOPICS_FILE = CONFIG_DIR / "topics.yaml"
# The model's label for critical tone, beside the topics' ids (config/topic_model.json).
CRITICAL = "tone:critical"
# … and for relevance: is the text about procuratorate work (config/topic_model.json).
RELEVANT = "relevance:relevant"
_SENTENCE = re.compile(r"[^。！？!?\n]+")


@dataclass(frozen=True)
class Cue:
    text: str
    weight: float
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    description: str
    cues: tuple[Cue, ...]
    near: tuple[str, ...] = ()
    # Sentences matching one of these patterns do not count for the topic (bribery by the procuratorate's
    # own staff is misconduct, not the prosecution of duty crimes).
    not_near: tuple[re.Pattern[str], ...] = ()
    # The topic needs at least one of these words somewhere in the article (criminal prosecution: 罪 …).
    requires: tuple[str, ...] = ()


@dataclass
class Taxonomy:
    topics: list[Topic]
    threshold: float = 0.5
    scale: float = 2.0
    title_weight: float = 2.0
    max_count: int = 3
    # A cue inside an enumeration (刑事检察、公益诉讼等业务) is a passing mention: it counts list_weight.
    list_weight: float = 1.0
    # Cues found in one body sentence only, none in the title, of a body of at least passing_sentences
    # sentences: the sum counts single_sentence_weight.
    single_sentence_weight: float = 1.0
    passing_sentences: int = 4
    relevance: dict[str, Any] = field(default_factory=dict)
    relevance_cues: tuple[Cue, ...] = ()
    competing_cues: tuple[Cue, ...] = ()
    tone: dict[str, Any] = field(default_factory=dict)
    tone_cues: tuple[Cue, ...] = ()
    # Every plain cue of every topic, longest first: a text position counts for one cue only, so
    # 附条件不起诉 (juvenile) is not also 不起诉 (criminal), nor 提起公诉 also 公诉.
    plain: Literals = field(default_factory=lambda: Literals(()))
    # The trained model (config/topic_model.json) and its share of a topic's score: the score is
    # (1 - model_weight) × the rules' score + model_weight × the model's probability.
    model: TopicModel | None = None
    model_weight: float = 0.0
    model_threshold: float = 0.5  # the threshold of a blended score
    # A cue score from which a topic is assigned whatever the model says (None: always blended): a long
    # article covering many work areas dilutes each one's n-grams, not its cues.
    cues_sure: float | None = None
    # A relevant article none of whose topics reaches its threshold takes its best topic, if that one's
    # score reaches this floor (None: no fallback).
    fallback_floor: float | None = None
    # The sentence view: the model also reads every run of ``sentence_window`` consecutive sentences (and
    # the title) on its own, and a topic's model probability is (1 - sentence_share) × the whole text's +
    # sentence_share × the best run's: a work area told in one passage of a long story still counts, and
    # without cue evidence the best sentence of that run is shown first. 0: the whole text only.
    sentence_share: float = 0.0
    sentence_window: int = 2


def _cues(spec: dict[str, float]) -> tuple[Cue, ...]:
    cues = []
    for text, weight in spec.items():
        text = str(text)
        source = text[3:] if text.startswith("re:") else re.escape(text)
        cues.append(Cue(text, float(weight), re.compile(source)))
    return tuple(cues)


def load_taxonomy(path: Path = TOPICS_FILE) -> Taxonomy:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = [
        Topic(
            t["id"],
            t["label"],
            t.get("description", ""),
            _cues(t["cues"]),
            tuple(t.get("near", ())),
            tuple(re.compile(str(p)) for p in t.get("not_near", ())),
            tuple(str(w) for w in t.get("requires", ())),
        )
        for t in data["topics"]
    ]
    ids = [t.id for t in topics]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate topic ids")
    relevance, tone = data["relevance"], data["tone"]
    model_spec = data.get("model") or {}
    return Taxonomy(
        topics=topics,
        threshold=float(data.get("threshold", 0.5)),
        scale=float(data.get("scale", 2.0)),
        title_weight=float(data.get("title_weight", 2)),
        max_count=int(data.get("max_count", 3)),
        list_weight=float(data.get("list_weight", 1.0)),
        single_sentence_weight=float(data.get("single_sentence_weight", 1.0)),
        passing_sentences=int(data.get("passing_sentences", 4)),
        relevance=relevance,
        relevance_cues=_cues(relevance["procuratorate"]),
        competing_cues=_cues(relevance["competing"]),
        tone=tone,
        tone_cues=_cues(tone["cues"]),
        plain=Literals(c.text for t in topics for c in t.cues if not c.text.startswith("re:")),
        model=TopicModel.load(_model_path(path, model_spec["file"])) if model_spec else None,
        model_weight=float(model_spec.get("weight", 0.0)),
        model_threshold=float(model_spec.get("threshold", data.get("threshold", 0.5))),
        cues_sure=None if model_spec.get("cues_sure") is None else float(model_spec["cues_sure"]),
        fallback_floor=None if data.get("fallback_floor") is None else float(data["fallback_floor"]),
        sentence_share=float(model_spec.get("sentence_share", 0.0)),
        sentence_window=int(model_spec.get("sentence_window", 2)),
    )


def _model_path(taxonomy_file: Path, name: str) -> Path:
    """The model file beside the taxonomy file, else in the config folder (a taxonomy copied elsewhere
    to be edited keeps the shipped model)."""
    beside = taxonomy_file.parent / name
    return beside if beside.exists() else CONFIG_DIR / name


def _texts(article: Article) -> tuple[str, str]:
    title = article.title_simplified if article.title_simplified is not None else article.title
    body = article.body_simplified if article.body_simplified is not None else article.body
    return title, body


def _near(title: str, body: str, near: tuple[str, ...]) -> tuple[str, str]:
    """Only the sentences that contain one of ``near``."""
    if not near:
        return title, body
    body = "。".join(s for s in _SENTENCE.findall(body) if any(w in s for w in near))
    return (title if any(w in title for w in near) else ""), body


def count_cues(
    cues: tuple[Cue, ...],
    title: str,
    body: str,
    tax: Taxonomy,
    near: tuple[str, ...] = (),
    cap: int | None = None,
    title_weight: float | None = None,
) -> tuple[float, list[str]]:
    """Weighted count of the cues (title counts ``title_weight`` times) and the cues that were found:
    the relevance and tone counts, where every cue is matched on its own."""
    title, body = _near(title, body, near)
    total, evidence = 0.0, []
    limit = cap if cap is not None else tax.max_count
    in_title = tax.title_weight if title_weight is None else title_weight
    for cue in cues:
        hits = min(len(cue.pattern.findall(body)), limit) + in_title * len(cue.pattern.findall(title))
        if hits:
            total += cue.weight * hits
            evidence.append(cue.text)
    return total, evidence


# A cue right after 、 or right before 、/等 (optionally with a generic noun between) is one item of an
# enumeration: 培训围绕刑事检察、公益诉讼等业务, 聚焦职务犯罪、涉黑涉恶、金融犯罪等重点罪犯.
_LIST_AFTER = re.compile(r"(?:案件|工作|业务|检察|犯罪|领域|问题)?[、等]")
_TITLE = -1  # the unit number of the title; body sentences are 0, 1, 2 …


@dataclass
class _Units:
    """An article cut into units (the title and the body's sentences), with every plain cue found, once
    per position and longest first, as cue → [(unit, factor)]; factor is ``list_weight`` in enumerations."""

    title: str
    sentences: list[str]
    plain: dict[str, list[tuple[int, float]]]

    @classmethod
    def of(cls, title: str, body: str, tax: Taxonomy) -> _Units:
        spans = [(m.start(), m.group()) for m in _SENTENCE.finditer(body)]
        starts = [start for start, _ in spans]
        plain: dict[str, list[tuple[int, float]]] = {}
        for unit, text in ((_TITLE, title), (None, body)):
            for cue in tax.plain.finditer(text):
                where = unit if unit is not None else bisect.bisect_right(starts, cue.start) - 1
                plain.setdefault(cue.text, []).append((where, _factor(text, cue.start, cue.end, tax)))
        return cls(title, [sentence for _, sentence in spans], plain)

    def text(self, unit: int) -> str:
        return self.title if unit == _TITLE else self.sentences[unit]


def _factor(text: str, start: int, end: int, tax: Taxonomy) -> float:
    listed = (start > 0 and text[start - 1] == "、") or _LIST_AFTER.match(text, end) is not None
    return tax.list_weight if listed else 1.0


def score_topic(topic: Topic, units: _Units, tax: Taxonomy) -> tuple[float, list[str]]:
    """A topic's weighted cue count and the cues that were found.

    A unit counts when it contains a ``near`` word (if any) and matches no ``not_near`` pattern. A cue
    in the title counts ``title_weight`` times, in the body at most ``max_count`` times; cues in an
    enumeration count ``list_weight``; when every cue is in one body sentence of a body of at least
    ``passing_sentences`` sentences, the sum counts ``single_sentence_weight`` (a work area named once
    in passing is not what the article is about).
    """
    every = range(_TITLE, len(units.sentences))
    allowed: set[int] | range = every
    if topic.near or topic.not_near:
        allowed = {
            unit
            for unit in every
            if (not topic.near or any(w in units.text(unit) for w in topic.near))
            and not any(p.search(units.text(unit)) for p in topic.not_near)
        }
    total, evidence = 0.0, []
    found_in: set[int] = set()
    for cue in topic.cues:
        if cue.text.startswith("re:"):
            hits = [
                (unit, _factor(units.text(unit), m.start(), m.end(), tax))
                for unit in sorted(allowed)
                for m in cue.pattern.finditer(units.text(unit))
            ]
        else:
            found = units.plain.get(cue.text)
            if not found:
                continue
            hits = [(unit, factor) for unit, factor in found if unit in allowed]
        if not hits:
            continue
        body = min(sum(f for unit, f in hits if unit != _TITLE), tax.max_count)
        title = sum(f for unit, f in hits if unit == _TITLE)
        total += cue.weight * (body + tax.title_weight * title)
        evidence.append(cue.text)
        found_in.update(unit for unit, _ in hits)
    if len(found_in) == 1 and _TITLE not in found_in and len(units.sentences) >= tax.passing_sentences:
        total *= tax.single_sentence_weight
    return total, evidence


def relevance_of(title: str, body: str, tax: Taxonomy, references: int = 0) -> float:
    """``references``: mentions of a procuratorate without the word 检察 (该院, 最高检), from the entities."""
    cfg = tax.relevance
    cap = int(cfg.get("cap", 15))
    title_weight = float(cfg.get("title_weight", tax.title_weight))
    proc, _ = count_cues(tax.relevance_cues, title, body, tax, cap=cap, title_weight=title_weight)
    proc += min(references, cap)
    if weight := float(cfg.get("critical_weight", 0.0)):  # criticism of a procuratorate is about it
        near = tuple(tax.tone.get("near", ()))
        proc += weight * count_cues(tax.tone_cues, title, body, tax, near)[0]
    # The lead names who acts: a procuratorate word in the body's first lead_chars characters, before any
    # court or police word, counts lead_weight more.
    lead = body[: int(cfg.get("lead_chars", 0))]
    first = min((m.start() for c in tax.relevance_cues for m in [c.pattern.search(lead)] if m), default=None)
    if first is not None and not any(c.pattern.search(lead[:first]) for c in tax.competing_cues):
        proc += float(cfg.get("lead_weight", 0.0))
    # A court or police word in a sentence that names the procuratorate is the procuratorate acting
    # (检察院向法院提出抗诉): it counts competing_shared_weight only.
    shared = float(cfg.get("competing_shared_weight", 1.0))
    sentences = _SENTENCE.findall(body)
    alone = "。".join(s for s in sentences if not any(c.pattern.search(s) for c in tax.relevance_cues))
    together = "。".join(s for s in sentences if any(c.pattern.search(s) for c in tax.relevance_cues))
    competing, _ = count_cues(tax.competing_cues, title, alone, tax, cap=cap, title_weight=title_weight)
    with_proc, _ = count_cues(tax.competing_cues, "", together, tax, cap=cap)
    competing += shared * with_proc
    return proc / (proc + competing + float(cfg.get("bias", 2.0)))


def blend(cues: float, share: float, probability: float) -> float:
    """A cue score and the model's probability of the same label, the model weighing ``share``."""
    return (1 - share) * cues + share * probability


def _topics(
    title: str,
    body: str,
    taxonomy: Taxonomy,
    probabilities: dict[str, float],
    runs: dict[str, tuple[float, str]] | None = None,
) -> list[TopicScore]:
    """The topics whose (blended) score reaches the threshold; when none does, the best one if it reaches
    ``fallback_floor``: an article about procuratorate work is about some work area. ``runs``: each
    label's best run of sentences (the sentence view), mixed into the model's probability."""
    if runs:
        share = taxonomy.sentence_share
        probabilities = {
            label: (1 - share) * p + share * runs[label][0] if label in runs else p
            for label, p in probabilities.items()
        }
    units = _Units.of(title, body, taxonomy)
    model = taxonomy.model
    scored: list[tuple[float, float, Topic, list[str]]] = []
    for topic in taxonomy.topics:
        if topic.requires and not any(w in title or w in body for w in topic.requires):
            continue
        raw, evidence = score_topic(topic, units, taxonomy)
        score, threshold = 1 - math.exp(-raw / taxonomy.scale), taxonomy.threshold
        if topic.id in probabilities:
            cues, share, threshold = score, taxonomy.model_weight, taxonomy.model_threshold
            score = blend(score, share, probabilities[topic.id])
            if taxonomy.cues_sure is not None and cues >= taxonomy.cues_sure:
                score = max(score, threshold)  # the cues alone are sure enough
        scored.append((score, threshold, topic, evidence))
    chosen = [entry for entry in scored if entry[0] >= entry[1]]
    if not chosen and taxonomy.fallback_floor is not None and scored:
        best = max(scored, key=lambda entry: entry[0])
        chosen = [best] if best[0] >= taxonomy.fallback_floor else []
    topics = []
    for score, _, topic, evidence in chosen:
        if not evidence and model:
            evidence = model.evidence(topic.id, title, body)
            if runs and topic.id in runs:  # first the best sentence of the run that read most like the topic
                lead = model.evidence(topic.id, "", runs[topic.id][1], limit=1)
                evidence = [*lead, *(e for e in evidence if e not in lead)][:2]
        topics.append(TopicScore(id=topic.id, label=topic.label, score=round(score, 3), evidence=evidence))
    return topics


def tone_of(title: str, body: str, taxonomy: Taxonomy, probability: float | None) -> str:
    """``critical`` or ``neutral``: the tone cues' count against their threshold, or, with the model's
    probability of the critical label, (1 - share) × the cues' score + share × that probability against
    the tone's ``model_threshold``."""
    cfg = taxonomy.tone
    near = tuple(cfg.get("near", ()))
    count, _ = count_cues(taxonomy.tone_cues, title, body, taxonomy, near)
    threshold = float(cfg.get("threshold", 1.5))
    if probability is None or "model_weight" not in cfg:
        return "critical" if count >= threshold else "neutral"
    share = float(cfg["model_weight"])
    # the cues' score is 1 - exp(-count / threshold): 0.63 where the count alone reaches the threshold
    score = blend(1 - math.exp(-count / threshold), share, probability)
    return "critical" if score >= float(cfg.get("model_threshold", 0.5)) else "neutral"


def classify(article: Article, taxonomy: Taxonomy) -> Article:
    """Topics with score and evidence, ``relevance``/``relevant`` and ``tone`` (critical or neutral)."""
    title, body = _texts(article)
    references = sum(1 for e in article.entities if e.label == "PROCURATORATE" and "检察" not in e.text)
    relevance = relevance_of(title, body, taxonomy, references)
    probabilities = taxonomy.model.probabilities(title, body) if taxonomy.model else {}
    if RELEVANT in probabilities and "model_weight" in taxonomy.relevance:
        share = float(taxonomy.relevance["model_weight"])
        relevance = blend(relevance, share, probabilities[RELEVANT])
    relevant = relevance >= float(taxonomy.relevance.get("cutoff", 0.5))
    topics: list[TopicScore] = []
    tone = "neutral"
    if relevant:
        runs = None
        if taxonomy.model and taxonomy.sentence_share > 0:
            runs = taxonomy.model.best_runs(title, body, taxonomy.sentence_window)
        topics = _topics(title, body, taxonomy, probabilities, runs)
        tone = tone_of(title, body, taxonomy, probabilities.get(CRITICAL))
    topics.sort(key=lambda t: -t.score)
    return article.model_copy(
        update={
            "topics": topics,
            "relevance": round(relevance, 3),
            "relevant": relevant,
            "tone": tone,
            "steps": [*article.steps, "topics"],
        }
    )
