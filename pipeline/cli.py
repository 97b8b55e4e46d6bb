"""The ``jiancha`` command: the only place that wires crawler, processors, indexer and webapp together."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.bus import Bus, open_bus
from pipeline.errors import ServiceUnavailable
from pipeline.settings import Settings
from pipeline.topics import all_topics

log = logging.getLogger("jiancha.cli")


class UsageError(Exception):
    """A command was called in a way that cannot work; the message says how to call it."""


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    # Their INFO lines are connection chatter, not article outcomes.
    for noisy in ("kafka", "elastic_transport", "scrapy", "uvicorn.access", "jieba"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return json.loads(json.dumps(asdict(value), default=str, ensure_ascii=False))
    return value


# --- stages ----------------------------------------------------------------------------------------


def start_bus(settings: Settings) -> Bus:
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    return bus


@contextmanager
def demo_site(settings: Settings, enabled: bool) -> Iterator[str | None]:
    """Serve the bundled demo news sites while the block runs; yields their base URL."""
    if not enabled:
        yield None
        return
    from crawler.demo.server import DemoServer

    with DemoServer(host=settings.demo_host, port=settings.demo_port) as demo:
        log.info("demo news sites at %s", demo.base_url)
        yield demo.base_url


def crawl(settings: Settings, demo_base: str | None) -> Any:
    from crawler.run import crawl_once

    stats = crawl_once(settings, demo_base=demo_base)
    log.info("crawl finished: %s", jsonable(stats))
    return stats


def process_until_idle(
    settings: Settings, bus: Bus, stop: threading.Event | None = None, stages: Sequence[str] | None = None
) -> Any:
    from processors.chain import STAGES
    from processors.worker import run_processor

    return run_processor(settings, bus, stop=stop, until_idle=stop is None, stages=stages or STAGES)


def index_until_idle(settings: Settings, bus: Bus, stop: threading.Event | None = None) -> Any:
    from indexer.worker import run_indexer

    return run_indexer(settings, bus, stop=stop, until_idle=stop is None)


def init_index(settings: Settings) -> None:
    """Apply the search index mapping, and create the reprint processor's story store with it."""
    from indexer import open_index
    from processors.reprints import open_story_store

    backend = open_index(settings)
    try:
        backend.init()
    finally:
        backend.close()
    open_story_store(settings).close()


# --- commands --------------------------------------------------------------------------------------


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    bus = start_bus(settings)
    init_index(settings)
    with demo_site(settings, args.demo) as demo_base:
        if args.once:
            crawl(settings, demo_base)
            processed = process_until_idle(settings, bus)
            indexed = index_until_idle(settings, bus)
            print(
                f"jiancha: crawled, processed {dict(processed.counts)}, indexed {dict(indexed.counts)}; "
                f"search with `jiancha search QUERY`"
            )
            return 0
        stop = threading.Event()
        workers = [
            threading.Thread(target=process_until_idle, args=(settings, bus, stop), name="processor"),
            threading.Thread(target=index_until_idle, args=(settings, bus, stop), name="indexer"),
            threading.Thread(target=crawl_forever, args=(settings, demo_base, stop), name="crawler"),
        ]
        for worker in workers:
            worker.daemon = True
            worker.start()
        try:
            serve_web(settings)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=10)
    return 0


def crawl_forever(settings: Settings, demo_base: str | None, stop: threading.Event) -> None:
    """Keep every site on its own interval (``interval_minutes`` in the sites file) until ``stop``."""
    from crawler.schedule import run_schedule

    run_schedule(settings, demo_base, stop)


def serve_web(settings: Settings) -> None:
    import uvicorn

    from webapp.app import create_app

    print(f"jiancha: web app on http://{settings.web_host}:{settings.web_port}/", flush=True)
    uvicorn.run(create_app(settings), host=settings.web_host, port=settings.web_port, log_level="warning")


def cmd_crawl(settings: Settings, args: argparse.Namespace) -> int:
    start_bus(settings).close()
    with demo_site(settings, args.demo) as demo_base:
        if args.forever:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            crawl_forever(settings, demo_base, stop)
        else:
            print(json.dumps(jsonable(crawl(settings, demo_base)), ensure_ascii=False))
    return 0


def cmd_process(settings: Settings, args: argparse.Namespace) -> int:
    if args.input or args.output:
        if not (args.input and args.output):
            raise UsageError("--input and --output go together")
        from processors.worker import process_files

        print(json.dumps(process_files(Path(args.input), Path(args.output), settings)))
        return 0
    stages = [args.stage] if args.stage else None
    return run_worker(settings, partial(process_until_idle, stages=stages), args.once)


def cmd_index_worker(settings: Settings, args: argparse.Namespace) -> int:
    return run_worker(settings, index_until_idle, args.once)


def run_worker(settings: Settings, target: Callable[..., Any], once: bool) -> int:
    bus = start_bus(settings)
    try:
        if once:
            stats = target(settings, bus)
        else:
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            stats = target(settings, bus, stop)
        print(json.dumps(dict(stats.counts)))
    finally:
        bus.close()
    return 0


def cmd_index(settings: Settings, args: argparse.Namespace) -> int:
    from indexer import open_index

    if args.action == "init":
        init_index(settings)
        print(f"jiancha: index {settings.index_name} ready on {settings.index}")
        return 0
    backend = open_index(settings)
    try:
        result = backend.reindex() if args.action == "reindex" else backend.stats()
        print(json.dumps({"index": settings.index_name, **result}, ensure_ascii=False))
    finally:
        backend.close()
    return 0


def cmd_topics(settings: Settings, args: argparse.Namespace) -> int:
    start_bus(settings).close()
    print("jiancha: topics ready: " + ", ".join(all_topics(settings.topic_prefix)))
    return 0


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from indexer import open_index
    from indexer.cli import run_search

    backend = open_index(settings)
    try:
        print(run_search(backend, args))
    finally:
        backend.close()
    return 0


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    serve_web(settings)
    return 0


def cmd_demo_site(settings: Settings, args: argparse.Namespace) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with demo_site(settings, True) as base:
        print(f"jiancha: demo news sites at {base} (Ctrl-C stops)", flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from crawler.extract import extract_target

    print(
        json.dumps(extract_target(args.target, url=args.url, settings=settings), ensure_ascii=False, indent=2)
    )
    return 0


def cmd_enrich(settings: Settings, args: argparse.Namespace) -> int:
    """One article as JSON on stdin (at least ``body``) → every processing step in order → JSON on stdout."""
    import hashlib

    from crawler.sites import SiteConfigError, load_sites
    from pipeline.model import Article, article_id_for, content_hash_for
    from processors.chain import build_all_steps

    try:
        fields = json.loads(sys.stdin.read())
    except json.JSONDecodeError as error:
        raise UsageError(f"enrich reads one article as JSON on stdin: {error}") from error
    if not isinstance(fields, dict) or not isinstance(fields.get("body"), str):
        raise UsageError("enrich needs a JSON object with at least a string `body`")
    known = {k: v for k, v in fields.items() if k in Article.model_fields and v is not None}
    url = known.pop("url", "")
    # Without a URL the id is a hash of the text: the same body always gets the same id.
    known.setdefault(
        "article_id", article_id_for(url) if url else hashlib.sha256(known["body"].encode()).hexdigest()[:32]
    )
    article = Article(url=url, **known)
    if not article.content_hash:
        article.content_hash = content_hash_for(article.title, article.body)
    if article.site and not article.site_regions:  # as the crawler does: the site's region tags
        try:
            sites = {site.name: site for site in load_sites(settings.sites_path)}
        except SiteConfigError:
            sites = {}
        if article.site in sites:
            article.site_regions = list(sites[article.site].regions)
    for step in build_all_steps(settings):
        article = step(article)
    print(json.dumps(article.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


# --- parsing ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jiancha", description="Monitor news coverage of procuratorate work."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run crawler, processors, indexer and the web app (embedded default)")
    up.add_argument("--demo", action="store_true", help="crawl the bundled demo news sites instead")
    up.add_argument("--once", action="store_true", help="crawl once, drain the pipeline, exit (no web app)")
    up.set_defaults(func=cmd_up)

    crawl_cmd = sub.add_parser("crawl", help="crawl the configured sites and publish articles.fetched")
    crawl_cmd.add_argument("--demo", action="store_true", help="crawl the bundled demo news sites")
    crawl_cmd.add_argument("--forever", action="store_true", help="keep crawling on the configured interval")
    crawl_cmd.set_defaults(func=cmd_crawl)

    process = sub.add_parser("process", help="processor workers: articles.fetched → articles.enriched")
    process.add_argument(
        "--stage",
        choices=["entities", "topics"],
        help="run one processor stage (default: both, side by side)",
    )
    process.add_argument("--once", action="store_true", help="stop when the input is drained")
    process.add_argument("--input", help="JSON-lines file of articles to process instead of the bus")
    process.add_argument("--output", help="JSON-lines file to write the processed articles to")
    process.set_defaults(func=cmd_process)

    worker = sub.add_parser("index-worker", help="indexer worker: articles.enriched → search index")
    worker.add_argument("--once", action="store_true", help="stop when the input is drained")
    worker.set_defaults(func=cmd_index_worker)

    index = sub.add_parser("index", help="manage the search index")
    index.add_argument(
        "action",
        choices=["init", "reindex", "stats"],
        help="init: create the index from config/; reindex: rebuild it from the stored documents "
        "with the current config/ files (no downtime, no lost writes); stats: documents and size",
    )
    index.set_defaults(func=cmd_index)

    topics = sub.add_parser("topics", help="create the pipeline's topics on the bus")
    topics.add_argument("action", choices=["create"])
    topics.set_defaults(func=cmd_topics)

    search = sub.add_parser("search", help="search the index")
    from indexer.cli import add_search_arguments

    add_search_arguments(search)
    search.set_defaults(func=cmd_search)

    web = sub.add_parser("web", help="serve the web app")
    web.set_defaults(func=cmd_web)

    demo = sub.add_parser("demo-site", help="serve the bundled demo news sites")
    demo.set_defaults(func=cmd_demo_site)

    extract = sub.add_parser("extract", help="extract one article page and print it as JSON")
    extract.add_argument("target", help="a saved HTML file or a URL")
    extract.add_argument("--url", help="the page's URL when extracting a saved file")
    extract.set_defaults(func=cmd_extract)

    enrich = sub.add_parser(
        "enrich", help="run every processing step on one article JSON from stdin and print it enriched"
    )
    enrich.set_defaults(func=cmd_enrich)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"jiancha: invalid settings: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        result: int = args.func(settings, args)
        return result
    except ServiceUnavailable as error:
        print(f"jiancha: {error}", file=sys.stderr)
        return 3
    except (UsageError, ValueError) as error:
        print(f"jiancha: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
