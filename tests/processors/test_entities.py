"""The entity step: procuratorates by canonical name (full, short, contextual, coordinated forms),
other institutions, documents, persons with reporters apart, places resolved to the hierarchy."""

from __future__ import annotations

import logging

import pytest
import spacy.util

from pipeline.model import Entity
from processors.nlp.pipeline import load_nlp
from tests.processors.nlp_resources import annotated


def labelled(entities: list[Entity], label: str) -> list[str]:
    return [e.text for e in entities if e.label == label]


def test_full_short_and_supreme_forms_get_canonical_names() -> None:
    article = annotated(
        "洪洞县检察院开展公益诉讼",
        "洪洞县人民检察院近日立案。武乡检察院召开听证会。案例入选最高检典型案例，"
        "江苏省南京市鼓楼区人民检察院也有介绍。",
    )
    assert article.procuratorates == [
        "洪洞县人民检察院",
        "武乡县人民检察院",
        "最高人民检察院",
        "南京市鼓楼区人民检察院",
    ]
    assert "山西省/临汾市/洪洞县" in article.regions and "山西省/长治市/武乡县" in article.regions
    assert "江苏省/南京市/鼓楼区" in article.regions


def test_coordinated_form_names_each_procuratorate() -> None:
    article = annotated(body="临汾、太原、大同等检察院召开新闻发布会。孝义、汾阳等县（市）检察院参加。")
    assert article.procuratorates == [
        "临汾市人民检察院",
        "太原市人民检察院",
        "大同市人民检察院",
        "孝义市人民检察院",
        "汾阳市人民检察院",
    ]


def test_provincial_short_form_needs_the_articles_province() -> None:
    body = "省检察院召开新闻发布会，通报全省检察机关工作。"
    assert annotated(body=body, site_regions=["山西", "临汾"]).procuratorates == ["山西省人民检察院"]
    # No site tag, but the places it names are in Shanxi.
    inferred = annotated(body="我省检察院召开新闻发布会，太原市、大同市检察院参加。").procuratorates
    assert inferred == ["山西省人民检察院", "太原市人民检察院", "大同市人民检察院"]
    # Nothing tells the province: the mention is not guessed.
    assert annotated(body=body).procuratorates == []


def test_contextual_and_anonymised_forms() -> None:
    article = annotated(
        body="阳曲县人民检察院办理一起案件。该院检察官介绍……某区检察院原检察长被查。全省各级检察院参加。"
    )
    assert article.procuratorates == ["阳曲县人民检察院"]
    same = [e for e in article.entities if e.text == "该院"]
    assert same and same[0].canonical == "阳曲县人民检察院"


def test_a_place_mentioned_alone_is_not_a_procuratorate() -> None:
    article = annotated(body="近日，浮山县85岁的陈大妈激动地说：太感谢检察院了！")
    assert article.procuratorates == []
    assert "山西省/临汾市/浮山县" in article.regions


def test_other_institutions_and_documents() -> None:
    article = annotated(
        body="省检察院与省法院、黄河河务局联合出台《关于加强协作的意见》。临汾市中级人民法院审结此案，"
        "洪洞县公安局侦办，省人大常委会通过决定，省委办公厅发文。",
        site_regions=["山西"],
    )
    assert labelled(article.entities, "COURT") == ["省法院", "临汾市中级人民法院"]
    assert labelled(article.entities, "POLICE") == ["洪洞县公安局"]
    assert labelled(article.entities, "GOV") == ["黄河河务局"]
    assert labelled(article.entities, "CONGRESS") == ["省人大常委会"]
    assert labelled(article.entities, "PARTY") == ["省委办公厅"]
    assert [e.canonical for e in article.entities if e.label == "DOC"] == ["关于加强协作的意见"]


def test_reporters_and_editors_are_kept_apart_from_people_in_the_story() -> None:
    article = annotated(
        body="检察官张明向记者介绍，王某某已被起诉。\n记者 邓伟强 通讯员 李华\n责任编辑：吉政",
        authors=["鄧偉強"],  # the page's script: matched after simplification
    )
    roles = {e.text: e.role for e in article.entities if e.label == "PERSON"}
    assert roles == {"张明": None, "王某某": None, "邓伟强": "reporter", "李华": "reporter", "吉政": "editor"}
    # Named only in the author field, the reporter is still kept apart when the body names them.
    only_field = annotated(body="检察官张明说，邓伟强也在场。", authors=["鄧偉強"])
    assert {e.text: e.role for e in only_field.entities if e.label == "PERSON"}["邓伟强"] == "reporter"


def test_parties_named_with_their_role_are_people_and_a_name_only_the_generic_layer_saw_is_marked() -> None:
    article = annotated(
        body="经过调解，申请人张晓燕表示息诉罢访，法院判处被告人李建国有期徒刑三年。"
        "该院始终坚持讲政治、顾大局、谋发展，检察官王伟出席。"
    )
    persons = {e.text: e.generic for e in article.entities if e.label == "PERSON"}
    assert {"张晓燕": False, "李建国": False, "王伟": False}.items() <= persons.items()
    # 顾大局 is tagged a name in the dictionary; nothing else in the text says it is one.
    assert persons.get("顾大局", True) is True


def test_offsets_point_into_the_simplified_body_and_title() -> None:
    article = annotated("臨汾市檢察院召開發布會", "近日，洪洞縣人民檢察院與最高檢簽署協議。")
    assert article.body_simplified and article.title_simplified
    for entity in article.entities:
        text = article.title_simplified if entity.in_title else article.body_simplified
        assert text[entity.start : entity.end] == entity.text
    assert [e.canonical for e in article.entities if e.in_title] == ["临汾市人民检察院"]


def test_the_pipeline_that_runs_is_named_honestly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        resources = load_nlp("zh_no_such_model")
    assert "fallback" in resources.description and "zh_no_such_model" in resources.description
    assert any("entity pipeline: fallback" in r.getMessage() for r in caplog.records)
    assert annotated(body="检察院").nlp_pipeline is not None


def test_the_generic_layer_modes_leave_the_domain_entities_alone() -> None:
    # posseg (jieba's tagger with its HMM), tokens (dictionary tags of the segmenter's words), off (none).
    text = "临汾市人民检察院检察官张明到洪洞县调研，太原市公安局民警参加。"
    found = {}
    for mode in ("posseg", "tokens", "off"):
        resources = load_nlp("zh_no_such_model", generic=mode)  # type: ignore[arg-type]
        doc = resources.nlp(text)
        found[mode] = [(m.label, m.canonical) for m in doc._.jiancha]
        assert (len(doc.ents) == 0) is (mode == "off")
    assert found["posseg"] == found["tokens"] == found["off"]


def test_a_shortened_name_of_an_office_named_in_full_is_that_office() -> None:
    body = "承德市鹰手营子矿区人民检察院组织开展研学活动。此次活动是营子区检察院法治进校园工作的一部分。"
    assert annotated("", body).procuratorates == ["承德市鹰手营子矿区人民检察院"]


def test_levels_listed_together_are_procuratorates_in_general() -> None:
    body = "山西省人民检察院发布意见，强调省、市检察院发挥业务指导作用。"
    assert annotated("太原2月24日电", body).procuratorates == ["山西省人民检察院"]


def test_zone_procuratorates_keep_their_written_names_and_their_short_forms_resolve() -> None:
    body = "信件经扬州市检察院转到扬州开发区检察院。山西综改示范区人民检察院聘用听证员，综改区人民检察院介绍工作。"
    assert annotated("", body).procuratorates == [
        "扬州市人民检察院",
        "扬州开发区检察院",
        "山西综改示范区人民检察院",
    ]
    assert annotated("", "上海市浦东新区人民检察院召开会议。").procuratorates == ["上海市浦东新区人民检察院"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "检察院",
        " 检察院",
        "检察院 ",
        "检察 院",
        "检察  院",
        "检察\n院",
        " \n检察院\t \n",
        "a b  c\u3000d",
    ],
)
def test_the_tokenizer_keeps_spacing_as_spacy_would(text: str) -> None:
    from pipeline.segmenter import shared_segmenter
    from processors.nlp.pipeline import words_and_spaces

    cut = shared_segmenter().cut(text)
    assert words_and_spaces(cut, text) == spacy.util.get_words_and_spaces(cut, text)
