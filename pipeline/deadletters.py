"""The dead-letter record every stage writes (topic or file) and how to get the original payload back.

A record carries the stage, the error (truncated), the retry count, where the message came from and
the original payload, so ``original_payload`` can feed it back to the stage's input unchanged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pipeline.bus.base import Message
from pipeline.model import utcnow

# A Unicode error can quote a whole article; dead letters keep the payload separately anyway.
MAX_ERROR_CHARS = 500
_RECORD_KEYS = frozenset({"stage", "error", "payload", "payload_encoding"})


def dead_letter(stage: str, message: Message, reason: str, retries: int) -> bytes:
    """The dead-letter record: enough to understand the failure and replay the original payload."""
    try:
        payload: str = message.value.decode("utf-8")
        payload_encoding = "utf-8"
    except UnicodeDecodeError:
        payload = base64.b64encode(message.value).decode("ascii")
        payload_encoding = "base64"
    record = {
        "stage": stage,
        "error": reason[:MAX_ERROR_CHARS],
        "retries": retries,
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        "key": message.key,
        "failed_at": utcnow().isoformat(),
        "payload_encoding": payload_encoding,
        "payload": payload,
    }
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def parse_dead_letter(value: bytes) -> dict[str, Any] | None:
    """The record if ``value`` is a dead letter, else None (an article, or anything else)."""
    try:
        record = json.loads(value)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(record, dict) and _RECORD_KEYS <= record.keys() and isinstance(record["payload"], str):
        return record
    return None


def original_payload(value: bytes) -> bytes | None:
    """The payload a dead letter carries, byte for byte as the stage received it (None: not one)."""
    record = parse_dead_letter(value)
    if record is None:
        return None
    if record["payload_encoding"] == "base64":
        try:
            return base64.b64decode(record["payload"], validate=True)
        except binascii.Error:
            return None
    return str(record["payload"]).encode("utf-8")
