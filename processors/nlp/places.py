"""Places read backwards from a position: the chain before an institution (山西省临汾市洪洞县|人民检察院),
coordinated lists (临汾、太原、大同等|检察院), and free-text place mentions resolved to the hierarchy.

Reading backwards from the institution keeps the match independent of word segmentation, which
often cuts names wrongly (大同等检察院 → 大 / 同等 / 检察院).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from processors.nlp.gazetteer import SUFFIXES, Gazetteer, Region, level_of

# Characters a place name does not start with: pronouns, prepositions, conjunctions, quantifiers.
STOP_CHARS = set(
    "我本该全各两三这那此其在由向对与和及经据被让将把于是了的为从到等并或即同共已将会请给约近各个某"
)
# Word classes of jieba that a generic place stem (鼓楼|区) cannot be: verbs, adverbs, pronouns, numbers …
_NON_NAME_TAGS = ("v", "d", "p", "c", "u", "r", "m", "q", "a", "f", "t")
COORDINATORS = "、和及与"
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}

TagLookup = Callable[[str], str | None]


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    region: Region


class PlaceParser:
    """Finds places ending at a position. ``tag_of`` is jieba's dictionary word class (``ns`` = place)."""

    def __init__(self, gaz: Gazetteer, tag_of: TagLookup) -> None:
        self.gaz = gaz
        self.tag_of = tag_of
        self.max_len = max(gaz.max_len, 8)

    def place_ending_at(self, text: str, end: int, in_context: bool = True) -> Place | None:
        best: tuple[int, Region] | None = None
        for length in range(min(self.max_len, end), 0, -1):
            word = text[end - length : end]
            if not _CJK.match(word) or word[0] in STOP_CHARS:
                continue
            regions = self.gaz.lookup(word)
            if regions and (in_context or word not in self.gaz.context_only):
                if best is not None:  # a longer dictionary place (安吉县) contains this one (吉县)
                    break
                return Place(end - length, end, regions[0])
            if best is None and self._is_place_word(word):
                best = (length, self._region_of(word))
        if best is not None:
            return Place(end - best[0], end, best[1])
        return self._generic(text, end)

    def _is_place_word(self, word: str) -> bool:
        """A place in jieba's dictionary, itself or with its suffix (桂林 is tagged a name, 桂林市 a place)."""
        if len(word) < 2 or word in self.gaz.ambiguous:
            return False
        return self.tag_of(word) == "ns" or (
            level_of(word) is None and any(self.tag_of(word + s) == "ns" for s in ("市", "区", "县"))
        )

    def _region_of(self, word: str) -> Region:
        level = level_of(word)
        if level is None:  # 海淀 → 海淀区 when the dictionary knows the full name
            for suffix in ("市", "区", "县"):
                if self.tag_of(word + suffix) == "ns":
                    return Region(word + suffix, level_of(word + suffix) or "county")
            return Region(word + "市", "city")  # 柳州检察院: a bare name before 检察院 is most often a city
        return Region(word, level)

    def _generic(self, text: str, end: int) -> Place | None:
        """An unknown unit: a two-character noun stem plus an administrative suffix (鼓楼区)."""
        for suffix in SUFFIXES:
            if not text.endswith(suffix, 0, end):
                continue
            stem_end = end - len(suffix)
            stem = text[stem_end - 2 : stem_end]
            if len(stem) == 2 and _CJK.match(stem) and not (set(stem) & STOP_CHARS):
                tag = self.tag_of(stem)
                if tag is None or not tag.startswith(_NON_NAME_TAGS):
                    level = level_of(stem + suffix)
                    if level is not None:
                        return Place(stem_end - 2, end, Region(stem + suffix, level))
            return None
        return None

    def chain_ending_at(self, text: str, end: int, in_context: bool = True) -> Place | None:
        """山西省临汾市洪洞县: the innermost place, attached to the outer ones that precede it."""
        inner = self.place_ending_at(text, end, in_context)
        if inner is None:
            return None
        outer = self.chain_ending_at(text, inner.start, in_context) if inner.start > 0 else None
        if outer is not None and _LEVEL_RANK[outer.region.level] < _LEVEL_RANK[inner.region.level]:
            return Place(outer.start, end, self._attach(inner.region, outer.region))
        return inner

    def _attach(self, inner: Region, outer: Region) -> Region:
        if inner.code is None:  # outside the gazetteer: the text tells its parents
            return Region(inner.name, inner.level, outer, None)
        for candidate in self.gaz.lookup(inner.name):  # same-named units: the one under ``outer``
            if candidate.path.startswith(outer.path):
                return candidate
        return inner

    def coordinated_ending_at(self, text: str, end: int) -> list[Place]:
        """临汾、太原、大同 → three places (in text order); a single place gives one."""
        places: list[Place] = []
        while True:
            place = self.chain_ending_at(text, end)
            if place is None:
                break
            places.append(place)
            if place.start >= 1 and text[place.start - 1] in COORDINATORS:
                end = place.start - 1
                continue
            break
        return list(reversed(places))
