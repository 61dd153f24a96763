"""The international route without Telegram: checklist, urgent window, CED facts, and the
WGEID submission rendered for every sample case and read back from its PDF and DOCX."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from bot.domain.deadlines import next_step
from bot.domain.models import Report
from bot.letters.sample import sample_reports
from bot.un import ladder, procedures, translation
from bot.un.checklist import Consent, SentLetter, add_months, build, state_link, what_codes
from bot.un.submission import (
    NotReady,
    Organisation,
    SubmissionInput,
    make_submission,
    render_submission,
)

TODAY = date(2025, 4, 20)
ORG = Organisation("Izdeu Support Foundation", "Almaty, Abay ave. 1; help@example.org")
CONSENT = Consent(may_name=True, on_behalf=True, given_at=date(2025, 4, 19))
ENGLISH = {
    "m_cit_other": "Tajikistan",
    "e_place": "Moscow region, Sakharovo detention centre",
    "e_story": "He phoned on 5 March and said the police had detained him.",
    "e_resp_text": "a recruiter called Ruslan, phone +7 900 000-00-00",
    "e_unit": "military unit 00000, Rostov region",
}
LETTERS = (
    SentLetter(
        "embassy_kz",
        "consular_request",
        date(2025, 3, 20),
        "ЖТ-2025-0042",
        date(2025, 4, 10),
        ((date(2025, 4, 8), "form"),),
    ),
    SentLetter(
        "prosecutor_general", "prosecutor_request", date(2025, 3, 21), "", date(2025, 4, 20), ()
    ),
)


def answers_of(report: Report) -> dict[str, Any]:
    """The stored answers a report was made from (the reverse of Report.from_answers)."""
    a: dict[str, Any] = {
        "r_name": report.reporter_name,
        "r_rel": report.reporter_relation,
        "r_gender": report.reporter_gender,
        "r_phone": report.reporter_phone,
        "r_addr": report.reporter_address,
        "r_email": report.reporter_email,
        "r_id": report.reporter_id_number,
        "m_name": report.missing_name,
        "m_latin": report.missing_name_latin,
        "m_gender": report.missing_gender,
        "m_cit": report.citizenship,
        "m_cit_other": report.citizenship_other,
        "m_id": report.missing_id_number,
        "m_passport": report.missing_passport,
        "e_how": report.last_contact_how,
        "e_place": report.last_place,
        "e_what": report.what_happened,
        "e_story": report.story,
        "e_resp": report.responsible,
        "e_resp_text": report.responsible_text,
        "e_unit": report.unit,
        "e_contract": report.contract,
        "e_renounced": report.renounced,
        "m_birth": report.missing_birth_date.isoformat() if report.missing_birth_date else None,
        "e_date": report.last_contact_date.isoformat() if report.last_contact_date else None,
        "evidence": [{"kind": e.kind, "file_id": e.file_id} for e in report.evidence],
        "actions": [
            {
                "body": x.body,
                "date": x.on.isoformat() if x.on else None,
                "outcome": x.outcome,
                "reply": x.reply,
            }
            for x in report.actions
        ],
    }
    if report.missing_photo:
        a["m_photo"] = {"kind": "photo", "file_id": "p"}
    return a


def ready(name: str, **changes: Any) -> SubmissionInput:
    """A sample case completed the way a caseworker would: identity, dates, translations."""
    answers = answers_of(sample_reports()[name])
    answers.setdefault("m_id", "")
    if not answers["m_id"] and not answers["m_passport"]:
        answers["m_passport"] = "N7654321"
    answers["e_date"] = "2025-03-05"
    if answers["e_resp"] not in ("police", "unit"):
        answers["e_what"] = ["force", "migration"]  # the multiple-choice form of e_what
    fields = {
        "case_number": "KZ-2025-0007",
        "answers": answers,
        "letters": LETTERS,
        "consent": CONSENT,
        "translations": {
            p.key: ENGLISH.get(p.key, "English text")
            for p in translation.texts_to_translate(answers)
        },
        "organisation": ORG,
        "family_locale": "kk",
        "today": TODAY,
        "body_kinds": {},
    }
    fields.update(changes)
    return SubmissionInput(**fields)


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in pages))


def docx_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs))


CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{3,}")


@pytest.mark.parametrize("name", sorted(sample_reports()))
def test_submission_of_every_sample_carries_every_required_element(name: str) -> None:
    data = ready(name)
    letter, pdf, docx = make_submission(data)
    a = data.answers
    for text in (pdf_text(pdf), docx_text(docx), re.sub(r"\s+", " ", letter.text)):
        # identity with an identity document
        assert a["m_name"] in text
        assert (a["m_id"] and a["m_id"] in text) or a["m_passport"] in text
        # date and place
        assert "5 March 2025" in text
        assert translation.english(data.translations, "e_place") in text
        # who is believed responsible and the link to the State
        assert "Believed responsible:" in text and "Link to the State:" in text
        assert "not yet established" not in text
        # national steps, their dates, registration numbers and replies; form replies flagged
        assert "Embassy of Kazakhstan in the Russian Federation" in text
        assert "20 March 2025" in text and "ЖТ-2025-0042" in text
        assert "FORM REPLY" in text
        assert "No reply by the legal deadline" not in text  # the 20 April term is today
        # the author and the consent
        assert ORG.name in text and "with the family's consent given on 19 April 2025" in text
        assert a["r_name"] in text
        # urgent procedure: 5 March + 3 months is still open on 20 April
        assert "Urgent procedure" in text and "under its urgent procedure" in text
        # the address, with its uncertainty shown
        assert procedures.wgeid("email").value in text
        assert "secondary source" in text
        # nothing the family wrote in its own words, untranslated
        for key in translation.FIELDS:
            original = str(a.get(key) or "")
            if original and CYRILLIC.search(original):
                assert original not in text.replace(a["r_addr"], ""), key
    # The only Cyrillic left: names, identity and registration numbers, contacts.
    allowed = (
        " ".join(str(a.get(k) or "") for k in ("m_name", "r_name", "r_addr")) + " ЖТ-2025-0042"
    )
    for word in CYRILLIC.findall(re.sub(r"\s+", " ", letter.text)):
        assert word in allowed, word


def test_withheld_name_and_family_as_author() -> None:
    hidden = render_submission(ready("kz_male", consent=Consent(False, True, date(2025, 4, 1))))
    assert "withheld at the family's request" in hidden.text
    assert "Сейітова" not in hidden.text
    own = render_submission(
        ready(
            "kz_male",
            consent=Consent(True, False, date(2025, 4, 1)),
            organisation=Organisation("", ""),
        )
    )
    assert "Submitted by the relative, Сейітова Зуһра Әбілқызы" in own.text
    assert "on behalf of the family" not in own.text


def test_no_submission_with_untranslated_text_or_missing_elements() -> None:
    data = ready("kz_male")
    untranslated = dict(data.translations)
    del untranslated["e_story"]
    with pytest.raises(NotReady) as err:
        render_submission(replace(data, translations=untranslated))
    assert err.value.texts == ("e_story",)
    no_id = dict(data.answers, m_id="", m_passport="")
    with pytest.raises(NotReady) as err:
        render_submission(replace(data, answers=no_id))
    assert err.value.elements == ("identity",)
    with pytest.raises(NotReady) as err:
        render_submission(replace(data, consent=Consent(False, False, None)))
    assert set(err.value.elements) == {"author", "consent"}


def test_optional_text_left_out_but_not_the_place() -> None:
    data = ready("kz_male")
    left_out = dict(data.translations, e_story=translation.clean(" - "))
    text = render_submission(replace(data, translations=left_out)).text
    assert "The family's account" not in text
    with pytest.raises(NotReady):
        render_submission(replace(data, translations=dict(data.translations, e_place="")))


def test_checklist_says_what_is_missing_and_what_supplies_it() -> None:
    answers = {
        "m_name": "X",
        "e_date": "2025-03-05",
        "e_resp": "pmc",
        "e_what": "work",
        "r_name": "Y",
        "r_phone": "+77011234567",
    }
    checklist = build(answers, (), Consent(None, None), today=TODAY, organisation_known=True)
    missing = {e.code: e.supplied_by for e in checklist.missing}
    assert set(missing) == {
        "identity",
        "when_where",
        "responsible",
        "national_steps",
        "consent",
        "author",
    }
    assert missing["identity"] == ("Name", "IIN/PIN", "Passport")
    assert "/letters" in missing["national_steps"][0]
    assert "/un" in missing["consent"][0]
    assert checklist.state_link == "unclear" and not checklist.held_by_state
    assert checklist.urgent.open and checklist.urgent.closes == date(2025, 6, 5)
    assert not checklist.use_now  # nothing sent, not held by the State


def test_urgent_window_and_when_to_use_it() -> None:
    answers = {"e_date": "2025-01-31", "e_resp": "police"}
    held = build(
        answers, (), Consent(None, None), today=date(2025, 4, 30), organisation_known=False
    )
    assert held.urgent.closes == date(2025, 4, 30) and held.urgent.open
    assert held.held_by_state and held.use_now and ladder.offer_at_once(held)
    late = build(
        answers, (), Consent(None, None), today=date(2025, 5, 1), organisation_known=False
    )
    assert not late.urgent.open and not late.use_now and not ladder.offer_at_once(late)
    sent = build(
        answers, LETTERS, Consent(None, None), today=date(2025, 5, 1), organisation_known=False
    )
    assert sent.use_now  # national bodies contacted: usable whatever the window
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_e_what_and_region_tolerated_in_both_shapes() -> None:
    assert what_codes({"e_what": "prison"}) == ("prison",)
    assert what_codes({"e_what": ["work", "migration"]}) == ("work", "migration")
    assert what_codes({}) == ()
    assert state_link({"e_resp": "pmc", "e_what": ["work", "prison"]}) == "institution"
    data = ready("kg_male")
    answers = dict(data.answers, e_region="RU-ROS", e_taken_region="KG-B")
    text = render_submission(replace(data, answers=answers)).text
    assert "region code RU-ROS" in text and "Government of Kyrgyzstan" in text
    # A region picked from the list and no free-text place: nothing to translate for it.
    answers = {k: v for k, v in data.answers.items() if k != "e_place"}
    answers["e_region"] = "RU-SPE"
    translations = {k: v for k, v in data.translations.items() if k != "e_place"}
    text = render_submission(replace(data, answers=answers, translations=translations)).text
    assert "last seen: see the region code (region code RU-SPE)" in text


def test_the_ladder_offers_the_working_group_at_the_right_step() -> None:
    assert ladder.offer_after(next_step("embassy_kz", "form_reply", 0))
    assert ladder.offer_after(next_step("investigative_committee", "refusal", 0))
    assert not ladder.offer_after(next_step("embassy_kz", "silence", 0))  # repeat first
    assert next_step("ombudsman_kz", "silence", 1) is None
    assert ladder.offer_after(None)  # nothing further in the national ladder


def test_every_fact_has_a_source_and_a_mark() -> None:
    data = json.loads(procedures.DATA_FILE.read_text(encoding="utf-8"))
    for name in data["wgeid"]:
        if name != "name":
            assert procedures.wgeid(name).source
    assert procedures.wgeid("procedure").verified
    assert procedures.ced_urgent_action().verified
    kz = procedures.ced_status("KZ")
    assert kz.party is True and kz.in_force == date(2010, 12, 23) and kz.fact.verified
    assert not procedures.ced_status("RU").fact.verified  # shown as unverified
    assert procedures.ced_status("KG").party is None
    assert procedures.ced_status("other").party is None


async def test_the_retention_purge_drops_translations_and_keeps_the_count(tmp_path) -> None:
    from datetime import timedelta

    from bot.domain.models import CaseStatus
    from tests.support import Bot
    from tests.test_protection import full_case

    bot = await Bot.start(tmp_path)
    try:
        case_id = await full_case(bot, 704)
        un = bot.services.un.store
        now = bot.clock.now()
        await un.set_translation(case_id, "e_story", "He was detained.", 1, now)
        await un.mark_submitted(case_id, date(2026, 11, 20), "REF-1", False, 1, now)
        staff = bot.services.staff
        case = await bot.services.store.get_case_by_id(case_id)
        assert case is not None
        await staff.set_status(await staff.actor(1), case, CaseStatus.CLOSED)
        bot.clock.advance(timedelta(days=bot.config.retention_days + 1))
        assert await bot.services.purge_expired() == 1
        record = await un.get(case_id)
        assert record.translations == {} and record.reference == ""
        assert record.submitted_on == date(2026, 11, 20)  # statistics keep the date
        assert await un.counts() == (1, 0)
    finally:
        await bot.stop()
