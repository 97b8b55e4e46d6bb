"""The story store's schema is made by `jiancha index init` only: a worker that finds it missing stops
and names the command, on both backends; `jiancha up` still just works (it runs init itself)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline import cli, elastic
from pipeline.bus.embedded import EmbeddedBus
from pipeline.errors import SchemaMissing
from pipeline.runner import BatchStep
from pipeline.settings import Settings
from pipeline.topics import processor_stages
from processors.chain import build_steps
from processors.reprints import open_story_store, ready_story_store
from processors.reprints.elastic_store import ElasticStoryStore, to_document
from processors.reprints.fingerprint import Sketch
from processors.reprints.store import Member
from processors.worker import processor_runner


@pytest.fixture(params=["sqlite", "elasticsearch"])
def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    if request.param == "elasticsearch":
        url = request.getfixturevalue("elasticsearch_url")
        return settings.model_copy(update={"index": "elasticsearch", "elasticsearch_url": url})
    return settings


def test_a_worker_without_a_store_names_the_command_and_init_makes_it(backend_settings: Settings) -> None:
    with pytest.raises(SchemaMissing, match=r"reprint story store.*create it with `jiancha index init`"):
        build_steps("topics", backend_settings)
    store = open_story_store(backend_settings)
    try:
        with pytest.raises(SchemaMissing):
            store.check()
        store.init()
        store.init()  # idempotent: a second init (another replica, a re-run) changes nothing
        ready_story_store(backend_settings).close()
        last = build_steps("topics", backend_settings)[-1]
        assert isinstance(last, BatchStep) and last.__name__ == "reprints"
    finally:
        store.drop()
        store.close()


def test_the_elasticsearch_store_is_a_versioned_index_behind_its_alias(
    elasticsearch_settings: Settings,
) -> None:
    store = open_story_store(elasticsearch_settings)
    assert isinstance(store, ElasticStoryStore)
    try:
        store.init()
        aliases = store.client.indices.get_alias(name=store.index).body
        assert list(aliases) == [f"{store.index}-v2"]
        store.check()
        assert store.behind_alias  # so a write never auto-creates the index with a guessed mapping
        store.drop()
        assert not store.client.indices.exists(index=f"{store.index}-v2")
    finally:
        store.drop()
        store.close()


def test_a_store_of_the_first_version_is_refused_by_workers_and_upgraded_by_init(
    elasticsearch_settings: Settings,
) -> None:
    """Version 1 indexed the LSH bands as numbers (slow to look up in a large store); init copies
    its members into version 2 and the copies are found as before."""
    store = open_story_store(elasticsearch_settings)
    assert isinstance(store, ElasticStoryStore)
    old_mapping = elastic.load_mapping("stories")
    properties = old_mapping["mappings"].pop("properties")
    properties.pop("band_keys")
    old_mapping["mappings"] = {"dynamic": False, "properties": {**properties, "bands": {"type": "long"}}}
    member = _member("a1")
    document = to_document(member)
    document["bands"] = [int(key) for key in document.pop("band_keys")]
    try:
        elastic.create_versioned(store.client, store.index, old_mapping, [store.index])
        store.client.index(index=store.index, id="a1", document=document, refresh=True)
        with pytest.raises(SchemaMissing, match=r"of version 2.*jiancha index init"):
            store.check()  # a worker refuses it: its lookups would miss every member

        store.init()

        store.check()
        assert list(store.client.indices.get_alias(name=store.index).body) == [f"{store.index}-v2"]
        assert not store.client.indices.exists(index=f"{store.index}-v1")
        found = store.candidates(member.sketch.bands, exclude="b1", sizes=(1, 10_000))
        assert [m.article_id for m in found] == ["a1"] and found[0].story_id == "s1"
        assert store.get("a1") == member
    finally:
        store.drop()
        store.close()


def _member(article_id: str) -> Member:
    when = datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    sketch = Sketch(
        minhash=tuple(range(128)), size=800, sample=((1, 2),), figures=frozenset(), places=frozenset()
    )
    return Member(
        article_id=article_id, story_id="s1", url="http://x.cn/1", outlet="x", source=None,
        published_at=when, seen_at=when, registered_at=when, sketch=sketch,
    )  # fmt: skip


def test_the_topics_worker_exits_with_the_fix_and_index_init_creates_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JIANCHA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIANCHA_INDEX", "sqlite")
    monkeypatch.setenv("JIANCHA_BUS", "embedded")
    assert cli.main(["process", "--stage", "topics", "--once"]) == 4
    assert "create it with `jiancha index init`" in capsys.readouterr().err
    assert cli.main(["index", "init"]) == 0
    assert cli.main(["process", "--stage", "topics", "--once"]) == 0


def test_a_store_dropped_while_the_stage_runs_is_waited_for_and_nothing_is_dead_lettered(
    settings: Settings,
) -> None:
    from tests.processors.test_reprints import linfen_copy, sxrb_original

    store = open_story_store(settings)
    store.init()
    bus = EmbeddedBus(settings.data_dir / "bus.sqlite3")
    stage = processor_stages(settings.topic_prefix)[1]
    runner = processor_runner(settings, bus, stage)  # the worker started with its store in place
    store.drop()  # then someone removed it
    producer = bus.producer()
    for article in (linfen_copy(), sxrb_original()):
        producer.send(stage.input_topic or "", article.article_id, article.to_json())
    producer.close()
    done = threading.Thread(target=runner.run, kwargs={"until_idle": True})
    done.start()
    time.sleep(3)
    assert done.is_alive() and runner.stats.total() == 0  # waiting, not dead-lettering
    store.init()  # `jiancha index init`
    done.join(timeout=60)
    assert not done.is_alive() and dict(runner.stats.counts) == {"ok": 2}
    story = store.get(linfen_copy().article_id)
    assert story is not None and story.story_id == store.get(sxrb_original().article_id).story_id  # type: ignore[union-attr]
    store.close()
