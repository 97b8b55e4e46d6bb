"""What every push channel is: ``send(items)`` delivers one message made of the items or raises
ChannelError (retried with backoff by alerts/delivery.py) or RateLimited (waits, not a failure).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from alerts.items import AlertItem
from alerts.model import ChannelSpec
from pipeline.settings import Settings

log = logging.getLogger(__name__)
HTTP_TIMEOUT_S = 10.0


class ChannelError(RuntimeError):
    """The channel did not take the message (unreachable, refused, an error code)."""


class RateLimited(ChannelError):
    """The receiver asks us to slow down; try again after ``retry_after_s``."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Channel(ABC):
    kind: str
    # Messages per minute the receiver accepts (None: no documented limit); delivery spaces them.
    per_minute: int | None = None

    def __init__(self, spec: ChannelSpec) -> None:
        self.spec = spec

    @abstractmethod
    def send(self, items: Sequence[AlertItem]) -> None: ...


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST a JSON body; returns (status, parsed JSON answer or None). Raises ChannelError when the
    receiver cannot be reached or answers an HTTP error (429 as RateLimited)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        if error.code == 429:
            retry = error.headers.get("Retry-After", "60")
            raise RateLimited(
                f"HTTP 429 from {url.split('?')[0]}", float(retry) if retry.isdigit() else 60.0
            ) from None
        raise ChannelError(f"HTTP {error.code} from {url.split('?')[0]}") from None
    except (urllib.error.URLError, OSError) as error:  # refused, DNS, timeout
        raise ChannelError(f"cannot reach {url.split('?')[0]}: {error}") from None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def open_channel(spec: ChannelSpec, settings: Settings) -> Channel:
    from alerts.channels.email import EmailChannel
    from alerts.channels.robots import DingTalkChannel, FeishuChannel, WebhookChannel, WeComChannel

    kinds: dict[str, type[Channel]] = {
        "webhook": WebhookChannel,
        "wecom": WeComChannel,
        "dingtalk": DingTalkChannel,
        "feishu": FeishuChannel,
    }
    if spec.kind == "email":
        return EmailChannel(spec, settings)
    return kinds[spec.kind](spec)
