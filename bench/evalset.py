"""Extraction benchmark, inputs: the evaluation pages of ``../shared/evaldata`` and the demo sample, with
the ground truth each one carries (read at run time; nothing is copied into the repository).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.settings import REPO_ROOT

EVALDATA = REPO_ROOT.parent / "shared" / "evaldata"
# Ground-truth date strings: "2005-5-7 21:23:57", "2022-02-13 09:57", "2003-5", "2020-01-02", ISO.
_GT_DATE = re.compile(
    r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})[:-](\d{1,2})(?:[:-](\d{1,2}))?)?)?)?\s*$"
)
# Compared down to the minute at most: annotations give seconds only sometimes, pages rarely show them.
MAX_PRECISION = 5


def held_out(item_id: str) -> bool:
    """The set-aside fifth of an evaluation set: the ids whose SHA-1, read as a number, is divisible
    by 5. Fixed by the id alone, so it cannot drift with the rules."""
    return int(hashlib.sha1(item_id.encode("utf-8")).hexdigest(), 16) % 5 == 0


@dataclass
class Case:
    """One page and whatever truth it has (``None`` = this field is not annotated for this page)."""

    id: str
    html: bytes
    url: str
    title: str | None = None
    published: tuple[int, ...] | None = None  # year, month, day[, hour, minute] at the truth's precision
    authors: set[str] | None = None
    body: str | None = None  # full text written by a person (or the sample's own text)
    reference_body: str | None = None  # another extractor's expected output: agreement, not truth
    must_contain: list[str] = field(default_factory=list)
    must_not_contain: list[str] = field(default_factory=list)


def parse_truth_date(value: object, date_only: bool = False) -> tuple[int, ...] | None:
    """Components of a ground-truth date at the precision it gives; ``None`` for UNKNOWN or noise."""
    if not isinstance(value, str):
        return None
    match = _GT_DATE.match(value)
    if match is None:
        return None
    parts = tuple(int(g) for g in match.groups() if g is not None)
    return parts[: 3 if date_only else MAX_PRECISION]


def _authors(truth: dict[str, object]) -> set[str] | None:
    author = truth.get("author")
    if author == "UNKNOWN":
        return set()
    if isinstance(author, str) and author.strip():
        return set(author.split())
    return None  # not annotated (trafilatura's benchmark leaves it empty even when the page names one)


def evaldata_case(meta_path: Path) -> Case:
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    page = meta.get("page") or {}
    truth = meta.get("ground_truth") or {}
    prefix = meta["id"].split("-")[0]
    html = (meta_path.parent / f"{meta['id']}.html").read_bytes()
    url = page.get("url") or f"http://{page.get('site') or 'unknown.example'}/{meta['id']}.html"
    case = Case(id=meta["id"], html=html, url=url)
    if prefix in ("traf", "newspaper4k") and truth.get("title"):
        # readability's "title" is the <title> with the site's suffix, not the headline: not used.
        case.title = truth["title"]
    # newspaper4k writes a date without its time as T00:00:00: only the date is known.
    case.published = parse_truth_date(truth.get("publish_time"), date_only=prefix == "newspaper4k")
    if prefix in ("cwced", "traf"):
        case.authors = _authors(truth)
    if prefix == "cwced" and isinstance(truth.get("content"), str):
        case.body = truth["content"]
    if prefix == "newspaper4k" and isinstance(truth.get("content"), str):
        case.reference_body = truth["content"]
    if prefix == "readability" and isinstance(truth.get("content_text_derived"), str):
        case.reference_body = truth["content_text_derived"]
    case.must_contain = list(truth.get("body_must_contain") or [])
    case.must_not_contain = list(truth.get("body_must_not_contain") or [])
    return case


def demo_cases() -> list[Case]:
    """The shared sample article as the demo sites render it: the 临汾 republication and the original."""
    from crawler.demo import sample
    from crawler.demo.site import LINFEN_SAMPLE_URL, SXRB_SAMPLE_URL, build_pages

    pages = build_pages()
    cases = []
    for ident, path, story in (
        ("demo-linfen-sample", LINFEN_SAMPLE_URL, sample.republished()),
        ("demo-sxrb-sample", SXRB_SAMPLE_URL, sample.original()),
    ):
        names = {w for w in re.split(r"\s+", re.sub(r"^(?:本报)?(?:记者|記者)", "", story.byline)) if w}
        cases.append(
            Case(
                id=ident,
                html=pages[path].body,
                url=f"http://127.0.0.1:8765{path}",
                title=story.title,
                published=parse_truth_date(sample.PUBLISHED),
                authors=names,
                body="\n".join(story.paragraphs),
            )
        )
    return cases


def load_cases(evaldata: Path = EVALDATA) -> list[Case]:
    """Every evaluation page (when the folder exists) plus the demo sample."""
    pages = sorted((evaldata / "pages").glob("*.json")) if evaldata.is_dir() else []
    return [evaldata_case(path) for path in pages] + demo_cases()
