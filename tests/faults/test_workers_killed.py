"""Fault (a) and (e) on the real Kafka and Elasticsearch: workers are separate `jiancha` processes;
each is killed with SIGKILL mid-stream and started again, or a processor replica joins and leaves
its consumer group while articles flow. Afterwards the index holds every article exactly once."""

from __future__ import annotations

import time

import pytest

from pipeline.settings import Settings
from tests.faults.articles import generate
from tests.faults.checks import publish, trickle, verify, wait_for
from tests.faults.conftest import ARTICLES
from tests.faults.pipeline_run import PIPELINE, drained, progressed, start_pipeline
from tests.faults.workers import Fleet


@pytest.mark.timeout(1800)
def test_each_worker_killed_with_sigkill_and_started_again_loses_and_repeats_nothing(
    fault_settings: Settings, fleet: Fleet
) -> None:
    published = generate(ARTICLES, "kill")
    half = len(published.articles) // 2
    start_pipeline(fleet)  # the workers start up (tens of seconds) while the first half is sent
    publish(fault_settings, published.articles[:half])
    step = len(published.articles) // 5
    for number, name in enumerate(PIPELINE, start=1):
        progressed(fault_settings, number * step // 2)
        if number == 2:  # the rest arrives while the workers die one after the other
            publish(fault_settings, published.articles[half:])
        fleet.kill9(name)
        time.sleep(2)  # down for a moment: its partitions wait (a restart policy's delay)
        fleet.restart(name)
    drained(fault_settings, len(published.articles), fleet)
    time.sleep(5)  # anything redelivered after the kills has arrived by now
    verdict = verify(fault_settings, published)
    print(f"FAULT kill -9 each worker: {verdict.line()}")
    assert (verdict.lost, verdict.duplicates, verdict.unexpected) == (0, 0, 0), verdict.line()
    assert verdict.indexed == len(published.articles) and verdict.dead == 0, verdict.line()
    assert verdict.split_stories == 0, verdict.line()
    assert fleet.unexpected_exits() == {}, fleet.tails()


@pytest.mark.timeout(1800)
def test_a_processor_replica_joins_and_leaves_mid_stream_and_nothing_is_lost_or_repeated(
    fault_settings: Settings, fleet: Fleet
) -> None:
    published = generate(ARTICLES, "rebalance")
    articles = published.articles
    first, stream = len(articles) * 4 // 10, len(articles) * 8 // 10
    start_pipeline(fleet)
    publish(fault_settings, articles[:first])
    progressed(fault_settings, len(articles) // 10)
    # The groups rebalance: partitions move to the newcomers. Articles keep arriving (a burst would
    # be gone before a replica has started) until each newcomer has passed some on…
    replicas = [fleet.add("entities-2", "entities"), fleet.add("topics-2", "topics")]

    def both_working() -> bool:
        return all(r.handled() > 0 for r in replicas)

    sent = first + trickle(fault_settings, articles[first:stream], until=both_working)
    wait_for(both_working, 600, "both replicas passing articles on", every_s=0.5)
    handled = {r.name: r.handled() for r in replicas}
    # …and they leave (scaled down, SIGTERM) while the rest arrives: their partitions move back.
    publish(fault_settings, articles[sent:])
    fleet.remove("entities-2")
    fleet.remove("topics-2")
    drained(fault_settings, len(articles), fleet)
    time.sleep(5)
    verdict = verify(fault_settings, published)
    print(f"FAULT replica added and removed: {verdict.line()}; the replicas had passed on {handled}")
    assert (verdict.lost, verdict.duplicates, verdict.unexpected, verdict.dead) == (0, 0, 0, 0), (
        verdict.line()
    )
    assert verdict.split_stories == 0, verdict.line()
    assert fleet.unexpected_exits() == {}, fleet.tails()
