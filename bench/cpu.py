"""CPU accounting for the benchmarks that run real workers: CPU seconds of each process over a
phase, the workers' and the local services' (Kafka, Elasticsearch started by deploy/local/services),
so that a figure measured on a shared machine says whether the run was bound by its cores."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from bench.replicas_speed import cpu_seconds
from pipeline.settings import REPO_ROOT, Settings


def service_pids(settings: Settings) -> dict[str, int]:
    """The pids of the local Kafka and Elasticsearch of ``settings`` (their pid files under
    JIANCHA_SERVICES_DIR, as deploy/local/services writes them); those not found are left out."""
    folder = Path(os.environ.get("JIANCHA_SERVICES_DIR", str(REPO_ROOT / ".services")))
    kafka_port = settings.kafka_bootstrap.split(",")[0].rsplit(":", 1)[-1]
    es_port = urlparse(settings.elasticsearch_url.split(",")[0]).port or 9200
    files = {
        "kafka": folder / f"kafka-{kafka_port}" / "kafka.pid",
        "elasticsearch": folder / f"elasticsearch-{es_port}" / "elasticsearch.pid",
    }
    pids = {}
    for name, path in files.items():
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{pid}").exists():
            pids[name] = pid
    return pids


class CpuMeter:
    """CPU seconds each named process used between ``start()`` and ``stop()``."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.before: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        self.used = {name: cpu_seconds(pid) - self.before.get(name, 0.0) for name, pid in self.pids.items()}
        return self.used

    def line(self, articles: int, seconds: float) -> str:
        """``name 12 ms`` of CPU per article for each process, and the cores all of them kept busy."""
        parts = [f"{name} {1000 * used / max(1, articles):.0f} ms" for name, used in self.used.items()]
        total = sum(self.used.values())
        return (f"CPU a article: {', '.join(parts)}; total {1000 * total / max(1, articles):.0f} ms, "
                f"{total / max(seconds, 1e-9):.2f} of {os.cpu_count()} cores busy")  # fmt: skip
