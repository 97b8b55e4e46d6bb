"""The Elasticsearch client of operations tools, built from the settings (URL, and credentials when set)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from pipeline.settings import Settings


def elasticsearch_client(settings: Settings, timeout_s: float | None = None) -> Elasticsearch:
    options: dict[str, Any] = {
        "request_timeout": timeout_s or settings.connect_timeout_s,
        "max_retries": 0,
        "retry_on_timeout": False,
    }
    return Elasticsearch(settings.elasticsearch_hosts(), **options, **settings.elasticsearch_client_options())
