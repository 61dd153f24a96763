"""The one conversation engine: every form of the bot, the guided report included.

A form is a list of steps as data (``FormSpec``, in ``spec``). The engine is pure: a
function takes the open form and one input (``bot.domain.inputs``) and returns the next
form, or raises ``InvalidInput`` with a code the chat translates. The caller stores the
returned form (name, step, values and the engine's bookkeeping: the way back, what is
pending) after every step, so a restart resumes at the same step and nothing
acknowledged is lost.

- ``spec``: steps, kinds, options, the stored ``Form``, the registry of forms;
- ``parsing``: one rule per step kind (what is valid, what is stored);
- ``navigation``: begin, next step, back, skip, keep, clear, sections and review card;
- ``loops``: steps that collect items (evidence files, bodies contacted);
- ``answering``: ``apply`` and ``skip``, which choose among the above.
"""

from bot.domain.forms.answering import apply, skip
from bot.domain.forms.navigation import (
    applicable_answers,
    back,
    begin,
    clear,
    edit_section,
    first_of_section,
    keep,
    note,
)
from bot.domain.forms.spec import (
    ACCEPT,
    BACK_KEY,
    CONFIRM,
    DONE,
    ENGINE_KEYS,
    FORMS,
    KEEP,
    NEXT,
    PENDING_KEY,
    RETURN_KEY,
    REVIEW,
    UNDO,
    Filled,
    Form,
    FormSpec,
    Step,
    StepKind,
    UnknownChoice,
    answers_of,
    assemble,
    chosen,
    history_of,
    pending_of,
    register,
    returning,
    spec_of,
    values,
)

__all__ = [
    "ACCEPT",
    "BACK_KEY",
    "CONFIRM",
    "DONE",
    "ENGINE_KEYS",
    "FORMS",
    "KEEP",
    "NEXT",
    "PENDING_KEY",
    "RETURN_KEY",
    "REVIEW",
    "UNDO",
    "Filled",
    "Form",
    "FormSpec",
    "Step",
    "StepKind",
    "UnknownChoice",
    "answers_of",
    "assemble",
    "applicable_answers",
    "apply",
    "back",
    "begin",
    "chosen",
    "clear",
    "edit_section",
    "first_of_section",
    "history_of",
    "keep",
    "note",
    "pending_of",
    "register",
    "returning",
    "skip",
    "spec_of",
    "values",
]
