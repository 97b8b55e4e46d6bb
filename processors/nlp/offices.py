"""Canonical names of procuratorate offices once their place is read (人民检察院 + branch, or as written)
and the test that tells a procuratorate's short 院 from a court's."""

from __future__ import annotations

import re

from pipeline.gazetteer import Region, level_of
from processors.nlp.places import Place

# What tells a procuratorate's 院 from a court's: what the office does right after it (…县院依法判决),
# else the nearest of these words before it (else after it).
_PROCURATORIAL = re.compile(r"检察|(?P<court>法院|法官|院长|庭长|审判员)")
_OWN_ACT = re.compile(
    r"检察|提起公诉|公诉|批准逮捕|批捕|起诉|抗诉|(?P<court>判决|判处|审理|审结|宣判|裁定|开庭|院长|庭长|审判)"
)
# How far after the 院 its own act is looked for: the rest of a short clause (洪洞县院依法对其判处…).
_ACT_WINDOW = 12


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
    after it) is 检察 (洪洞县院检察长; 县法院…县院 is the court); before that, what the office does in
    the clause right after it (检察院提起公诉后，洪洞县院依法判决 is the court)."""
    act = _OWN_ACT.search(text, at, min(at + _ACT_WINDOW, len(text)))
    if act is not None and not any(p in text[at : act.start()] for p in "，。；！？,;"):
        return act.group("court") is None
    # The nearest one before: the last of the 300 characters before (one paragraph's worth).
    cues = list(_PROCURATORIAL.finditer(text, max(at - 300, 0), at))
    cue = cues[-1] if cues else _PROCURATORIAL.search(text, at)
    return cue is not None and cue.group("court") is None
