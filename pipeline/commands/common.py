"""What the ``jiancha`` commands share: the usage error, the bus they start, the demo site, JSON output."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
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
    """Apply the search index mapping, and create the reprint processor's story store with it."""
    from indexer import open_index
    from processors.reprints import open_story_store

    backend = open_index(settings)
    try:
        backend.init()
    finally:
        backend.close()
    open_story_store(settings).close()
