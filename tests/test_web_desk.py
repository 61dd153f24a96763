"""The browser desk over HTTP: login by the bot's link, sessions, CSRF, access by role."""

from __future__ import annotations

from datetime import timedelta

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
        spent = await open_link(http, link)
        assert spent.status == 403
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
        await admin.press("W:R:520")
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
