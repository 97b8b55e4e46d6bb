"""The fault tests' own Kafka and Elasticsearch, started with ``deploy/local/services`` on private ports
(never the shared ones: these get stopped and killed), and removed with their data afterwards."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import REPO_ROOT

SERVICES = REPO_ROOT / "deploy" / "local" / "services"
# The jars are resolved once into this folder (Maven caches them); instances live beside them.
SERVICES_DIR = Path(os.environ.get("JIANCHA_FAULTS_SERVICES_DIR", str(REPO_ROOT / ".services")))
# Ports of the fault tests (the services' defaults are 9092/9200; other tests use 19200).
KAFKA_PORT = int(os.environ.get("JIANCHA_FAULTS_KAFKA_PORT", "31092"))
ES_PORT = int(os.environ.get("JIANCHA_FAULTS_ES_PORT", "31200"))
# The cluster's first broker and node (brokers at +0/+2/+4, controllers one above; nodes at +0/+1).
CLUSTER_KAFKA_PORT = int(os.environ.get("JIANCHA_FAULTS_CLUSTER_KAFKA_PORT", "31400"))
CLUSTER_ES_PORT = int(os.environ.get("JIANCHA_FAULTS_CLUSTER_ES_PORT", "31500"))
# How long a start may wait for readiness (deploy/local/services' JIANCHA_LOCAL_START_TIMEOUT, 180 s
# there): five JVMs of a cluster starting on a loaded 2-core machine once took longer than 180 s.
START_TIMEOUT_S = float(os.environ.get("JIANCHA_LOCAL_START_TIMEOUT", "0")) or None


class ServicesFailed(RuntimeError):
    """deploy/local/services could not do what a fault test asked."""


@dataclass
class LocalServices:
    """One Kafka broker and one Elasticsearch node, or (``cluster``) 3 brokers and 2 nodes."""

    kafka_port: int = KAFKA_PORT
    es_port: int = ES_PORT
    cluster: bool = False
    log: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "JIANCHA_SERVICES_DIR": str(SERVICES_DIR),
            "JIANCHA_LOCAL_KAFKA_PORT": str(self.kafka_port),
            "JIANCHA_LOCAL_ES_PORT": str(self.es_port),
            "JIANCHA_LOCAL_ES_TRANSPORT_PORT": str(self.es_port + 100),
            "JIANCHA_LOCAL_KAFKA_HEAP": "384m",
            "JIANCHA_LOCAL_ES_HEAP": "384m",
            "JIANCHA_LOCAL_START_TIMEOUT": str(self.start_timeout_s),
        }
        if self.cluster:
            env["JIANCHA_LOCAL_CLUSTER"] = "1"
        return env

    @property
    def kafka_bootstrap(self) -> str:
        if self.cluster:
            return ",".join(f"127.0.0.1:{p}" for p in self.kafka_ports)
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def kafka_ports(self) -> list[int]:
        """Each broker's client port (controllers listen on port + 1)."""
        return [self.kafka_port + 2 * i for i in range(3 if self.cluster else 1)]

    @property
    def es_ports(self) -> list[int]:
        return [self.es_port + i for i in range(2 if self.cluster else 1)]

    @property
    def elasticsearch_url(self) -> str:
        return ",".join(f"http://127.0.0.1:{p}" for p in self.es_ports)

    @property
    def start_timeout_s(self) -> float:
        return START_TIMEOUT_S or (600.0 if self.cluster else 300.0)

    def run(self, action: str, *names: str) -> None:
        started = time.monotonic()
        # Kafka, then Elasticsearch, each waited for up to the start timeout (their members start together).
        limit = 2 * self.start_timeout_s + 120
        try:
            result = subprocess.run(
                [str(SERVICES), action, *names], env=self.env(), capture_output=True, text=True, timeout=limit
            )
        except subprocess.TimeoutExpired as error:
            raise ServicesFailed(
                f"services {action} {' '.join(names)}: no answer after {limit:.0f}s"
            ) from error
        self.log.append(
            f"{action} {' '.join(names)} ({time.monotonic() - started:.0f}s): {result.stdout.strip()}"
        )
        print(f"[faults] services {action} {' '.join(names)}: {time.monotonic() - started:.1f}s", flush=True)
        if result.returncode != 0:
            raise ServicesFailed(
                f"services {action} {' '.join(names)}: {result.stdout[-1500:]}{result.stderr[-1500:]}"
            )

    def start(self, *names: str) -> None:
        self.run("start", *names)

    def stop(self, *names: str) -> None:
        self.run("stop", *names)

    def pid_files(self, name: str) -> list[Path]:
        if name == "kafka":
            return [SERVICES_DIR / f"kafka-{p}" / "kafka.pid" for p in self.kafka_ports]
        return [SERVICES_DIR / f"elasticsearch-{p}" / "elasticsearch.pid" for p in self.es_ports]

    def kill9(self, name: str, member: int = 0) -> int:
        """SIGKILL one broker or node (``member``: which one in a cluster); returns its pid."""
        pid = int(self.pid_files(name)[member].read_text().strip())
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        self.log.append(f"kill -9 {name}[{member}] pid {pid}")
        return pid

    def remove(self) -> None:
        """Stop whatever still runs and delete the instances' folders (config, data, logs)."""
        try:
            self.stop()
        except ServicesFailed as error:
            self.log.append(str(error))
        for pid_file in [*self.pid_files("kafka"), *self.pid_files("elasticsearch")]:
            shutil.rmtree(pid_file.parent, ignore_errors=True)
