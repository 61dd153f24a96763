"""Letters in the chat: the recommended set, the family's choices, the documents."""

from __future__ import annotations

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.correspondence import Produced
from bot.domain.models import Case, User
from bot.domain.validators import InvalidInput, clean_text, validate_iin
from bot.i18n import N_, Translator
from bot.letters.language import fits
from bot.letters.recommend import REASONS
from bot.letters.translations import Needed
from bot.letters.translations import texts as free_texts
from bot.readable import shorten
from bot.storage.followup import Form
from bot.storage.store import LetterRow
from handlers import texts
from handlers.common import (
    Context,
    chat_id,
    current_user,
    drop_buttons,
    flush_replies,
    parse_id,
    say,
    services,
    translator,
)
from handlers.keyboards import button
from handlers.views import review as review_view

PREFIX = "L"  # L:<op>:<id>[:<value>]

# The legal-risk note: the law of the missing person's own country, his or her gender.
# Kyrgyz article 256 is the one the Kyrgyz embassy cited in 2022 (a secondary source).
RISK_LAW = {
    "KZ": N_(
        "In Kazakhstan, taking part in an armed conflict abroad is a crime (Criminal "
        "Code of Kazakhstan, article 172)."
    ),
    "KG": N_(
        "In Kyrgyzstan, taking part in an armed conflict abroad is a crime (Criminal "
        "Code of Kyrgyzstan, article 256)."
    ),
    "other": N_("In many countries, taking part in an armed conflict abroad is a crime."),
}
RISK_FACTS = {
    "m": N_(
        "Letters can be read as evidence against him. That is why they only state "
        "facts: he was taken, held, threatened or deceived, and, as far as the family "
        "knows, signed nothing voluntarily. They never describe a voluntary decision."
    ),
    "f": N_(
        "Letters can be read as evidence against her. That is why they only state "
        "facts: she was taken, held, threatened or deceived, and, as far as the family "
        "knows, signed nothing voluntarily. They never describe a voluntary decision."
    ),
}
RISK_CHOICE_TEXT = N_(
    "Letters to the bodies of your own country leave out the unit, the names of the people "
    "believed responsible and every word about military service or fighting, unless you "
    "choose to keep them there. Russian bodies need these details to search. You can also "
    "leave out the names, the unit and your own account from all letters."
)


def risk_note(t: Translator, case: Case) -> str:
    """The warning before the letters, citing the law of the person's own country."""
    law = RISK_LAW.get(case.citizenship, RISK_LAW["other"])
    gender = "f" if case.report.missing_gender == "f" else "m"
    return "\n\n".join(
        [
            t("Before the letters: an important warning."),
            t(law),
            t(RISK_FACTS[gender]),
            t(RISK_CHOICE_TEXT),
        ]
    )


# What each free text of the report is, as the family is asked to give it in another language.
FIELD_NAMES = {
    "r_addr": N_("your postal address"),
    "e_place": N_("where he or she was last seen"),
    "e_story": N_("your account of what happened"),
    "e_resp_text": N_("who is believed responsible"),
    "e_unit": N_("the unit, company or place"),
    "m_cit_other": N_("the citizenship"),
    "evidence": N_("the description of a file you sent"),
    "body_text": N_("the name of a body you contacted"),
    "reply": N_("the reply you received"),
}
TRANSLATION_LIMIT = 3000

RISK_CHOICES = (
    ("protect", N_("Recommended: details to Russian bodies only")),
    ("all", N_("Keep all details in every letter")),
    ("nonames", N_("Leave out names and the unit")),
    ("minimal", N_("Leave out names, the unit and my account")),
)


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


def _short(text: str, limit: int = 48) -> str:
    return shorten(text, limit)  # between words


def language_name(code: str, reader: str) -> str:
    """A letter's language named in the reader's language, from Babel's data."""
    return Locale.parse(code).get_display_name(reader) or code


async def _own_case(
    update: Update, context: Context, case_id: int
) -> tuple[User, Translator, Case] | None:
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
    lines += [
        "",
        t("Tap a body to add it to the set or remove it, then press Prepare the letters."),
    ]
    buttons = [
        [
            _button(
                ("✓ " if r.selected else "+ ")
                + _short(letters.directory[r.addressee_id].name(t.locale)),
                "t",
                r.id,
            )
        ]
        for r in rows
    ]
    buttons.append([_button("📄 " + t("Prepare the letters"), "g", case.id)])
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))


async def letters_command(update: Update, context: Context) -> None:
    """/letters: the letter set of the user's case (asks which case when there are several)."""
    user = await current_user(update, context)
    t = translator(update, context, user)
    cases = await services(context).store.cases_of(user.user_id) if user else []
    if not cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
        return
    if len(cases) == 1:
        await show_letter_set(update, context, t, cases[0])
        return
    buttons = [
        [_button(f"{c.number} · {_short(str(c.answers.get('m_name', '')), 30)}", "s", c.id)]
        for c in cases
    ]
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
    handler = {
        "s": _on_show,
        "t": _on_toggle,
        "g": _on_prepare,
        "r": _on_risk,
        "n": _on_language,
        "x": _on_text,
        "o": _on_leave_to_org,
        "i": _on_no_iin,
    }.get(op)
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
        owned[2],
        include_perpetrator=value in ("protect", "all"),
        include_story=value != "minimal",
        home_details=value == "all",
    )
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
        await say(
            update,
            context,
            risk_note(t, case),
            InlineKeyboardMarkup(
                [[_button(t(label), "r", case.id, code)] for code, label in RISK_CHOICES]
            ),
        )
        return
    national = sorted(letters.national_languages(rows))
    if national and "national_language" not in options:
        await drop_buttons(update)
        await say(
            update,
            context,
            t(
                "Letters to the bodies of your country can be written in "
                "the state language or in Russian. Which do you prefer?"
            ),
            InlineKeyboardMarkup(
                [
                    [
                        _button(language_name(code, code).capitalize(), "n", case.id, code)
                        for code in national + ["ru"]
                    ]
                ]
            ),
        )
        return
    if letters.needs_iin(case, rows, options):
        await drop_buttons(update)
        await ask_iin(update, context, user, t, case)
        return
    left = letters.left_to_organisation(options)
    pending = [
        n
        for n in letters.translations_needed(case, rows, options)
        if (n.field, n.language) not in left
    ]
    await drop_buttons(update)
    if pending:
        await ask_translation(update, context, user, t, case, pending[0])
        return
    ready = [r for r in rows if not letters.blocked(case, r, options)]
    if ready:
        await _produce_all(update, context, user, t, case, ready)
    waiting = [r for r in rows if r not in ready]
    if waiting:
        await say(
            update,
            context,
            t(
                "The organisation writes the translations you left to it. These letters will "
                "be ready then, and the bot will tell you: {bodies}.",
                bodies="; ".join(
                    letters.directory[r.addressee_id].name(t.locale) for r in waiting
                ),
            ),
        )


async def ask_iin(update: Update, context: Context, user: User, t: Translator, case: Case) -> None:
    s = services(context)
    await s.followup.store.save_form(
        user.user_id, Form("iin", "text", {"case_id": case.id}), s.clock.now()
    )
    await say(
        update,
        context,
        t(
            "A letter to a Kazakh body must give your IIN (Administrative Procedural Code of "
            "Kazakhstan, article 63). Please send your IIN, 12 digits. If you have none, press "
            "the button."
        ),
        InlineKeyboardMarkup([[_button(t("I have no IIN"), "i", case.id)]]),
    )


async def on_iin_text(update: Update, context: Context, user: User, form: Form) -> None:
    """The applicant's IIN, asked for before letters to Kazakh bodies."""
    t = translator(update, context, user)
    s = services(context)
    message = update.effective_message
    case = await s.store.get_case_by_id(int(form.data.get("case_id", 0)))
    if case is None or case.reporter_id != user.user_id:
        await s.followup.store.drop_form(user.user_id)
        await say(update, context, t("This is not available."))
        return
    try:
        if message is None or not message.text:
            raise InvalidInput("need_text")
        iin = validate_iin(message.text[:100])
    except InvalidInput as err:
        await say(update, context, texts.error(t, err))
        await ask_iin(update, context, user, t, case)
        return
    await s.followup.store.drop_form(user.user_id)
    await s.letters.set_applicant_iin(case, iin, user.user_id)
    await say(update, context, t("Thank you, saved."))
    await _on_prepare(update, context, case.id, "")


async def _on_no_iin(update: Update, context: Context, case_id: int, _value: str) -> None:
    owned = await _own_case(update, context, case_id)
    if owned is None:
        return
    user, _t, case = owned
    s = services(context)
    await drop_buttons(update)
    form = await s.followup.store.get_form(user.user_id)
    if form is not None and form.name == "iin":
        await s.followup.store.drop_form(user.user_id)
    await s.letters.set_option(case, no_iin=True)
    await _on_prepare(update, context, case.id, "")


def field_name(t: Translator, field: str) -> str:
    """What a stored field is, in the reader's language ("actions.0.reply" -> the reply)."""
    key = field if field in FIELD_NAMES else field.split(".")[-1]
    if key not in FIELD_NAMES:
        key = field.split(".")[0]
    return t(FIELD_NAMES[key]) if key in FIELD_NAMES else field


async def ask_translation(
    update: Update,
    context: Context,
    user: User,
    t: Translator,
    case: Case,
    item: Needed,
    letter_id: int | None = None,
) -> None:
    """Ask the family, in the chat language, for one text in the letter's language.
    ``letter_id``: the one letter to make afterwards (a follow-up), else the whole set."""
    s = services(context)
    await s.followup.store.save_form(
        user.user_id,
        Form(
            "translate",
            "text",
            {
                "case_id": case.id,
                "field": item.field,
                "language": item.language,
                "letter_id": letter_id,
            },
        ),
        s.clock.now(),
    )
    language = language_name(item.language, t.locale)
    await say(
        update,
        context,
        t(
            "A letter goes out in {language}, every word of it. This answer of yours is in "
            "another language ({what}):\n\n«{text}»\n\nPlease write it in {language}. Or leave "
            "the translation to the organisation: a caseworker writes it, and you get the "
            "letters that need it when it is done.",
            language=language,
            what=field_name(t, item.field),
            text=_short(item.original, 600),
        ),
        InlineKeyboardMarkup([[_button(t("Leave it to the organisation"), "o", case.id)]]),
    )


async def on_translation_text(update: Update, context: Context, user: User, form: Form) -> None:
    """The family's text in the letter's language: stored, and the letters go on."""
    t = translator(update, context, user)
    s = services(context)
    message = update.effective_message
    language = str(form.data.get("language"))
    case = await s.store.get_case_by_id(int(form.data.get("case_id", 0)))
    if case is None or case.reporter_id != user.user_id:
        await s.followup.store.drop_form(user.user_id)
        await say(update, context, t("This is not available."))
        return
    field = str(form.data.get("field"))
    original = texts_of(case).get(field, "")
    try:
        if message is None or not message.text:
            raise InvalidInput("need_text")
        text, _ = clean_text(message.text, TRANSLATION_LIMIT, truncate=False)
        if not fits(text, language) and text != original:
            raise InvalidInput("wrong_language", language=language_name(language, t.locale))
    except InvalidInput as err:
        await say(update, context, texts.error(t, err))
        await ask_translation(
            update,
            context,
            user,
            t,
            case,
            Needed(field, language, original),
            form.data.get("letter_id"),
        )
        return
    await s.followup.store.drop_form(user.user_id)
    await s.letters.set_translation(case, field, language, text, user.user_id)
    await say(update, context, t("Thank you, saved."))
    await _go_on(update, context, user, t, case.id, form.data.get("letter_id"))


async def _go_on(
    update: Update, context: Context, user: User, t: Translator, case_id: int, letter_id: object
) -> None:
    """After a translation: the one follow-up letter asked for, or the whole set."""
    if not isinstance(letter_id, int):
        await _on_prepare(update, context, case_id, "")
        return
    s = services(context)
    case = await s.store.get_case_by_id(case_id)
    row = await s.letters.store.get_letter(letter_id)
    if case is not None and row is not None and row.case_id == case.id:
        await produce_one(update, context, user, t, case, row)


async def produce_one(
    update: Update, context: Context, user: User, t: Translator, case: Case, row: LetterRow
) -> bool:
    """Make one letter and send it; if some text is not in its language yet, ask for it
    (or say the organisation is writing it). True when the letter was sent."""
    s = services(context)
    options = await s.letters.options(case)
    pending = [
        n
        for n in s.letters.translations_needed(case, [row], options)
        if (n.field, n.language) not in s.letters.left_to_organisation(options)
    ]
    if pending:
        await ask_translation(update, context, user, t, case, pending[0], row.id)
        return False
    if s.letters.blocked(case, row, options):
        await say(
            update,
            context,
            t(
                "The organisation writes the translations you left to it. These letters will "
                "be ready then, and the bot will tell you: {bodies}.",
                bodies=s.letters.directory[row.addressee_id].name(t.locale),
            ),
        )
        return False
    # Letter review (IZDEU_LETTER_REVIEW): held for a caseworker instead of sent now.
    if held := await s.review.hold(user.user_id, case, [row]):
        await say(update, context, review_view.held_text(t, held))
        return False
    produced = await s.letters.produce(case, row, user.user_id)
    await send_produced(update, context, t, produced, 1, 1)
    return True


def texts_of(case: Case) -> dict[str, str]:
    return free_texts(case.report)


async def _on_leave_to_org(update: Update, context: Context, case_id: int, _value: str) -> None:
    owned = await _own_case(update, context, case_id)
    if owned is None:
        return
    user, t, case = owned
    s = services(context)
    form = await s.followup.store.get_form(user.user_id)
    await drop_buttons(update)
    if form is None or form.name != "translate" or form.data.get("case_id") != case.id:
        await say(update, context, t("That button belongs to an earlier message."))
        return
    field, language = str(form.data["field"]), str(form.data["language"])
    await s.followup.store.drop_form(user.user_id)
    await s.letters.leave_to_organisation(
        case, Needed(field, language, texts_of(case).get(field, ""))
    )
    await _go_on(update, context, user, t, case.id, form.data.get("letter_id"))


async def _produce_all(
    update: Update, context: Context, user: User, t: Translator, case: Case, rows: list[LetterRow]
) -> None:
    letters = services(context).letters
    # Letter review (IZDEU_LETTER_REVIEW): held for a caseworker instead of sent now.
    if held := await services(context).review.hold(user.user_id, case, rows):
        await say(update, context, review_view.held_text(t, held))
        return
    await say(
        update, context, t.ngettext("Preparing {n} letter…", "Preparing {n} letters…", len(rows))
    )
    for i, row in enumerate(rows, 1):
        produced = await letters.produce(case, row, user.user_id)
        await send_produced(update, context, t, produced, i, len(rows))
    await letters.mark_ready(case, user.user_id)
    await say(
        update,
        context,
        t(
            "All letters are ready. Print each PDF and sign it by hand (or edit the DOCX first). "
            "Send each letter by registered post with a notice of delivery, or through the "
            "body's online reception, and keep the receipts: they prove the date. /letters "
            "shows the set again."
        ),
    )


async def send_produced(
    update: Update, context: Context, t: Translator, produced: Produced, i: int, total: int
) -> None:
    target = chat_id(update)
    assert target is not None
    addressee = produced.addressee
    lines = [
        f"{i}/{total}. {addressee.name(t.locale)}",
        t(
            "Language of the letter: {language}",
            language=language_name(produced.letter.language, t.locale),
        ),
    ]
    if addressee.address:
        lines.append(t("Postal address: {address}", address=addressee.address))
    if not addressee.verified:
        lines.append(
            "⚠ "
            + t(
                "This address is not verified. Check it on the body's official "
                "website before sending."
            )
        )
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
    user, t, case, row = found
    letters = services(context).letters
    if letters.blocked(case, row, await letters.options(case)):
        # Some text is not in the letter's language yet: ask for it (or say who writes it).
        await produce_one(update, context, user, t, case, row)
        return
    chunks, limit = await letters.form_text(case, row)
    if limit:
        intro = t.ngettext(
            "This body's online form accepts {limit} characters per message; the text fits "
            "in {n} part.",
            "This body's online form accepts {limit} characters per message; the text is "
            "split into {n} parts.",
            len(chunks),
            limit=t.number(limit),
        )
    else:
        intro = t(
            "The limit of this body's online form is not known; the text is split "
            "into messages. Copy it part by part."
        )
    await say(update, context, intro)
    for chunk in chunks:
        await say(update, context, chunk)
