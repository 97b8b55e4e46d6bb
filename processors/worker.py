"""The processor workers: articles.fetched → entities → articles.annotated → topics → articles.enriched.

Each stage is its own consumer group; on files (``--input/--output``) all steps run in order.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from pipeline.bus import Bus
from pipeline.errors import Drop, Poison
from pipeline.model import Article
from pipeline.runner import StageRunner, StageStats, Step
from pipeline.settings import Settings
from pipeline.topics import Stage, processor_stages
from processors.chain import STAGES, build_all_steps, build_steps

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
        max_retries=settings.max_retries,
        retry_backoff_max_s=settings.retry_backoff_max_s,
    )


def run_processor(
    settings: Settings,
    bus: Bus,
    stop: threading.Event | None = None,
    until_idle: bool = False,
    stages: Sequence[str] = STAGES,
) -> StageStats:
    """Run the named processor stages: in order until idle, or side by side until ``stop``.

    The returned stats are those of the last stage (what reached articles.enriched) plus the
    drops and dead letters of every stage.
    """
    chosen = [s for s in processor_stages(settings.topic_prefix) if s.name in stages]
    runners = [processor_runner(settings, bus, stage) for stage in chosen]
    if until_idle:
        for runner in runners:
            runner.run(until_idle=True)
    else:
        threads = [
            threading.Thread(target=r.run, kwargs={"stop": stop}, name=r.stage.name, daemon=True)
            for r in runners
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    total = StageStats()
    for runner in runners:
        for status, n in runner.stats.counts.items():
            if status != "ok" or runner is runners[-1]:
                total.counts[status] += n
    return total


def process_files(
    input_path: Path, output_path: Path, settings: Settings, steps: Sequence[Step] | None = None
) -> dict[str, int]:
    """Run the steps over a JSON-lines file: the debugger and replay tool, no broker needed.

    Lines that fail are written to ``<output>.dlq`` with the reason; the rest go on.
    """
    chain = build_all_steps(settings) if steps is None else list(steps)
    counts = {"ok": 0, "dropped": 0, "dead": 0}
    dlq_path = output_path.with_name(output_path.name + ".dlq")
    with (
        input_path.open(encoding="utf-8") as src,
        output_path.open("w", encoding="utf-8") as out,
        dlq_path.open("w", encoding="utf-8") as dlq,
    ):
        for number, line in enumerate(src, start=1):
            if not line.strip():
                continue
            try:
                article = Article.from_json(line)
                for step in chain:
                    article = step(article)
            except Drop as error:
                counts["dropped"] += 1
                log.info("dropped: line %d (%s)", number, error.reason)
                continue
            except (Poison, ValueError) as error:
                counts["dead"] += 1
                record = {"line": number, "error": str(error)[:500], "payload": line.rstrip("\n")}
                dlq.write(json.dumps(record, ensure_ascii=False) + "\n")
                log.info("dead: line %d (%s)", number, str(error)[:200])
                continue
            out.write(article.model_dump_json() + "\n")
            counts["ok"] += 1
    return counts
