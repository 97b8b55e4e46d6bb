"""The entity stage with a real spaCy pipeline package instead of the fallback: a tiny Chinese pipeline
(blank ``zh`` + NER) is trained here, saved with ``to_disk`` and named in ``spacy_model``."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.training import Example

from pipeline.model import Article
from pipeline.settings import Settings
from processors.entities import load_entity_resources, tag_entities
from processors.normalise import load_converter, normalise

# Sentences with the people and (deliberately wrong) organisation spans the tiny model learns: it calls
# 临汾市检察 an ORG, cut short, so the test sees the domain layer, not the model, decide the procuratorate.
TRAINING = [
    ("检察官韩晓峰在临汾市检察院出庭支持公诉。", [(3, 6, "PERSON"), (7, 12, "ORG")]),
    ("韩晓峰介绍了案件办理情况。", [(0, 3, "PERSON")]),
    ("记者见到了被害人家属葛文涛。", [(10, 13, "PERSON")]),
    ("葛文涛向临汾市检察院递交了感谢信。", [(0, 3, "PERSON"), (4, 9, "ORG")]),
    ("临汾市检察院召开新闻发布会。", [(0, 5, "ORG")]),
]


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spacy.util.fix_random_seed(7)
    nlp = spacy.blank("zh")
    ner = nlp.add_pipe("ner")
    for _, spans in TRAINING:
        for _, _, label in spans:
            ner.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(text), {"entities": spans}) for text, spans in TRAINING]
    optimizer = nlp.initialize(lambda: examples)
    optimizer.learn_rate = 0.002  # one example at a time, small steps: learnt the same way for any seed
    for _ in range(50):
        for example in examples:
            nlp.update([example], sgd=optimizer, drop=0.0)
    nlp.meta["name"] = "tiny_test"
    nlp.meta["version"] = "0.0.1"
    path = tmp_path_factory.mktemp("spacy") / "zh_tiny_test"
    nlp.to_disk(path)
    return path


def test_the_packages_entities_arrive_and_the_domain_layer_decides_procuratorates(package: Path) -> None:
    resources = load_entity_resources(Settings(spacy_model=str(package)))
    assert resources.description.startswith(f"{package} 0.0.1")
    assert "fallback" not in resources.description
    text = TRAINING[0][0]
    # The package's own entities, as trained.
    model_ents = {(e.text, e.label_) for e in resources.nlp(text).ents}
    assert ("韩晓峰", "PERSON") in model_ents
    assert ("临汾市检察", "ORG") in model_ents

    article = Article.new("https://example.invalid/spacy", title="", body=text)
    article = tag_entities(normalise(article, load_converter()), resources)
    assert "韩晓峰" in {e.text for e in article.entities if e.label == "PERSON"}
    # The domain layer's canonical name, not the model's span.
    assert article.procuratorates == ["临汾市人民检察院"]
    assert article.nlp_pipeline == resources.description


def test_a_package_with_its_ner_excluded_still_runs_the_domain_layer(package: Path) -> None:
    resources = load_entity_resources(Settings(spacy_model=str(package), generic_ner="off"))
    assert resources.description.endswith("without its ner + jiancha domain rules")
    assert "ner" not in resources.nlp.pipe_names
    article = Article.new("https://example.invalid/spacy-off", title="", body=TRAINING[4][0])
    article = tag_entities(normalise(article, load_converter()), resources)
    assert article.procuratorates == ["临汾市人民检察院"]
