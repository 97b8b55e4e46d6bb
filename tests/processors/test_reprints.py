"""Reprint detection: copies of one story share a story id, look-alikes and scraps don't, on both stores.

Over 300 lines: each case is a few realistic article texts written out in full (data, not code)."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from crawler.demo.articles import LINFEN, SXRB
from crawler.demo.sample import original, republished
from pipeline.errors import SchemaMissing
from pipeline.model import Article
from processors.entities import tag_entities
from processors.normalise import load_converter, normalise
from processors.reprints import fingerprint
from processors.reprints.fingerprint import Sketch, compare, same_story, sketch
from processors.reprints.sqlite_store import SqliteStoryStore
from processors.reprints.step import assign_story
from processors.reprints.store import Lookup, Member, StoryStore
from processors.reprints.text import content_lines, facts_of, reduce
from processors.statistics import extract_statistics
from tests.processors.nlp_resources import resources

CONVERT = load_converter()
BEIJING = timezone(timedelta(hours=8))
PUBLISHED = datetime(2021, 8, 13, 9, 36, 16, tzinfo=BEIJING)


def linfen_copy(published: datetime = PUBLISHED) -> Article:
    page = republished()
    body = "\n".join((*page.paragraphs, page.byline, page.editor_line, page.copyright))
    return normalise(
        Article.new(
            "http://127.0.0.1:8765/linfen/news/202108/t20210813_1.html",
            site="临汾新闻网（演示）", source="山西日報", published_at=published, title=page.title, body=body,
        ),
        CONVERT,
    )  # fmt: skip


def sxrb_original(published: datetime = PUBLISHED) -> Article:
    page = original()
    return normalise(
        Article.new(
            "http://127.0.0.1:8765/sxrb/fazhi/1.shtml",
            site="山西日报（演示）", source="山西日报", published_at=published, title=page.title,
            body="\n".join((*page.paragraphs, page.byline)),
        ),
        CONVERT,
    )  # fmt: skip


def with_facts(article: Article) -> Article:
    """The article after the steps before the reprint step: entities and figures (its facts)."""
    return extract_statistics(tag_entities(article, resources()))


def signed(body: str, title: str = "会议") -> Sketch | None:
    """The signature the reprint step makes of ``body`` once the earlier steps have run."""
    article = with_facts(normalise(Article.new("http://meeting.cn/1.html", title=title, body=body), CONVERT))
    return sketch(article.body_simplified or "", facts_of(article))


def demo_article(story: object, n: int) -> Article:
    body = "\n".join(story.paragraphs)  # type: ignore[attr-defined]
    title = story.title  # type: ignore[attr-defined]
    article = Article.new(f"http://demo.cn/{n}.html", site="演示", title=title, body=body)
    return with_facts(normalise(article, CONVERT))


def test_the_damaged_traditional_reprint_and_its_original_are_one_story(store: StoryStore) -> None:
    reprint = assign_story(linfen_copy(), store, CONVERT)
    first = assign_story(sxrb_original(), store, CONVERT)
    assert reprint.story_id == first.story_id and reprint.story_id is not None
    story = store.story(reprint.story_id)
    assert story is not None
    assert story.outlets == ["临汾新闻网（演示）", "山西日报（演示）"]
    assert story.original.url.endswith("/sxrb/fazhi/1.shtml")  # named in 来源, though not the earliest
    assert story.first_seen == story.last_seen == PUBLISHED
    # A replay of the same article keeps its story.
    assert assign_story(linfen_copy(), store, CONVERT).story_id == reprint.story_id


def test_different_stories_with_the_same_beat_stay_apart(store: StoryStore) -> None:
    ids = {assign_story(demo_article(s, n), store, CONVERT).story_id for n, s in enumerate((*LINFEN, *SXRB))}
    assert len(ids) == len(LINFEN) + len(SXRB)


def test_without_a_source_match_the_earliest_copy_is_the_original(store: StoryStore) -> None:
    later = linfen_copy(PUBLISHED + timedelta(days=1)).model_copy(update={"source": None})
    earlier = sxrb_original(PUBLISHED).model_copy(update={"source": None, "site": "某县融媒体中心"})
    story_id = assign_story(later, store, CONVERT).story_id
    assert assign_story(earlier, store, CONVERT).story_id == story_id
    story = store.story(story_id or "")
    assert story is not None and story.original.outlet == "某县融媒体中心"
    assert story.last_seen - story.first_seen == timedelta(days=1)


def test_short_and_boilerplate_only_bodies_never_join_a_story(tmp_path: Path) -> None:
    store = SqliteStoryStore(tmp_path / "s.sqlite3")
    store.init()
    short = "省检察院召开新闻发布会，通报检察听证工作情况。"  # under 50 characters
    furniture = "\n".join(
        ["记者 王磊 通讯员 张晓燕", "责任编辑：刘芳", "来源：山西日报", "版权声明：未经授权不得转载。"] * 5
    )
    # A list of short lines (names, one a line): 50 characters and more, but no line a shingle long.
    names = "\n".join(["王磊", "张晓燕", "刘芳", "李强", "赵敏", "陈静", "周伟", "吴刚"] * 4)
    for body in (short, furniture, names):
        assert sketch(body) is None
        a = normalise(Article.new("http://a.cn/1.html", title="甲", body=body), CONVERT)
        b = normalise(Article.new("http://b.cn/1.html", title="乙", body=body), CONVERT)
        assert assign_story(a, store, CONVERT).story_id == a.article_id
        assert assign_story(b, store, CONVERT).story_id == b.article_id
    assert store.candidates([1, 2, 3], exclude="", sizes=(0, 10**9)) == []  # nothing was registered


MEETING = (
    "3月5日，{city}人民检察院召开2024年全市检察工作会议，传达学习全省检察长会议精神，总结2023年工作，部署2024年任务。\n"
    "会议指出，2023年全市检察机关共批准逮捕各类犯罪嫌疑人{a}人，提起公诉{b}人，办理公益诉讼案件{c}件。\n"
    "会议要求，要聚焦主责主业，做优刑事检察、做强民事检察、做实行政检察、做好公益诉讼检察。\n"
    "{city}检察院党组书记、检察长{name}出席会议并讲话。"
)


def test_the_same_meeting_in_two_cities_is_two_stories_and_a_reprint_is_one() -> None:
    linfen = signed(MEETING.format(city="临汾市", a=1234, b=2345, c=345, name="王磊"))
    datong = signed(MEETING.format(city="大同市", a=987, b=1876, c=402, name="李强"))
    # The same report with a byline, an editor and a few words changed: a reprint.
    edited = MEETING.replace("聚焦主责主业", "突出主责主业").replace("出席会议", "出席")
    reprinted = signed(
        "本报讯（记者 张三）"
        + edited.format(city="临汾市", a=1234, b=2345, c=345, name="王磊")
        + "\n责任编辑：李四"
    )
    assert linfen and datong and reprinted
    assert compare(linfen, datong).jaccard > 0.5  # the wording alone would call them one story
    assert not compare(linfen, datong).same_story
    assert compare(linfen, reprinted).same_story


def test_the_quick_verdict_is_the_full_comparisons_verdict() -> None:
    # same_story decides on the facts before the shingles; it must never disagree with compare.
    texts = [
        MEETING.format(city=city, a=a, b=b, c=c, name=name)
        for city, name in (("临汾市", "王磊"), ("大同市", "李强"), ("临汾市", "李强"))
        for a, b, c in ((1234, 2345, 345), (1234, 2345, 346), (987, 1876, 402))
    ]
    texts += ["本报讯（记者 张三）" + t.replace("聚焦主责主业", "突出主责主业") for t in texts[::2]]
    texts += [t.split("\n", 1)[1] for t in texts[:4]]  # the opening paragraph dropped
    sketches = [s for s in map(signed, texts) if s is not None]
    formula = {sketches[0].paragraphs[-1]}  # a paragraph taken for boilerplate
    verdicts = {
        (compare(a, b, known).same_story, same_story(a, b, known))
        for a in sketches
        for b in sketches
        for known in ((), formula)
    }
    assert {full for full, _ in verdicts} == {True, False}  # both verdicts occur
    assert all(full == quick for full, quick in verdicts)


def test_the_signature_carries_the_facts_the_entity_and_figures_steps_found() -> None:
    body = (
        "本报讯（记者 张三）"
        + MEETING.format(city="临汾市", a=1234, b=2345, c=345, name="王磊")
        + "\n责任编辑：李四"
    )
    article = with_facts(
        normalise(Article.new("http://meeting.cn/2.html", title="全市检察工作会议", body=body), CONVERT)
    )
    facts = facts_of(article)
    assert facts.persons == {"王磊"}  # the procurator-general, not the reporter or the editor
    assert facts.places == {"山西省/临汾市"}
    assert facts.figures == {"1234人", "2345人", "345件"}  # counts, not the dates (3月5日, 2024年)
    signature = sketch(article.body_simplified or "", facts)
    assert signature is not None and signature.persons == facts.persons
    # The text alone is not searched for facts again: without the steps' fields there are none.
    bare = sketch(article.body_simplified or "")
    assert bare is not None and not (bare.persons or bare.places or bare.figures)


class RegisterTogether(SqliteStoryStore):
    """A replica whose pending registration waits until the other replica registered too: the
    worst interleaving, where neither has decided when both look for matches."""

    def __init__(self, path: Path, barrier: threading.Barrier) -> None:
        super().__init__(path)
        self.barrier = barrier

    def put_many(self, members: Sequence[Member], searchable: bool = True) -> None:
        super().put_many(members, searchable)
        if members and members[0].pending:
            self.barrier.wait(timeout=10)


def _work(results: dict[int, str | None], i: int, article: Article, replica: StoryStore) -> None:
    results[i] = assign_story(article, replica, CONVERT).story_id


@pytest.mark.parametrize("interleaving", ["together", "free"])
def test_two_copies_arriving_at_once_on_two_replicas_end_in_one_story(
    tmp_path: Path, interleaving: str
) -> None:
    for run in range(5):
        path = tmp_path / f"{interleaving}{run}.sqlite3"
        barrier = threading.Barrier(2)
        replicas = [
            RegisterTogether(path, barrier) if interleaving == "together" else SqliteStoryStore(path)
            for _ in range(2)
        ]
        replicas[0].init()
        articles = [linfen_copy(), sxrb_original()]
        results: dict[int, str | None] = {}

        threads = [
            threading.Thread(target=_work, args=(results, i, articles[i], replicas[i])) for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert results[0] == results[1] is not None
        story = replicas[0].story(results[0] or "")
        assert story is not None and len(story.copies) == 2


def sample_part(paragraphs: list[str], n: int, published: datetime = PUBLISHED) -> Article:
    return normalise(
        Article.new(
            f"http://part.cn/{n}.html", site=f"outlet{n}", published_at=published, title="部分",
            body="\n".join(paragraphs),
        ),
        CONVERT,
    )  # fmt: skip


def test_a_copy_matching_two_stories_merges_them_into_the_smallest_id(store: StoryStore) -> None:
    paragraphs = list(original().paragraphs)
    first, second = paragraphs[:8], paragraphs[12:20]
    a = assign_story(sample_part(first, 1), store, CONVERT)
    b = assign_story(sample_part(second, 2), store, CONVERT)
    assert a.story_id == a.article_id and b.story_id == b.article_id  # no match between the halves
    both = assign_story(sample_part(first + second, 3), store, CONVERT)  # carries both: A–C–B
    smallest = min(a.article_id, b.article_id)
    assert both.story_id == smallest
    merged = store.story(smallest)
    assert merged is not None and {m.article_id for m in merged.copies} == {
        a.article_id, b.article_id, both.article_id
    }  # fmt: skip
    larger = max(a.article_id, b.article_id)
    assert store.members(larger) == []  # every member re-pointed
    # A later copy of either half joins the merged story.
    again = assign_story(sample_part(second, 4), store, CONVERT)
    assert again.story_id == smallest


def test_copies_are_looked_for_within_the_time_window(store: StoryStore) -> None:
    later = PUBLISHED + timedelta(days=60)
    reprint = assign_story(linfen_copy(), store, CONVERT)
    far = assign_story(sxrb_original(later), store, CONVERT)
    assert far.story_id == far.article_id  # 60 days apart: not looked at (default window 30 days)
    member = store.get(reprint.article_id)
    assert member is not None
    window = (later - timedelta(days=1), later + timedelta(days=1))
    assert store.candidates(member.sketch.bands, exclude="", sizes=(0, 10**9), window=window) != []
    window = (later + timedelta(days=1), later + timedelta(days=2))
    assert store.candidates(member.sketch.bands, exclude="", sizes=(0, 10**9), window=window) == []
    # A third copy, looked for over 90 days, finds both and merges their stories.
    third = sxrb_original(later).model_copy(update={"url": "http://other.cn/1.html", "article_id": "0" * 32})
    wider = assign_story(third, store, CONVERT, window=timedelta(days=90))
    assert wider.story_id == min(reprint.article_id, far.article_id)
    assert {m.story_id for m in (store.get(a.article_id) for a in (reprint, far, third))} == {wider.story_id}


def test_paragraphs_of_three_stories_are_boilerplate(store: StoryStore) -> None:
    frame = "该院高度重视，第一时间成立以检察长为组长的工作领导小组，制定工作方案，明确责任分工，确保各项工作落到实处。"
    bodies = [
        f"{frame}\n{story.paragraphs[0]}"  # type: ignore[attr-defined]
        for story in (*LINFEN, *SXRB)[:3]
    ]
    hashes = set()
    for n, body in enumerate(bodies):
        article = with_facts(normalise(Article.new(f"http://f.cn/{n}.html", title="稿", body=body), CONVERT))
        assign_story(article, store, CONVERT)
        signed = sketch(article.body_simplified or "")
        assert signed is not None
        hashes |= set(signed.paragraphs)
        expected = 1 if n == 2 else 0  # the frame, once three stories carry it
        # Decisions reach Elasticsearch's searches within its refresh interval (a second).
        deadline = time.monotonic() + 5
        while len(known := store.boilerplate(hashes)) != expected and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(known) == expected


def test_a_changed_figure_is_a_copy_and_other_people_are_another_story() -> None:
    report = MEETING.format(city="临汾市", a=1234, b=2345, c=345, name="王磊")
    original_sketch = signed(report)
    corrected = signed(report.replace("2345", "2351"))  # a reprint that updated one figure
    other_person = signed(re.sub(r"[0-9]", "", report.replace("王磊", "李强")))
    assert original_sketch and corrected and other_person
    assert compare(original_sketch, corrected).same_story
    # A story with one figure, corrected in the copy: every figure may be a changed one.
    single = "该院共受理司法救助案件{n}件，发放救助金的工作得到群众好评。" + re.sub(r"[0-9]", "", report)
    one_figure, its_copy = signed(single.format(n=253)), signed(single.format(n=261))
    assert one_figure and its_copy and compare(one_figure, its_copy).same_story
    # Without any figure, the wording is the same, but the procurator-general is not.
    without_figures = signed(re.sub(r"[0-9]", "", report))
    assert without_figures
    assert not compare(without_figures, other_person).same_story


def test_two_releases_in_one_frame_with_other_figures_are_two_stories() -> None:
    frame = (
        "为深入贯彻落实习近平法治思想，{place}人民检察院始终坚持讲政治、顾大局、谋发展、重自身，围绕中心、服务大局。\n"
        "该院高度重视，第一时间成立以检察长为组长的工作领导小组，制定工作方案，明确责任分工，确保各项工作落到实处。\n"
        "{news}\n"
        "下一步，该院将进一步总结经验做法，健全长效工作机制，推动各项检察工作走深走实，为经济社会高质量发展提供有力司法保障。"
    )
    one = signed(frame.format(place="洪洞县", news="该院先后走访企业27家，帮助解决融资、用工等实际困难。"))
    other = signed(
        frame.format(
            place="洪洞县",
            news="截至目前，该院共办理电信诈骗类案件64件，追回损失318.5万元，"
            "向有关部门制发检察建议12份，收集问题线索433条。",
        )
    )
    assert one and other and compare(one, other).coverage >= 0.5  # the frame is most of the text
    # The one figure of the first is not among the other's four: another story, not a corrected copy.
    assert compare(one, other).figures is False and not compare(one, other).same_story
    # 顾大局 (讲政治、顾大局) is no one: only people the entity step is sure of are facts.
    assert "顾大局" not in one.persons


def test_a_store_written_before_the_time_window_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE members (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, story_id TEXT,"
            " record TEXT NOT NULL, minhash BLOB NOT NULL, sample TEXT NOT NULL, size INTEGER NOT NULL)"
        )
        record = {"published_at": PUBLISHED.isoformat(), "seen_at": PUBLISHED.isoformat()}
        old.execute(
            "INSERT INTO members (article_id, record, minhash, sample, size) VALUES ('a', ?, x'', '{}', 1)",
            (json.dumps(record),),
        )
    store = SqliteStoryStore(path)
    with pytest.raises(SchemaMissing, match="jiancha index init"):
        store.check()  # a worker refuses the old tables
    store.init()  # `jiancha index init` upgrades them
    store.check()
    row = store._conn.execute("SELECT first_time FROM members WHERE article_id = 'a'").fetchone()
    assert row == (PUBLISHED.timestamp(),)
    store.close()


def _member_sharing(n: int, shared: int, size: int, when: datetime) -> Member:
    """Member ``n`` whose sketch shares its first ``shared`` LSH bands with ``_probe`` (minhash 0…)."""
    minhash = tuple(i if i < 2 * shared else 10_000 * (n + 1) + i for i in range(128))
    sketch = Sketch(minhash=minhash, size=size, sample=((1, 2),), figures=frozenset(), places=frozenset())
    return Member(
        article_id=f"m{n:02d}", story_id=f"m{n:02d}", url=f"http://x.cn/{n}", outlet="x", source=None,
        published_at=when, seen_at=when, registered_at=when, sketch=sketch,
    )  # fmt: skip


def test_a_batch_of_lookups_finds_what_each_lookup_would_find_alone(store: StoryStore) -> None:
    # Members sharing 1–12 bands with the probe, of three sizes and spread over 60 days.
    members = [_member_sharing(n, 1 + n % 12, (400, 500, 900)[n % 3], PUBLISHED + timedelta(days=n * 2)) for n in range(30)]  # fmt: skip
    store.put_many(members)
    probe = _member_sharing(99, 64, 480, PUBLISHED).sketch
    lookups = [
        Lookup(probe.bands, set(), (300, 600)),
        Lookup(probe.bands, {"m00", "m03", "m13"}, (300, 1000), (PUBLISHED, PUBLISHED + timedelta(days=30))),
        Lookup(probe.bands[:4], {"m01"}, (450, 950), None, 5),
        Lookup(probe.bands[10:], set(), (300, 1000), None, 3),
    ]
    batch = store.candidates_many(lookups)
    for lookup, found in zip(lookups, batch, strict=True):
        wanted = set(lookup.bands)
        expected = sorted(
            (-len(wanted & set(m.sketch.bands)), m.article_id)
            for m in members
            if wanted & set(m.sketch.bands)
            and m.article_id not in lookup.exclude
            and lookup.sizes[0] <= m.sketch.size <= lookup.sizes[1]
            and (lookup.window is None or lookup.window[0] <= m.first_time <= lookup.window[1])
        )[: lookup.limit]
        assert [m.article_id for m in found] == [i for _, i in expected]
        alone = store.candidates(lookup.bands, lookup.exclude, lookup.sizes, lookup.limit, lookup.window)
        assert [m.article_id for m in alone] == [m.article_id for m in found]
    # Members the caller holds already may come back as it holds them: the same ones, in the same order.
    held = {m.article_id: m for m in batch[0][:3]}
    again = store.candidates_many(lookups, known=held)
    assert [[m.article_id for m in found] for found in again] == [[m.article_id for m in f] for f in batch]


def test_a_signature_is_the_one_earlier_versions_stored() -> None:
    # Stores keep signatures across versions: the MinHash and the 1-in-8 sample are those of the
    # formula written out shingle by shingle (multiply-shift hashing of each CRC32, its minimum).
    body = "\n".join(
        [
            "山西省人民检察院召开新闻发布会，通报2026年前三季度全省检察机关办理公益诉讼案件3578件。",
            "会议指出，各级检察机关要坚持以人民为中心，依法能动履职。",
            "记者 张三",
            "会议要求，2026年第4季度继续深化“检护民生”专项行动，办理案件253件。",
        ]
    )
    got = sketch(body)
    assert got is not None
    paragraphs = [p for p in (reduce(line) for line in content_lines(body)) if p]
    shingles = [{zlib.crc32(p[i : i + 4].encode()) for i in range(len(p) - 3)} for p in paragraphs]
    every = set().union(*shingles)
    a, b = [int(x) for x in fingerprint._A], [int(x) for x in fingerprint._B]
    assert got.minhash == tuple(
        min(((ai * h + bi) % 2**64) >> 32 for h in every) for ai, bi in zip(a, b, strict=True)
    )
    sampled = [tuple(sorted(h for h in s if ((h * 0x9E3779B1) & 0xFFFFFFFF) >> 29 == 0)) for s in shingles]
    assert got.sample == tuple(s for s in sampled if s)
    assert got.size == len(every)
