"""The worker endpoint: Prometheus metrics of real stage runs, /health, /ready, and `jiancha health`."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from indexer import open_index
from pipeline import metrics
from pipeline.bus import open_bus
from pipeline.cli import main
from pipeline.ops.worker_ops import worker_ops
from pipeline.runner import StageRunner
from pipeline.settings import REPO_ROOT, Settings
from pipeline.topics import all_topics, entities_stage
from tests.ops.conftest import article, until_drained


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (labels in any order)."""
    for line in text.splitlines():
        match = re.match(rf"^{name}\{{(.*)\}} (\S+)$", line)
        if match and all(f'{k}="{v}"' in match.group(1) for k, v in labels.items()):
            return float(match.group(2))
    raise AssertionError(f"no sample {name}{labels}")


def test_metrics_count_articles_time_steps_and_show_lag(deployment: Settings) -> None:
    settings = deployment.model_copy(update={"metrics_port": free_port()})
    stage = entities_stage(settings.topic_prefix)
    backend = open_index(settings)
    backend.init()
    backend.close()
    bus = open_bus(settings)
    try:
        bus.ensure_topics(all_topics(settings.topic_prefix))
        producer = bus.producer()
        assert stage.input_topic is not None
        for n in range(6):
            producer.send(stage.input_topic, article(n).article_id, article(n).to_json())
        producer.close()
        base = f"http://127.0.0.1:{settings.metrics_port}"
        with worker_ops(settings, ["entities"]):
            status, before = get(f"{base}/metrics")
            assert status == 200
            assert (
                sum(
                    float(line.rsplit(" ", 1)[1])
                    for line in before.splitlines()
                    if line.startswith("jiancha_consumer_lag{") and stage.group in line
                )
                == 6
            )

            def normalise(item):  # type: ignore[no-untyped-def]
                return item

            runner = StageRunner(stage, bus, [normalise], poll_timeout_s=settings.poll_timeout_s)
            until_drained(settings, stage, lambda: runner.run(until_idle=True))
            _, after = get(f"{base}/metrics")
            ready_status, ready = get(f"{base}/ready")
            health_status, _ = get(f"{base}/health")
    finally:
        bus.close()
    assert sample(after, "jiancha_articles_total", stage="entities", status="ok") >= 6
    assert sample(after, "jiancha_step_seconds_count", stage="entities", step="normalise") >= 6
    lag_after = [
        line
        for line in after.splitlines()
        if line.startswith("jiancha_consumer_lag{") and stage.group in line
    ]
    assert lag_after and all(line.endswith(" 0.0") for line in lag_after)
    assert (ready_status, health_status) == (200, 200)
    assert {check["name"] for check in json.loads(ready)["checks"]} >= {
        "bus" if settings.bus == "embedded" else "kafka"
    }


def test_ready_says_which_dependency_is_down_and_health_cli_exits_non_zero(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # An index on a port nothing listens on: alive, not ready.
    down = settings.model_copy(
        update={
            "metrics_port": free_port(),
            "index": "elasticsearch",
            "elasticsearch_url": f"http://127.0.0.1:{free_port()}",
        }
    )
    open_bus(down).close()
    with worker_ops(down, ["indexer"]):
        status, body = get(f"http://127.0.0.1:{down.metrics_port}/ready")
        assert status == 503
        checks = {check["name"]: check["ok"] for check in json.loads(body)["checks"]}
        assert checks == {"bus": True, "elasticsearch": False}
        monkeypatch.setenv("JIANCHA_METRICS_PORT", str(down.metrics_port))
        assert main(["health"]) == 0
        assert main(["health", "--ready"]) == 1
        assert "elasticsearch" in capsys.readouterr().out
    assert main(["health"]) == 1  # the worker is gone


def test_every_metric_is_listed_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    exposed = {
        family.name + ("_total" if family.type == "counter" else "") for family in metrics.REGISTRY.collect()
    } | {"jiancha_consumer_lag"}  # served while a worker runs (its collector needs the bus)
    assert exposed == set(metrics.METRIC_NAMES)
    assert [name for name in sorted(exposed) if f"`{name}`" not in readme] == []
