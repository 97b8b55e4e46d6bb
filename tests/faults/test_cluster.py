"""Fault (f), beyond one machine: a 3-broker KRaft Kafka (topics with replication factor 3,
min.insync.replicas 2) and a 2-node Elasticsearch (indices with one replica) from
`deploy/local/services --cluster`; one broker and one Elasticsearch node are killed with SIGKILL
mid-stream and stay dead. Nothing in the code may assume one broker or one node."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.faults.articles import generate
from tests.faults.checks import es_client, publish, verify
from tests.faults.conftest import ARTICLES, fleet_for, prepared_settings, started
from tests.faults.pipeline_run import drained, progressed, start_pipeline
from tests.faults.services import CLUSTER_ES_PORT, CLUSTER_KAFKA_PORT, LocalServices
from tests.faults.workers import Fleet


@pytest.fixture
def cluster() -> Iterator[LocalServices]:
    own = LocalServices(kafka_port=CLUSTER_KAFKA_PORT, es_port=CLUSTER_ES_PORT, cluster=True)
    try:
        yield started(own)
    finally:
        own.remove()


@pytest.fixture
def cluster_settings(cluster: LocalServices, tmp_path: Path, unique_name: str) -> Settings:
    return prepared_settings(cluster, tmp_path, unique_name)


@pytest.fixture
def cluster_fleet(cluster_settings: Settings, tmp_path: Path) -> Iterator[Fleet]:
    yield from fleet_for(cluster_settings, tmp_path)


@pytest.mark.timeout(2400)
def test_a_broker_and_an_elasticsearch_node_killed_mid_stream_lose_and_repeat_nothing(
    cluster: LocalServices, cluster_settings: Settings, cluster_fleet: Fleet
) -> None:
    client = es_client(cluster_settings)
    replicas = client.indices.get_settings(index=cluster_settings.index_name)
    client.close()
    assert {s["settings"]["index"]["auto_expand_replicas"] for s in replicas.values()} == {"0-1"}
    published = generate(ARTICLES, "cluster")
    start_pipeline(cluster_fleet)
    publish(cluster_settings, published.articles)
    progressed(cluster_settings, len(published.articles) // 5)
    cluster.kill9("kafka", member=1)  # a broker that leads some partitions and is a controller
    cluster.kill9("elasticsearch", member=1)  # the data node: primaries move to their replicas
    drained(cluster_settings, len(published.articles), cluster_fleet)
    time.sleep(5)
    verdict = verify(cluster_settings, published)
    print(
        f"FAULT cluster, a broker and a node killed: {verdict.line()}; exits {cluster_fleet.unexpected_exits()}"
    )
    assert (verdict.lost, verdict.duplicates, verdict.unexpected, verdict.dead) == (0, 0, 0, 0), (
        verdict.line()
    )
    assert verdict.split_stories == 0, verdict.line()
    assert cluster_fleet.unexpected_exits() == {}, cluster_fleet.tails()
