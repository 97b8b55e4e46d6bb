"""The one loop that moves messages for every stage: consume → decode → steps → produce/sink → commit.

A stage is either a chain of pure steps between two topics (processors) or a sink that writes a
batch somewhere (the indexer). The input offset is committed only after the output is durable:
produced and flushed with acks=all, or accepted by the sink. Each message has exactly one
outcome: ``ok``, ``dropped`` (Drop), or ``dead`` (Poison, undecodable, or transient failures
beyond the retry budget), counted in ``StageStats`` and logged as one INFO line ``status: url``.
An outage of a service a step or the sink needs (``pipeline.errors.is_outage``) is not the
article's fault: the stage pauses with capped backoff until the service is back, however long.
On ``stop`` the current batch is finished and committed, or — while an outage is waited out —
abandoned uncommitted, so a restart redelivers it. The bus itself going away is waited out the
same way: a flush that fails is retried with the batch's records sent again, a commit that fails
is retried (a commit refused because the group moved on, CommitFailedError, is no outage: it ends
``run``, and the batch is redelivered to the partition's new owner). Any other error ends ``run``
(the supervisor in ``pipeline/supervise.py`` reports it and exits or restarts the stage). A
``BatchStep`` runs on the articles of a polled batch together (see pipeline/stage_parts.py); a
stage with one (topics: its reprint step's story-store requests) runs in two parts, the plain steps
of the next batch on the consumer's thread while the previous batch finishes on a second one.

Over 300 lines on purpose: the per-article, batch and sink paths share one retry, outage and
dead-letter policy, and split across modules each would reach into the others' state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from pydantic import ValidationError

from pipeline import metrics
from pipeline.bus import Bus, Consumer, Message, Producer
from pipeline.bus.resend import ResendingProducer
from pipeline.deadletters import dead_letter
from pipeline.errors import Drop, Poison, is_outage
from pipeline.model import Article
from pipeline.stage_parts import (
    BatchStep,
    Sink,
    SinkOutcome,
    StageStats,
    Step,
    backoff_delay,
    segments,
    timed,
)
from pipeline.topics import Stage

__all__ = ["BatchStep", "Sink", "SinkOutcome", "StageRunner", "StageStats", "Step", "backoff_delay"]

# How often a sink batch that waits for the previous write looks whether that write returned.
_WRITE_CHECK_S = 0.01

# apply_steps' answers besides an article: its outcome is recorded, or the stage stopped.
_RECORDED, _STOPPED = object(), object()

# A batch between its two parts: (message, article as polled, article after the leading steps).
Going = list[tuple[Message, Article, Article]]


class _Deferred(Producer):
    """What the leading steps of a pipelined batch send (dead letters), kept until the batch's
    second part sends it, in order, through the stage's producer: one thread uses the producer."""

    def __init__(self) -> None:
        self.records: list[tuple[str, str | None, bytes]] = []

    def send(self, topic: str, key: str | None, value: bytes) -> None:
        self.records.append((topic, key, value))

    def flush(self) -> None:
        pass

    def replay(self, producer: Producer) -> None:
        for record in self.records:
            producer.send(*record)


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


class StageRunner:
    """Runs one stage until stopped (or until its input is drained, for ``--once`` and tests)."""

    def __init__(
        self,
        stage: Stage,
        bus: Bus,
        steps: Sequence[Step | BatchStep] = (),
        sink: Sink | None = None,
        batch_size: int = 100,
        poll_timeout_s: float = 1.0,
        max_retries: int = 5,
        retry_backoff_max_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        flush_interval_s: float = 0.0,
        linger_s: float = 0.0,
        max_event_bytes: int = 1_000_000,
    ) -> None:
        if stage.input_topic is None:
            raise ValueError(f"stage {stage.name} has no input topic")
        if sink is None and stage.output_topic is None:
            raise ValueError(f"stage {stage.name} needs an output topic or a sink")
        self.stage = stage
        self.bus = bus
        self.steps = [timed(stage.name, step) for step in steps]
        self.batched = any(isinstance(step, BatchStep) for step in self.steps)
        self.segments = segments(self.steps)  # runs of plain steps, and each batch step alone
        self.sink = sink
        self.batch_size = batch_size
        self.poll_timeout_s = poll_timeout_s
        self.max_retries = max_retries
        self.retry_backoff_max_s = retry_backoff_max_s
        self.sleep = sleep
        # While the previous sink write is in flight, the next batch takes messages until it is
        # full or this long after its first message; 0 = whatever one poll returned.
        self.flush_interval_s = flush_interval_s
        # A processor with a batched step (reprints: a few store requests per batch, whatever its
        # size) lets its batch take messages for this long after the first one; 0 = one poll's worth.
        self.linger_s = linger_s
        # Larger events are dead-lettered on the way in and on the way out: Kafka would refuse to
        # carry them (its default limit is 1 MB), and a refused send would stop the stage.
        self.max_event_bytes = max_event_bytes
        self.stats = StageStats()
        self._outcomes = threading.Lock()  # a pipelined stage records outcomes from two threads
        # A processor whose batch step follows plain steps runs in two parts: the plain steps of a
        # batch on the consumer's thread while the previous batch's batch step (story-store requests,
        # mostly waiting on the engine) and output run on a second thread, so the CPU work of one
        # batch overlaps the store round trips of the one before. Batches still go through the batch
        # step, and are committed, one at a time and in order.
        self.pipelined = sink is None and self.batched and not isinstance(self.steps[0], BatchStep)
        self.log = logging.getLogger(stage.logger_name)

    def run(self, stop: threading.Event | None = None, until_idle: bool = False) -> StageStats:
        stop = stop or threading.Event()
        assert self.stage.input_topic is not None
        topics = [self.stage.input_topic, self.stage.dlq_topic]
        if self.stage.output_topic:
            topics.append(self.stage.output_topic)
        self.bus.ensure_topics(topics)
        consumer = self.bus.consumer([self.stage.input_topic], self.stage.group)
        producer = ResendingProducer(self.bus.producer())
        # A sink stage polls and decodes the next batch while the previous one is written (the
        # sink mostly waits on the engine), so the engine never waits for our decoding; a pipelined
        # processor runs the next batch's leading steps meanwhile. At most one batch is in flight,
        # batches are written in order, and the consumer stays on this thread: a batch's offsets
        # are committed here, only after its write (or second part) returned.
        writer = None
        if self.sink is not None or self.pipelined:
            writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{self.stage.name}-writer")
        in_flight: tuple[Future[bool], list[Message]] | None = None
        try:
            while not stop.is_set():
                messages = list(consumer.poll(self.batch_size, self.poll_timeout_s))
                if messages:
                    self.grow(consumer, messages, stop, in_flight)
                if messages and self.stats.first_batch_at is None:
                    self.stats.first_batch_at = time.monotonic()
                # A sink batch is decoded now (it is written while the next one is decoded); a
                # pipelined processor's batch goes through its leading steps now (while the previous
                # one is in its second part); a plain processor decodes each message just before its
                # steps, while its bytes are still in the CPU's caches, holding one at a time.
                job: Callable[[], bool] | None = None
                if messages and self.pipelined:
                    prepared = self.prepare(messages, stop)  # None: stopped, seen below
                    if prepared is not None:
                        job = partial(self.finish, prepared, producer, stop)
                elif messages and self.sink is not None:
                    job = partial(self.handle_batch, self.decode_batch(messages), producer, stop)
                written: list[Message] = []
                if in_flight is not None:
                    (done, written), in_flight = in_flight, None
                    if not done.result():  # abandoned on stop: redelivered after a restart
                        break
                if stop.is_set():  # a batch polled but not started is redelivered too
                    if written:
                        self.commit(consumer, written, stop)
                    break
                if job is not None and writer is not None:
                    in_flight = (writer.submit(job), messages)
                if written and not self.commit(consumer, written, stop):  # overlaps the next write
                    break
                if messages and writer is None:
                    if self.handle_batch(self.decode_each(messages), producer, stop):
                        self.commit(consumer, messages, stop)
                elif not messages and until_idle and consumer.lag() == 0:
                    break
            if in_flight is not None and in_flight[0].result():  # stopping: the last write finished
                self.commit(consumer, in_flight[1], stop)
        finally:
            if writer is not None:
                writer.shutdown(wait=True)  # an in-flight write ends (or sees stop) before we close
            consumer.close()
            self.close_producer(producer)
        return self.stats

    def grow(
        self,
        consumer: Consumer,
        messages: list[Message],
        stop: threading.Event,
        in_flight: tuple[Future[bool], list[Message]] | None,
    ) -> None:
        """Let a polled batch take more messages before it starts, where waiting costs no latency or
        saves a round of engine requests. A sink batch grows only while the previous write is still
        in flight (it could not start before that write returns anyway), up to ``flush_interval_s``;
        an idle writer gets what one poll returned at once, so a trickle is written at once and a
        flood in large bulk requests. A processor with a batched step grows its batch for up to
        ``linger_s``: under a trickle one round of story-store requests then serves several articles
        instead of one or two (on Elasticsearch each request costs the engine a fixed few ms of CPU,
        which at 20 articles/s had made it the largest cost of the whole pipeline)."""
        if self.sink is not None:
            budget = self.flush_interval_s
        elif self.batched:
            budget = self.linger_s
        else:
            return
        deadline = time.monotonic() + budget
        while len(messages) < self.batch_size and not stop.is_set():
            if self.sink is not None and (in_flight is None or in_flight[0].done()):
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            messages.extend(consumer.poll(self.batch_size - len(messages), min(remaining, _WRITE_CHECK_S)))

    def commit(self, consumer: Consumer, messages: Sequence[Message], stop: threading.Event) -> bool:
        """Commit the batch's offsets, waiting out a bus outage; False if stopped meanwhile (the
        batch is then redelivered: its output is durable, so that only repeats it)."""
        attempt = 0
        while True:
            try:
                consumer.commit(messages)
                return True
            except Exception as error:
                if not is_outage(error):
                    raise
                attempt += 1
                if not self.wait_out("the bus (commit)", attempt, error, stop):
                    return False

    def flush(self, producer: ResendingProducer, stop: threading.Event) -> bool:
        """Wait until every output of the batch is acknowledged, sending them again after a failed
        flush while the bus is down; False if stopped meanwhile (the batch is not committed)."""
        attempt = 0
        while True:
            try:
                producer.flush()
                return True
            except Exception as error:
                if not is_outage(error):
                    raise
                attempt += 1
                if not self.wait_out("the bus (produce)", attempt, error, stop):
                    return False
                self.log.info("sending %d records of the batch again", producer.resend())

    def close_producer(self, producer: ResendingProducer) -> None:
        try:
            producer.close()
        except Exception as error:  # stopping during an outage: that batch was not committed
            if not is_outage(error):
                raise
            self.log.warning("closed with records unacknowledged (redelivered after a restart): %s", error)

    def decode_each(self, messages: Sequence[Message]) -> Iterator[tuple[Message, Article | Poison]]:
        """Each message's article, or why it can never be decoded, one at a time, in order.
        Records no outcome: a sink batch is decoded while the previous one is being written."""
        for message in messages:
            try:
                yield message, self.decode(message)
            except Poison as error:
                yield message, error

    def decode_batch(self, messages: Sequence[Message]) -> list[tuple[Message, Article | Poison]]:
        return list(self.decode_each(messages))

    def handle_batch(
        self,
        decoded: Iterable[tuple[Message, Article | Poison]],
        producer: ResendingProducer,
        stop: threading.Event,
    ) -> bool:
        """Process a batch (decoded, or decoded as it is iterated). True once every output is
        durable; False if the stage stopped while waiting out an outage (the batch is abandoned,
        not committed, and redelivered whole after a restart)."""
        articles: list[tuple[Message, Article]] = []
        for message, item in decoded:
            if isinstance(item, Poison):
                self.dead(producer, message, None, item.reason, 0)
            elif self.sink is None and not self.batched:
                if not self.apply_steps(message, item, producer, stop):
                    self.flush(producer, stop)
                    return False
            else:
                articles.append((message, item))
        went_on = True
        if self.sink is not None:
            went_on = self.write_to_sink(articles, producer, stop)
        elif self.batched:
            went_on = self.apply_batched([(m, a, a) for m, a in articles], producer, stop)
        return self.durable(went_on, producer, stop)

    def durable(self, went_on: bool, producer: ResendingProducer, stop: threading.Event) -> bool:
        """A batch's end: its outputs flushed. True once they are durable; False if the batch was
        abandoned (``went_on`` False: the stage stopped meanwhile) or the stage stopped while flushing."""
        if not went_on:
            self.flush(producer, stop)  # what was sent before the stop is not lost either
            return False
        if not self.flush(producer, stop):
            return False
        self.stats.last_durable_at = time.monotonic()
        return True

    def prepare(self, messages: Sequence[Message], stop: threading.Event) -> tuple[Going, _Deferred] | None:
        """A pipelined batch's first part, on the consumer's thread: decode, then the plain steps
        before the first batch step, article by article. What it dead-letters is deferred to the
        second part. None if the stage stopped while a step waited out an outage."""
        deferred = _Deferred()
        lead = self.segments[0]
        going: Going = []
        for message, item in self.decode_each(messages):
            if isinstance(item, Poison):
                self.dead(deferred, message, None, item.reason, 0)
                continue
            result = self.run_steps(lead, message, item, item, deferred, stop)
            if result is _STOPPED:
                return None
            if isinstance(result, Article):
                going.append((message, item, result))
        return going, deferred

    def finish(
        self, prepared: tuple[Going, _Deferred], producer: ResendingProducer, stop: threading.Event
    ) -> bool:
        """A pipelined batch's second part, on the writer's thread: its deferred dead letters, the
        steps from the first batch step on, the outputs; True once all of it is durable."""
        going, deferred = prepared
        deferred.replay(producer)
        return self.durable(self.apply_batched(going, producer, stop, done=1), producer, stop)

    def decode(self, message: Message) -> Article:
        if len(message.value) > self.max_event_bytes:
            raise Poison(f"the event is {_size(len(message.value))}, {self._over_limit}")
        try:
            return Article.from_json(message.value)
        except (ValidationError, ValueError, UnicodeDecodeError) as error:
            raise Poison(f"undecodable article event: {error}") from error

    def apply_steps(
        self, message: Message, article: Article, producer: Producer, stop: threading.Event
    ) -> bool:
        """One article through the steps; False if the stage stopped while a service was down."""
        result = self.run_steps(self.steps, message, article, article, producer, stop)
        if result is _STOPPED:
            return False
        if isinstance(result, Article):
            self.produce(producer, message, result, article.url)
        return True

    def produce(self, producer: Producer, message: Message, result: Article, url: str) -> None:
        assert self.stage.output_topic is not None
        encoded = result.to_json()
        if len(encoded) > self.max_event_bytes:
            reason = (
                f"after the {self.stage.name} steps the event is {_size(len(encoded))}, {self._over_limit}"
            )
            self.dead(producer, message, url, reason, 0)
            return
        producer.send(self.stage.output_topic, result.article_id, encoded)
        self.outcome("ok", url)

    @property
    def _over_limit(self) -> str:
        return f"over the limit of {_size(self.max_event_bytes)} (JIANCHA_MAX_EVENT_BYTES)"

    def run_steps(
        self,
        steps: Sequence[Step | BatchStep],
        message: Message,
        article: Article,
        start: Article,
        producer: Producer,
        stop: threading.Event,
    ) -> Article | object:
        """``start`` (what ``article`` became so far) through ``steps``: the result, ``_RECORDED``
        (dropped or dead-lettered) or ``_STOPPED`` (the stage stopped while a service was down)."""
        attempt = outage = 0
        while True:
            try:
                result = start
                for step in steps:
                    result = step(result)
            except Drop as error:
                self.outcome("dropped", article.url, error.reason)
                return _RECORDED
            except Poison as error:
                self.dead(producer, message, article.url, error.reason, attempt)
                return _RECORDED
            except Exception as error:
                if is_outage(error):  # not the article's fault: wait for the service, however long
                    outage += 1
                    if not self.wait_out("a service", outage, error, stop):
                        return _STOPPED
                    continue
                attempt += 1  # transient until proven otherwise: retry, then dead-letter
                if attempt > self.max_retries:
                    self.dead(producer, message, article.url, f"{type(error).__name__}: {error}", attempt - 1)
                    return _RECORDED
                self.log.warning("retry %d/%d %s: %s", attempt, self.max_retries, article.url, error)
                self.sleep(backoff_delay(attempt, self.retry_backoff_max_s))
                continue
            return result

    def apply_batched(self, current: Going, producer: Producer, stop: threading.Event, done: int = 0) -> bool:
        """The batch through steps that include a ``BatchStep`` (after the first ``done`` segments of
        them): plain steps article by article, each batch step on the articles still going, together.
        False if the stage stopped."""
        for segment in self.segments[done:]:
            going: list[tuple[Message, Article, Article]] = []
            if isinstance(segment[0], BatchStep):
                results = self.run_batch_step(segment[0], [r for _, _, r in current], stop) if current else []
                if results is None:
                    return False
                if len(results) == len(current):
                    going = [(m, a, r) for (m, a, _), r in zip(current, results, strict=True)]
                    current = going
                    continue
            for message, article, start in current:  # plain steps, or a batch step article by article
                result = self.run_steps(segment, message, article, start, producer, stop)
                if result is _STOPPED:
                    return False
                if isinstance(result, Article):
                    going.append((message, article, result))
            current = going
        for message, article, result in current:
            self.produce(producer, message, result, article.url)
        return True

    def run_batch_step(
        self, step: BatchStep, articles: list[Article], stop: threading.Event
    ) -> list[Article] | None:
        """The batch step on the whole batch, waiting out outages; [] when it failed otherwise (the
        caller then runs it article by article); None if the stage stopped meanwhile."""
        outage = 0
        while True:
            try:
                return step.batch(articles)
            except Exception as error:
                if not is_outage(error):
                    self.log.warning("%s on the whole batch failed, one by one now: %s", step.__name__, error)
                    return []
                outage += 1
                if not self.wait_out("a service", outage, error, stop):
                    return None

    def wait_out(self, what: str, attempt: int, error: BaseException, stop: threading.Event) -> bool:
        """Pause the stage for the next backoff delay; False if it was stopped meanwhile."""
        delay = backoff_delay(attempt, self.retry_backoff_max_s)
        self.log.warning("%s unavailable (attempt %d), pausing %.1fs: %s", what, attempt, delay, error)
        return not stop.wait(delay)

    def write_to_sink(
        self, decoded: Sequence[tuple[Message, Article]], producer: Producer, stop: threading.Event
    ) -> bool:
        """Write the batch; an unreachable sink is waited for (capped backoff) until it comes back.
        False if the stage stopped while waiting (nothing recorded for the batch)."""
        assert self.sink is not None
        if not decoded:
            return True
        attempt = 0
        while True:
            try:
                started = time.perf_counter()
                outcomes = self.sink.write([article for _, article in decoded])
                rejected = sum(1 for outcome in outcomes if not outcome.ok)
                metrics.record_sink_write(self.stage.name, time.perf_counter() - started, rejected)
                break
            except Exception as error:
                if not is_outage(error):
                    raise
                metrics.record_sink_unavailable(self.stage.name)
                attempt += 1
                if not self.wait_out("sink", attempt, error, stop):
                    return False
        by_id = {outcome.article_id: outcome for outcome in outcomes}
        for message, article in decoded:
            outcome = by_id.get(article.article_id)
            if outcome is None or not outcome.ok:
                reason = outcome.error if outcome else "the sink reported no outcome"
                self.dead(producer, message, article.url, reason or "rejected", 0)
            elif outcome.skipped:
                self.outcome("skipped", article.url, outcome.error or "newer version in the sink")
            else:
                self.outcome("ok", article.url)
        return True

    def dead(self, producer: Producer, message: Message, url: str | None, reason: str, retries: int) -> None:
        producer.send(
            self.stage.dlq_topic, message.key, dead_letter(self.stage.name, message, reason, retries)
        )
        self.outcome("dead", url or f"{message.topic}/{message.partition}@{message.offset}", reason)

    def outcome(self, status: str, url: str, reason: str | None = None) -> None:
        with self._outcomes:
            self.stats.counts[status] += 1
        metrics.record_outcome(self.stage.name, status, self.stage.prefix)
        if reason:
            self.log.info("%s: %s (%s)", status, url, reason[:200])
        else:
            self.log.info("%s: %s", status, url)
