"""The shared segmenter's faster route through jieba's dictionary: the same words as jieba's own cut,
so indexed words, query words, keywords and entities do not change."""

from __future__ import annotations

import random

import jieba
import jieba.finalseg

from evaluation.devset import load_devset
from pipeline.segmenter import shared_segmenter
from pipeline.word_route import WordRoute, hmm_cut

MIXED = [
    "",
    " ",
    "\r\n\r\n",
    "检",
    "太原市迎泽区人民检察院对犯罪嫌疑人张某某依法提起公诉。",
    "2026年1-11月，全市检察机关共受理案件3578件，同比上升12.5%，涉案金额303.834万元。",
    "记者 王晓燕 通讯员 李建国\n\u3000\u3000本报讯 太原8月13日电（记者 张三）",
    "Jiancha Monitor v2.1 检察 API #tag & C++ a_b-c 100%",
    "發(fā)展 次數(shù) 😀 𠀀𠀁 ？！…… 《中华人民共和国刑事诉讼法》第十五条",
    "檀彧钊蔺骁瞿晗昱在翟镇伋家村",  # rare names: runs the dictionary does not know go to the HMM
]


def test_the_shared_segmenter_cuts_as_jieba_does() -> None:
    segmenter = shared_segmenter()
    texts = [*MIXED, *(f"{c['title']}\n{c['body']}" for c in load_devset())]
    rng = random.Random(16)
    alphabet = "检察院人民法院公益诉讼山西省太原市的了是在 \n\t\u3000ab12.%，。（）發(fā)𠀀"
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 80))) for _ in range(300)]
    for text in texts:
        jieba_words = [w for w in segmenter.tokenizer.cut(text) if w]
        assert segmenter.cut(text) == jieba_words, text
        assert "".join(segmenter.cut(text)) == text


def test_words_added_to_the_dictionary_later_are_cut_whole() -> None:
    tokenizer = jieba.Tokenizer()
    route = WordRoute(tokenizer)
    text = "蔺骁瞿晗昱检察官出庭"
    assert "蔺骁瞿晗昱" not in list(route.cut(text))
    tokenizer.add_word("蔺骁瞿晗昱", freq=100_000)
    assert list(route.cut(text)) == list(tokenizer.cut(text))
    assert "蔺骁瞿晗昱" in list(route.cut(text))


def test_unknown_names_are_guessed_as_jiebas_hmm_guesses_them() -> None:
    rng = random.Random(14)
    characters = "檀彧钊蔺骁瞿晗昱翟镇伋家村的了检察院人民某ab1.5%𠀀"
    runs = [
        *MIXED,
        *("".join(rng.choice(characters) for _ in range(rng.randint(1, 30))) for _ in range(2000)),
    ]
    for run in runs:
        assert list(hmm_cut(run)) == list(jieba.finalseg.cut(run)), run
