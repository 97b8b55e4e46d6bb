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
# A dead letter must itself fit on the bus (Kafka's default message limit is 1 MB, and a letter
# that cannot be sent would stop the stage). A payload larger than this is kept cut, with its size
# and ``payload_truncated``; the whole message stays in the input topic at topic/partition/offset.
MAX_PAYLOAD_BYTES = 400 * 1024  # the record stays under 800 kB
_RECORD_KEYS = frozenset({"stage", "error", "payload", "payload_encoding"})


def dead_letter(
    stage: str, message: Message, reason: str, retries: int, max_payload_bytes: int = MAX_PAYLOAD_BYTES
) -> bytes:
    """The dead-letter record: enough to understand the failure and replay the original payload
    (or, for a payload over ``max_payload_bytes``, to see what it was and where the whole one is).
    The encoded record stays under twice ``max_payload_bytes`` whatever the payload holds."""
    limit = max_payload_bytes
    while True:
        encoded = _record(stage, message, reason, retries, limit)
        # JSON escapes (\" or \u0000) can make a payload's text several times its bytes.
        if len(encoded) <= 2 * max_payload_bytes or limit < 1024:
            return encoded
        limit //= 2


def _record(stage: str, message: Message, reason: str, retries: int, limit: int) -> bytes:
    value, truncated = message.value, len(message.value) > limit
    if truncated:
        value = value[:limit]
    try:
        # A cut may split a UTF-8 character: drop the partial one rather than switch to base64.
        payload: str = value.decode("utf-8", errors="ignore" if truncated else "strict")
        payload_encoding = "utf-8"
    except UnicodeDecodeError:
        payload = base64.b64encode(value).decode("ascii")
        payload_encoding = "base64"
    record: dict[str, Any] = {
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
    if truncated:
        record["payload_truncated"] = True
        record["payload_bytes"] = len(message.value)
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
    """The payload a dead letter carries, byte for byte as the stage received it (None: not one,
    or its payload was cut)."""
    record = parse_dead_letter(value)
    if record is None or record.get("payload_truncated"):
        return None
    if record["payload_encoding"] == "base64":
        try:
            return base64.b64decode(record["payload"], validate=True)
        except binascii.Error:
            return None
    return str(record["payload"]).encode("utf-8")
