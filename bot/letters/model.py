"""The plain values the letters core passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RenderOptions:
    """What the family chose to leave in the letter.

    ``include_perpetrator``: who is believed responsible, their names and the unit
    or place. ``include_story``: the family's own free-text account.
    """

    include_perpetrator: bool = True
    include_story: bool = True
    # A letter to the missing person's own state, which prosecutes taking part in a foreign
    # armed conflict (KZ Criminal Code art. 172; KG art. 256): the unit, the names of those
    # responsible and every word about military service or fighting are left out.
    protect: bool = False


@dataclass(frozen=True)
class EarlierLetter:
    """A letter already sent, cited by date and registration number in later letters.

    ``outcome`` uses the codes of ``bot.domain.questions.ACTION_OUTCOMES``:
    none (no answer yet), form (a form reply), refused, answered, forwarded.
    ``reference`` is the registration number the body gave, if any.
    """

    addressee_id: str
    sent_on: date | None
    reference: str = ""
    outcome: str = "none"
    kind: str = ""  # the letter kind sent, e.g. "crime_report"; optional


@dataclass(frozen=True)
class Letter:
    """A rendered letter: its parts for PDF and DOCX, and the whole as plain text."""

    kind: str
    addressee_id: str
    language: str
    title: str
    subtitle: str
    to_lines: tuple[str, ...]
    from_lines: tuple[str, ...]
    body: tuple[str, ...]  # paragraphs; a paragraph may hold list lines joined by "\n"
    requests_intro: str
    requests: tuple[str, ...]  # numbered 1., 2., ... when printed
    closing: tuple[str, ...]  # paragraphs after the requests
    attachments_intro: str
    attachments: tuple[str, ...]
    place_date: str
    signature: str
    text: str = field(repr=False)
    issued: date | None = None
