"""Malformed events sent on purpose to a processor and to the indexer, on the embedded log and on
the real Kafka + Elasticsearch: each one ends in the dead-letter topic with a reason a person can
act on and its payload (cut, and said so, when it is too large to carry), and the good articles
between them go through."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial

import pytest

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import Bus, open_bus
from pipeline.bus.inspect import read_topic
from pipeline.deadletters import original_payload, parse_dead_letter
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import Stage, all_topics, dlq_topic, entities_stage, indexer_stage
from processors.entities import tag_entities
from processors.normalise import normalise
from processors.worker import processor_runner
from tests.ops.conftest import article, until_drained
from tests.processors.nlp_resources import converter, resources

TWENTY_MB = 20 * 1024 * 1024


def as_json(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


GOOD = article(1)
VALID = json.loads(GOOD.to_json())
# (name, payload, words the dead letter's reason must contain)
MALFORMED: list[tuple[str, bytes, str]] = [
    ("invalid JSON", b'{"article_id": "x", "url": ', "undecodable"),
    ("not UTF-8", b"\xff\xfe\x00\x81 binary garbage", "undecodable"),
    ("empty", b"", "undecodable"),
    ("a JSON list", b"[1, 2, 3]", "undecodable"),
    ("unknown schema_version", as_json(**{**VALID, "schema_version": 99}), "schema_version 99"),
    ("missing id and url", as_json(title="检察", body="正文"), "article_id"),
    ("wrong types", as_json(**{**VALID, "authors": "张三", "published_at": "yesterday"}), "authors"),
    ("naive datetime", as_json(**{**VALID, "published_at": "2024-05-01T08:00:00"}), "timezone-aware"),
    ("relevance out of range", as_json(**{**VALID, "relevance": 7}), "relevance"),
    ("a 20 MB body", as_json(**{**VALID, "body": "检察" * (TWENTY_MB // 6)}), "JIANCHA_MAX_EVENT_BYTES"),
]


def publish(bus: Bus, settings: Settings, topic: str, payloads: list[bytes]) -> None:
    """Send the payloads as a careless producer would. On Kafka the 20 MB one goes compressed by a
    producer allowed to send it (gzip shrinks it below the broker's 1 MB limit); our own producer
    would refuse it."""
    bus.ensure_topics(all_topics(settings.topic_prefix))
    if settings.bus != "kafka":
        producer = bus.producer()
        for n, payload in enumerate(payloads):
            producer.send(topic, f"k{n}", payload)
        producer.close()
        return
    from kafka import KafkaProducer

    raw = KafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, compression_type="gzip", max_request_size=32 * 2**20
    )
    for n, payload in enumerate(payloads):
        raw.send(topic, key=f"k{n}".encode(), value=payload).get(timeout=60)
    raw.close()


def dead_letters(bus: Bus, settings: Settings) -> list[dict[str, object]]:
    found = []
    for message in read_topic(bus, dlq_topic(settings.topic_prefix)):
        record = parse_dead_letter(message.value)
        assert record is not None, "every record of the dead-letter topic is a dead letter"
        record["_raw"] = message.value
        found.append(record)
    return found


def check_letters(letters: list[dict[str, object]], stage: Stage, sent: dict[str, bytes]) -> None:
    assert len(letters) == len(MALFORMED), [letter["error"] for letter in letters]
    by_key = {letter["key"]: letter for letter in letters}
    for n, (name, payload, words) in enumerate(MALFORMED):
        letter = by_key[f"k{n}"]
        assert letter["stage"] == stage.name
        assert words in str(letter["error"]), (name, letter["error"])
        assert letter["topic"] == stage.input_topic
        if len(payload) > 1_000_000:  # kept cut, with its real size; the whole one stays in the input
            assert letter["payload_truncated"] is True and letter["payload_bytes"] == len(payload)
            assert len(letter["_raw"]) < 1_000_000  # type: ignore[arg-type]
            assert original_payload(letter["_raw"]) is None  # type: ignore[arg-type]
        else:  # replayable byte for byte
            assert original_payload(letter["_raw"]) == sent[f"k{n}"], name  # type: ignore[arg-type]


@pytest.fixture
def bus(deployment: Settings) -> Iterator[Bus]:
    opened = open_bus(deployment)
    yield opened
    opened.close()


def test_a_processor_dead_letters_each_malformed_event_with_its_reason(
    deployment: Settings, bus: Bus
) -> None:
    stage = entities_stage(deployment.topic_prefix)
    assert stage.input_topic is not None and stage.output_topic is not None
    good = [article(n) for n in range(3)]
    payloads = [payload for _, payload, _ in MALFORMED] + [a.to_json() for a in good]
    publish(bus, deployment, stage.input_topic, payloads)
    steps = [partial(normalise, to_simplified=converter()), partial(tag_entities, resources=resources())]
    runner = processor_runner(deployment, bus, stage, steps=steps)
    until_drained(deployment, stage, lambda: runner.run(until_idle=True))

    assert runner.stats.counts == {"dead": len(MALFORMED), "ok": len(good)}
    check_letters(dead_letters(bus, deployment), stage, {f"k{n}": p for n, p in enumerate(payloads)})
    out = sorted(Article.from_json(m.value).article_id for m in read_topic(bus, stage.output_topic))
    assert out == sorted(a.article_id for a in good)


def test_the_indexer_dead_letters_each_malformed_event_and_indexes_the_rest(
    deployment: Settings, bus: Bus
) -> None:
    stage = indexer_stage(deployment.topic_prefix)
    assert stage.input_topic is not None
    backend = open_index(deployment)
    backend.init()
    good = [article(n) for n in range(3)]
    payloads = [payload for _, payload, _ in MALFORMED] + [a.to_json() for a in good]
    publish(bus, deployment, stage.input_topic, payloads)
    stats = []
    until_drained(deployment, stage, lambda: stats.append(run_indexer(deployment, bus, until_idle=True)))

    assert sum(s.counts["dead"] for s in stats) == len(MALFORMED)
    check_letters(dead_letters(bus, deployment), stage, {f"k{n}": p for n, p in enumerate(payloads)})
    backend.refresh()
    assert backend.count() == len(good)
    assert all(backend.get(a.article_id) is not None for a in good)
    backend.close()
