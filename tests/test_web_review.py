"""The desk's "Letters to check" over HTTP, with IZDEU_LETTER_REVIEW on: who may open it,
the CSRF token, reading a letter and its files, a correction (a refused one keeps the text),
approving (the family's chat receives what an approval in the chat sends) and sending
back with a note."""

from __future__ import annotations

import html
import re
from pathlib import Path

import aiohttp
from selenium.webdriver import Chrome

from handlers.localapi import Fault
from handlers.views import review as view
from tests.support import Bot
from tests.test_review_chat import CORRECTED, FAMILY, bot, docx_text, prepared
from tests.test_web_browser import Page, browser
from tests.web_support import ADMIN, DeskRun, csrf_of, make_staff

# The application with letter review on (tests.test_review_chat), one headless browser.
__all__ = ["bot", "browser"]

VOLUNTEER = 330


async def page(http: aiohttp.ClientSession, path: str, status: int = 200) -> str:
    async with http.get(path, allow_redirects=False) as response:
        text = await response.text()
        assert response.status == status, (path, response.status)
        return html.unescape(text)


async def post(
    http: aiohttp.ClientSession, path: str, data: dict[str, str], status: int = 303
) -> aiohttp.ClientResponse:
    response = await http.post(path, data=data, allow_redirects=False)
    await response.read()
    assert response.status == status, (path, response.status)
    return response


async def reads(bot: Bot) -> int:
    entries = await bot.services.staff.audit.entries(limit=200)
    return sum(e.action == "review_read" for e in entries)


async def test_only_managers_with_a_session_and_the_token_reach_the_queue(
    desk: DeskRun, bot: Bot
) -> None:
    letter = await prepared(bot, bot.chat(FAMILY, "ru"), "ru")
    paths = ["/review", f"/review/{letter}", f"/review/{letter}/pdf"]
    async with desk.client() as http:
        for path in paths:
            assert "/web" in await page(http, path, 401)
        await post(http, f"/review/{letter}/approve", {"csrf": "x"}, 401)
    volunteer = await make_staff(bot, VOLUNTEER, "volunteer")
    async with await desk.login(volunteer) as http:
        shown = await page(http, "/cases")
        assert "/review" not in shown  # not in a volunteer's menu
        for path in paths:
            assert bot.t("ru")("This is not available.") in await page(http, path, 404)
        await post(http, f"/review/{letter}/approve", {"csrf": csrf_of(shown)}, 404)
    async with await desk.login(bot.chat(ADMIN, "ru")) as http:
        shown = await page(http, "/review")
        assert 'href="/review"' in shown  # in the menu where review is on
        await post(http, f"/review/{letter}/approve", {"csrf": "forged"}, 403)
        await post(http, f"/review/{letter}/back", {"note": "Нет"}, 403)
    assert bot.api.sent(FAMILY, "sendDocument") == []
    queue = await bot.services.review.queue(await bot.services.staff.actor(ADMIN))
    assert [e.state for e in queue] == ["waiting"]


async def test_a_caseworker_corrects_and_approves_at_the_desk(desk: DeskRun, bot: Bot) -> None:
    locale = "kk"
    t = bot.t(locale)
    letter = await prepared(bot, bot.chat(FAMILY, locale), locale)
    case = (await bot.services.store.cases_of(bot.services.user_key(FAMILY)))[0]
    body = bot.services.letters.directory["prosecutor_general"].name(locale)
    async with await desk.login(bot.chat(ADMIN, locale)) as http:
        queue = await page(http, "/review")
        row = re.search(r"<tr>\s*<td><a href=\"/review/(\d+)\">(.*?)</a>(.*?)</tr>", queue, re.S)
        assert row and row.group(1) == str(letter) and row.group(2) == case.number
        assert body in row.group(3) and view.language_name("ru", locale) in row.group(3)
        assert t("Letters waiting for review: {n}", n="1") in queue
        dossier = await page(http, f"/cases/{case.number}")
        link = f'<a href="/review/{letter}">{body}'
        assert link in dossier  # the dossier leads to its letters in the queue
        assert t("waiting for a caseworker's check") in dossier
        before = await reads(bot)
        shown = await page(http, f"/review/{letter}")
        assert "Генеральному" in shown and "г. Алматы, пр. Абая, 1, кв. 2, 050000" in shown
        for kind in ("pdf", "docx"):
            async with http.get(f"/review/{letter}/{kind}") as file:
                assert file.status == 200
                assert (
                    f"{case.number}_prosecutor-general_ru.{kind}"
                    in (file.headers["Content-Disposition"])
                )
                assert (await file.read())[:2] in (b"%P", b"PK")
        assert await reads(bot) == before + 3  # the page and both files, as the chat's reading

        token = csrf_of(shown)
        wrong = "Алматы қаласы, Абай даңғылы"  # Kazakh in a Russian letter
        refused = await http.post(
            f"/review/{letter}/correct", data={"csrf": token, "field": "r_addr", "text": wrong}
        )
        text = html.unescape(await refused.text())
        assert refused.status == 400
        assert (
            t("This text is not in the letter's language. Please write it in that language.")
            in text
        )
        assert f">{wrong}</textarea>" in text  # what was typed is kept
        long = "Россия, " * 400  # past the text area's limit (a browser may not keep it)
        refused = await http.post(
            f"/review/{letter}/correct", data={"csrf": token, "field": "r_addr", "text": long}
        )
        assert refused.status == 400
        assert t(
            "This is too long: at most {max_len} characters here, and you sent "
            "{length}. Please make it shorter.",
            max_len=3000,
            length=len(long.strip()),
        ) in html.unescape(await refused.text())
        await post(
            http,
            f"/review/{letter}/correct",
            {"csrf": token, "field": "r_addr", "text": CORRECTED},
        )
        shown = await page(http, f"/review/{letter}?done=saved")
        assert t("Saved. The letter is made again with your text.") in shown
        assert re.search(r"<pre class=\"letter\"[^>]*>[^<]*" + CORRECTED, shown)

        approved = await post(http, f"/review/{letter}/approve", {"csrf": token})
        assert approved.headers["Location"] == "/review?done=approved"
        queue = await page(http, "/review?done=approved")
        assert t("Approved. The family has received the letter.") in queue
        assert t("No letters are waiting for review.") in queue

    documents = bot.api.sent(FAMILY, "sendDocument")
    assert [c.files["document"][0] for c in documents] == [
        f"{case.number}_prosecutor-general_ru.pdf",
        f"{case.number}_prosecutor-general_ru.docx",
    ]
    assert CORRECTED in docx_text(documents[1].files["document"][1])
    texts = bot.chat(FAMILY, locale).texts()
    assert any(x.startswith("✓ " + t("The organisation has checked this letter.")) for x in texts)
    assert texts[-1] == view.all_ready_text(t)
    done = await bot.services.store.get_case_by_id(case.id)
    assert done is not None and done.status.value == "letters_ready"


async def test_a_letter_is_sent_back_with_a_note(desk: DeskRun, bot: Bot) -> None:
    locale = "ky"
    t = bot.t(locale)
    letter = await prepared(bot, bot.chat(FAMILY, locale), locale)
    case = (await bot.services.store.cases_of(bot.services.user_key(FAMILY)))[0]
    async with await desk.login(bot.chat(ADMIN, "ru")) as http:
        token = csrf_of(await page(http, f"/review/{letter}"))
        blank = await http.post(f"/review/{letter}/back", data={"csrf": token, "note": "  "})
        assert blank.status == 400
        note = "Уточните адрес: нет номера квартиры."
        sent = await post(http, f"/review/{letter}/back", {"csrf": token, "note": note})
        assert sent.headers["Location"] == "/review?done=returned"
        assert bot.t("ru")("No letters are waiting for review.") in await page(http, "/review")
    body = bot.services.letters.directory["prosecutor_general"].name(locale)
    assert bot.chat(FAMILY, locale).last_text() == view.returned_text(t, body, case.number, note)
    assert bot.api.sent(FAMILY, "sendDocument") == []


async def test_the_menu_has_no_queue_where_review_is_off(tmp_path: Path) -> None:
    off = await Bot.start(tmp_path)
    desk = await DeskRun.start(off)
    try:
        async with await desk.login(off.chat(ADMIN, "ru")) as http:
            assert 'href="/review"' not in await page(http, "/cases")
    finally:
        await desk.stop()
        await off.stop()


async def test_the_queue_in_the_browser(desk: DeskRun, bot: Bot, browser: Chrome) -> None:
    """The queue and a letter's page as a caseworker sees them (screenshots for review)."""
    locale = "ru"
    letter = await prepared(bot, bot.chat(FAMILY, locale), locale)
    page = Page(browser, locale)
    browser.delete_all_cookies()
    await page.open(await desk.link(bot.chat(ADMIN, locale)))
    await page.click("button.primary")
    await page.click('a[href="/review"]')
    t = bot.t(locale)
    assert t("Letters waiting for review: {n}", n="1") in await page.text()
    await page.shot("review-1-queue")
    await page.click(f'a[href="/review/{letter}"]')
    assert "Генеральному" in await page.text()
    await page.shot("review-2-letter")


async def test_an_unreached_family_keeps_the_letter_to_send_again(desk: DeskRun, bot: Bot) -> None:
    """A family that blocked the bot, then a network failure: the desk says the family was
    not reached and the letter stays in the queue as approved; the next approval sends it."""
    letter = await prepared(bot, bot.chat(FAMILY, "ru"), "ru")
    t = bot.t("ru")
    async with await desk.login(bot.chat(ADMIN, "ru")) as http:
        token = csrf_of(await page(http, f"/review/{letter}"))
        for fault in (Fault(403, "Forbidden: bot was blocked by the user"), Fault(network=True)):
            bot.api.fail_next("sendMessage", fault)
            sent = await post(http, f"/review/{letter}/approve", {"csrf": token})
            assert sent.headers["Location"] == "/review?done=approved_unreached"
            queue = await page(http, "/review?done=approved_unreached")
            assert view.approved_text(t, reached=False) in queue
            assert t("approved, not yet received by the family") in queue
        assert bot.api.sent(FAMILY, "sendDocument") == []
        sent = await post(http, f"/review/{letter}/approve", {"csrf": token})
        assert sent.headers["Location"] == "/review?done=approved"
    assert len(bot.api.sent(FAMILY, "sendDocument")) == 2
