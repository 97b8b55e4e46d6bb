"""A press officer's journeys in a real browser: Debian's chromium driven by Selenium through
Debian's chromium-driver (nothing downloads a browser). Every journey runs on both deployments,
the embedded default and Kafka + Elasticsearch. On both, the corpus reaches the index the way crawled articles do: published on
``articles.enriched`` of the deployment's bus (the embedded log, or the real Kafka) and written by
the real indexer worker (into SQLite FTS5, or the real Elasticsearch).

Screenshots of the whole page go to tests/artifacts/screenshots/ (git-ignored), named
<backend>-<journey>.png (``elasticsearch-…`` is the Kafka + Elasticsearch deployment).
Over 300 lines: every journey of the issue in one file, sharing the browser, login and wait helpers.
"""

from __future__ import annotations

import base64
import csv
import io
import shutil
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import openpyxl
import pytest
import uvicorn
from docx import Document

from indexer import open_index
from indexer.worker import run_indexer
from pipeline.bus import open_bus
from pipeline.model import Article
from pipeline.settings import Settings
from pipeline.topics import all_topics, indexer_stage
from tests.conftest import ELASTICSEARCH_URL, KAFKA_BOOTSTRAP, _require
from tests.webapp.conftest import GUAAN
from tests.webapp.corpus import CORPUS, CRITICAL, GYSS_ORIGINAL, HOSTILE, NOW, TRADITIONAL
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app
from webapp.deps import get_now

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    def __init__(self, url: str, backend: str, downloads: Path) -> None:
        self.url, self.backend, self.downloads = url, backend, downloads


def index_through_the_bus(settings: Settings, articles: list[Article]) -> None:
    """Publish the articles on the bus's enriched topic and let the real indexer worker drain it."""
    stage = indexer_stage(settings.topic_prefix)
    assert stage.input_topic is not None
    bus = open_bus(settings)
    try:
        bus.ensure_topics([stage.input_topic, stage.dlq_topic])
        producer = bus.producer()
        for article in articles:
            producer.send(stage.input_topic, article.article_id, article.to_json())
        producer.flush()
        producer.close()
        stats = run_indexer(settings, bus, until_idle=True)
    finally:
        bus.close()
    assert stats.counts["ok"] == len(articles), stats.counts


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)]
)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (`make system`)")
    name = f"test_journeys_{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp(request.param)
    settings = Settings(data_dir=root / "data", index_name=name, topic_prefix=f"{name}.")
    if request.param == "elasticsearch":
        _require("Kafka", KAFKA_BOOTSTRAP)
        _require("Elasticsearch", ELASTICSEARCH_URL)
        settings = settings.model_copy(update={"bus": "kafka", "kafka_bootstrap": KAFKA_BOOTSTRAP,
                                               "index": "elasticsearch", "elasticsearch_url": ELASTICSEARCH_URL})  # fmt: skip
    backend = open_index(settings)
    backend.init()
    index_through_the_bus(settings, [*CORPUS, *GUAAN])
    backend.refresh()
    store = AccountStore(accounts_path(settings.data_dir))
    store.add_user("wang", PASSWORD, "admin")
    store.add_user("zhang", PASSWORD, "editor")
    store.add_user("li", PASSWORD, "viewer")
    store.close()
    app = create_app(settings, backend)
    app.dependency_overrides[get_now] = lambda: NOW  # "today" is the corpus's 12 June 2024
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield Site(f"http://127.0.0.1:{port}", request.param, root / "downloads")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        backend.drop()
        backend.close()
        if settings.bus == "kafka":
            bus = open_bus(settings)
            bus.delete_topics(all_topics(settings.topic_prefix))
            bus.close()


@pytest.fixture
def browser(site: Site) -> Iterator[WebDriver]:
    site.downloads.mkdir(exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1100", "--lang=zh-CN",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(site.downloads), "download.prompt_for_download": False}
    )
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    driver.set_page_load_timeout(180)  # a loaded 2-core machine renders the trends page slowly
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, site: Site, name: str) -> Path:
    """The whole page (not only the window) as a PNG, as a person scrolling it would see it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 8000), "scale": 1}
    image = driver.execute_cdp_cmd("Page.captureScreenshot",
                                   {"format": "png", "captureBeyondViewport": True, "clip": clip})  # fmt: skip
    path = SCREENSHOTS / f"{site.backend}-{name}.png"
    path.write_bytes(base64.b64decode(image["data"]))
    return path


# Generous: on a loaded 2-core machine a page that runs several aggregations can take a while.
# Every wait is on a condition a person would see (an element, a drawn chart), never a sleep. An
# element met while its page is being replaced (stale) or not yet there is simply looked for again.
_LOOK_AGAIN = (NoSuchElementException, StaleElementReferenceException)
T = TypeVar("T")


def wait_for(
    driver: WebDriver,
    condition: Callable[[WebDriver], T],
    timeout: float = 90,
    ignoring: tuple[type[Exception], ...] = _LOOK_AGAIN,
) -> T:
    return WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=ignoring).until(condition)


def go(driver: WebDriver, action: Callable[[], object]) -> None:
    """Do what loads another page (follow a link, submit a form, go back) and return once that page
    is the one shown and has loaded: the page being left is marked (a token of this step on its
    window, which the next page's window has not) and the wait is for an unmarked page that is
    complete. A click returns before the next page arrives, so an element found right after it may
    belong to the page being left; every element of the journeys is found after a ``go`` or a
    ``get``, and the pages (but trends, whose charts draw into their own boxes) do not change once
    loaded. While the browser is between two pages it may answer any command with an error (a
    stale node, a destroyed script context): the wait asks again."""
    token = uuid.uuid4().hex
    driver.execute_script("window.__journeyStep = arguments[0]", token)
    action()
    wait_for(driver, lambda d: d.execute_script(
        "return window.__journeyStep !== arguments[0] && document.readyState === 'complete'", token
    ), ignoring=(WebDriverException,))  # fmt: skip


def log_in(driver: WebDriver, site: Site, name: str, target: str = "/") -> None:
    driver.get(site.url + target)
    assert "/login" in driver.current_url, driver.current_url
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    go(driver, driver.find_element(By.CSS_SELECTOR, "form.login button").click)
    assert "/login" not in driver.current_url, driver.find_element(By.TAG_NAME, "body").text


def test_log_in_and_land_on_the_dashboard(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "wang")
    assert urllib.parse.urlsplit(browser.current_url).path == "/"
    stories = browser.find_elements(By.CSS_SELECTOR, "ol.stories li")
    assert "批评报道" in stories[0].text and "网民质疑某检察院办案拖延" in stories[0].text  # critical first
    assert any("转载 1" in s.text for s in stories)
    silent = browser.find_elements(By.CSS_SELECTOR, "table.shanxi .unit.silent")
    assert len(silent) > 100 and "洪洞县 3" in browser.find_element(By.CSS_SELECTOR, "table.shanxi").text
    assert "wang（管理员）" in browser.find_element(By.CSS_SELECTOR, "nav.top").text
    shot(browser, site, "dashboard")


def test_search_in_traditional_script_and_narrow_by_a_facet(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/search")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("公益訴訟")  # traditional script; the articles are simplified
    go(browser, box.submit)
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".result h2")]
    assert GYSS_ORIGINAL.title in titles and "临汾市检察机关公益诉讼立案30件" in titles
    shot(browser, site, "search-traditional")
    facet = browser.find_element(By.XPATH, "//section[contains(@class,'facet-source')]//a[text()='检察日报']")
    go(browser, facet.click)
    assert "source=" in browser.current_url
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".result h2")]
    assert titles == ["临汾市检察机关公益诉讼立案30件"]
    assert "来源：检察日报 ×" in browser.find_element(By.CSS_SELECTOR, ".chips").text
    shot(browser, site, "search-facet")


def test_open_a_story_and_switch_script(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/search?q=" + urllib.parse.quote("司法救助"))
    go(browser, browser.find_element(By.CSS_SELECTOR, "a.details").click)
    assert "/articles/" in browser.current_url
    assert browser.find_element(By.ID, "article-title").text == TRADITIONAL.title  # as published: traditional
    facts = browser.find_element(By.CSS_SELECTOR, "dl.facts").text.split("\n")
    for label, value in (
        ("来源", "山西日報"),
        ("记者", "王明"),
        ("责任编辑", "李華"),
        ("发布时间", "2024-06-12 08:00"),
    ):
        assert facts[facts.index(label) + 1] == value, facts
    assert TRADITIONAL.url in facts[facts.index("原文") + 1]
    marked = browser.find_element(By.CSS_SELECTOR, "#article-body mark.entity a")
    assert marked.text == "洪洞縣檢察院" and "procuratorate=" in (marked.get_attribute("href") or "")
    assert "救助困难群众" in browser.find_element(By.CSS_SELECTOR, "table.figures").text
    shot(browser, site, "article-original")
    go(browser, browser.find_element(By.ID, "to-simplified").click)
    assert "script=simplified" in browser.current_url
    assert browser.find_element(By.ID, "article-title").text == "洪洞县检察院开展司法救助"
    assert "为困难群众发放司法救助金" in browser.find_element(By.ID, "article-body").text
    shot(browser, site, "article-simplified")
    browser.get(f"{site.url}/stories/story-gyss")
    copies = browser.find_elements(By.CSS_SELECTOR, "table.copies tbody tr")
    assert len(copies) == 2 and "原发" in copies[0].text and "原发" not in copies[1].text
    shot(browser, site, "story")


def test_trends_draw_charts_and_a_chart_downloads_its_numbers(browser: WebDriver, site: Site) -> None:
    log_in(
        browser,
        site,
        "li",
        "/trends?q=%E6%A3%80%E5%AF%9F&interval=month&metric=%E5%85%AC%E7%9B%8A%E8%AF%89%E8%AE%BC",
    )
    # trends.js marks a chart data-drawn once ECharts has finished rendering it.
    charts = ("volume", "procuratorates", "shanxi", "critical", "figure")
    wait_for(browser, lambda d: all(d.find_elements(By.CSS_SELECTOR, f"[data-chart={c}][data-drawn] canvas")
                                    for c in charts))  # fmt: skip
    for chart in charts:
        assert _painted(browser, chart) > 1000, f"the {chart} chart's canvas is empty"
    # 批评报道占比: one critical article in June must not draw as a bar filling the whole height,
    # nor the share line touch the top; the share's axis reads in per cent.
    reach = _reach(browser, "critical")
    assert 0 < reach["bar"] <= 0.8 and 0 < reach["line"] <= 0.8, reach
    assert reach["share_label"].endswith("%"), reach
    shot(browser, site, "trends")
    browser.find_element(By.CSS_SELECTOR, "#box-volume a.csv").click()
    rows = _read_csv(_downloaded(site, "trend-volume.csv"))
    assert rows[0][0] == "时段起始日" and rows[0][1] == "全部报道" and len(rows) >= 2
    # Shanxi cities → counties: a click on 临汾市's bar (where the drawn chart has put it) opens its counties.
    box = browser.find_element(By.CSS_SELECTOR, "[data-chart=shanxi]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    x, y, width, height = browser.execute_script(
        "const node = arguments[0], chart = echarts.getInstanceByDom(node), option = chart.getOption();"
        "const i = option.xAxis[0].data.indexOf('临汾市'), value = option.series[0].data[i];"
        "const [x, y] = chart.convertToPixel({seriesIndex: 0}, [i, value / 2]);"
        "const box = node.getBoundingClientRect(); return [x, y, box.width, box.height];", box)  # fmt: skip
    go(browser, lambda: ActionChains(browser).move_to_element_with_offset(
        box, int(x - width / 2), int(y - height / 2)).click().perform())  # fmt: skip
    assert "city=" in browser.current_url
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-chart=shanxi][data-drawn] canvas"))
    counties = browser.execute_script(
        "return echarts.getInstanceByDom(document.querySelector('[data-chart=shanxi]')).getOption().xAxis[0].data"
    )
    assert "洪洞县" in counties and "尧都区" in counties and "太原市" not in counties, counties
    assert browser.find_element(By.LINK_TEXT, "« 返回各市")
    shot(browser, site, "trends-linfen-counties")


def test_download_csv_and_xlsx_of_a_search(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/search?q=%E6%A3%80%E5%AF%9F")
    browser.find_element(By.ID, "export-csv").click()
    rows = _read_csv(_downloaded(site, ".csv"))
    assert rows[0][:2] == ["发布时间", "标题"] and len(rows) == 1 + len(CORPUS) + len(GUAAN)
    browser.find_element(By.ID, "export-xlsx").click()
    sheet = openpyxl.load_workbook(_downloaded(site, ".xlsx"), read_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "标题" and [r[1] for r in values[1:]] == [r[1] for r in rows[1:]]


def test_a_viewer_cannot_reach_an_admin_page(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/admin/users")
    assert "没有权限" in browser.find_element(By.CSS_SELECTOR, ".error").text
    assert "wang" not in browser.page_source
    shot(browser, site, "viewer-admin-refused")


def test_an_admin_finds_status_accounts_dead_letters_and_reindex(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "wang")
    go(browser, browser.find_element(By.LINK_TEXT, "管理").click)  # in an admin's menu only
    assert "运行状态" in browser.find_element(By.TAG_NAME, "h2").text
    assert "死信 Dead letters" in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, site, "admin-status")
    go(browser, browser.find_element(By.LINK_TEXT, "死信与重建索引").click)
    assert "没有死信" in browser.find_element(By.ID, "dead-letters").text
    go(browser, browser.find_element(By.CSS_SELECTOR, "#reindex button").click)
    assert "已开始重建索引" in browser.find_element(By.CSS_SELECTOR, "p.done").text
    shot(browser, site, "admin-ops")
    go(browser, browser.find_element(By.LINK_TEXT, "账号管理").click)
    names = browser.find_element(By.CSS_SELECTOR, "table.users").text
    assert all(name in names for name in ("wang", "zhang", "li"))
    shot(browser, site, "admin-users")


def test_the_api_documentation_is_served_by_the_app_itself(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/search")
    browser.get(site.url + "/docs")
    wanted = {"/api/search", "/api/export.{fmt}", "/api/trends", "/api/saved", "/api/digest"}

    # The documentation page draws itself from /openapi.json after loading: wait until it has.
    def listed(driver: WebDriver) -> set[str] | None:
        paths = {e.text for e in driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        return paths if wanted <= paths else None

    paths = wait_for(browser, listed)
    assert paths and len(paths) > 10, paths
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and all(url.startswith(site.url) for url in loaded), loaded  # nothing from a CDN
    shot(browser, site, "api-docs")


def test_script_inside_a_crawled_article_never_runs(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", f"/articles/{HOSTILE.article_id}")
    assert "<script>" in browser.find_element(By.ID, "article-title").text  # shown as text
    browser.get(site.url + "/search?q=" + urllib.parse.quote("检察简讯"))
    assert browser.find_elements(By.CSS_SELECTOR, "ol.results")
    assert browser.title != "pwned" and "pwned" not in browser.execute_script("return document.title")
    errors = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not errors, errors  # nothing even tried to run: it is escaped text, not markup
    shot(browser, site, "hostile-article")


def test_save_a_search_read_its_digest_and_download_the_weekly_briefing(
    browser: WebDriver, site: Site
) -> None:
    log_in(browser, site, "zhang", "/search?q=" + urllib.parse.quote("公益诉讼"))  # an editor
    # 保存为预警: the form starts from the search
    go(browser, browser.find_element(By.ID, "save-search").click)
    assert "/saved" in browser.current_url
    assert browser.find_element(By.NAME, "query").get_attribute("value") == "公益诉讼"
    title = browser.find_element(By.NAME, "name")
    title.clear()
    title.send_keys("洪洞公益诉讼")
    browser.find_element(By.NAME, "channels").send_keys("webhook http://127.0.0.1:9/hook")
    go(browser, browser.find_element(By.CSS_SELECTOR, "form.edit button").click)
    assert "洪洞公益诉讼" in browser.find_element(By.CSS_SELECTOR, "table.saved").text
    row = browser.find_element(By.XPATH, "//table[contains(@class,'saved')]//tr[contains(., '洪洞公益诉讼')]")
    assert "运行中" in row.text and "webhook" in row.text and "正常" in row.text
    feed = row.find_element(By.LINK_TEXT, "Atom 订阅").get_attribute("href") or ""
    assert "/feeds/" in feed and "token=" in feed
    shot(browser, site, "saved")
    # The saved search's digest of yesterday (11 June): the 公益诉讼 story.
    go(browser, row.find_element(By.CSS_SELECTOR, "a.digest").click)
    assert "舆情日报 2024-06-11" in browser.title
    items = browser.find_elements(By.CSS_SELECTOR, "li")
    assert len(items) == 1 and GYSS_ORIGINAL.title in items[0].text and "转载 1" in items[0].text
    shot(browser, site, "digest")
    browser.get(site.url + "/saved")
    form = browser.find_element(By.CSS_SELECTOR, "form.brief")
    assert form.find_element(By.NAME, "from").get_attribute("value") == "2024-06-03"  # last week by default
    for name, value in (("from", "2024-06-06"), ("to", "2024-06-12")):
        browser.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, name), value)
    form.find_element(By.CSS_SELECTOR, "select[name=format] option[value=html]").click()
    go(browser, form.find_element(By.CSS_SELECTOR, "button").click)
    assert "舆情周报" in browser.find_element(By.TAG_NAME, "h1").text
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "2024年06月06日" in text and GYSS_ORIGINAL.title in text and CRITICAL.title in text
    chart = browser.find_element(By.CSS_SELECTOR, "img[alt=每日报道量]")
    assert browser.execute_script("return arguments[0].naturalWidth", chart) > 100, (
        "the trend chart did not load"
    )
    shot(browser, site, "briefing")
    go(browser, browser.back)
    form = browser.find_element(By.CSS_SELECTOR, "form.brief")
    for name, value in (("from", "2024-06-06"), ("to", "2024-06-12")):
        browser.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, name), value)
    form.find_element(By.CSS_SELECTOR, "select[name=format] option[value=docx]").click()
    form.find_element(By.CSS_SELECTOR, "button").click()
    document = Document(io.BytesIO(_downloaded(site, ".docx").read_bytes()))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "舆情周报" in paragraphs and GYSS_ORIGINAL.title in cells + paragraphs
    assert CRITICAL.title in cells + paragraphs and "洪洞县人民检察院" in cells


def _reach(driver: WebDriver, chart: str) -> dict[str, Any]:
    """How high a chart's tallest bar and highest line point reach, as a part of their axis's
    height, and the top label of the line's axis, as the drawn chart shows them."""
    return dict(driver.execute_script(
        "const chart = echarts.getInstanceByDom(document.querySelector(`[data-chart=${arguments[0]}]`));"
        "const option = chart.getOption(), out = {};"
        "for (const s of option.series) {"
        "  const axis = chart.getModel().getComponent('yAxis', s.yAxisIndex || 0).axis;"
        "  out[s.type] = Math.max(...s.data) / axis.scale.getExtent()[1];"
        "  if (s.type === 'line') { const ticks = axis.getViewLabels(); out.share_label = ticks[ticks.length - 1].formattedLabel; }"
        "}"
        "return out;", chart))  # fmt: skip


def _painted(driver: WebDriver, chart: str) -> int:
    """Pixels drawn (not transparent) on a chart's canvas."""
    return int(driver.execute_script(
        "const c = document.querySelector(`[data-chart=${arguments[0]}] canvas`); if (!c) return 0;"
        "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n;", chart))  # fmt: skip


def _downloaded(site: Site, suffix: str, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in site.downloads.iterdir() if p.name.endswith(suffix)]
        if done:
            path = done[0]
            target = site.downloads / "read" / path.name
            target.parent.mkdir(exist_ok=True)
            return Path(shutil.move(path, target))
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {site.downloads}: {list(site.downloads.iterdir())}")


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "no BOM: Excel would misread the Chinese"
    return list(csv.reader(text[1:].splitlines()))
