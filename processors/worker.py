"""The processor workers: articles.fetched → entities → articles.annotated → topics → articles.enriched.

Each stage is its own consumer group; on files (``--input/--output``, a ``FileBus``) the same
runners run one after the other until their input is drained.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

from pipeline.bus import Bus
from pipeline.runner import StageRunner, StageStats, Step
from pipeline.settings import Settings
from pipeline.supervise import Supervised, run_to_idle, supervise
from pipeline.topics import Stage, processor_stages
from processors.chain import STAGES, build_steps

log = logging.getLogger("jiancha.processor")


def processor_runner(
    settings: Settings, bus: Bus, stage: Stage, steps: Sequence[Step] | None = None
) -> StageRunner:
    return StageRunner(
        stage,
        bus,
        steps=build_steps(stage.name, settings) if steps is None else steps,
        batch_size=settings.batch_size,
        poll_timeout_s=settings.poll_timeout_s,
        linger_s=settings.batch_linger_s,
        max_retries=settings.max_retries,
        retry_backoff_max_s=settings.retry_backoff_max_s,
        max_event_bytes=settings.max_event_bytes,
    )


def processor_runners(settings: Settings, bus: Bus, stages: Sequence[str] = STAGES) -> list[StageRunner]:
    """One runner per named processor stage, in pipeline order."""
    chosen = [s for s in processor_stages(settings.topic_prefix) if s.name in stages]
    return [processor_runner(settings, bus, stage) for stage in chosen]


@contextmanager
def resident() -> Iterator[None]:
    """While the block runs, what is alive at its start (the loaded dictionaries, gazetteer, models)
    stays out of the cyclic collector's passes: one collection, then ``gc.freeze``; ``gc.unfreeze``
    after. Without it every full collection walks those objects again: about 1 ms of CPU an article
    in the chain (bench/README.md, issue 16)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def combined_stats(runners: Sequence[StageRunner]) -> StageStats:
    """The stats of the last stage (what reached articles.enriched) plus the drops and dead letters
    of every stage."""
    total = StageStats()
    for runner in runners:
        for status, n in runner.stats.counts.items():
            if status != "ok" or runner is runners[-1]:
                total.counts[status] += n
    return total


def run_processor(
    settings: Settings,
    bus: Bus,
    stop: threading.Event | None = None,
    until_idle: bool = False,
    stages: Sequence[str] = STAGES,
) -> StageStats:
    """Run the named processor stages: in order until idle, or side by side until ``stop``
    (supervised: a stage that dies stops the others and raises ``StageDied``)."""
    runners = processor_runners(settings, bus, stages)
    with resident():
        if until_idle:
            for runner in runners:
                run_to_idle(runner.stage.name, partial(runner.run, until_idle=True))
        else:
            supervise([supervised(r) for r in runners], stop or threading.Event())
    return combined_stats(runners)


def supervised(runner: StageRunner) -> Supervised:
    return Supervised(runner.stage.name, lambda stop: runner.run(stop=stop))
