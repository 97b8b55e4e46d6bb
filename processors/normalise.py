"""Normalisation, the first processing step: a simplified-Chinese copy of title and body for NLP and search.

The original text is kept untouched for display; the simplified text goes into
``title_simplified`` / ``body_simplified``.
"""

from __future__ import annotations

from collections.abc import Callable

import opencc

from pipeline.model import Article

Converter = Callable[[str], str]


def load_converter() -> Converter:
    """OpenCC traditional → simplified; loaded once at start-up and passed to the step."""
    converter: Converter = opencc.OpenCC("t2s").convert
    return converter


def normalise(article: Article, to_simplified: Converter) -> Article:
    return article.model_copy(
        update={
            "title_simplified": to_simplified(article.title),
            "body_simplified": to_simplified(article.body),
            "steps": [*article.steps, "normalise"],
        }
    )
