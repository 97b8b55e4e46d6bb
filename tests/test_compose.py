"""The operators' docker-compose.yml: valid for Compose, and wired the way the pipeline needs it.

Validation runs Compose itself (``docker-compose config -q`` works offline, without a daemon;
``deploy/install-system-packages`` installs it). Without a validator the test is skipped on a
developer machine and fails under CI=true. The structural checks need only PyYAML. Just over 300 lines: one short test per check of the wiring, and the
file reads as the checklist an operator would go through.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
LOCAL_POM = REPO_ROOT / "deploy" / "local" / "pom.xml"

PROJECT_SERVICES = ("init", "crawler", "entities", "topics", "indexer", "web")
WORKERS = ("crawler", "entities", "topics", "indexer", "web")


def _validator() -> list[str] | None:
    """The Compose command that validates a file without a Docker daemon, if one is installed."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # PyYAML resolves the anchors and `<<` merges, so each service reads as Compose sees it.
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def _local_version(name: str) -> str:
    """A version property of deploy/local/pom.xml: what development and the integration tests run."""
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    value = ET.parse(LOCAL_POM).getroot().findtext(f"m:properties/m:{name}", namespaces=namespace)
    assert value, f"{LOCAL_POM} has no property {name}"
    return value.strip()


def _image_version(service: dict[str, Any]) -> str:
    image = service["image"]
    assert ":" in image.rsplit("/", 1)[-1], f"{image} has no pinned tag"
    return image.rsplit(":", 1)[1]


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _published_container_ports(service: dict[str, Any]) -> set[int]:
    """Container ports published on the host, from the short ("8000:8000") or the long syntax."""
    ports = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def test_compose_accepts_the_file() -> None:
    command = _validator()
    if command is None:
        message = "no Compose validator (docker-compose); install it with deploy/install-system-packages"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Every profile active, so the optional services are validated too.
    result = _config(command, ENV_EXAMPLE)
    assert result.returncode == 0, result.stderr


def _config(command: list[str], env_file: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("ELASTIC_PASSWORD", "KIBANA_PASSWORD")}
    return subprocess.run(
        [
            *command,
            "--env-file",
            str(env_file),
            "--file",
            str(COMPOSE_FILE),
            "--profile",
            "kibana",
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env=environment,
        check=False,
    )


def test_compose_refuses_to_start_without_the_passwords(tmp_path: Path) -> None:
    command = _validator()
    if command is None:
        pytest.skip("no Compose validator (docker-compose)")
    empty = tmp_path / "empty.env"
    empty.write_text("", encoding="utf-8")
    result = _config(command, empty)
    assert result.returncode != 0
    assert "set ELASTIC_PASSWORD in .env" in result.stderr or "set KIBANA_PASSWORD in .env" in result.stderr


def test_env_example_names_every_required_variable() -> None:
    required = set(re.findall(r"\$\{([A-Z_]+):\?", COMPOSE_FILE.read_text(encoding="utf-8")))
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert required == {"ELASTIC_PASSWORD", "KIBANA_PASSWORD"} == set(example)
    gitignore = (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in gitignore  # the real passwords are never committed


def test_there_is_a_service_per_stage(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) >= {"kafka", "elasticsearch", "kibana", *PROJECT_SERVICES}


def test_every_project_service_runs_the_same_image(services: dict[str, dict[str, Any]]) -> None:
    builds = {name: services[name].get("build") for name in PROJECT_SERVICES}
    images = {name: services[name].get("image") for name in PROJECT_SERVICES}
    assert len({repr(build) for build in builds.values()}) == 1, builds
    assert len(set(images.values())) == 1, images
    build = builds["web"]
    assert isinstance(build, dict)
    assert (COMPOSE_FILE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_project_services_point_at_the_stack(services: dict[str, dict[str, Any]]) -> None:
    for name in PROJECT_SERVICES:
        environment = services[name]["environment"]
        assert environment["JIANCHA_BUS"] == "kafka", name
        assert environment["JIANCHA_INDEX"] == "elasticsearch", name
        assert environment["JIANCHA_KAFKA_BOOTSTRAP"] == "kafka:9092", name
        assert environment["JIANCHA_ELASTICSEARCH_URL"] == "https://elasticsearch:9200", name
        assert environment["JIANCHA_ELASTICSEARCH_USERNAME"] == "elastic", name
        assert environment["JIANCHA_ELASTICSEARCH_PASSWORD"].startswith("${ELASTIC_PASSWORD:?"), name
        # The CA file the client checks is on the certs volume, mounted into the service.
        assert environment["JIANCHA_ELASTICSEARCH_CA_CERTS"].startswith("/certs/"), name
        assert "certs:/certs:ro" in services[name]["volumes"], name
    # The bootstrap address is the one the broker advertises to the other containers.
    advertised = services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert any(listener.endswith("://kafka:9092") for listener in advertised), advertised


def test_environment_is_valid_settings(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A misspelt JIANCHA_ variable would be ignored silently at run time; here it fails.
    environment = services["web"]["environment"]
    for key, value in environment.items():
        assert key.startswith("JIANCHA_"), key
        assert key.removeprefix("JIANCHA_").lower() in Settings.model_fields, f"{key} is not a setting"
        monkeypatch.setenv(key, str(value))
    settings = Settings()
    assert (settings.bus, settings.index, settings.web_host) == ("kafka", "elasticsearch", "0.0.0.0")


def test_every_service_passes_only_known_settings(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each project service's JIANCHA_ variables are settings, and their values validate."""
    for name in PROJECT_SERVICES:
        with monkeypatch.context() as env:
            for key, value in services[name]["environment"].items():
                if not key.startswith("JIANCHA_"):
                    continue
                assert key.removeprefix("JIANCHA_").lower() in Settings.model_fields, f"{name}: {key}"
                # ${VAR:?…} interpolations are filled by Compose from .env; any string validates here.
                env.setenv(key, "x" if "${" in str(value) else str(value))
            Settings()


def test_engines_have_the_major_versions_run_locally(services: dict[str, dict[str, Any]]) -> None:
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["elasticsearch"]["image"].startswith("docker.elastic.co/elasticsearch/elasticsearch:")
    kafka, elasticsearch = _image_version(services["kafka"]), _image_version(services["elasticsearch"])
    assert _major(kafka) == _major(_local_version("kafka.version")), kafka
    assert _major(elasticsearch) == _major(_local_version("elasticsearch.version")), elasticsearch
    # Kibana refuses an Elasticsearch of another version.
    assert _image_version(services["kibana"]) == elasticsearch


def test_kafka_runs_kraft_single_node(services: dict[str, dict[str, Any]]) -> None:
    kafka = services["kafka"]
    environment = kafka["environment"]
    assert set(environment["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert environment["CLUSTER_ID"], "the apache/kafka image refuses KRaft without CLUSTER_ID"
    assert str(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"]).startswith(f"{environment['KAFKA_NODE_ID']}@")
    assert int(environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]) == 1
    # The log must live on the named volume, or a restart loses every article in flight.
    assert f"kafka-data:{environment['KAFKA_LOG_DIRS']}" in kafka["volumes"]


def test_kibana_is_optional(services: dict[str, dict[str, Any]]) -> None:
    assert services["kibana"].get("profiles"), "kibana should start only with its profile"


def test_elasticsearch_security_is_on_and_kibana_has_its_own_user(
    services: dict[str, dict[str, Any]],
) -> None:
    environment = services["elasticsearch"]["environment"]
    assert environment["xpack.security.enabled"] == "true"
    assert environment["xpack.security.http.ssl.enabled"] == "true"
    assert environment["ELASTIC_PASSWORD"].startswith("${ELASTIC_PASSWORD:?")
    # The certificates exist before the node starts.
    assert services["elasticsearch"]["depends_on"]["certs"]["condition"] == "service_completed_successfully"
    kibana = services["kibana"]["environment"]
    assert kibana["ELASTICSEARCH_USERNAME"] == "kibana_system"
    assert kibana["ELASTICSEARCH_PASSWORD"].startswith("${KIBANA_PASSWORD:?")
    assert kibana["ELASTICSEARCH_HOSTS"].startswith("https://")
    users = services["elasticsearch-users"]
    assert "kibana_system/_password" in " ".join(users["command"])
    assert (
        services["kibana"]["depends_on"]["elasticsearch-users"]["condition"]
        == "service_completed_successfully"
    )


def test_every_worker_has_a_healthcheck_on_its_endpoint(services: dict[str, dict[str, Any]]) -> None:
    for name in WORKERS:
        test = services[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "jiancha", "health"], name
    environment = services["entities"]["environment"]
    assert int(environment["JIANCHA_METRICS_PORT"]) > 0 and environment["JIANCHA_METRICS_HOST"] == "0.0.0.0"
    assert services["web"]["healthcheck"]["test"][-1].endswith(":8000/health")


def test_snapshots_have_their_own_volume(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    repo = services["elasticsearch"]["environment"]["path.repo"]
    assert f"elasticsearch-snapshots:{repo}" in services["elasticsearch"]["volumes"]
    assert "elasticsearch-snapshots" in compose["volumes"]


@pytest.mark.parametrize("stage", ["entities", "topics"])
def test_processors_can_be_scaled(services: dict[str, dict[str, Any]], stage: str) -> None:
    processor = services[stage]
    assert processor["command"] == ["jiancha", "process", "--stage", stage]
    assert "container_name" not in processor
    assert "ports" not in processor
    assert processor["deploy"]["replicas"] >= 2
    # Every replica consumes at most one partition: the broker's default must leave room.
    assert int(services["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"]) >= processor["deploy"]["replicas"]


def test_web_port_is_published(services: dict[str, dict[str, Any]]) -> None:
    web_port = Settings.model_fields["web_port"].default
    assert web_port in _published_container_ports(services["web"])


def test_workers_start_after_init_and_restart(services: dict[str, dict[str, Any]]) -> None:
    for name in WORKERS:
        depends_on = services[name]["depends_on"]
        assert depends_on["init"]["condition"] == "service_completed_successfully", name
        assert services[name]["restart"] == "unless-stopped", name
    assert services["init"]["restart"] == "no"


def test_dependencies_wait_for_health(services: dict[str, dict[str, Any]]) -> None:
    for engine in ("kafka", "elasticsearch"):
        assert services[engine]["healthcheck"]["test"], engine
        assert services["init"]["depends_on"][engine]["condition"] == "service_healthy", engine
    assert "_cluster/health" in " ".join(services["elasticsearch"]["healthcheck"]["test"])


def test_state_lives_on_named_volumes(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    volumes = set(compose["volumes"])
    mounted = {
        entry.split(":", 1)[0]
        for name in ("kafka", "elasticsearch", "crawler")
        for entry in services[name]["volumes"]
    }
    assert {"kafka-data", "elasticsearch-data", "crawler-state"} <= mounted <= volumes
