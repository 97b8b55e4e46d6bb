"""Crawler entry point: ``crawl_once(settings)`` crawls every configured site once and returns its stats.

Twisted's reactor cannot be restarted within a process, so each crawl runs Scrapy in a child
process (``python -m crawler.run``): the settings go in on stdin as JSON, the stats come back in a
file. Callers (the CLI, tests) can therefore crawl as often as they like from one process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.site_stats import per_site
from crawler.sites import SiteConfig, SiteConfigError, load_sites
from crawler.unreachable import quiet_scrapy_failures
from pipeline.logs import configure_logging
from pipeline.ops.crawls import record_crawls
from pipeline.settings import CONFIG_DIR, REPO_ROOT, Settings
from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)
DEMO_SITES_FILE = CONFIG_DIR / "sites.demo.yaml"


class CrawlFailed(RuntimeError):
    """The crawler process failed; the message carries the end of its log."""


@dataclass
class CrawlStats:
    pages_fetched: int = 0
    articles_published: int = 0
    unchanged_skipped: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # reason -> pages (list_page, no_body, ...)
    errors: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # reason -> requests (http, timeout, other)
    sites: dict[str, dict[str, int]] = field(default_factory=dict)  # site -> its counters (site_stats)

    @classmethod
    def from_scrapy(cls, stats: dict[str, Any]) -> CrawlStats:
        prefix, failed = "jiancha/dropped/", "jiancha/failed/"
        return cls(
            pages_fetched=int(stats.get("jiancha/pages_fetched", 0)),
            articles_published=int(stats.get("jiancha/published", 0)),
            unchanged_skipped=int(stats.get("jiancha/unchanged", 0)),
            dropped={k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)},
            errors=int(stats.get("jiancha/errors", 0)) + int(stats.get("log_count/ERROR", 0)),
            failed={k[len(failed) :]: int(v) for k, v in stats.items() if k.startswith(failed)},
            sites=per_site(stats),
        )


def scrapy_settings(settings: Settings, sites: list[SiteConfig]) -> dict[str, Any]:
    """Polite defaults, per-site delays as download slots, and our pipeline."""
    delays = [site.download_delay for site in sites]
    slots = {
        host: {"delay": site.download_delay, "concurrency": 2} for site in sites for host in site.domains
    }
    return {
        "BOT_NAME": "jiancha",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": min(delays),
        "DOWNLOAD_SLOTS": slots,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(delays),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": 30,
        # News pages are far below this; anything bigger is a video or a PDF we don't want.
        "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": 2 * 1024 * 1024,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 2,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        # List page -> page 2 -> article -> related article is enough; deeper is a crawl of the archive.
        "DEPTH_LIMIT": 4,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy re-reads and parses a callback's source on every response to warn about a generator
        # that returns a value: its cache is keyed weakly by the callback, and a bound method is a new
        # object each time, so it never hits. With our long parse() that was the largest single cost of the crawl.s
        # CPU. tests/crawler/test_callbacks.py makes the same check once, on our own callbacks.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # Scrapy handles each response's output (requests and items) in this many asyncio tasks at
        # once, made afresh for every response: 100 by default, i.e. 100 tasks created, scheduled and
        # ended per page (the profile's largest Scrapy cost after the reactor). Our item pipeline is
        # synchronous, so more than a few buy nothing.
        "CONCURRENT_ITEMS": 4,
        "LOG_LEVEL": "DEBUG" if settings.log_level == "DEBUG" else "WARNING",
        "ITEM_PIPELINES": {"crawler.pipelines.PublishPipeline": 300},
        # Scrapy's own filters, counting what they drop (an off-site redirect, a redirect loop).
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "crawler.middlewares.CountingOffsiteMiddleware": 50,
        },
        "DUPEFILTER_CLASS": "crawler.middlewares.CountingDupeFilter",
        "JIANCHA_SETTINGS": settings,
        "JIANCHA_SITES": sites,
    }


def run_in_this_process(
    settings: Settings,
    sites: list[SiteConfig],
    output: Path | None = None,
    backfill_since: datetime | None = None,
    max_pages: int | None = None,
) -> CrawlStats:
    """Run one crawl with Scrapy here (once per process: the reactor cannot restart)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.spider import NewsSpider

    configured = scrapy_settings(settings, sites)
    if output is not None:
        configured["JIANCHA_OUTPUT_FILE"] = str(output)
    # Scrapy's lines and ours go through one handler in the ``log_format`` of the settings; Scrapy's
    # INFO lines are banners and stats dumps (only its warnings show), ours one line per outcome.
    configured["LOG_INSTALL_ROOT_HANDLER"] = False
    spider: type[NewsSpider] = NewsSpider
    arguments: dict[str, Any] = {"sites": sites}
    if backfill_since is not None:
        from crawler.backfill import BackfillSpider, backfill_scrapy_settings

        configured.update(backfill_scrapy_settings(settings, sites[0].name, max_pages))
        spider, arguments["since"] = BackfillSpider, backfill_since
    process = CrawlerProcess(configured)
    configure_logging(settings)  # after Scrapy's own logging set-up, which resets its loggers' levels
    quiet_scrapy_failures()
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **arguments)
    process.start()
    raw = crawler.stats.get_stats() if crawler.stats else {}
    if raw.get("jiancha/publish_failed"):
        raise CrawlFailed("publishing to the bus failed at the end of the crawl; see the log above")
    return CrawlStats.from_scrapy(raw)


def resolve_sites_file(settings: Settings, demo_base: str | None, sites_file: Path | None) -> Path:
    if sites_file is not None:
        return sites_file
    return DEMO_SITES_FILE if demo_base else settings.sites_path


def crawl_once(
    settings: Settings,
    demo_base: str | None = None,
    sites_file: Path | None = None,
    timeout_s: float | None = None,
    only: list[str] | None = None,
    output: Path | None = None,
    backfill_since: datetime | None = None,
    max_pages: int | None = None,
) -> CrawlStats:
    """Crawl every configured site once (in a child process) and return what happened.

    With ``demo_base`` and no ``sites_file`` the bundled demo sites (``config/sites.demo.yaml``) are
    crawled. ``only`` names the sites to crawl (default: all); ``output`` writes the articles to that
    JSON-lines file instead of the bus (crawl state untouched). Raises ``SiteConfigError`` for an invalid sites file, ``CrawlFailed`` if the crawl failed.
    """
    path = resolve_sites_file(settings, demo_base, sites_file)
    known = {site.name for site in load_sites(path, demo_base)}  # fail here, naming the file
    if only is not None and (unknown := sorted(set(only) - known)):
        raise SiteConfigError(f"{path}: no site named {', '.join(unknown)}")
    # Relative paths mean "relative to the caller's working directory", wherever the child runs.
    resolved = settings.model_copy(
        update={"data_dir": settings.data_dir.resolve(), "sites_file": path.resolve()}
    )
    started_at = time.time()
    with tempfile.TemporaryDirectory(prefix="jiancha-crawl-") as tmp:
        stats_file = Path(tmp) / "stats.json"
        command = [sys.executable, "-m", "crawler.run", "--sites-file", str(path.resolve())]
        command += ["--stats-out", str(stats_file)] + (["--demo-base", demo_base] if demo_base else [])
        for name in only or []:
            command += ["--only", name]
        if output is not None:
            command += ["--output", str(output.resolve())]
        if backfill_since is not None:  # one site (``only``), its list pages back to that time
            if len(only or []) != 1:
                raise SiteConfigError("a backfill crawls one site: name it with --site")
            command += ["--backfill-since", backfill_since.isoformat()]
            command += ["--max-pages", str(max_pages)] if max_pages else []
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
        log.info("crawling %s%s", path, f" (demo at {demo_base})" if demo_base else "")
        try:
            result = subprocess.run(
                command, input=resolved.model_dump_json(), text=True, env=env, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise CrawlFailed(f"the crawl did not finish within {timeout_s:.0f}s") from exc
        if result.returncode != 0 or not stats_file.exists():
            raise CrawlFailed(
                f"the crawler process exited with status {result.returncode}; see its log above"
            )
        stats = CrawlStats(**json.loads(stats_file.read_text(encoding="utf-8")))
    log.info("crawl of %s: %s", path, stats)
    if output is None:  # a crawl to a file is a debugging run: the bus stays untouched
        record_crawls(settings, sorted(only or known), stats.sites, started_at)
    return stats


def main(argv: list[str] | None = None) -> int:
    """The child process: settings JSON on stdin, stats JSON written to ``--stats-out``."""
    parser = argparse.ArgumentParser(prog="python -m crawler.run", description=__doc__)
    parser.add_argument("--sites-file", type=Path, required=True)
    parser.add_argument("--stats-out", type=Path, required=True)
    parser.add_argument("--demo-base")
    parser.add_argument("--only", action="append", help="crawl only this site (repeatable)")
    parser.add_argument("--output", type=Path, help="write the articles to this JSON-lines file")
    parser.add_argument("--backfill-since", type=datetime.fromisoformat, help="backfill back to this time")
    parser.add_argument("--max-pages", type=int, help="backfill: stop after this many pages (resumable)")
    args = parser.parse_args(argv)
    settings = Settings(**json.loads(sys.stdin.read()))
    sites = load_sites(args.sites_file, args.demo_base)
    if args.only:
        sites = [site for site in sites if site.name in set(args.only)]
    hosts = sorted({urlsplit(u).netloc for s in sites for u in s.entry_points})
    log.info("crawling %d sites on %s", len(sites), ", ".join(hosts))
    stats = run_in_this_process(settings, sites, args.output, args.backfill_since, args.max_pages)
    args.stats_out.write_text(json.dumps(asdict(stats), ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
