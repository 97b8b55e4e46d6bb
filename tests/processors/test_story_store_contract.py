"""Both story stores keep a member as the one ``Member`` model serialises it: what is written is what is
read back (times as the same instants, the sketch whole), on SQLite and on the real Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from processors.reprints.fingerprint import sketch
from processors.reprints.store import Member, StoryStore
from processors.reprints.text import Facts

BEIJING = timezone(timedelta(hours=8))
BODY = (
    "3月5日，临汾市人民检察院召开2024年全市检察工作会议，传达学习全省检察长会议精神。\n"
    "会议指出，2023年全市检察机关共批准逮捕各类犯罪嫌疑人1234人，提起公诉2345人。\n"
    "临汾市检察院党组书记、检察长王磊出席会议并讲话。"
)
FACTS = Facts(
    figures=frozenset({"1234人", "2345人"}), places=frozenset({"山西省/临汾市"}), persons=frozenset({"王磊"})
)


def member(article_id: str, published_at: datetime | None, story_id: str | None = None) -> Member:
    signature = sketch(BODY, FACTS)
    assert signature is not None
    return Member(
        article_id=article_id,
        story_id=story_id,
        url=f"http://news.example.cn/{article_id}.html",
        outlet="临汾新闻网",
        source="山西日报",
        published_at=published_at,
        seen_at=datetime(2024, 3, 5, 2, 0, tzinfo=UTC),
        title="全市检察工作会议",
        content_hash="h-" + article_id,
        registered_at=datetime(2024, 3, 5, 2, 1, tzinfo=UTC),
        sketch=signature,
    )


def test_a_member_reads_back_as_it_was_written(store: StoryStore) -> None:
    beijing = member("a", datetime(2024, 3, 5, 9, 30, tzinfo=BEIJING))
    no_date = member("b", None)
    store.put_many([beijing, no_date])
    back = store.get_many(["a", "b", "never-written"])
    assert back == {"a": beijing, "b": no_date}
    # 09:30 in Beijing is 01:30 UTC: the same instant, whatever zone the store writes in.
    assert back["a"].published_at == datetime(2024, 3, 5, 1, 30, tzinfo=UTC)
    assert back["a"].sketch.persons == {"王磊"} and back["a"].sketch.bands == beijing.sketch.bands


def test_a_decision_written_unsearchable_is_read_at_once_and_a_merge_moves_every_member(
    store: StoryStore,
) -> None:
    first = member("a", datetime(2024, 3, 5, 9, 30, tzinfo=BEIJING))
    later = member("b", datetime(2024, 3, 5, 3, 0, tzinfo=UTC))  # 11:00 in Beijing
    store.put_many([first, later])
    assert all(m.pending for m in store.get_many(["a", "b"]).values())
    store.put_many([first.decided("a"), later.decided("b")], searchable=False)
    assert {i: m.story_id for i, m in store.get_many(["a", "b"]).items()} == {"a": "a", "b": "b"}
    store.merge(["b"], into="a")
    story = store.story("a")
    assert story is not None and [m.article_id for m in story.copies] == ["a", "b"]
    assert story.last_seen - story.first_seen == timedelta(minutes=90)


def test_registering_writes_the_new_members_and_returns_the_held_ones_untouched(store: StoryStore) -> None:
    decided = member("a", None).decided("a")
    store.put_many([decided])
    again, new = member("a", None), member("b", None)  # "a" comes back pending: a replay
    assert store.register([again, new]) == {"a": decided}
    assert store.get_many(["a", "b"]) == {"a": decided, "b": new}
    # What registering wrote is searchable at once, as put_many makes it.
    found = store.candidates(new.sketch.bands, exclude="a", sizes=(0, 10**9))
    assert [m.article_id for m in found] == ["b"]
    assert store.register([]) == {}
