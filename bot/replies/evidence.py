"""What the letter after a form reply says about it (see ``_form_evidence.txt.j2``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FormEvidence:
    """``asked``: the requests of the first letter, quoted; ``copies``: in how many other
    cases the body sent the same text (0: not said, e.g. without the organisation's
    agreement). Nothing here names another family or case."""

    asked: tuple[str, ...]
    copies: int = 0
