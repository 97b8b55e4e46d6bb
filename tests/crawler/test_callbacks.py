"""Scrapy's own check that a generator callback returns no value (a returned value is silently lost)
is switched off in the crawl (crawler/run.py: it re-parsed the callback's source on every response);
this makes the same check once, on every callback of our spider."""

from __future__ import annotations

import inspect

import pytest
from scrapy.utils.misc import is_generator_with_return_value

from crawler.run import scrapy_settings
from crawler.sites import SiteConfig
from crawler.spider import NewsSpider
from pipeline.settings import Settings

CALLBACKS = [
    name
    for name, member in inspect.getmembers(NewsSpider, inspect.isfunction)
    if inspect.isgeneratorfunction(member) and name.startswith(("parse", "continuation"))
]


def test_the_spider_has_generator_callbacks_to_check() -> None:
    assert {"parse", "parse_continuation", "continuation_failed"} <= set(CALLBACKS)


@pytest.mark.parametrize("name", CALLBACKS)
def test_no_generator_callback_returns_a_value_scrapy_would_drop(name: str) -> None:
    assert not is_generator_with_return_value(getattr(NewsSpider, name))


def test_the_per_response_source_check_is_off_in_the_crawl() -> None:
    site = SiteConfig(name="本地", start_urls=["http://127.0.0.1:1/"], article_patterns=[r"/a/\d+"])
    assert scrapy_settings(Settings(), [site])["WARN_ON_GENERATOR_RETURN_VALUE"] is False
