"""The Kafka bus (kafka-python): keyed by article id, acks=all, auto-commit off.

The producer's ``flush`` waits for every acknowledgement and raises if any send failed, so a
stage commits its input only after its output is durable. The consumer commits exactly the
offsets it is given (the next offset after the last processed message of each partition).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import (
    KafkaError,
    RebalanceInProgressError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
)
from kafka.structs import OffsetAndMetadata

from pipeline.bus.base import Bus, Consumer, Message, Producer
from pipeline.errors import LOCAL_SERVICES_HINT, ServiceUnavailable

log = logging.getLogger(__name__)

# Every producer of the project flushes explicitly before it records progress (the runner after
# each batch, the crawler every N items), and flush sends at once whatever is lingering; so a long
# linger adds no latency to that path (unflushed records go out at most LINGER_MS later). A short
# one made kafka-python's network thread wake and build a request for almost every record (an
# enriched article, ~18 kB, overflowed the default 16 kB batch): ~1 ms of Python per record on
# that thread, competing for the GIL with the steps (measured: bench/README.md, NLP processors).
LINGER_MS = 1000
BATCH_BYTES = 1024 * 1024  # = the default max_request_size: one batch per partition per request
# A group's leader assigns only the partitions its metadata knows. When a member joins before the
# leader's metadata has the input topic (just created, or a loaded broker), the topic is assigned to
# nobody ("No partition metadata for topic ...") until the next metadata refresh changes the
# snapshot and the group rejoins; by default that is 5 minutes later (a restarted `--once` worker
# then sat idle past its test's 240 s). A refresh is one small request: every 10 s bounds the stall.
CONSUMER_METADATA_MAX_AGE_MS = 10_000


def _unavailable(bootstrap: str) -> ServiceUnavailable:
    return ServiceUnavailable("Kafka", bootstrap, LOCAL_SERVICES_HINT)


class KafkaBusProducer(Producer):
    def __init__(self, bootstrap: str, timeout_ms: int) -> None:
        try:
            self._producer = KafkaProducer(
                bootstrap_servers=bootstrap.split(","),
                acks="all",
                linger_ms=LINGER_MS,
                batch_size=BATCH_BYTES,
                bootstrap_timeout_ms=timeout_ms,
                client_id="jiancha",
            )
        except KafkaError as error:
            raise _unavailable(bootstrap) from error
        self._futures: list[Any] = []
        self._timeout_s = timeout_ms / 1000

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        encoded_key = key.encode("utf-8") if key is not None else None
        self._futures.append(self._producer.send(topic, value=value, key=encoded_key))

    def flush(self) -> None:
        futures, self._futures = self._futures, []
        if not futures:  # nothing sent since the last flush (a sink batch without dead letters)
            return
        self._producer.flush()
        for future in futures:
            # Raises the send's KafkaError: the caller must not commit its input.
            future.get(timeout=self._timeout_s)

    def close(self) -> None:
        self.flush()
        self._producer.close()


class KafkaBusConsumer(Consumer):
    def __init__(self, bootstrap: str, topics: Sequence[str], group: str, timeout_ms: int) -> None:
        try:
            self._consumer = KafkaConsumer(
                *topics,
                bootstrap_servers=bootstrap.split(","),
                group_id=group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                metadata_max_age_ms=CONSUMER_METADATA_MAX_AGE_MS,
                bootstrap_timeout_ms=timeout_ms,
                client_id="jiancha",
            )
        except KafkaError as error:
            raise _unavailable(bootstrap) from error
        self._topics = list(topics)

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        records = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        batch = [
            Message(
                record.topic,
                record.partition,
                record.offset,
                record.key.decode("utf-8") if record.key is not None else None,
                record.value,
            )
            for partition_records in records.values()
            for record in partition_records
        ]
        return batch

    def commit(self, messages: Sequence[Message]) -> None:
        latest: dict[TopicPartition, int] = {}
        for message in messages:
            tp = TopicPartition(message.topic, message.partition)
            latest[tp] = max(latest.get(tp, -1), message.offset)
        if not latest:
            return
        try:
            self._consumer.commit(
                {tp: OffsetAndMetadata(offset + 1, "", -1) for tp, offset in latest.items()}
            )
        except RebalanceInProgressError as error:
            # The group is reassigning partitions (a replica joined or left) and only the next poll
            # rejoins it: retrying here cannot succeed. The batch's output is durable, so it is left
            # uncommitted and each partition's owner after the rebalance reads it again from the last
            # committed offset (at-least-once; the sink and the story store are idempotent). A
            # stage that overlaps a batch with the next poll (the sink, the topics stage) meets
            # this whenever that poll started the rebalance.
            log.warning(
                "offsets of %d partitions not committed, the group is rebalancing (read again by their owner): %s",
                len(latest),
                error,
            )

    def lag(self) -> int:
        partitions = self._partitions()
        if not partitions:
            return 0
        ends = self._consumer.end_offsets(partitions)
        return sum(max(0, ends[tp] - (self._consumer.committed(tp) or 0)) for tp in partitions)

    def _partitions(self) -> list[TopicPartition]:
        """The input's partitions. Before its first metadata response the client knows none, so it
        asks the cluster (``topics()`` fetches metadata): a lag of 0 must mean drained, not unknown."""
        known = {topic: self._consumer.partitions_for_topic(topic) for topic in self._topics}
        if any(not partitions for partitions in known.values()):
            self._consumer.topics()
            known = {topic: self._consumer.partitions_for_topic(topic) for topic in self._topics}
        return [TopicPartition(t, p) for t, partitions in known.items() for p in sorted(partitions or ())]

    def close(self) -> None:
        self._consumer.close(autocommit=False)


class KafkaBus(Bus):
    def __init__(
        self,
        bootstrap: str,
        connect_timeout_s: float = 10.0,
        partitions: int = 3,
        replication_factor: int = 1,
    ) -> None:
        self.bootstrap = bootstrap
        self._timeout_ms = int(connect_timeout_s * 1000)
        self._partitions = partitions
        self._replication_factor = replication_factor
        try:
            self._admin = KafkaAdminClient(
                bootstrap_servers=bootstrap.split(","),
                bootstrap_timeout_ms=self._timeout_ms,
                request_timeout_ms=max(self._timeout_ms, 5000),
                client_id="jiancha-admin",
            )
        except KafkaError as error:
            raise _unavailable(bootstrap) from error

    def ensure_topics(self, topics: Sequence[str]) -> None:
        existing = set(self._admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        try:
            self._admin.create_topics(
                [
                    NewTopic(t, num_partitions=self._partitions, replication_factor=self._replication_factor)
                    for t in missing
                ],
                wait_for_metadata=True,
            )
        except TopicAlreadyExistsError:
            log.debug("topics created concurrently: %s", missing)

    def producer(self) -> KafkaBusProducer:
        return KafkaBusProducer(self.bootstrap, self._timeout_ms)

    def consumer(self, topics: Sequence[str], group: str) -> KafkaBusConsumer:
        return KafkaBusConsumer(self.bootstrap, topics, group, self._timeout_ms)

    def delete_topics(self, topics: Sequence[str]) -> None:
        existing = set(self._admin.list_topics())
        doomed = [t for t in topics if t in existing]
        if doomed:
            try:
                self._admin.delete_topics(doomed)
            except UnknownTopicOrPartitionError:
                pass

    def close(self) -> None:
        self._admin.close()
