"""Keyword step of the ``topics`` stage: the article's top terms by TF-IDF over the shared segmenter's words.

jieba's IDF table stands for general Chinese; ``config/stopwords.txt`` removes function words,
news boilerplate and words every procuratorate article shares. The title counts twice. The words are
the ones the entity stage left in ``title_words``/``body_words`` (the same segmenter), so the text is
not segmented a second time; an article without them (the topics stage run on its own) is segmented
here. The ranking is jieba's ``extract_tags``: term count times IDF (its median for unknown words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import jieba.analyse

from pipeline.model import Article
from pipeline.segmenter import Segmenter, index_words, shared_segmenter
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


def ranked_terms(words: Iterable[str], extractor: jieba.analyse.TFIDF, top_k: int = TOP_K) -> list[str]:
    """The ``top_k`` words (index form: lower-cased, no punctuation) of highest count × IDF."""
    counts: dict[str, int] = {}
    stop = extractor.stop_words
    for word in words:
        if len(word) >= 2 and word not in stop:
            counts[word] = counts.get(word, 0) + 1
    idf, median = extractor.idf_freq, extractor.median_idf
    weight = {w: n * idf.get(w, median) for w, n in counts.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top_k]


def keywords_of(
    title_words: Sequence[str], body_words: Sequence[str], extractor: jieba.analyse.TFIDF, top_k: int = TOP_K
) -> list[str]:
    candidates = ranked_terms([*title_words, *title_words, *body_words], extractor, top_k * 2)
    return [w for w in candidates if not _NOT_A_WORD.match(w)][:top_k]


def _words(segmented: str | None, text: str, extractor: jieba.analyse.TFIDF) -> Sequence[str]:
    if segmented is not None:
        return segmented.split()
    return index_words(extractor.tokenizer.cut(text))


def extract_keywords(article: Article, extractor: jieba.analyse.TFIDF) -> Article:
    title = article.title_simplified if article.title_simplified is not None else article.title
    body = article.body_simplified if article.body_simplified is not None else article.body
    keywords = keywords_of(
        _words(article.title_words, title, extractor), _words(article.body_words, body, extractor), extractor
    )
    return article.model_copy(update={"keywords": keywords, "steps": [*article.steps, "keywords"]})
