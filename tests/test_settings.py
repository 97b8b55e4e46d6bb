"""Settings: every one documented, env overrides, a clear message for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

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
