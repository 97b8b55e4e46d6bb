"""What every long-running worker runs beside its stages: the heartbeat and, when ``metrics_port``
is set, the ``/metrics`` ``/health`` ``/ready`` endpoint. One context manager, used by the commands."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from pipeline import metrics
from pipeline.bus import open_bus
from pipeline.bus.inspect import group_lag
from pipeline.ops.checks import readiness
from pipeline.ops.heartbeat import Heartbeat
from pipeline.ops.server import OpsServer
from pipeline.settings import Settings
from pipeline.topics import stage_named

log = logging.getLogger(__name__)


def lag_of(settings: Settings, stage_names: Sequence[str]) -> Callable[[], list[tuple[str, str, int, int]]]:
    """A function giving the lag of the stages' groups, for the ``jiancha_consumer_lag`` gauge."""
    stages = [stage_named(name, settings.topic_prefix) for name in stage_names]
    with_input = [s for s in stages if s.input_topic]

    def lag() -> list[tuple[str, str, int, int]]:
        bus = open_bus(settings)
        try:
            return [
                (stage.group, p.topic, p.partition, p.lag)
                for stage in with_input
                for p in group_lag(bus, stage.group, [stage.input_topic or ""])
            ]
        finally:
            bus.close()

    return lag


def supervised_states() -> dict[str, str]:
    """Each supervised stage of this process and its state (running, restarting, failed, stopped)."""
    from pipeline.supervise import snapshot

    return {name: entry["state"] for name, entry in snapshot()["stages"].items()}


def alive() -> tuple[bool, str]:
    """``/health``: failing once a stage of this process has died for good; restarting is alive."""
    states = supervised_states()
    failed = sorted(name for name, state in states.items() if state == "failed")
    if failed:
        return False, f"stage(s) died: {', '.join(failed)}"
    return True, ", ".join(f"{name} {state}" for name, state in sorted(states.items())) or "running"


def process_state() -> str:
    """What a heartbeat reports: the worst state among the process's supervised stages."""
    states = set(supervised_states().values())
    return next((s for s in ("failed", "restarting") if s in states), "running")


@contextmanager
def worker_ops(
    settings: Settings,
    stage_names: Sequence[str],
    alive: Callable[[], tuple[bool, str]] = alive,
) -> Iterator[OpsServer | None]:
    """Heartbeats for ``stage_names`` while the block runs, and the endpoint if configured.

    A port already taken is logged, not raised: the stages matter more than their metrics.
    """
    bus = open_bus(settings)
    heartbeat = Heartbeat(
        bus, settings.topic_prefix, stage_names, settings.heartbeat_interval_s, state=process_state
    ).start()
    server: OpsServer | None = None
    collector = None
    if settings.metrics_port:
        try:
            server = OpsServer(
                settings.metrics_host, settings.metrics_port, ready=lambda: readiness(settings), alive=alive
            ).start()
            collector = metrics.LagCollector(lag_of(settings, stage_names))
            metrics.REGISTRY.register(collector)
        except OSError as error:
            log.warning(
                "metrics endpoint not served on %s:%d: %s",
                settings.metrics_host,
                settings.metrics_port,
                error,
            )
    state = "stopped"
    try:
        yield server
    except BaseException:
        state = "failed"
        raise
    finally:
        if process_state() == "failed":  # a worker that caught StageDied and returns its exit code
            state = "failed"
        if collector is not None:
            metrics.REGISTRY.unregister(collector)
        if server is not None:
            server.close()
        heartbeat.close(state)
        bus.close()
