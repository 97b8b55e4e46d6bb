"""The gazetteer of ``config/gazetteer.yaml``: places of the region hierarchy and their procuratorates.

Loaded once per worker and passed to the entity step; lookups are plain dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

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
            if name not in gaz.ambiguous:
                gaz.add(name, county)
                if short_form(name) != name:
                    gaz.add(short_form(name), county)
                    gaz.context_only.add(short_form(name))
            gaz.add(f"{city['name']}{name}", county)
            gaz.add(f"{short_form(city['name'])}{name}", county)
    return gaz
