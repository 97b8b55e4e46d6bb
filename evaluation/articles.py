"""A small corpus of articles shared by the search tests and the judged query set (traditional and
simplified script)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.model import Article, TopicScore


def _at(month: int, day: int) -> datetime:
    return datetime(2024, month, day, 8, 30, tzinfo=UTC)


# Traditional script throughout, no simplified fields (the backend converts).
SPP = Article.new(
    "https://www.spp.gov.cn/xwfb/2024/0501.html",
    title="最高檢發佈國家司法救助典型案例",
    body="檢察機關開展國家司法救助工作，幫助困難群眾渡過難關。",
    site="spp",
    source="检察日报",
    published_at=_at(5, 1),
)
# Simplified script, with the processors' simplified fields filled in.
SHANXI = Article.new(
    "https://www.sxdaily.com.cn/2024/0601/gongyi.html",
    title="山西检察机关开展公益诉讼专项监督",
    body="太原市人民检察院办理了一批公益诉讼案件。\n今年以来立案3578件。",
    title_simplified="山西检察机关开展公益诉讼专项监督",
    body_simplified="太原市人民检察院办理了一批公益诉讼案件。\n今年以来立案3578件。",
    site="shanxi",
    source="山西日报",
    published_at=_at(6, 1),
)
COUNTY = Article.new(
    "https://www.county.gov.cn/news/0301.html",
    title="县检察院召开党组会议",
    body="会议研究了司法救助资金发放工作。",
    site="shanxi",
    source="县融媒体中心",
    published_at=_at(3, 1),
)
ENGLISH = Article.new(
    "https://english.spp.gov.cn/hotline.html",
    title="Procuratorate opens a HOTLINE for the public",
    body="The 12309 hotline of the procuratorate <b>serves</b> people & firms.",
    site="spp-en",
    source="SPP",
    published_at=None,
)

CORPUS = [SPP, SHANXI, COUNTY, ENGLISH]


# Enriched articles (as the NLP and reprint processors will emit them): one story in three
# copies, two articles about minors, one unrelated story.
def _enriched(url: str, **fields: object) -> Article:
    return Article.new(url, **fields)


_FENHE_BODY = (
    "洪洞县人民检察院在履行公益诉讼检察职责中发现汾河部分河道存在违规堆放垃圾问题，依法发出检察建议。"
)
_FENHE = {
    "title": "洪洞县检察院以公益诉讼守护汾河生态",
    "body": _FENHE_BODY,
    "regions": ["山西省", "临汾市", "洪洞县"],
    "procuratorates": ["洪洞县人民检察院"],
    "topics": [TopicScore(id="public_interest", label="公益诉讼", score=0.9)],
    "tone": "neutral",
    "relevance": 0.9,
    "relevant": True,
    "story_id": "story-fenhe",
}
FENHE_SPP = _enriched("https://www.spp.gov.cn/dfjcdt/fenhe.html", site="spp", source="检察日报",
                      published_at=_at(6, 3), **_FENHE)  # fmt: skip
FENHE_SXRB = _enriched("https://www.sxrb.com/fenhe.html", site="sxrb", source="检察日报",
                       published_at=_at(6, 4), **_FENHE)  # fmt: skip
FENHE_LINFEN = _enriched("https://www.linfen.cn/fenhe.html", site="linfen", source="临汾新闻网",
                         published_at=_at(6, 10), **_FENHE)  # fmt: skip
MINORS_TRAFFIC = _enriched(
    "https://www.linfen.cn/minors-traffic.html",
    title="尧都区检察院开展未成年人交通安全宣传",
    body="检察官走进校园，为未成年人讲解交通安全知识。",
    site="linfen",
    source="临汾新闻网",
    regions=["山西省", "临汾市", "尧都区"],
    procuratorates=["尧都区人民检察院"],
    topics=[TopicScore(id="minors", label="未成年人检察", score=0.8)],
    tone="neutral",
    relevance=0.8,
    relevant=True,
    published_at=_at(7, 1),
)
MINORS_CRITICAL = _enriched(
    "https://www.sxrb.com/minors-critical.html",
    title="网民质疑某县检察院未成年人保护工作不力",
    body="有网民反映，某县检察院对未成年人被侵害案件跟进迟缓。",
    site="sxrb",
    source="山西日报",
    regions=["山西省"],
    topics=[TopicScore(id="minors", label="未成年人检察", score=0.7)],
    tone="critical",
    relevance=0.6,
    relevant=True,
    published_at=_at(7, 15),
)
UNRELATED = _enriched(
    "https://www.sxrb.com/culture.html",
    title="黄河文化旅游节在临汾开幕",
    body="黄河文化旅游节吸引游客数万人，汾河两岸灯火辉煌。",
    site="sxrb",
    source="山西日报",
    regions=["山西省", "临汾市"],
    tone="neutral",
    relevance=0.05,
    relevant=False,
    published_at=_at(6, 20),
)
FENHE_COPIES = [FENHE_SPP, FENHE_SXRB, FENHE_LINFEN]
ENRICHED = [*FENHE_COPIES, MINORS_TRAFFIC, MINORS_CRITICAL, UNRELATED]
