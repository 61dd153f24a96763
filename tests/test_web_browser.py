"""The desk in a real browser (Debian's headless chromium, driven by Selenium).

One browser serves the whole module. The desk runs in the test's event loop, so every
browser call goes to a thread and the loop keeps answering the browser meanwhile.
Screenshots of each page are written to ``artifacts/screenshots/`` for review.
"""

from __future__ import annotations

import asyncio
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from handlers.updates import UpdateFactory
from tests.support import Chat
from tests.web_support import ADMIN, DeskRun, reported_case

SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
DOWNLOADS = SHOTS.parent / "downloads"  # where the browser saves what the desk sends
BROWSERS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


def _found(paths: tuple[str, ...], name: str) -> str | None:
    return next((p for p in paths if Path(p).exists()), None) or shutil.which(name)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    binary = _found(BROWSERS, "chromium")
    driver_path = _found(DRIVERS, "chromedriver")
    if binary is None or driver_path is None:
        pytest.fail(
            "No browser for the desk's browser tests: install Debian's chromium and "
            "chromium-driver (apt-get install -y chromium chromium-driver; .ci/run does it)."
        )
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,1000")
    shutil.rmtree(DOWNLOADS, ignore_errors=True)
    DOWNLOADS.mkdir(parents=True)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(DOWNLOADS), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def left(element: WebElement) -> bool:
    """The page of ``element`` is gone (while chromium swaps documents it may answer
    "stale" or "node does not belong to the document": both mean gone)."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


class Page:
    """The browser, called from the event loop without blocking it."""

    def __init__(self, driver: webdriver.Chrome, locale: str) -> None:
        self.driver = driver
        self.locale = locale

    async def run(self, func, *args):  # type: ignore[no-untyped-def]
        return await asyncio.to_thread(func, *args)

    async def open(self, url: str) -> None:
        await self.run(self.driver.get, url)

    async def click(self, css: str) -> None:
        """Click a link or a button and wait for the page it leads to."""

        def click_and_wait() -> None:
            old = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, css).click()
            wait = WebDriverWait(self.driver, 10)
            wait.until(lambda _: left(old))
            wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

        await self.run(click_and_wait)

    async def text(self) -> str:
        return str(await self.run(lambda: self.driver.find_element(By.TAG_NAME, "body").text))

    async def shot(self, name: str, width: int = 1280) -> None:
        """The whole page (the window is made as tall as the page), then back to normal."""

        def whole_page() -> None:
            self.driver.set_window_size(width, 800)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, max(800, min(int(height), 6000)))
            self.driver.save_screenshot(str(SHOTS / f"{self.locale}-{name}.png"))
            self.driver.set_window_size(1280, 1000)

        await self.run(whole_page)


def downloaded(suffix: str, seconds: float = 90) -> Path:
    """The file the browser finished saving (Chromium writes ``.crdownload`` until then).
    The export behind it runs in a process at a lower priority than everything else the
    test run keeps busy, so it may take a while on a loaded machine; a passing run does not
    wait longer for the generous limit."""
    found: list[Path] = []

    def done(_: object) -> bool:
        found[:] = [p for p in DOWNLOADS.iterdir() if p.suffix == suffix]
        return bool(found)

    WebDriverWait(None, seconds, poll_frequency=0.2).until(done)
    return found[0]


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return " ".join(
            book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")
        )


def named_chat(desk: DeskRun, user_id: int, locale: str, name: str) -> Chat:
    return Chat(desk.bot, UpdateFactory(desk.bot.app.bot, user_id, locale, first_name=name))


async def test_a_caseworker_works_a_case_in_the_browser(
    desk: DeskRun, browser: webdriver.Chrome
) -> None:
    bot = desk.bot
    number = await reported_case(bot, 700, "kk")
    family = bot.chat(700, "kk")
    admin = named_chat(desk, ADMIN, "ru", "Дана")
    await admin.send("/invite volunteer")
    code = admin.last_text().split("start=inv_")[1].split()[0]
    volunteer = named_chat(desk, 520, "ru", "Бакыт")
    await volunteer.send(f"/start inv_{code}")
    await volunteer.send("/my")  # the name staff are shown by is recorded
    page = Page(browser, "ru")
    browser.delete_all_cookies()

    await page.open(await desk.link(admin))
    await page.shot("1-login-link")
    await page.click("button.primary")
    assert "Дела" in await page.text() and number in await page.text()
    await page.shot("2-cases")
    await page.shot("2-cases-phone", width=400)

    await page.run(
        lambda: Select(browser.find_element(By.NAME, "status")).select_by_value("reported")
    )
    await page.click("form.filters button.primary")
    assert number in await page.text() and "status=reported" in browser.current_url
    await page.run(
        lambda: Select(browser.find_element(By.NAME, "status")).select_by_value("closed")
    )
    await page.click("form.filters button.primary")
    assert number not in await page.text()
    await page.shot("3-cases-filtered")
    await page.click("form.filters a")  # clear the filters

    await page.click(f'a[href="/cases/{number}"]')
    text = await page.text()
    assert "Әлібек" in text and "ФИО заявителя" in text
    await page.shot("4-dossier")

    await page.click('form[action$="/assign"] button')
    assert "☑ Бакыт" in await page.text()
    assert number in volunteer.last_text()

    await page.run(lambda: browser.find_element(By.ID, "note").send_keys("Позвонили матери."))
    await page.click('form[action$="/note"] button')
    assert "Заметка сохранена." in await page.text() and "Позвонили матери." in await page.text()

    await page.run(
        lambda: Select(browser.find_element(By.NAME, "status")).select_by_value("located")
    )
    await page.click('form[action$="/status"] button')
    t_family = bot.t("kk")
    assert family.last_text() == t_family(
        "The status of your case {number} is now: {status}.",
        number=number,
        status=t_family("person located"),
    )
    await page.shot("5-dossier-after")
    await page.shot("5-dossier-phone", width=400)

    await page.click('nav a[href="/exports"]')
    await page.shot("7-exports")
    await page.run(lambda: browser.find_element(By.CSS_SELECTOR, "form.filters button").click())
    xlsx = await page.run(downloaded, ".xlsx")
    assert number in xlsx_text(xlsx)  # the case is in the workbook the browser saved
    await page.open(desk.url + "/cases")

    await page.click("form.logout button")
    assert "/web" in await page.text()
    await page.shot("6-logged-out")
    assert "Чтобы войти" in await page.text()  # still in the caseworker's language
    await page.open(desk.url + "/cases")
    assert number not in await page.text()


@pytest.mark.parametrize("locale", ["kk", "ky"])
async def test_the_desk_in_kazakh_and_kyrgyz(
    desk: DeskRun, browser: webdriver.Chrome, locale: str
) -> None:
    number = await reported_case(desk.bot, 700, locale)
    admin = desk.bot.chat(ADMIN, locale)
    page = Page(browser, locale)
    browser.delete_all_cookies()
    await page.open(await desk.link(admin))
    await page.click("button.primary")
    t = desk.bot.t(locale)
    assert t("Cases") in await page.text()
    await page.shot("2-cases")
    await page.click(f'a[href="/cases/{number}"]')
    assert t("Add a note") in await page.text()
    await page.shot("4-dossier")
    await page.click("form.logout button")
    assert t("Only caseworkers and volunteers of the organisation can log in.") in (
        await page.text()
    )
    await page.shot("6-logged-out")
