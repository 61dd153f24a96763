"""The letters' two forms on their own (no database, no Telegram): the applicant's IIN
and a text in a letter's language, as the form engine runs them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import forms
from bot.domain.forms import UnknownChoice
from bot.domain.inputs import ChoiceInput, FileInput, OtherInput, TextInput
from bot.domain.letter_forms import IIN, LETTER_FORMS, TRANSLATE, TRANSLATION_MAX, digest
from bot.domain.validators import InvalidInput
from tests.support import make_iin

TODAY = date(2026, 11, 21)
ORIGINAL = "Ростов-на-Дону, общежитие на ул. Текучёва"
KAZAKH = "Ростов-на-Дону қаласы, Текучёв көшесіндегі жатақхана"
GOOD_IIN = make_iin("85010245012")
WRONG_CHECK_DIGIT = GOOD_IIN[:11] + str((int(GOOD_IIN[11]) + 1) % 10)


def _iin_form() -> forms.Form:
    return forms.begin(IIN, {"case_id": 7})


def _translation_form(language: str = "kk") -> forms.Form:
    data = {"case_id": 7, "field": "e_place", "language": language, "letter_id": None}
    return forms.begin(TRANSLATE, {**data, "original": digest(ORIGINAL)})


def _refusal(form: forms.Form, value: object) -> InvalidInput:
    spec = forms.spec_of(form)
    assert spec is not None
    with pytest.raises(InvalidInput) as refused:
        forms.apply(spec, form, value, TODAY)  # type: ignore[arg-type]
    return refused.value


def test_the_forms_are_known_to_the_engine_by_their_stored_names() -> None:
    # A form stored by an earlier version of the bot ("iin"/"translate", step "text")
    # finds its spec again after an upgrade or a restart.
    assert LETTER_FORMS == {"iin", "translate"}
    for spec in (IIN, TRANSLATE):
        assert forms.spec_of(forms.Form(spec.name, "text")) is spec


def test_an_iin_is_stored_as_its_twelve_digits() -> None:
    spaced = f" {GOOD_IIN[:6]} {GOOD_IIN[6:]} "
    filled = forms.apply(IIN, _iin_form(), TextInput(spaced), TODAY)
    assert filled.done and forms.values(filled.form) == {"case_id": 7, "text": GOOD_IIN}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("12345", "iin_length"),
        ("8501024501", "iin_length"),
        ("ИИН жоқ", "iin_length"),
        (WRONG_CHECK_DIGIT, "iin_checksum"),
        ("8" * 10_000, "iin_length"),  # cut to 100 characters, then refused
        ("١٢٣٤٥٦٧٨٩٠١٢", "iin_length"),  # digits of another script
    ],
)
def test_a_wrong_iin_is_refused_with_its_reason(typed: str, code: str) -> None:
    assert _refusal(_iin_form(), TextInput(typed)).code == code


def test_not_a_text_is_refused_and_an_unknown_button_ignored() -> None:
    form = _iin_form()
    assert _refusal(form, OtherInput("sticker")).code == "need_text"
    photo = FileInput("photo", "f1", "u1", "image/jpeg", 100)
    assert _refusal(form, photo).code == "need_text"
    with pytest.raises(UnknownChoice):
        forms.apply(IIN, form, ChoiceInput("next"), TODAY)


def test_skipping_means_none_and_back_is_the_first_question() -> None:
    for form in (_iin_form(), _translation_form()):
        spec = forms.spec_of(form)
        assert spec is not None
        skipped = forms.skip(spec, form)
        assert skipped.done and forms.values(skipped.form)["text"] is None
        with pytest.raises(InvalidInput) as back:
            forms.back(spec, form)
        assert back.value.code == "at_start"


def test_a_text_in_the_letters_language_is_taken() -> None:
    filled = forms.apply(TRANSLATE, _translation_form(), TextInput(f"  {KAZAKH} "), TODAY)
    assert filled.done and forms.values(filled.form)["text"] == KAZAKH


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("kk", "Общежитие в Ростове, на улице Текучёва"),
        ("ru", KAZAKH),
        ("ky", KAZAKH),
    ],
)
def test_a_text_in_another_language_is_refused_naming_the_letters(
    language: str, typed: str
) -> None:
    refused = _refusal(_translation_form(language), TextInput(typed))
    assert (refused.code, refused.params) == ("wrong_language", {"language": language})


def test_the_reports_own_text_sent_back_unchanged_is_taken() -> None:
    # It may be right as it is (a name, a place); the family knows best.
    filled = forms.apply(TRANSLATE, _translation_form(), TextInput(ORIGINAL), TODAY)
    assert forms.values(filled.form)["text"] == ORIGINAL
    # The form keeps a fingerprint of it, not a second copy of what the family wrote.
    assert ORIGINAL not in repr(_translation_form().data)


def test_an_overlong_or_empty_translation_is_refused_not_cut() -> None:
    form = _translation_form()
    long = _refusal(form, TextInput("ә" * 10_000))
    assert (long.code, long.params["max_len"]) == ("text_too_long", TRANSLATION_MAX)
    assert _refusal(form, TextInput(" \n\t ")).code == "text_empty"
