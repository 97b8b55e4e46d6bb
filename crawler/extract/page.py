"""Crawler extraction, step 2: the parts of a decoded page — title element, article text container,
and the text just before and after it (where CMSs print the date, 来源, byline and editor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

from crawler.extract.patterns import clean_space

# Not <form>: some CMSs (VSB/博达 on many government and university sites) wrap the article in one.
_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "select")
# class/id words of page furniture (navigation, widgets, footers, related lists): a class or id is
# furniture when one of its -/_ separated parts is such a word ("main-nav", "footer_wrap").
_NOISE_WORDS = frozenset(
    "nav navbar menu topbar header footer foot copyright statement share bdshare bdsharebuttonbox "
    "related xgxw xgwz relate crumb breadcrumb position location sidebar hot rank comment comments "
    "toolbar font fontsize print views hits search advert banner qrcode".split()
)
# Abbreviations that are furniture only as a whole class ("hd", "ft"), never as a part: "oflow-hd" is
# a CSS utility (overflow: hidden) on many article wrappers.
_NOISE_EXACT = frozenset({"hd", "ft", "ad", "ads", "pages"})  # "pages_content" is gov.cn's article
_CLOSE_DOCUMENT = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
_XML_INCOMPATIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# How much text before the article text may hold its date/source (a title block, not a whole sidebar).
HEADER_ZONE_CHARS = 400
TAIL_ZONE_CHARS = 600


@dataclass
class Chunk:
    text: str
    element: etree._Element


@dataclass
class Parts:
    root: html.HtmlElement
    title_element: html.HtmlElement | None = None
    container: html.HtmlElement | None = None
    header_zone: list[str] = field(default_factory=list)  # text chunks between title and text
    tail_zone: list[str] = field(default_factory=list)  # text chunks right after the text


def parse(text: str) -> html.HtmlElement:
    """The page's element tree; an empty tree for text lxml cannot make a document of."""
    # lxml refuses str input with an XML encoding declaration, and text nodes with control characters
    # (a later edit of such a node raises); neither carries meaning in an article.
    text = _XML_INCOMPATIBLE.sub("", re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    text = re.sub(r"<[^<>]{0,200}$", "", text)  # a download cut inside a tag: the half tag is not text
    # Browsers read on after a stray </html> (an included header fragment closing the page early);
    # libxml2 drops everything after it.
    text = _CLOSE_DOCUMENT.sub("", text)
    try:
        root = html.document_fromstring(text) if text.strip() else _empty()
    except (etree.ParserError, ValueError):
        root = _empty()
    if not isinstance(root.tag, str):
        root = _empty()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return root


def _empty() -> html.HtmlElement:
    return html.document_fromstring("<html><body></body></html>")


def is_noise(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return True
    if element.tag in _DROP_TAGS:
        return True
    for token in f"{element.get('class', '')} {element.get('id', '')}".lower().split():
        if token in _NOISE_EXACT or not _NOISE_WORDS.isdisjoint(re.split(r"[_-]", token)):
            return True
    return False


def strip_noise(root: html.HtmlElement, keep: set[etree._Element]) -> None:
    """Remove page furniture in place, except elements in ``keep`` and their ancestors."""
    protected = set(keep)
    for element in keep:
        protected.update(element.iterancestors())
    doomed = [
        e
        for e in root.iter()
        if e is not root and e.tag not in ("html", "body") and e not in protected and is_noise(e)
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def text_stream(root: html.HtmlElement) -> list[tuple[str, etree._Element, str]]:
    """Every text node in document order, with its element and whether it is ``text`` or ``tail``."""
    stream: list[tuple[str, etree._Element, str]] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        if event == "start" and element.text:
            stream.append((element.text, element, "start"))
        elif event == "end" and element.tail and element is not root:
            stream.append((element.tail, element, "end"))
    return stream


def zones(root: html.HtmlElement, title: html.HtmlElement | None, container: html.HtmlElement) -> Parts:
    """The text chunks between the title and the container, and right after the container."""
    inside_container = set(container.iter())
    inside_title = set(title.iter()) if title is not None else set()
    parts = Parts(root=root, title_element=title, container=container)
    before: list[str] = []
    after: list[str] = []
    state = "before-title" if title is not None else "header"
    seen_title = False
    for text, element, kind in text_stream(root):
        in_container = element in inside_container and not (kind == "end" and element is container)
        in_title = element in inside_title and not (kind == "end" and element is title)
        if state in ("before-title", "header") and in_container:
            state = "body"
        if state == "before-title":
            seen_title = seen_title or in_title
            if in_title or not seen_title:
                continue
            state = "header"  # the first text after the title (a title without tail text has no end event)
        if state == "header" and not in_title:
            before.append(text)
        elif state == "body" and not in_container:
            state = "tail"
        if state == "tail":
            after.append(text)
    parts.header_zone = _limit(
        [clean_space(t) for t in before if t.strip()], HEADER_ZONE_CHARS, from_end=True
    )
    parts.tail_zone = _limit([clean_space(t) for t in after if t.strip()], TAIL_ZONE_CHARS, from_end=False)
    return parts


def _limit(chunks: list[str], budget: int, from_end: bool) -> list[str]:
    ordered = list(reversed(chunks)) if from_end else chunks
    kept: list[str] = []
    for chunk in ordered:
        if budget <= 0:
            break
        kept.append(chunk)
        budget -= len(chunk)
    return list(reversed(kept)) if from_end else kept
