"""Running a form (``bot.domain.forms``) for one person: every step stored as it is taken.

The chat (and any other front end) calls these with plain inputs; the open form is
kept in the database (``forms``, one per person) after every accepted input, with the
update that brought it, so a restart resumes at the same step and a repeated update
is not taken twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.clock import Clock
from bot.domain import forms
from bot.domain.forms import Form, FormSpec
from bot.domain.inputs import Input
from bot.domain.validators import InvalidInput
from bot.storage.followup import FollowupStore
from bot.storage.store import FormClosing


@dataclass(frozen=True)
class Asked:
    """Where a form stands after an input: the step to ask now, or a complete form."""

    form: Form
    done: bool = False  # complete and closed: act on ``form.data``
    error: InvalidInput | None = None  # refused: ``form`` is unchanged, ask again
    stay: bool = False  # the same step again (a PICK tap)
    truncated_to: int | None = None


class FormRunner:
    def __init__(self, store: FollowupStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def current(self, user_id: int) -> Form | None:
        return await self.store.get_form(user_id)

    async def begin(
        self,
        user_id: int,
        spec: FormSpec,
        data: Mapping[str, Any],
        first: str | None = None,
        update_id: int | None = None,
    ) -> Form:
        """Open ``spec`` for the person (replacing any form left open) and store it."""
        form = forms.begin(spec, data, first)
        await self.store.save_form(user_id, form, self.clock.now(), update_id)
        return form

    async def answer(
        self,
        user_id: int,
        form: Form,
        value: Input,
        today: date,
        update_id: int | None = None,
        *,
        close: bool = True,
    ) -> Asked:
        """Take ``value`` at the form's step. Raises ``forms.UnknownChoice`` for a button
        the step does not offer (front ends ignore it). With ``close`` False a complete
        form stays stored: the action on it closes it in its own transaction."""
        spec = self._spec(form)
        try:
            filled = forms.apply(spec, form, value, today)
        except InvalidInput as err:
            return Asked(form, error=err)
        return await self._keep(user_id, filled, update_id, close)

    async def skip(
        self, user_id: int, form: Form, update_id: int | None = None, *, close: bool = True
    ) -> Asked:
        try:
            filled = forms.skip(self._spec(form), form)
        except InvalidInput as err:
            return Asked(form, error=err)
        return await self._keep(user_id, filled, update_id, close)

    async def back(self, user_id: int, form: Form, update_id: int | None = None) -> Asked:
        try:
            moved = forms.back(self._spec(form), form)
        except InvalidInput as err:
            return Asked(form, error=err)
        await self.store.save_form(user_id, moved, self.clock.now(), update_id)
        return Asked(moved)

    def closing_then(
        self, closing: FormClosing, spec: FormSpec, data: Mapping[str, Any]
    ) -> FormClosing:
        """``closing`` that opens ``spec`` (as ``begin`` would) in the closed form's place,
        in the action's own transaction: a crash after it leaves the next question open,
        to be asked again at start-up."""
        return self.store.opening(closing, forms.begin(spec, data))

    async def note(self, user_id: int, form: Form, key: str, value: Any) -> Form:
        """Store something learnt outside the engine with the open form."""
        noted = forms.note(form, key, value)
        await self.store.save_form(user_id, noted, self.clock.now())
        return noted

    async def cancel(self, user_id: int) -> bool:
        """Close the open form without acting on it; False if none was open."""
        if await self.store.get_form(user_id) is None:
            return False
        await self.store.drop_form(user_id)
        return True

    async def _keep(
        self, user_id: int, filled: forms.Filled, update_id: int | None, close: bool = True
    ) -> Asked:
        if filled.done:
            if close:
                await self.store.drop_form(user_id)
        else:
            await self.store.save_form(user_id, filled.form, self.clock.now(), update_id)
        return Asked(
            filled.form, done=filled.done, stay=filled.stay, truncated_to=filled.truncated_to
        )

    @staticmethod
    def _spec(form: Form) -> FormSpec:
        spec = forms.spec_of(form)
        if spec is None:
            raise KeyError(form.name)
        return spec
