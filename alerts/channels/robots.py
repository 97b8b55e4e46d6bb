"""The HTTP channels: a generic JSON webhook and the WeCom (企业微信), DingTalk (钉钉) and Feishu
(飞书) group robots, each in its documented format and with its own error codes: a robot answers
HTTP 200 with an error code in the body, so the body decides whether the message was taken.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

from alerts.channels.base import Channel, ChannelError, RateLimited, post_json
from alerts.items import AlertItem

WECOM_RATE_LIMITED = 45009  # "api freq out of limit": 20 messages a minute per robot
DINGTALK_RATE_LIMITED = 130101  # "send too fast": 20 messages a minute per robot
FEISHU_RATE_LIMITED = 11232  # "frequency limited"
WECOM_MARKDOWN_MAX_BYTES = 4096  # the documented limit of markdown.content


def markdown_lines(items: Sequence[AlertItem]) -> list[str]:
    lines = []
    for item in items:
        outlets = "、".join(item.outlets[:5]) or "—"
        lines.append(f"- [{item.headline()}]({item.url})\n  {outlets} · 转载 {item.copies - 1}")
    return lines


def title_of(items: Sequence[AlertItem]) -> str:
    return (
        f"{items[0].search_name}：{len(items)} 条新报道"
        if len(items) > 1
        else f"{items[0].search_name}：新报道"
    )


def _fit(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max_bytes - 3].decode("utf-8", errors="ignore") + "…"


class WebhookChannel(Channel):
    """Any HTTP endpoint: POST {"search": …, "items": [AlertItem …]}; any 2xx is success."""

    kind = "webhook"

    def send(self, items: Sequence[AlertItem]) -> None:
        body = {
            "search": {"id": items[0].search_id, "name": items[0].search_name},
            "items": [item.model_dump(mode="json") for item in items],
        }
        post_json(self.spec.target, body)


class WeComChannel(Channel):
    """WeCom group robot: {"msgtype": "markdown", "markdown": {"content": …}}; answer {"errcode": 0}."""

    kind = "wecom"
    per_minute = 20

    def send(self, items: Sequence[AlertItem]) -> None:
        content = _fit(
            f"**{title_of(items)}**\n" + "\n".join(markdown_lines(items)), WECOM_MARKDOWN_MAX_BYTES
        )
        _, answer = post_json(self.spec.target, {"msgtype": "markdown", "markdown": {"content": content}})
        _check(answer, "errcode", "errmsg", WECOM_RATE_LIMITED, "WeCom")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalkChannel(Channel):
    """DingTalk robot: {"msgtype": "markdown", "markdown": {"title", "text"}}, signed in the URL
    (timestamp in ms + sign) when the robot has a secret; answer {"errcode": 0}."""

    kind = "dingtalk"
    per_minute = 20

    def send(self, items: Sequence[AlertItem]) -> None:
        url = self.spec.target
        if self.spec.secret:
            now_ms = int(time.time() * 1000)
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}timestamp={now_ms}&sign={dingtalk_sign(self.spec.secret, now_ms)}"
        title = title_of(items)
        text = f"### {title}\n" + "\n".join(markdown_lines(items))
        _, answer = post_json(url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}})
        _check(answer, "errcode", "errmsg", DINGTALK_RATE_LIMITED, "DingTalk")


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message, base64."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FeishuChannel(Channel):
    """Feishu robot: a rich-text "post" message (a title, one line with a link per story), with
    timestamp (s) + sign in the body when the robot has a secret; answer {"code": 0}."""

    kind = "feishu"
    per_minute = 100  # documented: 100 a minute (and 5 a second)

    def send(self, items: Sequence[AlertItem]) -> None:
        rows: list[list[dict[str, Any]]] = [
            [{"tag": "a", "text": item.headline(), "href": item.url},
             {"tag": "text", "text": f"  {'、'.join(item.outlets[:5]) or '—'} · 转载 {item.copies - 1}"}]
            for item in items
        ]  # fmt: skip
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {"zh_cn": {"title": title_of(items), "content": rows}}},
        }
        if self.spec.secret:
            now_s = int(time.time())
            body.update(timestamp=str(now_s), sign=feishu_sign(self.spec.secret, now_s))
        _, answer = post_json(self.spec.target, body)
        _check(answer, "code", "msg", FEISHU_RATE_LIMITED, "Feishu")


def _check(answer: Any, code_key: str, message_key: str, rate_code: int, robot: str) -> None:
    if not isinstance(answer, dict) or code_key not in answer:
        raise ChannelError(f"{robot} answered without {code_key}: {str(answer)[:200]}")
    code = answer[code_key]
    if code == 0:
        return
    if code == rate_code:
        raise RateLimited(f"{robot} rate limit ({code}): {answer.get(message_key)}", retry_after_s=60.0)
    raise ChannelError(f"{robot} error {code}: {answer.get(message_key)}")
