"""One settings object for every stage: defaults in config/settings.yaml, env overrides JIANCHA_…"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"
DEFAULTS_FILE = CONFIG_DIR / "settings.yaml"


def elasticsearch_hosts(url: str) -> list[str]:
    """``http://a:9200,http://b:9200`` → both URLs (spaces and empty entries ignored)."""
    return [part.strip() for part in url.split(",") if part.strip()]


class Settings(BaseSettings):
    """Typed, validated configuration. Components receive it through their constructor."""

    model_config = SettingsConfigDict(
        env_prefix="JIANCHA_", yaml_file=DEFAULTS_FILE, yaml_file_encoding="utf-8", extra="forbid"
    )

    data_dir: Path = Field(Path(".jiancha"), description="folder of the embedded log, index and crawl state")
    bus: Literal["embedded", "kafka"] = Field(
        "embedded", description="message bus: embedded SQLite log or Kafka"
    )
    index: Literal["sqlite", "elasticsearch"] = Field("sqlite", description="search backend")
    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated")
    elasticsearch_url: str = Field(
        "http://127.0.0.1:9200", description="Elasticsearch URL; a cluster's nodes comma-separated"
    )
    elasticsearch_username: str = Field("", description="Elasticsearch user (empty: no authentication)")
    elasticsearch_password: str = Field("", description="password of that Elasticsearch user")
    elasticsearch_ca_certs: str = Field(
        "", description="CA certificate file that signed Elasticsearch's TLS certificate (empty: system CAs)"
    )
    topic_prefix: str = Field("", description="prefix of every topic and consumer group (isolates runs)")
    index_name: str = Field("jiancha-articles", description="name of the search index (Elasticsearch/SQLite)")
    sites_file: Path = Field(Path("config/sites.yaml"), description="the sites to crawl")
    demo_host: str = Field("127.0.0.1", description="address the bundled demo news sites listen on")
    demo_port: int = Field(8765, description="port of the bundled demo news sites")
    web_host: str = Field("127.0.0.1", description="address the web app listens on")
    web_port: int = Field(8000, description="port of the web app")
    web_single_user: bool = Field(
        False, description="no login: whoever reaches the web app is its admin (loopback web_host only)"
    )
    web_session_secret: SecretStr | None = Field(
        None, description="signs the web app's login cookies; unset: a random one kept in data_dir"
    )
    user_agent: str = Field(
        "JianchaMonitor/0.1 (+https://github.com/jiancha-monitor; news monitoring of procuratorate work)",
        description="User-Agent the crawler sends",
    )
    batch_size: int = Field(100, ge=1, le=10_000, description="messages per batch in the stage runner")
    index_batch_size: int = Field(
        1000,
        ge=1,
        le=10_000,
        description="articles per batch in the indexer worker (one bulk write per batch)",
    )
    poll_timeout_s: float = Field(1.0, gt=0, description="seconds a consumer waits for new messages")
    batch_linger_s: float = Field(
        0.25,
        ge=0,
        le=10,
        description="seconds a stage with a batched step (reprints) waits after a batch's first message "
        "for more: one round of story-store requests then serves several articles under a trickle",
    )
    index_concurrency: int = Field(
        2, ge=1, le=16, description="bulk requests the indexer has in flight at once (Elasticsearch only)"
    )
    max_retries: int = Field(5, ge=0, description="retries of a transient failure before dead-lettering")
    # Kafka refuses a message over 1 MB unless its topics and clients are configured otherwise; a
    # news article's enriched event is ~18 kB, so anything near the limit is a broken page or a flood.
    max_event_bytes: int = Field(
        1_000_000,
        ge=10_000,
        description="an article event larger than this many bytes is dead-lettered instead of processed",
    )
    retry_backoff_max_s: float = Field(30.0, gt=0, description="cap of the exponential retry backoff")
    connect_timeout_s: float = Field(10.0, gt=0, description="seconds to wait for Kafka/Elasticsearch")
    crawl_interval_s: float = Field(
        900.0, gt=0, description="seconds between crawl rounds of `--forever`/`up`"
    )
    # 6 = shared evenly by 1, 2, 3 or 6 replicas of a stage; with 3, two replicas split the work 2:1
    # (the busier one bounds the pair at 1.5× one replica; bench/README.md, two topics replicas).
    kafka_partitions: int = Field(6, ge=1, description="partitions of topics the project creates on Kafka")
    kafka_replication_factor: int = Field(1, ge=1, description="replication factor of topics it creates")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="log level")
    log_format: Literal["text", "json"] = Field(
        "text", description="log lines as text, or as one JSON object per line (for log collectors)"
    )
    reprint_window_days: float = Field(
        30.0, ge=0, description="copies of a story are looked for within this many days of it (0: any time)"
    )
    spacy_model: str = Field(
        "zh_core_web_sm", description="spaCy pipeline of the entity processor (blank zh + jieba if missing)"
    )
    generic_ner: Literal["posseg", "tokens", "off"] = Field(
        "tokens",
        description="generic PERSON/GPE/ORG layer of the fallback: jieba posseg, dictionary tags, none",
    )
    # The alerts worker (alerts/): how often it looks for new matches, and how far back it looks
    # again each time (what was written but not yet searchable at the last look).
    alerts_poll_s: float = Field(
        5.0, gt=0, description="seconds between the alerts worker's looks for new matches"
    )
    alerts_overlap_s: float = Field(
        60.0,
        ge=0,
        description="seconds before its last look the alerts worker looks again (late-searchable articles)",
    )
    alerts_retry_max_s: float = Field(
        600.0, gt=0, description="cap of the backoff between delivery attempts of a failing channel"
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="the web app's address as readers reach it (links in feeds and mails)",
    )
    smtp_host: str = Field("", description="SMTP server for e-mail alerts and digests (empty: no e-mail)")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port")
    smtp_user: str = Field("", description="SMTP account (empty: no login)")
    smtp_password: str = Field("", description="SMTP password")
    smtp_from: str = Field("jiancha@localhost", description="sender address of e-mail alerts")
    smtp_starttls: bool = Field(False, description="upgrade the SMTP connection with STARTTLS")

    metrics_host: str = Field("127.0.0.1", description="address of a worker's /metrics, /health, /ready")
    metrics_port: int = Field(
        0, ge=0, le=65535, description="port of a worker's /metrics, /health, /ready (0: not served)"
    )
    heartbeat_interval_s: float = Field(
        15.0, gt=0, description="seconds between a worker's heartbeats (its counts, for `jiancha status`)"
    )

    @field_validator("elasticsearch_username", "elasticsearch_password")
    @classmethod
    def _ascii_login(cls, value: str) -> str:
        # The Elasticsearch client sends Basic credentials as ASCII; anything else fails on every request.
        if not value.isascii():
            raise ValueError("Elasticsearch user names and passwords must be ASCII")
        return value

    @field_validator("data_dir", "sites_file")
    @classmethod
    def _relative_to_repo(cls, value: Path) -> Path:
        # Relative paths are resolved against the working directory, like every CLI tool does.
        return value.expanduser()

    @model_validator(mode="after")
    def _single_user_stays_local(self) -> Settings:
        if self.web_single_user and self.web_host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(
                f"web_single_user lets anyone who reaches the app act as admin, so it needs a loopback "
                f"web_host (127.0.0.1), not {self.web_host!r}; create accounts with `jiancha users add`"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, YamlConfigSettingsSource(settings_cls))

    def elasticsearch_hosts(self) -> list[str]:
        """The node URLs of ``elasticsearch_url``: the client spreads requests over them and moves on
        from a node that stops answering (a cluster survives losing one)."""
        return elasticsearch_hosts(self.elasticsearch_url)

    def elasticsearch_client_options(self) -> dict[str, Any]:
        """Authentication and TLS options of every Elasticsearch client of the project."""
        options: dict[str, Any] = {}
        if self.elasticsearch_username:
            options["basic_auth"] = (self.elasticsearch_username, self.elasticsearch_password)
        if self.elasticsearch_ca_certs:
            options["ca_certs"] = self.elasticsearch_ca_certs
        return options

    @property
    def sites_path(self) -> Path:
        """The sites file; a relative path that doesn't exist here is looked up in the repository."""
        if self.sites_file.is_absolute() or self.sites_file.exists():
            return self.sites_file
        return REPO_ROOT / self.sites_file
