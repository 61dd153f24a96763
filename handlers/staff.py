"""Caseworkers and volunteers in the chat: cases, dossier, assignment, notes, messages, audit.

Every command and every button asks the core for the role first; to anyone
without it the answer is a plain "not available", the same for a case that
exists and one that does not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden

from bot import regions
from bot.audit_sentences import sentence
from bot.domain.inputs import OtherInput, TextInput
from bot.domain.models import Case, CaseStatus, parse_case_number
from bot.domain.validators import InvalidInput
from bot.i18n import N_, Translator, pick_locale
from bot.letters.translations import Needed
from bot.readable import shorten
from bot.services.dossier import DossierScreen
from bot.services.errors import Invalid, NotFound
from bot.services.staff import (
    MANAGERS,
    MAY_INVITE,
    STAFF_FORMS,
    STAFF_ROLES,
    VOLUNTEER_STATUSES,
    Actor,
    CaseFilter,
    Cursor,
    DueCursor,
    Form,
    NotAllowed,
    Relay,
    Role,
    StaffSettings,
    TranslationWritten,
    VolunteerList,
)
from bot.vocabulary import OUTCOME_NAMES, ROLE_NAMES
from handlers import texts
from handlers.common import Context, drop_buttons, parse_id, say, services
from handlers.keyboards import button
from handlers.views import un as un_views
from handlers.views.exports import send_document
from handlers.views.followup import letter_state, letter_title, timeline_text
from handlers.views.letters import field_name, language_name
from handlers.views.notices import send_notices
from handlers.views.staff import (
    actor_and_t,
    copy_mark,
    name_all,
    not_available,
    shown_name,
    staff_only,
    staff_zone,
    translations_written,
    zone_name,
)

# Other handlers still import these from here; they live in handlers.views.staff.
__all__ = [
    "STAFF_FORMS",
    "STAFF_HELP",
    "actor_and_t",
    "ask_again",
    "not_available",
    "staff_only",
]

PREFIX = "staff"  # staff:<what>:<ids>, see BUTTONS
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
    "/review: letters waiting for a caseworker's approval\n"
    "/audit: who looked at or exported what\n"
    "/web: the organisation's desk in a browser (a one-time login link)"
)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


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
    mine = await services(context).staff.my_cases(actor)
    rows, total = mine.cases, mine.total
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
    buttons = [[_button(c.number, "case", c.id)] for c in rows]
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
    due = await s.staff.due(actor, cursor)
    total = due.total
    items = [(d.case_number, d.letter) for d in due.items]
    if not total:
        await say(update, context, t("Nothing is overdue or due this week."))
        return
    pages = max(1, -(-total // due.page_size))
    page = min(page if cursor is not None else 0, pages - 1)
    today = s.clock.now().date()
    lines = [t("Letters overdue or due this week: {n}", n=total) + f" · {page + 1}/{pages}"]
    for number, row in items:
        lines.append(f"{number} · {letter_title(t, row)}\n   {letter_state(t, row, today)}")
    nav = []
    if page > 0 and items:
        first = items[0][1]
        nav.append(_button("⬅", "due", page - 1, _due_mark("b", first.due_on, first.id)))
    if page + 1 < pages and items:
        last = items[-1][1]
        nav.append(_button("➡", "due", page + 1, _due_mark("a", last.due_on, last.id)))
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
    flt = parse_filter(code)
    if cursor is None:
        page = 0
    found = await services(context).staff.list_cases(actor, flt, cursor)
    rows, total = found.cases, found.total
    code = filter_code(flt)
    pages = max(1, -(-total // found.page_size))
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
    buttons = [[_button(c.number, "case", c.id)] for c in rows]
    if flt.region:
        buttons.append(
            [
                _button(
                    "✕ " + t("Region: {value}", value=regions.name(flt.region, t.locale)),
                    "filter",
                    "r",
                    code,
                )
            ]
        )
    buttons += [
        [_button(t("Status: {status}", status=status_label), "filter", "s", code)],
        [_button(t("Citizenship: {value}", value=cit_label), "filter", "c", code)],
        [
            _button(("☑ " if flt.overdue else "☐ ") + t("Overdue"), "filter", "o", code),
            _button(("☑ " if flt.unassigned else "☐ ") + t("Unassigned"), "filter", "u", code),
        ],
        [_button(t("Checked: {value}", value=verified_label), "filter", "v", code)],
    ]
    nav = []
    if page > 0 and rows:
        nav.append(_button("⬅", "page", page - 1, code, f"b{rows[0].id}"))
    if page + 1 < pages and rows:
        nav.append(_button("➡", "page", page + 1, code, f"a{rows[-1].id}"))
    if nav:
        buttons.append(nav)
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


# --- the dossier ----------------------------------------------------------------
async def open_dossier(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    *,
    number: str | None = None,
    case_id: int | None = None,
) -> None:
    """Open a case (the view is audited) and show its dossier, or "not available"."""
    try:
        screen = await services(context).dossiers.open(
            actor, t.locale, number=number, case_id=case_id
        )
    except (NotFound, NotAllowed):
        await not_available(update, context, t)
        return
    await show_dossier(update, context, actor, t, screen)


async def show_dossier(
    update: Update, context: Context, actor: Actor, t: Translator, screen: DossierScreen
) -> None:
    s = services(context)
    dossier = screen.dossier
    case, answers, volunteers = dossier.case, dossier.answers, dossier.volunteers
    head = [
        t("Case {number}", number=case.number),
        t("Status: {status}", status=texts.status_name(t, case.status)),
        t("Reported on {date}", date=t.date(case.created_at.date(), "long")),
        "✔ " + t("verified") if dossier.verified else "· " + t("not verified"),
    ]
    notes = dossier.notes
    names = name_all(t, set(volunteers) | {n.author_id for n in notes}, dict(dossier.names))
    head.append(t("Volunteers: {names}", names=", ".join(names[v] for v in volunteers) or "—"))
    parts = ["\n".join(head), texts.answers_text(t, answers, staff=True)]
    today = s.clock.now().date()
    sent = dossier.letters
    by_id = {r.id: r for r in sent}
    if sent:
        parts.append(
            "\n".join(
                [t("Letters:")]
                + [f"• {letter_title(t, r)}: {letter_state(t, r, today)}" for r in sent]
            )
        )
    replies = dossier.replies
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
    parts.append(un_views.summary_text(t, screen.un))
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
    waiting = screen.translations_waiting
    if waiting:
        parts.append(
            t.ngettext(
                "{n} text waits for a translation before the family gets its letters.",
                "{n} texts wait for a translation before the family gets its letters.",
                len(waiting),
            )
        )
    buttons = [
        [
            _button(t("Change the status"), "statuses", case.id),
            _button(t("Add a note"), "note", case.id),
        ],
        [_button(t("Message the family"), "message", case.id)],
    ]
    if waiting:
        buttons.append([_button(t("Write the translations"), "translate", case.id)])
    if dossier.may_manage:
        buttons.append(
            [
                _button(
                    ("✔ " if dossier.verified else "") + t("Checked with the family"),
                    "verified",
                    case.id,
                ),
                _button(t("Assign volunteers"), "volunteers", case.id),
            ]
        )
        buttons.append(
            [
                _button(
                    ("☑ " if dossier.details else "☐ ")
                    + t("Volunteers see identity numbers and the account"),
                    "details",
                    case.id,
                )
            ]
        )
        buttons.append([_button(t("Dossier as PDF"), "pdf", case.id)])
        for r in dossier.copies_to_review:
            buttons.append(
                [
                    _button(
                        "✔ " + t("Form reply of {date}", date=t.date(r.received_on, "short")),
                        "copy",
                        case.id,
                        r.id,
                        1,
                    ),
                    _button("✖ " + t("Not a form reply"), "copy", case.id, r.id, 0),
                ]
            )
    buttons.append([button(t("UN (WGEID): checklist and submission"), "un", "staff", case.id)])
    await say(update, context, "\n\n".join(parts), InlineKeyboardMarkup(buttons))


async def _b_copy(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """Confirm (1) or reject (0) the mark of a likely form reply."""
    case_id = parse_id(args[0]) if args else None
    reply_id = parse_id(args[1]) if len(args) > 2 else None
    if case_id is None or reply_id is None or args[2] not in ("0", "1"):
        raise ValueError(args)
    screen = await services(context).dossiers.review_copy(
        actor, case_id, reply_id, args[2] == "1", t.locale
    )
    await drop_buttons(update)
    await show_dossier(update, context, actor, t, screen)


async def staff_case_command(update: Update, context: Context, number: str) -> bool:
    """/case NUMBER for staff; False when the sender has no staff role (the family's view runs)."""
    actor, t = await actor_and_t(update, context)
    if actor.role not in STAFF_ROLES:
        return False
    await open_dossier(update, context, actor, t, number=parse_case_number(number))
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
    found = await services(context).staff.invitations(actor)
    invitations = found.invitations
    if not invitations:
        await say(update, context, t("There are no open invitations."))
        return
    lines = [t("Open invitations:")]
    buttons = []
    tz = await staff_zone(context, actor)
    names = name_all(t, {inv.created_by for inv in invitations}, dict(found.names))
    for i, inv in enumerate(invitations, 1):
        expires = t.datetime(inv.expires_at, "short", tz=tz)
        lines.append(
            f"{i}. {t(ROLE_NAMES[inv.role])} · {names[inv.created_by]} · "
            + t("expires {date}", date=expires)
        )
        buttons.append([_button(t("Revoke invitation {n}", n=i), "revoke", inv.code)])
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


@staff_only(MANAGERS)
async def staff_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    members = await services(context).staff.members(actor)
    if not members:
        await say(update, context, t("Nobody has a role yet. Use /invite."))
        return
    lines = [t("People with a role:")]
    buttons = []
    names = name_all(
        t, {m.user_id for m in members}, {m.user_id: m.name for m in members if m.name}
    )
    for m in members:
        lines.append(f"{names[m.user_id]} · {t(ROLE_NAMES[m.role])}")
        if m.removable:
            buttons.append(
                [
                    _button(
                        t("Remove the role of {name}", name=names[m.user_id]), "remove", m.user_id
                    )
                ]
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
    try:  # known by name from the start
        role = await s.staff.redeem(
            code, key, chat.id, locale, shown_name(tg_user.full_name, tg_user.username)
        )
    except NotFound:
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
    log = await services(context).staff.audit_log(actor, limit=30)
    entries, names = log.entries, dict(log.names)
    if not entries:
        await say(update, context, t("The audit log is empty."))
        return
    lines = [t("Audit log, newest first:")]
    tz = await staff_zone(context, actor)
    for e in entries:
        text = sentence(
            t, e.action, e.actor_id, e.case_number, e.target_id, e.detail, names, e.reporter_id
        )
        lines.append(f"{t.datetime(e.at, 'short', tz=tz)} · {text}")
    await say(update, context, "\n".join(lines))


# --- the staff member's own time zone ---------------------------------------------------------
async def staff_settings(update: Update, context: Context) -> bool:
    """/settings for staff: the zone they see times in. False for everyone else."""
    actor, t = await actor_and_t(update, context)
    if actor.role not in STAFF_ROLES:
        return False
    await _show_zone(update, context, actor, t)
    return True


async def _show_zone(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    settings = await services(context).staff.settings(actor)
    await _zone_view(update, context, t, settings)


async def _zone_view(
    update: Update, context: Context, t: Translator, settings: StaffSettings
) -> None:
    tz, org, zones = settings.timezone, settings.organisation_timezone, settings.choices
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
            [[_button(("✓ " if z == tz else "") + zone_name(t, z), "zone", z)] for z in zones]
        ),
    )


async def _b_zone(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    settings = await services(context).staff.set_timezone(actor, ":".join(args))
    await drop_buttons(update)
    await _zone_view(update, context, t, settings)


# --- buttons ---------------------------------------------------------------------------
async def on_staff_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op = parts[1] if len(parts) > 1 else ""
    args = parts[2:]
    actor, t = await actor_and_t(update, context)
    if op == "answer":  # the family answers a message from the organisation
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
    except (NotAllowed, NotFound, ValueError, IndexError):  # Invalid is a ValueError
        await not_available(update, context, t)


def _case_id(args: list[str]) -> int:
    """The case a button is about (a forged one is 0, which no case has)."""
    return (parse_id(args[0]) if args else None) or 0


async def _case_arg(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> Case | None:
    case_id = _case_id(args)
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
    await open_dossier(update, context, actor, t, case_id=_case_id(args))


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
                [_button(texts.status_name(t, st), "status", case.id, STATUSES.index(st))]
                for st in allowed
            ]
        ),
    )


async def _b_status(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    index = parse_id(args[1]) if len(args) > 1 else None
    if index is None or index >= len(STATUSES):
        raise ValueError(args)
    s = services(context)
    changed = await s.staff.set_status(actor, _case_id(args), STATUSES[index])
    await drop_buttons(update)
    await say(
        update,
        context,
        t(
            "Status of case {number}: {status}.",
            number=changed.case_number,
            status=texts.status_name(t, changed.status),
        ),
    )
    if changed.family is not None:  # its notice was written with the change
        await send_notices(context.bot, s)


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
    screen = await services(context).dossiers.toggle_flag(actor, _case_id(args), flag, t.locale)
    await drop_buttons(update)
    await show_dossier(update, context, actor, t, screen)


async def _b_assign_menu(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    found = await services(context).staff.volunteers(actor, _case_id(args))
    await _volunteer_menu(update, context, t, found)


async def _volunteer_menu(
    update: Update, context: Context, t: Translator, found: VolunteerList
) -> None:
    if not found.choices:
        await say(
            update, context, t("There are no volunteers yet. Invite one with /invite volunteer.")
        )
        return
    names = name_all(
        t, {v.user_id for v in found.choices}, {v.user_id: v.name for v in found.choices if v.name}
    )
    await say(
        update,
        context,
        t("Volunteers for case {number}:", number=found.case_number),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        ("☑ " if v.assigned else "☐ ") + names[v.user_id],
                        "assign",
                        found.case_id,
                        v.user_id,
                    )
                ]
                for v in found.choices
            ]
        ),
    )


async def _b_assign(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    s = services(context)
    volunteer = parse_id(args[1])
    if volunteer is None:
        raise ValueError(args[1])
    done = await s.staff.toggle_assignment(actor, _case_id(args), volunteer)
    await drop_buttons(update)
    if done.volunteers is not None:
        await _volunteer_menu(update, context, t, done.volunteers)
    if done.volunteer is not None:  # newly assigned: its notice was written with it
        await send_notices(context.bot, s)


async def _b_note(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await services(context).staff.start_form(actor, _case_id(args), "note")
    await say(update, context, _note_prompt(t, case))


def _note_prompt(t: Translator, case: Case) -> str:
    return t("Write the note for case {number}:", number=case.number)


async def _b_message(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    case = await services(context).staff.start_form(actor, _case_id(args), "relay")
    await say(update, context, _message_prompt(t, case))


def _message_prompt(t: Translator, case: Case) -> str:
    return t(
        "Write the message to the family of case {number}. It goes "
        "through the bot: they do not see your name or number.",
        number=case.number,
    )


async def _b_revoke(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    try:
        await services(context).staff.revoke(actor, args[0])
        done = True
    except NotFound:  # used, revoked or expired meanwhile
        done = False
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
    try:
        await services(context).staff.remove_role(actor, user_id)
        done = True
    except NotFound:  # removed meanwhile
        done = False
    await drop_buttons(update)
    await say(update, context, t("The role is removed.") if done else t("This is not available."))


async def _b_dossier(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """The dossier as PDF in the caseworker's language (identity numbers masked)."""
    document = await services(context).exports.dossier_pdf(actor, _case_id(args), t.locale)
    await send_document(update, context, document)


# --- translations the family left to the organisation -----------------------------------
async def _b_translate(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """Show the first text to translate and open the form for it (nothing when none is
    left: another staff member wrote them meanwhile)."""
    asked = await services(context).staff.start_translation(actor, _case_id(args))
    await drop_buttons(update)
    if asked.next is not None:
        await say(update, context, _translation_prompt(t, asked.case, asked.next))


def _translation_prompt(t: Translator, case: Case, item: Needed) -> str:
    return t(
        "Case {number}: write this text in {language} ({what}). It goes into the letters "
        "as you write it.\n\n«{text}»",
        number=case.number,
        language=language_name(item.language, t.locale),
        what=field_name(t, item.field),
        text=item.original[:1500],
    )


async def _translation_written(
    update: Update, context: Context, t: Translator, written: TranslationWritten
) -> None:
    """The translation is kept: the next text (its form is open), or the family is told
    that its letters can be made."""
    await say(update, context, t("The translation is saved."))
    if written.next is not None:
        await say(update, context, _translation_prompt(t, written.case, written.next))
        return
    family = written.family
    if family is not None:  # in the family's language
        text, markup = translations_written(
            services(context).catalogs.get(family.locale), written.case.number, written.case.id
        )
        await context.bot.send_message(family.chat_id, text, reply_markup=markup)
    await say(update, context, t("All translations are written; the family is told."))


# Readable codes, "staff:<what>:<ids>"; a button of the one-letter "W:" codes of the
# previous version reaches no handler here and is answered as an old button.
BUTTONS: dict[str, Callable[..., Awaitable[None]]] = {
    "page": _b_list,
    "filter": _b_filter,
    "due": _b_due,
    "case": _b_case,
    "statuses": _b_status_menu,
    "status": _b_status,
    "verified": _b_verified,
    "details": _b_details,
    "volunteers": _b_assign_menu,
    "assign": _b_assign,
    "note": _b_note,
    "message": _b_message,
    "revoke": _b_revoke,
    "remove": _b_remove_role,
    "pdf": _b_dossier,
    "zone": _b_zone,
    "translate": _b_translate,
    "copy": _b_copy,
}


# --- staff forms: notes and messages ------------------------------------------------------
async def handle_staff_form(update: Update, context: Context, form: Form) -> None:
    """The text of a note, of a message between the organisation and a family, or of a
    translation: the form engine checks it, the staff use case acts on it (a message is
    handed to Telegram by ``deliver`` before the form closes)."""
    s = services(context)
    actor, t = await actor_and_t(update, context)
    message = update.effective_message
    given = (
        TextInput(message.text) if message is not None and message.text else OtherInput("other")
    )

    async def deliver(relay: Relay) -> bool:
        return await _send_relay(context, relay, form.name == "relay")

    try:
        answered = await s.staff.answer_form(actor, form, given, update.update_id, deliver=deliver)
    except (NotAllowed, NotFound, Invalid):
        await say(update, context, _form_refused(t, actor, form.name))
        return
    if answered.error is not None:  # the form stays open at its step: type it again
        await say(update, context, _form_error(t, answered.error))
    elif answered.note is not None:
        await say(update, context, t("The note is saved."))
    elif answered.relay is not None and not answered.relay.delivered:
        await say(
            update,
            context,
            t("The message could not be delivered: the recipient has blocked the bot."),
        )
    elif answered.relay is not None and form.name == "relay":
        await say(update, context, t("The message is sent to the family."))
    elif answered.relay is not None:
        await say(update, context, t("Your answer is sent."))
    elif answered.translation is not None:
        await _translation_written(update, context, t, answered.translation)


async def ask_again(update: Update, context: Context, form: Form) -> None:
    """The open form's question once more (after a restart cut its reply off): the note,
    the message, the answer or the text to translate; nothing when the case is out of
    reach or the text was written meanwhile."""
    actor, t = await actor_and_t(update, context)
    try:
        asked = await services(context).staff.form_question(actor, form)
    except (NotAllowed, NotFound, Invalid):
        return
    if asked.item is not None:
        text = _translation_prompt(t, asked.case, asked.item)
    elif asked.name == "note":
        text = _note_prompt(t, asked.case)
    elif asked.name == "relay":
        text = _message_prompt(t, asked.case)
    else:
        text = _answer_prompt(t)
    await say(update, context, text)


def _form_error(t: Translator, err: InvalidInput) -> str:
    """A refused text; a translation in another language names the language in words."""
    language = err.params.get("language")
    if err.code == "wrong_language" and isinstance(language, str):
        err = InvalidInput("wrong_language", language=language_name(language, t.locale))
    return texts.error(t, err)


def _form_refused(t: Translator, actor: Actor, name: str) -> str:
    """Why the text of a form was not used (the form is closed now)."""
    if name == "relay_back":
        return t(
            "Your answer could not be sent: the person who wrote to you no longer works "
            "on this case."
        )
    if actor.role not in STAFF_ROLES:
        return t("You no longer have a role in the organisation, so the text was not used.")
    return t("This case is no longer available to you, so the text was not used.")


async def _send_relay(context: Context, relay: Relay, from_staff: bool) -> bool:
    """A message through the bot, in its reader's language, with an Answer button that
    opens the way back: to the staff member who wrote (to a family), or to the case (to
    staff). False when the recipient blocked the bot."""
    t = services(context).catalogs.get(relay.recipient.locale)
    if from_staff:
        heading = t(
            "A message from the organisation about case {number}:", number=relay.case_number
        )
        back = button(t("Answer"), PREFIX, "answer", relay.case_id, relay.sender_id)
    else:
        heading = t("The family of case {number} answers:", number=relay.case_number)
        back = button(t("Answer"), PREFIX, "message", relay.case_id)
    try:
        await context.bot.send_message(
            relay.recipient.chat_id,
            heading + "\n\n" + relay.text,
            reply_markup=InlineKeyboardMarkup([[back]]),
        )
    except Forbidden:
        return False
    return True


async def _family_reply(
    update: Update, context: Context, actor: Actor, t: Translator, args: list[str]
) -> None:
    """The family taps Answer under a message from the organisation."""
    ids = [parse_id(a) for a in args[:2]]
    if len(ids) < 2 or ids[0] is None or ids[1] is None:
        await not_available(update, context, t)
        return
    try:
        await services(context).staff.reply_form(actor, ids[0], ids[1])
    except NotFound:
        await not_available(update, context, t)
        return
    await say(update, context, _answer_prompt(t))


def _answer_prompt(t: Translator) -> str:
    return t("Write your answer; it goes to the organisation through the bot.")
