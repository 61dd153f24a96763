"""The errors every use case raises, so that every front end answers them the same way.

A use case never returns "maybe": it does the action or raises one of these. The chat
and the browser desk each map them once (a translated "not available", "not found", or
the reason of an ``Invalid``), so a rule fixed in the core is fixed in both.
"""

from __future__ import annotations


class NotAllowed(Exception):
    """The acting person may not do this (their role, or a case that is not theirs).

    Front ends answer it exactly like ``NotFound``: a case someone may not see must
    not be told apart from a case that does not exist.
    """


class NotFound(Exception):
    """The case, letter, reply or invitation does not exist (or no longer does)."""


class Invalid(ValueError):
    """An input was refused; ``field`` names it and ``reason`` is a catalog message id,
    whose placeholders ``params`` fill (a length: "at most 3000 characters, you sent 3412")."""

    def __init__(self, field: str, reason: str, **params: object) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.params = params
