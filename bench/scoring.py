"""Extraction benchmark, scoring: how one tool's answer for one page compares with the page's truth.

Pure functions; the method of each is printed with the benchmark's table (``METHOD``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from crawler.extract.patterns import parse_datetime

BEIJING = timezone(timedelta(hours=8))

METHOD = """\
title         exact match after whitespace normalisation (runs of spaces -> one space, trimmed)
published_at  equal at the truth's precision (date, or down to the minute), in UTC+8; UNKNOWN or
              unparseable truth is not scored. 'published date' = the same at day precision only
authors       set equality (truth split on whitespace; UNKNOWN = no author, scored: expect none);
              null/empty truth is not scored. 'authors or editor': where a page names no author the
              annotators credited the 责任编辑 (or even the 来源); this row scores our editor when
              we found no author (peers have no editor field: same as their authors row)
body F1       character-level F1 on NFKC-normalised text with all whitespace removed; the LCS is
              exact (bit-parallel LCS, Hyyro 2004): precision = LCS/extracted chars,
              recall = LCS/truth chars; mean over pages (a tool returning nothing scores 0)
body snippets trafilatura's benchmark: share of must-contain snippets found plus must-not-contain
              snippets absent, over all snippets of a page; mean over pages
reference F1  body F1 against another extractor's expected output (readability, newspaper4k):
              agreement with a peer, not truth; shown for information, no target"""


@dataclass
class Answer:
    """What one tool extracted from one page, in comparable form."""

    title: str | None = None
    published: datetime | None = None
    authors: set[str] | None = None
    body: str = ""
    editor: str | None = None  # only ours has the field; peers fold 责任编辑 into author when they see it
    source: str | None = None  # ours only, to explain misses (annotations that credit the 来源)


def norm_title(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _chars(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def lcs_length(a: str, b: str) -> int:
    """Length of the longest common subsequence, bit-parallel (Hyyro 2004): O(len(a)·len(b)/word)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full = (1 << len(a)) - 1
    row = full
    for char in b:
        match = row & masks.get(char, 0)
        row = ((row + match) | (row - match)) & full
    return len(a) - bin(row).count("1")


def body_f1(extracted: str, truth: str) -> float:
    got, want = _chars(extracted), _chars(truth)
    common = lcs_length(got, want)
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def date_matches(got: datetime | None, truth: tuple[int, ...], precision: int | None = None) -> bool:
    if got is None:
        return False
    local = got.astimezone(BEIJING) if got.tzinfo else got
    fields = (local.year, local.month, local.day, local.hour, local.minute)
    wanted = truth[:precision] if precision else truth
    return fields[: len(wanted)] == wanted


def snippet_score(body: str, must: list[str], must_not: list[str]) -> float:
    text = _chars(body)
    hits = sum(_chars(s) in text for s in must) + sum(_chars(s) not in text for s in must_not)
    return hits / (len(must) + len(must_not))


def peer_date(value: object) -> datetime | None:
    """A peer's date string (ISO, 2020-02-19 10:23, 2020年02月19日 …) as an aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BEIJING)
    if not isinstance(value, str) or not value.strip():
        return None
    if re.fullmatch(r"\d{10}(?:\d{3})?", value.strip()):  # a Unix timestamp
        return datetime.fromtimestamp(int(value.strip()[:10]), BEIJING)
    return parse_datetime(value)


def peer_authors(value: object) -> set[str]:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    if not isinstance(value, str):
        return set()
    return {a for a in re.split(r"[\s;；,，、/|]+", value) if a}
