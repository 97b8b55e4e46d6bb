"""Logging for every ``jiancha`` process (the crawler's child too): text or JSON lines on stderr.

The format is the setting ``log_format``: ``text`` (``time LEVEL logger message``) or ``json``
(one object per line: ``time``, ``level``, ``logger``, ``message``, and ``error`` for an exception),
so a log collector needs no parsing rules. Article outcomes are one INFO line per article per
stage (``status: url``), from the stage's logger ``jiancha.<stage>``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from pipeline.settings import Settings

# Their INFO lines are connection chatter, not article outcomes.
NOISY_LOGGERS = ("kafka", "elastic_transport", "scrapy", "uvicorn.access", "jieba")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (a traceback goes into ``error``, escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(settings: Settings) -> logging.Formatter:
    return JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(settings))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
