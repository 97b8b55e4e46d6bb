"""Crawler extraction, step 3: where the article text is, and its lines.

The container is the element with the largest *sum* of text-node weights in its subtree (a maximum
subtree, after Finn et al.'s Body Text Extraction): prose counts for itself, links and short unpunctuated
fragments (menus, tabs, dates) count against. An element holding every paragraph and little furniture
wins over both a single paragraph and the whole page, whatever the CMS calls its tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree, html

# Sentence punctuation (not colons: labels such as 来源: use them).
_PUNCT = re.compile(r"[，。；！？、“”,;!?]")
_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Text shorter than this without punctuation is a label or a menu item, not prose.
FRAGMENT_CHARS = 20
_HEADINGS = {"h1", "h2", "title"}
# Never text of the page, even when no furniture filter ran (the unfiltered fallback).
_INVISIBLE = {"script", "style", "noscript", "template", "textarea", "select", "option"}
# How far up from the headline the article text is looked for first, and how much prose it must hold
# there (absolute, and as a share of the best anywhere on the page) to be preferred.
TITLE_REACH = 4
NEAR_TITLE_MIN_SCORE = 150.0
NEAR_TITLE_SHARE = 0.01
# Elements that end a line of text (everything else is inline).
BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "tbody", "h1", "h2", "h3", "h4", "h5",
    "h6", "section", "article", "main", "blockquote", "pre", "dd", "dt", "dl", "center", "figure",
    "figcaption", "hr", "header", "footer", "form",
}  # fmt: skip


def _chars(text: str) -> int:
    return len(_SPACE.sub("", text))


def text_weight(text: str, in_link: bool) -> float:
    """Evidence that a text node is article prose (positive) or page furniture (negative)."""
    n = _chars(text)
    if not n:
        return 0.0
    if in_link:
        return -float(n)
    punct = len(_PUNCT.findall(text))
    if punct or (n >= 30 and _HAN.search(text)):  # long runs of digits are ids, not prose
        return n + 3.0 * punct
    return float(n - FRAGMENT_CHARS)


def _in_link(element: etree._Element, link_cache: dict[etree._Element, bool]) -> bool:
    if element in link_cache:
        return link_cache[element]
    parent = element.getparent()
    value = element.tag == "a" or (parent is not None and _in_link(parent, link_cache))
    link_cache[element] = value
    return value


def subtree_scores(root: html.HtmlElement) -> dict[etree._Element, float]:
    """Sum of text weights under every element (headings weigh nothing: they are found separately)."""
    scores: dict[etree._Element, float] = {}
    links: dict[etree._Element, bool] = {}
    for element in reversed(list(root.iter())):  # children before parents
        if not isinstance(element.tag, str):
            continue
        own = 0.0
        if element.tag in _INVISIBLE:
            scores[element] = 0.0
            continue
        if element.tag not in _HEADINGS:
            if element.text:
                own += text_weight(element.text, _in_link(element, links))
            for child in element:
                if child.tail:
                    own += text_weight(child.tail, _in_link(element, links))
        scores[element] = own + sum(scores.get(child, 0.0) for child in element)
    return scores


def _best(
    scope: html.HtmlElement, scores: dict[etree._Element, float]
) -> tuple[float, html.HtmlElement] | None:
    best: tuple[float, html.HtmlElement] | None = None
    for element in scope.iter():
        if not isinstance(element.tag, str) or element.tag in ("a", "html", "head"):
            continue
        score = scores.get(element, 0.0)
        if score > 0 and (best is None or score >= best[0]):
            best = (score, element)
    return best


def find_container(root: html.HtmlElement, title: html.HtmlElement | None = None) -> html.HtmlElement | None:
    """The element with the largest subtree score (the deepest one among equals); None if no prose.

    With a known headline, the search stays near it first (within ``TITLE_REACH`` ancestors): on pages
    that list several stories, the one under the headline is the article, not the sum of them all.
    """
    scores = subtree_scores(root)
    best = _best(root, scores)
    if best is None or title is None:
        return best[1] if best else None
    scope = title
    for _ in range(TITLE_REACH):
        parent = scope.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        scope = parent
    near = _best(scope, scores)
    if near is not None and near[0] >= max(NEAR_TITLE_MIN_SCORE, NEAR_TITLE_SHARE * best[0]):
        return near[1]
    return best[1]


@dataclass
class Line:
    """One line of the container's text, with how much of it is link text."""

    text: str
    link_chars: int = 0

    @property
    def link_heavy(self) -> bool:
        return self.link_chars * 2 > _chars(self.text)


def lines_of(container: html.HtmlElement) -> list[Line]:
    """The container's text broken at block elements and <br>, in document order."""
    lines: list[Line] = []
    current: list[str] = []
    link_chars = 0

    def flush() -> None:
        nonlocal link_chars
        text = _clean("".join(current))
        if text:
            lines.append(Line(text, link_chars))
        current.clear()
        link_chars = 0

    def walk(element: etree._Element, in_link: bool) -> None:
        nonlocal link_chars
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE:
            return
        is_block = element.tag in BLOCK_TAGS
        in_link = in_link or element.tag == "a"
        if is_block:
            flush()
        if element.text:
            current.append(element.text)
            link_chars += _chars(element.text) if in_link else 0
        for child in element:
            walk(child, in_link)
            if child.tail:
                current.append(child.tail)
                link_chars += _chars(child.tail) if in_link else 0
        if is_block:
            flush()

    walk(container, False)
    flush()
    return lines


def _clean(text: str) -> str:
    return re.sub(r"[ \t\r\n\f\v\u3000\xa0]+", " ", text).strip()
