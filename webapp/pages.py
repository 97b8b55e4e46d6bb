"""What every page of the web app shares: the templates, and the index failures that are not the
user's fault (answered 503 with the reason).
"""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from indexer import IndexMissing, TransientIndexError
from pipeline.errors import ServiceUnavailable
from webapp.params import china_time, safe_href

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
UNAVAILABLE = (ServiceUnavailable, IndexMissing, TransientIndexError)
TEMPLATES.env.filters["china_time"] = china_time  # 2024-05-01 16:30, as read in China
TEMPLATES.env.filters["safe_href"] = safe_href  # http(s) links only
