"""The push channels of the monitor: a generic JSON webhook, the WeCom, DingTalk and Feishu group
robots in their documented message formats, and e-mail over SMTP. The Atom feed is not pushed:
the web app serves it from the store (alerts/feed.py).
"""

from __future__ import annotations

from alerts.channels.base import Channel, ChannelError, RateLimited, open_channel

__all__ = ["Channel", "ChannelError", "RateLimited", "open_channel"]
