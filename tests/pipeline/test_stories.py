"""Which copy of a story is the original, and when two outlet names are the same outlet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.stories import choose_original, outlet_key, outlet_of


@dataclass
class Copy:
    id: str
    site: str
    source: str | None
    published: datetime | None


def original(copies: list[Copy]) -> str:
    chosen = choose_original(
        copies,
        outlet=lambda c: c.site,
        source=lambda c: c.source,
        when=lambda c: c.published,
        tiebreak=lambda c: c.id,
    )
    return chosen.id


def t(day: int) -> datetime:
    return datetime.fromisoformat(f"2021-08-{day:02d}T09:00:00+08:00")


def test_the_outlet_named_in_laiyuan_is_the_original_even_when_it_is_later() -> None:
    copies = [
        Copy("reprint", "临汾新闻网（演示）", "山西日報", t(12)),
        Copy("original", "山西日报（演示）", None, t(13)),
    ]
    assert original(copies) == "original"


def test_without_a_named_outlet_the_earliest_copy_is_the_original() -> None:
    copies = [
        Copy("b", "黄河新闻网", None, t(14)),
        Copy("a", "临汾新闻网", "本网", t(13)),
        Copy("c", "x", None, None),
    ]
    assert original(copies) == "a"


def test_outlet_names_compare_loosely() -> None:
    assert outlet_key("山西日报（演示）") == outlet_key("山西日报数字报") == outlet_key("山西日報")
    assert outlet_key("山西日报") != outlet_key("山西晚报")
    assert outlet_of(None, "http://www.sxrb.com/a/1.html") == "www.sxrb.com"
