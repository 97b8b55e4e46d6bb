"""The analysts' charts for any query and filters, as plain numbers (the page draws them, each has
its CSV): volume over time stacked by topic, top procuratorates / outlets / regions, Shanxi city →
county, the critical share over time, and a reported figure summed over time.

Everything is read through the search interface, so both backends give the same numbers
(tests/webapp/test_trends_contract.py).
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from pydantic import BaseModel

from indexer import SearchBackend, SearchQuery
from indexer.base import HistogramBucket, Interval
from indexer.document import bucket_start, fill_histogram
from pipeline.china_time import CHINA_TZ
from webapp.coverage import PROVINCE, shanxi_coverage, top_values

STACKED_TOPICS = 6  # topics stacked in the volume chart (the rest would be unreadable slivers)
TOP_BARS = 10
# Articles whose figures are read for the figure chart (one request each on Elasticsearch); the
# chart says when a result set was larger.
MAX_FIGURE_ARTICLES = 2_000
MAX_SCANNED = 20_000  # matches walked to find that many stories (copies of one story are skipped)


class Series(BaseModel):
    name: str
    values: list[float]


class Chart(BaseModel):
    """One chart: categories along x, one or more series of numbers; ``kind`` tells how to draw."""

    id: str
    title: str
    kind: str  # "stacked" (bars stacked, with a total line), "bar", "line"
    x_label: str
    x: list[str]
    series: list[Series]
    note: str | None = None

    def csv(self) -> str:
        """Exactly the chart's numbers, UTF-8 with BOM for Excel."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([self.x_label, *(s.name for s in self.series)])
        for i, key in enumerate(self.x):
            writer.writerow([key, *(_number(s.values[i]) for s in self.series)])
        return "\ufeff" + out.getvalue()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class Trends(BaseModel):
    query: str
    interval: Interval
    total: int
    stories: int
    charts: list[Chart]


def _histogram(backend: SearchBackend, query: SearchQuery, interval: Interval) -> dict[str, int]:
    page = backend.search(replace(query, size=1, facets=False, histogram=interval, page=1, cursor=None))
    return {b.key: b.count for b in page.histogram}


def _aligned(keys: list[str], counts: dict[str, int]) -> list[float]:
    return [float(counts.get(k, 0)) for k in keys]


def volume_chart(
    backend: SearchBackend, query: SearchQuery, interval: Interval
) -> tuple[Chart, list[str], dict[str, int]]:
    page = backend.search(replace(query, size=1, facets=True, histogram=interval))
    keys = [b.key for b in page.histogram]
    total = {b.key: b.count for b in page.histogram}
    series = [Series(name="全部报道", values=_aligned(keys, total))]
    for bucket in page.facets.get("topic", [])[:STACKED_TOPICS]:
        counts = _histogram(backend, replace(query, topic=bucket.value), interval)
        series.append(Series(name=bucket.label or bucket.value, values=_aligned(keys, counts)))
    chart = Chart(id="volume", title="报道量（按主题）", kind="stacked", x_label="时段起始日", x=keys, series=series,
                  note="一篇报道可属多个主题，未归入任何主题的不在柱中，故各主题之和可大于或小于全部报道（篇，含转载）。")  # fmt: skip
    return chart, keys, total


def bar_chart(chart_id: str, title: str, buckets: list[tuple[str, int]], x_label: str) -> Chart:
    return Chart(id=chart_id, title=title, kind="bar", x_label=x_label, x=[b[0] for b in buckets],
                 series=[Series(name="篇数", values=[float(b[1]) for b in buckets])])  # fmt: skip


def critical_chart(backend: SearchBackend, query: SearchQuery, interval: Interval, keys: list[str],
                   total: dict[str, int]) -> Chart:  # fmt: skip
    critical = _histogram(backend, replace(query, tone="critical"), interval)
    share = [round(100 * critical.get(k, 0) / total[k], 1) if total.get(k) else 0.0 for k in keys]
    return Chart(id="critical", title="批评报道占比（%）", kind="line", x_label="时段起始日", x=keys,
                 series=[Series(name="批评报道占比%", values=share),
                         Series(name="批评报道篇数", values=_aligned(keys, critical))])  # fmt: skip


def shanxi_chart(backend: SearchBackend, query: SearchQuery, city: str | None) -> Chart:
    units = shanxi_coverage(backend, query)
    chosen = next((u for u in units if u.name == city), None)
    if chosen is None:
        rows = [(u.name, u.articles) for u in units]
        return bar_chart("shanxi", f"{PROVINCE}各市报道量", rows, "市")
    rows = [(u.name, u.articles) for u in chosen.counties]
    return bar_chart("shanxi", f"{chosen.name}各县（市、区）报道量", rows, "县（市、区）")


def figure_chart(backend: SearchBackend, query: SearchQuery, interval: Interval, metric: str,
                 unit: str | None) -> Chart:  # fmt: skip
    """The sum of a reported figure per period: statistics whose metric holds every word of
    ``metric`` (and whose unit is ``unit``), one copy per story (a reprint repeats the figure)."""
    words = metric.split()
    narrowed = replace(query, text=f"{query.text} {metric}")
    sums: dict[str, float] = {}
    seen: set[str] = set()
    read, cut = 0, False
    for hit in backend.scan(narrowed, MAX_SCANNED):
        if hit.story_id in seen or hit.published_at is None:
            continue
        if read >= MAX_FIGURE_ARTICLES:
            cut = True
            break
        seen.add(hit.story_id)
        read += 1
        article = backend.get(hit.article_id)
        if article is None:
            continue
        key = bucket_start(hit.published_at.astimezone(CHINA_TZ).date(), interval).isoformat()
        for figure in article.statistics:
            if figure.metric and all(w in figure.metric for w in words) and (not unit or figure.unit == unit):
                sums[key] = sums.get(key, 0.0) + figure.value
    keys = sorted(sums)
    filled = _fill(keys, interval)
    note = f"取每组报道的一篇（转载不重复计）；共读取 {read} 组报道。"
    if cut:
        note += f"结果超过 {MAX_FIGURE_ARTICLES} 组，只统计了最新的 {MAX_FIGURE_ARTICLES} 组。"
    name = f"{metric}（{unit}）" if unit else metric
    return Chart(id="figure", title=f"报道数字：{name}", kind="line", x_label="时段起始日", x=filled,
                 series=[Series(name=name, values=[round(sums.get(k, 0.0), 4) for k in filled])], note=note)  # fmt: skip


def _fill(keys: list[str], interval: Interval) -> list[str]:
    buckets: list[HistogramBucket] = fill_histogram(((k, 1) for k in keys), interval)
    return [b.key for b in buckets]


def build_trends(backend: SearchBackend, query: SearchQuery, interval: Interval, city: str | None = None,
                 metric: str | None = None, unit: str | None = None) -> Trends:  # fmt: skip
    volume, keys, total = volume_chart(backend, query, interval)
    tops = top_values(backend, query, size=TOP_BARS)
    charts = [
        volume,
        bar_chart(
            "procuratorates",
            "报道最多的检察院",
            [(b.value, b.count) for b in tops.get("procuratorate", [])],
            "检察院",
        ),
        bar_chart(
            "outlets", "报道最多的媒体（来源）", [(b.value, b.count) for b in tops.get("source", [])], "媒体"
        ),
        bar_chart(
            "regions", "报道涉及最多的地区", [(b.value, b.count) for b in tops.get("region", [])], "地区"
        ),
        shanxi_chart(backend, query, city),
        critical_chart(backend, query, interval, keys, total),
    ]
    if metric and metric.strip():
        charts.append(figure_chart(backend, query, interval, metric.strip(), unit))
    first = backend.search(replace(query, size=1, facets=False, histogram=None))
    return Trends(
        query=query.text, interval=interval, total=first.total, stories=first.stories, charts=charts
    )
