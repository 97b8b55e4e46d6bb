"""Settings: every one documented, env overrides, a clear message for a bad value."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from pipeline.settings import REPO_ROOT, Settings


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`JIANCHA_{name.upper()}`" not in readme]
    assert missing == []


def test_environment_overrides_the_yaml_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANCHA_BUS", "kafka")
    monkeypatch.setenv("JIANCHA_DATA_DIR", "/tmp/jiancha-test")
    settings = Settings()
    assert settings.bus == "kafka"
    assert settings.data_dir == Path("/tmp/jiancha-test")
    assert settings.index == "sqlite"  # untouched default


def test_a_bad_value_is_refused_with_the_setting_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIANCHA_BUS", "rabbitmq")
    with pytest.raises(ValidationError, match="bus"):
        Settings()


def test_yaml_defaults_match_the_field_defaults() -> None:
    """config/settings.yaml is where defaults are read; it must not drift from the documented ones."""
    import yaml

    from pipeline.settings import DEFAULTS_FILE

    values = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    assert set(values) == set(Settings.model_fields)
    drifted = {
        name: (value, Settings.model_fields[name].default)
        for name, value in values.items()
        if _as_field_value(name, value) != Settings.model_fields[name].default
    }
    assert drifted == {}


def test_the_readme_table_shows_each_settings_default() -> None:
    """The Settings table: one row per setting, its default as the settings object has it."""
    rows = readme_settings_table()
    assert sorted(rows) == sorted(Settings.model_fields), "rows missing from or stale in the README table"
    wrong = {
        name: (cell, Settings.model_fields[name].default)
        for name, cell in rows.items()
        if _as_field_value(name, cell) != Settings.model_fields[name].default
    }
    assert wrong == {}


def test_a_default_changed_in_one_place_only_is_caught() -> None:
    # The check above compares values, not names: a drifted value fails it.
    assert _as_field_value("batch_size", "100") == Settings.model_fields["batch_size"].default
    assert _as_field_value("batch_size", "200") != Settings.model_fields["batch_size"].default
    assert _as_field_value("topic_prefix", '""') == ""


def readme_settings_table() -> dict[str, str]:
    """``{setting: default cell}`` from the README's table rows ``| `JIANCHA_X` | `default` | … |``."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for match in re.finditer(
        r"^\| `JIANCHA_([A-Z0-9_]+)` \| (`[^`]*`|unset) \|", section, flags=re.MULTILINE
    ):
        rows[match.group(1).lower()] = match.group(2).strip("`")
    return rows


def _as_field_value(name: str, raw: object) -> object:
    """A README cell or YAML value read as the setting's type (``""`` is the empty string)."""
    if raw == '""':
        raw = ""
    elif raw == "unset":
        raw = None
    return TypeAdapter(Settings.model_fields[name].annotation).validate_python(raw)


def test_an_elasticsearch_cluster_is_given_as_its_nodes_comma_separated() -> None:
    settings = Settings(elasticsearch_url="http://127.0.0.1:9200, http://127.0.0.1:9201,")
    assert settings.elasticsearch_hosts() == ["http://127.0.0.1:9200", "http://127.0.0.1:9201"]
    assert Settings(elasticsearch_url="http://es:9200").elasticsearch_hosts() == ["http://es:9200"]
