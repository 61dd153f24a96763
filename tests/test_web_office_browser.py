"""The desk's office pages in a real browser, in the three languages, with screenshots
(``artifacts/screenshots/<locale>-office-*.png``) for review."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.test_web_browser import Page, browser  # noqa: F401  (the module's browser)
from tests.test_web_office import letter_due
from tests.web_support import ADMIN, DeskRun, reported_case


@pytest.mark.parametrize("locale", ["ru", "kk", "ky"])
async def test_the_office_pages_in_a_browser(
    desk: DeskRun,
    browser: webdriver.Chrome,  # noqa: F811
    locale: str,
) -> None:
    number = await reported_case(desk.bot, 700, locale)
    await letter_due(desk, number, -1)
    await letter_due(desk, number, 3)
    t = desk.bot.t(locale)
    page = Page(browser, locale)
    browser.delete_all_cookies()
    await page.open(await desk.link(desk.bot.chat(ADMIN, locale)))
    await page.click("button.primary")
    for name, title in (
        ("due", "Due this week"),
        ("statistics", "Statistics"),
        ("exports", "Exports"),
        ("audit", "Audit log"),
        ("staff", "Staff"),
    ):
        await page.click(f'nav a[href="/{name}"]')
        text = await page.text()
        assert t(title) in text, (locale, name)
        await page.shot(f"office-{name}")
        if name == "due":
            assert number in text and t("Overdue") in text
        if name == "statistics":
            charts = await page.run(lambda: browser.find_elements(By.CSS_SELECTOR, "svg.chart"))
            assert len(charts) >= 9
    await page.click('form[action="/staff/invite"] button')
    assert "start=inv_" in await page.text()
    await page.shot("office-staff-invited")
    await page.click('nav a[href="/cases"]')
    await page.run(lambda: browser.find_element(By.NAME, "name").send_keys("Алибек"))
    await page.click('form[action="/cases/search"] button')
    assert number in await page.text()
    await page.shot("office-search")
