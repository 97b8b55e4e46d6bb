"""The judged query set: Chinese queries over the bundled demo articles and the test articles, each
with graded judgments (2 = about exactly this, 1 = partly), and precision@5 / nDCG@10 of a backend.

Judgments name articles by key ("linfen/1101" for a demo story, a test article's name) and are
made by reading the articles, not by looking at any engine's results. Results are judged per
story (the search collapses reprints), so the three copies of the Fenhe story count once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from crawler.demo.articles import LINFEN, SXRB
from evaluation import articles as test_articles
from indexer.base import SearchBackend, SearchQuery
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise

_CST = timezone(timedelta(hours=8))

JUDGED: dict[str, dict[str, int]] = {
    "司法救助": {"linfen/1101": 2, "sxrb/2205": 2, "SPP": 2, "COUNTY": 1, "sxrb/2204": 1},
    "公益诉讼 黄河": {"sxrb/2203": 2},
    "洪洞县检察院": {"linfen/1102": 2, "FENHE": 2},
    '"检察听证"': {"sxrb/2201": 2, "linfen/1101": 1, "linfen/1103": 1},
    "未成年人 -交通": {
        "linfen/1104": 2,
        "sxrb/2204": 2,
        "sxrb/2207": 2,
        "MINORS_CRITICAL": 2,
        "linfen/1108": 1,
    },
    "公益诉讼": {"linfen/1102": 2, "linfen/1107": 2, "sxrb/2203": 2, "FENHE": 2, "SHANXI": 2, "sxrb/2201": 1},
    "检察建议": {"linfen/1102": 2, "linfen/1107": 2, "FENHE": 1, "sxrb/2207": 1, "sxrb/2202": 1},
    "农民工 欠薪": {"linfen/1106": 2},
    "支持起诉": {"linfen/1106": 2},
    "提起公诉": {"linfen/1105": 2, "sxrb/2202": 2},
    "黑社会 OR 恶势力": {"linfen/1105": 2, "sxrb/2202": 2},
    "饮用水": {"linfen/1107": 2},
    "汾河 生态": {"linfen/1102": 2, "FENHE": 2},
    "黄河流域": {"sxrb/2203": 2},
    "“法治进校园”": {"linfen/1104": 2},
    "校园 未成年人": {"linfen/1104": 2, "MINORS_TRAFFIC": 2, "sxrb/2207": 1},
    "检察开放日": {"linfen/1108": 2},
    "12309": {"ENGLISH": 2, "linfen/1108": 1},
    "hotline": {"ENGLISH": 2},
    "詐騙": {"sxrb/2206": 2, "linfen/1104": 1},
    "國家司法救助": {"SPP": 2},
    "「一站式」": {"sxrb/2204": 2},
    "检察官进社区": {"sxrb/2206": 2},
    "信访 听证": {"linfen/1103": 2},
    "太原 检察": {"sxrb/2206": 2, "SHANXI": 2},
    "山西 检察机关": {"SHANXI": 2, "sxrb/2201": 1},
    "困境儿童": {"sxrb/2205": 2},
    "长治 未成年人": {"sxrb/2204": 2},
    "吕梁 检察": {"sxrb/2207": 2},
    "暴雨 预警": {"linfen/1190": 2},
    "公益诉讼 (黄河 OR 汾河)": {"sxrb/2203": 2, "linfen/1102": 2, "FENHE": 2},
    "司法救助 -未成年人": {"linfen/1101": 2, "SPP": 2, "COUNTY": 1},
}


def corpus(words: bool = True) -> dict[str, Article]:
    """Key -> article: the demo stories (as the crawler would extract them) and the test articles;
    with ``words``, carrying the word segmentation the entity stage adds (``title_words``,
    ``body_words``: see _segmented), else as an event from before that field.
    """
    articles = _raw_corpus()
    if not words:
        return articles
    segmented = _segmented()
    return {key: article.model_copy(update=segmented[key]) for key, article in articles.items()}


@lru_cache(maxsize=1)
def _segmented() -> dict[str, dict[str, str | None]]:
    """Key -> the word fields the real entity step (normalise → tag_entities, loaded once) gives
    the article; only those are kept, so the text the backends match is the same with or without
    them."""
    resources = load_entity_resources(Settings())
    converter = load_converter()
    fields: dict[str, dict[str, str | None]] = {}
    for key, article in _raw_corpus().items():
        tagged = tag_entities(normalise(article, converter), resources)
        fields[key] = {"title_words": tagged.title_words, "body_words": tagged.body_words}
    return fields


def _raw_corpus() -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for demo in (*LINFEN, *SXRB):
        published = datetime.fromisoformat(demo.published).replace(tzinfo=_CST) if demo.published else None
        articles[f"{demo.site}/{demo.ident}"] = Article.new(
            f"https://demo.example.cn/{demo.site}/{demo.ident}.html",
            title=demo.title, body="\n".join(demo.paragraphs), site=demo.site, source=demo.source,
            published_at=published,
        )  # fmt: skip
    for name in ("SPP", "SHANXI", "COUNTY", "ENGLISH", "MINORS_TRAFFIC", "MINORS_CRITICAL", "UNRELATED"):
        articles[name] = getattr(test_articles, name)
    articles["FENHE"] = test_articles.FENHE_SPP
    articles["FENHE/sxrb"] = test_articles.FENHE_SXRB
    articles["FENHE/linfen"] = test_articles.FENHE_LINFEN
    return articles


@dataclass(frozen=True)
class Quality:
    precision_at_5: float
    ndcg_at_10: float
    per_query: dict[str, tuple[float, float]]


def _dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def evaluate(backend: SearchBackend, articles: dict[str, Article]) -> Quality:
    """Mean precision@5 (a hit is relevant when judged ≥ 1) and nDCG@10 over the judged queries."""
    story_of = {key: a.story_id or a.article_id for key, a in articles.items()}
    per_query: dict[str, tuple[float, float]] = {}
    for text, judgments in JUDGED.items():
        grades = {story_of[key]: grade for key, grade in judgments.items()}
        hits = backend.search(SearchQuery(text, size=10)).hits
        gains = [grades.get(hit.story_id, 0) for hit in hits]
        precision = sum(1 for g in gains[:5] if g > 0) / 5
        ideal = _dcg(sorted(grades.values(), reverse=True)[:10])
        per_query[text] = (precision, _dcg(gains) / ideal if ideal else 0.0)
    count = len(per_query)
    return Quality(
        precision_at_5=sum(p for p, _ in per_query.values()) / count,
        ndcg_at_10=sum(n for _, n in per_query.values()) / count,
        per_query=per_query,
    )


def ideal_precision_at_5() -> float:
    """The best precision@5 these judgments allow (most queries have fewer than 5 relevant stories)."""
    return sum(min(5, len(j)) / 5 for j in JUDGED.values()) / len(JUDGED)
