"""Crawler extraction, step 4: the fields found outside the text lines — title, publication time, images.

Each function returns the value and the method that found it (``Extracted.methods``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree, html

from crawler.extract import patterns as pt
from crawler.extract.page import Parts, is_noise
from crawler.sites import Selectors

# A page title's trailing "- 新华网" / "_探索者 _光明网": separators, then a short site or channel name.
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜–—]|-{1,2}|\s-\s)\s*[^_|｜–—-]{1,16}\s*$")
_TITLE_CLASS = re.compile(r"title|headline|biaoti|bt", re.IGNORECASE)
# A headline is at least this long; shorter matches of the <title> are breadcrumbs or site names.
MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 120
# Captions are a line; longer "captions" are text that belongs to the body.
MAX_CAPTION_CHARS = 80


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def select(root: html.HtmlElement, css: str | None) -> html.HtmlElement | None:
    """The first element matching a site's selector; None if unset, invalid or matching nothing."""
    if not css:
        return None
    try:
        found = root.cssselect(css)
    except Exception:  # cssselect raises several types for a bad selector; a site config must not crash
        return None
    return found[0] if found else None


def meta_tag(root: html.HtmlElement, name: str) -> str | None:
    for element in root.iter("meta"):
        key = (element.get("name") or element.get("property") or element.get("itemprop") or "").lower()
        if key == name.lower() and element.get("content"):
            return str(element.get("content")).strip()
    return None


def strip_title_suffix(page_title: str) -> str:
    title = one_line(page_title)
    while (shorter := _TITLE_SUFFIX.sub("", title)) != title and len(shorter) >= MIN_TITLE_CHARS * 2:
        title = shorter
    return title


def _title_rank(element: html.HtmlElement) -> int:
    if element.tag == "h1":
        return 0
    if element.tag in ("h2", "h3"):
        return 1
    return 2 if _TITLE_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}") else 3


def _hidden(element: html.HtmlElement) -> bool:
    """Inside furniture or invisible: share widgets and hidden blocks repeat the <title> verbatim."""
    for node in (element, *element.iterancestors()):
        if is_noise(node) or "display:none" in (node.get("style") or "").replace(" ", "").lower():
            return True
    return False


def find_title(
    root: html.HtmlElement, selectors: Selectors | None
) -> tuple[html.HtmlElement | None, str, str]:
    """The headline element, its text and the method: selector, the heading the <title> repeats, h1, meta."""
    chosen = select(root, selectors.title if selectors else None)
    if chosen is not None and one_line(chosen.text_content()):
        return chosen, one_line(chosen.text_content()), "selector"
    page_title = one_line(root.findtext(".//title") or "")
    body = root.find("body")
    candidates: list[tuple[int, int, html.HtmlElement, str]] = []
    first_h1: html.HtmlElement | None = None
    for element in body.iter() if body is not None else ():
        if not isinstance(element.tag, str) or element.tag in ("a", "title", "script", "style"):
            continue
        text = one_line(element.text_content())
        if not MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS:
            continue
        if element.tag == "h1" and first_h1 is None:
            first_h1 = element
        if (text in page_title or text in (meta_tag(root, "og:title") or "")) and not _hidden(element):
            # The longest text the <title> repeats; a heading beats a plain element of the same text.
            candidates.append((-len(text), _title_rank(element), element, text))
    if candidates:
        _, rank, element, text = min(candidates, key=lambda c: (c[0], c[1]))
        return element, text, element.tag if rank < 2 else "element:title-match"
    if first_h1 is not None:
        return first_h1, one_line(first_h1.text_content()), "h1"
    for meta_name in ("og:title", "ArticleTitle", "title"):
        if content := meta_tag(root, meta_name):
            return None, strip_title_suffix(content), f"meta:{meta_name}"
    return None, strip_title_suffix(page_title), "title-tag"


def _json_ld_date(root: html.HtmlElement) -> datetime | None:
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        found = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.text)
        if found and (value := pt.parse_datetime(found.group(1))):
            return value
    return None


def _founder_date(root: html.HtmlElement) -> datetime | None:
    """Founder (方正) e-paper pages keep the article's properties in a comment: <!--enpproperty <date>…"""
    for comment in root.iter(etree.Comment):
        text = comment.text or ""
        if "enpproperty" in text and (found := re.search(r"<date>([^<]+)</date>", text)):
            return pt.parse_datetime(found.group(1))
    return None


def _with_shown_time(value: datetime, parts: Parts, lines: list[str]) -> datetime:
    """A date without its time (midnight) from the metadata takes the time the page prints beside the
    title or at the top of the text for the same day (2021-05-01 → 2021-05-01 10:30 +08:00)."""
    if (value.hour, value.minute, value.second) != (0, 0, 0):
        return value
    for chunk in [*reversed(parts.header_zone), *lines[:5]]:
        if len(chunk) > 200:
            continue
        shown = pt.parse_datetime(chunk)
        if shown is not None and shown.date() == value.date() and (shown.hour, shown.minute) != (0, 0):
            return shown
    return value


def published_at(
    root: html.HtmlElement, parts: Parts, lines: list[str], url: str, selectors: Selectors | None
) -> tuple[datetime | None, str]:
    """Selector, <meta> of common CMSs, JSON-LD, the lines around the title, the text's first and last
    lines, then the URL — never the lists around the article (their dates belong to other stories)."""
    chosen = select(root, selectors.published_at if selectors else None)
    if chosen is not None and (value := pt.parse_datetime(chosen.text_content())):
        return _with_shown_time(value, parts, lines), "selector"
    for name in pt.DATE_META_NAMES:
        content = meta_tag(root, name)
        if content and (value := pt.parse_datetime(content)):
            return _with_shown_time(value, parts, lines), f"meta:{name}"
    if value := _json_ld_date(root):
        return _with_shown_time(value, parts, lines), "json-ld"
    if value := _founder_date(root):
        return _with_shown_time(value, parts, lines), "cms:founder"
    for chunk in reversed(parts.header_zone):  # the closest to the text first
        if value := pt.parse_datetime(chunk):
            return value, "text:near-title"
    for line in lines[:5] + lines[-3:]:
        # A month alone ("2003年5月") only on a line of its own, as reports and e-papers print it.
        if len(line) <= 60 and (value := pt.parse_datetime(line, allow_month=len(line) <= 12)):
            return value, "text:in-article"
    for chunk in parts.tail_zone[:4]:
        if len(chunk) <= 60 and (value := pt.parse_datetime(chunk)):
            return value, "text:after-article"
    if value := pt.date_in_url(url):
        return value, "url"
    return None, ""


def images(container: html.HtmlElement, url: str) -> list[dict[str, Any]]:
    found = []
    for img in container.iter("img"):
        src = img.get("src") or img.get("data-src")
        if not src or src.startswith("data:"):
            continue
        caption = pt.clean_space(img.get("alt") or "") or None
        if caption is not None and len(caption) > MAX_CAPTION_CHARS:
            caption = None  # the page's description pasted into alt (it repeats a paragraph), not a caption
        figure = next((a for a in img.iterancestors() if a.tag in ("p", "figure", "div")), None)
        if caption is None and figure is not None:
            figcaption = figure.find(".//figcaption")
            beside = pt.clean_space(figure.text_content())
            if figcaption is not None:
                caption = pt.clean_space(figcaption.text_content())
            elif 0 < len(beside) <= MAX_CAPTION_CHARS and len(figure.findall(".//img")) == 1:
                caption = beside  # printed in the image's own block (<p><img><span>说明</span></p>)
            else:
                following = figure.getnext()
                while following is not None and not isinstance(following.tag, str):
                    following = following.getnext()  # comments and processing instructions
                text = pt.clean_space(following.text_content()) if following is not None else ""
                if (
                    following is not None
                    and following.tag == "p"
                    and 0 < len(text) <= MAX_CAPTION_CHARS
                    and following.find(".//img") is None
                    and _reads_as_caption(following, text)
                ):
                    caption = text
        found.append({"src": urljoin(url, src), "caption": caption})
    return found


_CAPTION_WORDING = re.compile(
    r"^(?:图为|图：|图:|上图|下图|左图|右图|▲|△|↑)|(?:摄|攝|供图|供圖|资料图|資料圖|截图|截圖)\W*$"
)
_SENTENCE_END = re.compile(r"[。！？!?][”’」』\"]?$")


def _reads_as_caption(paragraph: html.HtmlElement, text: str) -> bool:
    """The paragraph after an image is its caption when it is worded or styled as one, or is no sentence;
    a paragraph of the story (钟南山说：“……能过关。”) that happens to follow an image is not."""
    if _CAPTION_WORDING.search(text) or not _SENTENCE_END.search(text):
        return True
    styled = [paragraph, *paragraph.iterdescendants()]
    return paragraph.get("align") == "center" or any(
        e.tag in ("font", "em", "i", "small")
        or "caption" in (e.get("class") or "")
        or "center" in (e.get("style") or "")
        for e in styled
        if isinstance(e.tag, str)
    )
