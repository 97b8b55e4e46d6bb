"""What the dashboard and the trends page count, through the search interface only (so both
backends give the same numbers): coverage of a period against the one before, the top values of a
facet, and coverage of every Shanxi city and county of config/gazetteer.yaml, silent ones included.

"Coverage" is the monitoring query: articles the processors judged to be about procuratorate work
(``relevant``) that mention 检察 (in either script), unless a person states another query.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from indexer import SearchBackend, SearchQuery
from indexer.base import FacetBucket
from indexer.outlets import merge_outlet_facets
from pipeline.china_time import day_range
from pipeline.settings import CONFIG_DIR

MONITORING_QUERY = "检察"
GAZETTEER_FILE = CONFIG_DIR / "gazetteer.yaml"
PROVINCE = "山西省"


def monitoring_query(first: date | None = None, last: date | None = None, **filters: object) -> SearchQuery:
    start, end = day_range(first, last)
    fields: dict[str, object] = {"relevant": True, **filters}
    return SearchQuery(MONITORING_QUERY, date_from=start, date_to=end, size=1, **fields)  # type: ignore[arg-type]


def within(query: SearchQuery, first: date, last: date) -> SearchQuery:
    """The query limited to the calendar days first..last (China time)."""
    start, end = day_range(first, last)
    return replace(query, date_from=start, date_to=end, page=1, cursor=None)


class PeriodCount(BaseModel):
    """Articles and stories of a period and of the period of the same length just before it."""

    label: str
    first: date
    last: date
    articles: int
    stories: int
    previous_articles: int
    previous_stories: int
    change_percent: float | None  # stories against the previous period; None when it had none


def period_count(
    backend: SearchBackend, query: SearchQuery, label: str, first: date, last: date
) -> PeriodCount:
    days = (last - first).days + 1
    now = backend.search(replace(within(query, first, last), size=1, facets=False, histogram=None))
    before_last = first - timedelta(days=1)
    before_first = before_last - timedelta(days=days - 1)
    then = backend.search(
        replace(within(query, before_first, before_last), size=1, facets=False, histogram=None)
    )
    change = round(100 * (now.stories - then.stories) / then.stories, 1) if then.stories else None
    return PeriodCount(label=label, first=first, last=last, articles=now.total, stories=now.stories,
                       previous_articles=then.total, previous_stories=then.stories, change_percent=change)  # fmt: skip


def top_values(backend: SearchBackend, query: SearchQuery, size: int = 10) -> dict[str, list[FacetBucket]]:
    """Every facet's biggest values (outlets merged across scripts and decorations)."""
    page = backend.search(replace(query, size=1, facets=True, facet_size=size, histogram=None))
    return merge_outlet_facets(page.facets)


class Unit(BaseModel):
    """A city or county-level unit of Shanxi and the articles about it."""

    name: str
    code: str
    articles: int
    counties: list[Unit] = []

    @property
    def silent(self) -> bool:
        return self.articles == 0


@lru_cache(maxsize=4)
def _shanxi(path: Path) -> list[tuple[str, str, list[tuple[str, str]]]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        (city["name"], str(city["code"]), [(name, str(code)) for code, name in city.get("counties", [])])
        for city in data.get("shanxi", [])
    ]


def shanxi_coverage(backend: SearchBackend, query: SearchQuery, path: Path = GAZETTEER_FILE) -> list[Unit]:
    """Every city and county of the gazetteer with its article count, in gazetteer order.

    One facet request: the processors tag an article with every level of its place (山西省, 临汾市,
    洪洞县), so the region facet counts cities and counties at once. A county name used in two
    cities (城区 in 阳泉 and 晋城) is one region value: both rows show its total.
    """
    regions = top_values(backend, replace(query, region=PROVINCE), size=500).get("region", [])
    counts = {b.value: b.count for b in regions}
    return [
        Unit(
            name=city,
            code=code,
            articles=counts.get(city, 0),
            counties=[Unit(name=n, code=c, articles=counts.get(n, 0)) for n, c in counties],
        )
        for city, code, counties in _shanxi(path)
    ]
