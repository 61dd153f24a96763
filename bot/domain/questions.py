"""The guided report as data: every question, its section, kind and choices.

The report is a form of the one engine (``bot.domain.forms``): its steps are built
from these questions in ``bot.domain.report_form``; what is shown (prompts, hints,
labels) stays here.

The order of ``QUESTIONS`` is the order in which a relative is asked. Keys are
short ASCII strings because they travel in callback data and are stored in the
database as the draft's position: never rename a key without a migration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.forms.spec import REVIEW as REVIEW
from bot.domain.forms.spec import StepKind
from bot.i18n import N_

# How an answer is entered and validated: the kinds of the one form engine.
Kind = StepKind


class Section(StrEnum):
    REPORTER = "rep"
    MISSING = "mis"
    EVENT = "evt"
    EVIDENCE = "evd"
    ACTIONS = "act"


SECTION_TITLES: Mapping[Section, str] = {
    Section.REPORTER: N_("About you"),
    Section.MISSING: N_("The missing person"),
    Section.EVENT: N_("What happened"),
    Section.EVIDENCE: N_("Evidence"),
    Section.ACTIONS: N_("What the family already did"),
}


@dataclass(frozen=True)
class Choice:
    code: str  # short ASCII, stored and sent in callback data
    label: str  # msgid, translated when shown


@dataclass(frozen=True)
class Question:
    key: str
    section: Section
    kind: Kind
    prompt: str  # msgid
    optional: bool = False
    choices: tuple[Choice, ...] = ()
    max_len: int = 200
    truncate: bool = False  # long free text is cut to max_len instead of refused
    hint: str | None = None  # msgid shown under the prompt
    skip_label: str | None = None  # msgid of the Skip button when "Skip" would mislead
    # Asked only when this returns True for the answers so far.
    condition: Callable[[Mapping[str, object]], bool] | None = field(default=None, compare=False)

    def applies(self, answers: Mapping[str, object]) -> bool:
        return self.condition is None or self.condition(answers)

    def choice_label(self, code: str) -> str | None:
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        return None


YES_NO_UNKNOWN = (
    Choice("yes", N_("Yes")),
    Choice("no", N_("No")),
    Choice("unk", N_("I don't know")),
)
GENDERS = (Choice("m", N_("Male")), Choice("f", N_("Female")))

RELATIONS = (
    Choice("mother", N_("Mother")),
    Choice("father", N_("Father")),
    Choice("wife", N_("Wife")),
    Choice("husband", N_("Husband")),
    Choice("sister", N_("Sister")),
    Choice("brother", N_("Brother")),
    Choice("daughter", N_("Daughter")),
    Choice("son", N_("Son")),
    Choice("relative", N_("Other relative")),
    Choice("other", N_("Friend or other")),
)
CITIZENSHIPS = (
    Choice("KZ", N_("Kazakhstan")),
    Choice("KG", N_("Kyrgyzstan")),
    Choice("other", N_("Other country")),
)
CONTACT_CHANNELS = (
    Choice("call", N_("Phone call")),
    Choice("message", N_("Message")),
    Choice("meeting", N_("Met in person")),
    Choice("other", N_("Other")),
)
WHAT_HAPPENED = (
    Choice("force", N_("Taken by force or detained")),
    Choice("prison", N_("Recruited in prison")),
    Choice("migration", N_("Pressured at a migration centre or police station")),
    Choice("signed", N_("Signed something under threat or deception")),
    Choice("mobilised", N_("Mobilised")),
    Choice("work", N_("Went to work and vanished")),
    Choice("unknown", N_("We don't know")),
)
RESPONSIBLE = (
    Choice("pmc", N_("A private military company")),
    Choice("unit", N_("A military unit")),
    Choice("police", N_("Police")),
    Choice("recruiters", N_("Recruiters")),
    Choice("unknown", N_("Unknown")),
)
CONTACTED_BODIES = (
    Choice("embassy", N_("Embassy or consulate")),
    Choice("mfa", N_("Ministry of Foreign Affairs")),
    Choice("police", N_("Police or interior ministry")),
    Choice("prosecutor", N_("Prosecutor's office")),
    Choice("ombudsman", N_("Ombudsman")),
    Choice("military", N_("Military: ministry, unit or enlistment office")),
    Choice("redcross", N_("Red Cross")),
    Choice("other", N_("Other")),
)
NO_ANSWER = "none"
ACTION_OUTCOMES = (
    Choice(NO_ANSWER, N_("No answer yet")),
    Choice("form", N_("A form reply that said nothing")),
    Choice("refused", N_("Refused")),
    Choice("answered", N_("Answered with facts")),
    Choice("forwarded", N_("Forwarded elsewhere")),
)


def _other_citizenship(answers: Mapping[str, object]) -> bool:
    return answers.get("m_cit") == "other"


def _responsible_known(answers: Mapping[str, object]) -> bool:
    return answers.get("e_resp") not in (None, "unknown")


QUESTIONS: tuple[Question, ...] = (
    # --- the reporter
    Question(
        "r_name",
        Section.REPORTER,
        Kind.NAME,
        N_("What is your full name (surname, first name, patronymic if you have one)?"),
        hint=N_("Official letters need it exactly as in your documents."),
    ),
    Question(
        "r_rel",
        Section.REPORTER,
        Kind.CHOICE,
        N_("Who are you to the missing person?"),
        choices=RELATIONS,
    ),
    Question(
        "r_gender",
        Section.REPORTER,
        Kind.CHOICE,
        N_("Your gender (letters in Kazakh, Kyrgyz and Russian need it for grammar):"),
        choices=GENDERS,
    ),
    Question(
        "r_phone",
        Section.REPORTER,
        Kind.PHONE,
        N_("Your phone number: press the button to share it, or type it."),
        hint=N_("For example +7 701 123 45 67 or +996 555 123 456."),
    ),
    Question(
        "r_addr",
        Section.REPORTER,
        Kind.TEXT,
        N_(
            "Your postal address for official replies (country, city, street, house, "
            "flat, postcode):"
        ),
        max_len=300,
    ),
    Question(
        "r_email",
        Section.REPORTER,
        Kind.EMAIL,
        N_("Your e-mail, if you want answers by e-mail:"),
        optional=True,
    ),
    Question(
        "r_id",
        Section.REPORTER,
        Kind.ID_NUMBER,
        N_("Your IIN (Kazakhstan, 12 digits) or PIN (Kyrgyzstan, 14 digits), if you have one:"),
        optional=True,
        hint=N_("Kazakh bodies require the IIN in an appeal."),
    ),
    # --- the missing person
    Question(
        "m_name", Section.MISSING, Kind.NAME, N_("Full name of the missing person, in Cyrillic:")
    ),
    Question(
        "m_latin",
        Section.MISSING,
        Kind.LATIN_NAME,
        N_("The name as written in the passport, in Latin letters:"),
        optional=True,
    ),
    Question(
        "m_birth",
        Section.MISSING,
        Kind.BIRTH_DATE,
        N_("Date of birth of the missing person:"),
        hint=N_("For example 18.03.1994."),
    ),
    Question(
        "m_gender",
        Section.MISSING,
        Kind.CHOICE,
        N_("Gender of the missing person:"),
        choices=GENDERS,
    ),
    Question(
        "m_cit",
        Section.MISSING,
        Kind.CHOICE,
        N_("Citizenship of the missing person:"),
        choices=CITIZENSHIPS,
    ),
    Question(
        "m_cit_other",
        Section.MISSING,
        Kind.TEXT,
        N_("Which country's citizen is he or she?"),
        max_len=80,
        condition=_other_citizenship,
    ),
    Question(
        "m_id",
        Section.MISSING,
        Kind.ID_NUMBER,
        N_("IIN or PIN of the missing person, if you know it:"),
        optional=True,
    ),
    Question(
        "m_passport",
        Section.MISSING,
        Kind.PASSPORT,
        N_("Passport number of the missing person, if you know it:"),
        optional=True,
    ),
    Question(
        "m_photo",
        Section.MISSING,
        Kind.PHOTO,
        N_("A photo of the missing person, if you have one (send it as a photo):"),
        optional=True,
    ),
    # --- what happened
    Question(
        "e_date",
        Section.EVENT,
        Kind.DATE,
        N_("When did you last hear from him or her?"),
        hint=N_("For example 18.03.2023 or 18 March 2023."),
    ),
    Question(
        "e_how",
        Section.EVENT,
        Kind.CHOICE,
        N_("How was that last contact?"),
        choices=CONTACT_CHANNELS,
    ),
    Question(
        "e_region",
        Section.EVENT,
        Kind.REGION,
        N_(
            "In which region was he or she last known to be? Write its name, for "
            "example Краснодарский край, Ростов облысы or a city such as Екатеринбург."
        ),
        optional=True,
        skip_label=N_("Not in the list"),
    ),
    Question(
        "e_place",
        Section.EVENT,
        Kind.TEXT,
        N_(
            "The settlement and details of the last known place: town or village, "
            "street, what place it was (a hostel, a police station, a colony):"
        ),
        max_len=200,
    ),
    Question(
        "e_what",
        Section.EVENT,
        Kind.MULTI,
        N_("What is known about what happened?"),
        choices=WHAT_HAPPENED,
        hint=N_("Tap every answer that fits, then press Done."),
    ),
    Question(
        "e_story",
        Section.EVENT,
        Kind.TEXT,
        N_("Tell in your own words what happened: dates, places, names, what he or she said."),
        max_len=3000,
        truncate=True,
        hint=N_(
            "Write facts: who took him, who threatened or deceived him. You can "
            "leave out anything you do not want in the letters."
        ),
    ),
    Question(
        "e_resp",
        Section.EVENT,
        Kind.CHOICE,
        N_("Who do you believe is responsible?"),
        choices=RESPONSIBLE,
    ),
    Question(
        "e_resp_text",
        Section.EVENT,
        Kind.TEXT,
        N_("Name them if you can (company, people, phone numbers):"),
        optional=True,
        max_len=300,
        condition=_responsible_known,
    ),
    Question(
        "e_unit",
        Section.EVENT,
        Kind.TEXT,
        N_("The military unit or place where he or she may be, if known:"),
        optional=True,
        max_len=200,
    ),
    Question(
        "e_taken_region",
        Section.EVENT,
        Kind.REGION,
        N_(
            "In which region is he or she believed to have been taken? Write its name if "
            "the family knows it."
        ),
        optional=True,
        skip_label=N_("I don't know"),
    ),
    Question(
        "e_contract",
        Section.EVENT,
        Kind.CHOICE,
        N_("Is it known that he or she signed a contract?"),
        choices=YES_NO_UNKNOWN,
    ),
    Question(
        "e_renounced",
        Section.EVENT,
        Kind.CHOICE,
        N_("Is it known that he or she renounced citizenship?"),
        choices=YES_NO_UNKNOWN,
    ),
    # --- evidence and what was done
    Question(
        "evidence",
        Section.EVIDENCE,
        Kind.EVIDENCE,
        N_(
            "Send evidence one file at a time: photos, documents, screenshots, voice "
            "or video messages. Press Done when finished."
        ),
        optional=True,
    ),
    Question(
        "actions",
        Section.ACTIONS,
        Kind.ACTIONS,
        N_("Which bodies has the family already contacted? Choose one to add it, or press Done."),
        choices=CONTACTED_BODIES,
        optional=True,
    ),
)

BY_KEY: Mapping[str, Question] = {q.key: q for q in QUESTIONS}

# Sub-steps of the two loops: the draft's step is one of these while an item is
# being entered. They are not questions of their own in the review card.
EVIDENCE_DESC = "ev_desc"
ACTION_OTHER = "act_other"
ACTION_DATE = "act_date"
ACTION_OUTCOME = "act_out"
ACTION_REPLY = "act_reply"
SUB_STEPS: Mapping[str, str] = {
    EVIDENCE_DESC: "evidence",
    ACTION_OTHER: "actions",
    ACTION_DATE: "actions",
    ACTION_OUTCOME: "actions",
    ACTION_REPLY: "actions",
}

# Short labels for the review card and the case view.
LABELS: Mapping[str, str] = {
    "r_name": N_("Your name"),
    "r_rel": N_("Relationship"),
    "r_gender": N_("Your gender"),
    "r_phone": N_("Phone"),
    "r_addr": N_("Postal address"),
    "r_email": N_("E-mail"),
    "r_id": N_("Your IIN/PIN"),
    "m_name": N_("Name"),
    "m_latin": N_("Name in the passport"),
    "m_birth": N_("Date of birth"),
    "m_gender": N_("Gender"),
    "m_cit": N_("Citizenship"),
    "m_cit_other": N_("Country"),
    "m_id": N_("IIN/PIN"),
    "m_passport": N_("Passport"),
    "m_photo": N_("Photo"),
    "e_date": N_("Last contact"),
    "e_how": N_("How"),
    "e_region": N_("Region of the last known place"),
    "e_place": N_("Last known place"),
    "e_what": N_("What is known"),
    "e_story": N_("The family's account"),
    "e_resp": N_("Believed responsible"),
    "e_resp_text": N_("Names"),
    "e_unit": N_("Unit or place"),
    "e_taken_region": N_("Region he or she was taken to"),
    "e_contract": N_("Signed a contract"),
    "e_renounced": N_("Renounced citizenship"),
    "evidence": N_("Files"),
    "actions": N_("Bodies contacted"),
}
