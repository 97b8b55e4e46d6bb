"""The processors' chains of steps, per stage and in order, with heavy resources loaded once at start-up.

Two stages, as the design card describes: ``entities`` (normalise, entities) and ``topics``
(topics, relevance and tone, figures, keywords, reprints), joined by the ``articles.annotated``
topic. Each step is a pure ``Article -> Article`` function; adding a processor means adding a
line here.
"""

from __future__ import annotations

from functools import partial

from pipeline.runner import Step
from pipeline.settings import Settings
from processors.normalise import load_converter, normalise

STAGES = ("entities", "topics")


def build_steps(stage: str, settings: Settings) -> list[Step]:
    """The steps of one processor stage."""
    if stage == "entities":
        return [partial(normalise, to_simplified=load_converter())]
    if stage == "topics":
        return []
    raise ValueError(f"unknown processor stage {stage!r}; choose from {', '.join(STAGES)}")


def build_all_steps(settings: Settings) -> list[Step]:
    """Every step of every stage in order: what the file mode runs."""
    return [step for stage in STAGES for step in build_steps(stage, settings)]
