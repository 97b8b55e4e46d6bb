"""The gazetteer of ``config/gazetteer.yaml``: places of the region hierarchy and their procuratorates.

Loaded once per worker and passed to the entity step; lookups are plain dictionaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from pipeline.divisions import Division, ethnic_groups, load_divisions
from pipeline.settings import CONFIG_DIR

GAZETTEER_FILE = CONFIG_DIR / "gazetteer.yaml"
Level = Literal["province", "city", "county"]
# Endings of administrative units, longest first (自治县 before 县).
SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "林区",
    "地区",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
)
_LEVEL_BY_SUFFIX: dict[str, Level] = {
    "特别行政区": "province", "自治区": "province", "省": "province",
    "自治州": "city", "地区": "city", "州": "city", "盟": "city", "市": "city",
    "自治县": "county", "自治旗": "county", "新区": "county", "林区": "county",
    "县": "county", "区": "county", "旗": "county",
}  # fmt: skip


@dataclass(frozen=True)
class Region:
    """A place of the hierarchy; ``code`` is its GB/T 2260 code when it comes from the gazetteer."""

    name: str
    level: Level
    parent: Region | None = None
    code: str | None = None

    @property
    def path(self) -> str:
        """``山西省/临汾市/洪洞县``: every ancestor, so a filter on a city also finds its counties."""
        return f"{self.parent.path}/{self.name}" if self.parent else self.name

    def lineage(self) -> list[Region]:
        return [*self.parent.lineage(), self] if self.parent else [self]

    @property
    def province(self) -> Region | None:
        top = self.lineage()[0]
        return top if top.level == "province" else None

    @property
    def procuratorate(self) -> str:
        """Canonical procuratorate name: 洪洞县人民检察院, 太原市小店区人民检察院, 山西省人民检察院."""
        parent = self.parent
        # 北京市海淀区人民检察院: a district's parent is a city or a province-level city.
        if self.name.endswith("区") and parent and (parent.level == "city" or parent.name.endswith("市")):
            return f"{parent.name}{self.name}人民检察院"
        return f"{self.name}人民检察院"


def level_of(name: str) -> Level | None:
    for suffix in SUFFIXES:
        # 杭州, 柳州 are city names (杭州市), not units ending in 州 like 恩施州.
        shortest = 3 if suffix == "州" else len(suffix) + 1
        if name.endswith(suffix) and len(name) >= shortest:
            return _LEVEL_BY_SUFFIX[suffix]
    return None


def short_form(name: str) -> str:
    """洪洞县 → 洪洞, 内蒙古自治区 → 内蒙古; names whose stem would be one character keep their suffix."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass
class Gazetteer:
    """Names (official and short) → regions. A name may be ambiguous: then it maps to several."""

    names: dict[str, list[Region]] = field(default_factory=dict)
    provinces: dict[str, Region] = field(default_factory=dict)
    institutions: dict[str, list[str]] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()
    # Short county names (洪洞, 长子): a place only right before an institution, never in free text.
    context_only: set[str] = field(default_factory=set)
    # Names of several units outside Shanxi (鼓楼区 is in 南京, 福州, 开封, 徐州) and the ambiguous ones
    # everywhere (城区 in 阳泉, 晋城, 汕尾): not names of the gazetteer, but the candidates the article's
    # own places choose from.
    duplicates: dict[str, list[Region]] = field(default_factory=dict)
    # Railway transport procuratorates: the bureau's abbreviation (成铁) → the city in their names (成都).
    railway: dict[str, str] = field(default_factory=dict)
    max_len: int = 0

    def add(self, name: str, region: Region) -> None:
        self.names.setdefault(name, [])
        if region not in self.names[name]:
            self.names[name].append(region)
        self.max_len = max(self.max_len, len(name))

    def lookup(self, name: str) -> list[Region]:
        return self.names.get(name, [])

    def province(self, name: str) -> Region | None:
        found = self.provinces.get(name)
        return found

    def all_regions(self) -> list[Region]:
        seen: dict[str, Region] = {}
        for regions in self.names.values():
            for region in regions:
                seen.setdefault(region.path, region)
        return list(seen.values())


def load_gazetteer(path: Path = GAZETTEER_FILE) -> Gazetteer:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    gaz = Gazetteer(
        institutions={label: list(names) for label, names in data["institutions"].items()},
        ambiguous=frozenset(data.get("ambiguous", [])),
    )
    for code, name, short in data["provinces"]:
        region = Region(name, "province", None, str(code))
        gaz.provinces[name] = gaz.provinces[short] = region
        gaz.add(name, region)
        gaz.add(short, region)
    shanxi = gaz.provinces["山西省"]
    for city in data["shanxi"]:
        city_region = Region(city["name"], "city", shanxi, str(city["code"]))
        gaz.add(city["name"], city_region)
        gaz.add(short_form(city["name"]), city_region)
        for code, name in city["counties"]:
            county = Region(name, "county", city_region, str(code))
            if name in gaz.ambiguous:  # 城区: a candidate that the city written or named decides
                gaz.duplicates.setdefault(name, []).append(county)
            else:
                gaz.add(name, county)
                if short_form(name) != name:
                    gaz.add(short_form(name), county)
                    gaz.context_only.add(short_form(name))
            gaz.add(f"{city['name']}{name}", county)
            gaz.add(f"{short_form(city['name'])}{name}", county)
    if data.get("national", True):
        add_national(gaz, load_divisions(), shanxi.code or "")
    for name, parent, shorts in data.get("zones", []):
        # Special zones with a procuratorate of their own (深汕特别合作区), under a province or a city.
        outer = gaz.lookup(parent)
        zone = Region(name, "county", outer[0] if outer else None)
        gaz.add(name, zone)
        for short in shorts:
            gaz.add(short, zone)
            gaz.context_only.add(short)
    for short, full in (data.get("abbreviations") or {}).items():
        found = gaz.lookup(full)
        if len(found) == 1 and short != full and short not in gaz.names:
            gaz.add(short, found[0])
            gaz.context_only.add(short)
    gaz.railway = {str(k): str(v) for k, v in (data.get("railway") or {}).items()}
    return gaz


def autonomous_stem(name: str) -> str | None:
    """临夏回族自治州 → 临夏, 恩施土家族苗族自治州 → 恩施: the place's own name without the groups."""
    for suffix in ("自治州", "自治县", "自治旗"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            while group := next(
                (g for g in ethnic_groups() if stem.endswith(g) and len(stem) > len(g)), None
            ):
                stem = stem[: -len(group)]
            return stem if len(stem) >= 2 and stem != name[: -len(suffix)] else None
    return None


def add_national(gaz: Gazetteer, divisions: Iterable[Division], skip_province: str) -> None:
    """Cities and county-level units of the other provinces, with their codes and parents. A name
    shared by several units (朝阳区) goes to ``duplicates``; so does one a Shanxi or province name has."""
    by_code = {d.code: d for d in divisions}
    regions: dict[str, Region] = {}
    provinces = {r.code: r for r in gaz.provinces.values()}
    for division in sorted(by_code.values(), key=lambda d: d.code):
        if division.is_province or division.province_code == skip_province:
            continue
        province = provinces.get(division.province_code)
        if province is None:
            continue
        if division.is_city:
            regions[division.code] = Region(division.name, "city", province, division.code)
            continue
        parent = regions.get(division.city_code, province)
        regions[division.code] = Region(division.name, "county", parent, division.code)
    candidates: dict[str, list[Region]] = {}
    for region in regions.values():
        for alias in _aliases(region):
            candidates.setdefault(alias, []).append(region)
    for region in list(regions.values()):
        district = _renamed(region)
        if district is not None and district.name not in candidates:
            candidates[district.name] = [district]
    taken = set(gaz.names)
    for alias, found in candidates.items():
        if alias in gaz.ambiguous:
            gaz.duplicates.setdefault(alias, []).extend(r for r in found if r.name == alias)
            continue
        official = [r for r in found if r.name == alias]
        if len(found) == 1 and alias not in taken:
            gaz.add(alias, found[0])
            if alias != found[0].name and found[0].level == "county":
                gaz.context_only.add(alias)
        elif official and alias not in taken and len(official) > 1:
            gaz.duplicates[alias] = official


def _aliases(region: Region) -> list[str]:
    """The official name and its short forms: 苏州市 苏州; 临夏回族自治州 临夏州 临夏; 黄梅县 黄梅 (a county's
    short form only before an institution)."""
    aliases = [region.name]
    stem = autonomous_stem(region.name)
    if stem is not None:
        aliases += [stem + region.name[-1], stem]
    elif short_form(region.name) != region.name:
        aliases.append(short_form(region.name))
    return aliases


def _renamed(region: Region) -> Region | None:
    """A county made a district keeps its stem (凤翔县 → 宝鸡市凤翔区, since 2021): the table may predate it."""
    if region.level != "county" or not region.name.endswith("县") or region.parent is None:
        return None
    if region.parent.level != "city" or len(region.name) < 3:
        return None
    return Region(region.name[:-1] + "区", "county", region.parent, region.code)
