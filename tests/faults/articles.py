"""Generated articles for the fault tests: distinct bodies, with every tenth story printed twice
(a reprint on another site), so story ids can be checked after a fault as well as the ids."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pipeline.model import Article

# Common characters of procuratorate news: random paragraphs of them are distinct enough that no
# two generated stories look like reprints of each other, and the NLP steps find words and topics.
POOL = (
    "检察院人民法院公安机关依法办理案件起诉审查逮捕公益诉讼司法救助未成年人保护监督生态环境"
    "食品药品安全行政执法刑事执行民事检察听证会议工作报告群众企业单位部门领导干部党组书记"
    "开展专项行动推进落实提升能力加强队伍建设服务大局保障发展维护稳定促进和谐社会治理现代化"
    "市县区乡镇村街道社区农民工工资拖欠追讨帮助困难家庭老人儿童妇女残疾退役军人权益"
)
PLACES = ("临汾市", "大同市", "太原市", "运城市", "晋中市", "长治市", "忻州市", "吕梁市")
COPY_EVERY = 10  # stories 0, 10, 20 … are also published by a second site


@dataclass(frozen=True)
class Published:
    """What a fault test published: the articles, and which of them are copies of one story."""

    articles: list[Article]
    pairs: list[tuple[str, str]]  # (original id, reprint id)

    @property
    def ids(self) -> set[str]:
        return {a.article_id for a in self.articles}


def _paragraph(rng: random.Random, chars: int) -> str:
    return "".join(rng.choice(POOL) for _ in range(chars)) + "。"


def generate(count: int, tag: str, seed: int = 15) -> Published:
    """``count`` articles (``tag`` in their URLs keeps runs apart); about a tenth are reprints."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    articles: list[Article] = []
    pairs: list[tuple[str, str]] = []
    story = 0
    while len(articles) < count:
        place = PLACES[story % len(PLACES)]
        title = f"{place}检察院通报第{story}号工作情况"
        body = "\n".join(_paragraph(rng, 90) for _ in range(4))
        when = start + timedelta(minutes=story)
        first = Article.new(
            f"https://news.example.cn/{tag}/{story}.html",
            site="生成新闻网",
            title=title,
            body=body,
            source="生成新闻网",
            published_at=when,
        )
        articles.append(first)
        if story % COPY_EVERY == 0 and len(articles) < count:
            copy = Article.new(
                f"https://paper.example.cn/{tag}/{story}.shtml",
                site="生成日报",
                title=title,
                body=body,
                source="生成新闻网",
                published_at=when + timedelta(hours=2),
            )
            articles.append(copy)
            pairs.append((first.article_id, copy.article_id))
        story += 1
    return Published(articles, pairs)
