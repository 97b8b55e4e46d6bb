"""Reprint detection, second part: the story signature of one article and the "same story?" decision.

A ``Sketch`` holds a MinHash of the content's character 4-grams (its LSH bands find candidates
among millions of articles), a 1-in-8 sample of the 4-grams per paragraph (to check that the
paragraphs of the shorter copy appear in the longer one), a hash of every paragraph (a paragraph
found word for word in several different stories is boilerplate — a procuratorate's opening and
closing formulae, a provincial notice every county quotes — and is not evidence of a copy), and the
figures, places and people reported (the same meeting in two cities, the same beat in one county,
share the wording but not these; the earlier steps found them, see ``text.facts_of``). Pure
functions; state lives in a ``StoryStore``.
"""

from __future__ import annotations

import hashlib
import math
import operator
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from processors.reprints.text import NO_FACTS, Facts, content_lines, reduce

SHINGLE = 4  # characters per shingle: 3-grams are shared by any two 检察 texts, 5-grams die to edits
NUM_PERM = 128
ROWS = 2  # LSH rows per band: 64 bands find copies down to a Jaccard of ~0.2 (edited reprints)
BANDS = NUM_PERM // ROWS
SAMPLE_SHIFT = 29  # keep shingles whose mixed hash has its top 3 bits zero: a 1-in-8 sample
MIN_CHARS = 50  # shorter content is no signature (a caption, a teaser, a "page not found")

# Thresholds measured by bench/reprints.py (see bench/README.md, "Reprints").
MIN_PARAGRAPH_MATCH = 0.3  # share of a paragraph's sampled shingles found in the other copy
MIN_COVERAGE = 0.5  # share of the shorter copy's text in matched paragraphs
MIN_CONTAINMENT = 0.4  # share of the shorter copy's sampled shingles found in the other copy
# Figures of the copy reporting fewer that the other may lack: a reprint sometimes corrects or
# updates a figure or two, so two always, and up to 20 % of them.
FIGURE_CHANGES = 2
FIGURE_CHANGE_SHARE = 0.2
# A text under 40 % of the other's length is an excerpt, or an earlier report the longer one
# quotes (the demo 山西日报 runs both), not a copy of the same story.
MIN_SIZE_RATIO = 0.4
MIN_PLACES = 0.5  # share of the places (of the text naming fewer) that the other names too
MIN_PERSONS = 0.5  # the same for the people named with their role
# A paragraph found word for word in this many different stories is boilerplate (see StoryStore).
BOILERPLATE_STORIES = 3

_rng = np.random.default_rng(20210813)  # fixed: every process must compute the same signature
_A = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_MIX = 0x9E3779B1  # Knuth's multiplicative constant: spreads CRC32 values before sampling


@dataclass(frozen=True)
class Sketch:
    minhash: tuple[int, ...]
    size: int  # distinct shingles
    sample: tuple[tuple[int, ...], ...]  # per paragraph, sorted
    figures: frozenset[str]
    places: frozenset[str]
    persons: frozenset[str] = frozenset()
    paragraphs: tuple[int, ...] = ()  # 63-bit hash of each paragraph of ``sample`` (same order)

    @cached_property
    def bands(self) -> list[int]:
        """LSH band keys (63-bit): two sketches sharing one are candidates for the same story."""
        keys = []
        for band in range(BANDS):
            rows = (band, *self.minhash[band * ROWS : (band + 1) * ROWS])
            digest = hashlib.blake2b(repr(rows).encode(), digest_size=8).digest()
            keys.append(int.from_bytes(digest, "big") >> 1)
        return keys

    @cached_property
    def pool(self) -> frozenset[int]:
        """Every sampled shingle: what another copy's paragraphs are looked up in (once per sketch,
        not once per comparison)."""
        return frozenset(h for p in self.sample for h in p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "minhash": list(self.minhash),
            "size": self.size,
            "sample": [list(p) for p in self.sample],
            "figures": sorted(self.figures),
            "places": sorted(self.places),
            "persons": sorted(self.persons),
            "paragraphs": list(self.paragraphs),
        }

    def sizes(self) -> tuple[int, int]:
        """The sizes a sketch of the same story can have (MIN_SIZE_RATIO either way)."""
        return math.ceil(self.size * MIN_SIZE_RATIO), math.floor(self.size / MIN_SIZE_RATIO)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sketch:
        return cls(
            minhash=tuple(data["minhash"]),
            size=int(data["size"]),
            sample=tuple(tuple(p) for p in data["sample"]),
            figures=frozenset(data["figures"]),
            places=frozenset(data["places"]),
            persons=frozenset(data.get("persons", ())),  # absent from sketches stored before
            paragraphs=tuple(data.get("paragraphs", ())),
        )

    def content(self, boilerplate: Collection[int]) -> list[tuple[int, ...]]:
        """The sampled paragraphs that are not boilerplate."""
        if not boilerplate or len(self.paragraphs) != len(self.sample):
            return list(self.sample)
        return [p for p, h in zip(self.sample, self.paragraphs, strict=True) if h not in boilerplate]


def paragraph_hash(paragraph: str) -> int:
    """63-bit key of a reduced paragraph (fits a signed 64-bit column and an Elasticsearch long)."""
    return int.from_bytes(hashlib.blake2b(paragraph.encode(), digest_size=8).digest(), "big") >> 1


def _shingles(paragraph: str) -> set[int]:
    crc32 = zlib.crc32
    return {crc32(paragraph[i : i + SHINGLE].encode()) for i in range(len(paragraph) - SHINGLE + 1)}


def sketch(body_simplified: str, facts: Facts = NO_FACTS) -> Sketch | None:
    """The signature of a (simplified) body and the facts it reports (``text.facts_of``), or None when
    too little story is left to sign."""
    lines = content_lines(body_simplified)
    paragraphs = [p for p in map(reduce, lines) if p]
    if sum(len(p) for p in paragraphs) < MIN_CHARS:
        return None
    per_paragraph = [_shingles(p) for p in paragraphs]
    every = set().union(*per_paragraph)
    if not every:  # only lines shorter than a shingle (a list of names): nothing to sign
        return None
    hashes = np.fromiter(every, dtype=np.uint64, count=len(every))
    # Multiply-shift hashing: ((a*h + b) mod 2^64) >> 32, one row per permutation. The shift keeps
    # the order, so the minimum is shifted instead of every value.
    values = np.outer(_A, hashes)
    values += _B[:, None]
    minhash = values.min(axis=1) >> np.uint64(32)
    # The 1-in-8 sample, decided once per distinct shingle (a CRC32 times _MIX fits 64 bits).
    keep = set(
        hashes[((hashes * np.uint64(_MIX)) & np.uint64(0xFFFFFFFF)) >> np.uint64(SAMPLE_SHIFT) == 0].tolist()
    )
    sampled = [
        (tuple(sorted(shingles & keep)), text)
        for shingles, text in zip(per_paragraph, paragraphs, strict=True)
    ]
    return Sketch(
        minhash=tuple(minhash.tolist()),
        size=len(every),
        sample=tuple(p for p, _ in sampled if p),
        figures=facts.figures,
        places=facts.places,
        persons=facts.persons,
        paragraphs=tuple(paragraph_hash(text) for p, text in sampled if p),
    )


@dataclass(frozen=True)
class Comparison:
    jaccard: float  # MinHash estimate over all shingles
    containment: float  # sampled shingles of the shorter copy's content found in the other
    coverage: float  # share of the shorter copy's content in paragraphs found in the other
    figures: bool | None  # the figures agree (up to a changed one or two); None: too few to judge
    places: float | None
    persons: float | None
    size_ratio: float  # distinct shingles of the shorter over the longer

    @property
    def same_story(self) -> bool:
        return _facts_allow(self.size_ratio, self.figures, self.places, self.persons) and _text_held(
            self.containment, self.coverage
        )


def _facts_allow(
    size_ratio: float, figures: bool | None, places: float | None, persons: float | None
) -> bool:
    """The cheap half of the rule: sizes alike, and no figure, place or person set that disagrees."""
    return (
        size_ratio >= MIN_SIZE_RATIO
        and figures is not False
        and (places is None or places >= MIN_PLACES)
        and (persons is None or persons >= MIN_PERSONS)
    )


def _text_held(containment: float, coverage: float) -> bool:
    """The other half: enough of the shorter copy's content found in the other."""
    return coverage >= MIN_COVERAGE and containment >= MIN_CONTAINMENT


def _overlap(a: frozenset[str], b: frozenset[str], minimum: int) -> float | None:
    if min(len(a), len(b)) < minimum:
        return None
    return len(a & b) / min(len(a), len(b))


def _ancestors(place: str) -> list[str]:
    """The regions a path lies in: 山西省/临汾市/洪洞县 → 山西省, 山西省/临汾市."""
    parts = place.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def _places_agree(a: frozenset[str], b: frozenset[str]) -> float | None:
    """Share of the places of the text naming fewer that are a place of the other, lie in one or
    contain one (山西省/临汾市/洪洞县 and 山西省/临汾市 agree). By set lookups of the regions each
    path lies in: a batch makes thousands of comparisons."""
    if min(len(a), len(b)) < 1:
        return None
    fewer, more = (a, b) if len(a) <= len(b) else (b, a)
    containing = {region for q in more for region in _ancestors(q)}  # p contains a place of ``more``
    agree = sum(
        p in more or p in containing or any(region in more for region in _ancestors(p)) for p in fewer
    )
    return agree / len(fewer)


def _figures_agree(a: frozenset[str], b: frozenset[str]) -> bool | None:
    """Whether two texts report the same figures, up to the few a reprint changes: of the text
    reporting fewer, at most ``FIGURE_CHANGES`` (or 20 %) are missing from the other, and at least one
    is shared. None (no judgement) when one reports none, or neither more than ``FIGURE_CHANGES``:
    every figure could then be a changed one."""
    fewer = min(len(a), len(b))
    if fewer < 1 or max(len(a), len(b)) <= FIGURE_CHANGES:
        return None
    shared = len(a & b)
    return shared >= 1 and fewer - shared <= max(FIGURE_CHANGES, FIGURE_CHANGE_SHARE * fewer)


def _held(content: list[tuple[int, ...]], other: Sketch) -> tuple[float, float]:
    """(containment, coverage) of ``content`` in the other sketch's paragraphs."""
    hits = other.pool.intersection  # a paragraph's sampled shingles are distinct (taken from a set)
    found = [len(hits(p)) for p in content]
    total = sum(len(p) for p in content)
    if not total:  # no content left: nothing is found
        return 0.0, 0.0
    covered = sum(len(p) for p, n in zip(content, found, strict=True) if n >= MIN_PARAGRAPH_MATCH * len(p))
    return sum(found) / total, covered / total


def compare(a: Sketch, b: Sketch, boilerplate: Collection[int] = ()) -> Comparison:
    """How much of one copy's content (its paragraphs that are not ``boilerplate``) the other holds,
    in the direction where it is most, and whether the facts agree."""
    containment, coverage = max(_held(a.content(boilerplate), b), _held(b.content(boilerplate), a))
    return Comparison(
        jaccard=sum(map(operator.eq, a.minhash, b.minhash)) / NUM_PERM,
        containment=containment,
        coverage=coverage,
        figures=_figures_agree(a.figures, b.figures),
        places=_places_agree(a.places, b.places),
        persons=_overlap(a.persons, b.persons, 1),
        size_ratio=min(a.size, b.size) / max(a.size, b.size, 1),
    )


def same_story(a: Sketch, b: Sketch, boilerplate: Collection[int] = ()) -> bool:
    """``compare(a, b, boilerplate).same_story``, deciding on the cheap tests first (sizes and facts)
    and looking the shingles up only when those pass: a batch makes thousands of comparisons, most
    of them between look-alikes whose facts differ."""
    size_ratio, figures = min(a.size, b.size) / max(a.size, b.size, 1), _figures_agree(a.figures, b.figures)
    if size_ratio < MIN_SIZE_RATIO or figures is False:
        return False  # the cheapest facts first: most look-alikes end here
    places, persons = _places_agree(a.places, b.places), _overlap(a.persons, b.persons, 1)
    if not _facts_allow(size_ratio, figures, places, persons):
        return False
    return _text_held(*max(_held(a.content(boilerplate), b), _held(b.content(boilerplate), a)))
