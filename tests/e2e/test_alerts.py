"""End to end: a new article published on the demo sites while the stack runs ends as ONE alert at a
local receiver; a second copy of the same story (a reprint on the other site) does not alert; a
restarted alerts worker sends nothing twice — embedded, and on Kafka + Elasticsearch."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from alerts.model import ChannelSpec, SavedSearch
from alerts.store import open_store
from alerts.worker import AlertsWorker
from crawler.demo.render import Story, linfen_article, sxrb_article
from crawler.demo.server import DemoServer
from indexer import open_index
from pipeline.settings import Settings
from tests.alerts.receivers import HttpReceiver
from tests.e2e.conftest import run_pipeline

TITLE = "洪洞县检察院办结一起跨省电信诈骗案 追赃挽损二百余万元"
PARAGRAPHS = (
    "近日，洪洞县人民检察院依法对一起跨省电信网络诈骗案提起公诉，该案涉案金额达三百余万元。",
    "据承办检察官介绍，犯罪嫌疑人通过虚假投资平台诱骗被害人转账，受害群众遍及山西、河北等五省。",
    "检察机关提前介入侦查，引导公安机关固定电子证据，追赃挽损二百一十万元，已全部发还被害人。",
    "下一步，该院将持续加大对电信网络诈骗犯罪的打击力度，并深入社区开展反诈宣传，守护群众钱袋子。",
)
LINFEN_URL = "/linfen/news/202612/t20261201_9001.html"
SXRB_URL = "/sxrb/fazhi/9001.shtml"


def _story(url: str, source: str) -> Story:
    return Story(url=url, title=TITLE, subtitle=None, date_text="2026-12-01 09:30", meta_date="2026-12-01 09:30",
                 source_text=f"来源:{source}", views_label="浏览次数:", paragraphs=PARAGRAPHS, byline="记者 王明",
                 author_info=None, editor_line="责任编辑: 李华", copyright="版权所有", image=None, related=())  # fmt: skip


def _publish(demo: DemoServer, site: str) -> str:
    """Put a new article on a demo site and link it from the first page of its list."""
    if site == "linfen":
        path, listing, page = (
            LINFEN_URL,
            "/linfen/news/index.html",
            linfen_article(_story(LINFEN_URL, "洪洞县检察院"), ()),
        )
    else:
        path, listing, page = (
            SXRB_URL,
            "/sxrb/fazhi/index.shtml",
            sxrb_article(_story(SXRB_URL, "临汾新闻网")),
        )
    demo.set_page(path, page.body, page.content_type)
    html = demo.pages[listing].body.decode("utf-8")
    row = f'<li><a href="{path}" target="_blank">{TITLE}</a><span class="date">2026-12-01</span></li>'
    demo.set_page(listing, html.replace("<ul>", "<ul>\n" + row, 1).encode("utf-8"))
    return demo.base_url + path


def _wait_for(predicate: object, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def receiver() -> Iterator[HttpReceiver]:
    http = HttpReceiver()
    yield http
    http.close()


def _journey(settings: Settings, receiver: HttpReceiver) -> None:
    settings = settings.model_copy(update={"alerts_poll_s": 0.5})
    backend = open_index(settings)
    backend.init()
    with DemoServer(port=0) as demo:
        run_pipeline(settings, demo.base_url)  # what the sites already had: before the search
        store = open_store(settings)
        store.add(SavedSearch(name="电信诈骗", owner="press", query="电信 诈骗",
                              channels=[ChannelSpec(kind="webhook", target=receiver.url())]))  # fmt: skip
        stop = threading.Event()
        worker = threading.Thread(target=AlertsWorker(settings, backend, store).run, args=(stop,))
        worker.start()
        try:
            url = _publish(demo, "linfen")
            run_pipeline(settings, demo.base_url)
            assert _wait_for(lambda: receiver.requests), "no alert reached the receiver"
            _publish(demo, "sxrb")  # the same story, reprinted by the other outlet
            run_pipeline(settings, demo.base_url)
            backend.refresh()
            hits = backend.search(SavedSearch(name="x", owner="y", query="电信 诈骗").search_query())
            copies = [h.copies for h in hits.hits if h.url.endswith(("9001.html", "9001.shtml"))]
            assert copies == [2], "the reprint was not joined to its story"
            time.sleep(3 * settings.alerts_poll_s + 1.5)  # several looks after the copy is searchable
        finally:
            stop.set()
            worker.join(timeout=30)
        items = [item for request in receiver.requests for item in request.body["items"]]
        assert [(i["url"], i["kind"]) for i in items] == [(url, "new")]
        store.close()
        # A restart on the same data folder: nothing is sent again.
        store = open_store(settings)
        restarted = AlertsWorker(settings, backend, store)
        assert restarted.run_once() == (0, 0)
        restarted.deliverer.close()
        store.close()
    assert len(receiver.requests) == 1
    backend.close()


def test_embedded_a_new_story_is_one_alert(settings: Settings, receiver: HttpReceiver) -> None:
    _journey(settings, receiver)


def test_kafka_and_elasticsearch_a_new_story_is_one_alert(
    real_settings: Settings, receiver: HttpReceiver
) -> None:
    _journey(real_settings, receiver)
