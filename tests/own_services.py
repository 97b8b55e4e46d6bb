"""A test's own Elasticsearch on free ports, so a test may stop it without disturbing any other, and
two test runs on one machine (two checkouts, or CI beside a developer) never meet on a fixed port.

The ports are drawn from the ones the system hands out (bind to port 0), skipping the ranges the
services of this machine are assigned (the defaults 9000–9999, the fault tests' and the developers'
instances 31000–36999). The instance's folder under the services folder is removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from pipeline.settings import REPO_ROOT

SERVICES = REPO_ROOT / "deploy" / "local" / "services"
RESERVED = (range(9000, 10000), range(31000, 37000))


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free now; the sockets are held until all are drawn."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            sock = socket.socket()
            held.append(sock)
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            if not any(port in r for r in RESERVED):
                ports.append(port)
    finally:
        for sock in held:
            sock.close()
    return ports


class OwnElasticsearch:
    """``deploy/local/services`` for one Elasticsearch on ports of its own."""

    def __init__(self) -> None:
        self.port, self.transport_port = free_ports(2)
        self.env = {
            **os.environ,
            "JIANCHA_LOCAL_ES_PORT": str(self.port),
            "JIANCHA_LOCAL_ES_TRANSPORT_PORT": str(self.transport_port),
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, action: str) -> None:
        """``start`` or ``stop``; a failure skips the test on a developer machine and fails it in CI."""
        result = subprocess.run(
            [str(SERVICES), action, "elasticsearch"], env=self.env, capture_output=True, text=True
        )
        if result.returncode != 0:
            message = (
                f"cannot {action} Elasticsearch on {self.port}: {result.stdout[-800:]}{result.stderr[-800:]}"
            )
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)

    def remove(self) -> None:
        """Stop it and delete its folder (config, data, logs): every run draws new ports."""
        self.run("stop")
        services_dir = Path(os.environ.get("JIANCHA_SERVICES_DIR", str(REPO_ROOT / ".services")))
        shutil.rmtree(services_dir / f"elasticsearch-{self.port}", ignore_errors=True)
