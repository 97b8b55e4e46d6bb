"""The processors' chains of steps, per stage and in order, with heavy resources loaded once at start-up.

Two stages, as the design card describes: ``entities`` (normalise, entities) and ``topics``
(topics, relevance and tone, figures, keywords, reprints), joined by the ``articles.annotated``
topic. Each step is a pure ``Article -> Article`` function; adding a processor means adding a
line here.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from pipeline.runner import BatchStep, Step
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.keywords import extract_keywords, load_keyword_extractor
from processors.normalise import load_converter, normalise
from processors.reprints import ready_story_store
from processors.reprints.step import STEP as REPRINTS
from processors.reprints.step import assign_stories
from processors.statistics import extract_statistics
from processors.topics import classify, load_taxonomy

STAGES = ("entities", "topics")


def build_steps(stage: str, settings: Settings) -> list[Step | BatchStep]:
    """The steps of one processor stage."""
    if stage == "entities":
        return [
            partial(normalise, to_simplified=load_converter()),
            partial(tag_entities, resources=load_entity_resources(settings)),
        ]
    if stage == "topics":
        taxonomy = load_taxonomy()
        # Reprints last: the story store keeps what the article looks like after every other step.
        return [
            partial(classify, taxonomy=taxonomy),
            extract_statistics,
            partial(extract_keywords, extractor=load_keyword_extractor()),
            # A batch at a time: one store round trip per batch, not per article.
            BatchStep(
                partial(
                    assign_stories,
                    store=ready_story_store(settings),
                    to_simplified=load_converter(),
                    window=timedelta(days=settings.reprint_window_days)
                    if settings.reprint_window_days
                    else None,
                ),
                REPRINTS,
            ),
        ]
    raise ValueError(f"unknown processor stage {stage!r}; choose from {', '.join(STAGES)}")


def build_all_steps(settings: Settings) -> list[Step | BatchStep]:
    """Every step of every stage in order: what the file mode runs."""
    return [step for stage in STAGES for step in build_steps(stage, settings)]
