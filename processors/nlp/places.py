"""Places read backwards from a position: the chain before an institution (山西省临汾市洪洞县|人民检察院),
coordinated lists (临汾、太原、大同等|检察院), and free-text place mentions resolved to the hierarchy.

Reading backwards from the institution keeps the match independent of word segmentation, which
often cuts names wrongly (大同等检察院 → 大 / 同等 / 检察院).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.gazetteer import SUFFIXES, Gazetteer, Region, level_of

# Characters a place name does not start with: pronouns, prepositions, conjunctions, quantifiers.
STOP_CHARS = set(
    "我本该全各两三这那此其在由向对与和及经据被让将把于是了的为从到等并或即同共已将会请给约近各个某"
)
# Word classes of jieba that a generic place stem (鼓楼|区) cannot be: verbs, adverbs, pronouns, numbers …
_NON_NAME_TAGS = ("v", "d", "p", "c", "u", "r", "m", "q", "a", "f", "t")
COORDINATORS = "、和及与"
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}
# A stem this frequent in jieba's dictionary, of a class other than a name, is a word of the sentence
# (市长代表|市人民政府: 代表 has frequency 32777), not a place; place stems such as 鼓楼 (141) and 上党 (139)
# are far rarer, and the common words that do name districts are in the dictionary with their suffix (和平区).
_COMMON_WORD_FREQ = 5000
_NAME_TAGS = ("ns", "nr", "nz")

TagLookup = Callable[[str], str | None]
FreqLookup = Callable[[str], int]


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    region: Region


# What ``_under_place_before`` finds when the place before leaves several units of the name.
_NO_PLACE = Place(0, 0, Region("", "county"))


class PlaceParser:
    """Finds places ending at a position. ``tag_of`` is jieba's dictionary word class (``ns`` = place)."""

    def __init__(self, gaz: Gazetteer, tag_of: TagLookup, freq_of: FreqLookup | None = None) -> None:
        self.gaz = gaz
        self.tag_of = tag_of
        self.freq_of: FreqLookup = freq_of or (lambda word: 0)
        self.max_len = max(gaz.max_len, 8)

    def place_ending_at(self, text: str, end: int, in_context: bool = True) -> Place | None:
        best: tuple[int, Region] | None = None
        for length in range(min(self.max_len, end), 0, -1):
            word = text[end - length : end]
            if not _CJK.fullmatch(word) or (
                word[0] in STOP_CHARS
                and not self._full_name(word, text, end - length)
                and not self._under_written_parent(word, text, end - length)
            ):
                continue
            regions = self.gaz.lookup(word)
            if regions and (in_context or word not in self.gaz.context_only):
                if best is not None:  # a longer dictionary place (安吉县) contains this one (吉县)
                    break
                return self._prefer_under_place_before(text, Place(end - length, end, regions[0]))
            if best is None and self._is_place_word(word):
                best = (length, self._region_of(word))
        if best is not None:
            found = self._split_known_prefix(text, end, best[0]) or Place(end - best[0], end, best[1])
            return self._prefer_under_place_before(text, found)
        generic = self._generic(text, end)
        return self._prefer_under_place_before(text, generic) if generic is not None else None

    def _prefer_under_place_before(self, text: str, place: Place) -> Place | None:
        split = self._under_place_before(text, place)
        return None if split is _NO_PLACE else split or place

    def _under_place_before(self, text: str, place: Place) -> Place | None:
        """信阳|新县, not 阳新县: a shorter unit at the end whose city or province is the place written
        right before it wins over a longer name that starts inside that place. 山西|城区 (城区, 矿区 or
        郊区 after their province, or two units of the name there): no place at all, rather than 西城区;
        a longer name of the place before stays (北京|西城区, 井陉矿区, 平城区)."""
        end = place.end
        for shorter in range(end - place.start - 1, 1, -1):
            start = end - shorter
            word = text[start:end]
            ambiguous = word in self.gaz.ambiguous
            candidates = self.gaz.lookup(word) or (self.gaz.duplicates.get(word, []) if ambiguous else [])
            if not candidates or level_of(word) is None:
                continue
            outer = self.place_ending_at(text, start)
            if outer is None or outer.start > place.start:
                continue
            under = [c for c in candidates if outer.region in c.lineage()[:-1]]
            if ambiguous and outer.region.level == "province":
                inside = outer.region in place.region.lineage()[:-1]
                return _NO_PLACE if under and not inside else None
            if len(under) == 1:
                return Place(start, end, under[0])
            if under:
                return _NO_PLACE  # several of that name there: none by name
        return None

    def _full_name(self, word: str, text: str, start: int) -> bool:
        """A gazetteer name that is a place even though its first character could be a word of the
        sentence: with its suffix and three characters or more (三河市, 和顺县, 会理县), or three without
        it (让胡路), or two characters that open their phrase (，三河|检察院, 、同江|检察院, ，和县|检察院, but
        公安机关会同|检察院 and 市和县检察院; never 全 or 两, as in 全州检察院 and 两当)."""
        if not self.gaz.lookup(word):
            return False
        if len(word) >= 3:
            return True
        opens = start == 0 or not _CJK.fullmatch(text[start - 1])
        listed = start > 0 and text[start - 1] == "、"  # 、全椒 is a name, 全州检察院 "the whole prefecture"
        return len(word) == 2 and opens and (word[0] not in "全两" or listed)

    def _under_written_parent(self, word: str, text: str, start: int) -> bool:
        """A gazetteer unit right after its own city or province (马鞍山市|和县, 安徽省|和县): its name,
        although 和县 elsewhere reads as "and the county" (市和县检察院)."""
        regions = self.gaz.lookup(word)
        if not regions or start == 0 or not any(r.parent and r.parent.code for r in regions):
            return False
        outer = self.place_ending_at(text, start)
        return outer is not None and any(outer.region in r.lineage()[:-1] for r in regions)

    def _split_known_prefix(self, text: str, end: int, length: int) -> Place | None:
        """jieba knows some chains as one word (上海市浦东新区): the inner unit alone, so that the chain
        attaches it to the gazetteer's place before it."""
        word = text[end - length : end]
        for cut in range(length - 2, 1, -1):  # the longest known place first (上海市, not 上海)
            outer, inner = word[:cut], word[cut:]
            level, outer_regions = level_of(inner), self.gaz.lookup(outer)
            if (
                level is not None
                and outer_regions
                and _LEVEL_RANK[outer_regions[0].level] < _LEVEL_RANK[level]
            ):
                return Place(end - len(inner), end, Region(inner, level))
        return None

    def _is_place_word(self, word: str) -> bool:
        """A place in jieba's dictionary, itself or with its suffix (桂林 is tagged a name, 桂林市 a place)."""
        if len(word) < 2 or word in self.gaz.ambiguous or word in SUFFIXES:
            return False  # 新区, 地区 alone are endings, not places
        return self.tag_of(word) == "ns" or (
            level_of(word) is None and any(self.tag_of(word + s) == "ns" for s in ("市", "区", "县"))
        )

    def _region_of(self, word: str) -> Region:
        level = level_of(word)
        if level is None:  # 海淀 → 海淀区 when the dictionary knows the full name
            for suffix in ("市", "区", "县"):
                if self.tag_of(word + suffix) == "ns":
                    return Region(word + suffix, level_of(word + suffix) or "county")
            # A bare dictionary place the gazetteer (every city and county) lacks (洋浦): its name as
            # written, at the level a bare name before 检察院 most often has.
            return Region(word, "city")
        return Region(word, level)

    def _generic(self, text: str, end: int) -> Place | None:
        """An unknown unit: a noun stem plus an administrative suffix (鼓楼区). The stem has two characters,
        or three where a boundary precedes it: the start of the text, a character that is not Chinese, or
        a place of a higher level (南宁市|西乡塘区, where two characters would give 乡塘区)."""
        for suffix in SUFFIXES:
            if not text.endswith(suffix, 0, end):
                continue
            stem_end = end - len(suffix)
            level = level_of(text[stem_end - 2 : end])
            for length in (3, 2):
                start = stem_end - length
                stem = text[start:stem_end]
                if level is None or start < 0 or not self._is_stem(stem):
                    continue
                # 大同市矿区: not 市矿区 (the stem does not start with the suffix of the place before it).
                if (
                    length == 2
                    and stem[0] in "省市县区州"
                    and self.place_ending_at(text, start + 1) is not None
                ):
                    continue
                # 南宁市青秀区: not 市青秀区 (the stem does not start with the suffix of the place before it).
                if length == 3 and (stem[0] in "省市县区州" or not self._boundary_before(text, start, level)):
                    continue
                return Place(start, end, Region(stem + suffix, level))
            return None
        return None

    def _is_stem(self, stem: str) -> bool:
        # 吉林一区检察院: 一区 is "a district" (the text does not name it), not the stem 林一 or 吉林一.
        if not _CJK.fullmatch(stem) or set(stem) & STOP_CHARS or stem.endswith("一"):
            return False
        tag = self.tag_of(stem)
        if tag is not None and tag.startswith(_NON_NAME_TAGS):
            return False
        return tag in _NAME_TAGS or self.freq_of(stem) < _COMMON_WORD_FREQ

    def _boundary_before(self, text: str, start: int, level: str) -> bool:
        if start == 0 or not _CJK.fullmatch(text[start - 1]):
            # At the start of a sentence, a two-character stem that is a word wins (来|白云区).
            return self.tag_of(text[start + 1 : start + 3]) is None
        outer = self.place_ending_at(text, start)
        return outer is not None and _LEVEL_RANK[outer.region.level] < _LEVEL_RANK[level]

    def chain_ending_at(self, text: str, end: int, in_context: bool = True) -> Place | None:
        """山西省临汾市洪洞县: the innermost place, attached to the outer ones that precede it."""
        inner = self.place_ending_at(text, end, in_context)
        if inner is None:
            return self._ambiguous_under_city(text, end, in_context)
        outer = self.chain_ending_at(text, inner.start, in_context) if inner.start > 0 else None
        if outer is not None and _LEVEL_RANK[outer.region.level] < _LEVEL_RANK[inner.region.level]:
            return Place(outer.start, end, self._attach(inner.region, outer.region))
        return inner

    def _ambiguous_under_city(self, text: str, end: int, in_context: bool) -> Place | None:
        """城区, 矿区, 郊区 name a unit only after a city written before them (大同市矿区, 铜陵市郊区):
        the gazetteer's unit of that city, else that city's unit as written."""
        name = next((n for n in self.gaz.ambiguous if text.endswith(n, 0, end)), None)
        if name is None or end - len(name) <= 0:
            return None
        outer = self.chain_ending_at(text, end - len(name), in_context)
        if outer is None or outer.region.level != "city":
            return None
        return Place(outer.start, end, self._attach(Region(name, "county"), outer.region))

    def _attach(self, inner: Region, outer: Region) -> Region:
        if inner.code is None:  # outside the gazetteer: the text tells its parents
            for candidate in self.gaz.duplicates.get(inner.name, ()):
                if candidate.parent is not None and candidate.parent.path == outer.path:
                    return candidate
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
        return _same_level(text, list(reversed(places)))


def _same_level(text: str, places: list[Place]) -> list[Place]:
    """In a list with a city, a bare name that jieba's dictionary knows as a county only (思茅县) is a city
    too; one the dictionary knows at no level (洋浦) stays as written: the gazetteer has every city."""
    if len(places) < 2 or not any(p.region.level == "city" for p in places):
        return places
    return [
        Place(p.start, p.end, Region(f"{text[p.start : p.end]}市", "city"))
        if p.region.code is None
        and level_of(p.region.name) not in ("city", None)
        and level_of(text[p.start : p.end]) is None
        else p
        for p in places
    ]
