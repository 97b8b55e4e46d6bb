"""Crawler extraction: ``extract(url, body, headers, site) -> Extracted``, the pure function the spider calls.

Generic for Chinese news CMS pages; a site's optional CSS selectors take precedence when they match.
Steps: decode (``decode``) -> parse and strip furniture (``page``) -> find the text (``blocks``) ->
title, time, images (``fields``) -> sort the text's lines into body, byline, editor, source (here).
"""

from __future__ import annotations

import codecs
import copy
import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lxml import html
from pydantic import BaseModel, Field

from crawler.extract import credits
from crawler.extract import patterns as pt
from crawler.extract.blocks import Line, find_container, lines_of, subtree_scores
from crawler.extract.decode import decode_html
from crawler.extract.fields import find_title, images, meta_tag, published_at, select
from crawler.extract.links import PageLink, page_links
from crawler.extract.page import Parts, parse, strip_noise, zones
from crawler.extract.pages import find_pages, strip_pagers
from crawler.sites import Selectors, SiteConfig

log = logging.getLogger(__name__)

# Below this many characters the chosen container is a leftover, not the article text: a site's
# text column was taken for furniture (e.g. called "right"), or a site selector matched a wrong element.
MIN_CONTAINER_CHARS = 40
_MARK = "data-jiancha-title"
_SNIFF_BYTES = 2048
# Every byte but the control bytes no text has (NUL–BS, SO–US): deleting these leaves the controls.
_NOT_CONTROL = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32))
MIN_HEADING_CHARS, MAX_HEADING_CHARS = 4, 60
# An index page's text: shorter than this, with several times more link text than prose.
LIST_BODY_CHARS = 200
_SENTENCE_END = re.compile(r"[。！？!?…”」』）)]$|[。！？!?]")
_CLOSING_BRACKET = re.compile(r"[（(][^（()）]{2,30}[）)]$")
# A trailing line shorter than this with no sentence punctuation is a footer (班级, 网站名 …), not text.
TRAILER_CHARS = 25
# How many text chunks after the article text may hold its byline.
TAIL_BYLINE_CHUNKS = 4


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
    # An article split over several pages: the pages its pager names, in order, this one included
    # (empty: one page). The first is the article's first page unless a pager window hides it; the
    # crawler fetches and joins them, a saved file only names them.
    page_urls: list[str] = Field(default_factory=list)
    # The page's links (``links.page_links``), for the crawler to follow; not part of the article.
    links: list[PageLink] = Field(default_factory=list, exclude=True)


def _container(
    root: html.HtmlElement, raw: html.HtmlElement, selectors: Selectors | None, out: Extracted
) -> tuple[html.HtmlElement, html.HtmlElement | None, str]:
    """(tree, container, method): the site's body selector if it finds text, else the generic search."""
    if selectors and selectors.body:
        for tree in (root, raw):
            chosen = select(tree, selectors.body)
            # A selector that now matches a menu or an empty box (a redesign) must not win over prose.
            if chosen is not None and subtree_scores(chosen).get(chosen, 0.0) > 0:
                return tree, chosen, "selector"
        out.quality.append("selector_missed")  # a wrong or outdated selector: generic rules take over
    container = find_container(root, root.find(f".//*[@{_MARK}]"))
    if container is not None and len(container.text_content().strip()) >= MIN_CONTAINER_CHARS:
        return root, container, "density"
    # The furniture filter ate the article (a site calling its text column "right").
    return raw, find_container(raw, raw.find(f".//*[@{_MARK}]")), "density-unfiltered"


def extract(url: str, body: bytes, headers: Mapping[str, str], site: SiteConfig | None = None) -> Extracted:
    """Title, dates, source, byline, editor, text and images of a news page (see ``Extracted``)."""
    if not body.strip():
        return Extracted(quality=["empty"])
    if _is_binary(body):
        return Extracted(quality=["binary"])  # an image or a PDF served as text/html: nothing to read
    decoded = decode_html(body, headers)
    out = Extracted(encoding=decoded.encoding, quality=list(decoded.quality))
    out.methods["encoding"] = decoded.method
    selectors = site.selectors if site else None
    raw = parse(decoded.text)
    out.links = page_links(raw, url)  # before any step marks or edits the tree
    title_element, title, out.methods["title"] = find_title(raw, selectors)
    out.column, out.title = pt.split_column(title)
    if title_element is not None:
        title_element.set(_MARK, "1")
    root = copy.deepcopy(raw)
    kept_title = root.find(f".//*[@{_MARK}]")
    strip_noise(root, {kept_title} if kept_title is not None else set())
    strip_pagers(root)
    tree, container, body_method = _container(root, raw, selectors, out)
    if container is None:
        out.quality.append("no_text")
        if sum(len(a.text_content().strip()) for a in raw.iter("a")) >= LIST_BODY_CHARS:
            out.quality.append("link_list")
        return out
    parts = zones(tree, tree.find(f".//*[@{_MARK}]"), container)
    all_lines = lines_of(container)
    lines = [line for line in all_lines if not line.link_heavy]
    out.images = images(container, url)
    _sort_lines(lines, {title, out.title}, out)
    if not out.title and (first := out.body.split("\n", 1)[0]) and _looks_like_heading(first):
        # No <title>, heading or meta: reports put the title on the text's first line.
        out.title, out.methods["title"] = first, "text:first-line"
        out.body = out.body[len(first) :].lstrip("\n")
    link_chars = sum(len(line.text) for line in all_lines if line.link_heavy)
    if len(out.body) < LIST_BODY_CHARS and link_chars > 3 * len(out.body):
        out.quality.append("link_list")  # a list of links (an index page), not an article
    out.methods["body"] = body_method
    texts = [line.text for line in lines]
    out.published_at, date_method = published_at(raw, parts, texts, url, selectors)
    if date_method:
        out.methods["published_at"] = date_method
    _labels(raw, parts, out)
    if not out.authors and out.source and pt.is_personal_name(out.source):
        # "来源：尹娟" names no outlet but the person who supplied the text: the writer.
        out.authors, out.methods["authors"] = [out.source], "text:source-person"
    if "link_list" not in out.quality:  # a list page's pager pages through the list, not an article
        out.page_urls, pages_method = find_pages(raw, url, raw.find(f".//*[@{_MARK}]"))
        if pages_method:
            out.methods["pages"] = pages_method
    _flag(out)
    return out


def _is_binary(body: bytes) -> bool:
    """NUL bytes or mostly control bytes at the start: no HTML page in any encoding looks like that."""
    head = body[:_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False  # UTF-16 text has NUL bytes
    controls = len(head.translate(None, _NOT_CONTROL))
    return b"\x00" in head or controls > len(head) * 0.05


def _sort_lines(lines: list[Line], titles: set[str], out: Extracted) -> None:
    """Each line of the text is body, or a byline, editor, source, info or credit line."""
    captions = {image["caption"] for image in out.images if image.get("caption")}
    kept: list[str] = []
    for line in (line.text for line in lines):
        if len(line) <= 80 and (pt.is_boilerplate(line) or _is_info_line(line) or pt.is_source_line(line)):
            _harvest(line, out)
        if line in captions or line in titles or pt.is_boilerplate(line):
            continue
        if out.subtitle is None and not kept and pt.SUBTITLE.match(line) and len(line) <= 80:
            out.subtitle, out.methods["subtitle"] = line, "text:dash-line"
            continue
        if pt.is_byline(line) or (names := credits.closing_credit(line)):
            names = pt.authors_in(line) or credits.closing_credit(line)
            out.authors += [a for a in names if a not in out.authors]
            if names:
                out.methods.setdefault("authors", "text:byline")
            continue
        if pt.is_editor_line(line):
            out.editor = out.editor or pt.find_editor(line)
            continue
        if pt.is_source_line(line):
            continue
        if _is_info_line(line):
            continue
        if len(kept) < 2 and not out.authors and (names := credits.dateline_authors(line)):
            out.authors, out.methods["authors"] = names, "text:dateline"
        kept.append(line)
    while kept and len(kept[-1]) <= TRAILER_CHARS and not _SENTENCE_END.search(kept[-1]):
        kept.pop()
    for line in kept[-2:]:  # a credit closing the last paragraph: "…作用。（总台记者 张倩）"
        closing = _CLOSING_BRACKET.search(line)
        if not out.authors and closing and (names := credits.closing_credit(closing.group())):
            out.authors, out.methods["authors"] = names, "text:closing-credit"
    out.body = "\n".join(kept)


def _harvest(line: str, out: Extracted) -> None:
    """Source, authors and editor printed on one info line: ``2021-08-13 来源:山西日报 作者:邓伟强``."""
    if out.source is None and (source := pt.find_source(line)):
        out.source, out.methods["source"] = source, "text:info-line"
    if not out.authors and (names := pt.authors_in(line)):
        out.authors, out.methods["authors"] = names, "text:info-line"
    if out.editor is None and (editor := pt.find_editor(line)):
        out.editor, out.methods["editor"] = editor, "text:info-line"


def _looks_like_heading(line: str) -> bool:
    return MIN_HEADING_CHARS <= len(line) <= MAX_HEADING_CHARS and not re.search(r"[，。；！？,;!?]", line)


def _is_info_line(line: str) -> bool:
    """The date/source line a CMS prints under the title, when it sits inside the text container."""
    return len(line) <= 60 and pt.parse_datetime(line) is not None and not re.search(r"[，。！？；]", line)


def _labels(root: html.HtmlElement, parts: Parts, out: Extracted) -> None:
    """Subtitle, source, authors and editor printed around the text (info line, tail)."""
    if out.subtitle is None and parts.header_zone and pt.SUBTITLE.match(parts.header_zone[0]):
        out.subtitle, out.methods["subtitle"] = parts.header_zone[0], "text:dash-line"
    # Joined too: a label and its value can sit in two elements ("来源：[ <a>人民网</a> ]").
    around = [*parts.header_zone, " ".join(parts.header_zone), *parts.tail_zone]
    for chunk in around:
        if out.source is None and (source := pt.find_source(chunk)):
            out.source, out.methods["source"] = source, "text:label"
        if out.editor is None and (editor := pt.find_editor(chunk)):
            out.editor, out.methods["editor"] = editor, "text:label"
    if not out.authors:
        pieces = [piece for chunk in parts.header_zone for piece in chunk.split("\n")]
        for piece in [*pieces, " ".join(pieces)]:  # joined: "<small>作者:</small>赵丽"
            if names := pt.authors_in(piece) or credits.bracketed_name(piece):
                out.authors, out.methods["authors"] = names, "text:label"
                break
    if not out.authors:
        # Some CMSs print the byline right under the text (作者： 记者王敬照 | 编辑： …); only a chunk that is
        # a byline counts there, not a name in the related stories that follow.
        for chunk in parts.tail_zone[:TAIL_BYLINE_CHUNKS]:
            if pt.is_byline(one := " ".join(chunk.split())) and (names := pt.authors_in(one)):
                out.authors, out.methods["authors"] = names, "text:after-article"
                break
    if out.source is None and (meta := meta_tag(root, "source")):
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
