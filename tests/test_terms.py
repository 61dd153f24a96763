"""Answer terms and next steps for every (body, letter kind) pair the bot can produce.

The table below is written by hand from the law (see bot/data/deadline_rules.json): for a
letter posted on 10 June 2026 by ordinary post (delivery assumed after 10 days, 20 June),
the rule that sets its term, the due date, and the next step when the term passes in
silence. Next steps are given where the letter is the first or the repeat of its own thread;
a complaint continues the thread of the body it complains about (THREADS below).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import deadlines
from bot.letters.directory import load_directory
from bot.letters.render import kinds_for
from bot.services.followup import FollowupService
from tests.support import Bot
from tests.test_followup_flow import case_with_letters, letters, mark_sent

SENT = date(2026, 6, 10)
KZ, KG = date(2026, 7, 13), date(2026, 7, 10)  # 15 / 14 working days (6 July: KZ holiday)
RU30, RU3, ICRC = date(2026, 7, 23), date(2026, 6, 23), date(2026, 7, 20)
KZ_COMPLAINTS = ("complaint_silence", "complaint_form_reply", "complaint_refusal")

# (body, kind): (rule, amount, unit, due, next step on silence as (body, kind) or None)
TERMS: dict[tuple[str, str], tuple[str, int, str, date, tuple[str, str] | None]] = {
    ("embassy_kz", "consular_request"): ("kz_appk", 15, "w", KZ, ("embassy_kz", "repeat_request")),
    ("embassy_kz", "repeat_request"): ("kz_appk", 15, "w", KZ, ("mfa_kz", "complaint_silence")),
    ("embassy_kg", "consular_request"): (
        "kg_law67",
        14,
        "w",
        KG,
        ("embassy_kg", "repeat_request"),
    ),
    ("embassy_kg", "repeat_request"): ("kg_law67", 14, "w", KG, ("mfa_kg", "complaint_silence")),
    ("mfa_kz", "mfa_request"): ("kz_appk", 15, "w", KZ, ("mfa_kz", "repeat_request")),
    ("mfa_kz", "repeat_request"): ("kz_appk", 15, "w", KZ, ("ombudsman_kz", "complaint_silence")),
    ("mfa_kg", "mfa_request"): ("kg_law67", 14, "w", KG, ("mfa_kg", "repeat_request")),
    ("mfa_kg", "repeat_request"): ("kg_law67", 14, "w", KG, ("ombudsman_kg", "complaint_silence")),
    ("ombudsman_kz", "ombudsman_request"): (
        "kz_appk",
        15,
        "w",
        KZ,
        ("ombudsman_kz", "repeat_request"),
    ),
    ("ombudsman_kz", "repeat_request"): ("kz_appk", 15, "w", KZ, None),
    ("ombudsman_kg", "ombudsman_request"): (
        "kg_law67",
        14,
        "w",
        KG,
        ("ombudsman_kg", "repeat_request"),
    ),
    ("ombudsman_kg", "repeat_request"): ("kg_law67", 14, "w", KG, None),
    ("ombudsman_ru", "ombudsman_request"): (
        "ru_ombudsman",
        30,
        "c",
        RU30,
        ("ombudsman_ru", "repeat_request"),
    ),
    ("ombudsman_ru", "repeat_request"): ("ru_ombudsman", 30, "c", RU30, None),
    # The ombudsman is not a prosecutor: a crime-report complaint to him runs 30 days.
    ("ombudsman_ru", "complaint_crime_report_inaction"): ("ru_ombudsman", 30, "c", RU30, None),
    ("ombudsman_ru", "complaint_crime_report_refusal"): ("ru_ombudsman", 30, "c", RU30, None),
    ("prosecutor_general", "prosecutor_request"): (
        "ru_prosecutor",
        30,
        "c",
        RU30,
        ("prosecutor_general", "repeat_request"),
    ),
    ("prosecutor_general", "repeat_request"): (
        "ru_prosecutor",
        30,
        "c",
        RU30,
        ("ombudsman_ru", "complaint_silence"),
    ),
    ("prosecutor_general", "complaint_crime_report_inaction"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    ("prosecutor_general", "complaint_crime_report_refusal"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    ("military_prosecutor", "prosecutor_request"): (
        "ru_prosecutor",
        30,
        "c",
        RU30,
        ("military_prosecutor", "repeat_request"),
    ),
    ("military_prosecutor", "repeat_request"): (
        "ru_prosecutor",
        30,
        "c",
        RU30,
        ("prosecutor_general", "complaint_silence"),
    ),
    ("military_prosecutor", "complaint_crime_report_inaction"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    ("military_prosecutor", "complaint_crime_report_refusal"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    # The Committee: only the crime report itself has the 3-day UPK art. 144 term, and its
    # silence leads to a UPK art. 124 complaint to the prosecutor, not to a repeat request.
    ("investigative_committee", "crime_report"): (
        "ru_crime_report",
        3,
        "c",
        RU3,
        ("prosecutor_general", "complaint_crime_report_inaction"),
    ),
    ("investigative_committee", "repeat_request"): (
        "ru_59fz",
        30,
        "c",
        RU30,
        ("prosecutor_general", "complaint_silence"),
    ),
    ("investigative_committee", "complaint_crime_report_inaction"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    ("investigative_committee", "complaint_crime_report_refusal"): (
        "ru_prosecutor_complaint",
        3,
        "c",
        RU3,
        None,
    ),
    ("defence_ministry", "search_request"): (
        "ru_59fz",
        30,
        "c",
        RU30,
        ("defence_ministry", "repeat_request"),
    ),
    ("defence_ministry", "repeat_request"): (
        "ru_59fz",
        30,
        "c",
        RU30,
        ("military_prosecutor", "complaint_silence"),
    ),
    ("icrc", "tracing_request"): ("icrc", 30, "c", ICRC, ("icrc", "repeat_request")),
    ("icrc", "repeat_request"): ("icrc", 30, "c", ICRC, None),
}
_BODY_RULE = {
    "embassy_kz": ("kz_appk", 15, "w", KZ),
    "embassy_kg": ("kg_law67", 14, "w", KG),
    "mfa_kz": ("kz_appk", 15, "w", KZ),
    "mfa_kg": ("kg_law67", 14, "w", KG),
    "ombudsman_kz": ("kz_appk", 15, "w", KZ),
    "ombudsman_kg": ("kg_law67", 14, "w", KG),
    "ombudsman_ru": ("ru_ombudsman", 30, "c", RU30),
    "prosecutor_general": ("ru_prosecutor", 30, "c", RU30),
    "military_prosecutor": ("ru_prosecutor", 30, "c", RU30),
    "investigative_committee": ("ru_59fz", 30, "c", RU30),
    "defence_ministry": ("ru_59fz", 30, "c", RU30),
    "icrc": ("icrc", 30, "c", ICRC),
}
# Complaints about silence, a form reply or a refusal, to any body: its ordinary term.
for _body, _rule in _BODY_RULE.items():
    for _kind in KZ_COMPLAINTS:
        TERMS[(_body, _kind)] = (*_rule, None)

# A whole thread: the first letter, and the letters each silence brings, in order.
THREADS: dict[str, list[tuple[str, str, str]]] = {
    "investigative_committee": [
        ("investigative_committee", "crime_report", "ru_crime_report"),
        ("prosecutor_general", "complaint_crime_report_inaction", "ru_prosecutor_complaint"),
        ("ombudsman_ru", "complaint_crime_report_inaction", "ru_ombudsman"),
    ],
    "embassy_kz": [
        ("embassy_kz", "consular_request", "kz_appk"),
        ("embassy_kz", "repeat_request", "kz_appk"),
        ("mfa_kz", "complaint_silence", "kz_appk"),
        ("ombudsman_kz", "complaint_silence", "kz_appk"),
    ],
    "military_prosecutor": [
        ("military_prosecutor", "prosecutor_request", "ru_prosecutor"),
        ("military_prosecutor", "repeat_request", "ru_prosecutor"),
        ("prosecutor_general", "complaint_silence", "ru_prosecutor"),
        ("ombudsman_ru", "complaint_silence", "ru_ombudsman"),
    ],
}

UNITS = {"w": "working_days", "c": "calendar_days"}


def all_pairs() -> set[tuple[str, str]]:
    return {(a.id, kind) for a in load_directory().values() for kind in kinds_for(a)}


def test_the_table_covers_every_pair_the_bot_can_produce() -> None:
    assert set(TERMS) == all_pairs()


@pytest.mark.parametrize("pair", sorted(TERMS), ids="/".join)
def test_rule_term_and_next_step(pair: tuple[str, str]) -> None:
    body, kind = pair
    rule, amount, unit, due, following = TERMS[pair]
    assert deadlines.rule_for_letter(body, kind) == rule
    deadline = deadlines.answer_due(rule, SENT, channel="post")
    assert (deadline.amount, deadline.rule.unit, deadline.due) == (amount, UNITS[unit], due)
    first = kind == load_directory()[body].letter_kind
    if first or kind == "repeat_request":
        purpose = deadlines.letter_purpose(kind)
        trigger = "silence" if purpose == "appeal" else "no_decision"
        step = deadlines.next_step(body, trigger, 0 if first else 1)
        got = (step.addressee(body), step.letter) if step else None
        assert got == following


def test_the_first_letter_of_each_body_uses_the_directory_rule() -> None:
    for addressee in load_directory().values():
        assert (
            deadlines.rule_for_letter(addressee.id, addressee.letter_kind)
            == addressee.deadline_rule
        )


def test_a_repeat_request_posted_on_10_june_to_the_committee_is_due_23_july() -> None:
    due = deadlines.answer_due(
        deadlines.rule_for_letter("investigative_committee", "repeat_request"), SENT
    )
    assert due.due == date(2026, 7, 23)


def test_a_known_delivery_date_replaces_the_estimate() -> None:
    rule = deadlines.rule_for_letter("investigative_committee", "crime_report")
    estimate = deadlines.answer_due(rule, SENT, channel="post")
    exact = deadlines.answer_due(rule, SENT, delivered_on=date(2026, 6, 15), channel="post")
    assert estimate.basis == "sent" and estimate.start == date(2026, 6, 20)
    assert exact.basis == "delivered" and exact.due == date(2026, 6, 18)
    # Counted from registration: three days for registration after the delivery.
    exact = deadlines.answer_due("ru_59fz", SENT, delivered_on=date(2026, 6, 15))
    assert exact.start == date(2026, 6, 18) and exact.due == date(2026, 7, 20)


@pytest.mark.parametrize(
    "channel,days",
    [("post", 10), ("registered", 10), ("email", 1), ("online", 1), ("in_person", 0)],
)
def test_the_assumed_delivery_depends_on_the_channel(channel: str, days: int) -> None:
    due = deadlines.answer_due("ru_crime_report", SENT, channel=channel)
    assert due.params["assumed_delivery_days"] == days
    assert due.start == date(2026, 6, 10 + days)


@pytest.mark.parametrize("root", sorted(THREADS))
async def test_silence_climbs_each_thread_once(bot: Bot, root: str) -> None:
    """Through the real service and database: each silence brings the next letter of the
    thread with its own term, and nothing is sent twice."""
    chat = bot.chat(700, "ru")
    case_id = await case_with_letters(bot, chat)
    service: FollowupService = bot.services.followup
    expected = THREADS[root]
    row = (await letters(bot, case_id))[f"{root}/{expected[0][1]}"]
    seen = []
    for body, kind, rule in expected:
        assert (row.addressee_id, row.kind, service.rule_for(row)) == (body, kind, rule)
        seen.append((body, kind))
        suggestion = await service.escalate(row, service.silence_trigger(row))
        if suggestion.letter is None:
            break
        row = suggestion.letter
    assert seen == [(b, k) for b, k, _ in expected]
    assert suggestion.letter is None


async def test_a_form_reply_to_the_crime_report_brings_the_art_124_complaint(bot: Bot) -> None:
    chat = bot.chat(701, "ru")
    case_id = await case_with_letters(bot, chat)
    service: FollowupService = bot.services.followup
    report = (await letters(bot, case_id))["investigative_committee/crime_report"]
    await mark_sent(chat, case_id, [report.id], "10.06.2026", "post", None)
    case = await bot.services.store.get_case_by_id(case_id)
    user = await bot.services.store.get_user(chat.user_id)
    assert case is not None and user is not None
    report = (await letters(bot, case_id))["investigative_committee/crime_report"]
    result = await service.log_reply(
        user, case, report, outcome="form", received_on=date(2026, 6, 25)
    )
    complaint = result.letter
    assert (complaint.addressee_id, complaint.kind) == (
        "prosecutor_general",
        "complaint_crime_report_inaction",
    )
    # Silence on that complaint goes on to the ombudsman, not to a second prosecutor complaint.
    nxt = await service.escalate(complaint, service.silence_trigger(complaint))
    assert (nxt.letter.addressee_id, nxt.letter.kind) == (
        "ombudsman_ru",
        "complaint_crime_report_inaction",
    )


async def test_the_family_enters_the_delivery_date_in_the_chat(bot: Bot) -> None:
    chat = bot.chat(702, "kk")
    case_id = await case_with_letters(bot, chat, "kk")
    t = bot.t("kk")
    report = (await letters(bot, case_id))["investigative_committee/crime_report"]
    await mark_sent(chat, case_id, [report.id], "10.06.2026", "registered", "RA1KZ")
    estimate = chat.last_text()
    assert (
        t(
            "This date is an estimate: delivery is assumed to take {days} ({channel}). Add "
            "the delivery date or the registration number and date, and the deadline becomes "
            "exact.",
            days=t.ngettext("{n} day", "{n} days", 10),
            channel=t("Registered mail"),
        )
        in estimate
    )
    await chat.press_data(f"F:dl:{report.id}")
    await chat.send("05.06.2026")  # before it was sent: refused, asked again
    assert (
        t(
            "The letter cannot arrive before it was sent ({date}). Please check the date.",
            date="10.06.2026",
        )
        in chat.last_text()
    )  # with the question
    await chat.send("15.06.2026")
    row = (await letters(bot, case_id))["investigative_committee/crime_report"]
    assert row.delivered_on == date(2026, 6, 15) and row.due_on == date(2026, 6, 18)
    assert t.date(date(2026, 6, 18), "long") in chat.last_text()
    assert "estimate" not in chat.last_text()
