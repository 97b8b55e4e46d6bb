"""Speed of the NLP processors: articles/s per step on realistic 1–3k-character articles, the ratio of
each stage running on Kafka to the same steps in a plain loop over the same articles, nlp.pipe batches
against one call per text, and the peak memory of one worker per stage.

``python -m bench.nlp_speed [--articles N] [--runs R]``. Kafka must run at JIANCHA_KAFKA_BOOTSTRAP
(default 127.0.0.1:9092); without it the Kafka column is skipped. Topics are ``bench_nlp_<uuid>.*``,
deleted after.

The ratio is measured R times (default 3). In each run every stage is timed as a plain loop, then as a
worker on Kafka, then as a plain loop again, each with freshly built steps (the reprint step's story
store starts empty every time) over the same articles, after an untimed warm-up; a run's ratio is
the mean of its two plain loops over the worker's time. The table gives the median and the range of
the R ratios, and the same ratio in process CPU time, which other processes on a shared machine
disturb much less than wall time (it leaves out the time the worker waits on the broker).
Over 300 lines: four measurements (per step, on Kafka, pipe against calls, memory) that share one
corpus and one report.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.results import at_least, record
from evaluation.devset import load_devset
from pipeline.bus import open_bus
from pipeline.errors import ServiceUnavailable
from pipeline.model import Article
from pipeline.runner import BatchStep, Step
from pipeline.settings import REPO_ROOT, Settings
from pipeline.topics import all_topics, processor_stages
from processors.chain import STAGES, build_steps
from processors.reprints import open_story_store
from processors.worker import processor_runner

T = TypeVar("T")
SAMPLE = REPO_ROOT / "crawler" / "demo" / "pages" / "linfen-news-2021-08-13-procuratorate.txt"
STEP_NAMES = {
    "entities": ["normalise", "entities"],
    "topics": ["topics", "statistics", "keywords", "reprints"],
}


def corpus(n: int, seed: int = 7, size: tuple[int, int] = (1000, 3000)) -> list[Article]:
    """Articles of ``size`` characters (default 1,000–3,000) from the devset's and the sample's
    paragraphs (seeded)."""
    rng = random.Random(seed)
    cases = load_devset()
    sample = [p.strip() for p in SAMPLE.read_text(encoding="utf-8").splitlines()[5:] if len(p.strip()) > 40]
    paragraphs = [c["body"] for c in cases] + sample
    articles = []
    for i in range(n):
        target, body = rng.randint(*size), list[str]()
        while sum(len(p) for p in body) < target:
            body.append(rng.choice(paragraphs))
        title = rng.choice(cases)["title"]
        articles.append(Article.new(f"https://bench.invalid/{i}", title=title, body="\n".join(body)[:target]))
    return articles


def settings_for(data_dir: str, **overrides: object) -> Settings:
    """Settings on ``data_dir`` with its story store created (as `jiancha index init` does)."""
    settings = Settings(data_dir=Path(data_dir), **overrides)  # type: ignore[arg-type]
    store = open_story_store(settings)
    store.init()
    store.close()
    return settings


def per_step(articles: Sequence[Article]) -> list[tuple[str, float]]:
    """Articles/s of each step alone, in chain order (each step gets the previous step's output)."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(tmp)
        current = list(articles)
        for stage in STAGES:
            for name, step in zip(STEP_NAMES[stage], build_steps(stage, settings), strict=False):
                start = time.perf_counter()
                current = [step(a) for a in current]
                results.append((f"{stage}: {name}", len(current) / (time.perf_counter() - start)))
    return results


@dataclass(frozen=True)
class Timing:
    """Wall and process CPU seconds of one pass over the articles (steps only)."""

    wall: float
    cpu: float


def plain_stage(stage: str, articles: Sequence[Article]) -> tuple[Timing, list[Article]]:
    """The stage's steps, freshly built, in a ``for`` loop over the articles."""
    with tempfile.TemporaryDirectory() as tmp:
        steps = build_steps(stage, settings_for(tmp))
        start, cpu = time.perf_counter(), time.process_time()
        out = []
        for article in articles:
            for step in steps:
                article = step(article)
            out.append(article)
        return Timing(time.perf_counter() - start, time.process_time() - cpu), out


class Clock:
    """Wraps a stage's steps: from the first step's first call to the last step's last return."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last = 0.0
        self.cpu_first = 0.0
        self.cpu_last = 0.0

    def wrap(self, steps: list[Step | BatchStep]) -> list[Step | BatchStep]:
        head, tail = steps[0], steps[-1]

        def first(article: Article) -> Article:
            if self.first is None:
                self.first, self.cpu_first = time.perf_counter(), time.process_time()
            return head(article)

        def stamp(result: T) -> T:
            self.last, self.cpu_last = time.perf_counter(), time.process_time()
            return result

        # A batch step (the reprints) stays one: the runner gives it the batch, as in a worker.
        last: Step | BatchStep = (
            BatchStep(lambda batch: stamp(tail.batch(batch)), tail.__name__)
            if isinstance(tail, BatchStep)
            else lambda article: stamp(tail(article))
        )
        if len(steps) == 1:
            assert not isinstance(tail, BatchStep), "a stage of one batch step has no head to time"
            return [lambda a: stamp(tail(first(a)))]
        return [first, *steps[1:-1], last]

    def timing(self) -> Timing:
        assert self.first is not None
        return Timing(self.last - self.first, self.cpu_last - self.cpu_first)


@dataclass(frozen=True)
class KafkaRun:
    """One stage in one run: plain loop before and after, the worker's steady window and its wall
    time including group join and idle detection, the load average at the end."""

    before: Timing
    on_kafka: Timing
    after: Timing
    wall: float
    load: float

    @property
    def plain(self) -> Timing:
        return Timing((self.before.wall + self.after.wall) / 2, (self.before.cpu + self.after.cpu) / 2)

    @property
    def ratio(self) -> float:
        return self.plain.wall / self.on_kafka.wall

    @property
    def cpu_ratio(self) -> float:
        return self.plain.cpu / self.on_kafka.cpu

    @property
    def wall_ratio(self) -> float:
        return self.plain.wall / self.wall


def stage_inputs(articles: Sequence[Article]) -> dict[str, list[Article]]:
    """What each stage consumes: the fetched articles, then the previous stage's output."""
    inputs, current = {}, list(articles)
    for stage in STAGES:
        inputs[stage] = current
        _, current = plain_stage(stage, current)
    return inputs


def kafka_run(
    articles: Sequence[Article], inputs: dict[str, list[Article]], bootstrap: str
) -> dict[str, KafkaRun]:
    """Each stage as a worker on Kafka (fresh topics), between two plain loops over its input."""
    prefix = f"bench_nlp_{uuid.uuid4().hex[:8]}."
    results: dict[str, KafkaRun] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(
            tmp, bus="kafka", kafka_bootstrap=bootstrap, topic_prefix=prefix, poll_timeout_s=0.5
        )
        bus = open_bus(settings)
        try:
            bus.ensure_topics(all_topics(prefix))
            stages = processor_stages(prefix)
            producer = bus.producer()
            assert stages[0].input_topic is not None
            for article in articles:
                producer.send(stages[0].input_topic, article.article_id, article.to_json())
            producer.close()
            for stage in stages:
                before, _ = plain_stage(stage.name, inputs[stage.name])
                clock = Clock()
                steps = build_steps(stage.name, settings)
                runner = processor_runner(settings, bus, stage, steps=clock.wrap(steps))
                start = time.perf_counter()
                stats = runner.run(until_idle=True)
                wall = time.perf_counter() - start
                if stats.counts["ok"] != len(articles) or clock.first is None:
                    raise RuntimeError(f"{stage.name} on Kafka: {dict(stats.counts)} of {len(articles)}")
                after, _ = plain_stage(stage.name, inputs[stage.name])
                results[stage.name] = KafkaRun(before, clock.timing(), after, wall, os.getloadavg()[0])
        finally:
            bus.delete_topics(all_topics(prefix))
            bus.close()
    return results


def print_ratios(runs: Sequence[dict[str, KafkaRun]], n: int) -> None:
    print(f"\nload average (1 min) at the end of each stage's run: "
          f"{', '.join(f'{r[s].load:.1f}' for r in runs for s in STAGES)}")  # fmt: skip
    print(
        f"\n{'stage':10} {'plain loop /s':>13} {'on Kafka /s':>12} {'ratio':>6} {'range':>11}"
        f" {'CPU ratio':>9} {'range':>11} {'wall ratio':>10}"
    )
    for stage in STAGES:
        mine = [r[stage] for r in runs]
        ratios, cpu = [m.ratio for m in mine], [m.cpu_ratio for m in mine]
        plain = statistics.median(n / m.plain.wall for m in mine)
        kafka = statistics.median(n / m.on_kafka.wall for m in mine)
        record(
            "nlp_speed",
            f"{stage} processor on Kafka",
            kafka,
            "articles/s",
            baseline=plain,
            baseline_name="same steps, plain loop",
            ratio=statistics.median(ratios),
            goal=at_least(0.9),
            note=f"median of {len(ratios)} runs, range {min(ratios):.2f}–{max(ratios):.2f}",
        )
        print(
            f"{stage:10} {plain:13.1f} {kafka:12.1f} {statistics.median(ratios):6.2f}"
            f" {min(ratios):5.2f}–{max(ratios):<5.2f} {statistics.median(cpu):9.2f}"
            f" {min(cpu):5.2f}–{max(cpu):<5.2f} {statistics.median(m.wall_ratio for m in mine):10.2f}"
        )
    print(
        "(medians of the runs; 'on Kafka' is the worker from its first step call to its last, "
        "'wall ratio' includes its group join and idle check)"
    )


_WORKER = """
import logging, sys, tempfile
from pathlib import Path
logging.disable(logging.INFO)
from bench.nlp_speed import corpus, settings_for
from processors.chain import build_steps
articles = corpus(int(sys.argv[2]))
steps = build_steps(sys.argv[1], settings_for(tempfile.mkdtemp()))
for article in articles:
    for step in steps:
        article = step(article)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
print(int(status["VmHWM"].split()[0]) / 1024)  # kB
"""


def peak_memory(stage: str, n: int) -> float:
    """Peak RSS (MiB) of a fresh process that loads one stage and processes ``n`` articles: one worker."""
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, stage, str(n)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    return float(done.stdout.strip().splitlines()[-1])


def pipe_vs_calls(articles: Sequence[Article]) -> tuple[float, float, str]:
    from processors.entities import load_entity_resources

    resources = load_entity_resources(Settings())
    texts = [a.body_simplified or a.body for a in articles]
    timings = []
    call: Callable[[], object]
    for call in (
        lambda: [resources.nlp(t) for t in texts],
        lambda: list(resources.nlp.pipe(texts, batch_size=64)),
    ):
        start = time.perf_counter()
        call()
        timings.append(len(texts) / (time.perf_counter() - start))
    return timings[0], timings[1], resources.description


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300, help="articles per run (default 300)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the Kafka ratio (default 3)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    articles = corpus(args.articles)
    sizes = sorted(len(a.body) for a in articles)
    print(f"{len(articles)} articles, {sizes[0]}–{sizes[-1]} characters (median {sizes[len(sizes) // 2]}), "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print(f"{'step':28} {'articles/s':>10}")
    for name, rate in per_step(articles):
        print(f"{name:28} {rate:10.1f}")
    inputs = stage_inputs(articles)  # also the warm-up: every step has run over every article
    bootstrap = os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    runs: list[dict[str, KafkaRun]] = []
    try:
        for _ in range(args.runs):
            runs.append(kafka_run(articles, inputs, bootstrap))
    except ServiceUnavailable as error:
        print(f"\nKafka not reachable ({error}); ratio skipped")
    if runs:
        print_ratios(runs, len(articles))
    per_call, piped, description = pipe_vs_calls(inputs["topics"])
    print(f"\nentity pipeline ({description}): nlp(text) {per_call:.1f}/s, nlp.pipe(batch 64) {piped:.1f}/s")
    print(f"\n{'worker':10} {'peak RSS MiB':>12}")
    for stage in STAGES:
        peak = peak_memory(stage, len(articles))
        record("nlp_speed", f"peak RSS: {stage} steps, one process, {len(articles)} articles", peak, "MiB")
        print(f"{stage:10} {peak:12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
