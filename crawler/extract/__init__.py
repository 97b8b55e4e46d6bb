"""Article extraction for the crawler: page bytes -> ``Extracted`` fields -> ``pipeline.model.Article``."""

from __future__ import annotations

from crawler.extract.extractor import Extracted, extract
from crawler.extract.target import extract_target
from crawler.extract.to_article import to_article

__all__ = ["Extracted", "extract", "extract_target", "to_article"]
