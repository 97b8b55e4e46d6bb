"""Topic step of the ``topics`` stage: work areas (multi-label, with score and evidence), relevance and tone.

The taxonomy and every cue live in ``config/topics.yaml``; this module only counts and scores.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.model import Article, TopicScore
from pipeline.settings import CONFIG_DIR

TOPICS_FILE = CONFIG_DIR / "topics.yaml"
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


@dataclass
class Taxonomy:
    topics: list[Topic]
    threshold: float = 0.5
    scale: float = 2.0
    title_weight: float = 2.0
    max_count: int = 3
    relevance: dict[str, Any] = field(default_factory=dict)
    relevance_cues: tuple[Cue, ...] = ()
    competing_cues: tuple[Cue, ...] = ()
    tone: dict[str, Any] = field(default_factory=dict)
    tone_cues: tuple[Cue, ...] = ()
    # Every plain cue of every topic, longest first: a text position counts for one cue only, so
    # 附条件不起诉 (juvenile) is not also 不起诉 (criminal), nor 提起公诉 also 公诉.
    plain: re.Pattern[str] = re.compile("(?!)")


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
        Topic(t["id"], t["label"], t.get("description", ""), _cues(t["cues"]), tuple(t.get("near", ())))
        for t in data["topics"]
    ]
    ids = [t.id for t in topics]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate topic ids")
    relevance, tone = data["relevance"], data["tone"]
    return Taxonomy(
        topics=topics,
        threshold=float(data.get("threshold", 0.5)),
        scale=float(data.get("scale", 2.0)),
        title_weight=float(data.get("title_weight", 2)),
        max_count=int(data.get("max_count", 3)),
        relevance=relevance,
        relevance_cues=_cues(relevance["procuratorate"]),
        competing_cues=_cues(relevance["competing"]),
        tone=tone,
        tone_cues=_cues(tone["cues"]),
        plain=_longest_first(c.text for t in topics for c in t.cues if not c.text.startswith("re:")),
    )


def _longest_first(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) or "(?!)")


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
    plain: re.Pattern[str] | None = None,
    counted: tuple[Counter[str], Counter[str]] | None = None,
) -> tuple[float, list[str]]:
    """Weighted count of the cues (title counts ``title_weight`` times) and the cues that were found.

    With ``plain``, plain cues are counted by that longest-first pattern (one cue per position);
    ``counted`` are those counts for the whole title and body, computed once per article.
    """
    title, body = _near(title, body, near)
    if counted is not None and not near:
        in_title, in_body = counted
    else:
        in_body = Counter(m.group() for m in plain.finditer(body)) if plain else Counter()
        in_title = Counter(m.group() for m in plain.finditer(title)) if plain else Counter()
    total, evidence = 0.0, []
    limit = cap if cap is not None else tax.max_count
    for cue in cues:
        if plain is not None and not cue.text.startswith("re:"):
            body_hits, title_hits = in_body[cue.text], in_title[cue.text]
        else:
            body_hits, title_hits = len(cue.pattern.findall(body)), len(cue.pattern.findall(title))
        hits = min(body_hits, limit) + tax.title_weight * title_hits
        if hits:
            total += cue.weight * hits
            evidence.append(cue.text)
    return total, evidence


def relevance_of(title: str, body: str, tax: Taxonomy, references: int = 0) -> float:
    """``references``: mentions of a procuratorate without the word 检察 (该院, 最高检), from the entities."""
    cfg = tax.relevance
    cap = int(cfg.get("cap", 15))
    proc, _ = count_cues(tax.relevance_cues, title, body, tax, cap=cap)
    proc += min(references, cap)
    competing, _ = count_cues(tax.competing_cues, title, body, tax, cap=cap)
    return proc / (proc + competing + float(cfg.get("bias", 2.0)))


def classify(article: Article, taxonomy: Taxonomy) -> Article:
    """Topics with score and evidence, ``relevance``/``relevant`` and ``tone`` (critical or neutral)."""
    title, body = _texts(article)
    references = sum(1 for e in article.entities if e.label == "PROCURATORATE" and "检察" not in e.text)
    relevance = relevance_of(title, body, taxonomy, references)
    relevant = relevance >= float(taxonomy.relevance.get("cutoff", 0.5))
    topics: list[TopicScore] = []
    tone = "neutral"
    if relevant:
        counted = (
            Counter(m.group() for m in taxonomy.plain.finditer(title)),
            Counter(m.group() for m in taxonomy.plain.finditer(body)),
        )
        for topic in taxonomy.topics:
            raw, evidence = count_cues(
                topic.cues, title, body, taxonomy, topic.near, plain=taxonomy.plain, counted=counted
            )
            score = 1 - math.exp(-raw / taxonomy.scale)
            if score >= taxonomy.threshold:
                topics.append(
                    TopicScore(id=topic.id, label=topic.label, score=round(score, 3), evidence=evidence)
                )
        near = tuple(taxonomy.tone.get("near", ()))
        critical, _ = count_cues(taxonomy.tone_cues, title, body, taxonomy, near)
        if critical >= float(taxonomy.tone.get("threshold", 1.5)):
            tone = "critical"
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


def cue_words(taxonomy: Taxonomy) -> list[str]:
    """The taxonomy's plain cue phrases, for the segmenter to keep whole (公益诉讼, 司法救助)."""
    return [
        c.text for t in taxonomy.topics for c in t.cues if not c.text.startswith("re:") and len(c.text) >= 2
    ]
