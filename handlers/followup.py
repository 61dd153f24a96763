"""Follow-up in the chat: sent letters, deadlines, replies, next letters, timeline, settings.

Multi-step entries (mark letters as sent, add a registration number, log a
reply) are short forms whose position and values are stored in the database
after every step, like the report itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.clock import local_today
from bot.domain.deadlines import Deadline
from bot.domain.models import STATUS_CODES, Case, CaseStatus, User
from bot.domain.validators import InvalidInput, check_past_date, clean_text, parse_date
from bot.followup import Suggestion, user_timezone
from bot.i18n import N_, Translator
from bot.letters.directory import load_directory
from bot.readable import shorten
from bot.replies import reading
from bot.storage.followup import Form
from bot.storage.store import LetterRow
from bot.un import ladder as un_ladder
from bot.vocabulary import (
    CHANNEL_NAMES,
    EVENT_TEXTS,
    KIND_NAMES,
    OUTCOME_NAMES,
    RULE_NAMES,
    TIMEZONE_NAMES,
)
from handlers import texts
from handlers.common import (
    Context,
    current_user,
    drop_buttons,
    parse_id,
    say,
    services,
    translator,
)
from handlers.keyboards import button
from handlers.letters import on_iin_text, on_translation_text, produce_one

PREFIX = "F"

DEFAULT_CHANNEL = "post"
TIMEZONE_CHOICES = ("Asia/Almaty", "Asia/Bishkek", "Europe/Moscow")


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


def _today(context: Context, user: User) -> date:
    return local_today(services(context).clock, user_timezone(user))


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


# --- /track: the letters of a case and their state ---------------------------------
async def track_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    cases = await services(context).store.cases_of(user.user_id) if user else []
    if user is None or not cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
        return
    if len(cases) == 1:
        await show_tracking(update, context, user, t, cases[0])
        return
    await say(
        update,
        context,
        t("Which case?"),
        InlineKeyboardMarkup(
            [
                [
                    _button(
                        f"{c.number} · {shorten(str(c.answers.get('m_name', '')), 30)}", "v", c.id
                    )
                ]
                for c in cases
            ]
        ),
    )


async def tracked_rows(context: Context, case: Case) -> list[LetterRow]:
    rows = await services(context).letters.store.letters_of(case.id)
    return [r for r in rows if (r.selected and (r.generated_at or r.sent_on)) or r.parent_id]


async def show_tracking(
    update: Update, context: Context, user: User, t: Translator, case: Case
) -> None:
    rows = await tracked_rows(context, case)
    today = _today(context, user)
    if not rows:
        await say(
            update,
            context,
            t(
                "No letters are prepared for case {number} yet. Send /letters to prepare them.",
                number=case.number,
            ),
        )
        return
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
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def show_letter(
    update: Update, context: Context, user: User, t: Translator, case: Case, row: LetterRow
) -> None:
    s = services(context)
    today = _today(context, user)
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
        lines.append(deadline_text(t, s.followup.deadline(row)))
    replies = [r for r in await s.followup.store.replies_of_case(case.id) if r.letter_id == row.id]
    for reply in replies:
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
    await say(update, context, "\n".join(x for x in lines if x), InlineKeyboardMarkup(buttons))


# --- forms ---------------------------------------------------------------------
def _form_keyboard(
    t: Translator, form: Form, rows: list[LetterRow] | None = None
) -> InlineKeyboardMarkup | None:
    step = form.step
    buttons: list[list[InlineKeyboardButton]] = []
    if step == "pick" and rows is not None:
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
    elif step in ("date", "received", "delivered"):
        buttons = [[_button(t("Today"), "d", 0), _button(t("Yesterday"), "d", 1)]]
    elif step == "channel":
        buttons = [
            [_button(t(CHANNEL_NAMES[c]), "h", c)]
            for c in ("registered", "post", "online", "email", "in_person")
        ]
    elif step == "outcome":
        buttons = [[_button(t(name), "o", code)] for code, name in OUTCOME_NAMES.items()]
    elif step == "forward_to":
        buttons = [
            [_button(shorten(a.name(t.locale), 48), "b", a.id)] for a in load_directory().values()
        ]
    elif step == "text" and form.data.get("read"):
        buttons = [[_button(t("The text is right"), "K", 0)]]
    if step in ("tracking", "regdate", "file", "text", "summary", "forward_to"):
        buttons.append([_button(t("Skip"), "k", 0)])
    buttons.append([_button(t("Cancel"), "x", 0)])
    return InlineKeyboardMarkup(buttons)


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


async def _ask(update: Update, context: Context, t: Translator, form: Form) -> None:
    rows = None
    if form.step == "pick":
        case = await services(context).store.get_case_by_id(int(form.data["case_id"]))
        assert case is not None
        rows = [r for r in await tracked_rows(context, case) if not r.sent_on]
    one = len(form.data.get("picked", [])) == 1
    prompt = (FORM_PROMPTS_ONE if one else {}).get(form.step, FORM_PROMPTS[form.step])
    await say(update, context, t(prompt), _form_keyboard(t, form, rows))


async def _save(update: Update, context: Context, user: User, form: Form) -> None:
    s = services(context)
    await s.followup.store.save_form(user.user_id, form, s.clock.now(), update.update_id)


async def start_form(
    update: Update,
    context: Context,
    user: User,
    t: Translator,
    name: str,
    first: str,
    data: dict[str, Any],
) -> None:
    form = Form(name, first, data)
    await _save(update, context, user, form)
    await _ask(update, context, t, form)


async def handle_form_message(
    update: Update, context: Context, user: User, form: Form | None
) -> bool:
    """A message while a form is open (``form``, as the caller has just read it) answers
    its current step. False: no form open."""
    message = update.effective_message
    if form is None or message is None:
        return False
    if form.name == "translate":
        await on_translation_text(update, context, user, form)
        return True
    if form.name == "iin":
        await on_iin_text(update, context, user, form)
        return True
    t = translator(update, context, user)
    if form.step == "file" and (message.photo or message.document or message.text):
        await _take_reply(update, context, user, t, form, message)
        return True
    try:
        value = _message_value(form, message, _today(context, user))
    except InvalidInput as err:
        await say(update, context, texts.error(t, err))
        await _ask(update, context, t, form)
        return True
    await _advance(update, context, user, t, form, value)
    return True


def _message_value(form: Form, message: Message, today: date) -> Any:
    step = form.step
    if step in ("date", "received", "regdate", "until", "delivered"):
        if not message.text:
            raise InvalidInput("need_text")
        parsed = parse_date(message.text.strip()[:100])
        if step == "delivered":
            check_delivered(form, parsed)
        return parsed if step == "until" else check_past_date(parsed, today)
    if step == "file":
        if message.photo:
            p = message.photo[-1]
            return {"kind": "photo", "file_id": p.file_id, "file_unique_id": p.file_unique_id}
        if message.document:
            d = message.document
            return {
                "kind": "document",
                "file_id": d.file_id,
                "file_unique_id": d.file_unique_id,
                "file_name": d.file_name,
                "mime": d.mime_type,
            }
        raise InvalidInput("need_photo")
    if step in ("tracking", "reference", "summary", "text"):
        if not message.text:
            raise InvalidInput("need_text")
        limit = {"summary": 500, "text": reading.MAX_CHARS}.get(step, 60)
        return clean_text(message.text, limit, truncate=step in ("summary", "text"))[0]
    raise InvalidInput("use_buttons")


def check_delivered(form: Form, day: date) -> None:
    """A delivery date before the sending date is a typing error: refuse it, keep the form."""
    sent = form.data.get("sent")
    if sent and day < date.fromisoformat(sent):
        raise InvalidInput(
            "delivered_before_sent", date=date.fromisoformat(sent).strftime("%d.%m.%Y")
        )


async def _advance(
    update: Update, context: Context, user: User, t: Translator, form: Form, value: Any
) -> None:
    """Store the value of the current step and move on (or finish)."""
    data = dict(form.data)
    step = form.step
    data[step] = value.isoformat() if isinstance(value, date) else value
    nxt = _next_step(form.name, step, data)
    if nxt is None:
        await services(context).followup.store.drop_form(user.user_id)
        await _finish(update, context, user, t, form.name, data)
        return
    form = Form(form.name, nxt, data)
    await _save(update, context, user, form)
    await _ask(update, context, t, form)


def _next_step(name: str, step: str, data: dict[str, Any]) -> str | None:
    if name == "send":
        order = ["pick", "date", "channel", "tracking"]
        if step == "channel" and data.get("channel") != "registered":
            return None
    elif name == "regno":
        order = ["reference", "regdate"]
    elif name == "delivered":
        order = ["tracking", "delivered"] if not data.get("has_tracking") else ["delivered"]
    else:
        order = ["outcome", "received", "forward_to", "until", "file", "text", "summary"]
        outcome = data.get("outcome")
        skip = {"forward_to"} if outcome != "forwarded" else set()
        if not data.get("file") and step != "text":  # the text was pasted, or nothing sent
            skip.add("text")
        if data.get("text"):  # the whole text is kept: no need for a few words of it
            skip.add("summary")
        if outcome != "extension":
            skip.add("until")
        order = [s for s in order if s not in skip]
    i = order.index(step)
    return order[i + 1] if i + 1 < len(order) else None


async def _finish(
    update: Update, context: Context, user: User, t: Translator, name: str, data: dict[str, Any]
) -> None:
    s = services(context)
    case = await s.store.get_case_by_id(int(data["case_id"]))
    if case is None or case.reporter_id != user.user_id:
        return
    if name == "send":
        rows = [
            r
            for r in [await s.letters.store.get_letter(i) for i in data.get("picked", [])]
            if r is not None and r.case_id == case.id
        ]
        results = await s.followup.mark_sent(
            user,
            case,
            rows,
            date.fromisoformat(data["date"]),
            data["channel"],
            data.get("tracking"),
        )
        lines = [t("Saved. The bot will remind you before each deadline and when one passes.")]
        for row, due in results:
            lines.append(f"• {letter_title(t, row)}: {deadline_text(t, due)}")
        await say(update, context, "\n".join(lines))
        return
    row = await s.letters.store.get_letter(int(data["letter_id"]))
    if row is None or row.case_id != case.id:
        return
    if name == "delivered":
        due = await s.followup.set_delivered(
            user, case, row, date.fromisoformat(data["delivered"]), data.get("tracking")
        )
        await say(update, context, t("Saved.") + " " + deadline_text(t, due))
        return
    if name == "regno":
        registered = date.fromisoformat(data["regdate"]) if data.get("regdate") else None
        due = await s.followup.set_reference(user, case, row, data["reference"], registered)
        await say(update, context, t("Saved.") + " " + deadline_text(t, due))
        return
    result = await s.followup.log_reply(
        user,
        case,
        row,
        outcome=data["outcome"],
        received_on=date.fromisoformat(data["received"]),
        summary=data.get("summary") or "",
        file=data.get("file"),
        forwarded_to=data.get("forward_to"),
        extended_until=date.fromisoformat(data["until"]) if data.get("until") else None,
        text=data.get("text") or "",
    )
    await say(update, context, t("The reply is saved."))
    await tell_copies(update, context, t, case, row)
    if isinstance(result, Suggestion):
        await offer_next_letter(update, context, user, t, case, result)
    elif isinstance(result, Deadline):
        await say(update, context, deadline_text(t, result))
    elif data["outcome"] == "found":
        await say(
            update,
            context,
            t(
                "We are glad there is news. The case status is now: "
                "{status}. A caseworker will contact you.",
                status=texts.status_name(t, CaseStatus.LOCATED),
            ),
        )


async def tell_copies(
    update: Update, context: Context, t: Translator, case: Case, row: LetterRow
) -> None:
    """Say in plain words when the reply just logged is a text the body sent to others."""
    replies = await services(context).followup.store.replies_of_case(case.id)
    newest = max(replies, key=lambda r: r.id, default=None)
    if newest is None or newest.copies == 0:
        return
    body = load_directory()[row.addressee_id].name(t.locale)
    await say(
        update,
        context,
        t.ngettext(
            "This answer is the same text that {body} sent to {n} other family. It is a form "
            "reply, not an answer to your request; a caseworker will look at it.",
            "This answer is the same text that {body} sent to {n} other families. It is a form "
            "reply, not an answer to your request; a caseworker will look at it.",
            newest.copies,
            body=body,
        ),
    )


async def _take_reply(
    update: Update, context: Context, user: User, t: Translator, form: Form, message: Message
) -> None:
    """The reply itself at the ``file`` step: pasted text is taken as it is; a PDF's text
    or a photo's OCR is shown to the family to check and correct."""
    if message.text:
        text = clean_text(message.text, reading.MAX_CHARS, truncate=True)[0]
        await _advance(
            update, context, user, t, Form(form.name, "text", {**form.data, "file": None}), text
        )
        return
    file = _message_value(form, message, _today(context, user))
    size = message.document.file_size if message.document else message.photo[-1].file_size
    read = reading.Reading("")
    if (size or 0) <= reading.MAX_DOWNLOAD:
        is_pdf = bool(
            message.document
            and (
                message.document.mime_type == "application/pdf"
                or (message.document.file_name or "").lower().endswith(".pdf")
            )
        )
        await say(update, context, t("Reading the text of the reply, please wait…"))
        data = bytes(await (await context.bot.get_file(file["file_id"])).download_as_bytearray())
        read = await reading.read_file(data, is_pdf)
    form = Form(form.name, "text", {**form.data, "file": file, "read": read.text})
    await _save(update, context, user, form)
    if read.text:
        await say(
            update,
            context,
            t(
                "This is the text the bot read from the reply. If it is "
                "right, press the button; if not, send the corrected "
                "text."
            )
            + "\n\n"
            + shorten(read.text, 3500),
        )
        await _ask_buttons(update, context, t, form)
        return
    if read.no_engine:
        reason = t(
            "This server cannot read text from photos: no text recognition program is installed."
        )
    else:
        reason = t("The bot could not read any text in this file.")
    await say(update, context, reason + " " + t(FORM_PROMPTS["text"]), _form_keyboard(t, form))


async def _ask_buttons(update: Update, context: Context, t: Translator, form: Form) -> None:
    await say(update, context, t("Is this the text of the reply?"), _form_keyboard(t, form))


async def offer_next_letter(
    update: Update, context: Context, user: User, t: Translator, case: Case, suggestion: Suggestion
) -> None:
    """Produce the repeat request or complaint the ladder calls for, and send it."""
    if un_ladder.offer_after(suggestion.step):
        await say(update, context, t(un_ladder.OFFER, number=case.number))
    if suggestion.letter is None:
        await say(
            update,
            context,
            t(
                "The bot has no further letter for this body. Ask the "
                "organisation's caseworker or a lawyer what to do next; "
                "your case and all letters are kept."
            ),
        )
        return
    s = services(context)
    kind = KIND_NAMES.get(suggestion.letter.kind)
    await say(
        update,
        context,
        t(
            "Next step: {kind} to {body}.",
            kind=t(kind) if kind else suggestion.letter.kind,
            body=s.letters.directory[suggestion.letter.addressee_id].name(t.locale),
        ),
    )
    await produce_one(update, context, user, t, case, suggestion.letter)


# --- buttons -----------------------------------------------------------------------
async def on_followup_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op, arg = (parts + ["", ""])[1:3]
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        return
    handler = BUTTONS.get(op)
    if handler is None:
        return
    await handler(update, context, user, t, arg)


async def _not_available(update: Update, context: Context, t: Translator) -> None:
    await say(update, context, t("This is not available."))


async def _own_letter(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> tuple[Case, LetterRow] | None:
    s = services(context)
    letter_id = parse_id(arg)
    row = await s.letters.store.get_letter(letter_id) if letter_id is not None else None
    case = await s.store.get_case_by_id(row.case_id) if row else None
    if row is None or case is None or case.reporter_id != user.user_id:
        await _not_available(update, context, t)
        return None
    return case, row


async def _own_case(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> Case | None:
    case_id = parse_id(arg)
    case = await services(context).store.get_case_by_id(case_id) if case_id is not None else None
    if case is None or case.reporter_id != user.user_id:
        await _not_available(update, context, t)
        return None
    return case


async def _b_view(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    case = await _own_case(update, context, user, t, arg)
    if case:
        await drop_buttons(update)
        await show_tracking(update, context, user, t, case)


async def _b_card(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found:
        await show_letter(update, context, user, t, *found)


async def _b_prepare(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found:
        case, row = found
        await drop_buttons(update)
        await produce_one(update, context, user, t, case, row)


async def _b_send_many(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    case = await _own_case(update, context, user, t, arg)
    if case:
        await drop_buttons(update)
        await start_form(
            update, context, user, t, "send", "pick", {"case_id": case.id, "picked": []}
        )


async def _b_send_one(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found:
        await drop_buttons(update)
        await start_form(
            update,
            context,
            user,
            t,
            "send",
            "date",
            {"case_id": found[0].id, "picked": [found[1].id]},
        )


async def _b_regno(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found:
        await drop_buttons(update)
        await start_form(
            update,
            context,
            user,
            t,
            "regno",
            "reference",
            {"case_id": found[0].id, "letter_id": found[1].id},
        )


async def _b_delivered(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found and found[1].sent_on:
        case, row = found
        await drop_buttons(update)
        first = "delivered" if row.tracking else "tracking"
        await start_form(
            update,
            context,
            user,
            t,
            "delivered",
            first,
            {
                "case_id": case.id,
                "letter_id": row.id,
                "sent": row.sent_on.isoformat(),
                "has_tracking": bool(row.tracking),
            },
        )


async def _b_reply(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    found = await _own_letter(update, context, user, t, arg)
    if found:
        await drop_buttons(update)
        await start_form(
            update,
            context,
            user,
            t,
            "reply",
            "outcome",
            {"case_id": found[0].id, "letter_id": found[1].id},
        )


def _form_button(
    step: str | tuple[str, ...], convert: Callable[[str, Form, date], Any]
) -> Callable[..., Awaitable[None]]:
    """A button that answers the open form's current step; old buttons are refused."""
    steps = (step,) if isinstance(step, str) else step

    async def handler(
        update: Update, context: Context, user: User, t: Translator, arg: str
    ) -> None:
        form = await services(context).followup.store.get_form(user.user_id)
        if form is None or form.step not in steps:
            await say(update, context, t("That button belongs to an earlier message."))
            return
        try:
            value = convert(arg, form, _today(context, user))
        except InvalidInput as err:
            await say(update, context, texts.error(t, err))
            await _ask(update, context, t, form)
            return
        except (ValueError, KeyError):
            return
        if value is _STAY:
            await _save(update, context, user, form_with_pick(form, arg))
            await drop_buttons(update)
            await _ask(update, context, t, form_with_pick(form, arg))
            return
        await drop_buttons(update)
        await _advance(update, context, user, t, form, value)

    return handler


_STAY = object()


def form_with_pick(form: Form, arg: str) -> Form:
    picked = list(form.data.get("picked", []))
    letter_id = parse_id(arg)
    if letter_id is None:
        raise ValueError(arg)
    picked = [x for x in picked if x != letter_id] if letter_id in picked else picked + [letter_id]
    return Form(form.name, form.step, {**form.data, "picked": picked})


def _pick(arg: str, form: Form, today: date) -> Any:
    if parse_id(arg) is None:
        raise ValueError(arg)
    return _STAY


def _next(arg: str, form: Form, today: date) -> Any:
    if not form.data.get("picked"):
        raise ValueError("nothing picked")
    return form.data["picked"]


def _day(arg: str, form: Form, today: date) -> date:
    return today - timedelta(days=int(arg))


def _delivered_day(arg: str, form: Form, today: date) -> date:
    day = _day(arg, form, today)
    if form.step == "delivered":
        check_delivered(form, day)
    return day


def _choice(allowed: tuple[str, ...]) -> Callable[[str, Form, date], str]:
    def convert(arg: str, form: Form, today: date) -> str:
        if arg not in allowed:
            raise ValueError(arg)
        return arg

    return convert


def _skip(arg: str, form: Form, today: date) -> None:
    return None


def _keep_read(arg: str, form: Form, today: date) -> str:
    if not form.data.get("read"):
        raise ValueError("nothing read")
    return str(form.data["read"])


def _body(arg: str, form: Form, today: date) -> str:
    if arg not in load_directory():
        raise ValueError(arg)
    return arg


async def _b_cancel(update: Update, context: Context, user: User, t: Translator, arg: str) -> None:
    await drop_buttons(update)
    await services(context).followup.store.drop_form(user.user_id)
    await say(update, context, t("Cancelled. Nothing was changed."))


async def _b_settings(
    update: Update, context: Context, user: User, t: Translator, arg: str
) -> None:
    s = services(context)
    await drop_buttons(update)
    if arg == "on" or arg == "off":
        await s.followup.store.set_preferences(
            user.user_id, reminders_on=arg == "on", now=s.clock.now()
        )
        if arg == "off":
            for reminder in await s.followup.store.pending_reminders(user.user_id):
                await s.followup.store.reminder_failed(
                    reminder.id, "turned off", None, s.clock.now()
                )
    elif arg in TIMEZONE_CHOICES:
        await s.followup.store.set_preferences(user.user_id, timezone_name=arg, now=s.clock.now())
    refreshed = await current_user(update, context)
    assert refreshed is not None
    await show_settings(update, context, refreshed, t)


BUTTONS: dict[str, Callable[..., Awaitable[None]]] = {
    "v": _b_view,
    "c": _b_card,
    "g": _b_prepare,
    "s": _b_send_many,
    "s1": _b_send_one,
    "r": _b_regno,
    "a": _b_reply,
    "dl": _b_delivered,
    "p": _form_button("pick", _pick),
    "n": _form_button("pick", _next),
    "d": _form_button(("date", "received", "delivered"), _delivered_day),
    "h": _form_button("channel", _choice(("post", "registered", "email", "online", "in_person"))),
    "o": _form_button("outcome", _choice(tuple(OUTCOME_NAMES))),
    "b": _form_button("forward_to", _body),
    "k": _form_button(("tracking", "regdate", "file", "text", "summary", "forward_to"), _skip),
    "K": _form_button("text", _keep_read),
    "x": _b_cancel,
    "t": _b_settings,
}


# --- /timeline and /settings ---------------------------------------------------------


async def timeline_command(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    s = services(context)
    cases = await s.store.cases_of(user.user_id) if user else []
    wanted = (context.args or [""])[0].strip().upper()
    chosen = [c for c in cases if not wanted or c.number == wanted]
    if user is None or not chosen:
        await say(
            update,
            context,
            t("You have no cases yet. Send /start to report a missing person.")
            if not wanted
            else t("You have no case with the number {number}.", number=wanted[:40]),
        )
        return
    for brief in chosen:
        case = await s.store.get_case(brief.number)
        assert case is not None
        await say(update, context, timeline_text(t, case, user))


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


async def settings_command(update: Update, context: Context) -> None:
    from handlers.staff import staff_settings  # staff choose the zone they see times in

    if await staff_settings(update, context):
        return
    user = await current_user(update, context)
    t = translator(update, context, user)
    if user is None:
        await say(update, context, t("Nothing about you is stored."))
        return
    await show_settings(update, context, user, t)


async def show_settings(update: Update, context: Context, user: User, t: Translator) -> None:
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
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))
