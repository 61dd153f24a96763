"""The international route in the chat's words: the "ready for the UN" checklist, the CED
note, where a submission goes, the consent and staff buttons. Plain data from
``bot.services.un`` in, text and buttons out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import Services
from bot.domain.models import Case
from bot.domain.validators import InvalidInput
from bot.i18n import N_, Translator
from bot.services import un as un_actions
from bot.services.un import UN_SUBMITTED, Overview, StaffPage
from bot.un import procedures, translation
from bot.un.checklist import TITLES
from bot.un.submission import NotReady
from handlers import texts
from handlers.keyboards import button
from handlers.views.notices import says

# Callback data of the UN route's buttons: un:<action>:<case id>[:<value>] (64 bytes at
# most: the longest, un:translate:<16 digits>:<answer key>, has about 45).
PREFIX = "un"
# The actions (``bot.services.un``): the family's checklist; consent: the submission
# may name the family (1) or not (0), the organisation submits (1) or the family itself
# (0); the case's UN page for staff; the English text of one answer (its key); make the
# submission; mark the case as submitted.
FAMILY, NAME, BEHALF = un_actions.FAMILY, un_actions.NAME, un_actions.BEHALF
STAFF, TRANSLATE = un_actions.STAFF, un_actions.TRANSLATE
PRODUCE, MARK = un_actions.PRODUCE, un_actions.MARK

UN_INTRO = N_(
    "When national bodies give form replies or do not answer, the UN Working Group on "
    "Enforced or Involuntary Disappearances (WGEID) can ask the State about the person. It "
    "does not require that every national remedy was tried first, and it keeps the names "
    "of those who submit a case confidential."
)
CED_GENERAL = N_(
    "The UN Committee on Enforced Disappearances (CED) takes urgent requests only about a "
    "disappearance in a State that has joined the Convention against enforced "
    "disappearance, or of a citizen of such a State, and only if it began after the "
    "Convention took effect for that State. Source: {source}"
)
CED_STATE = {
    (True, "KZ"): N_(
        "Kazakhstan has joined the Convention (in force since {date}), so a CED urgent request "
        "about a citizen of Kazakhstan can be addressed to Kazakhstan, asking it to search for "
        "him or her. Whether it fits this case a lawyer should check. Source: {source}"
    ),
    (False, "RU"): N_(
        "Russia has, as far as we know, not joined the Convention, so CED cannot act against "
        "Russia. Source: {source}"
    ),
}
CED_UNKNOWN = N_(
    "Whether {country} has joined the Convention has not been checked, so do not count on a "
    "CED urgent request before a lawyer checks it. Where to check: {source}"
)
UNVERIFIED = N_("not verified")
YOUR_CHOICES = N_(
    "Your choices: the submission may name you: {named}; the organisation submits "
    "it on your behalf: {behalf}."
)
FAMILY_CHOICES = N_(
    "The family's choices: the submission may name them: {named}; the "
    "organisation submits it on their behalf: {behalf}."
)
COUNTRY_NAMES = {"KZ": N_("Kazakhstan"), "KG": N_("Kyrgyzstan"), "RU": N_("Russia")}


def un_button(text: str, action: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, action, *parts)


def _yes_no(t: Translator, value: bool | None) -> str:
    return t("not answered yet") if value is None else (t("yes") if value else t("no"))


def checklist_text(t: Translator, case: Case, view: Overview, family: bool = True) -> str:
    """The checklist in the reader's language: what is there, what is missing and from where."""
    checklist = view.checklist
    lines = [t("Ready for the UN? Case {number}", number=case.number), "", t(UN_INTRO), ""]
    for element in checklist.elements:
        if element.present:
            lines.append("✅ " + t(element.title))
            continue
        sources = ", ".join(f"«{t(s)}»" for s in element.supplied_by)
        lines.append(
            "❌ " + t(element.title) + "\n   " + t("Supplied by: {sources}", sources=sources)
        )
    lines += ["", window_text(t, view)]
    if checklist.use_now:
        lines.append(t("The UN route can be used now."))
    else:
        lines.append(
            t(
                "Use it after national bodies have been contacted, or at once if the "
                "person is believed to be held by the State while the urgent window "
                "is open."
            )
        )
    choices = YOUR_CHOICES if family else FAMILY_CHOICES
    lines += [
        "",
        t(
            choices,
            named=_yes_no(t, view.consent.may_name),
            behalf=_yes_no(t, view.consent.on_behalf),
        ),
    ]
    return "\n".join(lines)


def window_text(t: Translator, view: Overview) -> str:
    window = view.checklist.urgent
    if window.closes is None:
        return t(
            "The three-month urgent window cannot be worked out: the date of the last "
            "contact is missing."
        )
    if window.open:
        return "⏰ " + t(
            "The three-month urgent window is open until {date}: the Working Group "
            "then sends the case to the State within one or two days.",
            date=t.date(window.closes, "long"),
        )
    return t(
        "The three-month urgent window closed on {date}; the case can still go under the "
        "standard procedure.",
        date=t.date(window.closes, "long"),
    )


def _sourced(t: Translator, fact: procedures.Fact, mark: bool = True) -> str:
    """The source, marked when the fact was not read on an official page."""
    return fact.source + ("" if fact.verified or not mark else f" (⚠ {t(UNVERIFIED)})")


def ced_text(t: Translator, view: Overview) -> str:
    """When CED urgent action is available for this case and when it is not, with sources."""
    lines = [t(CED_GENERAL, source=_sourced(t, procedures.ced_urgent_action()))]
    status = view.ced
    template = (
        CED_STATE.get((bool(status.party), status.state)) if status.party is not None else None
    )
    if template is not None:
        when = t.date(status.in_force, "long") if status.in_force else ""
        lines.append(t(template, date=when, source=_sourced(t, status.fact)))
    else:
        name = COUNTRY_NAMES.get(status.state)
        lines.append(
            t(
                CED_UNKNOWN,
                country=t(name) if name else t("the person's country"),
                source=_sourced(t, status.fact, mark=False),
            )
        )
    russia = procedures.ced_status("RU")
    if status.state != "RU":
        lines.append(t(CED_STATE[(False, "RU")], source=_sourced(t, russia.fact)))
    return "\n\n".join(lines)


def procedure_text(t: Translator) -> str:
    email = procedures.wgeid("email")
    address = procedures.wgeid("postal_address")
    return "\n".join(
        [
            t("Where it goes: {email}; {address}", email=email.value, address=address.value),
            t("Source of the address: {source}", source=_sourced(t, address)),
            t(
                "Source of the procedure: {source}",
                source=_sourced(t, procedures.wgeid("procedure")),
            ),
        ]
    )


def family_buttons(t: Translator, case: Case, view: Overview) -> InlineKeyboardMarkup:
    """The family's two consent questions, the current answers ticked."""
    consent = view.consent
    return InlineKeyboardMarkup(
        [
            [
                un_button(
                    ("✓ " if consent.may_name else "") + t("You may name me"), NAME, case.id, 1
                ),
                un_button(
                    ("✓ " if consent.may_name is False else "") + t("Keep my name out"),
                    NAME,
                    case.id,
                    0,
                ),
            ],
            [
                un_button(
                    ("✓ " if consent.on_behalf else "") + t("The organisation submits for us"),
                    BEHALF,
                    case.id,
                    1,
                ),
                un_button(
                    ("✓ " if consent.on_behalf is False else "") + t("We submit ourselves"),
                    BEHALF,
                    case.id,
                    0,
                ),
            ],
        ]
    )


def staff_text(t: Translator, case: Case, page: StaffPage) -> str:
    """The checklist for staff, the texts to translate, the organisation and the address."""
    view = page.overview
    parts = [checklist_text(t, case, view, family=False)]
    pending = {p.key for p in view.untranslated}
    if page.texts:
        parts.append(
            "\n".join(
                [t("Texts of the family to translate into English:")]
                + [("❌ " if p.key in pending else "✅ ") + t(p.label) for p in page.texts]
            )
        )
    if not view.organisation_known:
        parts.append(
            t(
                "The organisation's name and contact are not set "
                "(IZDEU_ORGANISATION_NAME, IZDEU_ORGANISATION_CONTACT)."
            )
        )
    if view.record.submitted_on:
        parts.append(
            "✔ "
            + t(
                "Submitted to the UN on {date}, reference {reference}.",
                date=t.date(view.record.submitted_on, "long"),
                reference=view.record.reference or "—",
            )
        )
    parts.append(procedure_text(t))
    return "\n\n".join(parts)


def staff_buttons(
    t: Translator, case: Case, page: StaffPage, manager: bool
) -> InlineKeyboardMarkup:
    """A button per text to translate; making and marking the submission for managers."""
    pending = {p.key for p in page.overview.untranslated}
    buttons = [
        [
            un_button(
                ("❌ " if p.key in pending else "✅ ") + t("Translate: {field}", field=t(p.label)),
                TRANSLATE,
                case.id,
                p.key,
            )
        ]
        for p in page.texts
    ]
    if manager:
        buttons.append([un_button(t("Make the submission (PDF, DOCX)"), PRODUCE, case.id)])
        buttons.append([un_button(t("Mark as submitted to the UN"), MARK, case.id)])
    return InlineKeyboardMarkup(buttons)


def not_ready_text(t: Translator, case: Case, err: NotReady) -> str:
    """What the submission still lacks: elements of the checklist, English texts."""
    missing = [t(TITLES[code]) for code in err.elements]
    labels = {p.key: t(p.label) for p in translation.texts_to_translate(case.answers)}
    missing += [t("English translation of «{field}»", field=labels.get(k, k)) for k in err.texts]
    return (
        t("The submission cannot be made yet. Missing:")
        + "\n"
        + "\n".join("• " + m for m in missing)
    )


def summary_text(t: Translator, view: Overview) -> str:
    """The UN checklist in short, for the caseworker's dossier."""
    elements = view.checklist.elements
    lines = [
        t(
            "UN (WGEID): {present} of {total} required elements.",
            present=sum(e.present for e in elements),
            total=len(elements),
        )
    ]
    lines += ["❌ " + t(e.title) for e in view.checklist.missing]
    lines.append(window_text(t, view))
    if view.record.submitted_on:
        lines.append(
            "✔ "
            + t(
                "Submitted to the UN on {date}, reference {reference}.",
                date=t.date(view.record.submitted_on, "long"),
                reference=view.record.reference or "—",
            )
        )
    return "\n".join(lines)


# --- the staff forms: their questions and why a text was refused -----------------------
def ask_submission_date_text(t: Translator, case: Case) -> str:
    return t(
        "On what date was case {number} sent to the UN? For example 18.03.2026.",
        number=case.number,
    )


def ask_reference_text(t: Translator) -> str:
    return t("The reference the Working Group gave, if any (send - if there is none yet):")


def form_error_text(t: Translator, err: InvalidInput) -> str:
    """Why a translation, a date or a reference was refused (the form stays at its step)."""
    if err.code == "translation_required":
        return t(
            "This text is needed in the submission; it cannot be left "
            "out. Write its English translation."
        )
    return texts.error(t, err)


def submitted_text(t: Translator, number: str, on: date) -> str:
    """The family's notice that its case went to the Working Group."""
    return t(
        "Your case {number} was submitted to the UN Working Group on Enforced or "
        "Involuntary Disappearances on {date}.",
        number=number,
        date=t.date(on, "long"),
    )


@says(UN_SUBMITTED)
def submitted_notice(t: Translator, _s: Services, values: dict[str, Any]) -> str:
    return submitted_text(t, str(values["case_number"]), date.fromisoformat(str(values["on"])))
