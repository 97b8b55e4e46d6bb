"""Domain matchers on the simplified text: procuratorates (full, short, contextual and coordinated forms),
courts, police, government, Party committees, people's congresses, 《documents》 and places.

Each mention carries exact character offsets and, where it can be resolved, a canonical name.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from pipeline.gazetteer import Gazetteer, Region, short_form
from pipeline.literals import Found, Literals
from processors.nlp.mentions import Mention, resolve_context
from processors.nlp.offices import office_name, procuratorial
from processors.nlp.places import STOP_CHARS, Place, PlaceParser

SPP = "最高人民检察院"
_SPP_FORMS = re.compile(r"最高人民检察院|最高检察院|最高检|高检院")
_NUMERAL = "[一二三四五六七八九十]"
# 检察院 / 检察分院 with a branch (第二分院, 伊犁分院: checked to be a place or a railway) or numbered
# (检察一分院 is 人民检察院第一分院); or the short 院 right after a place or a level (洪洞县院, 市院, 省院), which
# courts use too: a procuratorate only where the text around it is about one (``offices.procuratorial``).
_ANCHOR = re.compile(
    rf"(?P<kind>铁路运输|军事|林区|农垦)?(?:人民)?检察(?:(?P<office>院|分院)"
    rf"(?P<branch>第{_NUMERAL}+分院|(?P<digit>{_NUMERAL})分院|(?P<own>[\u4e00-\u9fff]{{2,6}}?)分院)?"
    rf"|(?P<number>{_NUMERAL})分院)"
    r"|(?<=[省市县区州旗盟])(?P<short>院)(?![士子落校所线墙坝内外门里长办务系])"
)
_OWN_BRANCH = re.compile(r"铁路运输|农垦|林区|^第[一二三四五六七八九十]+师$")  # 兵团检察院第八师分院
_SAME_INSTITUTION = re.compile(r"(?:该|本|我)院")
_LISTED_ORGANS = re.compile(r"等(?:[县区市]{1,2}|地)?(?:两级|各级)?检察机关")
_DOCUMENT = re.compile(r"《[^《》\n]{1,80}》")
# 两级检察院 / 各级检察院: several procuratorates of a place, named by the place when there is one.
_MODIFIERS = ("两级", "三级", "各级", "基层", "市县", "县区", "区县", "省市")
_GENERIC = ("全省", "全市", "全县", "全区", "全国", "各地", "地方", "各县", "各市")
_LEVEL_HINT = {"省": "province", "市": "city", "县": "county", "区": "county"}
_ALTERNATIVE_LEVELS = re.compile(r"[（(][市县区、]+[）)]$")
# The end of a coordinated list before 检察院: 等地, 等市, 两地, 三县 ….
_LIST_END = re.compile(r"(?:等|[两三四五六七八九十]个?)(?P<what>[地省市县区])$")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
# A zone that is not an administrative division but has its own procuratorate: 扬州开发区检察院,
# 山西综改示范区人民检察院; up to four characters of its own name between the place and the zone word.
_ZONE = re.compile(
    r"(?:经济技术开发区|高新技术产业开发区|开发区|示范区|高新区|经开区|保税区|合作区|试验区|垦区)$"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")


class DomainMatcher:
    """Loaded once per worker: compiles the gazetteer's names and institution endings."""

    def __init__(self, gaz: Gazetteer, parser: PlaceParser) -> None:
        self.gaz = gaz
        self.parser = parser
        endings = sorted(
            ((ending, label) for label, names in gaz.institutions.items() for ending in names),
            key=lambda pair: -len(pair[0]),
        )
        self.label_of = dict(endings)
        self.institution_re = re.compile("|".join(re.escape(e) for e, _ in endings))
        names = sorted(
            (n for n in gaz.names if n not in gaz.context_only and n not in gaz.ambiguous),
            key=len,
            reverse=True,
        )
        self.places = Literals(names)
        # Railway transport procuratorates by the bureau's abbreviation (成铁) or a city (太原铁检).
        abbreviations = sorted(gaz.railway, key=len, reverse=True)
        self.railway_re = (
            re.compile(
                rf"(?P<abbr>{'|'.join(map(re.escape, abbreviations))})(?P<office>检察分院|检分院|检察院|分院|检院|院)"
            )
            if abbreviations
            else None
        )

    def match(self, text: str, province: Region | None) -> list[Mention]:
        """Every domain mention of ``text``; ``province`` resolves 省检察院 (None: left unresolved)."""
        return resolve_context(self.raw(text), province)

    def raw(self, text: str) -> list[Mention]:
        """The mentions in text order, contextual ones (省检察院, 该院) not yet resolved."""
        mentions: list[Mention] = [
            Mention(m.start(), m.end(), "PROCURATORATE", SPP) for m in _SPP_FORMS.finditer(text)
        ]
        if self.railway_re is not None:
            for found in self.railway_re.finditer(text):  # 成铁分院, 太原铁检分院 → 成都铁路运输检察分院
                if found.group("office") == "院" and not found.group("abbr").endswith("铁检"):
                    continue  # 太原铁检院, but 南铁院 is not a railway procuratorate's name
                city = self.gaz.railway.get(found.group("abbr"), found.group("abbr"))
                office = "分院" if found.group("office").endswith("分院") else "院"
                mentions.append(
                    Mention(found.start(), found.end(), "PROCURATORATE", f"{city}铁路运输检察{office}")
                )
        taken = [(m.start, m.end) for m in mentions]
        for anchor in _ANCHOR.finditer(text):
            if not _overlaps(anchor.start(), anchor.end(), taken):
                mentions.extend(self._procuratorates(text, anchor))
        for organs in _LISTED_ORGANS.finditer(text):
            # 云冈区、云州区、阳高县、灵丘县等县区检察机关: each place's procuratorate, by name.
            places = self.parser.coordinated_ending_at(text, organs.start())
            if len(places) >= 2 and not _overlaps(places[0].start, organs.end(), taken):
                mentions.extend(
                    Mention(places[0].start, organs.end(), "PROCURATORATE", p.region.procuratorate, p.region)
                    for p in places
                    if p.region.level != "province"
                )
        taken = [(m.start, m.end) for m in mentions]
        for found in self.institution_re.finditer(text):
            if not _overlaps(found.start(), found.end(), taken):
                mentions.append(self._institution(text, found.start(), found.end(), found.group()))
        mentions += [Mention(m.start(), m.end(), "DOC", m.group()[1:-1]) for m in _DOCUMENT.finditer(text)]
        mentions += [
            Mention(m.start(), m.end(), "PROCURATORATE", needs="same")
            for m in _SAME_INSTITUTION.finditer(text)
        ]
        taken = [(m.start, m.end) for m in mentions]
        for place in self.places.finditer(text):
            if not _overlaps(place.start, place.end, taken) and not self._inside_longer_place(text, place):
                region = self.gaz.lookup(place.text)[0]
                mentions.append(Mention(place.start, place.end, "GPE", region.path, region))
        mentions.sort(key=lambda m: (m.start, -m.end))
        ends = [m.end() for m in _SENTENCE_END.finditer(text)]
        return [replace(m, sentence=bisect.bisect_right(ends, m.start)) for m in mentions]

    def _inside_longer_place(self, text: str, place: Found) -> bool:
        for extra in (1, 2):
            start = place.start - extra
            if start >= 0 and self.parser.tag_of(text[start : place.end]) == "ns":
                return True
        return False

    def _procuratorates(self, text: str, anchor: re.Match[str]) -> list[Mention]:
        left, end = anchor.start(), anchor.end()
        kind, branch = anchor.group("kind"), anchor.group("branch") or ""
        if anchor.group("short") and not procuratorial(text, left):
            return []
        if anchor.group("own") and not self._branch_name(anchor.group("own")):
            branch, end = "", anchor.end("office")  # 检察院召开分院…: not a branch's name
        if number := anchor.group("number") or anchor.group("digit"):  # 北京市检察一分院, 检察院二分院
            branch = f"第{number}分院"
        if kind and self._known_place_through(text, anchor.end("kind"), len(kind)):
            # 碑林区检察院, 万柏林区检察院: a district whose name ends in 林区, not a forestry procuratorate.
            kind, left = None, anchor.end("kind")
        modifier = None
        while found := next((m for m in _MODIFIERS if text.endswith(m, 0, left)), None):
            if self._known_place_through(text, left, len(found)):
                break  # 梅县区检察院: the end of a known name (梅县区), not 县区 (the counties and districts)
            modifier, left = found, left - len(found)
        # 万全区检察院, 天等县检察院, 二七区检察院: a known name ending in 全区, 等县 or 七区 is that place.
        named = self._known_place_through(text, left, 2)
        if not named and any(text.endswith(g, 0, left) for g in _GENERIC):
            return []  # 全省检察院: procuratorates in general, none by name
        listed = None if named else _LIST_END.search(text, max(left - 3, 0), left)
        if listed and listed.group("what") == "地":
            # 兰州、天水、白银等地 / 朔州、忻州两地检察院 name each city's procuratorate; 山东、河南等地检察院
            # means procuratorates somewhere in those provinces, not the provincial ones: none by name.
            places = self.parser.coordinated_ending_at(text, listed.start())
            return [
                Mention(places[0].start, end, "PROCURATORATE", p.region.procuratorate, p.region)
                for p in places
                if p.region.level != "province"
            ]
        hint = None
        # 孝义、汾阳等县（市）检察院: the bracketed alternatives only widen the level.
        if bracket := _ALTERNATIVE_LEVELS.search(text, 0, left):
            left = bracket.start()
        listed = None if named else _LIST_END.search(text, max(left - 3, 0), left)
        if listed:  # 南宁、柳州、桂林等市 / 太原、大同两市检察院
            hint, left = listed.group("what"), listed.start()
        elif text.endswith("等", 0, left) and not named:
            left -= 1
        places = self.parser.coordinated_ending_at(text, left)
        if kind:  # 太原铁路运输检察院, 中国人民解放军军事检察院: named as written
            prefix = text[places[0].start : left] if places else ""
            if not prefix and text.endswith("中国人民解放军", 0, left):
                prefix = "中国人民解放军"
            name = f"{prefix}{kind}检察{anchor.group('office')}" if prefix or kind == "军事" else None
            if name and kind in ("林区", "农垦"):  # 大兴安岭林区人民检察院: its 人民 as written
                name = text[left - len(prefix) : end]
            return [Mention(left - len(prefix), end, "PROCURATORATE", name)] if name else []
        if (not places or places[-1].region.code is None) and (zone := self._zone(text, left)) is not None:
            return [Mention(zone, end, "PROCURATORATE", text[zone:end])]  # its name as written
        if hint in ("区", "县"):
            places = self._under_listed_city(text, places, hint)
        if places:
            start = places[0].start
            return [
                Mention(start, end, "PROCURATORATE", office_name(text, p, anchor, branch), p.region)
                for p in places
                if hint is None or p.region.level == _LEVEL_HINT[hint] or p.region.code is None
            ]
        if (ambiguous := next((n for n in self.gaz.ambiguous if text.endswith(n, 0, left)), None)) and (
            left == len(ambiguous)
            or not _HAN.match(text, left - len(ambiguous) - 1)
            or text[left - len(ambiguous) - 1] in STOP_CHARS  # 审理了城区检察院…, but not 老城区, 主城区
        ):
            # 城区检察院 alone: the 城区 of the city the article names, if it names one (cities.py).
            return [Mention(left - len(ambiguous), end, "PROCURATORATE", None, Region(ambiguous, "county"))]
        if modifier or left == 0 or ambiguous:
            return []  # 山西城区检察院: one of several 城区, not 区检察院 (a district's office)
        level_char = text[left - 1]
        before = text[left - 2] if left >= 2 else ""
        if before == "、" and left >= 3 and text[left - 3] in _LEVEL_HINT:
            return []  # 省、市检察院 / 市、县检察院: the levels in general, no office by name
        if level_char in _LEVEL_HINT and not (before and (before.isdigit() or before in "一个级各省市县区")):
            return [Mention(left - 1, end, "PROCURATORATE", needs=_LEVEL_HINT[level_char])]
        return []

    def _branch_name(self, own: str) -> bool:
        """伊犁 (a place), 兰州铁路运输, 农垦: the name of a branch office, not words of the sentence."""
        if _OWN_BRANCH.search(own):
            return True
        place = self.parser.place_ending_at(own, len(own))
        return place is not None and place.start == 0

    def _under_listed_city(self, text: str, places: list[Place], hint: str) -> list[Place]:
        """大连市中山、西岗、沙河口三个区检察院: each short name is that city's 区 (or 县), before any other
        unit of the name (中山市, 太和县) and before the city itself (邯郸市邯郸、临漳三县: 邯郸县)."""
        city = self.parser.chain_ending_at(text, places[0].start) if places and places[0].start else None
        if city is None and places and (parent := places[0].region.parent) is not None:
            city = Place(places[0].start, places[0].start, parent)  # 乌海市海勃湾、…: read with its city
        if city is None or city.region.level != "city":
            return places
        listed = []
        for place in places:
            name = text[place.start : place.end]
            for prefix in (city.region.name, short_form(city.region.name)):  # 西宁市大通: 大通
                if place.start == city.end and name.startswith(prefix) and len(name) > len(prefix):
                    name = name[len(prefix) :]
                    break
            if not name.endswith(hint):
                # 邯郸县 before the county the short name may mean elsewhere; 大通 (大通回族土族自治县) by its own.
                candidates = [*self.gaz.lookup(name + hint), *self.gaz.duplicates.get(name + hint, ())]
                candidates += [r for r in self.gaz.lookup(name) if r.level == "county"]
                under = [c for c in candidates if c.parent is not None and c.parent.path == city.region.path]
                if under:
                    place = Place(place.start, place.end, under[0])
                elif place.region.parent is None or place.region.parent.path != city.region.path:
                    place = Place(place.start, place.end, Region(name + hint, "county", city.region))
            listed.append(place)
        return listed

    def _known_place_through(self, text: str, end: int, length: int) -> bool:
        """Whether a gazetteer place ends at ``end`` and starts before its last ``length`` characters."""
        place = self.parser.place_ending_at(text, end)
        return place is not None and place.region.code is not None and place.start < end - length

    def _zone(self, text: str, left: int) -> int | None:
        """Where a zone's name (a known place, up to four characters of its own, the zone word) ending at
        ``left`` starts: the start of the place; None when no known place precedes the zone word."""
        found = _ZONE.search(text, max(left - 12, 0), left)
        if found is None:
            return None
        for own in range(5):
            at = found.start() - own
            if at <= 0 or not _HAN.match(text, at):
                break
            place = self.parser.chain_ending_at(text, at)
            # A gazetteer place, or a place word of the dictionary (洋浦经济开发区, 洋浦 being no county).
            if place is not None and (
                place.region.code is not None or self.parser.tag_of(text[place.start : at]) == "ns"
            ):
                return place.start
        return None

    def _institution(self, text: str, start: int, end: int, ending: str) -> Mention:
        label = self.label_of[ending]
        place = self.parser.chain_ending_at(text, start)
        if place is not None:
            name = place.region.name
            if ending[0] in _LEVEL_HINT and name.endswith(ending[0]):
                ending = ending[1:]
            return Mention(place.start, end, label, f"{name}{ending}", place.region)
        if ending in ("最高人民法院", "公安部", "中共中央", "党中央"):
            return Mention(start, end, label, ending)
        if start >= 1 and text[start - 1] in _LEVEL_HINT and ending[0] not in _LEVEL_HINT:
            return Mention(start - 1, end, label)
        return Mention(start, end, label)


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
