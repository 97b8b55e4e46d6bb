"""Recall of procuratorate names by form: every city and county office of the gazetteer written in the
forms real news uses ("{chain}人民检察院", "{name}检察院", "{name}院", "…第二检察部", 市检察院 after the
city, coordinated lists …), in simplified and in OpenCC traditional script, through normalise → entities.

The sentences are written here, so this finds error classes without reading any evaluation text. Prints,
per form, how many sentences and how many gave anything but the expected offices; ``--show N`` lists N
wrong ones per form, ``--every N`` takes every N-th region (a quicker round).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import opencc

from pipeline.gazetteer import Gazetteer, Region, autonomous_stem, short_form
from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise

# Sentences of one office: (form, body, expected offices, site regions).
Case = tuple[str, str, list[str], list[str]]
_NUMBERS = "一二三四"


@dataclass(frozen=True)
class Office:
    region: Region
    unique: bool  # the name alone names one office (no other unit has it)
    unique_in_province: bool = True

    @property
    def chain(self) -> str:
        return "".join(r.name for r in self.region.lineage())


def offices(gaz: Gazetteer) -> list[Office]:
    by_code: dict[str, list[Region]] = {}
    for region in gaz.all_regions():
        if region.code is not None and region.level != "province":
            by_code.setdefault(region.code, []).append(region)
    # A county the table predates as a district (凤翔县, 凤翔区) shares its code: the table's name is sure.
    regions = [min(same, key=lambda r: r.name.endswith("区")) for same in by_code.values()]
    regions.sort(key=lambda r: (r.code or "", r.name))
    per_province = Counter((r.name, r.province.name if r.province else "") for r in regions)
    return [
        Office(
            r,
            r.name not in gaz.ambiguous and len(gaz.lookup(r.name)) == 1 and r.name not in gaz.duplicates,
            per_province[(r.name, r.province.name if r.province else "")] == 1
            and r.name not in gaz.ambiguous,
        )
        for r in regions
    ]


def office_cases(office: Office) -> Iterator[Case]:
    region, name, proc = office.region, office.region.name, office.region.procuratorate
    yield "{chain}人民检察院", f"{office.chain}人民检察院开展活动。", [proc], []
    yield "{chain}人民检察院第X检察部", f"{office.chain}人民检察院第二检察部办理一起案件。", [proc], []
    yield "{chain}院", f"{office.chain}院检察长张某介绍，该院今年受理案件120件。", [proc], []
    # Courts shorten to 院 too: after the court's name the short form is the court (expected: none).
    text = f"{office.chain}人民法院依法审理此案，{name}院审判委员会讨论决定。"
    yield "court text: {name}院 (no office)", text, [], []
    text = f"{office.chain}人民法院审理了{name}人民检察院提起公诉的案件。"
    yield "court and procuratorate", text, [proc], []
    if office.unique:
        yield "{name}检察院", f"近日，{name}检察院开展活动。", [proc], []
        yield "{name}检察院检察长某某", f"{name}检察院检察长张某某介绍了经验。", [proc], []
        yield "{name}院", f"近日，{name}院检察长张某介绍，该院今年受理案件120件。", [proc], []
    parent = region.parent
    if region.level == "county" and parent is not None and parent.level == "city":
        yield "{city}{district}院", f"近日，{parent.name}{name}院召开党组会议，检察长张某主持。", [proc], []
        province = parent.parent
        if province is not None and not province.name.endswith("市"):
            # Two units of the name in the province, or 城区/矿区/郊区 without their city: no office by name.
            expected = [proc] if office.unique_in_province else []
            yield (
                "{province}{county}人民检察院",
                f"{province.name}{name}人民检察院依法提起公诉。",
                expected,
                [],
            )
            text = f"{short_form(province.name)}{name}检察院依法提起公诉。"
            yield "{province short}{county}检察院", text, expected, []
            yield "{city short}{county}检察院", f"{_short(parent.name)}{name}检察院依法提起公诉。", [proc], []
    if office.unique:
        yield "原{name}检察院检察长", f"原{name}检察院检察长张某受贿一案开庭。", [proc], []
        yield "{name}人民检察院 (opening)", f"{name}人民检察院依法对张某提起公诉。", [proc], []
    level = {"city": "市"}.get(region.level) or (name[-1] if name[-1] in "县区" else None)
    if level is not None:
        text = f"{office.chain}召开政法工作会议。会上，{level}检察院检察长作发言。"
        yield f"{{place}} … {level}检察院", text, [proc], []
        yield (
            f"{{place}} … {level}院",
            f"{office.chain}召开政法工作会议。会上，{level}院检察长作发言。",
            [proc],
            [],
        )


def list_cases(gaz: Gazetteer) -> Iterator[Case]:
    """Three districts or three counties of one city, coordinated before one 检察院."""
    cities: dict[str, list[Region]] = {}
    for office in offices(gaz):
        region = office.region
        if region.level == "county" and region.parent and region.parent.level == "city":
            cities.setdefault(region.parent.path, []).append(region)
    for counties in cities.values():
        for suffix, word in (("区", "三个区"), ("县", "三县")):
            same = sorted((c for c in counties if c.name.endswith(suffix)), key=lambda c: c.code or "")[:3]
            shorts = "、".join(_short(c.name) for c in same)
            if len(same) < 3 or any(len(_short(c.name)) == len(c.name) for c in same):
                continue
            city, expected = same[0].parent, [c.procuratorate for c in same]
            assert city is not None
            yield (
                f"{{city}}A、B、C{word}检察院",
                f"{city.name}{shorts}{word}检察院联合召开会议。",
                expected,
                [],
            )
            fulls = "、".join(c.name for c in same)
            yield "{city}A区、B区、C区检察院", f"{city.name}{fulls}检察院联合召开会议。", expected, []


def _short(name: str) -> str:
    return autonomous_stem(name) or short_form(name)


def province_cases(gaz: Gazetteer) -> Iterator[Case]:
    provinces = {r.path: r for r in gaz.provinces.values()}.values()
    for province in provinces:
        proc = province.procuratorate
        short = next(k for k, v in gaz.provinces.items() if v == province and k != province.name)
        for word in ("省检察院", "省院") if province.name.endswith("省") else ():
            yield f"{{province}} … {word}", f"{province.name}召开会议，{word}检察长出席。", [proc], []
            yield f"site region, {word}", f"{word}党组书记、检察长主持召开党组会议。", [proc], [short]


def national_cases(gaz: Gazetteer) -> Iterator[Case]:
    spp = "最高人民检察院"
    for word in ("最高检", "高检院", "最高人民检察院", "最高检察院"):
        yield "最高检 / 高检院", f"{word}发布指导性案例。", [spp], []
    for city in sorted(set(gaz.railway.values())):
        for written, office in (("铁路运输检察院", "院"), ("铁路运输检察分院", "分院"), ("铁检院", "院")):
            yield (
                "{city}铁路运输检察院 / 分院",
                f"{city}{written}依法提起公诉。",
                [f"{city}铁路运输检察{office}"],
                [],
            )
    for abbr, city in gaz.railway.items():
        if not abbr.endswith("铁检"):
            yield "{bureau}分院 (成铁分院)", f"{abbr}分院召开党组会议。", [f"{city}铁路运输检察分院"], []
    for army in (
        "中国人民解放军军事检察院",
        "东部战区军事检察院",
        "南部战区军事检察院",
        "西部战区军事检察院",
    ):
        yield "军事检察院", f"{army}依法提起公诉。", [army], []
    for zone in ("四川天府新区", "陕西西咸新区", "重庆两江新区", "江西赣江新区", "大连金普新区", "雄安新区"):
        # A district-like zone under a city carries the city, as districts do (大连市金普新区).
        name = zone if zone.startswith("雄安") else zone[2:] if zone[1] != "连" else f"大连市{zone[2:]}"
        yield "{zone}人民检察院", f"{zone}人民检察院开展普法宣传。", [f"{name}人民检察院"], []
    for city in ("北京市", "上海市", "天津市", "重庆市"):
        for n in _NUMBERS[:2]:
            expected = [f"{city}人民检察院第{n}分院"]
            yield "{city}人民检察院第X分院", f"{city}人民检察院第{n}分院提起公诉。", expected, []
            yield "{city}检察X分院", f"{city}检察{n}分院提起公诉。", expected, []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=int, default=1, help="take every N-th office (default: all)")
    parser.add_argument("--show", type=int, default=0, help="list N wrong sentences per form")
    parser.add_argument("--form", help="only forms containing this text")
    args = parser.parse_args(argv)
    resources = load_entity_resources(Settings())
    to_simplified, to_traditional = load_converter(), opencc.OpenCC("s2t").convert
    gaz = resources.gazetteer

    def found(body: str, sites: list[str]) -> list[str]:
        article = Article.new(
            f"https://example.invalid/{abs(hash(body))}", title="", body=body, site_regions=sites
        )
        return tag_entities(normalise(article, to_simplified), resources).procuratorates

    cases: list[Case] = [c for o in offices(gaz)[:: args.every] for c in office_cases(o)]
    cases += [*list_cases(gaz), *province_cases(gaz), *national_cases(gaz)]
    if args.form:
        cases = [c for c in cases if args.form in c[0]]
    totals: dict[str, list[int]] = {}
    wrong: dict[str, list[str]] = {}
    started = time.process_time()
    for form, body, expected, sites in cases:
        for script, convert in (("simplified", str), ("traditional", to_traditional)):
            text: str = convert(body)
            got = found(text, sites)
            row = totals.setdefault(form, [0, 0, 0])
            row[0 if script == "simplified" else 1] += got != expected
            row[2] += 1
            if got != expected:
                wrong.setdefault(form, []).append(f"{text} → {got} (expected {expected})")
    cpu = time.process_time() - started
    print(f"\nprocuratorate names by form: {len(cases)} sentences × 2 scripts, every {args.every}. office")
    print(f"{'form':36} {'sentences':>9} {'wrong simp':>10} {'wrong trad':>10} {'recall':>7}")
    for form, (simp, trad, n) in totals.items():
        print(f"{form:36} {n // 2:9} {simp:10} {trad:10} {1 - (simp + trad) / n:7.3f}")
        for line in wrong.get(form, [])[: args.show]:
            print(f"    {line}")
    print(f"\n{sum(r[2] for r in totals.values())} texts, {cpu:.1f} s of CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
