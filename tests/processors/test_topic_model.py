"""The trained half of the topic step: the n-gram model file, its blend with the cues, and its evidence."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from evaluation.devset import DEVSET, load_devset
from pipeline.model import Article
from processors.topic_model import TopicModel, char_ngrams, model_text
from processors.topics import CRITICAL, RELEVANT, TOPICS_FILE, classify, load_taxonomy
from tests.processors.nlp_resources import annotated, taxonomy


def tiny_model() -> TopicModel:
    """听证 pulls towards hearings, 救助 away from it."""
    return TopicModel(
        idf={"听证": 1.0, "救助": 1.0, "检": 1.0},
        intercepts={"hearings": -1.0},
        weights={"hearings": {"听证": 6.0, "救助": -2.0}},
    )


def test_probabilities_follow_the_weights_of_the_ngrams_found() -> None:
    model = tiny_model()
    with_cue = model.probabilities("", "检察院举行听证")["hearings"]
    without = model.probabilities("", "检察院发放救助金")["hearings"]
    assert with_cue > 0.5 > without
    assert without == pytest.approx(1 / (1 + math.exp(1 + 2 * 1 / math.sqrt(2))))


def test_evidence_is_the_sentences_that_weigh_most_for_the_topic() -> None:
    evidence = tiny_model().evidence("hearings", "", "该院发放救助金。三名听证员到场发表意见。会后合影。")
    assert evidence == ["三名听证员到场发表意见"]


def test_the_training_script_and_the_pipeline_cut_the_same_ngrams() -> None:
    assert char_ngrams("听 证") == ["听", " ", "证", "听 ", " 证", "听 证"]
    assert model_text("标题", "正文") == "标题。标题。正文" and model_text("", "正文") == "正文"


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    config = tmp_path / "topics.yaml"
    text = TOPICS_FILE.read_text(encoding="utf-8").replace("file: topic_model.json", "file: gone.json")
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"bench\.train_topics"):
        load_taxonomy(config)


def test_the_shipped_model_covers_every_topic_and_the_tone_and_keeps_the_file_small() -> None:
    path = TOPICS_FILE.parent / "topic_model.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data["intercepts"]) == {t.id for t in taxonomy().topics} | {CRITICAL, RELEVANT}
    assert path.stat().st_size < 3_000_000


def test_a_topic_the_model_supports_without_cues_shows_sentences_as_evidence() -> None:
    tax = load_taxonomy()
    tax.model = TopicModel(
        idf={"座谈": 1.0}, intercepts={"hearings": 10.0}, weights={"hearings": {"座谈": 1.0}}
    )
    tax.model_weight, tax.model_threshold = 0.5, 0.45
    article = annotated("晋城市检察院召开座谈会", "晋城市人民检察院召开座谈会。与会代表发言。")
    topics = {t.id: t for t in classify(article, tax).topics}
    assert topics["hearings"].evidence[0] == "晋城市检察院召开座谈会"


def test_a_weak_cue_hit_the_model_doubts_is_dropped() -> None:
    article = annotated(
        "平遥县检察院开展工作", "平遥县人民检察院近日就一起案件举行公开听证。该院检察官参加。"
    )
    rules_only = load_taxonomy()
    rules_only.model = None
    assert "hearings" in {t.id for t in classify(article, rules_only).topics}
    doubting = load_taxonomy()
    doubting.model = TopicModel(idf={"听证": 1.0}, intercepts={"hearings": -10.0}, weights={})
    assert "hearings" not in {t.id for t in classify(article, doubting).topics}


def test_a_topic_its_cues_are_sure_of_stays_whatever_the_model_says() -> None:
    article = annotated(
        "临县检察院公开听证化解矛盾",
        "临县人民检察院举行公开听证。听证员逐一发表意见。检察听证让案件办理更透明。",
    )
    doubting = load_taxonomy()
    doubting.model = TopicModel(idf={"听证": 1.0}, intercepts={"hearings": -10.0}, weights={})
    assert doubting.cues_sure is not None
    assert "hearings" in {t.id for t in classify(article, doubting).topics}
    doubting.cues_sure = None
    assert "hearings" not in {t.id for t in classify(article, doubting).topics}


def test_every_topic_on_the_devset_has_evidence() -> None:
    for case in load_devset(DEVSET):
        for topic in classify(annotated(case["title"], case["body"]), taxonomy()).topics:
            assert topic.evidence, (case["id"], topic.id)


def test_the_training_script_writes_a_model_the_pipeline_reads(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from evaluation.topic_training import train

    pairs = [("检察院举行公开听证会", ["hearings"]), ("听证员发表意见听证", ["hearings"])]
    pairs += [("检察院发放司法救助金", ["judicial_aid"]), ("司法救助帮扶困难群众", ["judicial_aid"])]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(train(pairs, ["hearings", "judicial_aid"])), encoding="utf-8")
    model = TopicModel.load(path)
    found = model.probabilities("", "举行听证会")
    assert found["hearings"] > 0.5 > found["judicial_aid"]


def test_negatives_teach_the_tone_label_only_and_leave_the_vocabulary_alone() -> None:
    pytest.importorskip("sklearn")
    from evaluation.topic_training import train

    pairs = [("检察官受贿被查处", [CRITICAL, "misconduct"]), ("检察长违纪被查", [CRITICAL, "misconduct"])]
    pairs += [("检察院举行公开听证会", ["hearings"]), ("听证员发表意见听证", ["hearings"])]
    labels = ["hearings", "misconduct", CRITICAL]
    alone = train(pairs, labels)
    more = train(
        pairs, labels, negatives=["副县长受贿被查处", "局长违纪被查"], negative_labels=frozenset({CRITICAL})
    )
    assert more["terms"] == alone["terms"] and more["idf"] == alone["idf"]
    assert more["weights"]["misconduct"] == alone["weights"]["misconduct"]
    bulletin = "某局长受贿被查处"
    before = TopicModel.from_data(alone).probabilities("", bulletin)[CRITICAL]
    after = TopicModel.from_data(more).probabilities("", bulletin)[CRITICAL]
    assert after < before


def test_the_taxonomy_teaches_the_model_words_no_labelled_text_uses_for_the_topics_only() -> None:
    pytest.importorskip("sklearn")
    from evaluation.topic_training import train

    pairs = [("检察院举行公开听证会", ["hearings", RELEVANT]), ("听证员发表意见听证", ["hearings", RELEVANT])]
    pairs += [
        ("检察院发放司法救助金", ["judicial_aid", RELEVANT]),
        ("司法救助帮扶困难群众", ["judicial_aid", RELEVANT]),
    ]
    pairs += [("法院开庭审理案件", []), ("公安机关破获案件", [])]
    labels = ["hearings", "judicial_aid", RELEVANT]
    described = [("司法救助。防止因案致贫返贫。救助金，因案致贫", ["judicial_aid"])]
    alone = train(pairs, labels, negative_labels=frozenset({RELEVANT}))
    more = train(pairs, labels, negative_labels=frozenset({RELEVANT}), descriptions=described)
    text = "帮助当事人摆脱因案致贫的困境"  # 因案致贫 is in no labelled text
    before = TopicModel.from_data(alone).probabilities("", text)["judicial_aid"]
    after = TopicModel.from_data(more).probabilities("", text)["judicial_aid"]
    assert after > before
    # relevance learns from the labelled texts alone: the description is no example for it, either way
    assert TopicModel.from_data(more).probabilities("", "法院开庭审理案件")[RELEVANT] < 0.5


def test_the_model_decides_the_tone_with_the_cues_as_a_nudge() -> None:
    article = annotated(
        "检察院工作人员被举报", "某县人民检察院的做法令当事人十分失望，称其办案拖沓、敷衍了事。"
    )
    tax = load_taxonomy()
    tax.model = TopicModel(
        idf={"失望": 1.0}, intercepts={CRITICAL: -10.0}, weights={CRITICAL: {"失望": 30.0}}
    )
    assert classify(article, tax).tone == "critical"
    tax.model = TopicModel(idf={"失望": 1.0}, intercepts={CRITICAL: -10.0}, weights={})
    assert classify(article, tax).tone == "neutral"


def _plain_probabilities(model: TopicModel, title: str, body: str) -> dict[str, float]:
    """The model's formula written out one n-gram at a time (what the vectorised scoring must give)."""
    grams = [g for g in char_ngrams(model_text(title, body)) if g in model.idf]
    counts = {g: grams.count(g) for g in set(grams)}
    values = {g: (1 + math.log(n)) * model.idf[g] for g, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    probabilities = {}
    for topic, intercept in model.intercepts.items():
        weights = model.weights.get(topic, {})
        z = intercept + sum(weights.get(g, 0.0) * v / norm for g, v in values.items())
        probabilities[topic] = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
    return probabilities


def test_the_shipped_model_scores_every_devset_text_as_its_formula_says() -> None:
    model = load_taxonomy().model
    assert model is not None
    items = load_devset(DEVSET)
    for item in [*items, {"title": "", "body": "与模型无关的文字 xyz"}, {"title": "", "body": ""}]:
        got = model.probabilities(item["title"], item["body"])
        want = _plain_probabilities(model, item["title"], item["body"])
        assert got.keys() == want.keys()
        assert all(got[t] == pytest.approx(want[t], abs=1e-9) for t in want), item["title"]


def test_spacing_rare_characters_and_repeats_score_as_the_formula_says() -> None:
    # n-grams across a collapsed run of spaces, characters outside the basic plane, repeats: each is
    # counted as ``char_ngrams`` cuts the text, and nothing outside the vocabulary scores.
    grams = ["听 证", " ", "𠀀", "𠀀检", "检察", "察", "证会", "会"]
    model = TopicModel(
        idf={g: 1.0 + i / 10 for i, g in enumerate(grams)},
        intercepts={"hearing": -1.0, "other": 0.5},
        weights={"hearing": {"听 证": 2.0, "证会": 1.5, "𠀀检": -0.7}, "other": {"察": 0.3, " ": -0.2}},
    )
    for title, body in [
        ("听　 证会", "𠀀检察院召开听 \t 证会。听 证会、听 证会。"),
        ("", "检察" * 50),
        ("无关", "abc"),
    ]:
        got, want = model.probabilities(title, body), _plain_probabilities(model, title, body)
        assert all(got[t] == pytest.approx(want[t], abs=1e-12) for t in want), (title, body)
    assert (
        model.probabilities("", "检察院召开听证会")["hearing"] > model.probabilities("", "检察院")["hearing"]
    )


def test_the_model_weighs_in_on_relevance() -> None:
    article = annotated("某地召开会议", "会议听取了人民检察院工作报告。与会人员进行了讨论。")
    tax = load_taxonomy()
    sure = TopicModel(idf={"报告": 1.0}, intercepts={RELEVANT: 10.0}, weights={})
    doubting = TopicModel(idf={"报告": 1.0}, intercepts={RELEVANT: -10.0}, weights={})
    tax.model = sure
    assert classify(article, tax).relevant is True
    tax.model = doubting
    assert classify(article, tax).relevant is False


def _hearing_told_in_passing() -> tuple[Article, TopicModel]:
    """A long story about a procuratorate's work day, two of whose sentences tell of a 座谈 with the parties
    (a model-only word for hearings here), and a model that reads 座谈 as hearings and 检察 as nothing."""
    filler = "".join(f"检察院第{n}项工作顺利开展。" for n in "一二三四五六七八九十")
    body = filler + "检察官与双方当事人座谈。座谈后双方达成和解。" + filler
    model = TopicModel(
        idf={"座谈": 1.0, "检": 1.0}, intercepts={"hearings": -4.0}, weights={"hearings": {"座谈": 8.0}}
    )
    return annotated("平遥县检察院的一天", body), model


def test_a_topic_told_in_two_sentences_of_a_long_story_counts_with_those_sentences() -> None:
    article, model = _hearing_told_in_passing()
    tax = load_taxonomy()
    tax.model, tax.model_weight, tax.model_threshold, tax.cues_sure = model, 0.8, 0.3, None
    tax.sentence_share, tax.sentence_window = 0.0, 2
    assert "hearings" not in {t.id for t in classify(article, tax).topics}  # the whole story dilutes it
    tax.sentence_share = 0.5
    topics = {t.id: t for t in classify(article, tax).topics}
    assert "hearings" in topics
    assert "座谈" in topics["hearings"].evidence[0]


def test_the_best_run_of_sentences_is_read_on_its_own() -> None:
    _, model = _hearing_told_in_passing()
    body = "检察院开展工作。检察官与当事人座谈。检察院继续工作。检察院总结工作。"
    best = model.best_runs("", body, 2)["hearings"]
    assert best[0] > model.probabilities("", body)["hearings"]
    assert best[1] in ("检察院开展工作。检察官与当事人座谈", "检察官与当事人座谈。检察院继续工作")
    assert model.best_runs("检察官座谈", body, 2)["hearings"][1] == "检察官座谈"  # the title is a run too
    assert model.best_runs("", "只有一句座谈", 3)["hearings"][1] == "只有一句座谈"
    assert model.best_runs("", "", 2)["hearings"] == (0.0, "")


def _plain_run_probability(model: TopicModel, sentences: list[str], topic: str) -> float:
    """The formula of a run written out: the n-grams of its sentences counted together."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for gram in char_ngrams(sentence):
            if gram in model.idf:
                counts[gram] = counts.get(gram, 0) + 1
    values = {g: (1 + math.log(n)) * model.idf[g] for g, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
    weights = model.weights.get(topic, {})
    z = model.intercepts[topic] + sum(weights.get(g, 0.0) * v / norm for g, v in values.items())
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def test_the_shipped_model_scores_every_run_of_a_devset_text_as_its_formula_says() -> None:
    model = load_taxonomy().model
    assert model is not None
    items = load_devset(DEVSET)
    # the devset's texts one by one, and a long report made of all of them (scored the sparse way)
    for body in [*(item["body"] for item in items[:12]), "。".join(item["body"] for item in items)]:
        runs = model.best_runs("", body, 3)
        for topic, (probability, text) in runs.items():
            assert probability == pytest.approx(
                _plain_run_probability(model, text.split("。"), topic), abs=1e-9
            )
