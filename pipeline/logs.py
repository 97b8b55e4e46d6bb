"""Logging for every ``jiancha`` process: one format (text or JSON lines, setting ``log_format``) on stderr."""

from __future__ import annotations

import logging
import sys

from pipeline.settings import Settings

# Their INFO lines are connection chatter, not article outcomes.
NOISY_LOGGERS = ("kafka", "elastic_transport", "scrapy", "uvicorn.access", "jieba")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format=TEXT_FORMAT, stream=sys.stderr)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
