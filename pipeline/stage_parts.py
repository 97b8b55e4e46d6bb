"""What a stage is made of, for the runner (pipeline/runner.py) and the stages that build one: steps
(plain, or a batch at a time), the sink of a terminal stage, its outcomes and statistics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipeline import metrics
from pipeline.model import Article

Step = Callable[[Article], Article]


class BatchStep:
    """A step that handles a whole batch at once (e.g. one store round trip per batch instead of
    one per article): ``batch(articles)`` returns one article per input, in order. Called with one
    article it is a batch of one, so it runs wherever a plain step does. In a runner, the steps
    before it run on each article of a polled batch, then it runs on the survivors together; if
    it fails for a reason other than an outage, it runs on each article alone, so that the failure
    is the failing article's outcome (retried, dropped or dead-lettered) and not the batch's."""

    def __init__(self, batch: Callable[[Sequence[Article]], list[Article]], name: str) -> None:
        self.batch = batch
        self.__name__ = name

    def __call__(self, article: Article) -> Article:
        return self.batch([article])[0]


def timed(stage: str, step: Step | BatchStep) -> Step | BatchStep:
    if isinstance(step, BatchStep):
        return BatchStep(metrics.timed_step(stage, step.batch), step.__name__)
    return metrics.timed_step(stage, step)


@dataclass(frozen=True)
class SinkOutcome:
    """``skipped``: the sink already holds a newer version (ok, nothing written, not an error)."""

    article_id: str
    ok: bool
    error: str | None = None
    skipped: bool = False


class Sink(Protocol):
    """Where a terminal stage writes: returns one outcome per article, raises if it is unreachable."""

    def write(self, articles: Sequence[Article]) -> Sequence[SinkOutcome]: ...


@dataclass
class StageStats:
    counts: Counter[str] = field(default_factory=Counter)
    # time.monotonic() when the first batch arrived and when the last one's output was durable:
    # the stage's busy window, without start-up, group join or the idle wait at the end.
    first_batch_at: float | None = None
    last_durable_at: float | None = None

    def total(self) -> int:
        return sum(self.counts.values())


def backoff_delay(attempt: int, cap_s: float, base_s: float = 0.2) -> float:
    """Capped exponential backoff: 0.2, 0.4, 0.8 … seconds, never more than ``cap_s``."""
    return float(min(cap_s, base_s * (2 ** max(0, attempt - 1))))


def segments(steps: Sequence[Step | BatchStep]) -> list[list[Step | BatchStep]]:
    """The steps cut where a batch step is: runs of plain steps, and each batch step alone."""
    cut: list[list[Step | BatchStep]] = []
    for step in steps:
        if isinstance(step, BatchStep) or not cut or isinstance(cut[-1][0], BatchStep):
            cut.append([step])
        else:
            cut[-1].append(step)
    return cut
