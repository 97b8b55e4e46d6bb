"""Domain matchers on the simplified text: procuratorates (full, short, contextual and coordinated forms),
courts, police, government, Party committees, people's congresses, 《documents》 and places.

Each mention carries exact character offsets and, where it can be resolved, a canonical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from processors.nlp.gazetteer import Gazetteer, Region
from processors.nlp.places import PlaceParser

SPP = "最高人民检察院"
_SPP_FORMS = re.compile(r"最高人民检察院|最高检察院|最高检|高检院")
_ANCHOR = re.compile(
    r"(?P<kind>铁路运输|军事|林区|农垦)?(?:人民)?检察(?:院|分院)(?P<branch>第[一二三四五六七八九十]+分院)?"
)
_SAME_INSTITUTION = re.compile(r"(?:该|本|我)院")
_DOCUMENT = re.compile(r"《[^《》\n]{1,80}》")
# 两级检察院 / 各级检察院: several procuratorates of a place, named by the place when there is one.
_MODIFIERS = ("两级", "三级", "各级", "基层", "市县", "县区", "区县", "省市")
_GENERIC = ("全省", "全市", "全县", "全区", "全国", "各地", "地方", "各县", "各市")
_LEVEL_HINT = {"省": "province", "市": "city", "县": "county", "区": "county"}
_ALTERNATIVE_LEVELS = re.compile(r"[（(][市县区、]+[）)]$")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    canonical: str | None = None
    region: Region | None = None
    # 省/市/县 检察院 and 该院 resolved from the text around them once every mention is known.
    needs: str | None = None


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
        self.place_re = re.compile("|".join(re.escape(n) for n in names))

    def match(self, text: str, province: Region | None) -> list[Mention]:
        """Every domain mention of ``text``; ``province`` resolves 省检察院 (None: left unresolved)."""
        return resolve_context(self.raw(text), province)

    def raw(self, text: str) -> list[Mention]:
        """The mentions in text order, contextual ones (省检察院, 该院) not yet resolved."""
        mentions: list[Mention] = [
            Mention(m.start(), m.end(), "PROCURATORATE", SPP) for m in _SPP_FORMS.finditer(text)
        ]
        taken = [(m.start, m.end) for m in mentions]
        for anchor in _ANCHOR.finditer(text):
            if not _overlaps(anchor.start(), anchor.end(), taken):
                mentions.extend(self._procuratorates(text, anchor))
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
        for found in self.place_re.finditer(text):
            if not _overlaps(found.start(), found.end(), taken) and not self._inside_longer_place(
                text, found
            ):
                region = self.gaz.lookup(found.group())[0]
                mentions.append(Mention(found.start(), found.end(), "GPE", region.path, region))
        mentions.sort(key=lambda m: (m.start, -m.end))
        return mentions

    def _inside_longer_place(self, text: str, found: re.Match[str]) -> bool:
        for extra in (1, 2):
            start = found.start() - extra
            if start >= 0 and self.parser.tag_of(text[start : found.end()]) == "ns":
                return True
        return False

    def _procuratorates(self, text: str, anchor: re.Match[str]) -> list[Mention]:
        left, end = anchor.start(), anchor.end()
        kind, branch = anchor.group("kind"), anchor.group("branch") or ""
        modifier = None
        while found := next((m for m in _MODIFIERS if text.endswith(m, 0, left)), None):
            modifier, left = found, left - len(found)
        if any(text.endswith(g, 0, left) for g in (*_GENERIC, "等地")):
            return []  # 全省检察院, 山东、河南等地检察院: procuratorates in general, none by name
        hint = None
        # 孝义、汾阳等县（市）检察院: the bracketed alternatives only widen the level.
        if bracket := _ALTERNATIVE_LEVELS.search(text, 0, left):
            left = bracket.start()
        if left >= 2 and text[left - 2] == "等" and text[left - 1] in _LEVEL_HINT:
            hint, left = text[left - 1], left - 2
        elif text.endswith("等", 0, left):
            left -= 1
        places = self.parser.coordinated_ending_at(text, left)
        if kind:  # 太原铁路运输检察院, 中国人民解放军军事检察院: named as written
            prefix = text[places[0].start : left] if places else ""
            if not prefix and text.endswith("中国人民解放军", 0, left):
                prefix = "中国人民解放军"
            name = f"{prefix}{kind}检察院" if prefix or kind == "军事" else None
            return [Mention(left - len(prefix), end, "PROCURATORATE", name)] if name else []
        if places:
            start = places[0].start
            return [
                Mention(start, end, "PROCURATORATE", p.region.procuratorate + branch, p.region)
                for p in places
                if hint is None or p.region.level == _LEVEL_HINT[hint] or p.region.code is None
            ]
        if modifier or left == 0:
            return []
        level_char = text[left - 1]
        before = text[left - 2] if left >= 2 else ""
        if level_char in _LEVEL_HINT and not (before and (before.isdigit() or before in "个级各省市县区")):
            return [Mention(left - 1, end, "PROCURATORATE", needs=_LEVEL_HINT[level_char])]
        return []

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


def resolve_context(mentions: list[Mention], province: Region | None) -> list[Mention]:
    """省检察院 → the article's province; 市/县检察院 → the nearest city/county named before it (or the
    only one in the text); 该院 → the institution named just before it, when that is a procuratorate."""
    regions = [m.region for m in mentions if m.region is not None]
    resolved: list[Mention] = []
    for mention in mentions:
        if mention.needs is None:
            resolved.append(_under_municipality(mention, province))
            continue
        region: Region | None = None
        if mention.needs == "province":
            region = province
        elif mention.needs in ("city", "county"):
            region = _nearest(mention, mentions, regions, mention.needs)
        elif mention.needs == "same":
            before = [m for m in resolved if m.label != "GPE" and m.label != "DOC" and m.end <= mention.start]
            if before and before[-1].label == "PROCURATORATE" and before[-1].canonical:
                resolved.append(replace(mention, canonical=before[-1].canonical, needs=None))
            continue
        if region is not None:
            resolved.append(replace(mention, canonical=region.procuratorate, region=region, needs=None))
    return resolved


def _nearest(mention: Mention, mentions: list[Mention], regions: list[Region], level: str) -> Region | None:
    def at_level(region: Region) -> Region | None:
        return next((r for r in region.lineage() if r.level == level), None)

    before = [at_level(m.region) for m in mentions if m.region is not None and m.end <= mention.start]
    before = [r for r in before if r is not None]
    if before:
        return before[-1]
    distinct = {r.path: r for r in (at_level(x) for x in regions) if r is not None}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def _under_municipality(mention: Mention, province: Region | None) -> Mention:
    """浦东新区人民检察院 in an article about 上海市 → 上海市浦东新区人民检察院."""
    region = mention.region
    if (
        region is None
        or region.parent is not None
        or region.level != "county"
        or province is None
        or not province.name.endswith("市")
    ):
        return mention
    rooted = Region(region.name, region.level, province)
    canonical = rooted.procuratorate if mention.label == "PROCURATORATE" else mention.canonical
    return replace(mention, region=rooted, canonical=canonical)
