"""What the ``jiancha`` commands share: the usage error, the bus they start, the demo site, JSON output."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from pipeline.bus import Bus, open_bus
from pipeline.settings import Settings
from pipeline.topics import all_topics

log = logging.getLogger("jiancha.cli")

Command = Callable[[Settings, argparse.Namespace], int]


class UsageError(Exception):
    """A command was called in a way that cannot work; the message says how to call it (exit 2)."""


class SubParsers(Protocol):
    """What ``register`` functions get: ``argparse``'s subparsers action."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser: ...


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return json.loads(json.dumps(asdict(value), default=str, ensure_ascii=False))
    return value


def start_bus(settings: Settings) -> Bus:
    bus = open_bus(settings)
    bus.ensure_topics(all_topics(settings.topic_prefix))
    return bus


@contextmanager
def demo_site(settings: Settings, enabled: bool) -> Iterator[str | None]:
    """Serve the bundled demo news sites while the block runs; yields their base URL."""
    if not enabled:
        yield None
        return
    from crawler.demo.server import DemoServer

    with DemoServer(host=settings.demo_host, port=settings.demo_port) as demo:
        log.info("demo news sites at %s", demo.base_url)
        yield demo.base_url


def init_index(settings: Settings) -> None:
    """Apply the search index mapping, and create the reprint processor's story store with it: the
    only place where schemas and mappings are made (``jiancha index init``, and ``jiancha up`` at start)."""
    from indexer import open_index
    from processors.reprints import open_story_store

    backend = open_index(settings)
    try:
        backend.init()
    finally:
        backend.close()
    store = open_story_store(settings)
    try:
        store.init()
    finally:
        store.close()


def add_file_options(parser: argparse.ArgumentParser, reads: bool = True, writes: bool = True) -> None:
    """``--input``/``--output``/``--dead-letters``: run the stage on JSON-lines files instead of the bus."""
    if reads:
        parser.add_argument(
            "--input", type=Path, help="JSON-lines file to read instead of the bus (dead letters too)"
        )
        parser.add_argument(
            "--dead-letters",
            type=Path,
            help="JSON-lines file for the dead letters of a file run (default: the output's or input's "
            "name + .dlq)",
        )
    if writes:
        parser.add_argument("--output", type=Path, help="JSON-lines file to write instead of the bus")


def file_run_paths(args: argparse.Namespace, needs_output: bool) -> tuple[Path, Path | None, Path]:
    """The input, output and dead-letter files of a file run, checked: none of them may be another."""
    if args.input is None:
        raise UsageError("--output and --dead-letters need --input")
    if not args.input.is_file():
        raise UsageError(f"--input {args.input}: no such file")
    output: Path | None = getattr(args, "output", None)
    if needs_output and output is None:
        raise UsageError("--input and --output go together")
    base = output or args.input
    dead_letters: Path = args.dead_letters or base.with_name(base.name + ".dlq")
    paths = [p.resolve() for p in (args.input, output, dead_letters) if p is not None]
    if len(set(paths)) != len(paths):
        raise UsageError("--input, --output and --dead-letters must be three different files")
    return args.input, output, dead_letters
