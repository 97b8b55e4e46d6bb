"""Steps the fault tests share: start the processors and the indexer as processes, wait for progress,
wait until everything is indexed (with the workers' logs in the failure message)."""

from __future__ import annotations

from pipeline.settings import Settings
from tests.faults.checks import count_indexed, wait_for
from tests.faults.workers import Fleet

PIPELINE = ("entities", "topics", "indexer")


def start_pipeline(fleet: Fleet) -> None:
    for name in PIPELINE:
        fleet.add(name)


def progressed(settings: Settings, at_least: int, timeout_s: float = 600) -> None:
    """Wait until at least ``at_least`` articles are searchable: the fault then hits mid-stream."""
    wait_for(
        lambda: count_indexed(settings) >= at_least, timeout_s, f"{at_least} indexed articles", every_s=0.5
    )


def drained(settings: Settings, expected: int, fleet: Fleet, timeout_s: float = 1200) -> float:
    """Seconds until ``expected`` articles are indexed; on timeout the workers' logs explain."""
    try:
        return wait_for(
            lambda: count_indexed(settings) >= expected, timeout_s, f"{expected} indexed articles"
        )
    except AssertionError as error:
        try:
            now = count_indexed(settings)
        except Exception as unreachable:  # the report still names the workers' state
            now = -1
            print(f"index unreachable: {unreachable}")
        raise AssertionError(f"{error}; indexed {now}\n{fleet.tails()}") from None
