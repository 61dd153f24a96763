"""The browser desk over HTTP: login by the bot's link, sessions, CSRF, access by role."""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from datetime import date, timedelta

import aiohttp
import pytest

from bot.exports.synthetic import generate
from handlers.web.desk import DeskServer
from tests.web_support import ADMIN, DeskRun, csrf_of, make_staff, open_link, reported_case

PAGES = ["/", "/cases", "/cases/KZ-2026-0001", "/no-such-page"]


async def test_every_page_without_a_session_is_the_login_page(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    async with desk.client() as http:
        for path in [*PAGES, f"/cases/{number}"]:
            async with http.get(path, allow_redirects=False) as page:
                html = await page.text()
                assert page.status == 401, path
                assert "/web" in html and "Әлібек" not in html, path
                assert page.headers["X-Frame-Options"] == "DENY"
                assert page.headers["Referrer-Policy"] == "no-referrer"
                assert "script-src" not in page.headers["Content-Security-Policy"]
                assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        async with http.post(f"/cases/{number}/note", data={"text": "x"}) as page:
            assert page.status == 401
    notes = await desk.bot.services.staff.staff.notes(1)
    assert notes == []


async def test_login_by_link_and_logout(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    admin = desk.bot.chat(ADMIN, "ru")
    http = await desk.login(admin)
    async with http:
        cookie = next(c for c in http.cookie_jar if c.key == "izdeu_desk")
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        async with http.get("/cases") as page:
            html = await page.text()
            assert page.status == 200 and number in html
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
            assert page.status == 200 and "Әлібек" in html
        actions = [e.action for e in await desk.bot.services.staff.audit.entries(limit=50)]
        assert "web_login" in actions and "view_case" in actions
        async with http.post("/logout", data={"csrf": csrf_of(html)}) as page:
            assert page.status == 200 and "/web" in await page.text()
        async with http.get("/cases", allow_redirects=False) as page:
            assert page.status == 401


async def test_a_link_works_once_and_for_ten_minutes(desk: DeskRun) -> None:
    admin = desk.bot.chat(ADMIN, "ru")
    link = await desk.link(admin)
    async with desk.client() as http:
        assert (await open_link(http, link)).status == 303
    async with desk.client() as http:
        async with http.post(
            "/login?lang=kk", data={"token": link.split("/login/")[1].split("?")[0]}
        ) as spent:
            assert spent.status == 403  # in the language of the link
            assert (
                desk.bot.t("kk")(
                    "This link has expired or was already used. "
                    "Send /web to the bot for a new one."
                )
                in await spent.text()
            )
        async with http.get("/cases", allow_redirects=False) as page:
            assert page.status == 401
    old = await desk.link(admin)
    desk.bot.clock.advance(timedelta(minutes=10, seconds=1))
    async with desk.client() as http:
        assert (await open_link(http, old)).status == 403


async def test_a_family_or_a_stranger_gets_no_link(desk: DeskRun) -> None:
    await reported_case(desk.bot, 700)
    for user_id in (700, 701):
        chat = desk.bot.chat(user_id, "ru")
        await chat.send("/web")
        assert chat.last_text() == "Это недоступно." or "/login/" not in chat.last_text()


async def test_posts_need_the_sessions_csrf_token(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        for data in ({"text": "a note"}, {"text": "a note", "csrf": "forged"}):
            async with http.post(f"/cases/{number}/note", data=data) as page:
                assert page.status == 403
        case = await desk.bot.services.store.get_case(number)
        assert case is not None
        assert await desk.bot.services.staff.staff.notes(case.id) == []


async def test_sessions_end_when_idle_too_long_or_too_old(desk: DeskRun) -> None:
    admin = desk.bot.chat(ADMIN, "ru")
    http = await desk.login(admin)
    async with http:
        desk.bot.clock.advance(timedelta(minutes=29))
        async with http.get("/cases") as page:
            assert page.status == 200
        desk.bot.clock.advance(timedelta(minutes=31))
        async with http.get("/cases", allow_redirects=False) as page:
            assert page.status == 401
    http = await desk.login(admin)
    async with http:
        for _ in range(25):  # used every 29 minutes, still ended at 12 hours
            desk.bot.clock.advance(timedelta(minutes=29))
            async with http.get("/cases", allow_redirects=False) as page:
                last = page.status
        assert last == 401


async def test_a_removed_role_ends_the_session_at_once(desk: DeskRun) -> None:
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    http = await desk.login(volunteer)
    async with http:
        async with http.get("/cases") as page:
            assert page.status == 200
        admin = desk.bot.chat(ADMIN, "ru")  # the role is removed in the chat
        await admin.send("/staff")
        await admin.press("staff:remove:520")
        assert (await desk.bot.services.staff.actor(520)).role.value == "relative"
        async with http.get("/cases", allow_redirects=False) as page:
            assert page.status == 401


async def test_a_volunteer_sees_an_unassigned_case_as_not_found(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    http = await desk.login(volunteer)
    async with http:
        async with http.get("/cases") as page:
            assert f"/cases/{number}" not in await page.text()
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
            assert page.status == 404 and "Әлібек" not in html
        async with http.get("/cases/KZ-2026-9999") as page:
            assert page.status == 404 and "недоступно" in await page.text()


async def test_a_refused_note_keeps_the_text_and_says_why(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
        case_id = re.search(r'name="case" value="(\d+)"', html)
        assert case_id
        long_text = "Очень длинная заметка. " * 200
        data = {"csrf": csrf_of(html), "case": case_id.group(1), "text": long_text}
        async with http.post(f"/cases/{number}/note", data=data) as page:
            shown = await page.text()
            assert page.status == 400
            error = re.search(r'<p class="error" role="alert">([^<]+)</p>', shown)
            assert error and error.group(1) == desk.bot.t("ru")(
                "This is too long: at most {max_len} characters here, and you sent "
                "{length}. Please make it shorter.",
                max_len=3000,
                length=len(long_text),
            )
            assert long_text.strip()[:200] in shown
        data["text"] = "Позвонили матери, она ждёт звонка."
        async with http.post(f"/cases/{number}/note", data=data) as page:
            shown = await page.text()
            assert page.status == 200 and "Заметка сохранена." in shown
            assert "Позвонили матери, она ждёт звонка." in shown


async def test_a_message_reaches_the_family_in_its_language(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700, "ky")
    family = desk.bot.chat(700, "ky")
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
        case_id = re.search(r'name="case" value="(\d+)"', html)
        assert case_id
        data = {"csrf": csrf_of(html), "case": case_id.group(1), "text": "Позвоните нам."}
        async with http.post(f"/cases/{number}/message", data=data) as page:
            assert page.status == 200 and "Сообщение отправлено семье." in await page.text()
    t = desk.bot.t("ky")
    assert family.last_text() == (
        t("A message from the organisation about case {number}:", number=number)
        + "\n\nПозвоните нам."
    )
    assert [text for text, _ in family.last().buttons()] == [t("Answer")]
    await family.press(t("Answer"))  # the family answers in the chat; the writer gets it
    await family.send("Хорошо, позвоним завтра.")
    admin = desk.bot.chat(ADMIN, "ru")
    assert admin.last_text().endswith("Хорошо, позвоним завтра.")
    assert number in admin.last_text()
    actions = [e.action for e in await desk.bot.services.staff.audit.entries(limit=50)]
    assert "message" in actions


async def test_a_volunteer_may_not_act_on_other_cases_by_a_forged_id(desk: DeskRun) -> None:
    mine = await reported_case(desk.bot, 700)
    other = await reported_case(desk.bot, 701)
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    admin = desk.bot.chat(ADMIN, "ru")
    http_admin = await desk.login(admin)
    async with http_admin:
        async with http_admin.get(f"/cases/{mine}") as page:
            html = await page.text()
        mine_id = re.search(r'name="case" value="(\d+)"', html)
        assert mine_id
        data = {"csrf": csrf_of(html), "case": mine_id.group(1), "volunteer": "520"}
        async with http_admin.post(f"/cases/{mine}/assign", data={**data, "assigned": "1"}) as p:
            assert p.status == 200 and "☑" in await p.text()
    assert mine in volunteer.last_text()
    other_case = await desk.bot.services.store.get_case(other)
    assert other_case is not None
    http = await desk.login(volunteer)
    async with http:
        async with http.get(f"/cases/{mine}") as page:
            html = await page.text()
            assert page.status == 200 and "Назначить волонтёров" not in html
            # The chat's masking: no contacts or identity numbers without a caseworker's leave.
            assert "Әлібек" in html and "+77011234567" not in html and "N12345678" not in html
        forged = {"csrf": csrf_of(html), "case": str(other_case.id), "text": "x y z"}
        async with http.post(f"/cases/{mine}/note", data=forged) as page:
            assert page.status == 404
        closing = {"csrf": csrf_of(html), "case": mine_id.group(1), "status": "closed"}
        async with http.post(f"/cases/{mine}/status", data=closing) as page:
            assert page.status == 404  # volunteers set a few statuses only
        assigning = {**closing, "volunteer": "520", "assigned": "0"}
        async with http.post(f"/cases/{mine}/assign", data=assigning) as page:
            assert page.status == 404
    assert await desk.bot.services.staff.staff.notes(other_case.id) == []


def _listed(html: str) -> list[str]:
    return re.findall(r'<td[^>]*><a href="/cases/([A-Z]{2}-\d{4}-\d+)">', html)


def _arrow(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.parametrize("sort", ["", "oldest"])
async def test_the_list_pages_through_every_case_once_in_either_order(
    desk: DeskRun, sort: str
) -> None:
    await generate(desk.bot.services.db, 20)
    conn = sqlite3.connect(desk.bot.config.db_path)
    newest = [
        r[0] for r in conn.execute("SELECT number FROM cases ORDER BY created_at DESC, id DESC")
    ]
    conn.close()
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get("/cases", params={"sort": sort} if sort else {}) as page:
            html = await page.text()
        pages = [_listed(html)]
        while (older := _arrow(html, "next")) is not None:
            async with http.get("/cases" + older) as page:
                html = await page.text()
            pages.append(_listed(html))
        assert [len(p) for p in pages] == [8, 8, 4]
        assert [n for p in pages for n in p] == (newest[::-1] if sort else newest)
        back = _arrow(html, "prev")
        assert back is not None
        async with http.get("/cases" + back) as page:
            assert _listed(await page.text()) == pages[1]


async def test_no_login_token_or_personal_data_in_the_logs(
    desk: DeskRun, caplog: pytest.LogCaptureFixture
) -> None:
    number = await reported_case(desk.bot, 700)
    caplog.set_level(logging.DEBUG)
    admin = desk.bot.chat(ADMIN, "ru")
    link = await desk.link(admin)
    token = link.rsplit("/", 1)[1].split("?")[0]
    async with desk.client() as http:
        await open_link(http, link)
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
            assert "Әлібек" in html
        find = {"csrf": csrf_of(html), "number": "Әлібек"}
        async with http.post("/cases/find", data=find) as page:
            assert page.status == 400
        find["number"] = number.lower().replace("-", " ")
        async with http.post("/cases/find", data=find) as page:
            assert page.status == 200 and str(page.url).endswith(f"/cases/{number}")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "desk GET /login/{token} 200" in logged
    assert token not in logged and "Әлібек" not in logged and "Айгүл" not in logged


async def test_the_cookie_is_secure_behind_an_https_address(desk: DeskRun) -> None:
    services = desk.bot.services
    behind_tls = dataclasses.replace(
        services,
        config=dataclasses.replace(services.config, web_public_url="https://desk.example.org"),
    )
    server = await DeskServer.start(behind_tls, desk.bot.app.bot, "127.0.0.1", 0)
    try:
        assert server.url == "https://desk.example.org"
        link = await desk.link(desk.bot.chat(ADMIN, "ru"))
        token = link.rsplit("/", 1)[1].split("?")[0]
        port = server.runner.addresses[0][1]
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.post("/login", data={"token": token}, allow_redirects=False) as p:
                cookie = p.cookies["izdeu_desk"]
                assert p.status == 303
                assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Strict"
    finally:
        await server.stop()


async def test_a_caseworker_lets_volunteers_see_the_details(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    http_admin = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http_admin:
        async with http_admin.get(f"/cases/{number}") as page:
            html = await page.text()
        case_id = re.search(r'name="case" value="(\d+)"', html)
        assert case_id
        form = {"csrf": csrf_of(html), "case": case_id.group(1)}
        async with http_admin.post(
            f"/cases/{number}/assign", data={**form, "volunteer": "520", "assigned": "1"}
        ):
            pass
        async with http_admin.post(f"/cases/{number}/details", data={**form, "details": "1"}) as p:
            shown = await p.text()
            assert "☑ Волонтёрам видны номера и рассказ" in shown
            assert "Изменено, что волонтёры видят в этом деле." in shown
    http = await desk.login(volunteer)
    async with http:
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
            assert "+77011234567" in html and "N12345678" in html
            assert "/details" not in html  # the switch is the caseworkers'


async def test_a_caseworker_reviews_a_likely_form_reply(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    services = desk.bot.services
    case = await services.store.get_case(number)
    assert case is not None
    letter = (await services.letters.store.letters_of(case.id))[0]
    reply_id = await services.followup.store.add_reply(
        letter, date(2026, 11, 20), "form", None, "", None, True, services.clock.now(), ADMIN
    )
    conn = sqlite3.connect(desk.bot.config.db_path)  # as if its text matched 3 other cases
    with conn:
        conn.execute("UPDATE letters SET sent_on = '2026-11-10' WHERE id = ?", (letter.id,))
        conn.execute("UPDATE replies SET copies = 3 WHERE id = ?", (reply_id,))
    conn.close()
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get(f"/cases/{number}") as page:
            html = await page.text()
            mark = desk.bot.t("ru").ngettext(
                "likely form reply: the same text as in {n} other case",
                "likely form reply: the same text as in {n} other cases",
                3,
            )
            assert mark in html and 'name="reply"' in html
        form = {"csrf": csrf_of(html), "case": str(case.id), "reply": str(reply_id)}
        async with http.post(f"/cases/{number}/copy", data={**form, "confirmed": "1"}) as p:
            shown = await p.text()
            assert "Ваше решение о шаблонном ответе сохранено." in shown
            assert 'name="reply"' not in shown  # reviewed: no buttons any more
    replies = await services.followup.store.replies_of_case(case.id)
    assert [r.copy_review for r in replies] == ["confirmed"]
