"""Finding a long list's words in a text (gazetteer names, topic cues): what a longest-first alternation
finds, in short texts and in long ones (where the possible starts are looked up first)."""

from __future__ import annotations

import random
import re

from pipeline.literals import Literals

WORDS = ["山西", "山西省", "太原", "太原市", "洪洞县", "检", "公益诉讼", "司法救助", "诉讼", "a"]


def _alternation(words: list[str], text: str) -> list[tuple[int, int, str]]:
    pattern = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
    return [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)]


def test_every_name_is_found_as_the_alternation_finds_it() -> None:
    literals = Literals(WORDS)
    rng = random.Random(9)
    alphabet = "山西省太原市洪洞县检察院公益诉讼司法救助的 a\n\ud800𠀀"
    texts = ["", "检", "山西省太原市洪洞县人民检察院", "太原" * 100, "在山西", "司法救"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400))) for _ in range(500)]
    for text in texts:
        assert [tuple(f) for f in literals.finditer(text)] == _alternation(WORDS, text), text


def test_a_long_article_names_its_places_once_each_longest_first() -> None:
    literals = Literals(WORDS)
    text = "本报讯 " + "会议强调。" * 30 + "山西省太原市人民检察院办理公益诉讼案件，诉讼" + "。" * 20
    assert [f.text for f in literals.finditer(text)] == ["山西省", "太原市", "检", "公益诉讼", "诉讼"]
    assert not list(Literals([]).finditer(text))
