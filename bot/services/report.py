"""The report service: what the chat calls to move a relative's report forward.

The report is a form of the one engine (``bot.domain.forms``; its spec is
``bot.domain.report_form.REPORT``): this service moves it only through the engine's
functions and joins them with storage, so every accepted input is written, answers
and position together, before the chat replies. The report keeps its own slot (the
``drafts`` table), so a family can have a paused report and a short form open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from bot.clock import Clock, local_today
from bot.domain import forms
from bot.domain.forms import Filled, Form, FormSpec
from bot.domain.inputs import ChoiceInput, Input
from bot.domain.models import Case, User
from bot.domain.questions import Section
from bot.domain.report_form import REPORT, Draft, applicable_answers, new_draft
from bot.domain.validators import InvalidInput
from bot.services.errors import NotFound
from bot.services.followup import default_timezone
from bot.services.forms import FormRunner
from bot.storage.store import Store

if TYPE_CHECKING:
    from bot.services.letters import LetterService, LetterSet
    from bot.services.un import UnService

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
    # The report confirmed (``case``): its letter set, made from the recommendations,
    # and whether the UN route is offered at once (urgent, held by the State). Read in
    # the same call, so that the chat shows them without asking again.
    letters: LetterSet | None = None
    offer_un: bool = False


# A report button or command: a choice, a move through the questions, a section to edit.
Move = ChoiceInput | Section | Literal["back", "skip", "keep", "clear"]


@dataclass(frozen=True)
class Pressed:
    """What a button of the report (or /back, /skip) did: nothing when there is no
    report (``draft`` None); nothing when the button belongs to an earlier question
    (``stale``: ``draft`` is the question to show again); else the ``outcome`` of the
    move, made against ``draft`` (None: no move was asked, the question is shown again)."""

    draft: Draft | None
    stale: bool = False
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Incoming:
    """Who writes (None: a stranger, asked for a language) and the form they have open
    (None: the message is for the report)."""

    form: Form | None
    user: User | None


@dataclass(frozen=True)
class Begun:
    """The report a family is taken to by "report a missing person": the one in progress
    (``resumed``), or a new one."""

    draft: Draft
    resumed: bool


@dataclass(frozen=True)
class Agreed:
    """The person who agreed (as first stored: an old consent button keeps them as they
    are, language included) and their report."""

    user: User
    begun: Begun


@dataclass(frozen=True)
class LanguageChanged:
    """The family's new language, and its report in progress to show again (None: the
    menu)."""

    user: User
    draft: Draft | None


@dataclass(frozen=True)
class Replied:
    """What a family's message did to its report: nothing if there is no report
    (``before`` None: the menu), the question shown again after a pause (``resumed``),
    else the answer's ``outcome``."""

    before: Draft | None
    resumed: bool = False
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Cancelled:
    """What /cancel closed: an open form, the report (paused), or nothing."""

    what: Literal["form", "report", "nothing"]


class ReportService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        forms: FormRunner,
        letters: LetterService | None = None,
        un: UnService | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.forms = forms  # any open form (/cancel closes it before pausing the report)
        # What follows a confirmed report (its letter set, the UN route offered at once);
        # without them (a test of the report alone) the outcome carries only the case.
        self.letters = letters
        self.un = un

    async def incoming(self, user_key: int) -> Incoming:
        """A message in a private chat: the form its sender has open and the sender.
        A family that had blocked the bot and writes again can be reached again."""
        form = await self.forms.current(user_key)
        user = await self.store.get_user(user_key)
        if user is not None and user.blocked_at is not None:
            await self.forms.store.user_back(user.user_id)
        return Incoming(form, user)

    async def press(
        self,
        user: User,
        step: str | None,
        move: Move | None,
        update_id: int | None = None,
    ) -> Pressed:
        """A button of the question ``step`` (None: /back or /skip, for whatever question
        is current): refused when the report is finished or the question has changed
        (an old message), else ``move`` is made and stored."""
        draft = await self.store.get_draft(user.user_id)
        if draft is None:
            return Pressed(None)
        if step is not None and draft.step != step:
            return Pressed(draft, stale=True)
        if move is None:
            return Pressed(draft)
        if isinstance(move, ChoiceInput):
            outcome = await self.answer(user, move, update_id, current=draft)
        elif isinstance(move, Section):
            outcome = await self.edit(user, move, update_id, current=draft)
        else:
            moves = {"back": self.back, "skip": self.skip, "keep": self.keep, "clear": self.clear}
            outcome = await moves[move](user, update_id, current=draft)
        return Pressed(draft, outcome=outcome)

    async def agree(self, user_key: int, chat_id: int, locale: str) -> User:
        """The person agreed to what is stored: from now on they exist (nothing is stored
        before). Agreeing again (an old consent button) keeps the person as they are."""
        user = await self.store.get_user(user_key)
        if user is None:
            user = await self.store.create_user(user_key, chat_id, locale, self.clock.now())
        return user

    async def change_language(self, user: User, locale: str) -> User:
        """The language every message to the family is in from now on."""
        await self.store.set_locale(user.user_id, locale, self.clock.now())
        changed = await self.store.get_user(user.user_id)
        if changed is None:
            raise NotFound("user")
        return changed

    async def agree_and_begin(
        self, user_key: int, chat_id: int, locale: str, update_id: int | None = None
    ) -> Agreed:
        """The person agreed (``agree``): their report begins, or the one in progress
        goes on (an old consent button pressed again)."""
        user = await self.agree(user_key, chat_id, locale)
        return Agreed(user, await self.begin(user, update_id))

    async def switch_language(
        self, user: User, locale: str, update_id: int | None = None
    ) -> LanguageChanged:
        """A registered family picks another language: the change, then the report in
        progress taken up again where it stopped (``resume``)."""
        changed = await self.change_language(user, locale)
        return LanguageChanged(changed, await self.resume(changed, update_id))

    async def draft(self, user_id: int) -> Draft | None:
        return await self.store.get_draft(user_id)

    async def start(self, user: User, update_id: int | None = None) -> Draft:
        """Resume the report in progress, or begin a new one."""
        return (await self.begin(user, update_id)).draft

    async def begin(self, user: User, update_id: int | None = None) -> Begun:
        """Resume the report in progress (a family finishes one before the next), or
        begin a new one; says which, for the words that lead to the question."""
        draft = await self.resume(user, update_id)
        if draft is not None:
            return Begun(draft, resumed=True)
        draft = new_draft()
        await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)
        return Begun(draft, resumed=False)

    async def resume(self, user: User, update_id: int | None = None) -> Draft | None:
        """The report in progress, no longer paused, to show where it stopped; None if
        there is none (the family gets the menu)."""
        draft = await self.store.get_draft(user.user_id)
        if draft is not None and draft.paused:
            draft.paused = False
            await self.store.save_draft(user.user_id, draft, self.clock.now(), update_id)
        return draft

    async def reply(
        self, user: User, read: Callable[[Draft], Input], update_id: int | None = None
    ) -> Replied:
        """A family's message with no form open. After a pause or a long silence the
        current question is shown again instead of taking the message as its answer
        (the relative may not remember what was asked); else the message is the answer.
        ``read`` turns the message into an input against the current question (a typed
        button label is that button), which only the front end can read."""
        draft = await self.store.get_draft(user.user_id)
        if draft is None:
            return Replied(None)
        if self.needs_resume_prompt(draft):
            await self.touch(user, draft, update_id)
            return Replied(draft, resumed=True)
        outcome = await self.answer(user, read(draft), update_id, current=draft)
        return Replied(draft, outcome=outcome)

    async def cancel(self, user_key: int, user: User | None, update_id: int) -> Cancelled:
        """/cancel: an open form (of a family or a staff member, who may have no family
        record) is closed without acting on it; else the report in progress is paused,
        everything entered kept."""
        if await self.forms.cancel(user_key):
            return Cancelled("form")
        if user is None:
            return Cancelled("nothing")
        draft = await self.pause(user, update_id)
        return Cancelled("nothing" if draft is None else "report")

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
            filled = forms.apply(REPORT, draft.form, value, today)
        except InvalidInput as err:
            return Outcome(draft, error=err)
        if filled.done:  # the review card confirmed
            return await self._confirm(user, draft.moved(filled.form), update_id)
        moved = draft.moved(filled.form)  # answering means the relative is back
        await self.store.save_draft(user.user_id, moved, self.clock.now(), update_id)
        return Outcome(moved, truncated_to=filled.truncated_to)

    async def back(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, forms.back, update_id, current)

    async def skip(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, forms.skip, update_id, current)

    async def keep(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, forms.keep, update_id, current)

    async def clear(
        self, user: User, update_id: int | None = None, *, current: Draft | None = None
    ) -> Outcome:
        return await self._navigate(user, forms.clear, update_id, current)

    async def edit(
        self,
        user: User,
        section: Section,
        update_id: int | None = None,
        *,
        current: Draft | None = None,
    ) -> Outcome:
        return await self._navigate(
            user, lambda spec, form: forms.edit_section(spec, form, section), update_id, current
        )

    async def _navigate(
        self,
        user: User,
        move: Callable[[FormSpec, Form], Form | Filled],
        update_id: int | None,
        current: Draft | None,
    ) -> Outcome:
        """A move of the engine (back, skip, keep, clear, edit a section) on the report."""
        draft = await self._current(user, current)
        try:
            result = move(REPORT, draft.form)
        except InvalidInput as err:
            return Outcome(draft, error=err)
        moved = draft.moved(result if isinstance(result, Form) else result.form)
        await self.store.save_draft(user.user_id, moved, self.clock.now(), update_id)
        return Outcome(moved)

    async def _current(self, user: User, current: Draft | None = None) -> Draft:
        draft = current if current is not None else await self.store.get_draft(user.user_id)
        return draft if draft is not None else new_draft()

    async def _confirm(self, user: User, draft: Draft, update_id: int | None) -> Outcome:
        answers = applicable_answers(draft.answers)
        citizenship = str(answers.get("m_cit", "other"))
        prefix = CASE_PREFIXES.get(citizenship, OTHER_PREFIX)
        case = await self.store.create_case(
            user.user_id, prefix, answers, citizenship, self.clock.now(), update_id
        )
        # From now on every time shown to the family is in this zone, until /settings.
        await self.store.default_timezone(
            user.user_id, default_timezone(answers), self.clock.now()
        )
        shown = await self.letters.show(case.reporter_id, case.id) if self.letters else None
        offer = await self.un.offer_at_once(case) if self.un else False
        return Outcome(draft, case=case, letters=shown, offer_un=offer)


def _timezone_for(draft: Draft) -> str:
    return default_timezone(draft.answers)
