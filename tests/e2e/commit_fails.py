"""``python -m tests.e2e.commit_fails N ARGS…``: the ``jiancha`` command whose Nth Kafka offset commit
fails as a real one does after a lost group membership (CommitFailedError), to test that the worker
exits non-zero and loses nothing."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from kafka.errors import CommitFailedError

from pipeline.bus.base import Message
from pipeline.bus.kafka import KafkaBusConsumer
from pipeline.cli import main


def fail_commit_number(n: int) -> None:
    original = KafkaBusConsumer.commit
    calls = [0]

    def commit(self: KafkaBusConsumer, messages: Sequence[Message]) -> None:
        calls[0] += 1
        if calls[0] == n:
            raise CommitFailedError("injected: the group rebalanced before this commit")
        original(self, messages)

    KafkaBusConsumer.commit = commit  # type: ignore[method-assign]


if __name__ == "__main__":
    fail_commit_number(int(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
