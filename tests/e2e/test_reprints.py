"""End to end: the damaged traditional reprint on the demo 临汾 site and its 山西日报 original become one
story with two outlets and 山西日报 as the original — embedded, and on Kafka + Elasticsearch.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.demo.server import DemoServer
from crawler.demo.site import LINFEN_SAMPLE_URL, SXRB_SAMPLE_URL
from crawler.run import crawl_once
from indexer import open_index
from indexer.base import SearchQuery
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.commands.common import init_index
from pipeline.model import article_id_for
from pipeline.settings import Settings
from processors.reprints import open_story_store
from processors.worker import run_processor
from tests.e2e.conftest import free_port, jiancha

DEMO_OUTLETS = {"临汾新闻网（演示）", "山西日报（演示）"}
# A search hit names each outlet once, canonically (script and the demo decoration folded).
DEMO_OUTLETS_CANONICAL = {"临汾新闻网", "山西日报"}


def assert_one_story(settings: Settings, base_url: str) -> str:
    store = open_story_store(settings)
    try:
        reprint = store.get(article_id_for(base_url + LINFEN_SAMPLE_URL))
        original = store.get(article_id_for(base_url + SXRB_SAMPLE_URL))
        assert reprint is not None and original is not None
        assert reprint.story_id == original.story_id is not None
        story = store.story(reprint.story_id)
        assert story is not None
        assert set(story.outlets) == DEMO_OUTLETS and len(story.copies) == 2
        assert story.original.url == base_url + SXRB_SAMPLE_URL
        return reprint.story_id
    finally:
        store.close()


def test_embedded_the_sample_and_its_original_are_one_story(tmp_path: Path) -> None:
    port = free_port()
    env = {"JIANCHA_DATA_DIR": str(tmp_path / "data"), "JIANCHA_DEMO_PORT": str(port)}
    up = jiancha(["up", "--demo", "--once"], env)
    assert up.returncode == 0, up.stderr[-2000:]
    story_id = assert_one_story(Settings(data_dir=tmp_path / "data"), f"http://127.0.0.1:{port}")
    found = jiancha(["search", "司法救助", "--json", "--size", "50"], env)
    assert found.returncode == 0, found.stderr[-2000:]
    hits = [h for h in json.loads(found.stdout)["hits"] if h["story_id"] == story_id]
    assert len(hits) == 1 and hits[0]["copies"] == 2  # one hit for the story, not one per copy
    assert set(hits[0]["outlets"]) == DEMO_OUTLETS_CANONICAL


def test_kafka_and_elasticsearch_the_sample_and_its_original_are_one_story(real_settings: Settings) -> None:
    init_index(real_settings)  # what `jiancha index init` does: the index and the story store
    backend = open_index(real_settings)
    with DemoServer(port=0) as demo:
        crawl_once(real_settings, demo_base=demo.base_url)
        bus = open_bus(real_settings)
        try:
            run_processor(real_settings, bus, until_idle=True)
            run_indexer(real_settings, bus, until_idle=True)
        finally:
            bus.close()
        story_id = assert_one_story(real_settings, demo.base_url)
    backend.refresh()
    page = backend.search(SearchQuery(text="司法救助", size=50))
    backend.close()
    hits = [h for h in page.hits if h.story_id == story_id]
    assert len(hits) == 1 and hits[0].copies == 2
    assert set(hits[0].outlets) == DEMO_OUTLETS_CANONICAL
