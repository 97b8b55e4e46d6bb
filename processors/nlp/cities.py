"""Districts named without their city (白云区检察院) get it from the article, the site's province or the
gazetteer's unique match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from pipeline.gazetteer import Region
from processors.nlp.mentions import Mention


def attach_cities(
    mentions: Sequence[Mention],
    context: Sequence[Mention],
    duplicates: dict[str, list[Region]] | None = None,
    province: Region | None = None,
    ambiguous: frozenset[str] = frozenset(),
) -> list[Mention]:
    """A district named without its city (白云区检察院) gets it from the article (``context``: title and
    body). A name the gazetteer knows in several cities (``duplicates``: 白云区 in 广州 and 贵阳) takes the
    one whose city the article names (the nearest before it first), else the only one in the article's
    province. A district outside the gazetteer takes the same district written with its city (长沙市开福区),
    else the nearest city named before it, else the only city named; gazetteer cities are not used for it,
    since they list all their districts."""
    duplicates = duplicates or {}
    written: dict[str, Region] = {}
    cities: dict[str, Region] = {}
    for m in context:
        for ancestor in m.region.lineage() if m.region else ():
            if ancestor.level == "city" and ancestor.code is None:
                cities.setdefault(ancestor.name, ancestor)
        if m.region and _is_bare_district(m.region) is False and m.region.code is None:
            written.setdefault(m.region.name, m.region)
    attached: list[Mention] = []
    for index, mention in enumerate(mentions):
        region = mention.region
        if region is None or not _is_bare_district(region):
            attached.append(mention)
            continue
        if region.name in duplicates:
            # 城区 (ambiguous everywhere) only from a city the article names, never from its province.
            within = None if region.name in ambiguous else province
            rooted = _among(region.name, duplicates[region.name], mentions[:index], context, within)
        else:
            rooted = _rooted(region, written, mentions[:index], cities)
        if rooted is None:
            attached.append(mention)
            continue
        canonical = mention.canonical
        if mention.label == "PROCURATORATE":
            canonical = rooted.procuratorate
        elif canonical and canonical.startswith(region.name) and rooted.parent is not None:
            canonical = f"{rooted.parent.name}{canonical}"
        attached.append(replace(mention, region=rooted, canonical=canonical))
    return attached


def _rooted(
    region: Region, written: dict[str, Region], before: Sequence[Mention], cities: dict[str, Region]
) -> Region | None:
    city: Region | None = written[region.name].parent if region.name in written else None
    if city is None:
        nearest = (_city_of(m.region) for m in reversed(before) if m.region is not None)
        city = next((c for c in nearest if c is not None), None)
    if city is None and len(cities) == 1:
        city = next(iter(cities.values()))
    return Region(region.name, region.level, city) if city is not None else None


def _among(
    name: str,
    candidates: list[Region],
    before: Sequence[Mention],
    context: Sequence[Mention],
    province: Region | None,
) -> Region | None:
    """The candidate whose city (or province-level city) the article names, nearest before it first."""
    named = [m.region for m in (*reversed(before), *context) if m.region is not None]
    for region in named:
        for candidate in candidates:
            if candidate.parent is not None and any(
                a.path == candidate.parent.path for a in region.lineage()
            ):
                return candidate
    in_province = [c for c in candidates if province is not None and c.province == province]
    return in_province[0] if len(in_province) == 1 else None


def _is_bare_district(region: Region) -> bool | None:
    """True: a district outside the gazetteer without its city; False: one with it; None: not a district."""
    if region.level != "county" or region.code is not None or not region.name.endswith("区"):
        return None
    return region.parent is None


def _city_of(region: Region) -> Region | None:
    return next((r for r in region.lineage() if r.level == "city" and r.code is None), None)
