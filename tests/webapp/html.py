"""Reading a rendered page as a person does: the links by their text, the rows of a table."""

from __future__ import annotations

import html
import re


def text_of(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def link(page: str, text: str) -> str:
    """The target of the one link whose visible text is ``text``."""
    found = [
        html.unescape(href)
        for href, inner in re.findall(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', page, flags=re.S)
        if text_of(inner) == text
    ]
    assert len(found) == 1, f"{len(found)} links read {text!r}: {found}"
    return found[0]


def rows(page: str) -> list[str]:
    """The text of each row of the page's table bodies."""
    bodies = "".join(re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S))
    return [text_of(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", bodies, flags=re.S)]


def section(page: str, css_class: str) -> str:
    """The text of the first element with this class attribute (e.g. ``story-line``)."""
    match = re.search(rf'<(\w+) [^>]*class="{re.escape(css_class)}"[^>]*>(.*?)</\1>', page, flags=re.S)
    assert match, f"no element of class {css_class!r}"
    return text_of(match.group(2))
