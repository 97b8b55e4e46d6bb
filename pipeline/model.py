"""The Article event: the one message every stage reads and writes, keyed by ``article_id``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import BaseModel, Field, field_validator

# Bump when a field changes meaning; consumers reject events from a newer schema they don't know.
SCHEMA_VERSION = 1

# Query parameters that identify a campaign or a share, never a different article.
_TRACKING_PARAMS = ("utm_", "spm", "from", "share", "isappinstalled", "wxshare")


def canonical_url(url: str) -> str:
    """Normalise a URL so that the same article always gets the same id.

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters, and
    sorts the remaining query parameters.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PARAMS)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def article_id_for(url: str) -> str:
    """The article id: a hash of the canonical URL (stable across runs, processes and hosts)."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:32]


def content_hash_for(title: str, body: str) -> str:
    """A hash of what a reader sees, used to tell a changed article from a re-fetched one."""
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:32]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Entity(BaseModel):
    """A mention found in the simplified text: ``start``/``end`` are character offsets into it."""

    text: str
    label: str = Field(description="PROCURATORATE, COURT, POLICE, GOV, PARTY, CONGRESS, DOC, PERSON, GPE, …")
    canonical: str | None = Field(default=None, description="canonical name (e.g. 洪洞县人民检察院)")
    start: int
    end: int
    role: str | None = Field(
        default=None, description="for persons: reporter, editor, or None (in the story)"
    )
    in_title: bool = Field(
        default=False, description="offsets are into title_simplified instead of body_simplified"
    )
    generic: bool = Field(
        default=False,
        description="for persons: found by the generic NER layer alone (looks like a name; no title, "
        "byline or 某 confirms it)",
    )


class TopicScore(BaseModel):
    id: str = Field(description="an id of config/topics.yaml")
    label: str
    score: float = Field(ge=0, le=1)
    evidence: list[str] = Field(
        default_factory=list,
        description="the cue phrases that triggered it, or the sentences the topic model weighed most",
    )


class Statistic(BaseModel):
    """A reported figure: 受理司法救助案件253件 → metric 受理司法救助案件, value 253, unit 件."""

    text: str
    value: float
    unit: str | None = None
    metric: str | None = None
    qualifier: str | None = Field(default=None, description="余, 多, 近, 超 … when the figure is approximate")


class Article(BaseModel):
    """One news article as it moves through the pipeline.

    The crawler fills the extracted fields; processors add derived fields (``*_simplified``,
    ``quality`` flags, ``steps``); the indexer stores the whole event. Original text is never
    overwritten: derived text goes into its own fields.
    """

    schema_version: int = SCHEMA_VERSION
    article_id: str = Field(description="hash of the canonical URL; the key on the bus and the index id")
    url: str
    site: str | None = Field(default=None, description="name of the configured site that published it")
    title: str = ""
    column: str | None = Field(default=None, description="the leading 【…】 tag of the title")
    subtitle: str | None = None
    published_at: datetime | None = None
    source: str | None = Field(default=None, description="the outlet named in 来源")
    authors: list[str] = Field(default_factory=list)
    editor: str | None = None
    body: str = Field(default="", description="paragraphs joined by newlines, original script")
    images: list[dict[str, Any]] = Field(default_factory=list)
    encoding: str | None = None
    quality: list[str] = Field(default_factory=list, description="flags such as damaged text")
    methods: dict[str, str] = Field(default_factory=dict, description="field -> extraction method")
    site_regions: list[str] = Field(default_factory=list, description="region tags of the site (sites.yaml)")
    fetched_at: datetime = Field(default_factory=utcnow)
    content_hash: str = ""
    version: int = Field(default=1, description="content version; a changed article gets a new one")
    # Derived by processors.
    title_simplified: str | None = None
    body_simplified: str | None = None
    # The entity stage's word segmentation of the simplified title and body, for ranking: a
    # search ranks an article that has the query as a whole word above one that only has its
    # characters across two words (检察官 vs 检察|官方). Words are lower-cased and joined by single
    # spaces, punctuation and whitespace left out. Size: the simplified text again, plus one
    # byte (a space) per word of about two Han characters (6 bytes), minus the punctuation: 1.1x
    # the simplified title and body in bytes (measured on the demo articles), added to every
    # event from the entity stage on and to every stored document. None on events from before
    # the field: they still index and match, without the word ranking.
    title_words: str | None = Field(default=None, description="segmented simplified title, space-separated")
    body_words: str | None = Field(default=None, description="segmented simplified body, space-separated")
    steps: list[str] = Field(default_factory=list, description="processing steps applied, in order")
    # NLP (entities, topics, figures): see processors/.
    nlp_pipeline: str | None = Field(default=None, description="the spaCy pipeline that ran, said honestly")
    entities: list[Entity] = Field(default_factory=list)
    procuratorates: list[str] = Field(default_factory=list, description="canonical procuratorate names")
    regions: list[str] = Field(default_factory=list, description="regions the text is about (resolved)")
    topics: list[TopicScore] = Field(default_factory=list)
    relevance: float | None = Field(
        default=None, ge=0, le=1, description="how much it is about procuratorate work"
    )
    relevant: bool | None = None
    tone: str | None = Field(
        default=None, description="critical when it criticises a procuratorate, else neutral"
    )
    statistics: list[Statistic] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    # Reprints: every copy of one story shares story_id.
    story_id: str | None = None

    @field_validator("published_at", "fetched_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return value

    @field_validator("schema_version")
    @classmethod
    def _known_schema(cls, value: int) -> int:
        if value > SCHEMA_VERSION:
            raise ValueError(f"schema_version {value} is newer than this code ({SCHEMA_VERSION})")
        return value

    @classmethod
    def new(cls, url: str, **fields: Any) -> Article:
        """Build an article for a URL, deriving its id and content hash."""
        article = cls(article_id=article_id_for(url), url=url, **fields)
        if not article.content_hash:
            article.content_hash = content_hash_for(article.title, article.body)
        return article

    def to_json(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_json(cls, payload: bytes | str) -> Article:
        return cls.model_validate_json(payload)
