"""The letters in the chat's words: the set, the legal-risk note, the questions before the
letters, a made letter's card. Plain data from ``bot.services.letters`` in, text and
buttons out; other areas (the report, follow-up, staff, the reminders) use these too.
"""

from __future__ import annotations

from babel import Locale
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.models import Case
from bot.domain.validators import InvalidInput
from bot.i18n import N_, Translator
from bot.letters.directory import Addressee
from bot.letters.recommend import REASONS
from bot.letters.translations import Needed
from bot.readable import shorten
from bot.services.letters import LetterSet, OnlineText, Produced
from handlers import texts
from handlers.common import Context, chat_id, flush_replies, say
from handlers.keyboards import button

# Callback data of the letters' buttons: letters:<action>:<id>[:<value>] (64 bytes at most:
# the longest, letters:risk:<16 digits>:nonames, has 37).
PREFIX = "letters"
SHOW = "case"  # the letter set of one of the family's cases
TOGGLE = "toggle"  # add a body to the set or take it out (the letter's id)
PREPARE = "prepare"
RISK = "risk"  # the answer to the legal-risk note (RISK_CHOICES)
LANGUAGE = "language"  # state language or Russian
ONLINE_TEXT = "text"  # the letter as text for the body's online form (the letter's id)
LEAVE_TO_ORGANISATION = "org"
NO_IIN = "noiin"

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
RISK_CHOICES = (
    ("protect", N_("Recommended: details to Russian bodies only")),
    ("all", N_("Keep all details in every letter")),
    ("nonames", N_("Leave out names and the unit")),
    ("minimal", N_("Leave out names, the unit and my account")),
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


def letters_button(text: str, action: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, action, *parts)


def _short(text: str, limit: int = 48) -> str:
    return shorten(text, limit)  # between words


def language_name(code: str, reader: str) -> str:
    """A letter's language named in the reader's language, from Babel's data."""
    return Locale.parse(code).get_display_name(reader) or code


def field_name(t: Translator, field: str) -> str:
    """What a stored field is, in the reader's language ("actions.0.reply" -> the reply)."""
    key = field if field in FIELD_NAMES else field.split(".")[-1]
    if key not in FIELD_NAMES:
        key = field.split(".")[0]
    return t(FIELD_NAMES[key]) if key in FIELD_NAMES else field


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


def error_text(t: Translator, err: InvalidInput) -> str:
    """A refused answer; a language code in it is named in the reader's language."""
    language = err.params.get("language")
    if isinstance(language, str):
        err = InvalidInput(
            err.code, **{**err.params, "language": language_name(language, t.locale)}
        )
    return texts.error(t, err)


# --- the set ---------------------------------------------------------------------------
def letter_set(t: Translator, shown: LetterSet) -> tuple[str, InlineKeyboardMarkup]:
    """The chosen bodies with the reason for each, and a button per body of the set."""
    lines = [t("Letters for case {number}:", number=shown.case.number), ""]
    for choice in shown.chosen:
        reason = REASONS.get(choice.reason)
        name = choice.addressee.name(t.locale)
        lines.append(f"✓ {name}" + (f"\n   {t(reason)}" if reason else ""))
    if not shown.chosen:
        lines.append(t("No letters are chosen yet."))
    lines += [
        "",
        t("Tap a body to add it to the set or remove it, then press Prepare the letters."),
    ]
    buttons = [
        [
            letters_button(
                ("✓ " if c.selected else "+ ") + _short(c.addressee.name(t.locale)),
                TOGGLE,
                c.letter_id,
            )
        ]
        for c in shown.choices
    ]
    buttons.append([letters_button("📄 " + t("Prepare the letters"), PREPARE, shown.case.id)])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def which_case(t: Translator, cases: list[Case]) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        [
            letters_button(
                f"{c.number} · {_short(str(c.answers.get('m_name', '')), 30)}", SHOW, c.id
            )
        ]
        for c in cases
    ]
    return t("Which case?"), InlineKeyboardMarkup(buttons)


# --- the questions before the letters ------------------------------------------------
def risk_question(t: Translator, case: Case) -> tuple[str, InlineKeyboardMarkup]:
    markup = InlineKeyboardMarkup(
        [[letters_button(t(label), RISK, case.id, code)] for code, label in RISK_CHOICES]
    )
    return risk_note(t, case), markup


def language_question(
    t: Translator, case: Case, languages: tuple[str, ...]
) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        "Letters to the bodies of your country can be written in "
        "the state language or in Russian. Which do you prefer?"
    )
    row = [
        letters_button(language_name(code, code).capitalize(), LANGUAGE, case.id, code)
        for code in languages
    ]
    return text, InlineKeyboardMarkup([row])


def iin_question(t: Translator, case: Case) -> tuple[str, InlineKeyboardMarkup]:
    text = t(
        "A letter to a Kazakh body must give your IIN (Administrative Procedural Code of "
        "Kazakhstan, article 63). Please send your IIN, 12 digits. If you have none, press "
        "the button."
    )
    return text, InlineKeyboardMarkup([[letters_button(t("I have no IIN"), NO_IIN, case.id)]])


def translation_question(
    t: Translator, case: Case, item: Needed
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask, in the chat's language, for one text in the letter's language."""
    language = language_name(item.language, t.locale)
    text = t(
        "A letter goes out in {language}, every word of it. This answer of yours is in "
        "another language ({what}):\n\n«{text}»\n\nPlease write it in {language}. Or leave "
        "the translation to the organisation: a caseworker writes it, and you get the "
        "letters that need it when it is done.",
        language=language,
        what=field_name(t, item.field),
        text=_short(item.original, 600),
    )
    # The text asked for is in the button: one under an earlier question is then known
    # as earlier, instead of leaving the text asked now to the organisation.
    asked = f"{item.field}.{item.language}"
    leave = letters_button(
        t("Leave it to the organisation"), LEAVE_TO_ORGANISATION, case.id, asked
    )
    return text, InlineKeyboardMarkup([[leave]])


def waiting_text(t: Translator, waiting: tuple[Addressee, ...]) -> str:
    return t(
        "The organisation writes the translations you left to it. These letters will "
        "be ready then, and the bot will tell you: {bodies}.",
        bodies="; ".join(a.name(t.locale) for a in waiting),
    )


def preparing_text(t: Translator, n: int) -> str:
    return t.ngettext("Preparing {n} letter…", "Preparing {n} letters…", n)


def all_ready_text(t: Translator) -> str:
    return t(
        "All letters are ready. Print each PDF and sign it by hand (or edit the DOCX first). "
        "Send each letter by registered post with a notice of delivery, or through the "
        "body's online reception, and keep the receipts: they prove the date. /letters "
        "shows the set again."
    )


# --- a made letter ----------------------------------------------------------------------
def letter_card(
    t: Translator, produced: Produced, i: int, total: int
) -> tuple[str, InlineKeyboardMarkup]:
    """What goes before a letter's files: the body, the language, where to send it."""
    return addressed_card(t, produced, [f"{i}/{total}. {produced.addressee.name(t.locale)}"])


def addressed_card(
    t: Translator, produced: Produced, heading: list[str]
) -> tuple[str, InlineKeyboardMarkup]:
    """The card under ``heading``: the language, the address (or where to find it), the
    online reception, and the button for the text of the body's online form. The chat's
    letters and the letters released after a caseworker's review share it."""
    addressee = produced.addressee
    lines = [
        *heading,
        t(
            "Language of the letter: {language}",
            language=language_name(produced.letter.language, t.locale),
        ),
    ]
    if addressee.address:
        lines.append(t("Postal address: {address}", address=addressee.address))
    else:
        lines.append(
            "⚠ "
            + t(
                "We do not have this office's postal address yet: take it from the "
                "office's official website, or send the letter through its online reception."
            )
        )
    if addressee.address and not addressee.verified:
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
    online = letters_button(t("Text for the online form"), ONLINE_TEXT, produced.row.id)
    return "\n".join(lines), InlineKeyboardMarkup([[online]])


async def send_produced(
    update: Update, context: Context, t: Translator, produced: Produced, i: int, total: int
) -> None:
    """A made letter in the chat: its card, then the PDF and the DOCX."""
    target = chat_id(update)
    assert target is not None
    await say(update, context, *letter_card(t, produced, i, total))
    await flush_replies()  # the files come after their description
    await context.bot.send_document(target, produced.pdf, filename=produced.pdf_name)
    await context.bot.send_document(target, produced.docx, filename=produced.docx_name)


def online_text_intro(t: Translator, online: OnlineText) -> str:
    if online.limit:
        return t.ngettext(
            "This body's online form accepts {limit} characters per message; the text fits "
            "in {n} part.",
            "This body's online form accepts {limit} characters per message; the text is "
            "split into {n} parts.",
            len(online.chunks),
            limit=t.number(online.limit),
        )
    return t(
        "The limit of this body's online form is not known; the text is split "
        "into messages. Copy it part by part."
    )
