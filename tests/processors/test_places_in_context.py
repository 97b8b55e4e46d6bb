"""Procuratorate names that need the text around them: coordinated lists (X、Y等地检察院), districts
outside Shanxi written without their city, level hints (市检察院) and 该院 after a court."""

from __future__ import annotations

from tests.processors.nlp_resources import annotated


def test_a_list_of_cities_before_dengdi_names_each_procuratorate() -> None:
    article = annotated(body="甘肃省人民检察院近日组织兰州、天水、白银等地检察院的检察官组成巡回检察组。")
    assert article.procuratorates == [
        "甘肃省人民检察院",
        "兰州市人民检察院",
        "天水市人民检察院",
        "白银市人民检察院",
    ]
    # A count instead of 等 (两地), and a bare name jieba only knows as a county (普洱县) among cities.
    assert annotated(body="朔州、忻州两地检察院运用模型。").procuratorates == [
        "朔州市人民检察院",
        "忻州市人民检察院",
    ]
    assert annotated(body="普洱、临沧等地检察院坚持提前介入。").procuratorates == [
        "普洱市人民检察院",
        "临沧市人民检察院",
    ]


def test_a_list_of_provinces_before_dengdi_names_none() -> None:
    # Procuratorates somewhere in those provinces, not the provincial procuratorates.
    assert annotated(body="近日，山东、河南等地检察院举办检察开放日活动。").procuratorates == []


def test_a_district_outside_shanxi_takes_its_city_from_the_article() -> None:
    # The nearest city named before it.
    gangs = annotated(body="广州市人民检察院召开推进会。白云区检察院办理的一起涉黑案件中，检察机关依法认定。")
    assert gangs.procuratorates == ["广州市人民检察院", "广州市白云区人民检察院"]
    # The same district written with its city elsewhere, title and body being one context.
    hearing = annotated(
        "开福区检察院召开拟不起诉听证会",
        "长沙市开福区人民检察院召开听证会。今年以来，开福区检察院共召开听证会68场。",
    )
    assert hearing.procuratorates == ["长沙市开福区人民检察院"]
    # A district of a province-level city, written as one word by jieba (上海市浦东新区).
    pudong = annotated("浦东新区检察院保护未成年被害人", "上海市浦东新区人民检察院未成年人检察部的询问室里。")
    assert pudong.procuratorates == ["上海市浦东新区人民检察院"]


def test_a_gazetteer_city_never_adopts_a_district_it_does_not_have() -> None:
    # 雁塔区 is one district of the country's (in 西安): the gazetteer's unique match, not the city before it.
    article = annotated(body="太原市人民检察院与雁塔区检察院开展交流。")
    assert article.procuratorates == ["太原市人民检察院", "西安市雁塔区人民检察院"]


def test_a_district_of_several_cities_takes_the_one_the_article_names() -> None:
    # 鼓楼区 is in 南京, 徐州, 福州 and 开封: the article's city decides, and with none named it stays bare.
    fuzhou = annotated(body="福建省福州市召开会议。鼓楼区检察院通报了办案情况。")
    assert fuzhou.procuratorates == ["福州市鼓楼区人民检察院"]
    nowhere = annotated(body="鼓楼区检察院通报了办案情况。")
    assert nowhere.procuratorates == ["鼓楼区人民检察院"]


def test_districts_and_counties_of_other_provinces_resolve_to_their_city() -> None:
    article = annotated(body="焦作市马村区检察院与黄梅县检察院、宜秀区检察院签订协作协议。")
    assert article.procuratorates == ["焦作市马村区人民检察院", "黄梅县人民检察院", "安庆市宜秀区人民检察院"]
    assert "湖北省/黄冈市/黄梅县" in article.regions
    # A county made a district after the table was written keeps its city.
    assert annotated(body="凤翔区检察院开展公益诉讼。").procuratorates == ["宝鸡市凤翔区人民检察院"]


def test_a_three_character_district_after_its_city() -> None:
    article = annotated(body="她向南宁市西乡塘区人民检察院提交控告材料后，迟迟得不到答复。")
    assert article.procuratorates == ["南宁市西乡塘区人民检察院"]


def test_a_level_hint_does_not_glue_the_word_before_it() -> None:
    article = annotated(
        "晋中市五届人大三次会议开幕",
        "晋中市第五届人民代表大会第三次会议开幕。市长代表市人民政府向大会作政府工作报告。"
        "会议听取和审议市中级人民法院工作报告、市人民检察院工作报告。",
    )
    assert article.procuratorates == ["晋中市人民检察院"]
    assert [e.text for e in article.entities if e.label == "GOV"] == ["市人民政府"]


def test_gai_yuan_after_a_court_refers_to_the_subject_of_the_sentence() -> None:
    article = annotated(
        body="郑州市人民检察院依法向郑州市中级人民法院提起公诉。该院在侦查阶段即派员提前介入。"
    )
    same = [e for e in article.entities if e.text == "该院"]
    assert same and same[0].label == "PROCURATORATE" and same[0].canonical == "郑州市人民检察院"
    # In court news 该院 is the court: no procuratorate.
    court = annotated(body="太原市中级人民法院召开新闻发布会。该院执行局负责人介绍了一起典型案例。")
    assert court.procuratorates == [] and not [e for e in court.entities if e.label == "PROCURATORATE"]


def test_railway_transport_procuratorates_and_their_branches() -> None:
    article = annotated(body="成铁分院召开会议。太原铁路运输检察院提起公诉，太原铁检分院开展督导。")
    assert article.procuratorates == ["成都铁路运输检察分院", "太原铁路运输检察院", "太原铁路运输检察分院"]


def test_numbered_branches_of_a_city_procuratorate() -> None:
    article = annotated(body="北京市人民检察院第二分院审查起诉后，由上海市人民检察院第三分院提起公诉。")
    assert article.procuratorates == ["北京市人民检察院第二分院", "上海市人民检察院第三分院"]


def test_special_zones_have_their_own_procuratorate() -> None:
    article = annotated(
        body="深汕特别合作区人民检察院开展公益诉讼。深汕检察院干警走访企业。雄安新区检察院召开会议。"
    )
    assert article.procuratorates == ["深汕特别合作区人民检察院", "雄安新区人民检察院"]


def test_coordinated_lists_under_one_city() -> None:
    districts = annotated(body="闵行、宝山、徐汇三个区检察院联合开展活动。")
    assert districts.procuratorates == [
        "上海市闵行区人民检察院",
        "上海市宝山区人民检察院",
        "上海市徐汇区人民检察院",
    ]
    organs = annotated(body="云冈区、云州区、阳高县、灵丘县等县区检察机关聚焦生态检察。")
    assert organs.procuratorates == [
        "大同市云冈区人民检察院",
        "大同市云州区人民检察院",
        "阳高县人民检察院",
        "灵丘县人民检察院",
    ]
    # Procuratorates in general stay unnamed.
    assert annotated(body="全市两级检察机关和各县区检察院开展专项活动。").procuratorates == []


def test_banners_by_the_short_names_in_common_use() -> None:
    article = annotated(body="近日，新左旗检察院组织开展未成年人检察开放日活动，科右前旗检察院派员参加。")
    assert article.procuratorates == ["新巴尔虎左旗人民检察院", "科尔沁右翼前旗人民检察院"]
