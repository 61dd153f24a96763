"""Keyboards and their callback data.

Callback data are short ASCII codes (Telegram allows 64 bytes); answers and
navigation carry the step they belong to, so a button pressed on an old
message, or pressed twice, is recognised and cannot change another field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import regions
from bot.domain import forms
from bot.domain import questions as q
from bot.domain.questions import Kind, Section
from bot.domain.report_form import Draft
from bot.i18n import LANGUAGE_NAMES, LOCALES, N_, Translator

# Prefixes, readable at a glance. A button of an older version of the bot (one letter:
# "a:", "n:"…) matches none of them and gets "This button no longer works."
ANSWER = "answer"  # answer:<step>:<code>
NAV = "nav"  # nav:<step>:back|skip|keep|clear
EDIT = "edit"  # edit:<section>
PICK_LANGUAGE = "lang"  # lang:<locale>            (before consent)
CONSENT = "consent"  # consent:<locale>:y|n
DELETE = "delete"  # delete:y|n
MENU = "menu"  # menu:new|cases|help|resume


class Key(NamedTuple):
    """A button of the keyboards below, as plain values."""

    text: str
    data: str  # callback data


def button(text: str, *parts: object) -> InlineKeyboardButton:
    """An inline button whose callback data are the parts joined by ':'."""
    return InlineKeyboardButton(text, callback_data=_data(parts))


def _data(parts: Sequence[object]) -> str:
    return ":".join(str(p) for p in parts)


def _key(text: str, *parts: object) -> Key:
    return Key(text, _data(parts))


# Every Telegram object is frozen once made, so a keyboard can be shared by every
# message that shows it: each distinct one is made once (its buttons cost more than the
# rest of handling an answer). The report's keyboards hold only translated labels and step
# codes, never anything a family typed.
Keyboard = InlineKeyboardMarkup


@lru_cache(maxsize=1024)
def _keyboard(rows: tuple[tuple[Key, ...], ...]) -> Keyboard:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def keyboard(rows: Sequence[Sequence[Key]]) -> Keyboard:
    """The keyboard of these rows of buttons, made once for the life of the process."""
    return _keyboard(tuple(tuple(row) for row in rows))


def language_picker(selected: str | None, prefix: str = PICK_LANGUAGE) -> Keyboard:
    return keyboard(
        [
            [
                _key(("✓ " if loc == selected else "") + LANGUAGE_NAMES[loc], prefix, loc)
                for loc in LOCALES
            ]
        ]
    )


def consent(t: Translator, locale: str) -> Keyboard:
    return keyboard(
        [
            [_key(t("I agree"), CONSENT, locale, "y")],
            [_key(t("I do not agree"), CONSENT, locale, "n")],
        ]
    )


def main_menu(t: Translator, has_draft: bool) -> Keyboard:
    first = (
        _key(t("Continue my report"), MENU, "resume")
        if has_draft
        else _key(t("Report a missing person"), MENU, "new")
    )
    return keyboard(
        [
            [first],
            [_key(t("My cases"), MENU, "cases"), _key(t("Help"), MENU, "help")],
        ]
    )


def delete_confirm(t: Translator) -> Keyboard:
    return keyboard(
        [
            [_key(t("Yes, delete everything"), DELETE, "y")],
            [_key(t("No, keep my data"), DELETE, "n")],
        ]
    )


def phone_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(t("Share my phone number"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _nav_row(
    t: Translator, draft: Draft, *, skip: bool, keep: bool, skip_label: str | None = None
) -> list[Key]:
    """Back, then Keep for an answered question, else Skip for an optional one.

    An answered optional question offers "Clear" instead of "Skip": skipping must never
    be the way an answer is lost."""
    row = []
    if draft.history:
        row.append(_key("⬅ " + t("Back"), NAV, draft.step, "back"))
    if keep:
        row.append(_key(t("Keep"), NAV, draft.step, "keep"))
        if skip:
            row.append(_key(t("Clear the answer"), NAV, draft.step, "clear"))
    elif skip:
        row.append(_key(t(skip_label) if skip_label else t("Skip"), NAV, draft.step, "skip"))
    return row


# Label of the button that keeps a doubted answer, by the doubt's code.
ACCEPT_LABELS = {
    "name_one_word": N_("This is the whole name"),
    "id_mismatch": N_("The number is correct"),
}


def _pending_rows(t: Translator, draft: Draft) -> list[list[Key]]:
    """Buttons for what the last answer left to decide: a region match or a doubt."""
    pending = draft.pending or {}
    if pending.get("for") != draft.step:
        return []
    rows = [
        [_key(regions.name(code, t.locale), ANSWER, draft.step, code)]
        for code in pending.get("matches", ())
    ]
    label = ACCEPT_LABELS.get(str(pending.get("doubt")))
    if label:
        rows.append([_key("✓ " + t(label), ANSWER, draft.step, forms.ACCEPT)])
    return rows


def _choice_rows(t: Translator, step: str, choices: tuple[q.Choice, ...]) -> list[list[Key]]:
    buttons = [_key(t(c.label), ANSWER, step, c.code) for c in choices]
    # Short labels two to a row, long ones alone, so nothing is cut on a phone.
    rows: list[list[Key]] = []
    for b in buttons:
        if rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= 16 and len(b.text) <= 16:
            rows[-1].append(b)
        else:
            rows.append([b])
    return rows


def for_step(t: Translator, draft: Draft) -> Keyboard | ReplyKeyboardMarkup | None:
    """The keyboard that goes with the current question."""
    step = draft.step
    if step == q.REVIEW:
        return review(t, draft)
    if step in q.SUB_STEPS:
        return _sub_step(t, draft)
    question = q.BY_KEY[step]
    if question.kind is Kind.PHONE:
        return phone_keyboard(t)
    rows: list[list[Key]] = _pending_rows(t, draft)
    if question.kind is Kind.CHOICE:
        rows += _choice_rows(t, step, question.choices)
    elif question.kind is Kind.MULTI:
        picked = set(forms.chosen(draft.answers.get(step)))
        rows += [
            [_key(("☑ " if c.code in picked else "☐ ") + t(c.label), ANSWER, step, c.code)]
            for c in question.choices
        ]
        if picked:
            rows.append([_key("✓ " + t("Done"), ANSWER, step, forms.DONE)])
    elif question.kind is Kind.EVIDENCE:
        items = draft.answers.get("evidence") or []
        loop = [_key("✓ " + t("Done"), ANSWER, step, forms.DONE)]
        if items:
            loop.append(_key(t("Remove last"), ANSWER, step, forms.UNDO))
        rows.append(loop)
    elif question.kind is Kind.ACTIONS:
        rows += _choice_rows(t, step, question.choices)
        loop = [_key("✓ " + t("Done"), ANSWER, step, forms.DONE)]
        if draft.answers.get("actions"):
            loop.append(_key(t("Remove last"), ANSWER, step, forms.UNDO))
        rows.append(loop)
    is_loop = question.kind in (Kind.EVIDENCE, Kind.ACTIONS, Kind.MULTI)
    nav = _nav_row(
        t,
        draft,
        skip=question.optional and not is_loop,
        keep=step in draft.answers and not is_loop,
        skip_label=question.skip_label,
    )
    if nav:
        rows.append(nav)
    return keyboard(rows) if rows else None


def _sub_step(t: Translator, draft: Draft) -> Keyboard:
    step = draft.step
    rows: list[list[Key]] = []
    if step == q.ACTION_OUTCOME:
        rows += _choice_rows(t, step, q.ACTION_OUTCOMES)
    skippable = step in (q.EVIDENCE_DESC, q.ACTION_DATE, q.ACTION_REPLY)
    rows.append(_nav_row(t, draft, skip=skippable, keep=False))
    return keyboard(rows)


def review(t: Translator, draft: Draft) -> Keyboard:
    rows = [[_key("✎ " + t(q.SECTION_TITLES[s]), EDIT, s.value)] for s in Section]
    confirm = "✓ " + t("Confirm and create the case")
    rows.append([_key(confirm, ANSWER, q.REVIEW, forms.CONFIRM)])
    if draft.history:
        rows.append([_key("⬅ " + t("Back"), NAV, q.REVIEW, "back")])
    return keyboard(rows)
