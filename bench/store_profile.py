"""Where a story store's time goes: the calls of each ``StoryStore`` method (and, on Elasticsearch,
of each client request with the engine's own ``took``), counted and timed while a block runs.

Used by ``bench.reprints_speed --profile``; it wraps the store classes' methods and the client's
request methods for the duration of the block only, so nothing outside a benchmark is touched.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

STORE_METHODS = ("put_many", "get_many", "candidates", "candidates_many", "boilerplate", "merge", "members")
CLIENT_METHODS = ("bulk", "mget", "search", "msearch", "get")


@dataclass
class Calls:
    count: int = 0
    seconds: float = 0.0
    took_ms: float = 0.0  # the engine's own time (Elasticsearch answers only)


@dataclass
class Profile:
    calls: dict[str, Calls] = field(default_factory=lambda: defaultdict(Calls))

    def lines(self, batches: int) -> list[str]:
        out = [f"{'call':28} {'calls/batch':>11} {'ms/batch':>9} {'took ms/batch':>13}"]
        for name, c in sorted(self.calls.items(), key=lambda kv: -kv[1].seconds):
            took = f"{c.took_ms / batches:13.1f}" if c.took_ms else f"{'':>13}"
            out.append(f"{name:28} {c.count / batches:11.2f} {1000 * c.seconds / batches:9.1f} {took}")
        return out


def _timed(profile: Profile, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            answer = method(*args, **kwargs)
        finally:
            entry = profile.calls[name]
            entry.count += 1
            entry.seconds += time.perf_counter() - start
        took = getattr(answer, "body", None)
        if isinstance(took, dict):
            entry.took_ms += float(took.get("took", 0) or 0)
        return answer

    return wrapper


@contextmanager
def profiled() -> Iterator[Profile]:
    """Every store method and Elasticsearch request timed while the block runs."""
    from elasticsearch import Elasticsearch
    from elasticsearch.client import IndicesClient

    from processors.reprints.elastic_store import ElasticStoryStore
    from processors.reprints.sqlite_store import SqliteStoryStore

    profile = Profile()
    patched: list[tuple[type, str, Any]] = []
    stores: tuple[type, ...] = (ElasticStoryStore, SqliteStoryStore)
    targets: list[tuple[type, str, str]] = [(cls, m, f"{cls.__name__}.{m}") for cls in stores
               for m in STORE_METHODS]  # fmt: skip
    targets += [(Elasticsearch, m, f"es.{m}") for m in CLIENT_METHODS]
    targets.append((IndicesClient, "refresh", "es.indices.refresh"))
    for cls, method, label in targets:
        original = cls.__dict__.get(method)
        if original is None:
            continue
        patched.append((cls, method, original))
        setattr(cls, method, _timed(profile, label, original))
    try:
        yield profile
    finally:
        for cls, method, original in patched:
            setattr(cls, method, original)
