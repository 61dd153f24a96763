"""The words the bot uses for its codes: statuses, channels, outcomes, letter kinds, events.

One table per kind of code, as gettext message ids; the chat and the reports
translate them for their reader, so a status reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.models import CaseStatus
from bot.i18n import N_

STATUS_NAMES: Mapping[CaseStatus, str] = {
    CaseStatus.REPORTED: N_("reported"),
    CaseStatus.LETTERS_READY: N_("letters ready"),
    CaseStatus.LETTERS_SENT: N_("letters sent"),
    CaseStatus.WAITING: N_("waiting for answers"),
    CaseStatus.ANSWER_RECEIVED: N_("answer received"),
    CaseStatus.LOCATED: N_("person located"),
    CaseStatus.IN_CONTACT: N_("in contact"),
    CaseStatus.RETURNED: N_("returned home"),
    CaseStatus.DEAD: N_("confirmed dead"),
    CaseStatus.CLOSED: N_("closed"),
}

FILE_KINDS: Mapping[str, str] = {
    "photo": N_("photo"),
    "document": N_("document"),
    "video": N_("video"),
    "voice": N_("voice message"),
    "audio": N_("audio"),
    "video_note": N_("video message"),
}

CHANNEL_NAMES: Mapping[str, str] = {
    "post": N_("Ordinary post"),
    "registered": N_("Registered mail"),
    "email": N_("E-mail"),
    "online": N_("Online reception"),
    "in_person": N_("Handed in person"),
    "forwarded": N_("Forwarded by another body"),
}

OUTCOME_NAMES: Mapping[str, str] = {
    "answered": N_("An answer with facts"),
    "form": N_("A form reply that answers nothing"),
    "forwarded": N_("Forwarded to another body"),
    "extension": N_("They extended the term"),
    "refused": N_("A refusal"),
    "found": N_("The person is found"),
}

# Follow-up letters by kind (first letters are named by their addressee).
KIND_NAMES: Mapping[str, str] = {
    "repeat_request": N_("Repeat request"),
    "complaint_silence": N_("Complaint about no answer"),
    "complaint_form_reply": N_("Complaint about a form reply"),
    "complaint_refusal": N_("Complaint about a refusal"),
    "complaint_crime_report_inaction": N_("Complaint: no decision on the crime report"),
    "complaint_crime_report_refusal": N_("Complaint: refusal to open a criminal case"),
}

# The rule behind each deadline, as the family reads it (the rule file keeps the exact source).
RULE_NAMES: Mapping[str, str] = {
    "ru_59fz": N_("Russian law on citizens' appeals, 59-FZ, art. 12"),
    "ru_crime_report": N_("Russian Code of Criminal Procedure, art. 144"),
    "ru_prosecutor_complaint": N_("Russian Code of Criminal Procedure, art. 124"),
    "ru_ombudsman": N_("terms of the Russian law on citizens' appeals, 59-FZ"),
    "ru_prosecutor": N_("Instruction of the Prosecutor General of Russia, order No. 45"),
    "kz_appk": N_("Administrative Procedural Code of Kazakhstan, art. 76"),
    "kg_law67": N_("Law of Kyrgyzstan No. 67 on citizens' appeals"),
    "icrc": N_("no legal term"),
}

# Entries of a case's timeline by event kind.
EVENT_TEXTS: Mapping[str, str] = {
    "created": N_("The case was reported."),
    "letter": N_("Letter prepared: {body} ({language})."),
    "sent": N_("Letter sent: {body}."),
    "reference": N_("Registration number received: {body}."),
    "reply": N_("Reply from {body}: {outcome}."),
    "status": N_("Status: {status}."),
    "note": N_("Note added."),
    "un_consent": N_("The family answered the questions about a submission to the UN."),
    "un_submitted": N_(
        "Submitted to the UN Working Group on Enforced or Involuntary Disappearances on {date}."
    ),
    "delivered": N_("Delivery date recorded: {body}."),
    "translation": N_("A text was given in another language for the letters."),
    "answer": N_("An answer was added for the letters."),
}

TIMEZONE_NAMES: Mapping[str, str] = {
    "Asia/Almaty": N_("Almaty time"),
    "Asia/Bishkek": N_("Bishkek time"),
    "Europe/Moscow": N_("Moscow time"),
}

ROLE_NAMES: Mapping[str, str] = {
    "caseworker": N_("caseworker"),
    "volunteer": N_("volunteer"),
    "admin": N_("administrator"),
}
