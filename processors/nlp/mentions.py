"""A domain mention (offsets, label, canonical name, region) and the resolution of contextual ones once
every mention of the text is known: 省/市/县检察院 from the places around them, 该院 from the sentence
before, shortened names from the full name the article gives, districts of a municipality.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pipeline.gazetteer import Region

# Institutions 该院/本院 can refer to: procuratorates and courts (a 局 or a 委 is never 该院).
_COURTS_OR_PROCURATORATES = ("PROCURATORATE", "COURT")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    canonical: str | None = None
    region: Region | None = None
    # 省/市/县 检察院 and 该院 resolved from the text around them once every mention is known.
    needs: str | None = None
    # The number of the sentence it is in (该院 refers to the subject of the sentence before).
    sentence: int = 0


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
            antecedent = _antecedent(mention, resolved)
            if antecedent is not None and antecedent.label == "PROCURATORATE" and antecedent.canonical:
                # The antecedent's region too: a district rooted in its city later (南山区检察院 … 该院)
                # takes 该院 with it.
                resolved.append(
                    replace(mention, canonical=antecedent.canonical, region=antecedent.region, needs=None)
                )
            continue
        if region is not None:
            resolved.append(replace(mention, canonical=region.procuratorate, region=region, needs=None))
    return _expand_short_forms(resolved)


def _is_subsequence(short: str, full: str) -> bool:
    rest = iter(full)
    return all(c in rest for c in short)


def _expand_short_forms(mentions: list[Mention]) -> list[Mention]:
    """A procuratorate of a place the gazetteer does not know (营子区检察院), whose name is an abbreviation
    (its characters, in order) of exactly one other procuratorate the article names in full
    (承德市鹰手营子矿区人民检察院), is that one: articles name an office in full once, then shorten it."""
    full_names = {m.canonical for m in mentions if m.label == "PROCURATORATE" and m.canonical}
    expanded = []
    for m in mentions:
        if m.label == "PROCURATORATE" and m.canonical and m.region is not None and m.region.code is None:
            longer = [n for n in full_names if len(n) > len(m.canonical) and _is_subsequence(m.canonical, n)]
            if len(longer) == 1:
                m = replace(m, canonical=longer[0])
        expanded.append(m)
    return expanded


def _antecedent(mention: Mention, before: Sequence[Mention]) -> Mention | None:
    """What 该院 refers to: the first procuratorate or court of the last sentence (up to 该院) that names
    one, i.e. that sentence's subject — 某检察院向某法院提起公诉。该院… is the procuratorate. A bare 法院
    (no place, no level) names no particular court and is skipped."""
    candidates = [
        m
        for m in before
        if m.label in _COURTS_OR_PROCURATORATES
        and m.end <= mention.start
        and not (m.label == "COURT" and m.region is None and m.canonical is None and m.end - m.start <= 2)
    ]
    if not candidates:
        return None
    sentence = candidates[-1].sentence
    return next(m for m in candidates if m.sentence == sentence)


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
