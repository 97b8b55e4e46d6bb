"""The weekly briefing as an HTML page (the web app's briefing button, and its PNG rendering)."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape

from alerts.briefing import Briefing
from alerts.chart import trend_png

_ENV = Environment(loader=PackageLoader("alerts", "templates"), autoescape=select_autoescape(["html"]))


def render_briefing_html(briefing: Briefing) -> str:
    chart = base64.b64encode(trend_png(briefing.trend)).decode() if briefing.trend else None
    return _ENV.get_template("briefing.html").render(b=briefing, chart=chart, change=Briefing.change)
