"""Crawler extraction, step 2: the parts of a decoded page — title element, article text container,
and the text just before and after it (where CMSs print the date, 来源, byline and editor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree, html

from crawler.extract.patterns import clean_space

_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "header", "footer", "aside", "select")
# class/id words of page furniture (navigation, widgets, footers, related lists); matched as whole words.
_NOISE_WORDS = (
    "nav|navbar|menu|topbar|top-bar|header|hd|footer|foot|ft|copyright|statement|share|bdshare|"
    "bdsharebuttonbox|related|xgxw|xgwz|relate|crumb|breadcrumb|position|location|sidebar|right|hot|rank|"
    "comment|comments|toolbar|font|fontsize|print|views|hits|search|ad|ads|advert|banner|qrcode|pages|page-nav"
)
_NOISE = re.compile(rf"(?:^|[\s_-])(?:{_NOISE_WORDS})(?:$|[\s_-])", re.IGNORECASE)
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
    # lxml refuses str input with an XML encoding declaration; strip it.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    root = html.document_fromstring(text or "<html></html>")
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return root


def is_noise(element: etree._Element) -> bool:
    if not isinstance(element.tag, str):
        return True
    if element.tag in _DROP_TAGS:
        return True
    words = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(_NOISE.search(words))


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


def _paragraph_score(element: html.HtmlElement) -> int:
    score = 0
    for child in element:
        if isinstance(child.tag, str) and child.tag in ("p", "section"):
            text = child.text_content()
            score += len(text) + 10 * len(re.findall(r"[，。,；;！？]", text))
    return score


def find_container(root: html.HtmlElement) -> html.HtmlElement | None:
    """The element whose own paragraphs hold the most prose (commas count: prose has them, menus don't)."""
    best: tuple[int, html.HtmlElement] | None = None
    for element in root.iter("div", "article", "section", "td", "body"):
        score = _paragraph_score(element)
        if score and (best is None or score > best[0]):
            best = (score, element)
    if best is not None:
        return best[1]
    # No <p> at all: the block with the most direct text (pages written with <br>).
    for element in root.iter("div", "td", "article"):
        own = "".join(t for t in element.xpath("text()") if isinstance(t, str))
        if len(own.strip()) > 50 and (best is None or len(own) > best[0]):
            best = (len(own), element)
    return best[1] if best else None


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
    for text, element, kind in text_stream(root):
        in_container = element in inside_container and not (kind == "end" and element is container)
        if state in ("before-title", "header") and in_container:
            state = "body"
        if state == "before-title":
            if element is title and kind == "end":
                state = "header"
            continue
        if state == "header" and element not in inside_title:
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
