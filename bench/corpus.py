"""Generated news articles for the benchmarks: realistic Chinese procuratorate news (and unrelated
local news) assembled from sentence templates, enriched as the processors will enrich them, with
about one story in ten reprinted by several outlets. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from pipeline.model import Article, TopicScore
from pipeline.segmenter import shared_segmenter

COUNTIES = ["洪洞县", "尧都区", "曲沃县", "翼城县", "襄汾县", "古县", "安泽县", "浮山县", "吉县", "乡宁县",
            "大宁县", "隰县", "永和县", "蒲县", "汾西县", "侯马市", "霍州市", "小店区", "迎泽区", "杏花岭区",
            "清徐县", "阳曲县", "娄烦县", "古交市", "平遥县", "介休市", "灵石县", "孝义市", "汾阳市", "文水县"]  # fmt: skip
CITIES = {c: ("临汾市" if i < 17 else "太原市" if i < 24 else "晋中市" if i < 27 else "吕梁市")
          for i, c in enumerate(COUNTIES)}  # fmt: skip
TOPICS = [
    (
        "public_interest",
        "公益诉讼",
        ["公益诉讼", "检察建议", "生态环境", "汾河", "黄河", "食品安全", "国有财产"],
    ),
    ("judicial_aid", "司法救助", ["司法救助", "救助金", "困难群众", "被害人", "乡村振兴"]),
    ("minors", "未成年人检察", ["未成年人", "校园", "法治副校长", "交通安全", "家庭教育指导"]),
    ("criminal", "刑事检察", ["审查起诉", "认罪认罚", "电信诈骗", "提起公诉", "批准逮捕"]),
    ("civil", "民事检察", ["民事支持起诉", "农民工", "欠薪", "虚假诉讼"]),
    ("hearing", "检察听证", ["检察听证", "公开听证", "人民监督员", "听证员"]),
]
SOURCES = [
    "检察日报",
    "山西日报",
    "临汾新闻网",
    "太原日报",
    "山西法制报",
    "黄河新闻网",
    "正义网",
    "县融媒体中心",
]
SITES = ["spp", "sxrb", "linfen", "taiyuan", "sxfzb", "sxgov", "jcrb", "county"]
TEMPLATES = [
    "近日，{proc}{kw1}工作取得新进展，共办理相关案件{n}件。",
    "{proc}检察官深入{county}各乡镇，围绕{kw1}和{kw2}开展调研走访。",
    "据了解，今年以来{proc}立案{n}件，发出{kw2}相关建议{m}份，均得到回复整改。",
    "在{kw1}工作中，{proc}坚持能动履职，推动解决群众急难愁盼问题。",
    "{county}检察机关将持续深化{kw1}，以高质量检察履职服务保障{city}经济社会发展。",
    "“{kw2}事关群众切身利益，我们必须办好每一件案子。”承办检察官说。",
]
OTHER = [
    "{county}举办第{n}届乡村文化旅游节，吸引游客{m}万人次。",
    "{city}今年粮食产量预计达到{n}万吨，农业生产形势稳定向好。",
    "{county}新建{n}所幼儿园，新增学位{m}个，缓解入园难问题。",
    "{city}气象台发布大风蓝色预警，提醒市民注意出行安全。",
    "{county}召开招商引资推介会，签约项目{n}个，总投资{m}亿元。",
]


def _article(rng: random.Random, n: int, when: datetime) -> Article:
    county = rng.choice(COUNTIES)
    city = CITIES[county]
    proc = f"{county}人民检察院"
    slot = rng.randrange(len(SITES))
    if rng.random() < 0.25:  # unrelated local news, as spiders also collect it
        sentences = [rng.choice(OTHER).format(county=county, city=city, n=rng.randint(2, 99),
                                              m=rng.randint(100, 9999)) for _ in range(rng.randint(5, 10))]  # fmt: skip
        return Article.new(
            f"https://news{slot}.example.cn/{n}.html",
            title=sentences[0].rstrip("。")[:30], body="\n".join(sentences), site=SITES[slot],
            source=SOURCES[slot], published_at=when, regions=["山西省", city, county],
            relevance=round(rng.random() * 0.2, 2), relevant=False, tone="neutral",
        )  # fmt: skip
    topic_id, label, words = rng.choice(TOPICS)
    sentences = [rng.choice(TEMPLATES).format(proc=proc, county=county, city=city, kw1=rng.choice(words),
                                               kw2=rng.choice(words), n=rng.randint(2, 999), m=rng.randint(1, 99))
                 for _ in range(rng.randint(8, 16))]  # fmt: skip
    short = proc.replace("人民检察院", "检察院")
    return Article.new(
        f"https://news{slot}.example.cn/{n}.html",
        title=f"{short}{rng.choice(['扎实开展', '积极推进', '深入推进', '创新开展'])}{rng.choice(words)}工作",
        body="\n".join(sentences),
        site=SITES[slot],
        source=SOURCES[slot],
        published_at=when,
        regions=["山西省", city, county],
        procuratorates=[proc],
        topics=[TopicScore(id=topic_id, label=label, score=round(0.5 + rng.random() / 2, 2))],
        relevance=round(0.6 + rng.random() * 0.4, 2),
        relevant=True,
        tone="critical" if rng.random() < 0.05 else "neutral",
    )


def generate(count: int, seed: int = 5) -> Iterator[Article]:
    """``count`` articles over 2023-2024; about 10 % of stories get 2-5 reprints on other sites.
    The text is simplified already and carried in the ``*_simplified`` fields too, as the
    normalise processor emits it to the indexer, with the word fields the entity stage adds
    (``title_words``/``body_words``, see words)."""
    for article in _generate(count, seed):
        yield article.model_copy(
            update={
                "title_simplified": article.title,
                "body_simplified": article.body,
                "title_words": words(article.title),
                "body_words": words(article.body),
                "steps": ["normalise", "entities"],
            }
        )


_NUMBER = re.compile(r"(\d+)")
_PUNCT = re.compile(r"^[\W_]+$")


def words(text: str) -> str:
    """The text as the entity stage segments it (the shared segmenter's words, lower-cased, punctuation left out),
    cheaply: the generated sentences differ mostly in their figures, so the text between figures
    is segmented once and remembered (jieba splits figures off anyway). Segmenting 100 000
    articles whole would take minutes."""
    out: list[str] = []
    for line in text.splitlines():
        for piece in _NUMBER.split(line):
            out.extend([piece] if piece.isdigit() else _segment(piece))
    return " ".join(out)


@lru_cache(maxsize=100_000)
def _segment(piece: str) -> tuple[str, ...]:
    tokens = (t.strip().lower() for t in shared_segmenter().cut(piece))
    return tuple(t for t in tokens if t and not _PUNCT.match(t))


def _generate(count: int, seed: int) -> Iterator[Article]:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    n = 0
    while n < count:
        when = start + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        original = _article(rng, n, when)
        n += 1
        if rng.random() >= 0.1:
            yield original
        else:
            story = f"story-{original.article_id[:12]}"
            yield original.model_copy(update={"story_id": story})
            for copy in range(rng.randint(1, 4)):
                if n >= count:
                    break
                site = rng.randrange(len(SITES))
                url = f"https://news{site}.example.cn/reprint/{n}.html"
                yield Article.new(url, **{**original.model_dump(exclude={"article_id", "url", "content_hash"}),
                                          "site": SITES[site], "story_id": story,
                                          "published_at": when + timedelta(hours=copy + 1)})  # fmt: skip
                n += 1
