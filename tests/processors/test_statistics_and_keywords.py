"""The figures step (reported figures as facts) and the keyword step."""

from __future__ import annotations

from pipeline.model import Article
from processors.keywords import extract_keywords
from processors.statistics import extract_statistics, find_figures
from tests.processors.nlp_resources import converter, keyword_extractor


def facts(text: str) -> list[tuple[str | None, float, str | None, str | None]]:
    return [(f.metric, f.value, f.unit, f.qualifier) for f in find_figures(text)]


def test_figures_with_metric_unit_and_qualifier() -> None:
    text = "上半年，全省检察机关共受理司法救助案件253件287人，发放救助金303.834万元。开展走访调研2000余次，覆盖近3万名群众。"
    assert facts(text) == [
        ("受理司法救助案件", 253, "件", None),
        ("受理司法救助案件", 287, "人", None),
        ("发放救助金", 303.834, "万元", None),
        ("开展走访调研", 2000, "次", "余"),
        ("覆盖", 3, "万名", "近"),
    ]


def test_dates_ages_durations_ordinals_and_phone_numbers_are_not_figures() -> None:
    text = "2021年8月13日09:36，85岁的陈大妈在第3次听证后说，被告人被判处有期徒刑3年6个月，需在10日内答复，拨打12309热线。"
    assert find_figures(text) == []


def test_rates_and_amounts_in_ten_thousands() -> None:
    assert facts("同比上升34.7%，挽回损失超过2亿元，清理垃圾1.2万吨。") == [
        ("上升", 34.7, "%", None),
        ("挽回损失", 2, "亿元", "超过"),
        ("清理垃圾", 1.2, "万吨", None),
    ]


def test_the_step_reads_the_simplified_body() -> None:
    article = Article.new("https://example.invalid/s", body="立案3578件", body_simplified="立案3578件")
    assert [s.text for s in extract_statistics(article).statistics] == ["3578件"]


def test_keywords_are_domain_terms_not_stop_words() -> None:
    body = converter()(
        "全省檢察機關大力推進公益訴訟檢察工作，公益訴訟案件線索3709件。檢察機關開展贍養類公益訴訟專項工作，"
        "發出訴前檢察建議2995件，保護黃河流域生態環境。"
    )
    article = Article.new(
        "https://example.invalid/k", title="公益诉讼守护黄河", body=body, body_simplified=body
    )
    keywords = extract_keywords(article, keyword_extractor()).keywords
    assert keywords[0] == "公益诉讼"
    assert "黄河" in keywords
    assert not {"检察机关", "工作", "开展", "的"} & set(keywords)


def test_weights_are_figures() -> None:
    assert facts("查明其走私冰毒48公斤、海洛因3.5公斤，另缴获麻黄碱2.3千克、大麻500余克。") == [
        ("查明其走私冰毒", 48, "公斤", None),
        ("海洛因", 3.5, "公斤", None),
        ("另缴获麻黄碱", 2.3, "千克", None),
        ("大麻", 500, "克", "余"),
    ]
