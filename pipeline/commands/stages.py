"""The stage commands: ``up`` (everything in one process), ``crawl``, ``process``, ``index-worker``, ``topics``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.bus import Bus
from pipeline.bus.files import chain_files
from pipeline.commands.alerts import run_alerts
from pipeline.commands.common import (
    SubParsers,
    UsageError,
    add_file_options,
    demo_site,
    file_run_paths,
    init_index,
    jsonable,
    log,
    start_bus,
)
from pipeline.ops.worker_ops import worker_ops
from pipeline.settings import Settings
from pipeline.supervise import REGISTRY, StageDied, Supervised, run_to_idle, stages_file, supervise
from pipeline.topics import Stage, all_topics, indexer_stage, processor_stages

# A stage of this worker died (its one-line reason is on stderr); an orchestrator restarts it.
EXIT_STAGE_DIED = 1


def crawl(settings: Settings, demo_base: str | None, output: Path | None = None) -> Any:
    from crawler.run import crawl_once

    stats = crawl_once(settings, demo_base=demo_base, output=output)
    log.info("crawl finished: %s", jsonable(stats))
    return stats


def crawl_forever(settings: Settings, demo_base: str | None, stop: threading.Event) -> None:
    """Keep every site on its own interval (``interval_minutes`` in the sites file) until ``stop``."""
    from crawler.schedule import run_schedule

    run_schedule(settings, demo_base, stop)


def process_until_idle(
    settings: Settings, bus: Bus, stop: threading.Event | None = None, stages: Sequence[str] | None = None
) -> Any:
    """The processor stages until their input is drained, or (``stop`` given) supervised until stopped."""
    from processors.chain import STAGES
    from processors.worker import run_processor

    return run_processor(settings, bus, stop=stop, until_idle=stop is None, stages=stages or STAGES)


def index_until_idle(settings: Settings, bus: Bus, stop: threading.Event | None = None) -> Any:
    """The indexer until its input is drained, or (``stop`` given) supervised until stopped."""
    from indexer.worker import indexer_runner

    with indexer_runner(settings, bus) as runner:
        if stop is None:
            return run_to_idle(runner.stage.name, partial(runner.run, until_idle=True))
        supervise([Supervised(runner.stage.name, lambda halt: runner.run(stop=halt))], stop)
        return runner.stats


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (compose, systemd) and Ctrl-C stop the stages gracefully: each finishes its batch."""

    def handle(signum: int, frame: object) -> None:
        log.info("%s: stopping after the current batch", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def serve_web(settings: Settings, stop: threading.Event | None = None) -> None:
    """Serve the web app until Ctrl-C/SIGTERM, or until ``stop`` is set (even before it started)."""
    import uvicorn

    from webapp.app import create_app

    config = uvicorn.Config(
        create_app(settings), host=settings.web_host, port=settings.web_port, log_level="warning"
    )
    server = uvicorn.Server(config)
    if stop is not None:

        def exit_on_stop() -> None:
            stop.wait()
            server.should_exit = True

        threading.Thread(target=exit_on_stop, name="web-stop", daemon=True).start()
    print(f"jiancha: web app on http://{settings.web_host}:{settings.web_port}/", flush=True)
    server.run()


def cmd_up(settings: Settings, args: argparse.Namespace) -> int:
    bus = start_bus(settings)
    init_index(settings)
    with demo_site(settings, args.demo) as demo_base:
        if args.once:
            with worker_ops(settings, ["crawler", "entities", "topics", "indexer"]):
                crawl(settings, demo_base)
                processed = process_until_idle(settings, bus)
                indexed = index_until_idle(settings, bus)
            print(
                f"jiancha: crawled, processed {dict(processed.counts)}, indexed {dict(indexed.counts)}; "
                f"search with `jiancha search QUERY`"
            )
            return 0
        with ExitStack() as resources:
            stages = pipeline_stages(settings, bus, demo_base, resources)
            stop = threading.Event()
            stop_on_signals(stop)  # until the web app takes the signals over, and after it
            REGISTRY.path = stages_file(settings.data_dir)
            supervisor = threading.Thread(
                target=supervise,
                args=(stages, stop),
                kwargs={"restart": True, "backoff_max_s": settings.retry_backoff_max_s},
                name="supervisor",
            )
            supervisor.start()
            try:
                with worker_ops(settings, ["crawler", "entities", "topics", "indexer"]):
                    serve_web(settings, stop)
            finally:
                stop.set()
                supervisor.join()
    return 0


def pipeline_stages(
    settings: Settings, bus: Bus, demo_base: str | None, resources: ExitStack
) -> list[Supervised]:
    """Every stage of ``jiancha up``: the processors, the indexer, the crawl schedule and the alerts worker."""
    from indexer.worker import indexer_runner
    from processors.worker import processor_runners, resident, supervised

    runners = processor_runners(settings, bus)
    runners.append(resources.enter_context(indexer_runner(settings, bus)))
    resources.enter_context(resident())  # the loaded resources out of the collector's passes
    crawler = Supervised("crawler", lambda stop: crawl_forever(settings, demo_base, stop))
    alerts = Supervised("alerts", lambda stop: run_alerts(settings, stop))
    return [*(supervised(runner) for runner in runners), crawler, alerts]


def cmd_crawl(settings: Settings, args: argparse.Namespace) -> int:
    if args.output is not None:
        if args.forever:
            raise UsageError("--output writes one crawl to a file: it does not go with --forever")
        with demo_site(settings, args.demo) as demo_base:
            print(json.dumps(jsonable(crawl(settings, demo_base, args.output)), ensure_ascii=False))
        return 0
    start_bus(settings).close()
    with demo_site(settings, args.demo) as demo_base:
        if not args.forever:
            print(json.dumps(jsonable(crawl(settings, demo_base)), ensure_ascii=False))
            return 0
        stop = threading.Event()
        stop_on_signals(stop)
        try:
            with worker_ops(settings, ["crawler"]):
                supervise(
                    [Supervised("crawler", lambda halt: crawl_forever(settings, demo_base, halt))], stop
                )
        except StageDied as died:
            print(f"jiancha: {died}", file=sys.stderr)
            return EXIT_STAGE_DIED
    return 0


def cmd_process(settings: Settings, args: argparse.Namespace) -> int:
    from processors.chain import STAGES

    names = [args.stage] if args.stage else list(STAGES)
    if args.input or args.output or args.dead_letters:
        chosen = [s for s in processor_stages(settings.topic_prefix) if s.name in names]
        return run_on_files(settings, args, chosen, partial(process_until_idle, stages=names))
    with worker_ops(settings, names):
        return run_worker(settings, partial(process_until_idle, stages=names), args.once)


def cmd_index_worker(settings: Settings, args: argparse.Namespace) -> int:
    if args.input or args.dead_letters:
        return run_on_files(settings, args, [indexer_stage(settings.topic_prefix)], index_until_idle)
    with worker_ops(settings, ["indexer"]):
        return run_worker(settings, index_until_idle, args.once)


def run_on_files(
    settings: Settings, args: argparse.Namespace, stages: Sequence[Stage], target: Callable[..., Any]
) -> int:
    """Run ``stages`` with the same runner on a file bus until the input file is drained."""
    source, output, dead_letters = file_run_paths(args, needs_output=stages[-1].output_topic is not None)
    with tempfile.TemporaryDirectory(prefix="jiancha-files-") as workdir:
        bus = chain_files(stages, source, output, dead_letters, Path(workdir))
        try:
            stats = target(settings, bus)
        except StageDied as died:
            print(f"jiancha: {died}", file=sys.stderr)
            return EXIT_STAGE_DIED
    print(json.dumps(dict(stats.counts)))
    return 0


def run_worker(settings: Settings, target: Callable[..., Any], once: bool) -> int:
    """A worker process: its stages until drained (``--once``) or until SIGTERM; exits
    ``EXIT_STAGE_DIED`` when a stage dies (its orchestrator restarts it; offsets are committed only
    for finished batches, so nothing is lost)."""
    bus = start_bus(settings)
    try:
        if once:
            stats = target(settings, bus)
        else:
            stop = threading.Event()
            stop_on_signals(stop)
            stats = target(settings, bus, stop)
        print(json.dumps(dict(stats.counts)))
    except StageDied as died:
        print(f"jiancha: {died}", file=sys.stderr)
        return EXIT_STAGE_DIED
    finally:
        bus.close()
    return 0


def cmd_topics(settings: Settings, args: argparse.Namespace) -> int:
    start_bus(settings).close()
    print("jiancha: topics ready: " + ", ".join(all_topics(settings.topic_prefix)))
    return 0


def register(sub: SubParsers) -> None:
    up = sub.add_parser("up", help="run crawler, processors, indexer and the web app (embedded default)")
    up.add_argument("--demo", action="store_true", help="crawl the bundled demo news sites instead")
    up.add_argument("--once", action="store_true", help="crawl once, drain the pipeline, exit (no web app)")
    up.set_defaults(func=cmd_up)

    crawl_cmd = sub.add_parser("crawl", help="crawl the configured sites and publish articles.fetched")
    crawl_cmd.add_argument("--demo", action="store_true", help="crawl the bundled demo news sites")
    crawl_cmd.add_argument("--forever", action="store_true", help="keep crawling on the configured interval")
    add_file_options(crawl_cmd, reads=False)
    crawl_cmd.set_defaults(func=cmd_crawl)

    process = sub.add_parser("process", help="processor workers: articles.fetched → articles.enriched")
    process.add_argument(
        "--stage",
        choices=["entities", "topics"],
        help="run one processor stage (default: both, side by side)",
    )
    process.add_argument("--once", action="store_true", help="stop when the input is drained")
    add_file_options(process)
    process.set_defaults(func=cmd_process)

    worker = sub.add_parser("index-worker", help="indexer worker: articles.enriched → search index")
    worker.add_argument("--once", action="store_true", help="stop when the input is drained")
    add_file_options(worker, writes=False)
    worker.set_defaults(func=cmd_index_worker)

    topics = sub.add_parser("topics", help="create the pipeline's topics on the bus")
    topics.add_argument("action", choices=["create"])
    topics.set_defaults(func=cmd_topics)
