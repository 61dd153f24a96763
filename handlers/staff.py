"""Caseworkers and volunteers in the chat: cases, dossier, assignment, notes, messages, audit.

Every command and every button asks the core for the role first; to anyone
without it the answer is a plain "not available", the same for a case that
exists and one that does not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import regions
from bot.app import Services
from bot.audit_sentences import sentence, who
from bot.domain.models import Case, CaseStatus, Report, parse_case_number
from bot.domain.validators import InvalidInput, clean_text
from bot.i18n import N_, Translator, pick_locale
from bot.letters.language import fits
from bot.letters.translations import Needed
from bot.letters.translations import texts as free_texts
from bot.readable import shorten
from bot.services.followup import at_local
from bot.staff import (
    MANAGERS,
    MAY_INVITE,
    PAGE_SIZE,
    STAFF_ROLES,
    VOLUNTEER_STATUSES,
    Actor,
    Cursor,
    DueCursor,
    NotAllowed,
    Role,
)
from bot.storage.followup import Form, NewReminder, Reply
from bot.storage.staff import CaseFilter
from bot.vocabulary import OUTCOME_NAMES, ROLE_NAMES, TIMEZONE_NAMES
from handlers import texts
from handlers.common import Context, drop_buttons, parse_id, say, services
from handlers.keyboards import button
from handlers.letters import field_name, language_name
from handlers.views.followup import letter_state, letter_title, timeline_text

PREFIX = "W"
STAFF_FORMS = frozenset({"note", "relay", "relay_back", "translation"})
STATUSES = list(CaseStatus)
CITIZENSHIP_CODES = {"x": None, "K": "KZ", "G": "KG", "O": "other"}

STAFF_HELP = N_(
    "Commands for the organisation:\n"
    "/cases: all cases, with filters (caseworkers)\n"
    "/case NUMBER: the dossier of a case\n"
    "/my: the cases assigned to you (volunteers)\n"
    "/due: letters overdue or due this week\n"
    "/invite volunteer or /invite caseworker: a one-time invitation link\n"
    "/invites: open invitations; /staff: people with a role\n"
    "/export, /stats: reports and charts (caseworkers)\n"
    "/audit: who looked at or exported what"
)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


async def actor_and_t(update: Update, context: Context) -> tuple[Actor, Translator]:
    """The sender's role and language (a staff member's own, else the family's, else
    Telegram's)."""
    s = services(context)
    tg_user = update.effective_user
    assert tg_user is not None
    key = s.user_key(tg_user.id)
    actor = await s.staff.actor(key)
    await s.staff.remember_name(actor, shown_name(tg_user.full_name, tg_user.username))
    member = await s.staff.staff.get(key)
    user = await s.store.get_user(key)
    locale = (
        (member.locale if member else None)
        or (user.locale if user else None)
        or pick_locale(tg_user.language_code)
    )
    return actor, s.catalogs.get(locale)


def shown_name(full_name: str | None, username: str | None) -> str:
    """How staff see a colleague: the Telegram name, else the @username."""
    return (full_name or "").strip() or (f"@{username}" if username else "")


async def staff_zone(context: Context, actor: Actor) -> str:
    """The zone this staff member sees times in (their own, else the organisation's)."""
    return await services(context).staff.timezone_of(actor.user_id)


async def named(context: Context, t: Translator, ids: set[int]) -> dict[int, str]:
    """Names of staff members, each id mapped; unknown ones get a neutral phrase."""
    names = await services(context).staff.names(ids)
    return {i: who(t, i, names) for i in ids}


async def not_available(update: Update, context: Context, t: Translator) -> None:
    await say(update, context, t("This is not available."))


def staff_only(
    roles: frozenset[Role],
) -> Callable[[Callable[..., Awaitable[None]]], Callable[..., Awaitable[None]]]:
    """Check the role on every call; others learn nothing."""

    def wrap(func: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        async def handler(update: Update, context: Context) -> None:
            actor, t = await actor_and_t(update, context)
            if actor.role not in roles:
                if update.callback_query:
                    await update.callback_query.answer()
                await not_available(update, context, t)
                return
            await func(update, context, actor, t)

        handler.__name__ = func.__name__
        handler.__doc__ = func.__doc__
        return handler

    return wrap


# --- /cases ------------------------------------------------------------------
def parse_filter(code: str) -> CaseFilter:
    """Filters travel in callback data as five characters: status, citizenship, overdue,
    unassigned, verified (x = any), then the region's ISO code if one is chosen."""
    region = code[5:] if regions.get(code[5:]) else None
    code = (code + "xxxxx")[:5]
    status = (
        STATUSES[int(code[0], 16)].value
        if code[0] != "x" and code[0] in "0123456789abcdef" and int(code[0], 16) < len(STATUSES)
        else None
    )
    verified = {"1": True, "0": False}.get(code[4])
    return CaseFilter(
        status=status,
        citizenship=CITIZENSHIP_CODES.get(code[1]),
        overdue=code[2] == "1",
        unassigned=code[3] == "1",
        verified=verified,
        region=region,
    )


def filter_code(flt: CaseFilter) -> str:
    status = format(STATUSES.index(CaseStatus(flt.status)), "x") if flt.status else "x"
    cit = {v: k for k, v in CITIZENSHIP_CODES.items()}.get(flt.citizenship, "x")
    verified = {True: "1", False: "0"}.get(flt.verified, "x") if flt.verified is not None else "x"
    region = flt.region or ""
    return f"{status}{cit}{int(flt.overdue)}{int(flt.unassigned)}{verified}{region}"


def _cycle(code: str, which: str) -> str:
    region = code[5:] if which != "r" else ""  # "r" drops the region
    code = (code + "xxxxx")[:5]
    chars = list(code)
    if which == "s":
        order = ["x"] + [format(i, "x") for i in range(len(STATUSES))]
        chars[0] = order[(order.index(chars[0]) + 1) % len(order)] if chars[0] in order else "x"
    elif which == "c":
        order = list(CITIZENSHIP_CODES)
        chars[1] = order[(order.index(chars[1]) + 1) % len(order)] if chars[1] in order else "x"
    elif which == "o":
        chars[2] = "0" if chars[2] == "1" else "1"
    elif which == "u":
        chars[3] = "0" if chars[3] == "1" else "1"
    elif which == "v":
        order = ["x", "1", "0"]
        chars[4] = order[(order.index(chars[4]) + 1) % 3] if chars[4] in order else "x"
    return "".join(chars) + region


@staff_only(MANAGERS)
async def cases_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    """/cases, or /cases REGION: a region's name in any of the three languages, or its code."""
    typed = " ".join(context.args or [])
    region = ""
    if typed:
        found = regions.get(typed.upper()) or next(iter(regions.search(typed, 1)), None)
        if found is None:
            await say(update, context, t("No region matches «{text}».", text=typed[:100]))
            return
        region = found.code
    await show_cases(update, context, actor, t, "xx00x" + region, 0)


@staff_only(frozenset({Role.VOLUNTEER}) | MANAGERS)
async def my_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    """/my: the cases assigned to this volunteer (caseworkers may be assigned too)."""
    s = services(context)
    flt = CaseFilter(volunteer_id=actor.user_id)
    today = s.clock.now().date().isoformat()
    rows, total = await s.staff.staff.list_cases(flt, today, 50, 0)
    if not rows:
        await say(update, context, t("No cases are assigned to you yet."))
        return
    lines = [t("Your cases ({n}):", n=total)]
    for c in rows:
        due = ""
        if c.overdue:
            due = " · ⏰ " + t.ngettext("{n} overdue letter", "{n} overdue letters", c.overdue)
        elif c.next_due:
            due = " · " + t(
                "next answer due {date}", date=t.date(date.fromisoformat(c.next_due), "medium")
            )
        lines.append(
            f"{c.number} · {c.missing_name} · {texts.status_name(t, CaseStatus(c.status))}{due}"
        )
    buttons = [[_button(c.number, "c", c.id)] for c in rows]
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


@staff_only(frozenset({Role.VOLUNTEER}) | MANAGERS)
async def due_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    """/due: overdue or due within a week, most urgent first, one message with pages."""
    await show_due(update, context, actor, t, 0, None)


async def show_due(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    page: int,
    cursor: DueCursor | None,
) -> None:
    """One page of /due. Like /cases, the arrows carry the letter the next (or previous)
    page starts after: at 100,000 cases the list holds over 100,000 letters, which as
    messages would take the whole of Telegram's budget for minutes."""
    s = services(context)
    items, total = await s.staff.due(actor, cursor)
    if not total:
        await say(update, context, t("Nothing is overdue or due this week."))
        return
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page if cursor is not None else 0, pages - 1)
    today = s.clock.now().date()
    lines = [t("Letters overdue or due this week: {n}", n=total) + f" · {page + 1}/{pages}"]
    for number, row in items:
        lines.append(f"{number} · {letter_title(t, row)}\n   {letter_state(t, row, today)}")
    nav = []
    if page > 0 and items:
        first = items[0][1]
        nav.append(_button("⬅", "D", page - 1, _due_mark("b", first.due_on, first.id)))
    if page + 1 < pages and items:
        last = items[-1][1]
        nav.append(_button("➡", "D", page + 1, _due_mark("a", last.due_on, last.id)))
    markup = InlineKeyboardMarkup([nav]) if nav else None
    query = update.callback_query
    if query is not None and query.message is not None:
        try:  # the arrow's own message turns into the page: still one message
            await query.edit_message_text("\n".join(lines), reply_markup=markup)
            return
        except BadRequest:  # too old to edit: the page comes as a new message
            pass
    await say(update, context, "\n".join(lines), markup)


def _due_mark(direction: str, due_on: date | None, letter_id: int) -> str:
    """The cursor of a /due arrow: a (after) or b (before), the deadline, the letter id."""
    return f"{direction}{due_on.strftime('%Y%m%d') if due_on else '0'}.{letter_id}"


def _due_cursor(mark: str) -> DueCursor | None:
    day, _, letter = mark[1:].partition(".")
    letter_id = parse_id(letter)
    if mark[:1] not in ("a", "b") or letter_id is None or len(day) != 8 or not day.isdigit():
        return None
    return DueCursor(f"{day[:4]}-{day[4:6]}-{day[6:]}", letter_id, mark[0] == "a")


async def show_cases(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    code: str,
    page: int,
    cursor: Cursor | None = None,
) -> None:
    """A page of /cases. The arrows carry the page number and the case the next (or
    previous) page starts after, so any page is found through the index, never by
    counting the cases before it."""
    s = services(context)
    flt = parse_filter(code)
    if cursor is None:
        page = 0
    rows, total = await s.staff.list_cases(actor, flt, cursor)
    code = filter_code(flt)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages - 1)
    lines = [t("Cases: {n}", n=total) + f" · {page + 1}/{pages}"]
    if flt.region:
        lines.append(t("Region: {value}", value=regions.name(flt.region, t.locale)))
    for c in rows:
        marks = (
            ("✔" if c.verified else "·")
            + (" ⏰" if c.overdue else "")
            + ("" if c.volunteers else " ∅")
        )
        lines.append(
            f"{marks} {c.number} · {c.missing_name} · {texts.status_name(t, CaseStatus(c.status))}"
        )
    if not rows:
        lines.append(t("No cases match."))
    status_label = texts.status_name(t, CaseStatus(flt.status)) if flt.status else t("any")
    cit_label = {
        None: t("any"),
        "KZ": t("Kazakhstan"),
        "KG": t("Kyrgyzstan"),
        "other": t("Other country"),
    }[flt.citizenship]
    verified_label = {None: t("any"), True: t("verified"), False: t("not verified")}[flt.verified]
    buttons = [[_button(c.number, "c", c.id)] for c in rows]
    if flt.region:
        buttons.append(
            [
                _button(
                    "✕ " + t("Region: {value}", value=regions.name(flt.region, t.locale)),
                    "f",
                    "r",
                    code,
                )
            ]
        )
    buttons += [
        [_button(t("Status: {status}", status=status_label), "f", "s", code)],
        [_button(t("Citizenship: {value}", value=cit_label), "f", "c", code)],
        [
            _button(("☑ " if flt.overdue else "☐ ") + t("Overdue"), "f", "o", code),
            _button(("☑ " if flt.unassigned else "☐ ") + t("Unassigned"), "f", "u", code),
        ],
        [_button(t("Checked: {value}", value=verified_label), "f", "v", code)],
    ]
    nav = []
    if page > 0 and rows:
        nav.append(_button("⬅", "l", page - 1, code, f"b{rows[0].id}"))
    if page + 1 < pages and rows:
        nav.append(_button("➡", "l", page + 1, code, f"a{rows[-1].id}"))
    if nav:
        buttons.append(nav)
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


# --- the dossier ----------------------------------------------------------------
async def show_dossier(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case
) -> None:
    s = services(context)
    answers = await s.staff.visible_answers(actor, case)
    flags = await s.staff.staff.flags(case.id)
    volunteers = await s.staff.staff.volunteers_of(case.id)
    head = [
        t("Case {number}", number=case.number),
        t("Status: {status}", status=texts.status_name(t, case.status)),
        t("Reported on {date}", date=t.date(case.created_at.date(), "long")),
        "✔ " + t("verified") if flags.get("verified") else "· " + t("not verified"),
    ]
    notes = await s.staff.staff.notes(case.id)
    names = await named(context, t, set(volunteers) | {n.author_id for n in notes})
    head.append(t("Volunteers: {names}", names=", ".join(names[v] for v in volunteers) or "—"))
    parts = ["\n".join(head), texts.answers_text(t, answers, staff=True)]
    rows = await s.letters.store.letters_of(case.id)
    today = s.clock.now().date()
    sent = [r for r in rows if r.generated_at or r.sent_on or r.parent_id]
    by_id = {r.id: r for r in rows}
    if sent:
        parts.append(
            "\n".join(
                [t("Letters:")]
                + [f"• {letter_title(t, r)}: {letter_state(t, r, today)}" for r in sent]
            )
        )
    replies = await s.followup.store.replies_of_case(case.id)
    if replies:
        parts.append(
            "\n".join(
                [t("Replies:")]
                + [
                    f"• {t.date(r.received_on, 'medium')} · "
                    f"{letter_title(t, by_id[r.letter_id])}: "
                    f"{t(OUTCOME_NAMES[r.outcome])}"
                    + (f" «{shorten(r.summary or r.text, 300)}»" if r.summary or r.text else "")
                    + copy_mark(t, r)
                    for r in replies
                    if r.letter_id in by_id
                ]
            )
        )
    parts.append(timeline_text(t, case, None, tz=await staff_zone(context, actor)))
    from handlers.un import dossier_summary  # the UN page imports this module

    parts.append(await dossier_summary(context, actor, t, case))
    if notes and actor.role in STAFF_ROLES:
        parts.append(
            "\n".join(
                [t("Notes:")]
                + [
                    f"• {t.date(n.created_at.date(), 'medium')} ({names[n.author_id]}): {n.text}"
                    for n in notes
                ]
            )
        )
    waiting = await _translations_waiting(s, actor, case)
    if waiting:
        parts.append(
            t.ngettext(
                "{n} text waits for a translation before the family gets its letters.",
                "{n} texts wait for a translation before the family gets its letters.",
                len(waiting),
            )
        )
    buttons = [
        [_button(t("Change the status"), "s", case.id), _button(t("Add a note"), "n", case.id)],
        [_button(t("Message the family"), "m", case.id)],
    ]
    if waiting:
        buttons.append([_button(t("Write the translations"), "T", case.id)])
    if actor.role in MANAGERS:
        buttons.append(
            [
                _button(
                    ("✔ " if flags.get("verified") else "") + t("Checked with the family"),
                    "v",
                    case.id,
                ),
                _button(t("Assign volunteers"), "a", case.id),
            ]
        )
        buttons.append(
            [
                _button(
                    ("☑ " if flags.get("details") else "☐ ")
                    + t("Volunteers see identity numbers and the account"),
                    "d",
                    case.id,
                )
            ]
        )
        buttons.append([_button(t("Dossier as PDF"), "x", case.id)])
        for r in replies:
            if r.copies and r.copy_review is None:
                buttons.append(
                    [
                        _button(
                            "✔ " + t("Form reply of {date}", date=t.date(r.received_on, "short")),
                            "F",
                            case.id,
                            r.id,
                            1,
                        ),
                        _button("✖ " + t("Not a form reply"), "F", case.id, r.id, 0),
                    ]
                )
    buttons.append([button(t("UN (WGEID): checklist and submission"), "U", "s", case.id)])
    await say(update, context, "\n\n".join(parts), InlineKeyboardMarkup(buttons))


def copy_mark(t: Translator, reply: Reply) -> str:
    """The text-match mark of a reply in the dossier, with the caseworker's review."""
    if not reply.copies:
        return ""
    mark = t.ngettext(
        "likely form reply: the same text as in {n} other case",
        "likely form reply: the same text as in {n} other cases",
        reply.copies,
    )
    review = {
        "confirmed": t("confirmed by a caseworker"),
        "rejected": t("rejected by a caseworker"),
    }.get(reply.copy_review or "", t("not checked yet"))
    return f"\n   ⚠ {mark} ({review})"


async def _b_copy(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """Confirm (1) or reject (0) the mark of a likely form reply."""
    case = await _case_arg(update, context, actor, t, args)
    reply_id = parse_id(args[1]) if len(args) > 2 else None
    if case is None or reply_id is None or args[2] not in ("0", "1"):
        raise ValueError(args)
    if await services(context).staff.review_copy(actor, case, reply_id, args[2] == "1"):
        await drop_buttons(update)
        await show_dossier(update, context, actor, t, case)
    else:
        await not_available(update, context, t)


async def staff_case_command(update: Update, context: Context, number: str) -> bool:
    """/case NUMBER for staff; False when the sender has no staff role (the family's view runs)."""
    actor, t = await actor_and_t(update, context)
    if actor.role not in STAFF_ROLES:
        return False
    case = await services(context).staff.open_case(actor, number=parse_case_number(number))
    if case is None:
        await not_available(update, context, t)
        return True
    await show_dossier(update, context, actor, t, case)
    return True


# --- invitations and roles -------------------------------------------------------------
@staff_only(MANAGERS)
async def invite_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    s = services(context)
    role = (context.args or ["volunteer"])[0].lower()
    try:
        invitation = await s.staff.invite(actor, role)
    except NotAllowed:
        allowed = " / ".join(MAY_INVITE.get(actor.role, ()))
        await say(update, context, t("You can invite: {roles}.", roles=allowed))
        return
    username = context.bot.username or "bot"
    link = f"https://t.me/{username}?start=inv_{invitation.code}"
    tz = await staff_zone(context, actor)
    await say(
        update,
        context,
        t(
            "A one-time invitation for a {role}. It works once and expires on {date}. Send the "
            "link only to that person:\n{link}",
            role=t(ROLE_NAMES[role]),
            date=t.datetime(invitation.expires_at, "short", tz=tz),
            link=link,
        ),
    )


@staff_only(MANAGERS)
async def invites_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    s = services(context)
    invitations = await s.staff.invitations(actor)
    if not invitations:
        await say(update, context, t("There are no open invitations."))
        return
    lines = [t("Open invitations:")]
    buttons = []
    tz = await staff_zone(context, actor)
    names = await named(context, t, {inv.created_by for inv in invitations})
    for i, inv in enumerate(invitations, 1):
        expires = t.datetime(inv.expires_at, "short", tz=tz)
        lines.append(
            f"{i}. {t(ROLE_NAMES[inv.role])} · {names[inv.created_by]} · "
            + t("expires {date}", date=expires)
        )
        buttons.append([_button(t("Revoke invitation {n}", n=i), "i", inv.code)])
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


@staff_only(MANAGERS)
async def staff_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    s = services(context)
    members = await s.staff.staff.members()
    if not members:
        await say(update, context, t("Nobody has a role yet. Use /invite."))
        return
    lines = [t("People with a role:")]
    buttons = []
    names = await named(context, t, {m.user_id for m in members})
    for m in members:
        lines.append(f"{names[m.user_id]} · {t(ROLE_NAMES[m.role])}")
        if actor.role is Role.ADMIN or m.role == "volunteer":
            buttons.append(
                [_button(t("Remove the role of {name}", name=names[m.user_id]), "R", m.user_id)]
            )
    await say(
        update, context, "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None
    )


async def redeem_invitation(update: Update, context: Context, code: str) -> None:
    s = services(context)
    tg_user, chat = update.effective_user, update.effective_chat
    assert tg_user is not None and chat is not None
    key = s.user_key(tg_user.id)
    existing = await s.store.get_user(key)
    locale = (existing.locale if existing else None) or pick_locale(tg_user.language_code) or "ru"
    t = s.catalogs.get(locale)
    role = await s.staff.redeem(code, key, chat.id, locale)
    if role is not None:  # known by name from the start
        await s.staff.remember_name(
            await s.staff.actor(key), shown_name(tg_user.full_name, tg_user.username)
        )
    if role is None:
        await say(
            update,
            context,
            t(
                "This invitation is not valid: it was used, revoked or "
                "has expired. Ask for a new one."
            ),
        )
        return
    await say(
        update,
        context,
        t("Welcome. You are now a {role} of the organisation.", role=t(ROLE_NAMES[role]))
        + "\n\n"
        + t(STAFF_HELP),
    )


@staff_only(MANAGERS)
async def audit_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    s = services(context)
    entries = await s.staff.audit.entries(limit=30)
    if not entries:
        await say(update, context, t("The audit log is empty."))
        return
    lines = [t("Audit log, newest first:")]
    tz = await staff_zone(context, actor)
    names = await s.staff.names(
        {e.actor_id for e in entries} | {e.target_id for e in entries if e.target_id}
    )
    for e in entries:
        text = sentence(
            t, e.action, e.actor_id, e.case_number, e.target_id, e.detail, names, e.reporter_id
        )
        lines.append(f"{t.datetime(e.at, 'short', tz=tz)} · {text}")
    await say(update, context, "\n".join(lines))


# --- the staff member's own time zone ---------------------------------------------------------
def zone_name(t: Translator, tz: str) -> str:
    """A zone in words: ours by name ("Almaty time"), any other by its city in the reader's
    language (the organisation may be elsewhere)."""
    if tz in TIMEZONE_NAMES:
        return t(TIMEZONE_NAMES[tz])
    return get_timezone_location(tz, locale=t.locale, return_city=True)


async def staff_settings(update: Update, context: Context) -> bool:
    """/settings for staff: the zone they see times in. False for everyone else."""
    actor, t = await actor_and_t(update, context)
    if actor.role not in STAFF_ROLES:
        return False
    await _show_zone(update, context, actor, t)
    return True


async def _show_zone(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    tz = await staff_zone(context, actor)
    org = services(context).staff.timezone
    zones = list(dict.fromkeys([org, *TIMEZONE_NAMES]))
    await say(
        update,
        context,
        "\n".join(
            [
                t("Times are shown to you in: {zone}.", zone=zone_name(t, tz)),
                t("The organisation's time zone: {zone}.", zone=zone_name(t, org)),
            ]
        ),
        InlineKeyboardMarkup(
            [[_button(("✓ " if z == tz else "") + zone_name(t, z), "z", z)] for z in zones]
        ),
    )


async def _b_zone(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    s = services(context)
    zone = ":".join(args)
    if zone not in TIMEZONE_NAMES and zone != s.staff.timezone:
        raise ValueError(zone)
    await s.staff.set_timezone(actor, None if zone == s.staff.timezone else zone)
    await drop_buttons(update)
    await _show_zone(update, context, actor, t)


# --- buttons ---------------------------------------------------------------------------
async def on_staff_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op = parts[1] if len(parts) > 1 else ""
    args = parts[2:]
    actor, t = await actor_and_t(update, context)
    if op == "r":  # the family answers a message from the organisation
        await _family_reply(update, context, actor, t, args)
        return
    if actor.role not in STAFF_ROLES:
        await not_available(update, context, t)
        return
    handler = BUTTONS.get(op)
    if handler is None:
        return
    try:
        await handler(update, context, actor, t, args)
    except (NotAllowed, ValueError, IndexError):
        await not_available(update, context, t)


async def _case_arg(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> Case | None:
    case_id = (parse_id(args[0]) if args else None) or 0
    case = await services(context).staff.open_case(actor, case_id=case_id)
    if case is None:
        await not_available(update, context, t)
    return case


async def _b_list(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    if actor.role not in MANAGERS:
        raise NotAllowed(actor.role)
    await drop_buttons(update)
    page = parse_id(args[0])
    if page is None or page > 100_000:
        raise ValueError(args[0])
    # A button of an older version has no cursor: it shows the first page.
    mark = args[2] if len(args) > 2 else ""
    case_id = parse_id(mark[1:]) if mark[:1] in ("a", "b") else None
    cursor = Cursor(case_id, mark[0] == "a") if case_id is not None else None
    await show_cases(
        update, context, actor, t, args[1] if len(args) > 1 else "xx00x", page, cursor
    )


async def _b_due(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """An arrow of /due: its message turns into the page it asks for."""
    page = parse_id(args[0]) if args else None
    cursor = _due_cursor(args[1]) if len(args) > 1 else None
    if page is None or page > 100_000 or cursor is None:
        raise ValueError(args)
    await show_due(update, context, actor, t, page, cursor)


async def _b_filter(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    if actor.role not in MANAGERS:
        raise NotAllowed(actor.role)
    await drop_buttons(update)
    await show_cases(
        update, context, actor, t, _cycle(args[1] if len(args) > 1 else "", args[0]), 0
    )


async def _b_case(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case:
        await show_dossier(update, context, actor, t, case)


async def _b_status_menu(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    allowed = STATUSES if actor.role in MANAGERS else list(VOLUNTEER_STATUSES)
    await say(
        update,
        context,
        t("New status for case {number}:", number=case.number),
        InlineKeyboardMarkup(
            [
                [_button(texts.status_name(t, st), "S", case.id, STATUSES.index(st))]
                for st in allowed
            ]
        ),
    )


async def _b_status(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    status = STATUSES[int(args[1])]
    await services(context).staff.set_status(actor, case, status)
    await drop_buttons(update)
    await say(
        update,
        context,
        t(
            "Status of case {number}: {status}.",
            number=case.number,
            status=texts.status_name(t, status),
        ),
    )
    await _tell_family_status(context, case, status)


async def _tell_family_status(context: Context, case: Case, status: CaseStatus) -> None:
    s = services(context)
    family = await s.store.get_user(case.reporter_id)
    if family is None or family.blocked_at:
        return
    t = s.catalogs.get(family.locale)  # the family's language
    await context.bot.send_message(
        family.chat_id,
        t(
            "The status of your case {number} is now: {status}.",
            number=case.number,
            status=texts.status_name(t, status),
        ),
    )


async def _b_verified(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    await _toggle(update, context, actor, t, args, "verified")


async def _b_details(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    await _toggle(update, context, actor, t, args, "details")


async def _toggle(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str], flag: str
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    s = services(context)
    flags = await s.staff.staff.flags(case.id)
    await s.staff.set_flag(actor, case, flag, not flags.get(flag, False))
    await drop_buttons(update)
    await show_dossier(update, context, actor, t, case)


async def _b_assign_menu(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    if actor.role not in MANAGERS:
        raise NotAllowed(actor.role)
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    s = services(context)
    volunteers = await s.staff.staff.members("volunteer")
    assigned = set(await s.staff.staff.volunteers_of(case.id))
    if not volunteers:
        await say(
            update, context, t("There are no volunteers yet. Invite one with /invite volunteer.")
        )
        return
    names = await named(context, t, {v.user_id for v in volunteers})
    await say(
        update,
        context,
        t("Volunteers for case {number}:", number=case.number),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        ("☑ " if v.user_id in assigned else "☐ ") + names[v.user_id],
                        "A",
                        case.id,
                        v.user_id,
                    )
                ]
                for v in volunteers
            ]
        ),
    )


async def _b_assign(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    s = services(context)
    volunteer = parse_id(args[1])
    if volunteer is None:
        raise ValueError(args[1])
    assigned = volunteer in await s.staff.staff.volunteers_of(case.id)
    await s.staff.assign(actor, case, volunteer, not assigned)
    await drop_buttons(update)
    await _b_assign_menu(update, context, actor, t, args[:1])
    if not assigned:
        member = await s.staff.staff.get(volunteer)
        if member is not None:
            await context.bot.send_message(
                member.chat_id, _assigned_text(s.catalogs.get(member.locale), case.number)
            )
            tz = await s.staff.timezone_of(volunteer)
            await s.followup.store.schedule([_volunteer_digest(s, volunteer, tz)], s.clock.now())


def _assigned_text(t: Translator, number: str) -> str:
    """What a volunteer reads when assigned, in the volunteer's language."""
    return t("You are assigned to case {number}. /my lists your cases.", number=number)


def _volunteer_digest(s: Services, volunteer_id: int, tz: str) -> NewReminder:
    """Tomorrow at the send hour where the volunteer is."""
    day = (s.clock.now() + timedelta(days=1)).astimezone(ZoneInfo(tz)).date()
    return NewReminder(volunteer_id, None, None, "volunteer_digest", at_local(day, tz))


async def _b_note(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case:
        await _start_form(update, context, actor, "note", {"case_id": case.id})
        await say(update, context, t("Write the note for case {number}:", number=case.number))


async def _b_message(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case:
        await _start_form(update, context, actor, "relay", {"case_id": case.id})
        await say(
            update,
            context,
            t(
                "Write the message to the family of case {number}. It goes "
                "through the bot: they do not see your name or number.",
                number=case.number,
            ),
        )


async def _b_revoke(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    done = await services(context).staff.revoke(actor, args[0])
    await drop_buttons(update)
    await say(
        update, context, t("The invitation is revoked.") if done else t("This is not available.")
    )


async def _b_remove_role(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    user_id = parse_id(args[0])
    if user_id is None:
        raise ValueError(args[0])
    done = await services(context).staff.remove_role(actor, user_id)
    await drop_buttons(update)
    await say(update, context, t("The role is removed.") if done else t("This is not available."))


async def _b_dossier(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    from handlers.exports import send_dossier

    if actor.role not in MANAGERS:
        raise NotAllowed(actor.role)
    case = await _case_arg(update, context, actor, t, args)
    if case:
        await send_dossier(update, context, actor, t, case)


# --- translations the family left to the organisation -----------------------------------
async def _translations_waiting(s: Services, actor: Actor, case: Case) -> list[Needed]:
    """Texts the family asked the organisation to give in a letter's language, which this
    actor may read (a volunteer sees the account and address only when allowed)."""
    options = await s.letters.options(case)
    left = s.letters.left_to_organisation(options)
    if not left:
        return []
    visible = free_texts(Report.from_answers(await s.staff.visible_answers(actor, case)))
    return [Needed(f, lang, visible[f]) for f, lang in sorted(left) if f in visible]


async def _b_translate(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await _case_arg(update, context, actor, t, args)
    if case is None:
        return
    await drop_buttons(update)
    await _ask_translation(update, context, actor, t, case)


async def _ask_translation(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case
) -> bool:
    """Show the next text to translate and open the form for it; False when none is left."""
    waiting = await _translations_waiting(services(context), actor, case)
    if not waiting:
        return False
    item = waiting[0]
    await _start_form(
        update,
        context,
        actor,
        "translation",
        {"case_id": case.id, "field": item.field, "language": item.language},
    )
    await say(
        update,
        context,
        t(
            "Case {number}: write this text in {language} ({what}). It goes into the letters "
            "as you write it.\n\n«{text}»",
            number=case.number,
            language=language_name(item.language, t.locale),
            what=field_name(t, item.field),
            text=item.original[:1500],
        ),
    )
    return True


async def _save_translation(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    case: Case,
    form: Form,
    text: str,
) -> None:
    s = services(context)
    field, language = str(form.data.get("field")), str(form.data.get("language"))
    waiting = {(n.field, n.language): n for n in await _translations_waiting(s, actor, case)}
    item = waiting.get((field, language))
    if item is None:
        raise NotAllowed("translation")
    if not fits(text, language) and text != item.original:
        await say(
            update,
            context,
            texts.error(
                t, InvalidInput("wrong_language", language=language_name(language, t.locale))
            ),
        )
        await _start_form(update, context, actor, "translation", dict(form.data))
        return
    await s.letters.set_translation(case, field, language, text, actor.user_id)
    await s.staff.audit.record(
        s.clock.now(), actor.user_id, "translation", case_id=case.id, target_id=case.reporter_id
    )
    await say(update, context, t("The translation is saved."))
    if await _ask_translation(update, context, actor, t, case):
        return
    family = await s.store.get_user(case.reporter_id)
    if family is not None:
        ft = s.catalogs.get(family.locale)
        await context.bot.send_message(
            family.chat_id,
            ft(
                "The organisation has written the translations for the letters of case {number}. "
                "Press the button to get the letters.",
                number=case.number,
            ),
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(ft("Prepare the letters"), callback_data=f"L:g:{case.id}")]]
            ),
        )
    await say(update, context, t("All translations are written; the family is told."))


BUTTONS: dict[str, Callable[..., Awaitable[None]]] = {
    "l": _b_list,
    "f": _b_filter,
    "D": _b_due,
    "c": _b_case,
    "s": _b_status_menu,
    "S": _b_status,
    "v": _b_verified,
    "d": _b_details,
    "a": _b_assign_menu,
    "A": _b_assign,
    "n": _b_note,
    "m": _b_message,
    "i": _b_revoke,
    "R": _b_remove_role,
    "x": _b_dossier,
    "z": _b_zone,
    "T": _b_translate,
    "F": _b_copy,
}


# --- staff forms: notes and messages ------------------------------------------------------
async def _start_form(
    update: Update, context: Context, actor: Actor, name: str, data: dict
) -> None:
    s = services(context)
    await s.followup.store.save_form(actor.user_id, Form(name, "text", data), s.clock.now())


async def handle_staff_form(update: Update, context: Context, form: Form) -> None:
    """The text of a note, or of a message between the organisation and a family."""
    s = services(context)
    actor, t = await actor_and_t(update, context)
    message = update.effective_message
    if message is None or not message.text:
        await say(update, context, texts.error(t, InvalidInput("need_text")))
        return
    try:
        text, _ = clean_text(message.text, 3000, truncate=False)
    except InvalidInput as err:
        await say(update, context, texts.error(t, err))
        return
    await s.followup.store.drop_form(actor.user_id)
    case = await s.store.get_case_by_id(int(form.data.get("case_id", 0)))
    if case is None:
        await not_available(update, context, t)
        return
    try:
        if form.name == "note":
            await s.staff.add_note(actor, case, text)
            await say(update, context, t("The note is saved."))
        elif form.name == "relay":
            await _relay_to_family(context, actor, case, text)
            await say(update, context, t("The message is sent to the family."))
        elif form.name == "relay_back":
            await _relay_to_staff(context, actor, case, int(form.data.get("to", 0)), text)
            await say(update, context, t("Your answer is sent."))
        elif form.name == "translation":
            await _save_translation(update, context, actor, t, case, form, text)
    except NotAllowed:
        await not_available(update, context, t)


async def _relay_to_family(context: Context, actor: Actor, case: Case, text: str) -> None:
    s = services(context)
    if not await s.staff.may_see(actor, case) or actor.role not in STAFF_ROLES:
        raise NotAllowed("relay")
    family = await s.store.get_user(case.reporter_id)
    if family is None:
        raise NotAllowed("no family")
    t = s.catalogs.get(family.locale)  # the family's language
    await context.bot.send_message(
        family.chat_id,
        t("A message from the organisation about case {number}:", number=case.number)
        + "\n\n"
        + text,
        reply_markup=InlineKeyboardMarkup([[_button(t("Answer"), "r", case.id, actor.user_id)]]),
    )
    await s.staff.audit.record(
        s.clock.now(), actor.user_id, "message", case_id=case.id, target_id=case.reporter_id
    )


async def _family_reply(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """The family taps Answer under a message from the organisation."""
    s = services(context)
    ids = [parse_id(a) for a in args[:2]]
    case = await s.store.get_case_by_id(ids[0]) if ids and ids[0] is not None else None
    if case is None or case.reporter_id != actor.user_id or len(ids) < 2 or ids[1] is None:
        await not_available(update, context, t)
        return
    await _start_form(update, context, actor, "relay_back", {"case_id": case.id, "to": ids[1]})
    await say(
        update, context, t("Write your answer; it goes to the organisation through the bot.")
    )


async def _relay_to_staff(context: Context, actor: Actor, case: Case, to: int, text: str) -> None:
    s = services(context)
    if case.reporter_id != actor.user_id:
        raise NotAllowed("relay back")
    target = await s.staff.actor(to)
    member = await s.staff.staff.get(to)
    if target.role not in STAFF_ROLES or not await s.staff.may_see(target, case):
        raise NotAllowed("relay target")
    chat_id = member.chat_id if member else s.staff.admin_chat(to)
    t = s.catalogs.get(member.locale if member else None)  # the staff member's language
    await context.bot.send_message(
        chat_id,
        t("The family of case {number} answers:", number=case.number) + "\n\n" + text,
        reply_markup=InlineKeyboardMarkup([[_button(t("Answer"), "m", case.id)]]),
    )
    await s.staff.audit.record(
        s.clock.now(), actor.user_id, "message", case_id=case.id, target_id=to
    )
