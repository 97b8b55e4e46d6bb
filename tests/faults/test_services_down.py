"""Faults (b), (c) and (d) on the real engines: Kafka stopped for 30 s and Elasticsearch (the index
and the story store) stopped for 60 s while articles are in flight, then started again; and one
document Elasticsearch rejects on purpose. Nobody touches the workers: they wait and resume."""

from __future__ import annotations

import time

import pytest

from pipeline.settings import Settings
from tests.faults.articles import generate
from tests.faults.checks import es_client, publish, verify
from tests.faults.conftest import ARTICLES
from tests.faults.pipeline_run import drained, progressed, start_pipeline
from tests.faults.services import LocalServices
from tests.faults.workers import Fleet


def outage(services: LocalServices, name: str, seconds: float) -> None:
    services.stop(name)
    time.sleep(seconds)
    services.start(name)


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("service", "seconds"), [("kafka", 30), ("elasticsearch", 60)])
def test_a_service_stopped_mid_stream_and_started_again_loses_and_repeats_nothing(
    service: str, seconds: float, fault_settings: Settings, services: LocalServices, fleet: Fleet
) -> None:
    published = generate(ARTICLES, f"outage-{service}")
    start_pipeline(fleet)  # the workers start up while the articles are sent
    publish(fault_settings, published.articles)
    progressed(fault_settings, len(published.articles) // 5)
    outage(services, service, seconds)
    drained(fault_settings, len(published.articles), fleet)
    time.sleep(5)
    verdict = verify(fault_settings, published)
    print(f"FAULT {service} stopped {seconds}s: {verdict.line()}; exits {fleet.unexpected_exits()}")
    assert (verdict.lost, verdict.duplicates, verdict.unexpected, verdict.dead) == (0, 0, 0, 0), (
        verdict.line()
    )
    assert verdict.split_stories == 0, verdict.line()
    assert fleet.unexpected_exits() == {}, fleet.tails()


@pytest.mark.timeout(1800)
def test_a_document_elasticsearch_rejects_is_the_only_dead_letter(
    fault_settings: Settings, fleet: Fleet
) -> None:
    # A mapping conflict made on purpose: an operator maps a field of the images as a number…
    client = es_client(fault_settings)
    client.indices.put_mapping(
        index=fault_settings.index_name, properties={"images": {"properties": {"width": {"type": "integer"}}}}
    )
    client.close()
    published = generate(ARTICLES, "reject")
    # …and one article carries text there. Only it is rejected; it sits among the others.
    middle = len(published.articles) // 2
    bad = published.articles[middle].model_copy(update={"images": [{"src": "/a.jpg", "width": "宽幅"}]})
    published.articles[middle] = bad
    start_pipeline(fleet)
    publish(fault_settings, published.articles)
    drained(fault_settings, len(published.articles) - 1, fleet)
    time.sleep(5)
    verdict = verify(fault_settings, published, rejected={bad.article_id})
    print(f"FAULT one document rejected: {verdict.line()}")
    assert (verdict.lost, verdict.duplicates, verdict.unexpected) == (0, 0, 0), verdict.line()
    assert verdict.indexed == len(published.articles) - 1 and verdict.dead_keys == [bad.article_id]
    assert verdict.split_stories == 0, verdict.line()
    assert fleet.unexpected_exits() == {}, fleet.tails()
