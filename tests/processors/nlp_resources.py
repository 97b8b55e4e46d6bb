"""Heavy NLP resources for the processor tests, loaded once per test session (as a worker does)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jieba.analyse

from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.keywords import load_keyword_extractor
from processors.nlp.pipeline import NlpResources
from processors.normalise import Converter, load_converter, normalise
from processors.topics import Taxonomy, load_taxonomy


@lru_cache(maxsize=1)
def resources() -> NlpResources:
    return load_entity_resources(Settings(spacy_model="zh_core_web_sm"))


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@lru_cache(maxsize=1)
def converter() -> Converter:
    return load_converter()


@lru_cache(maxsize=1)
def keyword_extractor() -> jieba.analyse.TFIDF:
    return load_keyword_extractor()


def annotated(title: str = "", body: str = "", **fields: Any) -> Article:
    """An article after the ``entities`` stage (normalise, entities)."""
    article = Article.new(
        f"https://example.invalid/{abs(hash((title, body)))}", title=title, body=body, **fields
    )
    return tag_entities(normalise(article, converter()), resources())
