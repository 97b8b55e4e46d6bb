"""Crawler extraction: articles split over several pages (``t123.html``, ``t123_1.html`` …; ``602.shtml``,
``602_2.shtml`` …). ``find_pages`` reads the page list from a pager (numbered or 下一页 links after the
headline, or a TRS ``createPageHTML(…)`` call); ``merge_pages`` and ``join_pages`` let the crawler put the
pages it fetched back together as one article, keyed on the first page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from lxml import html

from crawler.extract.patterns import is_pager_line

if TYPE_CHECKING:  # the extractor calls find_pages: a runtime import would be circular
    from crawler.extract.extractor import Extracted

# Longer articles are almost unheard of; past this a "pager" is more likely an archive than one article.
MAX_PAGES = 20
INCOMPLETE = "incomplete:pages"
# The text of a pager link: a page number, 第N页, or a step (下一页, 尾页 …).
_PAGE_LABEL = re.compile(
    r"^[\[【(（]?\s*(?:\d{1,2}|第\s*\d{1,2}\s*[页頁]|[上下]一?[页頁]|[前后後][页頁]|首[页頁]|尾[页頁]|末[页頁]|"
    r"next|prev(?:ious)?|[<>«»‹›]{1,2})\s*[\]】)）]?$",
    re.IGNORECASE,
)
# TRS WCM writes its pager with a script: createPageHTML(page count, current page from 0, "name", "ext").
_TRS_PAGER = re.compile(
    r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w.-]+)[\"']\s*,\s*[\"'](\w+)[\"']\s*\)"
)
_NUMBERED = re.compile(r"^(?P<stem>.+)_(?P<number>\d{1,2})$")


@dataclass(frozen=True)
class _PageName:
    """A page URL cut into what pages of one article share (folder, extension, query) and its stem."""

    folder: str
    stem: str
    ext: str
    query: str

    @classmethod
    def of(cls, url: str) -> _PageName | None:
        parts = urlsplit(url)
        folder, _, filename = parts.path.rpartition("/")
        stem, dot, ext = filename.rpartition(".")
        if not dot or not stem:
            return None
        return cls(f"{parts.scheme}://{parts.netloc}{folder}/", stem, ext, parts.query)

    def sibling(self, stem: str) -> str:
        return f"{self.folder}{stem}.{self.ext}" + (f"?{self.query}" if self.query else "")

    def bases(self) -> list[str]:
        """The stems the first page may have: this page's (it is the first) or without its ``_N``."""
        match = _NUMBERED.match(self.stem)
        return [self.stem, match.group("stem")] if match else [self.stem]

    def number_under(self, base: str) -> int | None:
        """This page's position in the article whose first page has the stem ``base`` (first page: 0)."""
        if self.stem == base:
            return 0
        match = _NUMBERED.match(self.stem)
        return int(match.group("number")) if match and match.group("stem") == base else None


def find_pages(root: html.HtmlElement, url: str, title: html.HtmlElement | None) -> tuple[list[str], str]:
    """The pages of the article that ``url`` names, in page order (this one included), and how it found
    them. A pager that shows a window of page numbers may hide the first page: the earliest one named
    then comes first, and its own pager goes further back.

    ``([], "")`` for a one-page article. Pages are siblings of ``url`` in the same folder whose names add
    ``_N`` to the first page's; only links labelled as pager steps count, and only after the headline
    (a navigation bar before it may link list pages named the same way).
    """
    me = _PageName.of(url)
    if me is None:
        return [], ""
    if pages := _trs_pages(root, me):
        return pages, "pager:createPageHTML"
    labelled = [_PageName.of(link) for link in _pager_links(root, url, title)]
    candidates = [name for name in labelled if name is not None and _same_folder(name, me)]
    for base in me.bases():
        here = me.number_under(base)
        linked = {name.number_under(base) for name in candidates} - {None, here}
        if linked:
            # Only pages the pager names: "t1_1" may be page 2 (TRS: t1, t1_1 …) or page 1 (a_1, a_2 …).
            numbers = sorted(n for n in linked | {here} if n is not None)
            return [me.sibling(_stem(base, n)) for n in numbers][:MAX_PAGES], "pager:links"
    return [], ""


def _stem(base: str, number: int) -> str:
    return base if number == 0 else f"{base}_{number}"


def strip_pagers(root: html.HtmlElement) -> None:
    """Remove pager blocks (``共3页 上一页 1 2 3 下一页``) in place, whatever their class: inside the text
    their links and labels weigh against it, and they are never part of the article."""
    doomed = []
    for link in root.iter("a"):
        if not _PAGE_LABEL.match(" ".join(link.text_content().split())):
            continue
        block = None
        for element in link.iterancestors():
            if element.tag in ("body", "html") or not is_pager_line(" ".join(element.text_content().split())):
                break
            block = element
        if block is not None:
            doomed.append(block)
    for block in doomed:
        if block.getparent() is not None:
            block.drop_tree()


def _same_folder(name: _PageName, me: _PageName) -> bool:
    return (name.folder, name.ext, name.query) == (me.folder, me.ext, me.query)


def _pager_links(root: html.HtmlElement, url: str, title: html.HtmlElement | None) -> list[str]:
    after_title = title is None
    found = []
    for element in root.iter():
        if element is title:
            after_title = True
        if not after_title or element.tag != "a" or not element.get("href"):
            continue
        if _PAGE_LABEL.match(" ".join(element.text_content().split())):
            found.append(urljoin(url, str(element.get("href")).strip()))
    return found


def _trs_pages(root: html.HtmlElement, me: _PageName) -> list[str]:
    """The pages a TRS ``createPageHTML(count, current, name, ext)`` call names, if it is about this page."""
    for script in root.iter("script"):
        text = script.text or ""
        if (call := _TRS_PAGER.search(text)) is None:
            continue
        count, current = _script_int(call.group(1), text), _script_int(call.group(2), text)
        base, ext = call.group(3), call.group(4)
        if count is None or current is None or not 1 < count or ext != me.ext:
            continue
        # The call must describe this page (a list's pager script on an article page does not).
        if me.number_under(base) != current:
            continue
        return [me.sibling(_stem(base, n)) for n in range(min(count, MAX_PAGES))]
    return []


def _script_int(argument: str, script: str) -> int | None:
    """A literal argument, or the value the script assigns to the variable passed (``var countPage = 3``)."""
    if argument.isdigit():
        return int(argument)
    assigned = re.search(rf"\b{re.escape(argument)}\s*=\s*(\d+)", script)
    return int(assigned.group(1)) if assigned else None


def merge_pages(known: list[str], found: list[str]) -> list[str]:
    """``known`` (an article's pages, first page first) plus the pages of it that ``found`` adds, in order.

    A later page's pager often shows only a window of the page numbers; URLs that are not pages of the
    same article (another base name, another folder) are ignored. At most ``MAX_PAGES``.
    """
    first = _PageName.of(known[0]) if known else None
    if first is None:
        return known[:MAX_PAGES]
    names = [
        (url, name) for url in [*known, *found] if (name := _PageName.of(url)) and _same_folder(name, first)
    ]
    known_names = [name for url, name in names if url in known]
    # The stem every known page is numbered under: the first page's own, or without its _N (a_1, a_2 …).
    base = next(
        (b for b in first.bases() if all(n.number_under(b) is not None for n in known_names)), first.stem
    )
    numbered: dict[int, str] = {}
    for url, name in names:
        number = name.number_under(base)
        if number is not None:
            numbered.setdefault(number, url)
    return [numbered[n] for n in sorted(numbered)][:MAX_PAGES]


def join_pages(first: Extracted, later: list[Extracted], incomplete: bool = False) -> Extracted:
    """One article from its pages in order: the first page's fields, every page's text and images.

    Fields a CMS prints only once — the byline or 责任编辑 at the end of the last page — are taken from
    the page that has them. ``incomplete`` (a page could not be fetched) adds the ``incomplete:pages`` flag.
    """
    joined = first.model_copy(deep=True)
    joined.body = "\n".join(page.body for page in (first, *later) if page.body)
    sources = {image.get("src") for image in joined.images}
    for page in later:
        joined.images += [image for image in page.images if image.get("src") not in sources]
        sources |= {image.get("src") for image in page.images}
        for name in ("subtitle", "published_at", "source", "editor"):
            if getattr(joined, name) is None and getattr(page, name) is not None:
                setattr(joined, name, getattr(page, name))
                if name in page.methods:
                    joined.methods[name] = page.methods[name]
        if not joined.authors and page.authors:
            joined.authors = list(page.authors)
            joined.methods["authors"] = page.methods.get("authors", "text:byline")
        joined.quality += [flag for flag in page.quality if flag not in joined.quality]
    if joined.published_at is not None and "no_date" in joined.quality:
        joined.quality.remove("no_date")
    if incomplete:
        joined.quality.append(INCOMPLETE)
    joined.methods["pages"] = f"joined:{1 + len(later)}"
    return joined
