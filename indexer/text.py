"""Text helpers shared by the search backends: script conversion, CJK spacing for SQLite FTS5,
the query's words for word ranking, and the highlighted snippets of a result (the same for every
backend).
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Sequence
from functools import lru_cache

import opencc

from pipeline.model import Article
from pipeline.segmenter import shared_segmenter

# Han ideographs: the unified block, extension A, compatibility ideographs and the supplementary
# planes (extensions B-H). Each one is a token of its own, as in Elasticsearch's standard tokenizer.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"([{_HAN}])")
# A token: one Han character, or a run of other letters/digits (what both engines index).
_TOKEN_RE = re.compile(f"[{_HAN}]|[^\\W_{_HAN}]+")
# Non-Han word characters, to keep "court" from highlighting inside "courtyard".
_WORDISH = f"[^\\W_{_HAN}]"

SNIPPET_CHARS = 160


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional (or mixed) Chinese to simplified; other text is unchanged."""
    return _converter().convert(text) if text else text


def simplified_fields(article: Article) -> tuple[str, str]:
    """The simplified title and body: the processors' when present, else converted here."""
    title = article.title_simplified if article.title_simplified is not None else to_simplified(article.title)
    body = article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
    return title, body


@lru_cache(maxsize=4096)
def query_words(text: str) -> tuple[str, ...]:
    """The words of a query term as the entity stage segments text (the shared segmenter,
    lower-cased, punctuation left out), to compare with an article's ``title_words``/``body_words``:
    检察官 → (检察官,), 洪洞县检察院 → (洪洞县, 检察院). ``text`` is simplified already.
    A query term is a few characters, so segmenting it costs microseconds once the segmenter's
    dictionary is loaded (about a second, on the first query of a process).
    """
    return shared_segmenter().words(text)


def spaced_cjk(text: str) -> str:
    """Put spaces around every Han character so that SQLite's unicode61 tokenizer sees one token
    per character, as Elasticsearch's standard tokenizer does; phrase queries then match substrings.
    """
    return _HAN_RE.sub(r" \1 ", text)


# Stands in the bigram column where a non-Han token interrupts a run of Han characters, so that
# the bigrams on either side are not adjacent (no query bigram is ever this token).
BIGRAM_GAP = "0"


def han_bigrams(text: str) -> list[str] | None:
    """The overlapping pairs of Han characters of a word (司法救助 → 司法 法救 救助), or None when
    it is not two or more Han characters only (a single character, a Latin word, a number).
    """
    tokens = _TOKEN_RE.findall(text)
    if len(tokens) < 2 or not all(_HAN_RE.fullmatch(t) for t in tokens):
        return None
    return [a + b for a, b in itertools.pairwise(tokens)]


def bigram_text(text: str) -> str:
    """The text of the SQLite bigram columns: every pair of adjacent Han characters as one token,
    like Elasticsearch's index_phrases, so a two-character word is one posting list and a longer
    one a phrase of its pairs. Punctuation between characters is skipped, as in phrase matching
    on the characters; a non-Han token (a number, a Latin word) leaves a gap (BIGRAM_GAP).
    """
    out: list[str] = []
    previous: str | None = None
    for token in _TOKEN_RE.findall(text):
        if _HAN_RE.fullmatch(token):
            if previous is not None:
                out.append(previous + token)
            previous = token
        else:
            if out and out[-1] != BIGRAM_GAP:
                out.append(BIGRAM_GAP)
            previous = None
    return " ".join(out)


def _term_pattern(term: str) -> re.Pattern[str] | None:
    tokens = _TOKEN_RE.findall(term)
    if not tokens:
        return None
    # Between tokens anything that is not a token character may stand (spaces, punctuation),
    # as the engines' phrase matching ignores it.
    body = r"[\W_]*".join(re.escape(t) for t in tokens)
    if not _HAN_RE.fullmatch(tokens[0]):
        body = f"(?<!{_WORDISH})" + body
    if not _HAN_RE.fullmatch(tokens[-1]):
        body += f"(?!{_WORDISH})"
    return re.compile(body, re.IGNORECASE)


def _matches(simplified: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of the terms in the simplified text, in order."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        pattern = _term_pattern(to_simplified(term))
        if pattern is not None:
            spans.extend(m.span() for m in pattern.finditer(simplified) if m.end() > m.start())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(original: str, simplified: str, terms: Sequence[str], max_chars: int | None = None) -> str:
    """HTML of the text with every match of the terms in ``<em>``, the rest escaped.

    Matches are found in the simplified text; they are shown in the original script when the
    conversion kept every character in place (OpenCC's t2s does, except for rare phrases), else
    the simplified text is shown. With ``max_chars`` the window around the first match is kept.
    """
    shown = original if len(original) == len(simplified) else simplified
    spans = _matches(simplified, terms)
    start, end = 0, len(shown)
    if max_chars is not None and len(shown) > max_chars:
        # Start a little before the first match so the reader sees its context.
        first = spans[0][0] if spans else 0
        start = max(0, min(first - max_chars // 4, len(shown) - max_chars))
        end = start + max_chars
    parts: list[str] = ["…" if start > 0 else ""]
    cursor = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        parts.append(_clean_segment(shown[cursor:s]))
        parts.append(f"<em>{html.escape(shown[s:e], quote=False)}</em>")
        cursor = e
    parts.append(_clean_segment(shown[cursor:end]))
    parts.append("…" if end < len(shown) else "")
    return "".join(parts).strip()


def _clean_segment(text: str) -> str:
    # Newlines and runs of spaces read as one space in a one-line snippet.
    return html.escape(re.sub(r"\s+", " ", text), quote=False)


def snippet(title: str, title_s: str, body: str, body_s: str, terms: Sequence[str]) -> tuple[str, str]:
    """(highlighted title, highlighted body snippet) of one hit."""
    return highlight(title, title_s, terms), highlight(body, body_s, terms, max_chars=SNIPPET_CHARS)
