"""``jiancha status`` on both deployments: what a stage did, its lag per partition, the dead letters
by stage and reason, the index, the services and the crawl records with site health."""

from __future__ import annotations

import time

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.errors import Drop
from pipeline.model import Article
from pipeline.ops.crawls import CrawlRecord, publish
from pipeline.ops.status import gather, healthy
from pipeline.ops.status_text import render
from pipeline.ops.worker_ops import worker_ops
from pipeline.runner import StageRunner
from pipeline.settings import Settings
from pipeline.topics import all_topics, entities_stage, indexer_stage, topics_stage
from tests.ops.conftest import article, until_drained


def drop_the_seventh(item: Article) -> Article:
    if item.title.endswith("第7例"):
        raise Drop("not_relevant")
    return item


def run_pipeline(settings: Settings, count: int) -> None:
    """``count`` articles and one undecodable message through entities → topics → indexer."""
    bus = open_bus(settings)
    try:
        bus.ensure_topics(all_topics(settings.topic_prefix))
        backend = open_index(settings)
        backend.init()
        backend.close()
        entities = entities_stage(settings.topic_prefix)
        producer = bus.producer()
        assert entities.input_topic is not None
        for n in range(count):
            item = article(n)
            producer.send(entities.input_topic, item.article_id, item.to_json())
        producer.send(entities.input_topic, "broken", b"{not json")
        producer.flush()
        producer.close()
        with worker_ops(settings, ["entities", "topics", "indexer"]):
            first = StageRunner(entities, bus, steps=[lambda a: a], poll_timeout_s=settings.poll_timeout_s)
            until_drained(settings, entities, lambda: first.run(until_idle=True))
            topics = topics_stage(settings.topic_prefix)
            second = StageRunner(topics, bus, [drop_the_seventh], poll_timeout_s=settings.poll_timeout_s)
            until_drained(settings, topics, lambda: second.run(until_idle=True))
            indexer = indexer_stage(settings.topic_prefix)
            until_drained(settings, indexer, lambda: run_indexer(settings, bus, until_idle=True))
    finally:
        bus.close()


def test_status_reports_every_stage_the_lag_and_the_dead_letters(deployment: Settings) -> None:
    run_pipeline(deployment, 12)
    report = gather(deployment)

    assert report["errors"] == {}
    assert all(check["ok"] for check in report["services"]), report["services"]
    stages = report["stages"]
    assert (stages["entities"]["processed"], stages["entities"]["failed"]) == (12, 1)
    assert (stages["topics"]["processed"], stages["topics"]["dropped"]) == (11, 1)
    assert stages["indexer"]["processed"] == 11
    assert stages["indexer"]["workers"][0]["state"] == "stopped"
    # Every partition of every stage's input, all consumed.
    partitions = deployment.kafka_partitions if deployment.bus == "kafka" else 1
    assert len(report["lag"]) == 3 * partitions
    assert {row["lag"] for row in report["lag"]} == {0}
    assert sum(row["end"] for row in report["lag"] if row["stage"] == "entities") == 13
    assert report["dead_letters"] == {
        "total": 1,
        "by_stage_and_reason": [{"stage": "entities", "reason": "undecodable article event", "count": 1}],
    }
    assert report["index"]["documents"] == 11
    text = render(report)
    assert "undecodable article event" in text and "Index: 11 documents" in text


def test_status_shows_lag_while_a_stage_is_behind(deployment: Settings) -> None:
    bus = open_bus(deployment)
    try:
        bus.ensure_topics(all_topics(deployment.topic_prefix))
        producer = bus.producer()
        topic = entities_stage(deployment.topic_prefix).input_topic
        assert topic is not None
        for n in range(5):
            producer.send(topic, article(n).article_id, article(n).to_json())
        producer.close()
    finally:
        bus.close()
    report = gather(deployment)
    behind = {row["stage"]: 0 for row in report["lag"]}
    for row in report["lag"]:
        behind[row["stage"]] += row["lag"]
    assert behind == {"entities": 5, "topics": 0, "indexer": 0}


def test_site_health_flags_a_site_whose_layout_changed(deployment: Settings) -> None:
    now = time.time()
    hour = 3600.0
    records = [
        CrawlRecord("山西日报", now - 3 * hour, now - 3 * hour + 60, "ok", 10, 6, 4, 0, 3, {"200": 10}),
        CrawlRecord("山西日报", now - 2 * hour, now - 2 * hour + 60, "ok", 10, 6, 4, 0, 2, {"200": 10}),
        # The redesign: list pages still answer, no link matches the article patterns any more.
        CrawlRecord("山西日报", now - hour, now - hour + 60, "ok", 9, 0, 9, 0, 0, {"200": 9}),
        CrawlRecord("检察日报", now - hour, now - hour + 60, "unreachable", responses={"timeout": 3}),
    ]
    bus = open_bus(deployment)
    try:
        publish(bus, deployment.topic_prefix, records)
    finally:
        bus.close()
    report = gather(deployment)
    sites = {site["site"]: site for site in report["sites"]}
    assert sites["山西日报"]["flags"] == [
        "pages stopped matching its article patterns (9 pages fetched, 0 articles)"
    ]
    assert sites["山西日报"]["last_new_article_at"] == records[1].finished_at
    assert sites["检察日报"]["flags"] == ["unreachable: the last crawl got no page (timeout ×3)"]
    assert not healthy(report)
    assert "! pages stopped matching its article patterns" in render(report)
