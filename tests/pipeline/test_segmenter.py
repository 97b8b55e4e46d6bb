"""The shared segmenter: gazetteer names as words, jieba's global dictionary untouched, and a query cut
the same way in the web app's process as in a processor's."""

from __future__ import annotations

import json
import subprocess
import sys

import jieba

from pipeline.gazetteer import load_gazetteer
from pipeline.segmenter import Segmenter, gazetteer_words, shared_segmenter
from pipeline.settings import REPO_ROOT

# Place names jieba's own dictionary cuts (云冈|区, a district created in 2018), institution words and
# a taxonomy phrase: the words a processor's segmenter knows from config/.
QUERIES = [
    "云冈区检察院",
    "大同市云冈区人民检察院公益诉讼",
    "洪洞县人民检察院",
    "司法救助",
    "未成年人检察工作",
]

_WEB = """
import json, sys
import webapp.app  # the web app's modules, as `jiancha web` imports them
from indexer.text import query_words
print(json.dumps([list(query_words(q)) for q in json.loads(sys.argv[1])], ensure_ascii=False))
"""

_PROCESSOR = """
import json, sys
from pipeline.model import Article
from pipeline.settings import Settings
from processors.chain import build_steps
from processors.keywords import load_keyword_extractor
settings = Settings(spacy_model="zh_no_such_model")
steps = build_steps("entities", settings)
load_keyword_extractor()  # the topics stage's resources, loaded in the same process by `jiancha up`
out = []
for query in json.loads(sys.argv[1]):
    article = Article.new("https://example.invalid/" + query, title=query, body="")
    for step in steps:
        article = step(article)
    out.append(article.title_words.split())
print(json.dumps(out, ensure_ascii=False))
"""


def _run(code: str) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(QUERIES, ensure_ascii=False)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    result: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_query_is_cut_the_same_in_the_web_process_and_in_a_processor_process() -> None:
    web, processor = _run(_WEB), _run(_PROCESSOR)
    assert web == processor
    # And both know the gazetteer's name that jieba alone cuts in two.
    assert web[0] == ["云冈区", "检察院"]
    assert web[1][:3] == ["大同市", "云冈区", "人民检察院"]


def test_every_gazetteer_name_is_one_word_before_an_institution() -> None:
    segmenter = shared_segmenter()
    for name in gazetteer_words(load_gazetteer()):
        assert segmenter.cut(f"{name}人民检察院")[0] == name, name


def test_jiebas_global_dictionary_is_left_alone() -> None:
    jieba.initialize()
    made_up = "翠屏湾县"  # not a word of jieba's dictionary
    segmenter = Segmenter(places=[made_up], phrases=["检察听证会"])
    assert segmenter.cut(f"{made_up}检察院召开检察听证会") == [made_up, "检察院", "召开", "检察听证会"]
    assert segmenter.tag_of(made_up) == "ns"
    assert made_up not in jieba.lcut(f"{made_up}检察院")
    assert not jieba.dt.FREQ.get(made_up)


def test_the_words_of_a_query_leave_out_spaces_and_punctuation() -> None:
    assert shared_segmenter().words("洪洞县检察院，Hotline　司法救助") == (
        "洪洞县",
        "检察院",
        "hotline",
        "司法救助",
    )


def test_the_entity_stages_word_fields_are_the_segmenters_words() -> None:
    from tests.processors.nlp_resources import annotated

    body = "黄梅县人民检察院  依法办理公益诉讼案件。\nHotline 12309，　司法救助金共计72万元！"
    article = annotated("洪洞县检察院召开新闻发布会", body)
    segmenter = shared_segmenter()
    assert article.body_words == " ".join(segmenter.words(article.body_simplified or ""))
    assert article.title_words == " ".join(segmenter.words(article.title_simplified or ""))
    assert "黄梅县" in article.body_words.split()
