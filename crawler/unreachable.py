"""Sites the crawler cannot reach: one WARNING line per site per crawl, not a traceback per request.

A request that fails before any HTTP answer (the host name does not resolve, the connection is
refused or cannot be made) says nothing about the page and everything about the site, so the
spider counts it here and ``report`` logs one line per site when the crawl ends. Scrapy's own
lines for the same failures (the retry middleware's "Gave up retrying", the robots.txt
middleware's traceback) are dropped by ``QuietScrapyFailures``: the spider reports every outcome.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
from twisted.internet.error import ConnectError, ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure

from pipeline.topics import crawler_stage

log = logging.getLogger(crawler_stage().logger_name)


def unreachable_reason(failure: Failure) -> str | None:
    """``dns``, ``refused`` or ``connect`` for a failure to reach the host at all; None otherwise."""
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "dns"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "refused"
    if failure.check(ConnectError):  # no route, connect timed out, …: twisted's connect errors
        return "connect"
    return None


@dataclass
class Unreachable:
    reason: str
    host: str
    message: str
    requests: int = 0


class UnreachableSites:
    """Per site: why it could not be reached (the first reason seen) and how many requests failed."""

    def __init__(self) -> None:
        self.sites: dict[str, Unreachable] = {}

    def add(self, site: str, url: str, reason: str, message: str) -> None:
        entry = self.sites.setdefault(site, Unreachable(reason, urlsplit(url).netloc, message[:200]))
        entry.requests += 1

    def report(self) -> None:
        for site, entry in sorted(self.sites.items()):
            log.warning(
                "unreachable(%s): site %s at %s — %s (%d requests failed)",
                entry.reason,
                site,
                entry.host,
                entry.message,
                entry.requests,
            )


class QuietScrapyFailures(logging.Filter):
    """Drops Scrapy's log records about failed downloads that the spider reports itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if record.name == "scrapy.downloadermiddlewares.retry":
            return not message.startswith("Gave up retrying")
        if record.name == "scrapy.downloadermiddlewares.robotstxt":
            # Scrapy allows every page of a site whose robots.txt cannot be fetched; the pages'
            # own outcomes (or the site's unreachable line) are what the operator needs.
            return not message.startswith("Error downloading")
        return True


def quiet_scrapy_failures() -> None:
    quiet = QuietScrapyFailures()
    for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt"):
        logging.getLogger(name).addFilter(quiet)
