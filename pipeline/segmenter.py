"""The project's one word segmenter, shared by the entity stage (its spaCy tokenizer and the word fields
``title_words``/``body_words``), the keyword step and the search side (the words of a query).

It is an explicit ``jieba.Tokenizer`` instance: jieba's dictionary plus the words of ``config/`` — the
gazetteer's place names (tagged ``ns``, so 黄梅县 stays one word instead of 黄|梅县), the procuratorate's
institution words (``nt``) and the topic taxonomy's cue phrases (公益诉讼). jieba's module-level
dictionary is never touched, so a query is cut the same way in every process, whatever else runs there.
Built once per process (``shared_segmenter``); loading the dictionary takes about a second.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import jieba
import jieba.posseg
import yaml

from pipeline.gazetteer import GAZETTEER_FILE, Gazetteer, Region, load_gazetteer, short_form
from pipeline.settings import CONFIG_DIR
from pipeline.word_route import WordRoute

log = logging.getLogger(__name__)

TOPICS_FILE = CONFIG_DIR / "topics.yaml"
# Words of the institution itself, kept whole and tagged as organisations.
INSTITUTION_WORDS = ("人民检察院", "检察院", "检察机关", "检察官", "最高检")


def gazetteer_words(gaz: Gazetteer) -> list[str]:
    """The gazetteer's names that are words of free text: official names (洪洞县) and the short forms of
    provinces and cities (山西, 临汾); not a bare short county name (洪洞 is a place only before an
    institution), not an ambiguous one (城区) and not a chain (临汾市洪洞县 is two words)."""

    def is_word(name: str, region: Region) -> bool:
        return name == region.name or (region.level != "county" and name == short_form(region.name))

    return sorted(
        name
        for name, regions in gaz.names.items()
        if len(name) >= 2
        and name not in gaz.context_only
        and name not in gaz.ambiguous
        and any(is_word(name, r) for r in regions)
    )


def cue_phrases(topics_file: Path = TOPICS_FILE) -> list[str]:
    """The taxonomy's plain cue phrases (regular-expression cues left out)."""
    data: dict[str, Any] = yaml.safe_load(topics_file.read_text(encoding="utf-8"))
    sections = [t.get("cues", {}) for t in data.get("topics", [])]
    return sorted(
        {str(c) for cues in sections for c in cues if not str(c).startswith("re:") and len(str(c)) >= 2}
    )


@lru_cache(maxsize=100_000)  # an article repeats most of its words, and a corpus most of its vocabulary
def _index_form(word: str) -> str:
    lowered = word.strip().lower()
    return "" if all(unicodedata.category(c)[0] in "PZ" for c in lowered) else lowered


def index_words(cut: Iterable[str]) -> tuple[str, ...]:
    """The segmenter's words as they are indexed and queried: lower-cased, spaces and punctuation left out."""
    return tuple(w for w in map(_index_form, cut) if w)


class Segmenter:
    """jieba's dictionary and tagger in an instance of their own, with the project's words added."""

    def __init__(
        self, places: Iterable[str] = (), organisations: Iterable[str] = (), phrases: Iterable[str] = ()
    ):
        jieba.setLogLevel(logging.WARNING)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        self.tagger = jieba.posseg.POSTokenizer(self.tokenizer)
        for name in places:
            # At least the frequency that makes the name win over its pieces (古|县 has the higher
            # product in jieba's dictionary although 古县 is in it); a more frequent word keeps its own.
            freq = max(self.freq_of(name), self.tokenizer.suggest_freq(name))
            self.tokenizer.add_word(name, freq=freq, tag="ns")
        for word in organisations:
            self.tokenizer.add_word(word, tag="nt")
        for phrase in phrases:
            self.tokenizer.add_word(phrase)
        self.tagger.makesure_userdict_loaded()
        # jieba's own words, found with less Python per character (pipeline/word_route.py)
        self.route = WordRoute(self.tokenizer)

    def cut(self, text: str) -> list[str]:
        """The words of ``text`` in order, spaces and punctuation included (they join back to ``text``):
        those of ``self.tokenizer.cut(text)``."""
        return [w for w in self.route.cut(text) if w]

    def words(self, text: str) -> tuple[str, ...]:
        """The words to index or query with: lower-cased, spaces and punctuation left out."""
        return index_words(self.route.cut(text))

    def tagged(self, text: str) -> Iterator[tuple[str, str]]:
        """jieba's part-of-speech tagger (with its HMM for unknown words) over ``text``."""
        for pair in self.tagger.cut(text):
            yield pair.word, pair.flag

    def tag_of(self, word: str) -> str | None:
        """The dictionary's word class of ``word`` (``ns`` for a place), None when it is not a word."""
        tag: str | None = self.tagger.word_tag_tab.get(word)
        return tag

    def freq_of(self, word: str) -> int:
        """The dictionary's frequency of ``word`` (0 when it is not a word)."""
        return int(self.tokenizer.FREQ.get(word) or 0)


def build_segmenter(gazetteer_file: Path = GAZETTEER_FILE, topics_file: Path = TOPICS_FILE) -> Segmenter:
    gaz = load_gazetteer(gazetteer_file)
    segmenter = Segmenter(gazetteer_words(gaz), INSTITUTION_WORDS, cue_phrases(topics_file))
    log.info("segmenter: jieba dictionary + %d gazetteer names + taxonomy phrases", len(gaz.names))
    return segmenter


@lru_cache(maxsize=4)
def shared_segmenter(gazetteer_file: Path = GAZETTEER_FILE, topics_file: Path = TOPICS_FILE) -> Segmenter:
    """The process's segmenter for these config files, built on first use."""
    return build_segmenter(gazetteer_file, topics_file)
