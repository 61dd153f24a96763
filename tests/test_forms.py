"""The form engine on its own: steps as data, validation, going back, skipping."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import forms
from bot.domain.followup_forms import DELIVERY, REPLY, SEND
from bot.domain.forms import NEXT, FormSpec, Step, StepKind, UnknownChoice
from bot.domain.inputs import ChoiceInput, FileInput, OtherInput, TextInput
from bot.domain.validators import InvalidInput

TODAY = date(2026, 11, 21)


def test_a_form_is_answered_step_by_step_and_skips_what_does_not_apply() -> None:
    form = forms.begin(SEND, {"case_id": 1, "picked": []}, "pick")
    form = forms.apply(SEND, form, ChoiceInput("7"), TODAY).form
    assert form.step == "pick" and form.data["picked"] == [7]
    filled = forms.apply(SEND, form, ChoiceInput(NEXT), TODAY)
    assert filled.form.step == "date"
    filled = forms.apply(SEND, filled.form, TextInput("20.11.2026"), TODAY)
    assert filled.form.step == "channel" and filled.form.data["date"] == "2026-11-20"
    done = forms.apply(SEND, filled.form, ChoiceInput("post"), TODAY)
    assert done.done  # no tracking number is asked for ordinary post
    assert forms.values(done.form) == {
        "case_id": 1,
        "picked": [7],
        "pick": [7],
        "date": "2026-11-20",
        "channel": "post",
    }


def test_bad_input_is_refused_with_a_reason_and_changes_nothing() -> None:
    form = forms.begin(SEND, {"case_id": 1, "picked": [7]}, "date")
    with pytest.raises(InvalidInput) as future:
        forms.apply(SEND, form, TextInput("01.01.2027"), TODAY)
    assert future.value.code == "date_future"
    with pytest.raises(InvalidInput) as sticker:
        forms.apply(SEND, form, OtherInput("sticker"), TODAY)
    assert sticker.value.code == "need_text"
    with pytest.raises(UnknownChoice):  # a forged button
        forms.apply(SEND, form, ChoiceInput("9"), TODAY)
    moved = forms.apply(SEND, form, ChoiceInput("1"), TODAY).form  # "Yesterday"
    with pytest.raises(InvalidInput) as typed:
        forms.apply(SEND, moved, TextInput("by post"), TODAY)
    assert typed.value.code == "use_buttons"
    assert form.data == {"case_id": 1, "picked": [7], forms.BACK_KEY: []}


def test_a_delivery_before_the_sending_is_refused_naming_the_sending_date() -> None:
    form = forms.begin(DELIVERY, {"sent": "2026-11-10", "has_tracking": True})
    assert form.step == "delivered"
    with pytest.raises(InvalidInput) as err:
        forms.apply(DELIVERY, form, TextInput("09.11.2026"), TODAY)
    assert err.value.code == "delivered_before_sent" and err.value.params["date"] == "10.11.2026"
    assert forms.apply(DELIVERY, form, TextInput("12.11.2026"), TODAY).done


def test_back_returns_to_the_step_before_and_skip_only_where_optional() -> None:
    form = forms.begin(REPLY, {"case_id": 1, "letter_id": 2}, "outcome")
    with pytest.raises(InvalidInput) as at_start:
        forms.back(REPLY, form)
    assert at_start.value.code == "at_start"
    form = forms.apply(REPLY, form, ChoiceInput("forwarded"), TODAY).form
    form = forms.apply(REPLY, form, ChoiceInput("0"), TODAY).form
    assert form.step == "forward_to"
    back = forms.back(REPLY, form)
    assert back.step == "received" and back.data["received"] == "2026-11-21"
    with pytest.raises(InvalidInput):
        forms.skip(REPLY, back)
    skipped = forms.skip(REPLY, form)
    assert skipped.form.step == "file" and skipped.form.data["forward_to"] is None


def test_pasted_reply_text_answers_the_text_step_and_a_file_asks_for_it() -> None:
    form = forms.begin(REPLY, {"outcome": "answered"}, "file")
    pasted = forms.apply(REPLY, form, TextInput("Ответ на обращение " * 3), TODAY)
    assert pasted.done and pasted.form.data["file"] is None
    assert pasted.form.data["text"].startswith("Ответ на обращение")
    photo = FileInput("photo", "f1", "u1", "image/jpeg", 1000)
    read = forms.apply(REPLY, form, photo, TODAY).form
    assert read.step == "text" and read.data["file"]["file_id"] == "f1"
    with pytest.raises(UnknownChoice):  # nothing was read yet: nothing to keep
        forms.apply(REPLY, read, ChoiceInput(forms.KEEP), TODAY)
    kept = forms.apply(REPLY, forms.note(read, "read", "Текст"), ChoiceInput(forms.KEEP), TODAY)
    assert kept.done and kept.form.data["text"] == "Текст"
    with pytest.raises(InvalidInput) as voice:
        forms.apply(REPLY, form, FileInput("voice", "v", "v"), TODAY)
    assert voice.value.code == "need_photo"


def test_a_new_form_is_a_list_of_steps() -> None:
    spec = forms.register(
        FormSpec(
            "test_note",
            (Step("text", StepKind.TEXT, max_len=10), Step("when", StepKind.DATE, optional=True)),
        )
    )
    form = forms.begin(spec, {"case_id": 3})
    with pytest.raises(InvalidInput) as long:
        forms.apply(spec, form, TextInput("x" * 11), TODAY)
    assert long.value.code == "text_too_long"
    form = forms.apply(spec, form, TextInput("short"), TODAY).form
    assert forms.spec_of(form) is spec and forms.skip(spec, form).done


def _digits_only(text: str, data: object) -> str:
    if not text.isdigit():
        raise InvalidInput("digits_only")
    return text.zfill(4)


CHECKED = forms.register(
    FormSpec("checked_text", (Step("code", StepKind.TEXT, max_len=8, check=_digits_only),))
)


def test_a_text_step_applies_its_own_rule_and_stores_what_the_rule_returns() -> None:
    form = forms.begin(CHECKED, {})
    with pytest.raises(InvalidInput) as err:
        forms.apply(CHECKED, form, TextInput("12a"), TODAY)
    assert err.value.code == "digits_only"
    done = forms.apply(CHECKED, form, TextInput(" 42 "), TODAY)
    assert done.done and forms.values(done.form) == {"code": "0042"}
