"""The report service: what the chat calls to move a relative's report forward.

It joins the pure engine (``bot.domain.engine``) with storage: every accepted
input is written, answers and position together, before the chat replies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, local_today
from bot.domain import engine
from bot.domain.engine import Draft, Input
from bot.domain.models import Case, User
from bot.domain.questions import Section
from bot.domain.validators import InvalidInput
from bot.services.followup import default_timezone
from bot.storage.store import Store

# After this long without an answer, a message re-shows the question instead of
# being taken as the answer: the relative may not remember what was asked.
RESUME_AFTER = timedelta(minutes=30)

CASE_PREFIXES = {"KZ": "KZ", "KG": "KG"}
OTHER_PREFIX = "XX"
TIMEZONES = {"KZ": "Asia/Almaty", "KG": "Asia/Bishkek"}


@dataclass(frozen=True)
class Outcome:
    draft: Draft
    error: InvalidInput | None = None
    truncated_to: int | None = None
    case: Case | None = None


class ReportService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def draft(self, user_id: int) -> Draft | None:
        return await self.store.get_draft(user_id)

    async def start(self, user: User, update_id: int | None = None) -> Draft:
        """Resume the report in progress, or begin a new one."""
        draft = await self.store.get_draft(user.user_id)
        if draft is not None:
            if draft.paused:
                draft.paused = False
                await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)
            return draft
        draft = engine.new_draft()
        await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)
        return draft

    def needs_resume_prompt(self, draft: Draft) -> bool:
        if draft.paused:
            return True
        return draft.updated_at is not None and self.clock.now() - draft.updated_at > RESUME_AFTER

    async def pause(self, user: User, update_id: int | None = None) -> Draft | None:
        draft = await self.store.get_draft(user.user_id)
        if draft is not None and not draft.paused:
            draft.paused = True
            await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)
        return draft

    async def touch(self, user: User, draft: Draft, update_id: int | None = None) -> None:
        """Mark the draft as active again (after it was shown on resume)."""
        draft.paused = False
        await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)

    async def answer(
        self,
        user: User,
        value: Input,
        update_id: int | None = None,
        *,
        current: Draft | None = None,
    ) -> Outcome:
        """Apply ``value`` at the current step and store the result with ``update_id``.

        ``current`` is the draft the caller has just read for this update (one chat's
        updates are handled one at a time, so it is still current); passing it saves
        reading it again on every answer."""
        draft = await self._current(user, current)
        today = local_today(self.clock, user.timezone or _timezone_for(draft))
        try:
            applied = engine.apply(draft, value, today)
        except InvalidInput as err:
            return Outcome(draft, error=err)
        if applied.confirmed:
            return await self._confirm(user, applied.draft, update_id)
        applied.draft.paused = False  # answering means the relative is back
        await self.store.save_draft(user.user_id, applied.draft, self.clock.now(), update_id)
        return Outcome(applied.draft, truncated_to=applied.truncated_to)

    async def back(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, engine.back, update_id, current)

    async def skip(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, engine.skip, update_id, current)

    async def keep(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, engine.keep, update_id, current)

    async def clear(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, engine.clear, update_id, current)

    async def edit(
        self,
        user: User,
        section: Section,
        update_id: int | None = None,
        *,
        current: Draft | None = None,
    ) -> Outcome:
        return await self._navigate(
            user, lambda d: engine.edit_section(d, section), update_id, current
        )

    async def _navigate(
        self,
        user: User,
        move: Callable[[Draft], Draft],
        update_id: int | None,
        current: Draft | None,
    ) -> Outcome:
        draft = await self._current(user, current)
        try:
            moved = move(draft)
        except InvalidInput as err:
            return Outcome(draft, error=err)
        moved.paused = False
        await self.store.save_draft(user.user_id, moved, self.clock.now(), update_id)
        return Outcome(moved)

    async def _current(self, user: User, current: Draft | None = None) -> Draft:
        draft = current if current is not None else await self.store.get_draft(user.user_id)
        return draft if draft is not None else engine.new_draft()

    async def _confirm(self, user: User, draft: Draft, update_id: int | None) -> Outcome:
        answers = engine.applicable_answers(draft.answers)
        citizenship = str(answers.get("m_cit", "other"))
        prefix = CASE_PREFIXES.get(citizenship, OTHER_PREFIX)
        case = await self.store.create_case(
            user.user_id, prefix, answers, citizenship, self.clock.now(), update_id
        )
        # From now on every time shown to the family is in this zone, until /settings.
        await self.store.default_timezone(
            user.user_id, default_timezone(answers), self.clock.now()
        )
        return Outcome(draft, case=case)


def _timezone_for(draft: Draft) -> str:
    return default_timezone(draft.answers)
