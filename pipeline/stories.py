"""Story rules every stage agrees on: how outlets are named and compared, and which copy is the original.

The reprint processor applies them to its story state; the web app and search apply them to the
copies found in the index. Kept here so both give the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

import opencc

T = TypeVar("T")

# Copies of one story read at once (the story view; the story store's members and merges): the
# oldest, where the original is. Far below both engines' result windows, so one request reads them.
MAX_STORY_COPIES = 1_000

_DECORATION = re.compile(r"[（(【\[].*?[）)】\]]|\s|网站|官网|官方网站|客户端|电子版|数字报")
# Sorts undated copies after every dated one.
_LAST = datetime.max.replace(tzinfo=UTC)


@lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


@lru_cache(maxsize=4096)
def outlet_key(name: str | None) -> str:
    """Compare outlet names loosely: 山西日報, 山西日报（演示） and 山西日报数字报 are one outlet."""
    return _DECORATION.sub("", _to_simplified()(name or ""))


def outlet_of(site: str | None, url: str) -> str:
    """The outlet that carried a copy: its configured site name, else its host."""
    return site or urlsplit(url).hostname or url


def choose_original(
    copies: Sequence[T],
    outlet: Callable[[T], str],
    source: Callable[[T], str | None],
    when: Callable[[T], datetime | None],
    tiebreak: Callable[[T], str],
) -> T:
    """The copy whose outlet is the one the copies name in 来源; failing that, the earliest.

    Among several copies from the named outlet, the earliest of them. Times are compared as
    instants (09:00+08:00 is before 02:00 UTC); a naive time, which the event model never holds,
    counts as UTC. ``tiebreak`` (e.g. the article id) makes the choice deterministic when times
    are equal or missing.
    """
    if not copies:
        raise ValueError("a story has at least one copy")

    def order(copy: T) -> tuple[datetime, str]:
        moment = when(copy)
        if moment is None:
            return (_LAST, tiebreak(copy))
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return (aware.astimezone(UTC), tiebreak(copy))

    named = {outlet_key(source(c)) for c in copies if source(c)}
    earliest = sorted(copies, key=order)
    for copy in earliest:
        if outlet_key(outlet(copy)) in named:
            return copy
    return earliest[0]
