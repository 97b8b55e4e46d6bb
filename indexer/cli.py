"""The `jiancha search` and `jiancha index` commands' arguments and output (wired in pipeline/cli.py)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from indexer.base import FACETS, QueryError, SearchPage, SearchQuery
from indexer.outlets import canonical_page
from indexer.params import PRESET_DAYS, parse_params
from pipeline.china_time import china_time


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", nargs="+", help='words (all must match), "phrases", OR, -exclusions, (brackets)'
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--site", help="only this site")
    parser.add_argument("--source", help="only this source (来源)")
    parser.add_argument("--region", help="only articles about this region")
    parser.add_argument("--procuratorate", help="only articles naming this procuratorate")
    parser.add_argument("--topic", help="only this topic (id or label)")
    parser.add_argument("--tone", help="only this tone (e.g. critical)")
    parser.add_argument("--relevant", choices=["yes", "no"], help="only (not) about procuratorate work")
    parser.add_argument("--min-relevance", type=float, help="only relevance at least this (0..1)")
    parser.add_argument("--from", dest="date_from", help="published on or after (YYYY-MM-DD, CST)")
    parser.add_argument("--to", dest="date_to", help="published on or before (YYYY-MM-DD, CST)")
    parser.add_argument("--preset", choices=list(PRESET_DAYS), help="today, or the last 7 or 30 days (CST)")
    parser.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    parser.add_argument("--page", type=int, default=1)
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--facets", action="store_true", help=f"count hits by {', '.join(FACETS)}")
    parser.add_argument("--histogram", choices=["day", "week", "month"], help="hits over time")
    parser.add_argument(
        "--every-copy", action="store_true", help="one hit per article instead of one per story"
    )
    parser.add_argument("--all-copies", action="store_true", help="list every copy of each story")


def query_from_args(args: argparse.Namespace) -> SearchQuery:
    """The SearchQuery of the command line, through the web app's own parameter model
    (indexer/params.py): the same names, limits and messages. Raises QueryError."""
    values = {
        "q": " ".join(args.query),
        "site": args.site,
        "source": args.source,
        "region": args.region,
        "procuratorate": args.procuratorate,
        "topic": args.topic,
        "tone": args.tone,
        "relevant": None if args.relevant is None else args.relevant == "yes",
        "min_relevance": args.min_relevance,
        "from": args.date_from,
        "to": args.date_to,
        "preset": args.preset,
        "sort": args.sort,
        "page": args.page,
        "size": args.size,
        "facets": args.facets,
        "histogram": args.histogram,
        "stories": not args.every_copy,
        "all_copies": args.all_copies,
    }
    return parse_params({k: v for k, v in values.items() if v is not None}).to_query()


def page_json(query: SearchQuery, page: SearchPage) -> dict[str, Any]:
    return {"query": query.text, **page.model_dump(mode="json")}


def render_text(query: SearchQuery, page: SearchPage) -> str:
    lines = [f"{page.total} articles in {page.stories} stories for {query.text}"]
    for hit in page.hits:
        when = china_time(hit.published_at) or "—"
        copies = f", {hit.copies} copies: {', '.join(hit.outlets)}" if hit.copies > 1 else ""
        lines.append(f"- {hit.title}  [{hit.source or hit.site or ''}, {when}{copies}]\n  {hit.url}")
        for copy in hit.copy_list or []:
            lines.append(f"    · {copy.site or copy.source or ''}: {copy.url}")
    for name, buckets in page.facets.items():
        if buckets:
            lines.append(f"{name}: " + ", ".join(f"{b.label or b.value} {b.count}" for b in buckets))
    if page.histogram:
        lines.append("histogram: " + ", ".join(f"{b.key} {b.count}" for b in page.histogram))
    return "\n".join(lines)


def run_search(backend: Any, args: argparse.Namespace) -> str:
    """Search and format; raises QueryError for a query the person must change."""
    query = query_from_args(args)
    page = canonical_page(backend.search(query))
    if args.json:
        return json.dumps(page_json(query, page), ensure_ascii=False, indent=2)
    return render_text(query, page)


__all__ = ["QueryError", "add_search_arguments", "query_from_args", "run_search"]
