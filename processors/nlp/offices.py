"""Canonical names of procuratorate offices once their place is read (人民检察院 + branch, or as written)
and the test that tells a procuratorate's short 院 from a court's."""

from __future__ import annotations

import re

from pipeline.gazetteer import Region, level_of
from processors.nlp.places import Place

# What tells a procuratorate's 院 from a court's: the nearest of these before it (else after it).
_PROCURATORIAL = re.compile(r"检察|(?P<court>法院|法官|院长|庭长|审判员)")


def office_name(text: str, place: Place, anchor: re.Match[str], branch: str) -> str:
    """The canonical name: 人民检察院 + its branch; 喀什地区检察分院 keeps its 分院 (人民检察分院); a name the
    gazetteer (every city and county) lacks is no unit, and kept as written (海口市、洋浦检察院: 洋浦检察院)."""
    region = place.region
    if unresolved_name(region):
        return text[place.start : place.end] + text[anchor.start() : anchor.end()]
    if anchor.group("office") == "分院" and not branch:
        return region.procuratorate.removesuffix("检察院") + "检察分院"
    return region.procuratorate + branch


def unresolved_name(region: Region) -> bool:
    """A bare place word of the dictionary (洋浦) that the gazetteer lacks: no unit, no level."""
    return region.code is None and region.parent is None and level_of(region.name) is None


def procuratorial(text: str, at: int) -> bool:
    """Whether a short 院 at ``at`` is a procuratorate's: the nearest 检察 or court word before it (else
    after it) is 检察 (洪洞县院检察长; 县法院…县院 is the court)."""
    # The nearest one before: the last of the 300 characters before (one paragraph's worth).
    cues = list(_PROCURATORIAL.finditer(text, max(at - 300, 0), at))
    cue = cues[-1] if cues else _PROCURATORIAL.search(text, at)
    return cue is not None and cue.group("court") is None
