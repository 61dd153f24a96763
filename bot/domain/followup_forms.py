"""The follow-up's forms as data: mark letters as sent, the registration number, the
delivery date, a reply. ``bot.domain.forms`` runs them; the follow-up service
(``bot.services.followup``) acts on a complete one.
"""

from __future__ import annotations

from bot.domain.forms import FormSpec, Step, StepKind, register
from bot.letters.directory import load_directory

CHANNELS = ("post", "registered", "email", "online", "in_person")
OUTCOMES = ("answered", "form", "forwarded", "extension", "refused", "found")
REPLY_TEXT_MAX = 8000  # as much as the reading of a photographed reply keeps
SUMMARY_MAX = 500

SEND = register(
    FormSpec(
        "send",
        (
            Step("pick", StepKind.PICK),
            Step("date", StepKind.DATE, quick_days=True),
            Step("channel", StepKind.CHOICE, choices=lambda: CHANNELS),
            Step(
                "tracking",
                StepKind.TEXT,
                optional=True,
                applies=lambda d: d.get("channel") == "registered",
            ),
        ),
    )
)

REGISTRATION = register(
    FormSpec(
        "regno",
        (
            Step("reference", StepKind.TEXT),
            Step("regdate", StepKind.DATE, optional=True),
        ),
    )
)

DELIVERY = register(
    FormSpec(
        "delivered",
        (
            Step(
                "tracking",
                StepKind.TEXT,
                optional=True,
                applies=lambda d: not d.get("has_tracking"),
            ),
            Step(
                "delivered",
                StepKind.DATE,
                quick_days=True,
                not_before=("sent", "delivered_before_sent"),
            ),
        ),
    )
)

REPLY = register(
    FormSpec(
        "reply",
        (
            Step("outcome", StepKind.CHOICE, choices=lambda: OUTCOMES),
            Step("received", StepKind.DATE, quick_days=True),
            Step(
                "forward_to",
                StepKind.CHOICE,
                optional=True,
                choices=load_directory,
                applies=lambda d: d.get("outcome") == "forwarded",
            ),
            Step(
                "until",
                StepKind.DATE,
                past=False,
                applies=lambda d: d.get("outcome") == "extension",
            ),
            # Pasted text answers "text" at once; a photo or PDF is read and its text
            # proposed at "text" (``keep_key``), to be kept or corrected.
            Step("file", StepKind.FILE, optional=True, text_goes_to="text"),
            Step(
                "text",
                StepKind.TEXT,
                optional=True,
                max_len=REPLY_TEXT_MAX,
                truncate=True,
                keep_key="read",
                applies=lambda d: bool(d.get("file")),
            ),
            Step(
                "summary",
                StepKind.TEXT,
                optional=True,
                max_len=SUMMARY_MAX,
                truncate=True,
                applies=lambda d: not d.get("text"),
            ),
        ),
    )
)
