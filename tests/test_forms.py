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


# --- the report's features, as options any form may declare ---------------------------
def _pets(*, keep_answers: bool = False, explain: bool = False) -> FormSpec:
    """A small form that is not the report, using what the report uses: sections and a
    review card, a doubt, keeping an earlier answer, a loop of items."""

    def one_word(value: object, data: object) -> InvalidInput | None:
        return InvalidInput("name_one_word", name=value) if " " not in str(value) else None

    return FormSpec(
        f"test_pets_{keep_answers}_{explain}",
        (
            Step("owner", StepKind.NAME, section="a", doubt=one_word),
            Step("nick", StepKind.TEXT, optional=True, section="a"),
            Step("kind", StepKind.CHOICE, choices=lambda: ("cat", "dog"), section="b"),
            Step(
                "visits",
                StepKind.ACTIONS,
                optional=True,
                choices=lambda: ("vet", "groomer"),
                field="body",
                item_max=2,
                section="c",
                sub_steps=(
                    Step("visit_on", StepKind.DATE, optional=True, field="date"),
                    Step(
                        "visit_note",
                        StepKind.TEXT,
                        optional=True,
                        field="note",
                        default="",
                        applies=lambda item: item.get("body") == "vet",
                    ),
                ),
            ),
        ),
        review=True,
        keep_answers=keep_answers,
        explain_refusals=explain,
    )


def test_a_doubted_answer_waits_for_accept_and_a_section_edit_returns_to_the_card() -> None:
    spec = _pets()
    form = forms.begin(spec, {})
    doubted = forms.apply(spec, form, TextInput("Asan"), TODAY)
    assert doubted.stay and forms.values(doubted.form) == {}
    assert forms.pending_of(doubted.form) == {
        "for": "owner",
        "value": "Asan",
        "doubt": "name_one_word",
        "params": {"name": "Asan"},
    }
    form = forms.apply(spec, doubted.form, ChoiceInput(forms.ACCEPT), TODAY).form
    assert form.step == "nick" and forms.pending_of(form) is None
    form = forms.skip(spec, form).form
    assert "nick" in form.data and form.data["nick"] is None  # Skip stores None here
    form = forms.apply(spec, form, ChoiceInput("cat"), TODAY).form
    form = forms.apply(spec, form, ChoiceInput(forms.DONE), TODAY).form
    assert form.step == forms.REVIEW  # the end of the steps is the card, not "done"
    form = forms.edit_section(spec, form, "a")
    assert form.step == "owner"
    form = forms.apply(spec, form, TextInput("Asan Asanov"), TODAY).form
    form = forms.apply(spec, form, TextInput("Tom"), TODAY).form
    assert form.step == forms.REVIEW and forms.RETURN_KEY not in form.data  # back at the card
    with pytest.raises(InvalidInput):
        forms.apply(spec, form, ChoiceInput("cat"), TODAY)
    assert forms.apply(spec, form, ChoiceInput(forms.CONFIRM), TODAY).done


def test_keep_answers_makes_skip_keep_and_clear_erase() -> None:
    spec = _pets(keep_answers=True)
    form = forms.begin(spec, {"owner": "Asan Asanov", "nick": "Tom"}, "nick")
    kept = forms.skip(spec, form).form
    assert kept.step == "kind" and kept.data["nick"] == "Tom"
    assert forms.keep(spec, form).form.data["nick"] == "Tom"
    cleared = forms.clear(spec, form).form
    assert cleared.step == "kind" and "nick" not in cleared.data
    empty = forms.skip(spec, forms.begin(spec, {"owner": "A B"}, "nick")).form
    assert empty.step == "kind" and "nick" not in empty.data  # skipped: stays unanswered
    with pytest.raises(InvalidInput):
        forms.skip(spec, forms.begin(spec, {}, "kind"))  # required and unanswered


def test_a_loop_collects_items_over_their_own_steps_and_leaves_no_trace_in_the_way_back() -> None:
    spec = _pets()
    form = forms.begin(spec, {"owner": "A B", "kind": "cat"}, "visits")
    form = forms.apply(spec, form, ChoiceInput("vet"), TODAY).form
    assert form.step == "visit_on" and forms.pending_of(form) == {"body": "vet"}
    form = forms.apply(spec, form, TextInput("20.11.2026"), TODAY).form
    assert form.step == "visit_note"
    assert forms.back(spec, form).step == "visit_on"  # within the item: the item stays
    assert forms.pending_of(forms.back(spec, form)) == {"body": "vet", "date": "2026-11-20"}
    form = forms.skip(spec, form).form
    assert form.step == "visits" and form.data["visits"] == [
        {"body": "vet", "date": "2026-11-20", "note": ""}
    ]
    form = forms.apply(spec, form, ChoiceInput("groomer"), TODAY).form
    form = forms.skip(spec, form).form  # no date; the note is not asked for a groomer
    assert form.data["visits"][-1] == {"body": "groomer", "date": None, "note": ""}
    assert forms.history_of(form) == []  # begun at the loop: nothing before it
    with pytest.raises(InvalidInput) as full:
        forms.apply(spec, form, ChoiceInput("vet"), TODAY)
    assert full.value.code == "too_many_actions"
    form = forms.apply(spec, form, ChoiceInput(forms.UNDO), TODAY).form
    assert len(form.data["visits"]) == 1
    assert forms.apply(spec, form, ChoiceInput(forms.DONE), TODAY).form.step == forms.REVIEW


def test_an_unknown_button_is_ignored_or_explained_as_the_form_declares() -> None:
    quiet, explained = _pets(), _pets(explain=True)
    with pytest.raises(UnknownChoice):
        forms.apply(quiet, forms.begin(quiet, {}, "kind"), ChoiceInput("horse"), TODAY)
    with pytest.raises(InvalidInput) as err:
        forms.apply(explained, forms.begin(explained, {}, "kind"), ChoiceInput("horse"), TODAY)
    assert err.value.code == "use_buttons"
    with pytest.raises(UnknownChoice):
        forms.apply(quiet, forms.begin(quiet, {}, "nick"), ChoiceInput(forms.ACCEPT), TODAY)
    with pytest.raises(InvalidInput) as stale:
        forms.apply(explained, forms.begin(explained, {}, "nick"), ChoiceInput("x"), TODAY)
    assert stale.value.code == "stale_button"
