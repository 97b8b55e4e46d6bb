"""Reprint detection, the step: give every article the ``story_id`` shared by all copies of its story.

Several replicas may handle two copies of one story at the same moment, so a decision is made in
the store, not in memory, by a deterministic merge rule:

1. register the article as *pending* (visible to every worker when ``put`` returns);
2. find its matches (LSH candidates published within ``window`` of it, confirmed by ``compare``
   with the paragraphs the store knows as boilerplate set aside); join the smallest story id
   among decided matches, or found a story named after the article itself;
3. record the decision, then re-read: wait for matches still pending to decide, and if any
   match now carries a smaller story id, move to it (repeat until stable).

Whenever the matches of one article belong to several stories (it bridges A and B, or two
concurrent copies founded one each), those stories are merged: every member of the larger ids is
re-pointed to the smallest. Because every worker writes before it reads, of two concurrent copies
at least one sees the other; step 3 makes both end on the smaller story id. Bodies too short or
made of boilerplate only get no signature: they are a story of their own and never join one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from pipeline.model import Article, utcnow
from pipeline.stories import outlet_of
from processors.reprints.fingerprint import Sketch, compare, sketch
from processors.reprints.store import Member, StoryStore
from processors.reprints.text import facts_of

log = logging.getLogger(__name__)

STEP = "reprints"
WINDOW = timedelta(days=30)  # default of JIANCHA_REPRINT_WINDOW_DAYS
PENDING_WAIT_S = 5.0  # how long to wait for a concurrent copy's worker to decide
STALE_PENDING = timedelta(minutes=2)  # a pending record this old was left by a crashed worker
MAX_ROUNDS = 5  # decisions only move to smaller ids, so this is reached only under heavy churn
POLL_S = 0.02


def matches(
    store: StoryStore,
    member: Member,
    verdicts: dict[str, bool] | None = None,
    window: timedelta | None = WINDOW,
) -> list[Member]:
    """Candidates confirmed by ``compare``; ``verdicts`` remembers them between rounds."""
    verdicts = {} if verdicts is None else verdicts
    when = member.first_time
    found = store.candidates(
        member.sketch.bands,
        exclude=member.article_id,
        sizes=member.sketch.sizes(),
        window=(when - window, when + window) if window else None,
    )
    new = [m for m in found if m.article_id not in verdicts]
    if new:
        boilerplate = store.boilerplate({h for m in (member, *new) for h in m.sketch.paragraphs})
        for m in new:
            verdicts[m.article_id] = compare(member.sketch, m.sketch, boilerplate).same_story
    return [m for m in found if verdicts[m.article_id]]


def _settled(store: StoryStore, peers: list[Member], now: Callable[[], datetime]) -> list[Member]:
    """The peers with their decisions, waiting (bounded) for those still pending."""
    deadline = time.monotonic() + PENDING_WAIT_S
    settled = []
    for peer in peers:
        while peer.pending and now() - peer.registered_at < STALE_PENDING and time.monotonic() < deadline:
            time.sleep(POLL_S)
            peer = store.get(peer.article_id) or peer
        if not peer.pending:
            settled.append(peer)
    return settled


def decide(
    store: StoryStore, member: Member, now: Callable[[], datetime] = utcnow, window: timedelta | None = WINDOW
) -> str:
    """Register ``member`` and return its story id (see the module docstring)."""
    store.put(member)
    verdicts: dict[str, bool] = {}
    decided = {p.story_id for p in matches(store, member, verdicts, window) if p.story_id}
    story_id = min(decided, default=member.article_id)
    if len(decided) > 1:
        log.info("stories %s merge into %s: %s", sorted(decided - {story_id}), story_id, member.url)
        store.merge(decided, story_id)
    store.put(member.decided(story_id))
    for _ in range(MAX_ROUNDS):
        peers = _settled(store, matches(store, member, verdicts, window), now)
        ids = {story_id, *(p.story_id for p in peers if p.story_id)}
        if len(ids) == 1:
            break
        best = min(ids)
        log.info("stories %s merge into %s: %s", sorted(ids - {best}), best, member.url)
        store.merge(ids, best)
        story_id = best
        store.put(member.decided(story_id))
    return story_id


def assign_story(
    article: Article,
    store: StoryStore,
    to_simplified: Callable[[str], str] = str,
    now: Callable[[], datetime] = utcnow,
    window: timedelta | None = WINDOW,
) -> Article:
    """The pure-looking step: its only effect is on the StoryStore, which every replica shares.
    Copies are looked for among articles published within ``window`` of this one (None: any time)."""
    steps = article.steps if STEP in article.steps else [*article.steps, STEP]
    text = article.body_simplified if article.body_simplified is not None else to_simplified(article.body)
    signature: Sketch | None = sketch(text, facts_of(article))
    if signature is None:  # too short or only boilerplate: never joins a story by accident
        return article.model_copy(update={"story_id": article.article_id, "steps": steps})
    known = store.get(article.article_id)
    if known is not None and known.story_id and known.content_hash == article.content_hash:
        return article.model_copy(update={"story_id": known.story_id, "steps": steps})  # a replay
    member = Member(
        article_id=article.article_id,
        story_id=None,
        url=article.url,
        outlet=outlet_of(article.site, article.url),
        source=to_simplified(article.source) if article.source else None,
        published_at=article.published_at,
        seen_at=article.fetched_at,
        title=article.title_simplified or article.title,
        content_hash=article.content_hash,
        registered_at=now(),
        sketch=signature,
    )
    return article.model_copy(update={"story_id": decide(store, member, now, window), "steps": steps})
