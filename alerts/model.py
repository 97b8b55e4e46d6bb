"""What a saved search is: a query with its filters, a name and an owner, its alert options and
the channels it notifies. Validated here, so the CLI, the web API and the worker share one check.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, time
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from indexer import QueryError, SearchQuery

ChannelKind = Literal["webhook", "wecom", "dingtalk", "feishu", "email"]
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ChannelSpec(BaseModel):
    """Where a saved search sends: a robot's or webhook's URL, or an e-mail address (``target``).
    ``secret`` is DingTalk's signing secret (加签) or Feishu's signature key, when the robot has one.
    """

    kind: ChannelKind
    target: str = Field(min_length=1, max_length=2000)
    secret: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _target_fits_kind(self) -> ChannelSpec:
        if self.kind == "email":
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.target):
                raise ValueError(f"not an e-mail address: {self.target!r}")
        elif not self.target.startswith(("http://", "https://")):
            raise ValueError(f"a {self.kind} channel needs an http(s) URL, not {self.target!r}")
        return self

    def label(self) -> str:
        """How a person recognises the channel without its secrets (URLs carry robot keys)."""
        if self.kind == "email":
            return f"email {self.target}"
        return f"{self.kind} {self.target.split('?')[0][:60]}"


class SavedSearch(BaseModel):
    """A saved search. ``query`` uses the search syntax (indexer/query.py); the filters are the
    search page's. Alert options:

    - ``only_critical`` / ``only_relevant``: only stories of critical tone / judged relevant;
    - ``batch_minutes``: 0 sends each new story at once, N collects them into one message every N minutes;
    - ``window_start``/``window_end`` (HH:MM, China Standard Time): pushes only inside that window,
      the rest waits for the next window's opening (the Atom feed is never held back);
    - ``carried_threshold``: also send "now carried by N outlets" once a story reaches N copies.
    """

    id: int | None = None
    name: str = Field(min_length=1, max_length=200)
    owner: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=500)
    site: str | None = None
    source: str | None = None
    region: str | None = None
    procuratorate: str | None = None
    topic: str | None = None
    paused: bool = False
    only_critical: bool = False
    only_relevant: bool = False
    batch_minutes: int = Field(default=0, ge=0, le=24 * 60)
    window_start: str | None = None
    window_end: str | None = None
    carried_threshold: int | None = Field(default=None, ge=2, le=10_000)
    channels: list[ChannelSpec] = Field(default_factory=list, max_length=10)
    feed_token: str = Field(default_factory=lambda: secrets.token_urlsafe(24))
    created_at: datetime | None = None

    @field_validator("query")
    @classmethod
    def _query_parses(cls, value: str) -> str:
        try:
            SearchQuery(value)
        except QueryError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("window_start", "window_end")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not _CLOCK.match(value):
            raise ValueError(f"a time of day is written HH:MM (e.g. 08:00), not {value!r}")
        return value

    @model_validator(mode="after")
    def _window_has_both_ends(self) -> SavedSearch:
        if (self.window_start is None) != (self.window_end is None):
            raise ValueError("a push window needs both window_start and window_end")
        if self.window_start is not None and self.window_start == self.window_end:
            raise ValueError("a push window cannot start and end at the same time")
        return self

    def window(self) -> tuple[time, time] | None:
        if self.window_start is None or self.window_end is None:
            return None
        return time.fromisoformat(self.window_start), time.fromisoformat(self.window_end)

    def search_query(
        self, indexed_from: datetime | None = None, page: int = 1, size: int = 100
    ) -> SearchQuery:
        """The index query of this saved search (stories collapsed, newest first)."""
        return SearchQuery(
            self.query,
            site=self.site,
            source=self.source,
            region=self.region,
            procuratorate=self.procuratorate,
            topic=self.topic,
            tone="critical" if self.only_critical else None,
            relevant=True if self.only_relevant else None,
            indexed_from=indexed_from,
            sort="date",
            page=page,
            size=size,
        )
