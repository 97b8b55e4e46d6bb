"""What the search page shows around the hits, as plain data for the template: each hit with its
story (转载 N, outlets, the original among its copies), the facet sidebar as links that add a
filter, the active filters as links that remove one, and the date histogram as bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from indexer import SearchHit, SearchPage, SearchQuery
from indexer.base import MAX_RESULT_WINDOW, FacetBucket, HistogramBucket, Interval, StoryCopy
from indexer.document import bucket_start, fill_histogram
from indexer.outlets import canonical_outlet
from pipeline.stories import choose_original, outlet_of
from webapp.params import china_time, page_url, safe_href, search_url

FACET_LABELS = {
    "tone": "倾向",
    "source": "来源",
    "topic": "主题",
    "procuratorate": "检察院",
    "region": "地区",
    "site": "网站",
}
TONE_LABELS = {"critical": "批评报道", "neutral": "一般报道"}
PRESET_LABELS = {"today": "今天", "7d": "近7天", "30d": "近30天"}
INTERVAL_LABELS: dict[Interval, str] = {"day": "按日", "week": "按周", "month": "按月"}
# Filters the page keeps when the query box is submitted again (hidden fields of the form).
KEPT_PARAMS = ("site", "source", "region", "procuratorate", "topic", "tone", "relevant", "min_relevance",
               "preset", "from", "to", "sort", "size", "stories", "all_copies", "histogram")  # fmt: skip
# Day buckets beyond which the automatic histogram shows weeks, then months: a bar stays wide
# enough to point at in a ~40 rem column.
_MAX_DAY_BARS = 62
_MAX_WEEK_BARS = 60


def story_url(story_id: str) -> str:
    return "/stories/" + quote(story_id, safe="")


def original_of(copies: list[StoryCopy]) -> StoryCopy:
    """The original among copies found in the index: pipeline/stories.py's rule (the copy from the
    outlet named in 来源, else the earliest), outlets being sites, else hosts."""
    return choose_original(
        copies,
        outlet=lambda c: outlet_of(c.site, c.url),
        source=lambda c: c.source,
        when=lambda c: c.published_at,
        tiebreak=lambda c: c.article_id,
    )


def display_hit(hit: SearchHit) -> dict[str, Any]:
    """A hit as the template shows it: safe link, China time, its story and, when the copies are
    listed (all_copies), each copy with the original marked."""
    shown: dict[str, Any] = {
        **hit.model_dump(),
        "href": safe_href(hit.url),
        "published": china_time(hit.published_at),
        "story_url": story_url(hit.story_id),
        "reprints": max(hit.copies - 1, 0),
        "critical": hit.tone == "critical",
        "original": None,
        "copy_rows": [],
    }
    if hit.copy_list:
        original = original_of(hit.copy_list)
        shown["original"] = outlet_of(original.site, original.url)
        shown["copy_rows"] = [
            {
                "outlet": outlet_of(c.site, c.url),
                "title": c.title,
                "href": safe_href(c.url),
                "source": c.source,
                "published": china_time(c.published_at),
                "original": c.article_id == original.article_id,
            }
            for c in hit.copy_list
        ]
    return shown


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    selected: bool


def facet_label(name: str, bucket: FacetBucket) -> str:
    if name == "tone":
        return TONE_LABELS.get(bucket.value, bucket.value)
    return bucket.label or bucket.value


def sidebar(
    params: Mapping[str, str], facets: Mapping[str, list[FacetBucket]]
) -> list[tuple[str, str, list[FacetLink]]]:
    """(name, Chinese heading, links) per facet with buckets. A link adds its value as a filter;
    the selected value's link removes it again."""
    sections = []
    for name, heading in FACET_LABELS.items():
        links = []
        current = params.get(name, "").strip()
        if current and name in ("source", "site"):
            current = canonical_outlet(current)
        for bucket in facets.get(name, []):
            selected = bool(current) and current in (bucket.value, bucket.label)
            url = search_url(params, **{name: None if selected else bucket.value})
            links.append(FacetLink(facet_label(name, bucket), bucket.count, url, selected))
        if links:
            sections.append((name, heading, links))
    return sections


def critical_count(facets: Mapping[str, list[FacetBucket]]) -> int:
    return next((b.count for b in facets.get("tone", []) if b.value == "critical"), 0)


def active_filters(
    params: Mapping[str, str], facets: Mapping[str, list[FacetBucket]]
) -> list[tuple[str, str, str]]:
    """(heading, value, URL without it) for every filter in force, so each can be undone."""
    chips = []
    for name, heading in FACET_LABELS.items():
        value = params.get(name, "").strip()
        if value:
            shown = next(
                (facet_label(name, b) for b in facets.get(name, []) if value in (b.value, b.label)), None
            )
            if shown is None and name == "tone":
                shown = TONE_LABELS.get(value, value)
            chips.append((heading, shown or value, search_url(params, **{name: None})))
    day_from, day_to = params.get("from", "").strip(), params.get("to", "").strip()
    preset = params.get("preset", "").strip()
    if preset in PRESET_LABELS:
        chips.append(("日期", PRESET_LABELS[preset], search_url(params, preset=None)))
    elif day_from or day_to:
        span = f"{day_from or '最早'} 至 {day_to or '今天'}"
        chips.append(("日期", span, search_url(params, **{"from": None, "to": None})))
    return chips


def auto_interval(day_buckets: list[HistogramBucket]) -> Interval:
    """Days for up to two months of results, weeks for a year or so, months beyond."""
    if len(day_buckets) <= _MAX_DAY_BARS:
        return "day"
    return "week" if len(day_buckets) <= _MAX_WEEK_BARS * 7 else "month"


def rebucket(day_buckets: Iterable[HistogramBucket], interval: Interval) -> list[HistogramBucket]:
    """Day buckets summed into weeks (from Monday) or months, empty ones included."""
    counts: dict[str, int] = {}
    for bucket in day_buckets:
        key = bucket_start(date.fromisoformat(bucket.key), interval).isoformat()
        counts[key] = counts.get(key, 0) + bucket.count
    return fill_histogram(counts.items(), interval)


@dataclass(frozen=True)
class Bar:
    key: str
    title: str
    count: int
    height: int  # per cent of the tallest bar
    url: str  # the search narrowed to this bar's days


def _last_day(start: date, interval: Interval) -> date:
    if interval == "day":
        return start
    if interval == "week":
        return start + timedelta(days=6)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def histogram_bars(
    params: Mapping[str, str], buckets: list[HistogramBucket], interval: Interval
) -> list[Bar]:
    tallest = max((b.count for b in buckets), default=0) or 1
    bars = []
    for bucket in buckets:
        start = date.fromisoformat(bucket.key)
        end = _last_day(start, interval)
        period = bucket.key if start == end else f"{bucket.key} 至 {end.isoformat()}"
        # A non-empty bar is at least 2 % high, so it can be seen and clicked.
        height = max(2, round(100 * bucket.count / tallest)) if bucket.count else 0
        url = search_url(params, **{"from": bucket.key, "to": end.isoformat()})
        bars.append(Bar(bucket.key, f"{period}：{bucket.count} 篇", bucket.count, height, url))
    return bars


def page_context(
    params: Mapping[str, str], query: SearchQuery, page: SearchPage, interval: Interval | None
) -> dict[str, Any]:
    """The template's view of one page of results. ``interval`` is the one the person chose;
    None means the page asked for days and picks days, weeks or months by the span found."""
    buckets = page.histogram
    if interval is None:
        interval = auto_interval(buckets)
        buckets = rebucket(buckets, interval) if interval != "day" else buckets
    counted = page.stories if query.collapse_stories else page.total
    last_page = max(1, min(-(-counted // query.size), MAX_RESULT_WINDOW // query.size))
    return {
        "total": page.total,
        "stories": page.stories,
        "collapsed": query.collapse_stories,
        "hits": [display_hit(h) for h in page.hits],
        "sidebar": sidebar(params, page.facets),
        "filters": active_filters(params, page.facets),
        "critical": critical_count(page.facets),
        "critical_url": search_url(params, tone=None if params.get("tone") == "critical" else "critical"),
        "bars": histogram_bars(params, buckets, interval),
        "interval": interval,
        "interval_links": [
            (label, search_url(params, histogram=i), i == interval) for i, label in INTERVAL_LABELS.items()
        ],
        "sort_links": [
            ("相关度", search_url(params, sort=None), query.sort == "relevance"),
            ("发布时间", search_url(params, sort="date"), query.sort == "date"),
        ],
        "copies_url": search_url(params, all_copies=None if query.all_copies else "1"),
        "preset_links": [
            *(
                (
                    label,
                    search_url(params, preset=key, **{"from": None, "to": None}),
                    params.get("preset") == key,
                )
                for key, label in PRESET_LABELS.items()
            ),
            (
                "不限",
                search_url(params, preset=None, **{"from": None, "to": None}),
                not (params.get("preset") or params.get("from") or params.get("to")),
            ),
        ],
        "export_query": urlencode(
            {k: v for k, v in params.items() if v and k not in ("page", "cursor", "size")}
        ),
        "all_copies": query.all_copies,
        "page": query.page,
        "last_page": last_page,
        "prev_url": page_url(params, query.page - 1) if query.page > 1 else None,
        "next_url": page_url(params, query.page + 1) if query.page < last_page else None,
    }
