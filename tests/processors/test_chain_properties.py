"""The whole enrich chain (normalise → entities → topics → figures → keywords → reprints) on any
article (hypothesis): an enriched article or a Drop/Poison with a reason, never another exception;
the original text untouched, entity offsets pointing at their text, scores in range; and the
normaliser idempotent on any text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.commands.common import init_index
from pipeline.errors import Drop, Poison
from pipeline.model import Article
from pipeline.runner import Step
from pipeline.settings import Settings
from processors.chain import build_all_steps
from processors.normalise import clean_text, normalise
from tests.processors.nlp_resources import converter

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
# The vocabulary the steps react to, so generated text reaches their interesting branches.
CUES = st.sampled_from(
    ["检察院", "人民检察院", "山西省", "洪洞县", "临汾市", "公益诉讼", "立案", "253件", "3万元", "余", "记者 张三",
     "责任编辑:李四", "来源:山西日报", "(fā)", "發展", "？？？", "\ufffd", "\u200b", "\n", "\n\n", "。", "“", "”",
     "《", "》", "\x00", "\u3000", "🙂", "\U00020000", "a", "123", "——", "【检察动态】"]
)  # fmt: skip
TEXT = st.lists(CUES | st.text(alphabet=HAN, max_size=8) | st.text(max_size=4), max_size=60).map("".join)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-11))])
WHEN = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1), timezones=ZONES)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    n = draw(st.integers(min_value=0, max_value=10**6))
    return Article.new(
        f"http://demo.test/{n}.html",
        title=draw(TEXT),
        body=draw(TEXT),
        subtitle=draw(st.none() | TEXT),
        authors=draw(st.lists(st.text(max_size=6), max_size=3)),
        editor=draw(st.none() | st.text(max_size=6)),
        source=draw(st.none() | st.text(max_size=10)),
        published_at=draw(st.none() | WHEN),
        site_regions=draw(st.lists(st.sampled_from(["山西", "山西/临汾", "北京", "", "火星"]), max_size=2)),
    )


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Step]]:
    data: Path = tmp_path_factory.mktemp("chain")
    chain_settings = Settings(data_dir=data, spacy_model="zh_core_web_sm")
    init_index(chain_settings)  # the story store, as `jiancha index init` makes it
    yield build_all_steps(chain_settings)


def run(chain: list[Step], article: Article) -> Article | None:
    try:
        for step in chain:
            article = step(article)
    except (Drop, Poison) as outcome:
        assert outcome.reason, "a Drop or Poison says why"
        return None
    return article


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_any_article_is_enriched_or_refused_with_a_reason(chain: list[Step], article: Article) -> None:
    got = run(chain, article)
    if got is None:
        return
    assert (got.article_id, got.url, got.title, got.body) == (
        article.article_id,
        article.url,
        article.title,
        article.body,
    )
    assert got.body_simplified is not None and got.title_simplified is not None
    for entity in got.entities:
        text = got.title_simplified if entity.in_title else got.body_simplified
        assert 0 <= entity.start <= entity.end <= len(text)
        assert text[entity.start : entity.end] == entity.text
    assert got.relevance is None or 0 <= got.relevance <= 1
    assert all(0 <= t.score <= 1 for t in got.topics)
    assert got.story_id
    assert got.steps[:2] == ["normalise", "entities"]
    # What the next stage reads back is what this one wrote.
    assert Article.from_json(got.to_json()) == got


@settings(max_examples=300, deadline=None)
@given(articles())
def test_normalise_is_idempotent_on_any_text(article: Article) -> None:
    once = normalise(article, converter())
    twice = normalise(once, converter())
    assert twice == once
    assert (once.title, once.body) == (article.title, article.body)


@settings(max_examples=400, deadline=None)
@given(TEXT | st.text())
def test_clean_text_of_clean_text_changes_nothing(text: str) -> None:
    # The derived text is a fixed point: a reprocessed or re-crawled simplified copy stays identical.
    clean, _ = clean_text(text, converter())
    assert clean_text(clean, converter())[0] == clean
