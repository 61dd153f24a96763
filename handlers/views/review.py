"""What the letter review queue says, to the caseworker and to the family, and how the
family receives a decision: the chat's /review and the desk's "Letters to check" page both
release an approved letter (or a note) through ``release`` and ``tell_returned`` here, so
the family gets the same messages and files whichever front end the caseworker used."""

from __future__ import annotations

from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden

from bot.app import Services
from bot.domain.validators import InvalidInput
from bot.i18n import Translator
from bot.readable import shorten
from bot.services.errors import Invalid
from bot.services.letters import Produced
from bot.services.review import (
    RETURNED,
    Approved,
    Editable,
    Held,
    Release,
    Returned,
    ReviewEntry,
    ReviewLetter,
    ReviewReminder,
)
from handlers import texts
from handlers.keyboards import button
from handlers.views.letters import addressed_card, field_name, language_name
from handlers.views.notices import says, send_notices

PREFIX = "review"  # review:read|fix|approve|back:<letter id>[:<field>]


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


# --- the family ---------------------------------------------------------------------------
def held_text(t: Translator, held: Held) -> str:
    return t(
        "Your letters for case {number} are being checked by the organisation's caseworker "
        "before you get them. The bot sends them here as soon as they are approved.",
        number=held.case_number,
    )


def approved_card(t: Translator, produced: Produced) -> tuple[str, InlineKeyboardMarkup]:
    """The letter's card as the family gets it without review, after a line saying it was
    checked; the PDF and DOCX follow it."""
    heading = [
        "✓ " + t("The organisation has checked this letter."),
        produced.addressee.name(t.locale),
    ]
    return addressed_card(t, produced, heading)


def all_ready_text(t: Translator) -> str:
    return t(
        "All letters are ready. Print each PDF and sign it by hand (or edit the DOCX first). "
        "Send each letter by registered post with a notice of delivery, or through the "
        "body's online reception, and keep the receipts: they prove the date. /letters "
        "shows the set again."
    )


def returned_text(t: Translator, body: str, number: str, note: str) -> str:
    return t(
        "The organisation's caseworker sent back your letter to {body} (case {number}) with "
        "this note:\n\n«{note}»\n\nWhen it is settled, prepare the letters again with /letters.",
        body=body,
        number=number,
        note=note,
    )


@says(RETURNED)
def returned_notice(t: Translator, s: Services, values: dict[str, Any]) -> str:
    """The family's notice of a letter sent back, from the values kept with it."""
    body = s.letters.directory[str(values["addressee"])].name(t.locale)
    return returned_text(t, body, str(values["case_number"]), str(values["note"]))


# --- the caseworker ---------------------------------------------------------------------
def queue_view(
    t: Translator, entries: list[ReviewEntry], body_name: dict[str, str], enabled: bool
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not entries:
        text = t("No letters are waiting for review.")
        if not enabled:
            text += "\n" + t("Letter review is off: letters go straight to the families.")
        return text, None
    lines = [t("Letters waiting for review: {n}", n=t.number(len(entries)))]
    rows = [
        [
            _button(
                ("✓ " if e.state == "approved" else "")
                + f"{e.case_number} · "
                + shorten(body_name[e.addressee_id], 40),
                "read",
                e.letter_id,
            )
        ]
        for e in entries
    ]
    if any(e.state == "approved" for e in entries):
        lines.append(t("✓: approved, not yet received by the family; open it to send it again."))
    lines.append(t("Tap a letter to read it."))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def letter_card(
    t: Translator, letter: ReviewLetter, zone: str, saved: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """What the caseworker can do with the letter, under its text and files (the text
    goes alone, so that it reads as the letter, in the letter's language)."""
    produced = letter.produced
    head = [t("Saved. The letter above is made again with your text.")] if saved else []
    head += [
        f"{letter.entry.case_number} · {produced.addressee.name(t.locale)}",
        t(
            "Language of the letter: {language}",
            language=language_name(produced.letter.language, t.locale),
        ),
        t("Waiting since {time}", time=t.datetime(letter.entry.queued_at, "short", tz=zone)),
    ]
    rows = [
        [
            _button(
                "✎ " + shorten(field_name(t, f.field), 48), "fix", letter.entry.letter_id, f.field
            )
        ]
        for f in letter.fields
    ]
    rows.append(
        [
            _button("✓ " + t("Approve"), "approve", letter.entry.letter_id),
            _button("↩ " + t("Send back"), "back", letter.entry.letter_id),
        ]
    )
    return "\n".join(head), InlineKeyboardMarkup(rows)


def ask_correction_text(t: Translator, item: Editable) -> str:
    return t(
        "Write the new text ({what}) in {language}. It replaces this text in the letter:"
        "\n\n«{text}»",
        what=field_name(t, item.field),
        language=language_name(item.language, t.locale),
        text=shorten(item.text, 1500),
    )


def ask_note_text(t: Translator) -> str:
    return t("Write a note for the family: what must change before the letter can go out.")


def approved_text(t: Translator, reached: bool) -> str:
    if reached:
        return t("Approved. The family has received the letter.")
    return t("Approved. The family could not be reached: it deleted its data or left the bot.")


def returned_done_text(t: Translator, reached: bool) -> str:
    if reached:
        return t("The letter is sent back; the family has received your note.")
    return t(
        "The letter is sent back. The family could not be reached: it deleted its data or "
        "left the bot."
    )


def reminder_text(t: Translator, reminder: ReviewReminder, zone: str) -> str:
    return t.ngettext(
        "{n} letter of case {number} has been waiting for review since {time}. /review shows it.",
        "{n} letters of case {number} have been waiting for review since {time}. /review "
        "shows them.",
        reminder.waiting,
        number=reminder.case_number,
        time=t.datetime(reminder.since, "short", tz=zone),
    )


def invalid_text(t: Translator, err: Invalid) -> str:
    """Why a correction, a note or a letter was refused, in the caseworker's language."""
    if err.reason == "wrong_language":
        return t("This text is not in the letter's language. Please write it in that language.")
    if err.reason == "untranslated":
        return t(
            "This letter still needs a translation the family left to the organisation: "
            "write it in the case's dossier first."
        )
    return texts.error(t, InvalidInput(err.reason, **err.params))


def form_error_text(t: Translator, err: InvalidInput) -> str:
    """Why a typed correction or note was refused (the form stays open)."""
    if err.code == "wrong_language":
        return invalid_text(t, Invalid("text", err.code))
    return texts.error(t, err)


# --- the family receives the decision (both front ends) ----------------------------------
def release(bot: Bot, s: Services) -> Release:
    """How an approved letter reaches the family's chat, and then, after the first set's
    last letter, what to do with the letters (the same for the chat and the desk)."""

    async def deliver(approved: Approved) -> bool:
        return await _deliver(bot, s, approved)

    async def all_ready(approved: Approved) -> bool:
        return await _tell_all_ready(bot, s, approved)

    return Release(deliver, all_ready)


async def _deliver(bot: Bot, s: Services, approved: Approved) -> bool:
    """The approved letter as it comes without review; False when the family cannot be
    reached."""
    if approved.family_chat is None:
        return False
    ft = s.catalogs.get(approved.family_locale)
    text, markup = approved_card(ft, approved.produced)
    produced = approved.produced
    try:
        await bot.send_message(approved.family_chat, text, reply_markup=markup)
        await bot.send_document(approved.family_chat, produced.pdf, filename=produced.pdf_name)
        await bot.send_document(approved.family_chat, produced.docx, filename=produced.docx_name)
    except Forbidden:
        return False
    return True


async def _tell_all_ready(bot: Bot, s: Services, approved: Approved) -> bool:
    """After the last letter of the first set: what to do with them, as without review."""
    assert approved.family_chat is not None
    try:
        ft = s.catalogs.get(approved.family_locale)
        await bot.send_message(approved.family_chat, all_ready_text(ft))
    except Forbidden:
        return False
    return True


async def tell_returned(bot: Bot, s: Services, returned: Returned) -> bool:
    """The caseworker's note to the family, in the family's language, sent from the notices
    table; False when the family cannot be reached (now: it is sent again later)."""
    if returned.family_chat is None:
        return False
    taken = await send_notices(bot, s)  # the note was written with the decision
    return any(n.user_id == returned.entry.reporter_id and n.kind == RETURNED for n in taken)
