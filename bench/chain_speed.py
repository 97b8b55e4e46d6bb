"""Speed of the whole processor chain against jieba's own segmentation of the same texts, in one run.

``python -m bench.chain_speed [--articles N] [--chars C] [--rounds R] [--steps] [--plain-gc]``. On
the embedded path (the SQLite story store in a temporary folder; the steps on batches of ``batch_size``, as the
stage runner polls them, so the reprint step decides a batch at a time), each round times jieba
segmenting every article's title and body, then normalise → entities → topics (every step of both
stages, freshly built, the story store empty) over the same articles, then jieba again. The ratio is
the chain's articles/s over jieba's (the mean of its two passes around the chain): 0.5 means the
chain costs two segmentations. jieba is timed twice: its default dictionary (``jieba.Tokenizer()``,
"jieba's own speed") and the project's shared segmenter (the same with the gazetteer's and the
taxonomy's words), both with its HMM as the chain runs it. ``--steps`` adds each step's CPU time per
article. Each stage runs as its worker does, its loaded resources out of the garbage collector's
passes (``processors.worker.resident``); ``--plain-gc`` runs it without. Wall and process CPU
time are both given (CPU time is disturbed less by other processes on a shared machine); the table
shows the median of the rounds and their range.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import jieba

from bench.nlp_speed import STEP_NAMES, corpus
from pipeline.commands.common import init_index
from pipeline.model import Article
from pipeline.segmenter import shared_segmenter
from pipeline.settings import Settings
from pipeline.stage_parts import BatchStep, Step, segments
from processors.chain import STAGES, build_steps
from processors.worker import resident

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def timed(work: Callable[[], object]) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    work()
    return Timing(time.perf_counter() - start, time.process_time() - cpu)


def segment_all(tokenizer: jieba.Tokenizer, articles: Sequence[Article]) -> None:
    for article in articles:
        for _ in tokenizer.cut(article.title):
            pass
        for _ in tokenizer.cut(article.body):
            pass


def run_steps(
    steps: Sequence[Step | BatchStep], articles: Sequence[Article], batch_size: int = 1
) -> list[Article]:
    """The steps over the articles as the stage runner runs them on polled batches of
    ``batch_size``: plain steps article by article, a batch step on the batch together."""
    out: list[Article] = []
    for start in range(0, len(articles), batch_size):
        batch = list(articles[start : start + batch_size])
        for segment in segments(steps):
            head = segment[0]
            if isinstance(head, BatchStep):
                batch = head.batch(batch)
                continue
            for i, article in enumerate(batch):
                for step in segment:
                    article = step(article)
                batch[i] = article
        out += batch
    return out


class StepClock:
    """Process CPU seconds spent in each step, summed over a run (``--steps``)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}

    def wrap(self, name: str, step: Step | BatchStep) -> Step | BatchStep:
        def clocked(work: Callable[[T], T]) -> Callable[[T], T]:
            def run(value: T) -> T:
                cpu = time.process_time()
                try:
                    return work(value)
                finally:
                    self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

            return run

        if isinstance(step, BatchStep):
            return BatchStep(clocked(step.batch), step.__name__)  # type: ignore[arg-type]
        return clocked(step)


def run_chain(
    articles: Sequence[Article], clock: StepClock | None = None, as_worker: bool = True
) -> dict[str, Timing]:
    """Each stage's steps (freshly built, outside the timing) over the articles, stage after stage;
    with a ``clock``, each step's CPU time is added to it too. ``as_worker``: with the loaded
    resources out of the garbage collector's passes, as the processor worker runs (``resident``)."""
    timings = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        init_index(settings)  # the story store the reprint step needs, as `jiancha index init` makes it
        current = list(articles)
        for stage in STAGES:
            steps = build_steps(stage, settings)
            if clock is not None:
                steps = [clock.wrap(name, s) for name, s in zip(STEP_NAMES[stage], steps, strict=True)]
            with resident() if as_worker else nullcontext():
                start, cpu = time.perf_counter(), time.process_time()
                current = run_steps(steps, current, settings.batch_size)
                timings[stage] = Timing(time.perf_counter() - start, time.process_time() - cpu)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=200, help="articles per round (default 200)")
    parser.add_argument("--chars", type=int, default=2000, help="characters per article (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument(
        "--steps", action="store_true", help="also each step's CPU ms per article (median of the rounds)"
    )
    parser.add_argument(
        "--plain-gc",
        action="store_true",
        help="the garbage collector as Python sets it, not as the worker runs (processors.worker.resident)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    jieba.setLogLevel(logging.WARNING)
    articles = corpus(args.articles, size=(args.chars, args.chars))
    default = jieba.Tokenizer()
    default.initialize()
    shared = shared_segmenter().tokenizer
    run_chain(articles[:20])  # warm-up: every resource loaded, every code path run once
    segment_all(default, articles[:20])
    n = len(articles)
    rows: dict[str, list[Timing]] = {}
    ratios: dict[str, list[tuple[float, float]]] = {"jieba": [], "shared segmenter": []}
    clocks: list[StepClock] = []
    for _ in range(args.rounds):
        before = {"jieba": timed(lambda: segment_all(default, articles)),
                  "shared segmenter": timed(lambda: segment_all(shared, articles))}  # fmt: skip
        clock = StepClock() if args.steps else None
        stages = run_chain(articles, clock, as_worker=not args.plain_gc)
        clocks += [clock] if clock is not None else []
        after = {"jieba": timed(lambda: segment_all(default, articles)),
                 "shared segmenter": timed(lambda: segment_all(shared, articles))}  # fmt: skip
        chain = Timing(sum(t.wall for t in stages.values()), sum(t.cpu for t in stages.values()))
        for name, timing in (*stages.items(), ("chain", chain)):
            rows.setdefault(
                f"{name} stage" if name != "chain" else "normalise → entities → topics", []
            ).append(timing)
        for name in ratios:
            seg = Timing((before[name].wall + after[name].wall) / 2, (before[name].cpu + after[name].cpu) / 2)
            rows.setdefault(f"segmentation: {name}", []).append(seg)
            ratios[name].append((seg.wall / chain.wall, seg.cpu / chain.cpu))
    print(f"{n} articles of {args.chars} characters, {args.rounds} rounds, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at the end\n")  # fmt: skip
    print(f"{'pass over the articles':32} {'articles/s':>10} {'range':>13} {'CPU articles/s':>14}")
    for name, timings in rows.items():
        rates = [n / t.wall for t in timings]
        cpu = statistics.median(n / t.cpu for t in timings)
        print(f"{name:32} {statistics.median(rates):10.1f} {min(rates):6.1f}–{max(rates):<6.1f} {cpu:14.1f}")
    print(f"\n{'chain / segmentation':32} {'ratio':>10} {'range':>13} {'CPU ratio':>14}")
    for name, values in ratios.items():
        wall = [w for w, _ in values]
        cpu = statistics.median(c for _, c in values)
        print(
            f"{'against ' + name:32} {statistics.median(wall):10.2f} {min(wall):6.2f}–{max(wall):<6.2f} {cpu:14.2f}"
        )
    print("(goal: ≥ 0.5 against jieba; medians of the rounds)")
    if clocks:
        print(f"\n{'step (timed alone, in the chain)':32} {'CPU ms/article':>14} {'range':>13}")
        for name in clocks[0].cpu:
            ms = [1000 * c.cpu[name] / n for c in clocks]
            print(f"{name:32} {statistics.median(ms):14.2f} {min(ms):6.2f}–{max(ms):<6.2f}")
        for name in ratios:
            ms = [1000 * t.cpu / n for t in rows[f"segmentation: {name}"]]
            print(f"{name + ' alone':32} {statistics.median(ms):14.2f} {min(ms):6.2f}–{max(ms):<6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
