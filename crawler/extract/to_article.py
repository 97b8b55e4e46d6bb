"""Crawler extraction, last step: turn ``Extracted`` fields of a page into the ``Article`` event."""

from __future__ import annotations

from crawler.extract.extractor import Extracted
from crawler.sites import SiteConfig
from pipeline.model import Article


def to_article(extracted: Extracted, url: str, site: SiteConfig | None = None) -> Article:
    """The ``articles.fetched`` event of a page (id and content hash derived from URL and text)."""
    return Article.new(
        url,
        site=site.name if site else None,
        site_regions=list(site.regions) if site else [],
        **extracted.model_dump(exclude={"page_urls"}),
    )
