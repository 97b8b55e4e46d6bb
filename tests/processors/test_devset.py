"""The labelled development set (devset.yaml, scored in full by `python -m bench.nlp`): its shape, and a
few of its texts checked here so a rule change that breaks them fails a test, not only the benchmark."""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.devset import enrich, figure_key, load_devset
from tests.processors.nlp_resources import converter, resources, taxonomy
from tests.processors.test_topics import TOPIC_IDS

CASES = {case["id"]: case for case in load_devset()}


def test_the_devset_is_large_and_varied_enough() -> None:
    cases = list(CASES.values())
    assert len(cases) >= 40
    assert sum(not c["relevant"] for c in cases) >= 10
    assert sum(c["critical"] for c in cases) >= 3
    assert all(set(c["topics"]) <= TOPIC_IDS for c in cases)
    assert all(c["topics"] == [] for c in cases if not c["relevant"])


@pytest.mark.parametrize(
    "case_id",
    [
        "zj-enterprise-compliance",  # several procuratorates of another province
        "gx-food-safety-pil",  # 南宁、柳州、桂林等市检察院
        "sh-ip-protection",  # 浦东新区 under 上海市
        "hb-prosecutor-bribery",  # critical, 某区检察院 left unresolved
        "neg-police-theft-taiyuan",  # police news mentioning a procuratorate in passing
        "neg-court-fundraising-datong",  # court news
        "sx-provincial-juvenile-meeting",  # 省检察院 from the site's region
    ],
)
def test_devset_text(case_id: str) -> None:
    case: dict[str, Any] = CASES[case_id]
    article = enrich(case, resources(), taxonomy(), converter())
    assert sorted(article.procuratorates) == sorted(case["procuratorates"])
    # Every expected topic is found (precision is the benchmark's business: a few extra labels remain).
    assert set(case["topics"]) <= {t.id for t in article.topics}
    assert article.relevant is case["relevant"]
    assert (article.tone == "critical") is case["critical"]
    assert sorted(figure_key(s.value, s.unit) for s in article.statistics) == sorted(
        figure_key(float(f.split()[0]), f.split()[1]) for f in case["figures"]
    )
