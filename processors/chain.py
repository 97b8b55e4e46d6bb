"""The processor's chain of steps, in order, with their heavy resources loaded once at start-up.

Each step is a pure ``Article -> Article`` function; adding a processor means adding a line here.
"""

from __future__ import annotations

from functools import partial

from pipeline.runner import Step
from pipeline.settings import Settings
from processors.normalise import load_converter, normalise


def build_steps(settings: Settings) -> list[Step]:
    steps: list[Step] = [partial(normalise, to_simplified=load_converter())]
    return steps
