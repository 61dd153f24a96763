"""Keyboards and their callback data.

Callback data are short ASCII codes (Telegram allows 64 bytes); answers and
navigation carry the step they belong to, so a button pressed on an old
message, or pressed twice, is recognised and cannot change another field.
"""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.domain import engine
from bot.domain import questions as q
from bot.domain.engine import Draft
from bot.domain.questions import Kind, Section
from bot.i18n import LANGUAGE_NAMES, LOCALES, Translator

# prefixes
ANSWER = "a"  # a:<step>:<code>
NAV = "n"  # n:<step>:back|skip|keep
EDIT = "e"  # e:<section>
PICK_LANGUAGE = "l"  # l:<locale>            (before consent)
CONSENT = "c"  # c:<locale>:y|n
DELETE = "d"  # d:y|n
MENU = "m"  # m:new|cases|help|resume


def button(text: str, *parts: object) -> InlineKeyboardButton:
    """An inline button whose callback data are the parts joined by ':'."""
    return InlineKeyboardButton(text, callback_data=":".join(str(p) for p in parts))


_button = button


def language_picker(selected: str | None, prefix: str = PICK_LANGUAGE) -> InlineKeyboardMarkup:
    row = []
    for loc in LOCALES:
        mark = "✓ " if loc == selected else ""
        row.append(_button(mark + LANGUAGE_NAMES[loc], prefix, loc))
    return InlineKeyboardMarkup([row])


def consent(t: Translator, locale: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(t("I agree"), CONSENT, locale, "y")],
        [_button(t("I do not agree"), CONSENT, locale, "n")],
    ])


def main_menu(t: Translator, has_draft: bool) -> InlineKeyboardMarkup:
    first = (_button(t("Continue my report"), MENU, "resume") if has_draft
             else _button(t("Report a missing person"), MENU, "new"))
    return InlineKeyboardMarkup([
        [first],
        [_button(t("My cases"), MENU, "cases"), _button(t("Help"), MENU, "help")],
    ])


def delete_confirm(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [_button(t("Yes, delete everything"), DELETE, "y")],
        [_button(t("No, keep my data"), DELETE, "n")],
    ])


def phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _nav_row(t: Translator, draft: Draft, *, skip: bool, keep: bool) -> list[InlineKeyboardButton]:
    row = []
    if draft.history:
        row.append(_button("⬅ " + t("Back"), NAV, draft.step, "back"))
    if keep:
        row.append(_button(t("Keep"), NAV, draft.step, "keep"))
    if skip:
        row.append(_button(t("Skip"), NAV, draft.step, "skip"))
    return row


def _choice_rows(t: Translator, step: str, choices: tuple[q.Choice, ...]) -> list[list[InlineKeyboardButton]]:
    buttons = [_button(t(c.label), ANSWER, step, c.code) for c in choices]
    # Short labels two to a row, long ones alone, so nothing is cut on a phone.
    rows: list[list[InlineKeyboardButton]] = []
    for b in buttons:
        if rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= 16 and len(b.text) <= 16:
            rows[-1].append(b)
        else:
            rows.append([b])
    return rows


def for_step(t: Translator, draft: Draft) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """The keyboard that goes with the current question."""
    step = draft.step
    if step == q.REVIEW:
        return review(t, draft)
    if step in q.SUB_STEPS:
        return _sub_step(t, draft)
    question = q.BY_KEY[step]
    if question.kind is Kind.PHONE:
        return phone_keyboard(t)
    rows: list[list[InlineKeyboardButton]] = []
    if question.kind is Kind.CHOICE:
        rows += _choice_rows(t, step, question.choices)
    elif question.kind is Kind.EVIDENCE:
        items = draft.answers.get("evidence") or []
        loop = [_button("✓ " + t("Done"), ANSWER, step, engine.DONE)]
        if items:
            loop.append(_button(t("Remove last"), ANSWER, step, engine.UNDO))
        rows.append(loop)
    elif question.kind is Kind.ACTIONS:
        rows += _choice_rows(t, step, question.choices)
        loop = [_button("✓ " + t("Done"), ANSWER, step, engine.DONE)]
        if draft.answers.get("actions"):
            loop.append(_button(t("Remove last"), ANSWER, step, engine.UNDO))
        rows.append(loop)
    is_loop = question.kind in (Kind.EVIDENCE, Kind.ACTIONS)
    nav = _nav_row(t, draft, skip=question.optional and not is_loop,
                   keep=step in draft.answers and not is_loop)
    if nav:
        rows.append(nav)
    return InlineKeyboardMarkup(rows) if rows else None


def _sub_step(t: Translator, draft: Draft) -> InlineKeyboardMarkup:
    step = draft.step
    rows: list[list[InlineKeyboardButton]] = []
    if step == q.ACTION_OUTCOME:
        rows += _choice_rows(t, step, q.ACTION_OUTCOMES)
    skippable = step in (q.EVIDENCE_DESC, q.ACTION_DATE, q.ACTION_REPLY)
    rows.append(_nav_row(t, draft, skip=skippable, keep=False))
    return InlineKeyboardMarkup(rows)


def review(t: Translator, draft: Draft) -> InlineKeyboardMarkup:
    rows = [[_button("✎ " + t(q.SECTION_TITLES[s]), EDIT, s.value)] for s in Section]
    rows.append([_button("✓ " + t("Confirm and create the case"), ANSWER, q.REVIEW, engine.CONFIRM)])
    if draft.history:
        rows.append([_button("⬅ " + t("Back"), NAV, q.REVIEW, "back")])
    return InlineKeyboardMarkup(rows)
