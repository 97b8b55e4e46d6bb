"""Crawler extraction: ``extract(url, body, headers, site) -> Extracted``, the pure function the spider calls.

Generic for Chinese news CMS pages; a site's optional CSS selectors take precedence.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import html
from pydantic import BaseModel, Field

from crawler.extract import patterns as pt
from crawler.extract.decode import decode_html
from crawler.extract.page import Parts, find_container, parse, strip_noise, zones
from crawler.sites import SiteConfig

log = logging.getLogger(__name__)

# Below this many characters the filtered container is a leftover, not the article text: a site's
# text column was taken for furniture (e.g. called "right"), so extraction retries unfiltered.
MIN_CONTAINER_CHARS = 40


class Extracted(BaseModel):
    """What one page says about its article, before it becomes an ``Article`` event."""

    title: str = ""
    column: str | None = None
    subtitle: str | None = None
    published_at: datetime | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    editor: str | None = None
    body: str = ""
    images: list[dict[str, Any]] = Field(default_factory=list)
    encoding: str | None = None
    quality: list[str] = Field(default_factory=list)
    methods: dict[str, str] = Field(default_factory=dict)


def _select(root: html.HtmlElement, css: str | None) -> html.HtmlElement | None:
    if not css:
        return None
    found = root.cssselect(css)
    return found[0] if found else None


def _find_title(root: html.HtmlElement, site: SiteConfig | None) -> tuple[html.HtmlElement | None, str, str]:
    chosen = _select(root, site.selectors.title if site and site.selectors else None)
    if chosen is not None:
        return chosen, pt.clean_space(chosen.text_content()), "selector"
    page_title = pt.clean_space(root.findtext(".//title") or "")
    candidates = [h for h in root.iter("h1", "h2") if len(pt.clean_space(h.text_content())) >= 4]
    # The headline is the heading that the <title> repeats; failing that, the first <h1>.
    for heading in candidates:
        if pt.clean_space(heading.text_content()) in page_title:
            return heading, pt.clean_space(heading.text_content()), heading.tag
    for heading in candidates:
        if heading.tag == "h1":
            return heading, pt.clean_space(heading.text_content()), "h1"
    for meta_name in ("og:title", "title", "ArticleTitle"):
        content = _meta(root, meta_name)
        if content:
            return None, pt.clean_space(content), f"meta:{meta_name}"
    for separator in ("_", " - ", "|", "｜", "——"):
        page_title = page_title.split(separator)[0]
    return None, page_title.strip(), "title-tag"


def _meta(root: html.HtmlElement, name: str) -> str | None:
    for element in root.iter("meta"):
        key = (element.get("name") or element.get("property") or element.get("itemprop") or "").lower()
        if key == name.lower() and element.get("content"):
            return str(element.get("content")).strip()
    return None


def _published_at(
    root: html.HtmlElement, parts: Parts, site: SiteConfig | None
) -> tuple[datetime | None, str]:
    chosen = _select(root, site.selectors.published_at if site and site.selectors else None)
    if chosen is not None and (value := pt.parse_datetime(chosen.text_content())):
        return value, "selector"
    for name in pt.DATE_META_NAMES:
        content = _meta(root, name)
        if content and (value := pt.parse_datetime(content)):
            return value, f"meta:{name}"
    # Only the lines between the headline and the text: dates elsewhere belong to other stories.
    for chunk in parts.header_zone:
        if value := pt.parse_datetime(chunk):
            return value, "text:near-title"
    return None, ""


def _paragraph_lines(container: html.HtmlElement) -> list[tuple[str, html.HtmlElement]]:
    blocks = [p for p in container.iter("p") if not any(a.tag == "p" for a in p.iterancestors())]
    if not blocks:
        blocks = [container]
    lines = []
    for block in blocks:
        for line in block.text_content().split("\n"):
            lines.append((pt.clean_space(line), block))
    return lines


def _images(container: html.HtmlElement, url: str) -> list[dict[str, Any]]:
    images = []
    for img in container.iter("img"):
        src = img.get("src") or img.get("data-src")
        if not src:
            continue
        caption = pt.clean_space(img.get("alt") or "") or None
        figure = next((a for a in img.iterancestors() if a.tag in ("p", "figure", "div")), None)
        if caption is None and figure is not None:
            figcaption = figure.find(".//figcaption")
            if figcaption is not None:
                caption = pt.clean_space(figcaption.text_content())
            else:
                following = figure.getnext()
                text = pt.clean_space(following.text_content()) if following is not None else ""
                if (
                    following is not None
                    and following.tag == "p"
                    and 0 < len(text) <= 80
                    and following.find(".//img") is None
                ):
                    caption = text
        images.append({"src": urljoin(url, src), "caption": caption})
    return images


def extract(url: str, body: bytes, headers: Mapping[str, str], site: SiteConfig | None = None) -> Extracted:
    """Title, dates, source, byline, editor, text and images of a news page (see ``Extracted``)."""
    decoded = decode_html(body, headers)
    out = Extracted(encoding=decoded.encoding, quality=list(decoded.quality))
    out.methods["encoding"] = decoded.method
    raw = parse(decoded.text)
    root = copy.deepcopy(raw)
    strip_noise(root, set())
    selectors = site.selectors if site else None
    container = _select(root, selectors.body if selectors else None)
    body_method = "selector"
    if container is None:
        container, body_method = find_container(root), "density"
    if container is None or (
        body_method == "density" and len(container.text_content().strip()) < MIN_CONTAINER_CHARS
    ):
        root = raw  # the furniture filter ate the article (a site calling its text column "right")
        container, body_method = find_container(root), "density-unfiltered"
    title_element, title, out.methods["title"] = _find_title(root, site)
    out.column, out.title = pt.split_column(title)
    if container is None:
        out.quality.append("no_text")
        return out
    parts = zones(root, title_element, container)
    out.published_at, date_method = _published_at(root, parts, site)
    if date_method:
        out.methods["published_at"] = date_method
    lines = _paragraph_lines(container)
    out.images = _images(container, url)
    captions = {image["caption"] for image in images_with_caption(out.images)}
    kept: list[str] = []
    for line, _block in lines:
        if not line or line in captions or line == title or pt.is_boilerplate(line):
            continue
        if out.subtitle is None and not kept and pt.SUBTITLE.match(line) and len(line) <= 80:
            out.subtitle, out.methods["subtitle"] = line, "text:dash-line"
            continue
        if pt.is_byline(line):
            out.authors += [a for a in pt.authors_in(line) if a not in out.authors]
            out.methods.setdefault("authors", "text:byline")
            continue
        if pt.is_editor_line(line):
            out.editor = out.editor or pt.find_editor(line)
            continue
        if pt.is_source_line(line):
            out.source = out.source or pt.find_source(line)
            continue
        kept.append(line)
    out.body = "\n".join(kept)
    out.methods["body"] = body_method
    _labels(root, parts, out)
    _flag(out)
    return out


def images_with_caption(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [image for image in images if image.get("caption")]


def _labels(root: html.HtmlElement, parts: Parts, out: Extracted) -> None:
    """Subtitle, source, authors and editor printed around the text (info line, tail)."""
    if out.subtitle is None and parts.header_zone and pt.SUBTITLE.match(parts.header_zone[0]):
        out.subtitle, out.methods["subtitle"] = parts.header_zone[0], "text:dash-line"
    around = parts.header_zone + parts.tail_zone
    for chunk in around:
        if out.source is None and (source := pt.find_source(chunk)):
            out.source, out.methods["source"] = source, "text:label"
        if out.editor is None and (editor := pt.find_editor(chunk)):
            out.editor, out.methods["editor"] = editor, "text:label"
    if not out.authors:
        for chunk in parts.header_zone:
            if names := pt.authors_in(chunk):
                out.authors, out.methods["authors"] = names, "text:label"
                break
    if out.source is None and (meta := _meta(root, "source")):
        out.source, out.methods["source"] = meta, "meta:source"
    if out.source:
        out.methods.setdefault("source", "text:line")
    if out.editor:
        out.methods.setdefault("editor", "text:line")


def _flag(out: Extracted) -> None:
    text = f"{out.title}\n{out.subtitle or ''}\n{out.body}"
    if pt.PINYIN_DAMAGE.search(text):
        out.quality.append("pinyin_damage")
    if pt.MOJIBAKE.search(text):
        out.quality.append("mojibake")
    if out.published_at is None:
        out.quality.append("no_date")
