"""One definition of a boilerplate line, and the steps that set such lines aside."""

from __future__ import annotations

from crawler.extract import patterns
from pipeline.boilerplate import is_boilerplate_line, story_lines
from pipeline.model import Article
from processors.statistics import extract_statistics
from tests.processors.nlp_resources import annotated

STORY = "临汾市人民检察院今年以来共受理司法救助案件253件，发放救助金303.834万元。"
FURNITURE = [
    "本报记者 王磊 通讯员 张晓燕",
    "责任编辑：刘芳",
    "來源：山西日報",
    "版权声明：未经书面授权，任何媒体不得转载。",
    "浏览次数：1024次",
    "分享到：微信 微博",
    "如需转载请注明出处",
]


def test_credit_copyright_and_counter_lines_are_boilerplate_in_either_script() -> None:
    assert [line for line in FURNITURE if not is_boilerplate_line(line)] == []
    assert not is_boilerplate_line(STORY)
    # A long paragraph that mentions 来源 or 转载 is story text.
    long_paragraph = "来源广泛的线索" + "检察机关依法办理转载侵权案件，" * 10
    assert not is_boilerplate_line(long_paragraph)
    # Prose that opens with a credit word is story text.
    assert not is_boilerplate_line("记者10月8日从包头市中级人民法院了解到，该案一审宣判。")
    assert story_lines("\n".join([STORY, *FURNITURE, long_paragraph])) == [STORY, long_paragraph]


def test_the_crawler_drops_the_page_furniture_the_processors_set_aside() -> None:
    page_furniture = [
        "版权所有 © 2024 临汾新闻网",
        "浏览次数：1024次",
        "分享到：微信 微博",
        "上一篇：检察开放日",
    ]
    assert all(patterns.is_boilerplate(line) and is_boilerplate_line(line) for line in page_furniture)
    assert not patterns.is_boilerplate(STORY)


def test_a_page_counter_is_not_a_reported_figure() -> None:
    article = Article.new("http://a.cn/1.html", title="司法救助", body="\n".join([STORY, "浏览次数：1024次"]))
    figures = {(s.value, s.unit) for s in extract_statistics(article).statistics}
    assert figures == {(253.0, "件"), (303.834, "万元")}


def test_an_institution_named_in_a_source_line_is_not_in_the_story() -> None:
    article = annotated("司法救助", "\n".join([STORY, "来源：大同市人民检察院"]))
    assert article.procuratorates == ["临汾市人民检察院"]
