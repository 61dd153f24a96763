"""What the report shows: the language question and the current question with its
buttons. Plain data in, text and buttons out."""

from __future__ import annotations

from typing import Any

from bot.domain.report_form import Draft
from bot.i18n import LOCALES, Catalogs, Translator, pick_locale
from handlers import keyboards as kb
from handlers import texts


def language_question(catalogs: Catalogs, language_code: str | None) -> tuple[str, Any]:
    """ "Choose your language" in every language, the Telegram app's one pre-selected."""
    greeting = "\n".join(catalogs.get(loc)("Choose your language:") for loc in LOCALES)
    return greeting, kb.language_picker(pick_locale(language_code))


def step(t: Translator, draft: Draft) -> tuple[str, Any]:
    """The current question (or the review card) and its keyboard."""
    return texts.step_text(t, draft), kb.for_step(t, draft)
