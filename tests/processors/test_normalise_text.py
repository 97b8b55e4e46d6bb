"""Normalisation on damaged Chinese text: pinyin annotations, mojibake spans, script, widths, whitespace."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.demo.sample import SAMPLE_FILE, original
from pipeline.model import Article
from processors.normalise import damaged_spans, load_converter, normalise, strip_pinyin, tidy

CONVERT = load_converter()
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def test_pinyin_after_a_han_character_goes_and_real_parentheses_stay() -> None:
    damaged = "發(fā)展 次數(shù) 贍養(yang3) 《决定》(草案) (记者 张三) (2021) 第(a)项 A(fā)"
    text, removed = strip_pinyin(damaged)
    assert text == "發展 次數 贍養 《决定》(草案) (记者 张三) (2021) 第(a)项 A(fā)"
    assert removed == 3


def test_full_width_brackets_and_non_syllables_are_handled() -> None:
    assert strip_pinyin("發（fā）展")[0] == "發展"
    # Tone-marked but not a Mandarin syllable (no such final): kept, it may be a foreign word.
    assert strip_pinyin("品牌(tāx)")[0] == "品牌(tāx)"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(HAN, st.sampled_from(list("()（）0123456789 记者草案abcxyz,."))), max_size=60))
def test_without_tone_marks_or_digits_in_brackets_nothing_is_removed(chars: list[str]) -> None:
    text = "".join(chars)
    if re.search(r"[(（][a-z]+\d[)）]", text):
        return  # a tone-digit syllable may legitimately go
    assert strip_pinyin(text) == (text, 0)


def test_tidy_makes_widths_punctuation_and_whitespace_uniform() -> None:
    raw = "來源:山西日報   浏览次数:\u3000３５７８件，１２％ \r\n\n  (记者 张三) f(x) 3,578 09:36\u200b"
    assert tidy(raw) == "來源：山西日報 浏览次数： 3578件，12%\n（记者 张三） f(x) 3,578 09:36"
    # every full-width letter and digit, wherever it stands in a long text, becomes its ASCII form
    letters = "".join(chr(c) for c in range(0xFF10, 0xFF5B) if chr(c - 0xFEE0).isalnum())
    assert (
        tidy("检察" * 200 + letters + "。")
        == "检察" * 200 + "0123456789" + string.ascii_uppercase + string.ascii_lowercase + "。"
    )


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(HAN, st.sampled_from(list(" \n\u3000,:!()？。０１a"))), max_size=80))
def test_tidy_is_idempotent_and_keeps_every_han_character(text: str) -> None:
    once = tidy(text)
    assert tidy(once) == once
    assert [c for c in once if "\u4e00" <= c <= "\u9fa5"] == [c for c in text if "\u4e00" <= c <= "\u9fa5"]


def test_mojibake_runs_are_spans_and_a_lone_question_mark_is_not() -> None:
    text = "解决了后顾之忧?！苯\ue3d3?，在武乡县。怎么办?我说。真的吗? 是的。坏\ufffd字"
    spans = damaged_spans(text)
    assert [text[a:b] for a, b in spans] == ["?！苯\ue3d3?", "\ufffd"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(HAN, st.sampled_from(list("，。、！？“”()0123 \n")))))
def test_text_without_question_marks_or_broken_characters_has_no_damage(text: str) -> None:
    assert damaged_spans(text) == []


def test_the_sample_article_gets_clean_simplified_text_and_its_damage_recorded() -> None:
    body = SAMPLE_FILE.read_text(encoding="utf-8")
    article = Article.new(
        "http://demo.cn/linfen/1.html", title="以高質量檢察履職提高群眾滿意度獲得感", body=body
    )
    result = normalise(article, CONVERT)
    assert result.body == body  # the original is kept for display
    assert result.title_simplified == "以高质量检察履职提高群众满意度获得感"
    clean = result.body_simplified or ""
    assert "(fā)" not in clean and "发展" in clean and "赡养问题" in clean
    assert {"pinyin_damage", "mojibake"} <= set(result.quality)
    spans = [f for f in result.quality if f.startswith("damaged:body_simplified:")]
    damaged = []
    for flag in spans:
        start, end = map(int, flag.rsplit(":", 1)[1].split("-"))
        damaged.append(clean[start:end])
    assert len(damaged) == 3 and all("?" in d for d in damaged)
    # Outside the damaged spans, the clean text is the 山西日报 original, paragraph for paragraph.
    for paragraph in original().paragraphs[:3]:
        assert tidy(paragraph) in clean


def test_normalise_is_idempotent_on_replays_and_does_not_duplicate_flags() -> None:
    article = Article.new(
        "http://demo.cn/1.html", title="發(fā)展", body="當?shù)孛裾?、社保", quality=["pinyin_damage"]
    )
    once = normalise(article, CONVERT)
    twice = normalise(once, CONVERT)
    assert twice.quality == once.quality == ["pinyin_damage", "mojibake", "damaged:body_simplified:1-9"]
    assert twice.steps == ["normalise"] and twice.title_simplified == "发展"


def test_padded_punctuation_and_spaced_numbers_close_up() -> None:
    # Pages whose converter pads every mark and number: the figure and its unit belong together.
    raw = "治检 ,2013 年至 2017 年共查处检察人员 2089 人 , 严肃追究 531 名领导"
    assert tidy(raw) == "治检，2013年至2017年共查处检察人员2089人，严肃追究531名领导"
    assert tidy("3,578 f(x) a , b") == "3,578 f(x) a , b"  # not Chinese text: untouched


def test_variants_the_converter_leaves_become_simplified() -> None:
    assert CONVERT("陜西人 健全瞭檢察管理 衹有 瞭望塔") == "陕西人 健全了检察管理 只有 瞭望塔"
    assert CONVERT("衞生 敍述 濬縣 澂江") == "卫生 叙述 浚县 澄江"  # Hong Kong forms


def test_qian_of_place_names_survives_conversion() -> None:
    # 乾 is 干 in 乾燥, but a name in 乾县 and 乾安县, in either script.
    assert (
        CONVERT("乾县检察院 乾安縣檢察院 乾燥的天氣 若干安排")
        == "乾县检察院 乾安县检察院 干燥的天气 若干安排"
    )


def test_annotations_one_after_another_all_go_in_one_pass() -> None:
    assert strip_pinyin("检察院(fā)(fā)见") == ("检察院见", 2)
