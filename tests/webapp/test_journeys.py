"""A press officer's journeys in a real browser: Debian's chromium driven by Selenium through
Debian's chromium-driver (nothing downloads a browser). The embedded default runs every journey;
Kafka + Elasticsearch deployments the search and story ones (the index is the real Elasticsearch).

Screenshots go to tests/artifacts/screenshots/ (git-ignored), named <backend>-<journey>.png.
"""

from __future__ import annotations

import csv
import shutil
import socket
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
import uvicorn

from indexer import open_index
from pipeline.settings import Settings
from tests.conftest import ELASTICSEARCH_URL, _require
from tests.webapp.conftest import GUAAN
from tests.webapp.corpus import CORPUS, GYSS_ORIGINAL, HOSTILE, NOW, TRADITIONAL
from webapp.accounts import AccountStore, accounts_path
from webapp.app import create_app
from webapp.deps import get_now

selenium = pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
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


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.integration)]
)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if CHROMIUM is None or DRIVER is None:
        pytest.skip("chromium and chromium-driver are not installed (`make system`)")
    name = f"test_journeys_{uuid.uuid4().hex[:8]}"
    root = tmp_path_factory.mktemp(request.param)
    settings = Settings(data_dir=root / "data", index_name=name)
    if request.param == "elasticsearch":
        _require("Elasticsearch", ELASTICSEARCH_URL)
        settings = settings.model_copy(
            update={"index": "elasticsearch", "elasticsearch_url": ELASTICSEARCH_URL}
        )
    backend = open_index(settings)
    backend.init()
    assert all(o.ok for o in backend.index([*CORPUS, *GUAAN]))
    backend.refresh()
    store = AccountStore(accounts_path(settings.data_dir))
    store.add_user("wang", PASSWORD, "admin")
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
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, site: Site, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{site.backend}-{name}.png"))


def wait_for(driver: WebDriver, condition: Callable[[WebDriver], object], timeout: float = 20) -> None:
    WebDriverWait(driver, timeout).until(condition)


def log_in(driver: WebDriver, site: Site, name: str, target: str = "/") -> None:
    driver.get(site.url + target)
    wait_for(driver, lambda d: "/login" in d.current_url)
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form.login button").click()
    wait_for(driver, lambda d: "/login" not in d.current_url)


def test_log_in_and_land_on_the_dashboard(browser: WebDriver, site: Site) -> None:
    if site.backend != "sqlite":
        pytest.skip("the dashboard journey runs on the embedded default")
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
    box.submit()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "ol.results"))
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".result h2")]
    assert GYSS_ORIGINAL.title in titles and "临汾市检察机关公益诉讼立案30件" in titles
    shot(browser, site, "search-traditional")
    facet = browser.find_element(By.XPATH, "//section[contains(@class,'facet-source')]//a[text()='检察日报']")
    facet.click()
    wait_for(browser, lambda d: "source=" in d.current_url)
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".result h2")]
    assert titles == ["临汾市检察机关公益诉讼立案30件"]
    assert "来源：检察日报 ×" in browser.find_element(By.CSS_SELECTOR, ".chips").text
    shot(browser, site, "search-facet")


def test_open_a_story_and_switch_script(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", "/search?q=" + urllib.parse.quote("司法救助"))
    browser.find_element(By.CSS_SELECTOR, "a.details").click()
    wait_for(browser, lambda d: "/articles/" in d.current_url)
    assert browser.find_element(By.ID, "article-title").text == TRADITIONAL.title  # as published: traditional
    marked = browser.find_element(By.CSS_SELECTOR, "#article-body mark.entity a")
    assert marked.text == "洪洞縣檢察院" and "procuratorate=" in (marked.get_attribute("href") or "")
    assert "救助困难群众" in browser.find_element(By.CSS_SELECTOR, "table.figures").text
    shot(browser, site, "article-original")
    browser.find_element(By.ID, "to-simplified").click()
    wait_for(browser, lambda d: "script=simplified" in d.current_url)
    assert browser.find_element(By.ID, "article-title").text == "洪洞县检察院开展司法救助"
    assert "为困难群众发放司法救助金" in browser.find_element(By.ID, "article-body").text
    shot(browser, site, "article-simplified")
    browser.get(f"{site.url}/stories/story-gyss")
    copies = browser.find_elements(By.CSS_SELECTOR, "table.copies tbody tr")
    assert len(copies) == 2 and "原发" in copies[0].text and "原发" not in copies[1].text
    shot(browser, site, "story")


def test_trends_draw_charts_and_a_chart_downloads_its_numbers(browser: WebDriver, site: Site) -> None:
    if site.backend != "sqlite":
        pytest.skip("the trends journey runs on the embedded default")
    log_in(
        browser,
        site,
        "li",
        "/trends?q=%E6%A3%80%E5%AF%9F&interval=month&metric=%E5%85%AC%E7%9B%8A%E8%AF%89%E8%AE%BC",
    )
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[data-chart=volume] canvas"))
    painted = browser.execute_script(
        "const c = document.querySelector('[data-chart=volume] canvas');"
        "const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n;"
    )
    assert painted > 1000, "the volume chart's canvas is empty"
    shot(browser, site, "trends")
    browser.find_element(By.CSS_SELECTOR, "#box-volume a.csv").click()
    rows = _read_csv(_downloaded(site, "trend-volume.csv"))
    assert rows[0][0] == "时段起始日" and rows[0][1] == "全部报道" and len(rows) >= 2


def test_download_csv_and_xlsx_of_a_search(browser: WebDriver, site: Site) -> None:
    if site.backend != "sqlite":
        pytest.skip("the export journey runs on the embedded default")
    log_in(browser, site, "li", "/search?q=%E6%A3%80%E5%AF%9F")
    browser.find_element(By.ID, "export-csv").click()
    rows = _read_csv(_downloaded(site, ".csv"))
    assert rows[0][:2] == ["发布时间", "标题"] and len(rows) == 1 + len(CORPUS) + len(GUAAN)
    browser.find_element(By.ID, "export-xlsx").click()
    sheet = openpyxl.load_workbook(_downloaded(site, ".xlsx"), read_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "标题" and [r[1] for r in values[1:]] == [r[1] for r in rows[1:]]


def test_a_viewer_cannot_reach_an_admin_page(browser: WebDriver, site: Site) -> None:
    if site.backend != "sqlite":
        pytest.skip("runs on the embedded default")
    log_in(browser, site, "li", "/admin/users")
    assert "没有权限" in browser.find_element(By.CSS_SELECTOR, ".error").text
    assert "wang" not in browser.page_source
    shot(browser, site, "viewer-admin-refused")


def test_script_inside_a_crawled_article_never_runs(browser: WebDriver, site: Site) -> None:
    log_in(browser, site, "li", f"/articles/{HOSTILE.article_id}")
    assert "<script>" in browser.find_element(By.ID, "article-title").text  # shown as text
    browser.get(site.url + "/search?q=" + urllib.parse.quote("检察简讯"))
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "ol.results"))
    assert browser.title != "pwned" and "pwned" not in browser.execute_script("return document.title")
    errors = [e for e in browser.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    assert not errors, errors  # nothing even tried to run: it is escaped text, not markup
    shot(browser, site, "hostile-article")


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
