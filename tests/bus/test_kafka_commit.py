"""The Kafka consumer's commit when the group is rebalancing (a unit test of the adapter: the fault
suite's replica test is the proof on a real broker)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from kafka.errors import CommitFailedError, RebalanceInProgressError

from pipeline.bus.base import Message
from pipeline.bus.kafka import KafkaBusConsumer


class RefusingClient:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.asked: list[dict[Any, Any]] = []

    def commit(self, offsets: dict[Any, Any]) -> None:
        self.asked.append(offsets)
        raise self.error


def consumer_with(client: RefusingClient) -> KafkaBusConsumer:
    consumer = KafkaBusConsumer.__new__(KafkaBusConsumer)  # no broker: only the commit is tried
    consumer._consumer = client  # type: ignore[assignment]
    consumer._topics = ["articles.annotated"]
    return consumer


BATCH = [Message("articles.annotated", 0, 41, "a", b"{}"), Message("articles.annotated", 1, 7, "b", b"{}")]


def test_a_commit_met_by_a_rebalance_leaves_the_batch_to_be_read_again_and_the_stage_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = RefusingClient(RebalanceInProgressError("the group is rebalancing"))
    with caplog.at_level(logging.WARNING, logger="pipeline.bus.kafka"):
        consumer_with(client).commit(BATCH)  # does not raise: the stage polls on and rejoins

    assert [sorted(o.offset for o in asked.values()) for asked in client.asked] == [[8, 42]]
    assert "not committed, the group is rebalancing" in caplog.text


def test_a_commit_refused_because_the_member_was_dropped_still_ends_the_stage() -> None:
    """CommitFailedError (the member lost its place in the group) is for the supervisor, as before."""
    with pytest.raises(CommitFailedError):
        consumer_with(RefusingClient(CommitFailedError("dropped"))).commit(BATCH)
