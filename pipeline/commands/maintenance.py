"""Maintenance commands: ``reprocess`` (stored articles through the processors again) and the
crawl backfill's entry point."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.bus import Bus
from pipeline.commands.common import SubParsers, UsageError, demo_site, jsonable, start_bus
from pipeline.commands.ops import parse_since
from pipeline.settings import Settings
from pipeline.topics import Stage, indexer_stage, processor_stages


def progress_bar(items: Iterable[Any], total: int | None, desc: str) -> Iterable[Any]:
    from tqdm import tqdm

    # disable=None: a bar on a terminal, nothing in logs and pipes.
    return tqdm(items, total=total, desc=desc, unit="article", file=sys.stderr, disable=None)


# Right after a topic is created a Kafka consumer may see no partition yet and stop as idle.
DRAIN_ATTEMPTS = 5


def drain(settings: Settings, bus: Bus, stages: list[Stage], run: Callable[..., Any]) -> dict[str, int]:
    """Run the stages until idle, again while the bus still shows lag for them; the summed counts."""
    from pipeline.bus.inspect import group_lag

    counts: Counter[str] = Counter()
    for _ in range(DRAIN_ATTEMPTS):
        counts.update(run(settings, bus).counts)
        if not any(p.lag for s in stages for p in group_lag(bus, s.group, [s.input_topic or ""])):
            break
    return dict(counts)


def cmd_reprocess(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.commands.stages import index_until_idle, process_until_idle
    from pipeline.ops.reprocess import republish

    bus = start_bus(settings)
    try:
        sent = republish(
            settings,
            bus,
            since=parse_since(args.since),
            from_stage=args.from_stage,
            progress=lambda items, total: progress_bar(items, total, "republishing"),
        )
        result: dict[str, Any] = {"sent": sent, "to": args.from_stage}
        if args.drain:
            if args.from_stage == "entities":
                result["processed"] = drain(
                    settings, bus, processor_stages(settings.topic_prefix), process_until_idle
                )
            result["indexed"] = drain(settings, bus, [indexer_stage(settings.topic_prefix)], index_until_idle)
        print(json.dumps(result))
    finally:
        bus.close()
    return 0


def cmd_backfill(settings: Settings, args: argparse.Namespace) -> int:
    from crawler.run import crawl_once

    if not (args.site and args.since):
        raise UsageError("--backfill needs --site NAME and --since DATE")
    since = parse_since(args.since)
    start_bus(settings).close()
    with demo_site(settings, args.demo) as demo_base:
        stats = crawl_once(
            settings, demo_base=demo_base, only=[args.site], backfill_since=since, max_pages=args.max_pages
        )
    print(json.dumps(jsonable(stats), ensure_ascii=False))
    return 0


def add_backfill_options(crawl: argparse.ArgumentParser) -> None:
    """``jiancha crawl --backfill``: the crawl command's options, the backfill's own entry point."""
    crawl.add_argument(
        "--backfill", action="store_true", help="follow one site's list pages back to --since (resumable)"
    )
    crawl.add_argument("--site", help="backfill: the site's name in the sites file")
    crawl.add_argument("--since", help="backfill: the oldest publication date to fetch (UTC)")
    crawl.add_argument(
        "--max-pages", type=int, help="backfill: stop after this many pages; run again to go on"
    )
    incremental = crawl.get_default("func")

    def crawl_or_backfill(settings: Settings, args: argparse.Namespace) -> int:
        return cmd_backfill(settings, args) if args.backfill else int(incremental(settings, args))

    crawl.set_defaults(func=crawl_or_backfill)


def register(sub: SubParsers) -> None:
    crawl = getattr(sub, "choices", {}).get("crawl")
    if crawl is not None:
        add_backfill_options(crawl)
    reprocess = sub.add_parser(
        "reprocess",
        help="run the processors again on stored articles (after a gazetteer or taxonomy change)",
    )
    reprocess.add_argument("--since", help="only articles fetched at or after this date or time (UTC)")
    reprocess.add_argument(
        "--from",
        dest="from_stage",
        choices=["entities", "indexer"],
        default="entities",
        help="entities (default): every processor again; indexer: index the stored articles as they are",
    )
    reprocess.add_argument(
        "--drain",
        action="store_true",
        help="also run the stages here until they are drained (without workers running elsewhere)",
    )
    reprocess.set_defaults(func=cmd_reprocess)
