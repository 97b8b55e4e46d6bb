"""Search parameters declared once: the pydantic model that turns text (a URL's query string, the
command line's options) into a validated SearchQuery, shared by the web app and `jiancha search`.

Wrong values never reach the engine: ``parse_params`` and the web app's 400 handler both word a
pydantic error with ``describe_errors``, as a person would want to read it (``page must be a whole
number, not 'abc'``). Dates are calendar days in China Standard Time, inclusive at both ends; a
preset (today, 7d, 30d) is a window ending today, so a shared link to it moves with the calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from indexer.base import MAX_PAGE_SIZE, Interval, QueryError, SearchQuery, Sort
from indexer.query import MAX_QUERY_CHARS
from pipeline.china_time import china_today, day_range

DEFAULT_PAGE_SIZE = 20
Preset = Literal["today", "7d", "30d"]
PRESET_DAYS: dict[str, int] = {"today": 1, "7d": 7, "30d": 30}
# A filter value longer than this is no outlet, procuratorate or topic name (the longest names in
# the gazetteer are about 30 characters).
MAX_FILTER_CHARS = 200


def _filter(description: str) -> Any:
    return Field(None, max_length=MAX_FILTER_CHARS, description=description)


class SearchParams(BaseModel):
    """One search as a person states it. Every field is optional but ``q``; empty values count
    as absent (an HTML form sends ``site=`` for an empty box)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    q: str = Field(
        "",
        max_length=MAX_QUERY_CHARS,
        description='words (all must match), "phrases", OR, -exclusions, (brackets); empty: everything',
    )
    site: str | None = _filter("only this site")
    source: str | None = _filter("only this outlet named in 来源 (any script or decoration)")
    region: str | None = _filter("only articles about this region")
    procuratorate: str | None = _filter("only articles naming this procuratorate")
    topic: str | None = _filter("only this topic (id or label)")
    tone: str | None = _filter("only this tone (critical or neutral)")
    relevant: bool | None = Field(None, description="only articles (not) about procuratorate work (1/0)")
    min_relevance: float | None = Field(None, ge=0, le=1, description="only relevance at least this (0..1)")
    date_from: date | None = Field(None, alias="from", description="published on or after this day (CST)")
    date_to: date | None = Field(None, alias="to", description="published on or before this day (CST)")
    preset: Preset | None = Field(
        None, description="today, 7d or 30d: days up to today (CST); wins over from/to"
    )
    sort: Sort = Field("relevance", description="relevance or date (newest first)")
    page: int = Field(1, ge=1, description="page of results, from 1")
    size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="hits per page")
    cursor: str | None = Field(None, max_length=2000, description="next_cursor of the previous page")
    facets: bool = Field(False, description="count hits by source, site, topic, procuratorate, region, tone")
    histogram: Interval | None = Field(None, description="hits over time: day, week or month")
    stories: bool = Field(True, description="one hit per story (0: every copy as its own hit)")
    all_copies: bool = Field(False, description="list every copy on each story's hit")

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data

    def days(self, now: datetime | None = None) -> tuple[date | None, date | None]:
        """The first and last day searched (inclusive), the preset resolved against ``now``."""
        if self.preset is not None:
            today = china_today(now)
            return today - timedelta(days=PRESET_DAYS[self.preset] - 1), today
        return self.date_from, self.date_to

    def to_query(self, *, facets: bool = False, now: datetime | None = None) -> SearchQuery:
        """The engine's query. Raises QueryError for combinations no single field can judge."""
        first, last = self.days(now)
        if first and last and first > last:
            raise QueryError(f"from ({first}) is after to ({last}): swap them")
        start, end = day_range(first, last)
        return SearchQuery(
            text=self.q,
            site=self.site,
            source=self.source,
            region=self.region,
            procuratorate=self.procuratorate,
            topic=self.topic,
            tone=self.tone,
            relevant=self.relevant,
            min_relevance=self.min_relevance,
            date_from=start,
            date_to=end,
            sort=self.sort,
            page=self.page,
            size=self.size,
            cursor=self.cursor,
            facets=facets or self.facets,
            histogram=self.histogram,
            collapse_stories=self.stories,
            all_copies=self.all_copies,
        )

    def as_params(self) -> dict[str, str]:
        """The URL parameters that state this search (defaults left out), for links and forms."""
        shown: dict[str, str] = {}
        for name, value in self.model_dump(by_alias=True, exclude_defaults=True).items():
            if value is None:
                continue
            shown[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return shown


_WORDING = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "bool_parsing": "must be 1 or 0",
    "date_parsing": "must be a date like 2024-05-01",
    "date_from_datetime_parsing": "must be a date like 2024-05-01",
    "date_from_datetime_inexact": "must be a date like 2024-05-01",
    "date_type": "must be a date like 2024-05-01",
}


def _one(error: Mapping[str, Any]) -> str:
    loc: Sequence[Any] = error.get("loc") or ("parameters",)
    name = str(loc[-1])
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    raw = error.get("input")
    given = f", not {raw[:20]!r}" if isinstance(raw, str) else ""
    if kind in _WORDING:
        return f"{name} {_WORDING[kind]}{given}"
    if kind == "literal_error":
        return f"{name} must be one of {ctx.get('expected', '')}{given}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{name} must be at least {ctx.get('ge', ctx.get('gt'))}{given}"
    if kind in ("less_than_equal", "less_than"):
        return f"{name} must be at most {ctx.get('le', ctx.get('lt'))}{given}"
    if kind == "string_too_long":
        return f"{name} is too long: at most {ctx.get('max_length')} characters"
    return f"{name}: {error.get('msg', 'invalid')}"


def describe_errors(errors: Sequence[Mapping[str, Any]]) -> str:
    """Pydantic's (or FastAPI's) validation errors as one sentence a person can act on."""
    return "; ".join(dict.fromkeys(_one(e) for e in errors)) or "invalid parameters"


def parse_params(values: Mapping[str, Any]) -> SearchParams:
    """SearchParams of text values (a query string, parsed options). Raises QueryError."""
    try:
        return SearchParams.model_validate(dict(values))
    except ValidationError as exc:
        raise QueryError(describe_errors(exc.errors())) from None
