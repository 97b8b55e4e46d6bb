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


def test_copies_recorded_in_different_time_zones_are_compared_as_instants() -> None:
    # 09:00 in China is 01:00 UTC: the China-time copy came first, although 02:00 < 09:00 on the clock.
    china = Copy("china", "临汾新闻网", None, datetime.fromisoformat("2021-08-13T09:00:00+08:00"))
    utc = Copy("utc", "黄河新闻网", None, datetime.fromisoformat("2021-08-13T02:00:00+00:00"))
    assert original([utc, china]) == original([china, utc]) == "china"
    later_in_china = Copy("late", "x", None, datetime.fromisoformat("2021-08-13T10:30:00+08:00"))
    assert original([later_in_china, utc]) == "utc"  # 02:30 UTC is after 02:00 UTC
