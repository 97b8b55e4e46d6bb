"""A small corpus of articles shared by the search tests (traditional and simplified script)."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.model import Article


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
