"""Each channel's message as its receiver gets it, against local receivers: DingTalk's signed URL,
Feishu's signed rich-text post, the webhook's JSON, e-mail through a local SMTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from alerts.channels import ChannelError, open_channel
from alerts.items import AlertItem
from alerts.model import ChannelSpec
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver, SmtpReceiver

ITEM = AlertItem(search_id=1, search_name="汾河治理", kind="new", story_key="story-fenhe", article_id="a1",
                 title="洪洞县检察院督促整治汾河岸线", url="https://www.spp.gov.cn/fenhe.html",
                 outlets=["spp", "sxrb"], copies=2, tone="critical",
                 published_at=datetime(2026, 3, 2, tzinfo=UTC), indexed_at=None,
                 lead="洪洞县人民检察院发出检察建议。")  # fmt: skip


def test_dingtalk_signs_the_url_with_its_secret(settings: Settings, receiver: HttpReceiver) -> None:
    secret = "SEC0123456789abcdef"
    spec = ChannelSpec(kind="dingtalk", target=receiver.url("/robot/send?access_token=t0k"), secret=secret)
    open_channel(spec, settings).send([ITEM])
    (request,) = receiver.requests
    timestamp = request.query["timestamp"][0]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # milliseconds
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    )
    assert request.query["sign"] == [expected.decode()]  # parse_qs undid the URL-encoding
    assert request.query["access_token"] == ["t0k"]
    assert request.body["msgtype"] == "markdown"
    assert "洪洞县检察院督促整治汾河岸线" in request.body["markdown"]["text"]
    assert request.body["markdown"]["title"].startswith("汾河治理")


def test_dingtalk_error_code_is_a_failure(settings: Settings, receiver: HttpReceiver) -> None:
    receiver.answer = lambda _r: (200, {"errcode": 310000, "errmsg": "sign not match"})
    with pytest.raises(ChannelError, match="310000"):
        open_channel(ChannelSpec(kind="dingtalk", target=receiver.url()), settings).send([ITEM])


def test_feishu_posts_signed_rich_text(settings: Settings, receiver: HttpReceiver) -> None:
    secret = "feishu-secret"
    spec = ChannelSpec(kind="feishu", target=receiver.url("/open-apis/bot/v2/hook/x"), secret=secret)
    open_channel(spec, settings).send([ITEM])
    body = receiver.requests[0].body
    assert body["msg_type"] == "post"
    expected = base64.b64encode(
        hmac.new(f"{body['timestamp']}\n{secret}".encode(), b"", hashlib.sha256).digest()
    )
    assert body["sign"] == expected.decode()
    post = body["content"]["post"]["zh_cn"]
    link = post["content"][0][0]
    assert link == {"tag": "a", "text": "【负面】洪洞县检察院督促整治汾河岸线", "href": ITEM.url}


def test_feishu_nonzero_code_is_a_failure(settings: Settings, receiver: HttpReceiver) -> None:
    receiver.answer = lambda _r: (200, {"code": 19021, "msg": "sign match fail"})
    with pytest.raises(ChannelError, match="19021"):
        open_channel(ChannelSpec(kind="feishu", target=receiver.url()), settings).send([ITEM])


def test_webhook_posts_the_items_as_json(settings: Settings, receiver: HttpReceiver) -> None:
    open_channel(ChannelSpec(kind="webhook", target=receiver.url()), settings).send([ITEM])
    item = receiver.requests[0].body["items"][0]
    assert item["url"] == ITEM.url and item["copies"] == 2 and item["outlets"] == ["spp", "sxrb"]


def test_unreachable_receiver_is_a_channel_error(settings: Settings) -> None:
    with pytest.raises(ChannelError, match="cannot reach"):
        open_channel(ChannelSpec(kind="webhook", target="http://127.0.0.1:9/hook"), settings).send([ITEM])


def test_wecom_markdown_stays_within_4096_bytes(settings: Settings, receiver: HttpReceiver) -> None:
    many = [ITEM.model_copy(update={"title": "很长的标题" * 20}) for _ in range(40)]
    open_channel(ChannelSpec(kind="wecom", target=receiver.url()), settings).send(many)
    assert len(receiver.requests[0].body["markdown"]["content"].encode()) <= 4096


def test_email_reaches_the_smtp_server(settings: Settings, smtp: SmtpReceiver) -> None:
    settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port,
                                           "smtp_from": "monitor@example.org"})  # fmt: skip
    open_channel(ChannelSpec(kind="email", target="press@example.org"), settings).send([ITEM])
    deadline = time.monotonic() + 5
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    (message,) = smtp.messages
    assert message["To"] == "press@example.org" and message["From"] == "monitor@example.org"
    parts: dict[str, Any] = {p.get_content_type(): p.get_payload(decode=True).decode()  # type: ignore[union-attr]
                             for p in message.walk()
                             if not p.is_multipart()}  # fmt: skip
    assert "洪洞县检察院督促整治汾河岸线" in parts["text/plain"]
    assert f'href="{ITEM.url}"' in parts["text/html"]


def test_email_without_a_server_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(ChannelError, match="JIANCHA_SMTP_HOST"):
        open_channel(ChannelSpec(kind="email", target="press@example.org"), settings).send([ITEM])


def test_channel_specs_are_checked() -> None:
    with pytest.raises(ValueError, match="e-mail"):
        ChannelSpec(kind="email", target="not-an-address")
    with pytest.raises(ValueError, match="URL"):
        ChannelSpec(kind="wecom", target="ftp://x")
