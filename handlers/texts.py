"""What the chat says: prompts, the review card, case cards, errors.

Only text is built here (plain text, no parse mode, so nothing a family types
can break the formatting); keyboards are in ``handlers.keyboards``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.domain import questions as q
from bot.domain.models import Case, CaseStatus
from bot.domain.questions import Kind, Section
from bot.domain.report_form import Draft
from bot.domain.validators import InvalidInput
from bot.i18n import N_, Translator
from bot.readable import action_text, clip, file_label, label, section_title, value_text
from bot.vocabulary import STATUS_NAMES

ERRORS: Mapping[str, str] = {
    "date_format": N_("I could not read this date. Write it like 18.03.2023 or 18 March 2023."),
    "date_impossible": N_(
        "There is no such date in the calendar. Please check the day and month."
    ),
    "date_future": N_("This date is in the future. Please give a date that has already passed."),
    "date_too_old": N_("This date is too long ago. Please check the year."),
    "date_before_birth": N_("This date is before the date of birth. Please check it."),
    "wrong_language": N_(
        "This text does not look like {language}. Please write it in "
        "{language}, or leave the translation to the organisation."
    ),
    "delivered_before_sent": N_(
        "The letter cannot arrive before it was sent ({date}). Please check the date."
    ),
    "birth_too_old": N_(
        "With this date of birth the person would be over {max_age} years old. "
        "Please check the year."
    ),
    "phone_invalid": N_(
        "This does not look like a phone number. Write it with the country code, "
        "for example +7 701 123 45 67, or press the button to share it."
    ),
    "iin_length": N_("An IIN has exactly 12 digits."),
    "iin_checksum": N_(
        "This IIN has a mistake: its last digit does not match. Please check it "
        "against the document."
    ),
    "pin_length": N_("A PIN has exactly 14 digits."),
    "pin_first_digit": N_("A Kyrgyz PIN starts with 1 or 2. Please check it."),
    "pin_date": N_(
        "Digits 2 to 9 of a Kyrgyz PIN are a date of birth, and these are not a real "
        "date. Please check it."
    ),
    "idnum_length": N_(
        "An IIN has 12 digits and a PIN has 14. Please check the number, or skip this question."
    ),
    "email_invalid": N_("This does not look like an e-mail address, for example name@mail.kz."),
    "text_empty": N_("The answer is empty. Please write it as text."),
    "text_too_long": N_(
        "This is too long: at most {max_len} characters here, and you sent "
        "{length}. Please make it shorter."
    ),
    "name_invalid": N_(
        "A name should contain letters only (hyphens and apostrophes are fine). "
        "Please write the full name."
    ),
    "latin_invalid": N_(
        "Please write the name in Latin letters, exactly as in the passport, "
        "for example ALIBEK KURMANGAZIULY."
    ),
    "passport_invalid": N_(
        "This does not look like a passport number. It has 6 to 12 letters "
        "and digits, for example N12345678."
    ),
    "use_buttons": N_("Please choose one of the buttons below."),
    "choose_one": N_("Tap at least one answer, then press Done."),
    "need_text": N_("Please answer with text. Stickers, locations and files cannot be used here."),
    "need_photo": N_("Please send a photo, or skip this question."),
    "need_file": N_(
        "Please send a file (photo, document, voice or video message), or press Done."
    ),
    "file_type": N_(
        "This kind of file cannot be accepted as evidence. Send photos, PDF or "
        "Word documents, screenshots, voice or video messages."
    ),
    "file_too_big": N_(
        "This file is larger than {max_mb} MB, the most a bot can receive. "
        "Please send a smaller file or a screenshot."
    ),
    "too_many_files": N_("You can add at most {max} files to one report."),
    "too_many_actions": N_("You can list at most {max} bodies."),
    "not_optional": N_("This question cannot be skipped."),
    "nothing_to_keep": N_("There is no earlier answer to keep."),
    "nothing_to_undo": N_("There is nothing to remove."),
    "at_start": N_("This is the first question."),
    "stale_button": N_("That button belongs to an earlier message. Here is the current question."),
    "region_not_found": N_(
        "No region of Russia, Kazakhstan or Kyrgyzstan matches this name. "
        "Please write the region or its main city differently."
    ),
}

SUB_PROMPTS: Mapping[str, str] = {
    q.EVIDENCE_DESC: N_(
        "Describe this file in a few words (what it shows, the date), or press Skip."
    ),
    q.ACTION_OTHER: N_("Which body was it? Write its name."),
    q.ACTION_DATE: N_(
        "When did you contact them? Write the date, or press Skip if you do not remember."
    ),
    q.ACTION_OUTCOME: N_("What was the result?"),
    q.ACTION_REPLY: N_("What did they answer? Write it briefly, or press Skip."),
}


def error(t: Translator, err: InvalidInput) -> str:
    message = ERRORS.get(err.code)
    if message is None:
        return t("Something in this answer is not right. Please try again.")
    return t(message, **err.params) if err.params else t(message)


def step_text(t: Translator, draft: Draft) -> str:
    """The question to show for the draft's current step."""
    if draft.step == q.REVIEW:
        return review_card(t, draft.answers)
    if draft.step in SUB_PROMPTS:
        return t(SUB_PROMPTS[draft.step])
    question = q.BY_KEY[draft.step]
    lines = [f"{t(q.SECTION_TITLES[question.section])} · {progress(t, draft)}", ""]
    pending = draft.pending if (draft.pending or {}).get("for") == draft.step else None
    if pending and pending.get("doubt"):
        lines += [doubt_text(t, pending), ""]
    lines.append(t(question.prompt))
    if question.hint:
        lines.append(t(question.hint))
    if pending and pending.get("matches"):
        lines += ["", t("Choose the region below, or write its name differently:")]
    if question.kind is Kind.EVIDENCE:
        lines += _evidence_lines(t, draft.answers)
    elif question.kind is Kind.ACTIONS:
        lines += _action_lines(t, draft.answers)
    elif draft.step in draft.answers:
        shown = value_text(t, question, draft.answers[draft.step])
        lines += ["", t("Current answer: {value}", value=clip(shown, 300))]
    if question.kind is Kind.PHONE:  # a reply keyboard has no room for Back or Keep
        if draft.step in draft.answers:
            extra = " " + t("To keep the current answer, send /skip.")
        else:
            extra = " " + t("To skip, send /skip.") if question.optional else ""
        lines += ["", t("To go back, send /back.") + extra]
    return "\n".join(lines)


def progress(t: Translator, draft: Draft) -> str:
    """ "question n of N", where N never changes during a report.

    A follow-up asked only after some answers (the other country, the names of those
    responsible) is numbered as part of the question it follows, so the total does not
    jump when it appears."""
    key = q.SUB_STEPS.get(draft.step, draft.step)
    position = 0
    for question in q.QUESTIONS:
        if question.condition is None:
            position += 1
        if question.key == key:
            break
    return t("question {n} of {total}", n=max(position, 1), total=TOTAL_QUESTIONS)


TOTAL_QUESTIONS = sum(1 for x in q.QUESTIONS if x.condition is None)

GENDER_WORDS = {c.code: c.label for c in q.GENDERS}


def doubt_text(t: Translator, pending: Mapping[str, Any]) -> str:
    """Why an answer was not stored yet, and what the family can do."""
    params = pending.get("params") or {}
    if pending.get("doubt") == "name_one_word":
        return t(
            "«{name}» is one word. Letters need the full name: surname, first name and "
            "patronymic if there is one. Write it in full, or press «This is the whole "
            "name» if this is all of it.",
            name=params.get("name", ""),
        )
    lines = [t("This number does not match the other answers:")]
    if params.get("born_in_number"):
        lines.append(
            "• "
            + t(
                "date of birth in the number: {encoded}; in the report: {given}",
                encoded=_day(t, params["born_in_number"]),
                given=_day(t, params["born_given"]),
            )
        )
    if params.get("gender_in_number"):
        lines.append(
            "• "
            + t(
                "gender in the number: {encoded}; in the report: {given}",
                encoded=t(GENDER_WORDS[params["gender_in_number"]]),
                given=t(GENDER_WORDS[params["gender_given"]]),
            )
        )
    lines.append(
        t(
            "The number may still be right (numbers given since 2013 need not match "
            "the birth date). Check it against the document: write it again if it "
            "was mistyped, or press «The number is correct». A wrong date or gender "
            "can be corrected from the review card."
        )
    )
    return "\n".join(lines)


def _day(t: Translator, iso: str) -> str:
    return t.date(date.fromisoformat(iso), "long")


def _evidence_lines(t: Translator, answers: Mapping[str, Any]) -> list[str]:
    items = answers.get("evidence") or []
    if not items:
        return []
    lines = ["", t("Files added: {n}", n=len(items))]
    for i, item in enumerate(items, 1):
        lines.append(f"{i}. {file_label(t, item)}")
    return lines


def _action_lines(t: Translator, answers: Mapping[str, Any]) -> list[str]:
    items = answers.get("actions") or []
    if not items:
        return []
    return ["", t("Already listed:")] + [
        f"{i}. {action_text(t, item)}" for i, item in enumerate(items, 1)
    ]


def answers_text(
    t: Translator, answers: Mapping[str, Any], *, full: bool = True, staff: bool = False
) -> str:
    """All answers by section; ``full`` adds the family's account and file list; ``staff``
    labels them for the organisation ("Applicant's full name", not "Your name")."""
    lines: list[str] = []
    for section in Section:
        lines += ["", f"▪ {section_title(t, section, staff=staff)}"]
        for question in q.QUESTIONS:
            if question.section != section or not question.applies(answers):
                continue
            value = answers.get(question.key)
            if question.kind is Kind.EVIDENCE:
                items = value or []
                lines.append(f"{label(t, question.key, staff=staff)}: {len(items)}")
                if full:
                    lines += [f"  {i}. {file_label(t, it)}" for i, it in enumerate(items, 1)]
                continue
            if question.kind is Kind.ACTIONS:
                items = value or []
                shown = str(len(items)) if items else "—"
                lines.append(f"{label(t, question.key, staff=staff)}: {shown}")
                lines += [f"  {i}. {action_text(t, it)}" for i, it in enumerate(items, 1)]
                continue
            shown = value_text(t, question, value)
            if question.key == "e_story" and not full:
                shown = clip(shown, 200)
            lines.append(f"{label(t, question.key, staff=staff)}: {shown}")
    return "\n".join(lines).strip()


def review_card(t: Translator, answers: Mapping[str, Any]) -> str:
    return "\n".join(
        [
            t("Please check everything before confirming. Use the buttons to correct a section."),
            "",
            answers_text(t, answers),
        ]
    )


def status_name(t: Translator, status: CaseStatus) -> str:
    return t(STATUS_NAMES[status])


def case_line(t: Translator, case: Case) -> str:
    name = case.answers.get("m_name", "")
    return t(
        "{number} · {name} · {status} · since {date}",
        number=case.number,
        name=name,
        status=status_name(t, case.status),
        date=t.date(case.created_at.date(), "medium"),
    )


def case_card(t: Translator, case: Case) -> str:
    head = [
        t("Case {number}", number=case.number),
        t("Status: {status}", status=status_name(t, case.status)),
        t("Reported on {date}", date=t.date(case.created_at.date(), "long")),
    ]
    return "\n".join(head) + "\n\n" + answers_text(t, case.answers)
