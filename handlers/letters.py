"""Letters in the chat: the recommended set, the family's choices, the documents."""

from __future__ import annotations

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.correspondence import Produced
from bot.domain.models import Case, User
from bot.i18n import N_, Translator
from bot.letters.recommend import REASONS
from bot.storage.store import LetterRow
from handlers.keyboards import button
from handlers.common import Context, chat_id, current_user, parse_id, drop_buttons, say, services, translator
from handlers.common import flush_replies

PREFIX = "L"  # L:<op>:<id>[:<value>]

RISK_NOTE = N_(
    "Before the letters: an important warning.\n\n"
    "In Kazakhstan (Criminal Code, article 172) and in Kyrgyzstan, taking part in an armed "
    "conflict abroad is a crime. Letters can be read as evidence against the person you are "
    "looking for. That is why the letters only state facts: he or she was taken, held, "
    "threatened or deceived, and, as far as the family knows, signed nothing voluntarily. "
    "They never describe a voluntary decision.\n\n"
    "Your report names the people, the company or the unit believed responsible. You can "
    "keep these details in the letters or leave them out. You can also leave out your own "
    "account of what happened."
)
RISK_CHOICES = (
    ("all", N_("Keep all details")),
    ("nonames", N_("Leave out names and the unit")),
    ("minimal", N_("Leave out names, the unit and my account")),
)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def language_name(code: str, reader: str) -> str:
    """A letter's language named in the reader's language, from Babel's data."""
    return Locale.parse(code).get_display_name(reader) or code


async def _own_case(update: Update, context: Context, case_id: int) -> tuple[User, Translator, Case] | None:
    """The case, if it belongs to the user; otherwise a plain refusal that reveals nothing."""
    user = await current_user(update, context)
    t = translator(update, context, user)
    case = await services(context).store.get_case_by_id(case_id)
    if user is None or case is None or case.reporter_id != user.user_id:
        await say(update, context, t("This is not available."))
        return None
    return user, t, case


def _ints(data: str) -> list[int]:
    try:
        return [n for n in map(parse_id, data.split(":")[2:]) if n is not None]
    except ValueError:
        return []


# --- the set ----------------------------------------------------------------
async def show_letter_set(update: Update, context: Context, t: Translator, case: Case) -> None:
    letters = services(context).letters
    rows = await letters.letter_set(case)
    lines = [t("Letters for case {number}:", number=case.number), ""]
    for row in rows:
        if not row.selected:
            continue
        name = letters.directory[row.addressee_id].name(t.locale)
        reason = REASONS.get(row.reason)
        lines.append(f"✓ {name}" + (f"\n   {t(reason)}" if reason else ""))
    if not any(r.selected for r in rows):
        lines.append(t("No letters are chosen yet."))
    lines += ["", t("Tap a body to add it to the set or remove it, then press Prepare the "
                    "letters.")]
    buttons = [[_button(("✓ " if r.selected else "+ ")
                        + _short(letters.directory[r.addressee_id].name(t.locale)),
                        "t", r.id)] for r in rows]
    buttons.append([_button("📄 " + t("Prepare the letters"), "g", case.id)])
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def letters_command(update: Update, context: Context) -> None:
    """/letters: the letter set of the user's case (asks which case when there are several)."""
    user = await current_user(update, context)
    t = translator(update, context, user)
    cases = await services(context).store.cases_of(user.user_id) if user else []
    if not cases:
        await say(update, context, t("You have no cases yet. Send /start to report a missing "
                                     "person."))
        return
    if len(cases) == 1:
        await show_letter_set(update, context, t, cases[0])
        return
    buttons = [[_button(f"{c.number} · {_short(str(c.answers.get('m_name', '')), 30)}", "s", c.id)]
               for c in cases]
    await say(update, context, t("Which case?"), InlineKeyboardMarkup(buttons))


# --- buttons -------------------------------------------------------------------
async def on_letters_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op = parts[1] if len(parts) > 1 else ""
    ids = _ints(query.data)
    if not ids:
        return
    handler = {"s": _on_show, "t": _on_toggle, "g": _on_prepare, "r": _on_risk,
               "n": _on_language, "x": _on_text}.get(op)
    if handler is not None:
        await handler(update, context, ids[0], parts[3] if len(parts) > 3 else "")


async def _on_show(update: Update, context: Context, case_id: int, _value: str) -> None:
    owned = await _own_case(update, context, case_id)
    if owned:
        await drop_buttons(update)
        await show_letter_set(update, context, owned[1], owned[2])


async def _letter_and_case(
    update: Update, context: Context, letter_id: int
) -> tuple[User, Translator, Case, LetterRow] | None:
    row = await services(context).letters.store.get_letter(letter_id)
    if row is None:
        user = await current_user(update, context)
        t = translator(update, context, user)
        await say(update, context, t("This is not available."))
        return None
    owned = await _own_case(update, context, row.case_id)
    return (owned[0], owned[1], owned[2], row) if owned else None


async def _on_toggle(update: Update, context: Context, letter_id: int, _value: str) -> None:
    found = await _letter_and_case(update, context, letter_id)
    if found is None:
        return
    _user, t, case, row = found
    await services(context).letters.toggle(row)
    await drop_buttons(update)
    await show_letter_set(update, context, t, case)


async def _on_risk(update: Update, context: Context, case_id: int, value: str) -> None:
    owned = await _own_case(update, context, case_id)
    if owned is None or value not in {code for code, _ in RISK_CHOICES}:
        return
    await drop_buttons(update)
    await services(context).letters.set_option(
        owned[2], include_perpetrator=value == "all", include_story=value != "minimal")
    await _on_prepare(update, context, case_id, "")


async def _on_language(update: Update, context: Context, case_id: int, value: str) -> None:
    owned = await _own_case(update, context, case_id)
    if owned is None or value not in ("kk", "ky", "ru"):
        return
    await drop_buttons(update)
    await services(context).letters.set_option(owned[2], national_language=value)
    await _on_prepare(update, context, case_id, "")


async def _on_prepare(update: Update, context: Context, case_id: int, _value: str) -> None:
    """Ask what is still undecided (details to leave out, language), then produce."""
    owned = await _own_case(update, context, case_id)
    if owned is None:
        return
    user, t, case = owned
    letters = services(context).letters
    rows = [r for r in await letters.letter_set(case) if r.selected]
    if not rows:
        await say(update, context, t("No letters are chosen yet."))
        return
    options = await letters.options(case)
    if letters.needs_risk_choice(case, options):
        await drop_buttons(update)
        await say(update, context, t(RISK_NOTE), InlineKeyboardMarkup(
            [[_button(t(label), "r", case.id, code)] for code, label in RISK_CHOICES]))
        return
    national = sorted(letters.national_languages(rows))
    if national and "national_language" not in options:
        await drop_buttons(update)
        await say(update, context, t("Letters to the bodies of your country can be written in "
                                     "the state language or in Russian. Which do you prefer?"),
                  InlineKeyboardMarkup([[
                      _button(language_name(code, code).capitalize(), "n", case.id, code)
                      for code in national + ["ru"]]]))
        return
    await drop_buttons(update)
    await _produce_all(update, context, user, t, case, rows)


async def _produce_all(
    update: Update, context: Context, user: User, t: Translator, case: Case, rows: list[LetterRow]
) -> None:
    letters = services(context).letters
    await say(update, context, t.ngettext("Preparing {n} letter…", "Preparing {n} letters…",
                                          len(rows)))
    for i, row in enumerate(rows, 1):
        produced = await letters.produce(case, row, user.user_id)
        await send_produced(update, context, t, produced, i, len(rows))
    await letters.mark_ready(case, user.user_id)
    await say(update, context, t(
        "All letters are ready. Print each PDF and sign it by hand (or edit the DOCX first). "
        "Send each letter by registered post with a notice of delivery, or through the "
        "body's online reception, and keep the receipts: they prove the date. /letters "
        "shows the set again."))


async def send_produced(
    update: Update, context: Context, t: Translator, produced: Produced, i: int, total: int
) -> None:
    target = chat_id(update)
    assert target is not None
    addressee = produced.addressee
    lines = [
        f"{i}/{total}. {addressee.name(t.locale)}",
        t("Language of the letter: {language}",
          language=language_name(produced.letter.language, t.locale)),
    ]
    if addressee.address:
        lines.append(t("Postal address: {address}", address=addressee.address))
    if not addressee.verified:
        lines.append("⚠ " + t("This address is not verified. Check it on the body's official "
                              "website before sending."))
    if addressee.online_url:
        lines.append(t("Online reception: {url}", url=addressee.online_url))
    if addressee.email:
        lines.append(t("E-mail: {email}", email=addressee.email))
    markup = InlineKeyboardMarkup([[_button(t("Text for the online form"), "x", produced.row.id)]])
    await say(update, context, "\n".join(lines), markup)
    await flush_replies()  # the files come after their description
    await context.bot.send_document(target, produced.pdf, filename=produced.pdf_name)
    await context.bot.send_document(target, produced.docx, filename=produced.docx_name)


async def _on_text(update: Update, context: Context, letter_id: int, _value: str) -> None:
    found = await _letter_and_case(update, context, letter_id)
    if found is None:
        return
    _user, t, case, row = found
    chunks, limit = await services(context).letters.form_text(case, row)
    if limit:
        intro = t.ngettext(
            "This body's online form accepts {limit} characters per message; the text fits "
            "in {n} part.",
            "This body's online form accepts {limit} characters per message; the text is "
            "split into {n} parts.",
            len(chunks), limit=t.number(limit))
    else:
        intro = t("The limit of this body's online form is not known; the text is split "
                  "into messages. Copy it part by part.")
    await say(update, context, intro)
    for chunk in chunks:
        await say(update, context, chunk)
