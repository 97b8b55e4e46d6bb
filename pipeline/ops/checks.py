"""Whether the services a deployment depends on answer: used by ``/ready``, status and the admin page."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.settings import Settings

log = logging.getLogger(__name__)
# A readiness probe must answer before the orchestrator's own timeout (compose: 5 s).
PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0


def timed(name: str, probe: Callable[[], str]) -> Check:
    """Run ``probe`` (returns a detail, raises when the service does not answer) as one check."""
    started = time.monotonic()
    try:
        detail = probe()
        return Check(name, True, detail, time.monotonic() - started)
    except Exception as error:  # any failure of a probe is a "no", never a crash of the endpoint
        log.debug("check %s failed: %s", name, error)
        return Check(name, False, f"{type(error).__name__}: {error}"[:300], time.monotonic() - started)


def check_bus(settings: Settings) -> Check:
    def probe() -> str:
        if settings.bus == "kafka":
            from kafka import KafkaAdminClient

            admin = KafkaAdminClient(
                bootstrap_servers=settings.kafka_bootstrap.split(","),
                bootstrap_timeout_ms=int(PROBE_TIMEOUT_S * 1000),
                request_timeout_ms=int(PROBE_TIMEOUT_S * 1000),
                client_id="jiancha-check",
            )
            try:
                brokers = len(admin.describe_cluster().get("brokers", []))
            finally:
                admin.close()
            return f"{brokers} broker(s) at {settings.kafka_bootstrap}"
        import sqlite3

        path = settings.data_dir / "bus.sqlite3"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=PROBE_TIMEOUT_S)
        try:
            conn.execute("SELECT 1 FROM topics LIMIT 1").fetchall()
        finally:
            conn.close()
        return f"embedded log {path}"

    return timed("kafka" if settings.bus == "kafka" else "bus", probe)


def check_index(settings: Settings) -> Check:
    def probe() -> str:
        if settings.index == "elasticsearch":
            from pipeline.elastic import client_from_settings

            client = client_from_settings(settings, timeout_s=PROBE_TIMEOUT_S)
            try:
                health = client.cluster.health(timeout=f"{int(PROBE_TIMEOUT_S)}s")
            finally:
                client.close()
            status = str(health.get("status"))
            if status == "red":
                raise RuntimeError("cluster health is red")
            return f"cluster {health.get('cluster_name')} {status}"
        path = settings.data_dir / f"{settings.index_name}.sqlite3"
        if not path.exists():
            raise FileNotFoundError(f"{path} (run `jiancha index init`)")
        return f"SQLite index {path}"

    return timed("elasticsearch" if settings.index == "elasticsearch" else "index", probe)


def readiness(settings: Settings) -> list[Check]:
    return [check_bus(settings), check_index(settings)]
