"""What the family reads in the follow-up: letters and their state, deadlines, the
questions of the follow-up forms, the timeline and the settings.

Plain data in (rows, deadlines, forms), text and buttons out; the reminders and the
organisation's dossier show letters with the same helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.deadlines import Deadline
from bot.domain.forms import Form, StepKind, spec_of
from bot.domain.models import STATUS_CODES, Case, CaseStatus, User
from bot.i18n import N_, Translator
from bot.letters.directory import load_directory
from bot.readable import shorten
from bot.services.followup import (
    TIMEZONE_CHOICES,
    LetterCard,
    LetterRow,
    Tracked,
    user_timezone,
)
from bot.vocabulary import (
    CHANNEL_NAMES,
    EVENT_TEXTS,
    KIND_NAMES,
    OUTCOME_NAMES,
    RULE_NAMES,
    TIMEZONE_NAMES,
)
from handlers import texts
from handlers.keyboards import button

PREFIX = "F"  # F:<op>:<arg>, the follow-up's buttons
DEFAULT_CHANNEL = "post"
# The order the channels are offered in: the one that gives a tracking number first.
CHANNEL_ORDER = ("registered", "post", "online", "email", "in_person")


def followup_button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


_button = followup_button


def deadline_text(t: Translator, deadline: Deadline | None) -> str:
    if deadline is None:
        return ""
    p = deadline.params
    amount = int(p["amount"])
    if p["unit"] == "working_days":
        term = t.ngettext("{n} working day", "{n} working days", amount)
    else:
        term = t.ngettext("{n} calendar day", "{n} calendar days", amount)
    rule = RULE_NAMES.get(str(p["rule"]))
    text = t(
        "Answer due by {due}: {term} ({source}).",
        due=t.date(deadline.due, "long"),
        term=term,
        source=t(rule) if rule else str(p["source"]),
    )
    if p["basis"] == "sent":
        days = int(p["assumed_delivery_days"] or 0)
        channel = t(CHANNEL_NAMES.get(str(p["channel"]), CHANNEL_NAMES[DEFAULT_CHANNEL]))
        text += " " + t(
            "This date is an estimate: delivery is assumed to take {days} "
            "({channel}). Add the delivery date or the registration number and "
            "date, and the deadline becomes exact.",
            channel=channel,
            days=t.ngettext("{n} day", "{n} days", days),
        )
    if not p["legal"]:
        text += " " + t("This body has no legal deadline; this is a reasonable time to ask again.")
    return text


def letter_title(t: Translator, row: LetterRow) -> str:
    name = load_directory()[row.addressee_id].name(t.locale)
    kind = KIND_NAMES.get(row.kind)
    return f"{name} · {t(kind)}" if kind else name


def letter_state(t: Translator, row: LetterRow, today: date) -> str:
    if row.closed:
        return "✅ " + t("answered")
    if not row.sent_on:
        return "✉ " + (t("prepared, not sent") if row.generated_at else t("not prepared yet"))
    if row.due_on and row.due_on < today:
        return "⏰ " + t("no answer, overdue since {date}", date=t.date(row.due_on, "medium"))
    if row.due_on:
        return "📮 " + t(
            "sent {sent}, answer due {due}",
            sent=t.date(row.sent_on, "medium"),
            due=t.date(row.due_on, "medium"),
        )
    return "📮 " + t("sent {sent}", sent=t.date(row.sent_on, "medium"))


# --- /track ------------------------------------------------------------------------
def which_case(cases: Sequence[Case]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(f"{c.number} · {shorten(str(c.answers.get('m_name', '')), 30)}", "v", c.id)]
            for c in cases
        ]
    )


def tracking(
    t: Translator, tracked: Tracked, today: date
) -> tuple[str, InlineKeyboardMarkup | None]:
    case, rows = tracked.case, tracked.letters
    if not rows:
        return (
            t(
                "No letters are prepared for case {number} yet. Send /letters to prepare them.",
                number=case.number,
            ),
            None,
        )
    lines = [
        t("Letters of case {number}:", number=case.number),
        t("Status: {status}", status=texts.status_name(t, case.status)),
        "",
    ]
    for i, row in enumerate(rows, 1):
        lines.append(f"{i}. {letter_title(t, row)}\n   {letter_state(t, row, today)}")
    buttons = [
        [_button(f"{i}. {shorten(letter_title(t, r), 40)}", "c", r.id)]
        for i, r in enumerate(rows, 1)
    ]
    if any(not r.sent_on for r in rows):
        buttons.append([_button("📮 " + t("Mark letters as sent"), "s", case.id)])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def letter_card(t: Translator, card: LetterCard, today: date) -> tuple[str, InlineKeyboardMarkup]:
    row = card.letter
    lines = [letter_title(t, row), letter_state(t, row, today)]
    if row.sent_on:
        lines.append(
            t(
                "Sent on {date}, by {channel}.",
                date=t.date(row.sent_on, "long"),
                channel=t(CHANNEL_NAMES[row.channel or DEFAULT_CHANNEL]),
            )
        )
    if row.tracking:
        lines.append(t("Tracking number: {number}", number=row.tracking))
    if row.delivered_on:
        lines.append(t("Delivered on {date}.", date=t.date(row.delivered_on, "long")))
    if row.reference:
        lines.append(t("Registration number: {number}", number=row.reference))
    if row.sent_on and not row.closed:
        lines.append(deadline_text(t, card.deadline))
    for reply in card.replies:
        lines.append(
            t(
                "Reply of {date}: {outcome}",
                date=t.date(reply.received_on, "medium"),
                outcome=t(OUTCOME_NAMES[reply.outcome]),
            )
            + (
                f" «{shorten(reply.summary or reply.text, 200)}»"
                if reply.summary or reply.text
                else ""
            )
        )
    buttons = []
    if not row.generated_at:
        buttons.append([_button("📄 " + t("Prepare this letter"), "g", row.id)])
    if not row.sent_on:
        buttons.append([_button("📮 " + t("Mark as sent"), "s1", row.id)])
    else:
        buttons.append([_button(t("Registration number"), "r", row.id)])
        if not row.closed:
            buttons.append([_button(t("Date delivered"), "dl", row.id)])
        buttons.append([_button(t("Log a reply"), "a", row.id)])
    return "\n".join(x for x in lines if x), InlineKeyboardMarkup(buttons)


# --- the forms -------------------------------------------------------------------------
# The same questions about a single letter ("When did you send it?").
FORM_PROMPTS_ONE = {
    "date": N_("When did you send it? Press a button or write the date."),
    "channel": N_("How did you send it?"),
}
FORM_PROMPTS = {
    "pick": N_("Which letters did you send? Tap them, then press Next."),
    "date": N_("When did you send them? Press a button or write the date."),
    "channel": N_("How did you send them?"),
    "tracking": N_("The tracking number of the registered mail, if you have it:"),
    "reference": N_("The registration number or receipt (талон) the body gave:"),
    "regdate": N_("The date of registration, if it is known (write it, or press Skip):"),
    "delivered": N_(
        "On which day did the body receive the letter? The post's tracking page "
        "or the delivery receipt shows it. Press a button or write the date."
    ),
    "outcome": N_("What does the reply say?"),
    "received": N_("When did the reply come? Press a button or write the date."),
    "forward_to": N_("To which body was the letter forwarded?"),
    "until": N_("Until which date did they extend the term? Write the date."),
    "file": N_("Send the reply: a photo of it, a PDF, or its text pasted here. Or press Skip."),
    "text": N_("Please type or paste the text of the reply, or press Skip."),
    "summary": N_("What does it say, in a few words? (or press Skip)"),
}


def form_prompt(t: Translator, form: Form) -> str:
    one = len(form.data.get("picked", [])) == 1
    return t((FORM_PROMPTS_ONE if one else {}).get(form.step, FORM_PROMPTS[form.step]))


def form_keyboard(
    t: Translator, form: Form, rows: Sequence[LetterRow] | None = None
) -> InlineKeyboardMarkup:
    """The buttons of the form's step, from the kind of step: a list to pick from, quick
    dates, choices, "the text is right", Skip, and always Cancel."""
    spec = spec_of(form)
    assert spec is not None
    step = spec.step(form.step)
    buttons: list[list[InlineKeyboardButton]] = []
    if step.kind is StepKind.PICK and rows is not None:
        picked = set(form.data.get("picked", []))
        buttons = [
            [
                _button(
                    ("☑ " if r.id in picked else "☐ ") + shorten(letter_title(t, r), 40), "p", r.id
                )
            ]
            for r in rows
        ]
        buttons.append([_button(t("Next"), "n", 0)])
    elif step.kind is StepKind.DATE and step.quick_days:
        buttons = [[_button(t("Today"), "d", 0), _button(t("Yesterday"), "d", 1)]]
    elif step.key == "channel":
        buttons = [[_button(t(CHANNEL_NAMES[c]), "h", c)] for c in CHANNEL_ORDER]
    elif step.key == "outcome":
        buttons = [[_button(t(name), "o", code)] for code, name in OUTCOME_NAMES.items()]
    elif step.key == "forward_to":
        buttons = [
            [_button(shorten(a.name(t.locale), 48), "b", a.id)] for a in load_directory().values()
        ]
    elif step.keep_key and form.data.get(step.keep_key):
        buttons = [[_button(t("The text is right"), "K", 0)]]
    if step.optional:
        buttons.append([_button(t("Skip"), "k", 0)])
    buttons.append([_button(t("Cancel"), "x", 0)])
    return InlineKeyboardMarkup(buttons)


def reply_saved(t: Translator) -> str:
    return t("The reply is saved.")


def copies_text(t: Translator, body: str, copies: int) -> str:
    """Said in plain words when the reply just logged is a text the body sent to others."""
    return t.ngettext(
        "This answer is the same text that {body} sent to {n} other family. It is a form "
        "reply, not an answer to your request; a caseworker will look at it.",
        "This answer is the same text that {body} sent to {n} other families. It is a form "
        "reply, not an answer to your request; a caseworker will look at it.",
        copies,
        body=body,
    )


# --- /timeline and /settings -----------------------------------------------------------
def timeline_text(t: Translator, case: Case, user: User | None, tz: str | None = None) -> str:
    """The case's history with times in the reader's zone: the family's (``user``) or the
    one given (a staff member's)."""
    directory = load_directory()
    tz = user_timezone(user, case) if user else tz
    lines = [
        t("Timeline of case {number}", number=case.number),
        t("Status: {status}", status=texts.status_name(t, case.status)),
        "",
    ]
    for event in case.events:
        detail = dict(event.detail)
        body = (
            directory[detail["addressee"]].name(t.locale)
            if detail.get("addressee") in directory
            else ""
        )
        outcome = str(detail.get("outcome"))
        params = {
            "body": body,
            "language": Locale.parse(detail["language"]).get_display_name(t.locale)
            if detail.get("language")
            else "",
            "outcome": t(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else "",
            "status": texts.status_name(t, CaseStatus(detail["status"]))
            if detail.get("status") in STATUS_CODES
            else "",
            "date": t.date(date.fromisoformat(detail["on"]), "long") if detail.get("on") else "",
        }
        template = EVENT_TEXTS.get(event.kind)
        if template is None:
            continue
        when = t.datetime(event.at, "short", tz=tz)
        lines.append(f"{when} · {t(template, **params)}")
    return "\n".join(lines)


def settings(t: Translator, user: User) -> tuple[str, InlineKeyboardMarkup]:
    tz = user_timezone(user)
    lines = [
        t("Reminders: {state}", state=t("on") if user.reminders_on else t("off")),
        t("Time zone: {zone}", zone=t(TIMEZONE_NAMES.get(tz, N_("Almaty time")))),
        t("Reminders never come between 21:00 and 09:00 in your time zone."),
    ]
    buttons = [
        [
            _button(
                t("Turn reminders off") if user.reminders_on else t("Turn reminders on"),
                "t",
                "off" if user.reminders_on else "on",
            )
        ]
    ]
    buttons += [
        [_button(("✓ " if z == tz else "") + t(TIMEZONE_NAMES[z]), "t", z)]
        for z in TIMEZONE_CHOICES
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons)
