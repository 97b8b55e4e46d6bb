"""Entity step of the ``entities`` stage (after normalise): procuratorates, institutions, persons and places.

Works on the simplified text. Entity offsets are character offsets into ``body_simplified``; mentions
in the title are listed too, with ``in_title=True`` and offsets into ``title_simplified``. Title and
body are one context: 省检察院 in the body is resolved with the province the whole article is about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc

from pipeline.boilerplate import boilerplate_spans
from pipeline.gazetteer import Gazetteer, Region
from pipeline.model import Article, Entity
from pipeline.segmenter import Segmenter, index_words
from pipeline.settings import Settings
from processors.nlp.cities import attach_cities
from processors.nlp.mentions import Mention, resolve_context
from processors.nlp.persons import find_persons, staff_names
from processors.nlp.pipeline import NlpResources, SegmenterTokenizer, doc_words, load_nlp
from processors.normalise import load_converter


def load_entity_resources(settings: Settings) -> NlpResources:
    """The spaCy pipeline of ``settings.spacy_model`` (or the fallback) with the domain layer."""
    resources = load_nlp(settings.spacy_model, generic=settings.generic_ner)
    resources.to_simplified = load_converter()
    return resources


def infer_province(site_regions: Iterable[str], mentions: Iterable[Mention], gaz: Gazetteer) -> Region | None:
    """The article's province: its site's region tag, else the province its places belong to most."""
    for tag in site_regions:
        province = gaz.province(tag)
        if province is not None:
            return province
    counts: Counter[str] = Counter()
    by_path: dict[str, Region] = {}
    for mention in mentions:
        province = mention.region.province if mention.region else None
        if province is not None:
            counts[province.path] += 1
            by_path[province.path] = province
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return by_path[ranked[0][0]]


def _outside(mentions: Sequence[Mention], spans: Sequence[tuple[int, int]]) -> list[Mention]:
    return [m for m in mentions if not any(s <= m.start < e for s, e in spans)]


def _entities(
    text: str,
    doc: Doc,
    mentions: Sequence[Mention],
    staff: dict[str, str],
    in_title: bool,
    segmenter: Segmenter,
) -> list[Entity]:
    entities = [
        Entity(
            text=text[m.start : m.end],
            label=m.label,
            canonical=m.canonical,
            start=m.start,
            end=m.end,
            in_title=in_title,
        )
        for m in mentions
    ]
    generic = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
    for start, end, role, unconfirmed in find_persons(text, generic, staff, mentions, segmenter):
        entities.append(
            Entity(
                text=text[start:end],
                label="PERSON",
                start=start,
                end=end,
                role=role,
                in_title=in_title,
                generic=unconfirmed,
            )
        )
    return sorted(entities, key=lambda e: (e.start, e.end))


def _words(text: str, doc: Doc, resources: NlpResources) -> str:
    """The shared segmenter's words of the text: the doc's own tokens when the segmenter made them
    (the fallback pipeline), else a pass of the segmenter (an installed model tokenizes its own way)."""
    if isinstance(resources.nlp.tokenizer, SegmenterTokenizer):
        return " ".join(index_words(doc_words(doc)))
    return " ".join(resources.segmenter.words(text))


def _unique(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def tag_entities(article: Article, resources: NlpResources) -> Article:
    title = article.title_simplified if article.title_simplified is not None else article.title
    body = article.body_simplified if article.body_simplified is not None else article.body
    title_doc, body_doc = resources.nlp.pipe([title, body])
    raw_title: list[Mention] = title_doc._.jiancha
    # Lines around the story (copyright, source, editor) name outlets and places that are not its
    # subject (an 原标题 line is the story's own title: it names its subject, and is not boilerplate).
    raw_body = _outside(body_doc._.jiancha, boilerplate_spans(body))
    province = infer_province(article.site_regions, [*raw_title, *raw_body], resources.gazetteer)
    title_mentions = resolve_context(raw_title, province)
    body_mentions = resolve_context(raw_body, province)
    context = [*title_mentions, *body_mentions]
    duplicates, ambiguous = resources.gazetteer.duplicates, resources.gazetteer.ambiguous
    title_mentions = attach_cities(title_mentions, context, duplicates, province, ambiguous)
    body_mentions = attach_cities(body_mentions, context, duplicates, province, ambiguous)
    simplified = resources.to_simplified
    editor = simplified(article.editor) if article.editor else None
    staff = staff_names(body, [simplified(a) for a in article.authors], editor)
    segmenter = resources.segmenter
    entities = _entities(title, title_doc, title_mentions, {}, True, segmenter) + _entities(
        body, body_doc, body_mentions, staff, False, segmenter
    )
    mentions = [*title_mentions, *body_mentions]
    regions = [
        r.path
        for m in mentions
        if m.region is not None and m.region.province is not None
        for r in m.region.lineage()
    ]
    return article.model_copy(
        update={
            "nlp_pipeline": resources.description,
            "entities": entities,
            "procuratorates": _unique(m.canonical for m in mentions if m.label == "PROCURATORATE"),
            "regions": _unique(regions),
            # The shared segmenter's words, for ranking in search (see Article.title_words): the
            # query side cuts a query with the same segmenter.
            "title_words": _words(title, title_doc, resources),
            "body_words": _words(body, body_doc, resources),
            "steps": [*article.steps, "entities"],
        }
    )
