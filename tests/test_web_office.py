"""The desk's office pages over HTTP: due this week, statistics, exports, audit, staff and
the search by name; who may see what, CSRF on every POST, the three languages."""

from __future__ import annotations

from datetime import timedelta

from tests.web_support import ADMIN, DeskRun, csrf_of, make_staff, reported_case

PAGES = ["/due", "/statistics", "/exports", "/audit", "/staff"]
POSTS = ["/exports", "/staff/invite", "/staff/revoke", "/staff/remove", "/cases/search"]
# A title of each page, in each language: the page is read in the staff member's language.
TITLES = {
    "ru": ("Сроки на этой неделе", "Статистика", "Выгрузки", "Журнал аудита", "Сотрудники"),
    "kk": ("Осы аптадағы мерзімдер", "Статистика", "Экспорттар", "Аудит журналы", "Қызметкер"),
    "ky": ("Ушул жумадагы мөөнөттөр", "Статистика", "Экспорттор", "Аудит журналы", "Кызматкер"),
}


async def letter_due(desk: DeskRun, number: str, days: int) -> None:
    """A sent letter of the case whose answer is due ``days`` from today."""
    s = desk.bot.services
    case = await s.store.get_case(number)
    assert case is not None
    now = s.clock.now()
    async with s.db.transaction() as conn:
        await conn.execute(
            """INSERT INTO letters(case_id, addressee_id, kind, created_at, updated_at,
                                   sent_on, channel, due_on)
               VALUES (?, 'prosecutor_general', ?, ?, ?, ?, 'email', ?)""",
            (
                case.id,
                f"request{days}",
                now.isoformat(),
                now.isoformat(),
                (now.date() - timedelta(days=20)).isoformat(),
                (now.date() + timedelta(days=days)).isoformat(),
            ),
        )


async def test_no_session_no_page_and_no_action(desk: DeskRun) -> None:
    await reported_case(desk.bot, 700)
    async with desk.client() as http:
        for path in PAGES:
            async with http.get(path, allow_redirects=False) as page:
                assert page.status == 401, path
                assert "/web" in await page.text()
        for path in POSTS:
            async with http.post(path, data={"role": "volunteer", "name": "Әлібек"}) as page:
                assert page.status == 401, path
    assert await desk.bot.services.staff.staff.open_invitations(desk.bot.clock.now()) == []


async def test_a_volunteer_sees_only_what_is_theirs(desk: DeskRun) -> None:
    theirs = await reported_case(desk.bot, 700)
    other = await reported_case(desk.bot, 701)
    await letter_due(desk, theirs, 2)
    await letter_due(desk, other, 3)
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    admin = await desk.bot.services.staff.actor(desk.bot.services.user_key(ADMIN))
    case = await desk.bot.services.store.get_case(theirs)
    assert case is not None
    await desk.bot.services.staff.assign(
        admin, case, desk.bot.services.user_key(volunteer.user_id), True
    )
    http = await desk.login(volunteer)
    async with http:
        async with http.get("/due") as page:
            html = await page.text()
            assert page.status == 200 and theirs in html and other not in html
        for path in PAGES[1:]:
            async with http.get(path) as page:
                assert page.status == 404, path
                assert "недоступно" in await page.text()
        async with http.post(
            "/cases/search", data={"name": "Алибек", "csrf": csrf_of(html)}
        ) as page:
            found = await page.text()
            assert page.status == 200 and theirs in found and other not in found
        async with http.post("/staff/invite", data={"role": "volunteer", "csrf": csrf_of(html)}):
            pass
    assert await desk.bot.services.staff.staff.open_invitations(desk.bot.clock.now()) == []


async def test_every_post_needs_the_csrf_token(desk: DeskRun) -> None:
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        for path in POSTS:
            for data in ({"format": "csv"}, {"format": "csv", "csrf": "forged"}):
                async with http.post(path, data={**data, "role": "volunteer"}) as page:
                    assert page.status == 403, path
    assert await desk.bot.services.staff.staff.open_invitations(desk.bot.clock.now()) == []
    actions = [e.action for e in await desk.bot.services.staff.audit.entries(limit=50)]
    assert "export" not in actions and "invite" not in actions


async def test_the_pages_in_three_languages(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    await letter_due(desk, number, -1)
    for n, (locale, titles) in enumerate(TITLES.items()):
        worker = await make_staff(desk.bot, 530 + n, "caseworker", locale)
        http = await desk.login(worker)
        async with http:
            for path, title in zip(PAGES, titles, strict=True):
                async with http.get(path) as page:
                    html = await page.text()
                    assert page.status == 200, (locale, path)
                    assert title in html, (locale, path)
                    assert "Content-Security-Policy" in page.headers
            async with http.get("/due") as page:
                assert number in await page.text()


async def test_statistics_are_svg_charts_with_their_figures(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    await letter_due(desk, number, -1)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get("/statistics") as page:
            html = await page.text()
    assert html.count("<svg") >= 9 and "<script" not in html
    assert "Дела по статусам" in html and "<details>" in html
    entry = (await desk.bot.services.staff.audit.entries(limit=1))[0]
    assert (entry.action, entry.detail["format"]) == ("export", "charts")


async def test_an_export_downloads_and_is_audited(desk: DeskRun) -> None:
    await reported_case(desk.bot, 700)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get("/exports") as page:
            csrf = csrf_of(await page.text())
        async with http.post("/exports", data={"format": "csv", "csrf": csrf}) as page:
            body = await page.read()
            assert page.status == 200
            assert page.headers["Content-Type"] == "application/zip"
            assert "attachment" in page.headers["Content-Disposition"]
    assert body[:2] == b"PK"
    entry = (await desk.bot.services.staff.audit.entries(limit=1))[0]
    assert (entry.action, entry.detail["format"], entry.detail["masked"]) == (
        "export",
        "csv",
        True,
    )


async def test_audit_log_reads_as_sentences(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get(f"/cases/{number}") as page:
            assert page.status == 200
        async with http.get("/audit") as page:
            html = await page.text()
    assert f"открыл(а) дело {number}" in html
    assert "открыл(а) рабочий стол" in html  # the login, in words too
    assert "другое действие" not in html


async def test_staff_invite_revoke_and_remove(desk: DeskRun) -> None:
    volunteer = await make_staff(desk.bot, 520, "volunteer")
    stored = desk.bot.services.user_key(volunteer.user_id)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get("/staff") as page:
            html = await page.text()
        async with http.post(
            "/staff/invite", data={"role": "caseworker", "csrf": csrf_of(html)}
        ) as page:
            html = await page.text()
            assert "start=inv_" in html
        [invitation] = await desk.bot.services.staff.staff.open_invitations(desk.bot.clock.now())
        assert invitation.role == "caseworker"
        async with http.post(
            "/staff/revoke", data={"code": invitation.code, "csrf": csrf_of(html)}
        ) as page:
            assert page.status == 200 and "отозвано" in await page.text()
        assert await desk.bot.services.staff.staff.open_invitations(desk.bot.clock.now()) == []
        async with http.post(
            "/staff/remove", data={"member": str(stored), "csrf": csrf_of(html)}
        ) as page:
            assert page.status == 200
    assert await desk.bot.services.staff.staff.get(stored) is None


async def test_search_by_name_keeps_the_name_out_of_addresses(desk: DeskRun) -> None:
    number = await reported_case(desk.bot, 700)
    http = await desk.login(desk.bot.chat(ADMIN, "ru"))
    async with http:
        async with http.get("/cases") as page:
            html = await page.text()
            assert 'action="/cases/search"' in html
        for typed in ("алибек", "ALIBEK KURMANGAZIULY", "Әлібек"):
            async with http.post(
                "/cases/search", data={"name": typed, "csrf": csrf_of(html)}
            ) as page:
                found = await page.text()
                assert page.status == 200 and number in found, typed
                assert str(page.url).endswith("/cases/search")
        async with http.post("/cases/search", data={"name": "12", "csrf": csrf_of(html)}) as page:
            assert page.status == 400 and "12" in await page.text()  # kept to correct it
