"""The audit log read as sentences in the reader's language.

The log itself stores ids and codes only (nothing personal); a caseworker reads
it as "Дана assigned Бакыт to case KZ-2026-0001": staff by the name they are
known by, cases by number, actions and statuses in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.domain.models import STATUS_CODES, CaseStatus
from bot.i18n import N_, Translator
from bot.vocabulary import ROLE_NAMES, STATUS_NAMES

# What the export formats are called; file types stay as they are (PDF, XLSX...).
FORMAT_NAMES: Mapping[str, str] = {
    "xlsx": "XLSX",
    "csv": "CSV",
    "json": "JSON",
    "dossier": "PDF",
    "stats": "PDF",
    "bodies": "PDF, CSV",
}


def who(t: Translator, user_id: int | None, names: Mapping[int, str]) -> str:
    """A person of the log by name; never the raw Telegram id."""
    if user_id == 0:
        return t("The command line")
    if user_id is not None and user_id in names:
        return names[user_id]
    return t("A staff member without a recorded name")


def sentence(
    t: Translator,
    action: str,
    actor_id: int,
    case_number: str | None,
    target_id: int | None,
    detail: Mapping[str, Any],
    names: Mapping[int, str],
    reporter_id: int | None = None,
) -> str:
    """One entry as a sentence. ``reporter_id`` is the family of the entry's case, if known."""
    number = case_number or t("a deleted case")
    actor = who(t, actor_id, names)
    target = who(t, target_id, names)
    if action in _FAMILY_SENTENCES:
        family_of = (
            t("The family of case {number}", number=case_number)
            if case_number is not None
            else t("A family that has deleted its data")
        )
        return _FAMILY_SENTENCES[action](t, family_of, detail)
    make = _SENTENCES.get(action)
    if make is None and case_number is None:
        return t("{who}: another action.", who=actor)
    if make is None:
        return t("{who}: another action, case {number}.", who=actor, number=number)
    # Staff are known by name; a message from someone without one came from the family.
    family = actor_id == reporter_id or (
        reporter_id is None and action == "message" and actor_id not in names
    )
    return make(t, actor, target, number, detail, family)


def _export(
    t: Translator, actor: str, target: str, number: str, detail: Mapping[str, Any], family: bool
) -> str:
    fmt = str(detail.get("format", ""))
    name = FORMAT_NAMES.get(fmt) or t("charts")
    text = (
        t("{who} made the PDF dossier of case {number}.", who=actor, number=number)
        if fmt == "dossier"
        else t("{who} exported {format}.", who=actor, format=name)
    )
    if detail.get("masked") is False:
        text += " " + t("Identity numbers in full.")
    return text


def _flag(on: str, off: str) -> Callable[..., str]:
    def make(
        t: Translator,
        actor: str,
        target: str,
        number: str,
        detail: Mapping[str, Any],
        family: bool,
    ) -> str:
        return t(on if detail.get("value", True) else off, who=actor, number=number)

    return make


def _status(
    t: Translator, actor: str, target: str, number: str, detail: Mapping[str, Any], family: bool
) -> str:
    code = str(detail.get("status"))
    status = t(STATUS_NAMES[CaseStatus(code)]) if code in STATUS_CODES else "—"
    return t(
        "{who} set the status of case {number} to «{status}».",
        who=actor,
        number=number,
        status=status,
    )


def _message(
    t: Translator, actor: str, target: str, number: str, detail: Mapping[str, Any], family: bool
) -> str:
    if family:
        return t("The family of case {number} answered {target}.", number=number, target=target)
    return t("{who} wrote to the family of case {number}.", who=actor, number=number)


def _role(t: Translator, detail: Mapping[str, Any]) -> str:
    role = str(detail.get("role", ""))
    return t(ROLE_NAMES[role]) if role in ROLE_NAMES else "—"


_SENTENCES: dict[str, Callable[..., str]] = {
    "view_case": lambda t, a, g, n, d, f: t("{who} opened case {number}.", who=a, number=n),
    "export": _export,
    "role_grant": lambda t, a, g, n, d, f: t(
        "{target} joined as a {role}, invited by {who}.", target=g, role=_role(t, d), who=a
    ),
    "role_remove": lambda t, a, g, n, d, f: t(
        "{who} removed the role of {target}.", who=a, target=g
    ),
    "invite": lambda t, a, g, n, d, f: t(
        "{who} made an invitation for a {role}.", who=a, role=_role(t, d)
    ),
    "invite_revoke": lambda t, a, g, n, d, f: t("{who} revoked an invitation.", who=a),
    "assign": lambda t, a, g, n, d, f: t(
        "{who} assigned {target} to case {number}.", who=a, target=g, number=n
    ),
    "unassign": lambda t, a, g, n, d, f: t(
        "{who} took {target} off case {number}.", who=a, target=g, number=n
    ),
    "verify": _flag(
        N_("{who} marked case {number} as checked with the family."),
        N_("{who} marked case {number} as not checked."),
    ),
    "details": _flag(
        N_("{who} let volunteers see the identity numbers and the account of case {number}."),
        N_("{who} hid the identity numbers and the account of case {number} from volunteers."),
    ),
    "status": _status,
    "note": lambda t, a, g, n, d, f: t("{who} added a note to case {number}.", who=a, number=n),
    "message": _message,
    "delete": lambda t, a, g, n, d, f: t("A family deleted all its data."),
    "copy_confirmed": lambda t, a, g, n, d, f: t(
        "{who} confirmed a form reply in case {number}.", who=a, number=n
    ),
    "copy_rejected": lambda t, a, g, n, d, f: t(
        "{who} found that a reply in case {number} is not a form reply.", who=a, number=n
    ),
    "search_name": lambda t, a, g, n, d, f: t(
        "{who} searched the cases by a name: {found} found.",
        who=a,
        found=t.number(int(d.get("found", 0))),
    ),
    "web_login": lambda t, a, g, n, d, f: t("{who} logged in to the desk.", who=a),
    "un_submission_made": lambda t, a, g, n, d, f: t(
        "{who} made the UN submission of case {number}.", who=a, number=n
    ),
    "un_submitted": lambda t, a, g, n, d, f: t(
        "{who} marked case {number} as submitted to the UN.", who=a, number=n
    ),
    "purge": lambda t, a, g, n, d, f: t(
        "Case {number}: the personal data was removed after the retention period.", number=n
    ),
    "review_read": lambda t, a, g, n, d, f: t(
        "{who} read a letter of case {number} waiting for review.", who=a, number=n
    ),
    "review_correct": lambda t, a, g, n, d, f: t(
        "{who} corrected a text in a letter of case {number}.", who=a, number=n
    ),
    "review_approve": lambda t, a, g, n, d, f: t(
        "{who} approved a letter of case {number} for the family.", who=a, number=n
    ),
    "review_return": lambda t, a, g, n, d, f: t(
        "{who} sent a letter of case {number} back to the family.", who=a, number=n
    ),
}


# What a family did to its case, written by the family's own use cases. The family is
# named by its case only (``who``: "The family of case KZ-2026-0001"), never by a name.
_FAMILY_SENTENCES: dict[str, Callable[[Translator, str, Mapping[str, Any]], str]] = {
    "report_confirmed": lambda t, w, d: t("{who} confirmed the report.", who=w),
    "letters_sent": lambda t, w, d: t.ngettext(
        "{who} marked {n} letter as sent.",
        "{who} marked {n} letters as sent.",
        len(d.get("letters") or ()),
        who=w,
    ),
    "letter_reference": lambda t, w, d: t(
        "{who} gave the registration number of a letter.", who=w
    ),
    "letter_delivered": lambda t, w, d: t("{who} gave the day a letter was delivered.", who=w),
    "reply_logged": lambda t, w, d: t("{who} logged a reply to a letter.", who=w),
    "settings": lambda t, w, d: t("A family changed its reminder settings."),
}
