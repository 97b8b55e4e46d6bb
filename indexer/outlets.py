"""One outlet whatever its script or decoration: 山西日报 = 山西日報 = 山西日报（演示）. The 来源 and
网站 facets are merged, and their filters matched, on this canonical name, the same way on both
backends: a filter for a name matches the name and its traditional form, each bare or followed by a
bracketed decoration — exactly the values whose canonical name it is (for the usual s2t variants).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import opencc

from indexer.base import FacetBucket, SearchPage
from indexer.text import to_simplified

# A trailing bracketed remark, as sites and 来源 lines decorate a name: （演示） (记者站) 【客户端】.
_DECORATION = re.compile(r"\s*[（(【\[〔][^（()）【】\[\]〔〕]{0,20}[）)】\]〕]\s*$")
OPENING_BRACKETS = ("（", "(", "【", "[", "〔")
_TO_TRADITIONAL = opencc.OpenCC("s2t")


@lru_cache(maxsize=4096)
def canonical_outlet(name: str) -> str:
    """The outlet's name in simplified script without trailing decorations."""
    bare = name.strip()
    while True:
        stripped = _DECORATION.sub("", bare)
        if stripped == bare or not stripped:
            break
        bare = stripped
    return to_simplified(bare).strip()


def canonical_outlets(names: Iterable[str | None]) -> list[str]:
    """Where a story appeared, one name per outlet (山西日报 and 山西日報（演示） are one), in the
    order first met."""
    return list(dict.fromkeys(canonical_outlet(name) for name in names if name and name.strip()))


def script_forms(name: str) -> tuple[str, ...]:
    """The canonical name and its traditional form (one if they are the same)."""
    canonical = canonical_outlet(name)
    return tuple(dict.fromkeys([canonical, _TO_TRADITIONAL.convert(canonical)]))


def decorated_prefixes(name: str) -> tuple[str, ...]:
    """Prefixes of the decorated forms: each script form followed by an opening bracket."""
    return tuple(form + bracket for form in script_forms(name) for bracket in OPENING_BRACKETS)


def merge_outlet_facets(facets: dict[str, list[FacetBucket]]) -> dict[str, list[FacetBucket]]:
    """The 来源 and 网站 facets with one row per canonical outlet (counts summed: an article has one
    source and one site), biggest first; other facets as they are."""
    merged = dict(facets)
    for name in ("source", "site"):
        if name not in facets:
            continue
        counts: dict[str, int] = {}
        for bucket in facets[name]:
            key = canonical_outlet(bucket.value)
            counts[key] = counts.get(key, 0) + bucket.count
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        merged[name] = [FacetBucket(value=v, count=c) for v, c in ranked]
    return merged


def canonical_page(page: SearchPage) -> SearchPage:
    """A page of results as people read it: outlet facets merged (merge_outlet_facets)."""
    if not page.facets:
        return page
    return page.model_copy(update={"facets": merge_outlet_facets(page.facets)})
