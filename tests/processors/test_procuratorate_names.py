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
