"""The same delivery promises checked against the embedded SQLite log and a real Kafka broker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from pipeline.bus import Bus, Consumer, Message
from pipeline.bus.embedded import EmbeddedBus
from pipeline.bus.kafka import KafkaBus
from pipeline.settings import Settings

BusFactory = Callable[[], Bus]


@pytest.fixture(params=["embedded", "kafka"])
def bus_factory(request: pytest.FixtureRequest, settings: Settings) -> Iterator[BusFactory]:
    """A factory, so a test can 'restart' by opening the bus again on the same storage."""
    opened: list[Bus] = []

    def make() -> Bus:
        if request.param == "kafka":
            bootstrap = request.getfixturevalue("kafka_bootstrap")
            bus: Bus = KafkaBus(bootstrap, connect_timeout_s=10)
        else:
            bus = EmbeddedBus(settings.data_dir / "bus.sqlite3")
        opened.append(bus)
        return bus

    yield make
    opened[0].delete_topics([f"{settings.topic_prefix}t"])
    for bus in opened:
        bus.close()


@pytest.fixture
def topic(settings: Settings) -> str:
    return f"{settings.topic_prefix}t"


def publish(bus: Bus, topic: str, items: list[tuple[str, str]]) -> None:
    bus.ensure_topics([topic])
    producer = bus.producer()
    for key, value in items:
        producer.send(topic, key, value.encode())
    producer.close()


def drain(consumer: Consumer, expected: int, timeout_s: float = 30.0) -> list[Message]:
    """Poll until ``expected`` messages arrived (Kafka needs a moment to assign partitions)."""
    received: list[Message] = []
    deadline = time.monotonic() + timeout_s
    while len(received) < expected and time.monotonic() < deadline:
        received.extend(consumer.poll(100, 0.5))
    return received


def poll_nothing(consumer: Consumer, seconds: float = 4.0) -> list[Message]:
    received: list[Message] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received.extend(consumer.poll(100, 0.5))
    return received


def test_messages_of_one_key_arrive_in_order(bus_factory: BusFactory, topic: str) -> None:
    bus = bus_factory()
    items = [(f"article-{i % 3}", f"v{i}") for i in range(30)]
    publish(bus, topic, items)
    consumer = bus.consumer([topic], "g-order")
    received = drain(consumer, 30)
    consumer.close()
    assert len(received) == 30
    for key in ("article-0", "article-1", "article-2"):
        got = [m.value.decode() for m in received if m.key == key]
        assert got == [v for k, v in items if k == key]


def test_large_messages_sent_in_one_batch_are_durable_after_flush_in_key_order(
    bus_factory: BusFactory, topic: str
) -> None:
    # Enriched articles are ~18 kB; the runner sends a batch of them and flushes once.
    bus = bus_factory()
    bus.ensure_topics([topic])
    producer = bus.producer()
    items = [(f"article-{i % 4}", f"{i:03d}" + "检" * 6000) for i in range(120)]
    for key, value in items:
        producer.send(topic, key, value.encode())
    producer.flush()  # durable now, not only when the producer closes
    consumer = bus.consumer([topic], "g-large")
    received = drain(consumer, len(items))
    consumer.close()
    producer.close()
    assert len(received) == len(items)
    for key in {k for k, _ in items}:
        assert [m.value.decode() for m in received if m.key == key] == [v for k, v in items if k == key]


def test_uncommitted_messages_are_redelivered_after_a_crash(bus_factory: BusFactory, topic: str) -> None:
    bus = bus_factory()
    publish(bus, topic, [("a", "1"), ("b", "2"), ("c", "3")])
    first = bus.consumer([topic], "g-crash")
    assert len(drain(first, 3)) == 3
    first.close()  # crashed before committing
    second = bus_factory().consumer([topic], "g-crash")
    again = drain(second, 3)
    second.close()
    assert sorted(m.value for m in again) == [b"1", b"2", b"3"]


def test_committed_messages_are_not_redelivered(bus_factory: BusFactory, topic: str) -> None:
    bus = bus_factory()
    publish(bus, topic, [("a", "1"), ("b", "2")])
    first = bus.consumer([topic], "g-commit")
    got = drain(first, 2)
    first.commit(got)
    assert first.lag() == 0
    first.close()
    second = bus_factory().consumer([topic], "g-commit")
    assert poll_nothing(second) == []
    second.close()


def test_a_consumer_that_never_polled_reports_the_real_lag(bus_factory: BusFactory, topic: str) -> None:
    """``--once`` stops at lag 0: a consumer that has not yet seen the topic's partitions must
    not report "drained" while messages wait."""
    bus = bus_factory()
    publish(bus, topic, [(f"k{i}", f"v{i}") for i in range(5)])
    fresh = bus.consumer([topic], "g-fresh")
    assert fresh.lag() == 5
    fresh.close()


def test_group_offsets_survive_a_restart(bus_factory: BusFactory, topic: str) -> None:
    bus = bus_factory()
    publish(bus, topic, [(f"k{i}", f"v{i}") for i in range(6)])
    first = bus.consumer([topic], "g-restart")
    got = sorted(drain(first, 6), key=lambda m: (m.partition, m.offset))
    done = [m for m in got if m.value in (b"v0", b"v1", b"v2")]
    first.commit(done)
    assert first.lag() == 3
    first.close()
    # A new bus object on the same storage: a restarted process.
    restarted = bus_factory()
    publish(restarted, topic, [("k9", "v9")])
    second = restarted.consumer([topic], "g-restart")
    rest = drain(second, 4)
    second.commit(rest)
    second.close()
    assert sorted(m.value for m in rest) == [b"v3", b"v4", b"v5", b"v9"]


def test_each_group_gets_every_message(bus_factory: BusFactory, topic: str) -> None:
    bus = bus_factory()
    publish(bus, topic, [("a", "1"), ("b", "2")])
    for group in ("g-one", "g-two"):
        consumer = bus.consumer([topic], group)
        assert sorted(m.value for m in drain(consumer, 2)) == [b"1", b"2"]
        consumer.close()


def test_an_unreachable_kafka_is_one_clear_error() -> None:
    from pipeline.errors import ServiceUnavailable

    with pytest.raises(ServiceUnavailable, match=r"127\.0\.0\.1:1 .*deploy/local/services start"):
        KafkaBus("127.0.0.1:1", connect_timeout_s=2)
