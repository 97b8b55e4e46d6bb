"""The processor worker: articles.fetched → steps → articles.enriched, on the bus or on files."""

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
from pipeline.topics import processor_stage
from processors.chain import build_steps

log = logging.getLogger("jiancha.processor")


def processor_runner(settings: Settings, bus: Bus, steps: Sequence[Step] | None = None) -> StageRunner:
    return StageRunner(
        processor_stage(settings.topic_prefix),
        bus,
        steps=build_steps(settings) if steps is None else steps,
        batch_size=settings.batch_size,
        poll_timeout_s=settings.poll_timeout_s,
        max_retries=settings.max_retries,
        retry_backoff_max_s=settings.retry_backoff_max_s,
    )


def run_processor(
    settings: Settings, bus: Bus, stop: threading.Event | None = None, until_idle: bool = False
) -> StageStats:
    return processor_runner(settings, bus).run(stop=stop, until_idle=until_idle)


def process_files(
    input_path: Path, output_path: Path, settings: Settings, steps: Sequence[Step] | None = None
) -> dict[str, int]:
    """Run the steps over a JSON-lines file: the debugger and replay tool, no broker needed.

    Lines that fail are written to ``<output>.dlq`` with the reason; the rest go on.
    """
    chain = build_steps(settings) if steps is None else list(steps)
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
                dlq.write(
                    json.dumps(
                        {"line": number, "error": str(error)[:500], "payload": line.rstrip("\n")},
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                log.info("dead: line %d (%s)", number, str(error)[:200])
                continue
            out.write(article.model_dump_json() + "\n")
            counts["ok"] += 1
    return counts
