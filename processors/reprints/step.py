"""Reprint detection, the step: give every article the ``story_id`` shared by all copies of its story.

A batch of articles is decided at once. Several replicas may handle two copies of one story at the
same moment, so decisions are made in the store, not in memory alone, by a deterministic merge rule:

1. register the batch's articles as *pending* (one write, visible to every worker when it returns;
   the same write tells which the store held already: a replay keeps its story);
2. find each article's matches with one search per batch (LSH candidates published within
   ``window`` of it, confirmed by ``compare`` with the paragraphs the store knows as boilerplate
   set aside); the batch's articles see those before them, as if they had come one by one. An
   article joins the smallest story id among its decided matches, or founds a story named after
   itself;
3. record the batch's decisions (one write); the articles that founded a story search once more
   (a worker registered since may have seen them pending); then read their matches registered by other workers
   again by id (realtime gets, no search): wait for those still pending to decide, and if any now
   carries a smaller story id, move to it (repeat until stable). A match registered after the
   batch's search saw the batch in its own search (the batch was registered first), so its
   worker does the same from its side.

Whenever the matches of one article belong to several stories (it bridges A and B, or two
concurrent copies founded one each), those stories are merged: every member of the larger ids is
re-pointed to the smallest. Because every worker writes before it reads, of two concurrent copies
at least one sees the other; step 3 makes both end on the smaller story id. Bodies too short or
made of boilerplate only get no signature: they are a story of their own and never join one.

One difference to one-by-one: the paragraphs known as boilerplate are those of the stories decided
before the batch (a formula that reaches its third story within one batch counts from the next).
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from pipeline.model import Article, utcnow
from pipeline.stories import outlet_of
from processors.reprints.fingerprint import Sketch, same_story, sketch
from processors.reprints.store import CANDIDATE_LIMIT, Lookup, Member, StoryStore
from processors.reprints.text import facts_of

log = logging.getLogger(__name__)

STEP = "reprints"
WINDOW = timedelta(days=30)  # default of JIANCHA_REPRINT_WINDOW_DAYS
PENDING_WAIT_S = 5.0  # how long to wait for a concurrent copy's worker to decide
STALE_PENDING = timedelta(minutes=2)  # a pending record this old was left by a crashed worker
MAX_ROUNDS = 5  # decisions only move to smaller ids, so this is reached only under heavy churn
POLL_S = 0.02

Verdicts = dict[tuple[str, str], bool]


def lookup(member: Member, exclude: Collection[str], window: timedelta | None) -> Lookup:
    when = member.first_time
    return Lookup(
        member.sketch.bands,
        {member.article_id, *exclude},
        member.sketch.sizes(),
        (when - window, when + window) if window else None,
    )


def batch_candidates(members: Sequence[Member], window: timedelta | None) -> list[list[Member]]:
    """For each member, the members before it in the batch that a store's ``candidates`` would give:
    sharing a band, of a size and a time that could be the same story, most bands shared first."""
    by_band: dict[int, list[int]] = defaultdict(list)
    found = []
    for i, member in enumerate(members):
        shared = Counter(j for band in set(member.sketch.bands) for j in by_band.get(band, ()))
        low, high = member.sketch.sizes()
        when = member.first_time
        fits = [
            j
            for j in shared
            if low <= members[j].sketch.size <= high
            and (window is None or abs(members[j].first_time - when) <= window)
        ]
        fits.sort(key=lambda j: (-shared[j], j))
        found.append([members[j] for j in fits[:CANDIDATE_LIMIT]])
        for band in set(member.sketch.bands):
            by_band[band].append(i)
    return found


def confirmed(
    store: StoryStore, candidates: Sequence[tuple[Member, list[Member]]], verdicts: Verdicts
) -> list[list[Member]]:
    """Each member's candidates confirmed by ``compare``, with one boilerplate question for all of
    them; ``verdicts`` remembers the comparisons between rounds."""
    new = [(m, p) for m, peers in candidates for p in peers if (m.article_id, p.article_id) not in verdicts]
    if new:
        hashes = {h for pair in new for m in pair for h in m.sketch.paragraphs}
        boilerplate = store.boilerplate(hashes)
        for member, peer in new:
            verdicts[member.article_id, peer.article_id] = same_story(member.sketch, peer.sketch, boilerplate)
    return [[p for p in peers if verdicts[m.article_id, p.article_id]] for m, peers in candidates]


class Stories:
    """Story ids joined by merges: each id leads to the smallest id it was merged with."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, story_id: str) -> str:
        root = story_id
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while story_id != root:  # path compression
            story_id, self.parent[story_id] = self.parent[story_id], root
        return root

    def join(self, story_ids: Collection[str]) -> str:
        roots = {self.find(s) for s in story_ids}
        best = min(roots)
        for root in roots:
            self.parent[root] = best
        return best


def _settled(store: StoryStore, peers: list[Member], now: Callable[[], datetime]) -> list[Member]:
    """The peers with their decisions, waiting (bounded) for those still pending (realtime reads)."""
    deadline = time.monotonic() + PENDING_WAIT_S
    settled = {p.article_id: p for p in peers if not p.pending}
    waiting = {p.article_id: p for p in peers if p.pending and now() - p.registered_at < STALE_PENDING}
    while waiting and time.monotonic() < deadline:
        time.sleep(POLL_S)
        for article_id, peer in store.get_many(list(waiting)).items():
            if not peer.pending:
                settled[article_id] = peer
                del waiting[article_id]
            elif now() - peer.registered_at >= STALE_PENDING:
                del waiting[article_id]
    return list(settled.values())


def _merge(store: StoryStore, ids: Collection[str], into: str, url: str) -> None:
    log.info("stories %s merge into %s: %s", sorted(set(ids) - {into}), into, url)
    store.merge(ids, into)


def decide_batch(
    store: StoryStore,
    members: Sequence[Member],
    now: Callable[[], datetime] = utcnow,
    window: timedelta | None = WINDOW,
    registered: bool = False,
) -> dict[str, str]:
    """Register ``members`` (distinct article ids; ``registered``: the caller has written them
    pending already) and return their story ids by article id."""
    if not members:
        return {}
    if not registered:
        store.put_many(members)
    verdicts: Verdicts = {}
    ids = [m.article_id for m in members]
    # One search for the whole batch, leaving the batch out: its members are matched in memory,
    # each against those before it (those after it see it), as if they had come one by one.
    lookups = [lookup(m, ids, window) for m in members]
    in_store = store.candidates_many(lookups)  # each as it is now (a realtime read)
    in_batch = batch_candidates(members, window)
    candidates = [(m, [*a, *b]) for m, a, b in zip(members, in_store, in_batch, strict=True)]
    stories = Stories()
    chosen: dict[str, str] = {}
    outside: dict[str, list[str]] = {}  # each member's matches registered by other workers
    for member, peers in zip(members, confirmed(store, candidates, verdicts), strict=True):
        found = {chosen[p.article_id] if p.article_id in chosen else p.story_id for p in peers}
        decided = {stories.find(s) for s in found if s}
        chosen[member.article_id] = min(decided, default=member.article_id)
        if len(decided) > 1:
            _merge(store, decided, stories.join(decided), member.url)
        outside[member.article_id] = [p.article_id for p in peers if p.article_id not in chosen]
    final = {m.article_id: stories.find(chosen[m.article_id]) for m in members}
    store.put_many([m.decided(final[m.article_id]) for m in members], searchable=False)
    # A member that founded its story may be matched by a worker that registered after the search
    # above: that worker sees this member decided and joins its story, unless it saw it still pending
    # and founded a smaller id. One more search for the founders finds such a worker, whose matches
    # are then watched as well, so both sides end on the smaller id (not only the side that looked).
    founders = [m for m in members if final[m.article_id] == m.article_id]
    if founders:
        # Only their sketches are compared here (their state is read again below): those the
        # first search found need not be read again.
        seen_before = {p.article_id: p for peers in in_store for p in peers}
        again = store.candidates_many([lookup(m, ids, window) for m in founders], known=seen_before)
        for member, peers in zip(
            founders, confirmed(store, list(zip(founders, again, strict=True)), verdicts), strict=True
        ):
            seen = set(outside[member.article_id])
            outside[member.article_id] += [p.article_id for p in peers if p.article_id not in seen]
    # Read those matches again by id (realtime): a pending one is waited for, one that moved to a
    # smaller story takes the batch's members along. A match registered after the search above
    # saw this batch in its own search (the batch was registered first): its worker does the same.
    watched = sorted({i for peers in outside.values() for i in peers})
    for _ in range(MAX_ROUNDS if watched else 0):
        settled = {p.article_id: p for p in _settled(store, list(store.get_many(watched).values()), now)}
        moved = False
        for member in members:
            now_in = {stories.find(final[member.article_id])}
            now_in.update(
                story for i in outside[member.article_id] if i in settled and (story := settled[i].story_id)
            )
            if len(now_in) > 1:
                _merge(store, now_in, stories.join(now_in), member.url)
                moved = True
        if not moved:
            break
        changed = [m for m in members if stories.find(final[m.article_id]) != final[m.article_id]]
        final = {m.article_id: stories.find(final[m.article_id]) for m in members}
        store.put_many([m.decided(final[m.article_id]) for m in changed], searchable=False)
    return final


def decide(
    store: StoryStore, member: Member, now: Callable[[], datetime] = utcnow, window: timedelta | None = WINDOW
) -> str:
    """Register ``member`` alone and return its story id (see the module docstring)."""
    return decide_batch(store, [member], now, window)[member.article_id]


def _member(article: Article, signature: Sketch, to_simplified: Callable[[str], str], at: datetime) -> Member:
    return Member(
        article_id=article.article_id,
        story_id=None,
        url=article.url,
        outlet=outlet_of(article.site, article.url),
        source=to_simplified(article.source) if article.source else None,
        published_at=article.published_at,
        seen_at=article.fetched_at,
        title=article.title_simplified or article.title,
        content_hash=article.content_hash,
        registered_at=at,
        sketch=signature,
    )


def assign_stories(
    articles: Sequence[Article],
    store: StoryStore,
    to_simplified: Callable[[str], str] = str,
    now: Callable[[], datetime] = utcnow,
    window: timedelta | None = WINDOW,
) -> list[Article]:
    """The step on a batch, in order: its only effect is on the StoryStore, which every replica
    shares. Copies are looked for among articles published within ``window`` of each (None: any
    time). An article met again with the same content keeps its story (a replay); one that comes
    twice in a batch is decided once."""
    signatures: dict[str, Sketch] = {}
    for article in articles:
        text = article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
        signature = sketch(text, facts_of(article))
        if signature is not None:  # too short or only boilerplate: never joins a story by accident
            signatures.setdefault(article.article_id, signature)
    story_ids = {article.article_id: article.article_id for article in articles}
    pending: dict[str, Member] = {}
    at = now()
    for article in articles:
        if article.article_id in signatures and article.article_id not in pending:
            pending[article.article_id] = _member(article, signatures[article.article_id], to_simplified, at)
    # Registered pending in one write, which also says which the store held already: one held
    # decided with the same content is a replay and keeps its story; any other is registered again.
    again = []
    for article_id, seen in store.register(list(pending.values())).items():
        if seen.story_id and seen.content_hash == pending[article_id].content_hash:
            story_ids[article_id] = seen.story_id
            del pending[article_id]
        else:
            again.append(pending[article_id])
    store.put_many(again)
    story_ids.update(decide_batch(store, list(pending.values()), now, window, registered=True))
    return [
        article.model_copy(
            update={
                "story_id": story_ids[article.article_id],
                "steps": article.steps if STEP in article.steps else [*article.steps, STEP],
            }
        )
        for article in articles
    ]


def assign_story(
    article: Article,
    store: StoryStore,
    to_simplified: Callable[[str], str] = str,
    now: Callable[[], datetime] = utcnow,
    window: timedelta | None = WINDOW,
) -> Article:
    """The step on one article (a batch of one)."""
    return assign_stories([article], store, to_simplified, now, window)[0]
