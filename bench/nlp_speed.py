"""Speed of the NLP processors: articles/s per step on realistic 1–3k-character articles, the ratio of
each stage running on Kafka to the same steps in a plain loop over the same articles, nlp.pipe batches
against one call per text, and the peak memory of one worker per stage.

``python -m bench.nlp_speed [--articles N]``. Kafka must run at JIANCHA_KAFKA_BOOTSTRAP (default
127.0.0.1:9092); without it the Kafka column is skipped. Topics are ``bench_nlp_<uuid>.*``, deleted after.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.nlp import load_devset
from pipeline.bus import open_bus
from pipeline.errors import ServiceUnavailable
from pipeline.model import Article
from pipeline.runner import Step
from pipeline.settings import REPO_ROOT, Settings
from pipeline.topics import all_topics, processor_stages
from processors.chain import STAGES, build_steps
from processors.worker import processor_runner

SAMPLE = REPO_ROOT / "crawler" / "demo" / "pages" / "linfen-news-2021-08-13-procuratorate.txt"
STEP_NAMES = {
    "entities": ["normalise", "entities"],
    "topics": ["topics", "statistics", "keywords", "reprints"],
}


def corpus(n: int, seed: int = 7) -> list[Article]:
    """Articles of 1,000–3,000 characters from the devset's and the sample's paragraphs (seeded)."""
    rng = random.Random(seed)
    cases = load_devset()
    sample = [p.strip() for p in SAMPLE.read_text(encoding="utf-8").splitlines()[5:] if len(p.strip()) > 40]
    paragraphs = [c["body"] for c in cases] + sample
    articles = []
    for i in range(n):
        target, body = rng.randint(1000, 3000), list[str]()
        while sum(len(p) for p in body) < target:
            body.append(rng.choice(paragraphs))
        title = rng.choice(cases)["title"]
        articles.append(Article.new(f"https://bench.invalid/{i}", title=title, body="\n".join(body)[:target]))
    return articles


def settings_for(data_dir: str, **overrides: object) -> Settings:
    return Settings(data_dir=Path(data_dir), **overrides)  # type: ignore[arg-type]


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


def plain_stage(stage: str, articles: Sequence[Article]) -> tuple[float, list[Article]]:
    with tempfile.TemporaryDirectory() as tmp:
        steps = build_steps(stage, settings_for(tmp))
        start = time.perf_counter()
        out = []
        for article in articles:
            for step in steps:
                article = step(article)
            out.append(article)
        return time.perf_counter() - start, out


class Clock:
    """Wraps a stage's steps: from the first step's first call to the last step's last return."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last = 0.0

    def wrap(self, steps: list[Step]) -> list[Step]:
        head, tail = steps[0], steps[-1]

        def first(article: Article) -> Article:
            self.first = self.first or time.perf_counter()
            return head(article)

        def last(article: Article) -> Article:
            result = tail(article)
            self.last = time.perf_counter()
            return result

        return [first, *steps[1:-1], last] if len(steps) > 1 else [lambda a: last(first(a))]


def kafka_stages(articles: Sequence[Article], bootstrap: str) -> dict[str, tuple[float, float]]:
    """Each stage as a worker on Kafka: (steady seconds from first step to last, wall seconds with
    group join and idle detection)."""
    prefix = f"bench_nlp_{uuid.uuid4().hex[:8]}."
    results: dict[str, tuple[float, float]] = {}
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
            producer.flush()
            producer.close()
            for stage in stages:
                clock = Clock()
                runner = processor_runner(
                    settings, bus, stage, steps=clock.wrap(build_steps(stage.name, settings))
                )
                start = time.perf_counter()
                stats = runner.run(until_idle=True)
                wall = time.perf_counter() - start
                if stats.counts["ok"] != len(articles) or clock.first is None:
                    raise RuntimeError(f"{stage.name} on Kafka: {dict(stats.counts)} of {len(articles)}")
                results[stage.name] = (clock.last - clock.first, wall)
        finally:
            bus.delete_topics(all_topics(prefix))
            bus.close()
    return results


_WORKER = """
import logging, sys, tempfile
from pathlib import Path
logging.disable(logging.INFO)
from bench.nlp_speed import corpus
from pipeline.settings import Settings
from processors.chain import build_steps
articles = corpus(int(sys.argv[2]))
steps = build_steps(sys.argv[1], Settings(data_dir=Path(tempfile.mkdtemp())))
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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    articles = corpus(args.articles)
    sizes = sorted(len(a.body) for a in articles)
    print(f"{len(articles)} articles, {sizes[0]}–{sizes[-1]} characters (median {sizes[len(sizes) // 2]}), "
          f"{os.cpu_count()} CPUs\n")  # fmt: skip
    print(f"{'step':28} {'articles/s':>10}")
    for name, rate in per_step(articles):
        print(f"{name:28} {rate:10.1f}")
    plain = {}
    inputs: Sequence[Article] = articles
    for stage in STAGES:
        plain[stage], inputs = plain_stage(stage, inputs)
    bootstrap = os.environ.get("JIANCHA_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    try:
        on_kafka = kafka_stages(articles, bootstrap)
    except ServiceUnavailable as error:
        print(f"\nKafka not reachable ({error}); ratio skipped")
        on_kafka = {}
    # The plain loop again after Kafka, averaged: other load on a shared machine drifts over minutes.
    again: Sequence[Article] = articles
    for stage in STAGES:
        seconds, again = plain_stage(stage, again)
        plain[stage] = (plain[stage] + seconds) / 2
    print(f"load average during the runs: {os.getloadavg()[0]:.1f}")
    print(
        f"\n{'stage':10} {'plain loop /s':>13} {'on Kafka /s':>12} {'ratio':>6} {'Kafka wall /s':>14} {'wall ratio':>10}"
    )
    for stage in STAGES:
        n = len(articles)
        line = f"{stage:10} {n / plain[stage]:13.1f}"
        if stage in on_kafka:
            steady, wall = on_kafka[stage]
            line += f" {n / steady:12.1f} {plain[stage] / steady:6.2f} {n / wall:14.1f} {plain[stage] / wall:10.2f}"
        print(line)
    per_call, piped, description = pipe_vs_calls(inputs)
    print(f"\nentity pipeline ({description}): nlp(text) {per_call:.1f}/s, nlp.pipe(batch 64) {piped:.1f}/s")
    print(f"\n{'worker':10} {'peak RSS MiB':>12}")
    for stage in STAGES:
        print(f"{stage:10} {peak_memory(stage, len(articles)):12.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
