"""The sites to crawl, as configuration: ``config/sites.yaml`` (real sites) and ``config/sites.demo.yaml``.

The one spider reads these; adding a site means adding a YAML entry, not code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cssselect
import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

DEMO_PLACEHOLDER = "${DEMO_BASE}"


class SiteConfigError(ValueError):
    """The sites file cannot be used; the message names the file and what to fix."""


class Selectors(BaseModel):
    """Optional CSS selectors that override the generic extraction for one site."""

    model_config = {"extra": "forbid"}

    title: str | None = Field(None, description="element holding the title")
    body: str | None = Field(None, description="element holding the article text")
    published_at: str | None = Field(None, description="element holding the publication time")
    source: str | None = Field(None, description="element holding the 来源")

    @field_validator("title", "body", "published_at", "source")
    @classmethod
    def _valid_css(cls, css: str | None) -> str | None:
        if css is not None:
            try:
                cssselect.GenericTranslator().css_to_xpath(css)
            except cssselect.SelectorError as exc:
                raise ValueError(f"invalid CSS selector {css!r}: {exc}") from exc
        return css


class SiteConfig(BaseModel):
    """One news site: where to start, which links are articles, how often, which region it covers."""

    model_config = {"extra": "forbid"}

    name: str = Field(description="display name, stored as the article's site")
    start_urls: list[str] = Field(default_factory=list, description="list pages the crawl starts from")
    feeds: list[str] = Field(default_factory=list, description="RSS or Atom feeds: every entry is an article")
    sitemaps: list[str] = Field(
        default_factory=list, description="XML sitemaps (or sitemap indexes) listing article URLs"
    )
    sitemap_limit: int = Field(200, ge=1, description="most article URLs taken from the sitemaps per crawl")
    article_patterns: list[str] = Field(min_length=1, description="regexes (searched in the URL) of articles")
    list_patterns: list[str] = Field(default_factory=list, description="regexes of list pages to follow")
    url_prefixes: list[str] = Field(
        default_factory=list, description="URLs belonging to the site (default: scheme://host/ of start_urls)"
    )
    interval_minutes: int = Field(60, ge=1, description="how often the site is crawled")
    download_delay: float = Field(2.0, ge=0, description="seconds between requests to this site")
    download_timeout: float = Field(
        30.0, gt=0, description="seconds before a slow page is given up (retried)"
    )
    # News pages are far below this; anything bigger is a video, a PDF or a broken server.
    max_page_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="larger responses are cancelled")
    regions: list[str] = Field(default_factory=list, description="region tags, e.g. 山西, 临汾")
    selectors: Selectors | None = None
    verified: bool = Field(False, description="patterns checked against the live site")

    @field_validator("article_patterns", "list_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        return patterns

    @property
    def entry_points(self) -> list[str]:
        return [*self.start_urls, *self.feeds, *self.sitemaps]

    @model_validator(mode="before")
    @classmethod
    def _has_entry_points(cls, data: Any) -> Any:
        if isinstance(data, dict) and not any(data.get(k) for k in ("start_urls", "feeds", "sitemaps")):
            raise ValueError("start_urls: give at least one list page (or feeds, or sitemaps)")
        return data

    @model_validator(mode="after")
    def _default_prefixes(self) -> SiteConfig:
        for url in self.entry_points:
            if urlsplit(url).scheme not in ("http", "https"):
                raise ValueError(f"URL {url!r} is not an http(s) URL")
        if not self.url_prefixes:
            hosts = dict.fromkeys(f"{urlsplit(u).scheme}://{urlsplit(u).netloc}/" for u in self.entry_points)
            self.url_prefixes = list(hosts)
        return self

    def owns(self, url: str) -> bool:
        return any(url.startswith(prefix) for prefix in self.url_prefixes)

    def is_article(self, url: str) -> bool:
        return self.owns(url) and any(re.search(p, url) for p in self.article_patterns)

    def is_list(self, url: str) -> bool:
        return self.owns(url) and any(re.search(p, url) for p in self.list_patterns)

    @property
    def domains(self) -> list[str]:
        return sorted({urlsplit(p).hostname or "" for p in self.url_prefixes} - {""})


def _substitute(value: object, demo_base: str | None, path: Path) -> object:
    if isinstance(value, str) and DEMO_PLACEHOLDER in value:
        if demo_base is None:
            raise SiteConfigError(f"{path}: uses {DEMO_PLACEHOLDER} but no demo base URL was given")
        return value.replace(DEMO_PLACEHOLDER, demo_base.rstrip("/"))
    if isinstance(value, list):
        return [_substitute(v, demo_base, path) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, demo_base, path) for k, v in value.items()}
    return value


def load_sites(path: Path, demo_base: str | None = None) -> list[SiteConfig]:
    """The sites of a YAML file (``sites:`` list); ``${DEMO_BASE}`` is replaced by ``demo_base``."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteConfigError(f"cannot read sites file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise SiteConfigError(f"sites file {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("sites"), list) or not raw["sites"]:
        raise SiteConfigError(f"sites file {path} must contain a non-empty list under 'sites:'")
    sites = []
    for index, entry in enumerate(raw["sites"]):
        name = entry.get("name", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        try:
            sites.append(SiteConfig.model_validate(_substitute(entry, demo_base, path)))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise SiteConfigError(f"{path}: site {name}: {problems}") from exc
    names = [site.name for site in sites]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SiteConfigError(f"{path}: duplicate site names {duplicates}")
    return sites


def site_for_url(sites: Sequence[SiteConfig], url: str) -> SiteConfig | None:
    """The site an URL belongs to: the one with the longest matching prefix."""
    best: tuple[int, SiteConfig] | None = None
    for site in sites:
        for prefix in site.url_prefixes:
            if url.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), site)
    return best[1] if best else None
