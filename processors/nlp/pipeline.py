"""The spaCy pipeline of the entity processor: the model named in settings, or the fallback.

``zh_core_web_sm`` is installed in the Docker image. Where it is missing, a blank Chinese pipeline
tokenized by the shared segmenter (``pipeline.segmenter``) runs instead, with jieba's part-of-speech names (nr/ns/nt) as its generic
PERSON/GPE/ORG layer, in one of three modes (setting ``generic_ner``): ``posseg`` runs jieba's
part-of-speech tagger with its HMM over the text again (finds unknown names, ~2/3 of the step's time);
``tokens`` looks the segmenter's own words up in jieba's dictionary tags, no second pass (about a
twentieth of that cost; it finds no name the dictionary lacks, which posseg's guesses rarely got right:
张某于); ``off`` has no generic layer (with an installed model: its ``ner`` is excluded). Either way the domain component
(``jiancha_domain``) runs last. Loaded once per worker; one INFO line says which pipeline runs, and
``nlp_pipeline`` says it in every article.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans
from spacy.vocab import Vocab

from pipeline.gazetteer import Gazetteer, load_gazetteer
from pipeline.segmenter import Segmenter, shared_segmenter
from processors.nlp.institutions import DomainMatcher
from processors.nlp.places import PlaceParser

log = logging.getLogger(__name__)

GENERIC_LABELS = {"nr": "PERSON", "ns": "GPE", "nt": "ORG"}
GenericMode = Literal["posseg", "tokens", "off"]
if not Doc.has_extension("jiancha"):
    Doc.set_extension("jiancha", default=None)


@dataclass
class NlpResources:
    """Everything the entity step needs, loaded once per worker."""

    nlp: Language
    description: str
    gazetteer: Gazetteer
    matcher: DomainMatcher
    segmenter: Segmenter
    # Author and editor fields arrive in the page's script (鄧偉強); the text is matched simplified.
    to_simplified: Callable[[str], str] = str


# Where the fallback's tokenizer leaves the text and its words in ``doc.user_data``: reading them back
# is much cheaper than ``doc.text`` or iterating the doc's tokens, which build a Python object per token.
TEXT, WORDS = "jiancha_text", "jiancha_words"


def words_and_spaces(cut: list[str], text: str) -> tuple[list[str], list[bool]]:
    """``spacy.util.get_words_and_spaces(cut, text)`` for words that make up the text exactly, as
    the segmenter's do, in one pass: spaCy's looks each word up in a fresh copy of the rest of the
    text (quadratic: a 2 000-character article cost 3 ms). Whitespace words are dropped, one space
    right after a word becomes its trailing space, any other whitespace a token of its own."""
    if "".join(cut) != text or any(w[:1].isspace() and not w.isspace() for w in cut):
        return spacy.util.get_words_and_spaces(cut, text)
    words: list[str] = []
    spaces: list[bool] = []

    def whitespace(gap: str) -> None:  # the token before it, if any, is a word
        if words and gap[:1] == " ":
            spaces[-1], gap = True, gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)

    gap = ""
    for word in cut:
        if word.isspace():
            gap += word
            continue
        if gap:
            whitespace(gap)
            gap = ""
        words.append(word)
        spaces.append(False)
    if gap:
        whitespace(gap)
    return words, spaces


class SegmenterTokenizer:
    """The fallback pipeline's tokenizer: the shared segmenter's words as spaCy tokens."""

    def __init__(self, vocab: Vocab, segmenter: Segmenter) -> None:
        self.vocab = vocab
        self.segmenter = segmenter

    def __call__(self, text: str) -> Doc:
        words, spaces = words_and_spaces(self.segmenter.cut(text), text)
        doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data[TEXT], doc.user_data[WORDS] = text, words
        return doc


def doc_text(doc: Doc) -> str:
    """The text of ``doc`` (as the fallback's tokenizer recorded it, else spaCy's own)."""
    text: str | None = doc.user_data.get(TEXT)
    return doc.text if text is None else text


def doc_words(doc: Doc) -> list[str]:
    """The tokens' texts of ``doc`` (as the fallback's tokenizer recorded them, else from the tokens)."""
    words: list[str] | None = doc.user_data.get(WORDS)
    return [t.text for t in doc] if words is None else words


def _posseg_spans(doc: Doc, segmenter: Segmenter) -> list[Span]:
    """jieba's part-of-speech tagger (with its HMM) over the text: its own words and tags."""
    spans: list[Span] = []
    position = 0
    for word, flag in segmenter.tagged(doc_text(doc)):
        start, position = position, position + len(word)
        label = GENERIC_LABELS.get(flag)
        if label and len(word) >= 2:
            span = doc.char_span(start, position, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
    return spans


def _token_spans(doc: Doc, segmenter: Segmenter) -> list[tuple[str, int, int]]:
    """The segmenter's words (the doc's tokens) with the dictionary's tags: no second pass over the text.
    As (label, start token, end token): one token each, so they never overlap, and spaCy makes the
    spans itself when they are set as the doc's entities (no Span object built here)."""
    tags = segmenter.tagger.word_tag_tab
    labels = GENERIC_LABELS
    return [
        (label, i, i + 1)
        for i, word in enumerate(doc_words(doc))
        if len(word) >= 2 and (label := labels.get(tags.get(word, ""), "")) != ""
    ]


class GenericNer:
    """The fallback's generic layer: the dictionary's person, place and organisation words as entities."""

    def __init__(self, mode: str) -> None:
        if mode not in ("posseg", "tokens"):
            raise ValueError(f"generic NER mode {mode!r}: choose posseg or tokens")
        self.mode = mode
        self.segmenter: Segmenter | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.segmenter is None:
            raise RuntimeError("jiancha_generic_ner has no segmenter; build the pipeline with load_nlp()")
        if self.mode == "tokens":
            doc.ents = _token_spans(doc, self.segmenter)  # type: ignore[assignment]  # spaCy takes tuples
        else:
            doc.ents = filter_spans(_posseg_spans(doc, self.segmenter))
        return doc


@Language.factory("jiancha_generic_ner", default_config={"mode": "posseg"})
def make_generic_ner(nlp: Language, name: str, mode: str) -> GenericNer:
    return GenericNer(mode)


def load_nlp(
    model: str,
    gaz: Gazetteer | None = None,
    generic: GenericMode = "posseg",
    segmenter: Segmenter | None = None,
) -> NlpResources:
    """The pipeline named ``model``, or the blank fallback on the shared segmenter when it is not
    installed; ``generic`` is the fallback's generic NER mode (``off``: none, and an installed model's
    ``ner`` is excluded)."""
    gaz = gaz or load_gazetteer()
    segmenter = segmenter or shared_segmenter()
    matcher = DomainMatcher(gaz, PlaceParser(gaz, segmenter.tag_of, segmenter.freq_of))
    try:
        excluded = ["parser", "lemmatizer", "attribute_ruler", *(["ner"] if generic == "off" else [])]
        nlp = spacy.load(model, exclude=excluded)
        description = f"{model} {nlp.meta.get('version', '')}".strip()
        if generic == "off":
            description += " without its ner"
    except OSError:
        nlp = spacy.blank("zh")
        nlp.tokenizer = SegmenterTokenizer(nlp.vocab, segmenter)
        if generic != "off":
            nlp.add_pipe("jiancha_generic_ner", config={"mode": generic})
            nlp.get_pipe("jiancha_generic_ner").segmenter = segmenter  # type: ignore[attr-defined]
        layer = {"posseg": "", "tokens": ", generic layer from dictionary tags", "off": ", no generic layer"}
        description = f"fallback: blank zh + jieba{layer[generic]} ({model} is not installed)"
    nlp.add_pipe("jiancha_domain", config={})
    nlp.get_pipe("jiancha_domain").matcher = matcher  # type: ignore[attr-defined]
    description += " + jiancha domain rules"
    log.info("entity pipeline: %s", description)
    return NlpResources(nlp, description, gaz, matcher, segmenter)


class DomainComponent:
    """Stores the domain mentions (unresolved context) in ``doc._.jiancha`` and as ``doc.spans``."""

    def __init__(self) -> None:
        self.matcher: DomainMatcher | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.matcher is None:
            raise RuntimeError("jiancha_domain has no matcher; build the pipeline with load_nlp()")
        mentions = self.matcher.raw(doc_text(doc))
        doc._.jiancha = mentions
        spans = [doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand") for m in mentions]
        doc.spans["jiancha"] = [s for s in spans if s is not None]
        return doc


@Language.factory("jiancha_domain")
def make_domain(nlp: Language, name: str) -> DomainComponent:
    return DomainComponent()
