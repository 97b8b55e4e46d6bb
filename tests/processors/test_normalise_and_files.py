"""The normalise step (the file mode of every stage is tested in tests/pipeline/test_file_bus.py)."""

from __future__ import annotations

from pipeline.model import Article
from processors.normalise import load_converter, normalise


def test_normalise_adds_simplified_text_and_keeps_the_original() -> None:
    article = Article.new("http://x.cn/1", title="檢察機關司法救助", body="全省檢察機關發放救助金。")
    result = normalise(article, load_converter())
    assert result.title == "檢察機關司法救助" and result.body == "全省檢察機關發放救助金。"
    assert result.title_simplified == "检察机关司法救助"
    assert result.body_simplified == "全省检察机关发放救助金。"
    assert result.steps == ["normalise"]
