"""Topic, consumer-group and dead-letter names: derived here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

FETCHED = "articles.fetched"
# Between the two processors: normalised text with entities, before topics and figures.
ANNOTATED = "articles.annotated"
ENRICHED = "articles.enriched"
DLQ = "articles.dlq"
# Operations records (pipeline/ops): each worker's counts, and one record per site per crawl.
HEARTBEATS = "ops.heartbeats"
CRAWLS = "ops.crawls"
# Which dead letters `jiancha dlq replay` has sent back already (keyed by the letter's position).
REPLAYED = "ops.replayed"


@dataclass(frozen=True)
class Stage:
    """A pipeline stage and the names derived from it.

    ``prefix`` isolates a deployment or a test run (``test_e2e_1a2b.``); production uses none.
    """

    name: str
    input: str | None
    output: str | None
    prefix: str = ""

    @property
    def input_topic(self) -> str | None:
        return f"{self.prefix}{self.input}" if self.input else None

    @property
    def output_topic(self) -> str | None:
        return f"{self.prefix}{self.output}" if self.output else None

    @property
    def dlq_topic(self) -> str:
        return f"{self.prefix}{DLQ}"

    @property
    def group(self) -> str:
        return f"{self.prefix}jiancha-{self.name}"

    @property
    def logger_name(self) -> str:
        return f"jiancha.{self.name}"


def crawler_stage(prefix: str = "") -> Stage:
    return Stage("crawler", None, FETCHED, prefix)


def entities_stage(prefix: str = "") -> Stage:
    """First processor: normalisation and entities (spaCy), its own consumer group."""
    return Stage("entities", FETCHED, ANNOTATED, prefix)


def topics_stage(prefix: str = "") -> Stage:
    """Second processor: topics, relevance, tone, figures, keywords, reprints."""
    return Stage("topics", ANNOTATED, ENRICHED, prefix)


def processor_stages(prefix: str = "") -> list[Stage]:
    """The processors in pipeline order; the embedded mode runs the same ones."""
    return [entities_stage(prefix), topics_stage(prefix)]


def indexer_stage(prefix: str = "") -> Stage:
    return Stage("indexer", ENRICHED, None, prefix)


def all_topics(prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name in (FETCHED, ANNOTATED, ENRICHED, DLQ, HEARTBEATS, CRAWLS, REPLAYED)]


def heartbeats_topic(prefix: str = "") -> str:
    return f"{prefix}{HEARTBEATS}"


def crawls_topic(prefix: str = "") -> str:
    return f"{prefix}{CRAWLS}"


def replayed_topic(prefix: str = "") -> str:
    return f"{prefix}{REPLAYED}"


def dlq_topic(prefix: str = "") -> str:
    return f"{prefix}{DLQ}"


def stage_named(name: str, prefix: str = "") -> Stage:
    """The stage called ``name`` (crawler, entities, topics, indexer); ValueError for another name."""
    stages = {s.name: s for s in (crawler_stage(prefix), *processor_stages(prefix), indexer_stage(prefix))}
    if name not in stages:
        raise ValueError(f"no stage named {name!r}; the stages are {', '.join(stages)}")
    return stages[name]
