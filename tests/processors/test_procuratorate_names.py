"""Procuratorate names of the forms real news uses (issue 14, item 3), each checked on sentences written
here: branch offices (分院) and railway transport offices, special-zone and 新区 offices, county names
that segmentation would cut, districts resolved to their city, coordinated lists under one city."""

from __future__ import annotations

import opencc
import pytest

from tests.processors.nlp_resources import annotated, resources


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("北京市人民检察院第二分院对该案提起公诉。", ["北京市人民检察院第二分院"]),
        ("上海市人民检察院第一分院召开党组会议。", ["上海市人民检察院第一分院"]),
        ("成铁分院召开党组会议，部署年度工作。", ["成都铁路运输检察分院"]),
        ("太原铁检分院与太原铁路运输检察院联合调研。", ["太原铁路运输检察分院", "太原铁路运输检察院"]),
        ("西安铁路运输检察院依法提起公诉。", ["西安铁路运输检察院"]),
    ],
)
def test_branch_and_railway_offices_get_canonical_names(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("深汕特别合作区人民检察院开展普法宣传。", ["深汕特别合作区人民检察院"]),
        ("雄安新区人民检察院召开新闻发布会。", ["雄安新区人民检察院"]),
        ("天津市滨海新区人民检察院提起公益诉讼。", ["天津市滨海新区人民检察院"]),
        ("兵团检察院第八师分院依法提起公诉。", ["新疆生产建设兵团人民检察院第八师分院"]),
        ("石河子垦区人民检察院依法提起公诉。", ["石河子垦区人民检察院"]),
        ("大兴安岭林区人民检察院召开会议。", ["大兴安岭林区人民检察院"]),
    ],
)
def test_special_zone_and_new_area_offices(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


def test_county_names_are_not_cut_by_segmentation() -> None:
    assert annotated(body="黄梅县人民检察院依法批准逮捕犯罪嫌疑人。").procuratorates == ["黄梅县人民检察院"]
    assert annotated(body="安吉县检察院对该案提起公诉。").procuratorates == ["安吉县人民检察院"]
    # 梅县区 ends in 县区, which elsewhere means "the counties and districts" (县区检察院).
    article = annotated(body="梅州市梅县区人民检察院开展检察开放日活动。")
    assert article.procuratorates == ["梅州市梅县区人民检察院"]


def test_districts_take_their_city() -> None:
    # The gazetteer's only 马村区 is in 焦作.
    assert annotated(body="马村区检察院办理一起案件。").procuratorates == ["焦作市马村区人民检察院"]
    # 鼓楼区 is in several cities: the site's province decides.
    on_fujian_site = annotated(body="鼓楼区检察院召开会议。", site_regions=["福建"])
    assert on_fujian_site.procuratorates == ["福州市鼓楼区人民检察院"]
    # 南山区 is in 深圳 and in 鹤岗: the article names 深圳, and 该院 after the short form is the same office.
    article = annotated(
        body="记者从深圳市南山区人民检察院获悉，该院推进合规改革。南山区检察院还设立工作站，该院检察官介绍了经验。"
    )
    assert article.procuratorates == ["深圳市南山区人民检察院"]


def test_an_unnamed_district_is_no_office() -> None:
    # 一区检察院: "a district's procuratorate", the way reports leave an office unnamed.
    assert annotated(body="吉林一区检察院原副检察长受贿获刑。").procuratorates == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "闵行、宝山、徐汇三个区检察院联合召开会议。",
            ["上海市闵行区人民检察院", "上海市宝山区人民检察院", "上海市徐汇区人民检察院"],
        ),
        (
            "太原市小店、迎泽、杏花岭区检察院联合开展活动。",
            ["太原市小店区人民检察院", "太原市迎泽区人民检察院", "太原市杏花岭区人民检察院"],
        ),
        (
            "河南省郑州、洛阳、开封等市检察院参加培训。",
            ["郑州市人民检察院", "洛阳市人民检察院", "开封市人民检察院"],
        ),
    ],
)
def test_coordinated_lists_under_one_city_or_province(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # The first character could be a word of the sentence (三, 和, 会, 于, 同, 让).
        ("廊坊市三河市人民检察院开展活动。", ["三河市人民检察院"]),
        ("近日，和顺县检察院召开听证会。", ["和顺县人民检察院"]),
        ("会理县人民检察院依法提起公诉。", ["会理县人民检察院"]),
        ("沈阳市于洪区检察院办理一起案件。", ["沈阳市于洪区人民检察院"]),
        ("大庆市让胡路区人民检察院开展活动。", ["大庆市让胡路区人民检察院"]),
        # The end looks like a generic or listing word (全区, 等县, 七区) or a forestry office (林区).
        ("张家口市万全区人民检察院开展活动。", ["张家口市万全区人民检察院"]),
        ("天等县检察院召开新闻发布会。", ["天等县人民检察院"]),
        ("郑州市二七区人民检察院开展活动。", ["郑州市二七区人民检察院"]),
        ("西安市碑林区人民检察院开展活动。", ["西安市碑林区人民检察院"]),
        ("太原市萬柏林區人民檢察院開展活動。", ["太原市万柏林区人民检察院"]),
    ],
)
def test_gazetteer_names_win_over_function_words(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


def test_short_forms_opening_with_a_function_character() -> None:
    assert annotated(body="近日，三河检察院召开听证会。").procuratorates == ["三河市人民检察院"]
    assert annotated(body="同江、于都检察院签订协作协议。").procuratorates == [
        "同江市人民检察院",
        "于都县人民检察院",
    ]
    # Inside a phrase the character is the word it looks like: 会同 "together with", 全州 "the whole prefecture".
    assert annotated(body="公安机关会同检察院开展专项行动。").procuratorates == []
    assert annotated(body="恩施州召开会议，全州检察院参加。").procuratorates == []


def test_function_words_still_read_as_such() -> None:
    assert annotated(body="全区检察院开展专项活动。各县区检察院参加。").procuratorates == []
    article = annotated(body="南宁、柳州、桂林等市检察院参加。")
    assert article.procuratorates == ["南宁市人民检察院", "柳州市人民检察院", "桂林市人民检察院"]
    assert annotated(body="太原、大同两市检察院联合开展活动。").procuratorates == [
        "太原市人民检察院",
        "大同市人民检察院",
    ]


def test_every_shanxi_office_is_found_by_its_name_in_either_script() -> None:
    """Each city and county of Shanxi in the gazetteer, written with its chain or alone, simplified or
    traditional: the office under its canonical name (the bare 城区, 矿区 and 郊区 are several places)."""
    gazetteer, to_traditional = resources().gazetteer, opencc.OpenCC("s2t").convert
    shanxi = gazetteer.province("山西省")
    assert shanxi is not None
    wrong = []
    for region in gazetteer.all_regions():
        if region.code is None or region.province != shanxi or region.level == "province":
            continue
        chain = "".join(r.name for r in region.lineage())
        forms = [f"{chain}人民检察院开展活动。"]
        if region.name not in gazetteer.ambiguous and len(gazetteer.lookup(region.name)) == 1:
            forms.append(f"近日，{region.name}检察院开展活动。")
        for body in (*forms, *map(to_traditional, forms)):
            found = annotated(body=body).procuratorates
            if found != [region.procuratorate]:
                wrong.append((body, found))
    assert wrong == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 洋浦 is no city or county of the gazetteer (which has them all): the office as the page writes it.
        ("洋浦检察院召开党组会议。", ["洋浦检察院"]),
        (
            "巡视组对海口市、五指山市、洋浦检察院开展巡视。",
            ["海口市人民检察院", "五指山市人民检察院", "洋浦检察院"],
        ),
        ("洋浦经济开发区人民检察院开展普法宣传。", ["洋浦经济开发区人民检察院"]),
        ("扬州开发区检察院办理一起案件。", ["扬州开发区检察院"]),
    ],
)
def test_offices_outside_the_divisions_are_named_as_written(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


def test_he_county_is_read_where_it_names_a_county() -> None:
    assert annotated(body="安徽省马鞍山市和县人民检察院开展活动。").procuratorates == ["和县人民检察院"]
    assert annotated(body="近日，和县检察院召开听证会。").procuratorates == ["和县人民检察院"]
    # Inside a phrase 和县 is "and the county".
    assert annotated(body="会议要求省、市和县检察院加强协作。").procuratorates == []


def test_urban_mining_and_suburban_districts_need_their_city() -> None:
    assert annotated(body="阳泉市城区人民检察院开展活动。").procuratorates == ["阳泉市城区人民检察院"]
    assert annotated(body="铜陵市郊区检察院办理一起案件。").procuratorates == ["铜陵市郊区人民检察院"]
    # 大同's 矿区 is no longer a district: the office as written, not 大同市市矿区.
    assert annotated(body="大同市矿区人民检察院开展活动。").procuratorates == ["大同市矿区人民检察院"]
    article = annotated(body="晋城市召开政法工作会议。城区检察院检察长作发言。")
    assert article.procuratorates == ["晋城市城区人民检察院"]
    # Shanxi has two 城区 (阳泉, 晋城): the site's province alone does not tell which.
    assert annotated(body="城区检察院开展活动。", site_regions=["山西"]).procuratorates == []


@pytest.mark.parametrize(
    ("body", "sites", "expected"),
    [
        ("洪洞县院检察长张某介绍，该院今年受理案件120件。", [], ["洪洞县人民检察院"]),
        ("近日，太原市小店区院召开党组会议，检察长主持。", [], ["太原市小店区人民检察院"]),
        ("临汾市召开政法工作会议。会上，市院检察长作发言。", [], ["临汾市人民检察院"]),
        ("省院党组书记、检察长主持召开党组会议。", ["山西"], ["山西省人民检察院"]),
        # Courts shorten their names the same way: 县院 after 法院 is the court.
        ("县法院一审判决后，县院院长介绍了案情。", [], []),
        ("洪洞县院院长主持审判委员会会议。", [], []),
    ],
)
def test_the_short_yuan_form_is_a_procuratorate_in_procuratorate_text(
    body: str, sites: list[str], expected: list[str]
) -> None:
    assert annotated(body=body, site_regions=sites).procuratorates == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("北京市检察一分院依法提起公诉。", ["北京市人民检察院第一分院"]),
        ("上海市检察院二分院召开新闻发布会。", ["上海市人民检察院第二分院"]),
        ("太原铁检院依法提起公诉。", ["太原铁路运输检察院"]),
        ("喀什地区检察分院召开会议。", ["喀什地区人民检察分院"]),
        # 分院 after words of the sentence is no branch's name.
        ("河北省检察院召开分院工作会议。", ["河北省人民检察院"]),
    ],
)
def test_numbered_and_railway_short_forms(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 中山 is also a city, 太和 a county elsewhere: in a list under 大连市 / 锦州市 they are its districts.
        (
            "大连市中山、西岗、沙河口三个区检察院联合召开会议。",
            ["大连市中山区人民检察院", "大连市西岗区人民检察院", "大连市沙河口区人民检察院"],
        ),
        (
            "锦州市古塔、凌河、太和三个区检察院联合召开会议。",
            ["锦州市古塔区人民检察院", "锦州市凌河区人民检察院", "锦州市太和区人民检察院"],
        ),
        (
            "盐城市响水、滨海、阜宁三县检察院联合召开会议。",
            ["响水县人民检察院", "滨海县人民检察院", "阜宁县人民检察院"],
        ),
    ],
)
def test_lists_take_the_units_of_the_city_written_before_them(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # 信阳|新县 and 陇南|康县, not the 阳新县 and 南康 that start inside the city's name.
        ("信阳新县检察院依法提起公诉。", ["新县人民检察院"]),
        ("安徽省和县人民检察院依法提起公诉。", ["和县人民检察院"]),
        # 城区 after a province is one of several (阳泉, 晋城): no office, and not 北京's 西城区.
        ("山西城区检察院依法提起公诉。", []),
        ("北京西城区检察院依法提起公诉。", ["北京市西城区人民检察院"]),
        ("山西平城区检察院依法提起公诉。", ["大同市平城区人民检察院"]),
        # 新区 alone is an ending, not a place: the zone's own name is read.
        ("四川天府新区人民检察院开展普法宣传。", ["天府新区人民检察院"]),
        (
            "滁州市来安、全椒、定远三县检察院联合召开会议。",
            ["来安县人民检察院", "全椒县人民检察院", "定远县人民检察院"],
        ),
    ],
)
def test_a_unit_is_read_with_the_place_written_before_it(body: str, expected: list[str]) -> None:
    assert annotated(body=body).procuratorates == expected


def test_a_bare_urban_district_takes_the_city_the_article_names() -> None:
    article = annotated(body="阳泉市人民法院审理了城区人民检察院提起公诉的案件。")
    assert article.procuratorates == ["阳泉市城区人民检察院"]
