"""Keyword step of the ``topics`` stage: the article's top terms by TF-IDF over the shared segmenter's words.

jieba's IDF table stands for general Chinese; ``config/stopwords.txt`` removes function words,
news boilerplate and words every procuratorate article shares. The title counts twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import jieba.analyse

from pipeline.model import Article
from pipeline.segmenter import Segmenter, shared_segmenter
from pipeline.settings import CONFIG_DIR

STOPWORDS_FILE = CONFIG_DIR / "stopwords.txt"
TOP_K = 10
_NOT_A_WORD = re.compile(r"^[\d.%,，a-zA-Z]+$")


def load_keyword_extractor(
    stopwords: Path = STOPWORDS_FILE, segmenter: Segmenter | None = None
) -> jieba.analyse.TFIDF:
    """Loaded once per worker: jieba's IDF table, our stop words, and the shared segmenter (which keeps
    the taxonomy's phrases whole: 公益诉讼)."""
    segmenter = segmenter or shared_segmenter()
    extractor = jieba.analyse.TFIDF()
    extractor.tokenizer = segmenter.tokenizer
    extractor.postokenizer = segmenter.tagger
    words = stopwords.read_text(encoding="utf-8").splitlines()
    extractor.stop_words = extractor.stop_words | {
        w.strip() for w in words if w.strip() and not w.startswith("#")
    }
    return extractor


def keywords_of(title: str, body: str, extractor: jieba.analyse.TFIDF, top_k: int = TOP_K) -> list[str]:
    candidates: list[str] = extractor.extract_tags(f"{title}\n{title}\n{body}", topK=top_k * 2)
    return [w for w in candidates if len(w) >= 2 and not _NOT_A_WORD.match(w)][:top_k]


def extract_keywords(article: Article, extractor: jieba.analyse.TFIDF) -> Article:
    title = article.title_simplified if article.title_simplified is not None else article.title
    body = article.body_simplified if article.body_simplified is not None else article.body
    return article.model_copy(
        update={"keywords": keywords_of(title, body, extractor), "steps": [*article.steps, "keywords"]}
    )
