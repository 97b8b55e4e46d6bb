"""A small enriched corpus for the dashboard, trends and export tests (and the browser journeys):
a week of coverage around "today" = 2024-06-12 (China time), in both scripts, with figures,
reprints, a critical story and a crawled article that tries to run script."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.china_time import CHINA_TZ
from pipeline.model import Article, Entity, Statistic, TopicScore

NOW = datetime(2024, 6, 12, 4, 0, tzinfo=UTC)  # 12:00 in China
PUBLIC_INTEREST = TopicScore(id="public_interest", label="公益诉讼", score=0.9, evidence=["公益诉讼"])
JUDICIAL_AID = TopicScore(id="judicial_aid", label="司法救助", score=0.8, evidence=["司法救助"])
MINORS = TopicScore(id="minors", label="未成年人检察", score=0.7, evidence=["未成年人"])


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=CHINA_TZ)


def _article(url: str, **fields: object) -> Article:
    fields.setdefault("relevant", True)
    fields.setdefault("relevance", 0.9)
    fields.setdefault("tone", "neutral")
    return Article.new(url, fetched_at=datetime(2024, 6, 12, tzinfo=UTC), **fields)  # type: ignore[arg-type]


_GYSS_BODY = "洪洞县人民检察院今年以来立案办理公益诉讼案件12件，发出检察建议8份。"
GYSS_ORIGINAL = _article(
    "https://www.sxrb.com/gyss.html", title="洪洞县检察院立案办理公益诉讼案件12件", body=_GYSS_BODY,
    site="山西日报（演示）", source="山西日报", published_at=_at(6, 11), story_id="story-gyss",
    regions=["山西省", "临汾市", "洪洞县"], procuratorates=["洪洞县人民检察院"], topics=[PUBLIC_INTEREST],
    statistics=[Statistic(text="12件", value=12, unit="件", metric="立案办理公益诉讼案件"),
                Statistic(text="8份", value=8, unit="份", metric="发出检察建议")],
    entities=[Entity(text="洪洞县人民检察院", label="PROCURATORATE", canonical="洪洞县人民检察院", start=0, end=8)],
)  # fmt: skip
GYSS_REPRINT = GYSS_ORIGINAL.model_copy(
    update={
        "url": "https://www.linfen.cn/gyss.html",
        "article_id": "b" * 32,
        "site": "临汾新闻网",
        "published_at": _at(6, 11, 15),
    }
)
TRADITIONAL = _article(
    "https://news.example.tw/jiuzhu.html", title="洪洞縣檢察院開展司法救助", site="山西日報",
    body="洪洞縣檢察院為困難群眾發放司法救助金30萬元，救助困難群眾15人。", source="山西日報",
    published_at=_at(6, 12, 8), regions=["山西省", "临汾市", "洪洞县"], procuratorates=["洪洞县人民检察院"],
    topics=[JUDICIAL_AID], authors=["王明"], editor="李華",
    statistics=[Statistic(text="15人", value=15, unit="人", metric="救助困难群众")],
    entities=[Entity(text="洪洞县检察院", label="PROCURATORATE", canonical="洪洞县人民检察院", start=0, end=6)],
)  # fmt: skip
CRITICAL = _article(
    "https://www.sxrb.com/critical.html", title="网民质疑某检察院办案拖延", site="山西日报（演示）",
    body="有网民反映，太原市小店区人民检察院对一起案件跟进迟缓。", source="山西日报", tone="critical",
    published_at=_at(6, 10), regions=["山西省", "太原市", "小店区"], procuratorates=["太原市小店区人民检察院"],
    topics=[MINORS],
)  # fmt: skip
MAY_GYSS = _article(
    "https://www.spp.gov.cn/may.html", title="临汾市检察机关公益诉讼立案30件", site="正义网", source="检察日报",
    body="临汾市检察机关5月立案办理公益诉讼案件30件。", published_at=_at(5, 20),
    regions=["山西省", "临汾市"], procuratorates=["临汾市人民检察院"], topics=[PUBLIC_INTEREST],
    statistics=[Statistic(text="30件", value=30, unit="件", metric="立案办理公益诉讼案件")],
)  # fmt: skip
HOSTILE = _article(
    "https://www.evil.example/x.html", title="检察简讯<script>document.title='pwned'</script>",
    body="检察正文<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>",
    site="evil", source="某网站", published_at=_at(6, 9), regions=["山西省"],
)  # fmt: skip
UNRELATED = _article(
    "https://www.sxrb.com/culture.html", title="黄河文化旅游节开幕", body="旅游节吸引游客。检察", site="山西日报（演示）",
    source="山西日报", relevant=False, relevance=0.05, published_at=_at(6, 12, 7), regions=["山西省", "临汾市"],
)  # fmt: skip
CORPUS = [GYSS_ORIGINAL, GYSS_REPRINT, TRADITIONAL, CRITICAL, MAY_GYSS, HOSTILE, UNRELATED]


def many(n: int, start: datetime = NOW - timedelta(days=400)) -> list[Article]:
    """``n`` similar articles, one every couple of hours (exports of many rows)."""
    return [
        _article(
            f"https://bulk.example.cn/{i}.html",
            title=f"检察工作动态{i}",
            body=f"检察机关第{i}条动态。",
            site="bulk",
            source="检察日报",
            published_at=start + timedelta(hours=2 * i),
        )
        for i in range(n)
    ]
