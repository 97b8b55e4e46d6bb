"""The file bus: each topic is a JSON-lines file, so any stage runs on files with the same runner.

It is the debugger and the replay tool (``--input a.jsonl --output b.jsonl``): a consumer reads its
topic's file line by line (offset = line index), a producer appends to its topic's file on ``flush``.
A line that is a dead-letter record is read as the payload it carries, so a dead-letter file (or a
dump of the dead-letter topic) can be fed straight back as input. Offsets live in memory: a file
run starts from the first line; a run of a file is a single consumer, not a group.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from pipeline.bus.base import Bus, Consumer, Message, Producer
from pipeline.deadletters import original_payload
from pipeline.topics import Stage

# An empty poll waits this long at most: a file run ends soon after its input is drained.
_IDLE_WAIT_S = 0.05


class UnknownTopic(ValueError):
    """A stage asked for a topic this file bus has no file for."""


class FileProducer(Producer):
    def __init__(self, bus: FileBus) -> None:
        self._bus = bus
        self._pending: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        self._bus.path_of(topic)  # fail at once, not at flush, for a topic without a file
        with self._lock:
            self._pending.append((topic, value))

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        by_topic: dict[str, list[bytes]] = {}
        for topic, value in pending:
            by_topic.setdefault(topic, []).append(value)
        for topic, values in by_topic.items():
            self._bus.append(topic, values)


class FileConsumer(Consumer):
    def __init__(self, bus: FileBus, topics: Sequence[str]) -> None:
        self._bus = bus
        self._files: list[tuple[str, IO[bytes]]] = []
        self._next = dict.fromkeys(topics, 0)
        self._committed = dict.fromkeys(topics, 0)
        for topic in topics:
            path = bus.path_of(topic)
            path.touch(exist_ok=True)  # an intermediate file not written yet: nothing to read
            self._files.append((topic, path.open("rb")))

    def poll(self, max_records: int, timeout_s: float) -> list[Message]:
        batch: list[Message] = []
        for topic, handle in self._files:
            while len(batch) < max_records:
                line = handle.readline()  # a last line without its newline is a line too
                if not line:
                    break
                offset = self._next[topic]
                self._next[topic] = offset + 1
                value = line.rstrip(b"\r\n")
                if not value.strip():
                    self._committed[topic] = max(self._committed[topic], offset + 1)
                    continue
                batch.append(Message(topic, 0, offset, None, original_payload(value) or value))
        if not batch:  # nothing more in the files yet: wait as a broker would, without spinning
            time.sleep(min(timeout_s, _IDLE_WAIT_S))
        return batch

    def commit(self, messages: Sequence[Message]) -> None:
        for message in messages:
            self._committed[message.topic] = max(self._committed[message.topic], message.offset + 1)

    def lag(self) -> int:
        """Lines read and not committed, plus one for a file with unread bytes (its size is unknown)."""
        unread = 0
        for _, handle in self._files:
            if handle.tell() < os.fstat(handle.fileno()).st_size:
                unread += 1
        return unread + sum(self._next[t] - self._committed[t] for t in self._next)

    def close(self) -> None:
        for _, handle in self._files:
            handle.close()


class FileBus(Bus):
    """``files`` maps each topic to its file; files in ``truncate`` start empty (outputs of this run)."""

    def __init__(self, files: Mapping[str, Path], truncate: Sequence[str] = ()) -> None:
        self.files = {topic: Path(path) for topic, path in files.items()}
        self._lock = threading.Lock()
        for topic in truncate:
            path = self.path_of(topic)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"")

    def path_of(self, topic: str) -> Path:
        try:
            return self.files[topic]
        except KeyError:
            raise UnknownTopic(f"no file for topic {topic} (files for: {', '.join(self.files)})") from None

    def append(self, topic: str, values: Sequence[bytes]) -> None:
        path = self.path_of(topic)
        with self._lock, path.open("ab") as handle:
            # Our values are compact JSON, which never holds a raw newline; a line per message stays so.
            handle.write(b"".join(value.replace(b"\n", b" ") + b"\n" for value in values))
            handle.flush()
            os.fsync(handle.fileno())  # durable before the input is committed, as acks=all is

    def ensure_topics(self, topics: Sequence[str]) -> None:
        for topic in topics:
            self.path_of(topic)

    def producer(self) -> FileProducer:
        return FileProducer(self)

    def consumer(self, topics: Sequence[str], group: str) -> FileConsumer:
        return FileConsumer(self, topics)


def chain_files(
    stages: Sequence[Stage], input_path: Path, output_path: Path | None, dead_letters: Path, workdir: Path
) -> FileBus:
    """A file bus for ``stages`` run one after the other: the first reads ``input_path``, the last
    writes ``output_path`` (a sink stage writes none), the topics between them are files in
    ``workdir``, and every stage's dead letters go to ``dead_letters``. Outputs start empty."""
    first = stages[0].input_topic
    if first is None:
        raise UnknownTopic(f"stage {stages[0].name} reads no topic")
    files: dict[str, Path] = {first: input_path, stages[0].dlq_topic: dead_letters}
    truncate = [stages[0].dlq_topic]
    for stage in stages:
        if stage.output_topic:
            files[stage.output_topic] = workdir / f"{stage.name}.out.jsonl"
            truncate.append(stage.output_topic)
    last = stages[-1].output_topic
    if last and output_path is not None:
        files[last] = output_path
    return FileBus(files, truncate)
