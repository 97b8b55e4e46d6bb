"""E-mail over SMTP: one message per delivery, plain text and HTML, with the server, account and
sender from the settings (JIANCHA_SMTP_…). Also sends the daily digest (alerts/digest.py).
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from alerts.channels.base import Channel, ChannelError
from alerts.channels.robots import title_of
from alerts.items import AlertItem
from alerts.model import ChannelSpec
from pipeline.settings import Settings


def send_mail(settings: Settings, to: str, subject: str, text: str, html_body: str | None = None) -> None:
    """Send one message; raises ChannelError when no server is set or it refuses."""
    if not settings.smtp_host:
        raise ChannelError("no SMTP server is set (JIANCHA_SMTP_HOST)")
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = to
    message.set_content(text)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.connect_timeout_s) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {error}") from None


class EmailChannel(Channel):
    kind = "email"

    def __init__(self, spec: ChannelSpec, settings: Settings) -> None:
        super().__init__(spec)
        self.settings = settings

    def send(self, items: Sequence[AlertItem]) -> None:
        text = "\n\n".join(
            f"{item.headline()}\n{item.url}\n{'、'.join(item.outlets) or '—'} · 转载 {item.copies - 1}\n{item.lead}"
            for item in items
        )
        rows = "".join(
            f'<li><a href="{html.escape(item.url)}">{html.escape(item.headline())}</a><br>'
            f"<small>{html.escape('、'.join(item.outlets) or '—')} · 转载 {item.copies - 1}</small>"
            f"<p>{html.escape(item.lead)}</p></li>"
            for item in items
        )
        send_mail(self.settings, self.spec.target, title_of(items), text, f"<ul>{rows}</ul>")
