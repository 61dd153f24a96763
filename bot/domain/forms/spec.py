"""What a form is made of: its steps as data, and the open form as it is stored.

Every conversation of the bot is a ``FormSpec``: the guided report (sections, a review
card, doubts, two loops) as much as a two-step note. A front end only knows how to show
a step of each ``StepKind``; what is asked, in which order and what is valid lives in
the specs, and the engine (``navigation``, ``answering``) moves every form the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.domain.validators import InvalidInput

# Codes of the buttons every form understands.
NEXT = "next"  # a PICK step: the picking is done
KEEP = "keep"  # a TEXT step with a proposed text: take it as it is
DONE = "done"  # a MULTI step or a loop: the choosing or the adding is done
UNDO = "undo"  # a loop: remove the last item
CONFIRM = "confirm"  # the review card: the form is complete
ACCEPT = "accept"  # "this is the whole name", "the number is correct": keep the doubted value

# The engine's own keys in ``Form.data``, next to the answers.
BACK_KEY = "_back"  # the steps answered, for going back
PENDING_KEY = "_pending"  # what the step asked has left to decide: matches, a doubt, a loop item
RETURN_KEY = "_review"  # a section is edited from the review card: its end returns there
ENGINE_KEYS = frozenset({BACK_KEY, PENDING_KEY, RETURN_KEY})
REVIEW = "review"  # the step of a form with ``review``: the card with every answer


class StepKind(StrEnum):
    """How an answer is entered and validated (``values`` holds one rule per kind)."""

    TEXT = "text"  # typed text, cleaned and cut to ``max_len``
    NAME = "name"  # a person's full name (letters, spaces, hyphens, apostrophes)
    LATIN_NAME = "latin"  # a name as in the passport, Latin letters only
    CHOICE = "choice"  # one code of ``choices``, from a button
    MULTI = "multi"  # several codes of ``choices`` (a list), then DONE
    PICK = "pick"  # several ids, each tap adds or removes one; NEXT goes on
    DATE = "date"  # a written date; ``quick_days``: Today / Yesterday buttons
    BIRTH_DATE = "birth"  # a plausible date of birth
    PHONE = "phone"  # typed or shared contact, normalised to E.164
    EMAIL = "email"
    ID_NUMBER = "idnum"  # Kazakh IIN or Kyrgyz PIN
    REGION = "region"  # an ISO 3166-2 code picked from the matches of what was typed
    PASSPORT = "passport"
    PHOTO = "photo"  # one photo (or an image sent as a document)
    FILE = "file"  # a photo or a document (or, with ``text_goes_to``, its text)
    EVIDENCE = "evidence"  # a loop: files, each followed by a description
    ACTIONS = "actions"  # a loop: a body chosen, then the item's ``sub_steps``


LOOP_KINDS = frozenset({StepKind.EVIDENCE, StepKind.ACTIONS})


class UnknownChoice(ValueError):
    """A button code the step does not offer: forged or from another version of the bot.
    Front ends ignore it without a word, as they always did for such buttons."""


# A valid answer that probably is not what was meant (returns the doubt, or None): the
# person is asked once more, with a button to keep it (ACCEPT).
Doubt = Callable[[Any, Mapping[str, Any]], InvalidInput | None]


@dataclass(frozen=True)
class Step:
    key: str
    kind: StepKind
    optional: bool = False  # "Skip" leaves it empty
    max_len: int = 60
    truncate: bool = False  # cut a longer text instead of refusing it
    choices: Callable[[], Collection[str]] | None = None  # CHOICE, MULTI: the valid codes
    past: bool = True  # DATE: must not be in the future
    not_before: tuple[str, str] | None = None  # DATE: (data key of an earlier date, error)
    born_key: str | None = None  # DATE: not before the birth date under this key
    quick_days: bool = False  # DATE: buttons for today and yesterday
    applies: Callable[[Mapping[str, Any]], bool] | None = None  # asked only when true
    text_goes_to: str | None = None  # FILE: typed text answers this later step instead
    keep_key: str | None = None  # TEXT: KEEP takes the proposal stored under this key
    # TEXT: a rule of the form's own on the cleaned text and the answers so far (an IIN's
    # checksum, a text in the letter's language): returns the value to store, or raises
    # ``InvalidInput`` with the code the chat translates.
    check: Callable[[str, Mapping[str, Any]], Any] | None = None
    citizenship_key: str | None = None  # ID_NUMBER: whose country the number must fit
    section: str | None = None  # a form with ``review``: the part of the card it is in
    doubt: Doubt | None = None
    # A loop: the steps of one item after its head (``applies`` sees the item), each
    # storing its answer under ``field``; ``item_max`` items at most.
    sub_steps: tuple[Step, ...] = ()
    item_max: int = 0
    # A step of a loop item: the item's field it fills, the value when it is skipped or
    # not asked, and whether a cut text is told (an evidence description is cut quietly).
    field: str | None = None
    default: Any = None
    tell_cut: bool = True

    def asked(self, data: Mapping[str, Any]) -> bool:
        return self.applies is None or self.applies(data)


@dataclass(frozen=True)
class FormSpec:
    """A conversation as data. The options are what the report needs and any form may
    use: ``review`` (sections, a card with every answer, "edit a section" returning to
    it; the form is complete on CONFIRM there), ``keep_answers`` (Skip on an answered
    step keeps the answer, Clear erases it, an optional step skipped stays unanswered),
    ``explain_refusals`` (a button the step does not offer is answered "use the buttons"
    and an over-long identifier or date is refused as too long, rather than ignored or
    cut: the report reads typed button labels as buttons, so anything else is a
    mistake to explain)."""

    name: str
    steps: tuple[Step, ...]
    review: bool = False
    keep_answers: bool = False
    explain_refusals: bool = False
    by_key: Mapping[str, Step] = field(init=False, repr=False, compare=False)
    loop_of: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = {s.key: s for s in self.steps}
        loop_of: dict[str, str] = {}
        for step in self.steps:
            for sub in step.sub_steps:
                by_key[sub.key] = sub
                loop_of[sub.key] = step.key
        object.__setattr__(self, "by_key", by_key)
        object.__setattr__(self, "loop_of", loop_of)

    def step(self, key: str) -> Step:
        """A step (or a loop's sub-step) by its key; KeyError for another form's."""
        return self.by_key[key]

    def knows(self, key: str) -> bool:
        return key in self.by_key or (self.review and key == REVIEW)

    def next_after(self, key: str, data: Mapping[str, Any]) -> str | None:
        """The next step that applies, or None when the form is complete."""
        keys = [s.key for s in self.steps]
        for step in self.steps[keys.index(key) + 1 :]:
            if step.asked(data):
                return step.key
        return None


@dataclass(frozen=True)
class Form:
    """An open form as it is stored: its name, the step asked and the values so far
    (with the engine's own keys: the way back, what is pending)."""

    name: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filled:
    """The result of an accepted input."""

    form: Form  # the next position, or the complete form when ``done``
    done: bool = False  # every step is answered (or the card confirmed): act on it
    stay: bool = False  # the same step is asked again (a PICK tap, a region's matches…)
    truncated_to: int | None = None


FORMS: dict[str, FormSpec] = {}


def register(spec: FormSpec) -> FormSpec:
    """Make a form known by its name, so that a stored form finds its spec again."""
    if spec.name in FORMS and FORMS[spec.name] is not spec:
        raise ValueError(f"two forms named {spec.name}")
    FORMS[spec.name] = spec
    return spec


def spec_of(form: Form) -> FormSpec | None:
    return FORMS.get(form.name)


def values(form: Form) -> dict[str, Any]:
    """The answers of a form, without the engine's own bookkeeping."""
    return answers_of(form.data)


def answers_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ENGINE_KEYS}


def pending_of(form: Form) -> dict[str, Any] | None:
    pending = form.data.get(PENDING_KEY)
    return pending if isinstance(pending, dict) else None


def history_of(form: Form) -> list[str]:
    return list(form.data.get(BACK_KEY) or [])


def returning(form: Form) -> bool:
    """Whether the section being answered was opened from the review card."""
    return bool(form.data.get(RETURN_KEY))


def assemble(
    name: str,
    step: str,
    answers: Mapping[str, Any],
    history: list[str],
    pending: Mapping[str, Any] | None = None,
    returning: bool = False,
) -> Form:
    """An open form from its parts, as a store may keep them apart (the report's draft
    keeps its answers, its way back and its pending item in columns of their own)."""
    data: dict[str, Any] = dict(answers)
    data[BACK_KEY] = list(history)
    if pending is not None:
        data[PENDING_KEY] = dict(pending)
    if returning:
        data[RETURN_KEY] = True
    return Form(name, step, data)


def chosen(value: Any) -> list[str]:
    """The codes of a multiple-choice answer; an older single code counts as one."""
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value or ()]
