"""The alerts worker on the embedded index with a local HTTP receiver: one alert per story, the
options, durable "sent" state across a restart, a crash between send and record, failing channels
and robots' rate limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.delivery import Deliverer
from alerts.model import ChannelSpec, SavedSearch
from alerts.store import AlertStore, open_store
from alerts.worker import AlertsWorker
from evaluation.articles import FENHE_LINFEN, FENHE_SPP, FENHE_SXRB, MINORS_CRITICAL, MINORS_TRAFFIC
from indexer import SearchBackend
from pipeline.model import Article, utcnow
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver, Recorded


class Clock:
    """The real time plus an offset a test moves forward (backoff, rate windows)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset


def _worker(settings: Settings, backend: SearchBackend, store: AlertStore, clock: Clock) -> AlertsWorker:
    return AlertsWorker(settings, backend, store, Deliverer(store, settings, clock=clock), clock=clock)


def _add(store: AlertStore, receiver: HttpReceiver, **options: Any) -> SavedSearch:
    channels = options.pop("channels", [ChannelSpec(kind="webhook", target=receiver.url())])
    return store.add(SavedSearch(name="汾河", owner="press", query=options.pop("query", "公益诉讼"),
                                 channels=channels, **options))  # fmt: skip


def _index(backend: SearchBackend, *articles: Article) -> None:
    assert all(o.ok for o in backend.index(list(articles)))
    backend.refresh()


def _titles(receiver: HttpReceiver) -> list[tuple[str, str]]:
    return [(i["kind"], i["url"]) for r in receiver.requests for i in r.body["items"]]


def test_a_story_alerts_once_however_many_copies(settings: Settings, backend: SearchBackend,
                                                 store: AlertStore, receiver: HttpReceiver) -> None:  # fmt: skip
    worker = _worker(settings, backend, store, Clock())
    _add(store, receiver)
    _index(backend, FENHE_SPP)
    assert worker.run_once() == (1, 1)
    _index(backend, FENHE_SXRB)  # a reprint of the same story
    assert worker.run_once() == (0, 0)
    _index(backend, FENHE_LINFEN)
    worker.run_once()
    assert _titles(receiver) == [("new", FENHE_SPP.url)]
    body = receiver.requests[0].body
    assert body["search"]["name"] == "汾河" and body["items"][0]["title"] == FENHE_SPP.title


def test_what_was_indexed_before_the_search_existed_does_not_alert(settings: Settings, backend: SearchBackend,
                                                                    store: AlertStore, receiver: HttpReceiver) -> None:  # fmt: skip
    settings = settings.model_copy(update={"alerts_overlap_s": 0.0})
    _index(backend, FENHE_SPP)
    _add(store, receiver)
    assert _worker(settings, backend, store, Clock()).run_once() == (0, 0)


def test_carried_by_n_outlets_is_sent_once_when_the_threshold_is_crossed(settings: Settings, backend: SearchBackend,
                                                                         store: AlertStore, receiver: HttpReceiver) -> None:  # fmt: skip
    worker = _worker(settings, backend, store, Clock())
    _add(store, receiver, carried_threshold=3)
    _index(backend, FENHE_SPP)
    worker.run_once()
    _index(backend, FENHE_SXRB)
    worker.run_once()
    _index(backend, FENHE_LINFEN)
    worker.run_once()
    worker.run_once()
    assert [k for k, _ in _titles(receiver)] == ["new", "carried"]
    carried = receiver.requests[1].body["items"][0]
    assert carried["copies"] == 3


def test_only_critical_and_only_relevant(settings: Settings, backend: SearchBackend, store: AlertStore,
                                         receiver: HttpReceiver) -> None:  # fmt: skip
    worker = _worker(settings, backend, store, Clock())
    _add(store, receiver, query="未成年人", only_critical=True)
    _index(backend, MINORS_TRAFFIC, MINORS_CRITICAL)
    worker.run_once()
    assert _titles(receiver) == [("new", MINORS_CRITICAL.url)]


def test_paused_search_sends_nothing_and_does_not_catch_up(settings: Settings, backend: SearchBackend,
                                                           store: AlertStore, receiver: HttpReceiver) -> None:  # fmt: skip
    settings = settings.model_copy(update={"alerts_overlap_s": 0.0})
    worker = _worker(settings, backend, store, Clock())
    search = _add(store, receiver, paused=True)
    _index(backend, FENHE_SPP)
    worker.run_once()
    store.update(search.model_copy(update={"paused": False}))
    worker.run_once()
    assert receiver.requests == []


def test_restart_sends_nothing_twice(settings: Settings, backend: SearchBackend, store: AlertStore,
                                     receiver: HttpReceiver) -> None:  # fmt: skip
    _add(store, receiver)
    _index(backend, FENHE_SPP, MINORS_CRITICAL)
    _worker(settings, backend, store, Clock()).run_once()
    store.close()
    reopened = open_store(settings)  # a new process on the same data folder
    try:
        assert _worker(settings, backend, reopened, Clock()).run_once() == (0, 0)
    finally:
        reopened.close()
    assert _titles(receiver) == [("new", FENHE_SPP.url)]


def test_a_crash_between_send_and_record_repeats_the_message_never_loses_it(
    settings: Settings, backend: SearchBackend, store: AlertStore, receiver: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _add(store, receiver)
    _index(backend, FENHE_SPP)
    worker = _worker(settings, backend, store, Clock())

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the process dies right after the receiver took the message

    monkeypatch.setattr(store, "mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        worker.run_once()
    monkeypatch.undo()
    _worker(settings, backend, store, Clock()).run_once()
    _worker(settings, backend, store, Clock()).run_once()
    assert _titles(receiver) == [("new", FENHE_SPP.url)] * 2  # repeated once, then recorded


def test_a_failing_channel_backs_off_without_holding_up_the_others(settings: Settings, backend: SearchBackend,
                                                                  store: AlertStore, receiver: HttpReceiver) -> None:  # fmt: skip
    down = {"yes": True}

    def answer(request: Recorded) -> tuple[int, Any]:
        if request.path == "/broken" and down["yes"]:
            return 503, {"error": "down"}
        return 200, {}

    receiver.answer = answer
    clock = Clock()
    worker = _worker(settings, backend, store, clock)
    channels = [ChannelSpec(kind="webhook", target=receiver.url("/broken")),
                ChannelSpec(kind="webhook", target=receiver.url("/ok"))]  # fmt: skip
    search = _add(store, receiver, channels=channels)
    _index(backend, FENHE_SPP)
    worker.run_once()
    assert [r.path for r in receiver.requests] == ["/ok"]
    health = {h.channel_no: h for h in store.health(search.id)}
    assert health[0].failing and health[0].pending == 1 and "503" in (health[0].last_error or "")
    assert not health[1].failing and health[1].pending == 0
    worker.run_once()  # still backing off: not even tried
    assert health[0].next_attempt is not None
    down["yes"] = False
    clock.offset = timedelta(seconds=6)  # past the first backoff (5 s)
    worker.run_once()
    assert [r.path for r in receiver.requests] == ["/ok", "/broken"]
    assert not store.health(search.id)[0].failing


def test_wecom_rate_limit_code_waits_a_minute_without_counting_as_failure(
    settings: Settings, backend: SearchBackend, store: AlertStore, receiver: HttpReceiver
) -> None:
    limited = {"yes": True}

    def answer(_request: Recorded) -> tuple[int, Any]:
        if limited["yes"]:
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    receiver.answer = answer
    clock = Clock()
    worker = _worker(settings, backend, store, clock)
    search = _add(
        store,
        receiver,
        channels=[ChannelSpec(kind="wecom", target=receiver.url("/cgi-bin/webhook/send?key=k"))],
    )
    _index(backend, FENHE_SPP)
    worker.run_once()
    (health,) = store.health(search.id)
    assert health.failures == 0 and health.pending == 1 and "45009" in (health.last_error or "")
    limited["yes"] = False
    clock.offset = timedelta(seconds=30)
    worker.run_once()
    assert store.health(search.id)[0].pending == 1  # still inside the minute
    clock.offset = timedelta(seconds=61)
    worker.run_once()
    assert store.health(search.id)[0].pending == 0
    content = receiver.requests[-1].body
    assert content["msgtype"] == "markdown" and FENHE_SPP.title in content["markdown"]["content"]


def test_at_most_20_messages_a_minute_to_one_wecom_robot(settings: Settings, store: AlertStore,
                                                         receiver: HttpReceiver) -> None:  # fmt: skip
    from alerts.items import AlertItem

    clock = Clock()
    robot = ChannelSpec(kind="wecom", target=receiver.url("/cgi-bin/webhook/send?key=k"))
    searches = [
        store.add(SavedSearch(name=f"s{i}", owner="press", query="检察", channels=[robot])) for i in range(25)
    ]
    for search in searches:
        assert search.id is not None
        item = AlertItem(search_id=search.id, search_name=search.name, kind="new", story_key=f"k{search.id}",
                         article_id="a", title="t", url="http://x/", outlets=[], copies=1, tone=None,
                         published_at=None, indexed_at=None, lead="")  # fmt: skip
        store.record(search, [(item, clock())], watermark=clock())
    deliverer = Deliverer(store, settings, clock=clock)
    assert deliverer.deliver_due() == 20
    assert deliverer.deliver_due() == 0
    clock.offset = timedelta(seconds=61)
    assert deliverer.deliver_due() == 5
    deliverer.close()
