"""Logging in to the browser desk through the bot: one-time links and sessions.

There is no password to leak or guess. A staff member asks the bot (``/web``) for a link;
its token works once, for ``LINK_MINUTES``, and opens a session whose id lives in an
HttpOnly cookie. Only SHA-256 hashes of the token and of the session id are stored, so a
copy of the database (a backup, a stolen disk) opens no desk. The role is checked on every
request: a removed role ends the session at once, as do idleness and age.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.services.errors import NotAllowed, NotFound
from bot.services.staff import STAFF_ROLES, Actor, StaffService
from bot.storage.store import Store
from bot.storage.web import WebStore

LINK_MINUTES = 10
IDLE = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
# last_seen is written at most this often: a page view is not a write each time.
TOUCH_EVERY = timedelta(minutes=1)


def digest(secret: str) -> str:
    """The stored form of a token or session id (both are 256 random bits: no salt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class LoginLink:
    token: str
    minutes: int
    locale: str  # the staff member's language, for the message with the link


@dataclass(frozen=True)
class OpenedSession:
    """A new session: ``session_id`` goes into the cookie and is never stored as is."""

    session_id: str
    user_id: int
    locale: str


@dataclass(frozen=True)
class DeskSession:
    """Who is at the desk, in which language, and the CSRF token of their forms."""

    actor: Actor
    locale: str
    csrf: str
    timezone: str  # the zone they see times in (their own setting, else the organisation's)


class WebLogin:
    def __init__(self, store: WebStore, users: Store, staff: StaffService, clock: Clock) -> None:
        self.store = store
        self.users = users
        self.staff = staff
        self.clock = clock

    async def issue_link(self, user_id: int, fallback_locale: str | None) -> LoginLink:
        """A one-time login link for a staff member; anyone else is refused."""
        actor = await self.staff.actor(user_id)
        if actor.role not in STAFF_ROLES:
            raise NotAllowed(actor.role)
        user = await self.users.get_user(user_id)
        locale = (
            await self.staff.staff_locale(user_id)
            or (user.locale if user else None)
            or fallback_locale
            or "ru"
        )
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        expires = now + timedelta(minutes=LINK_MINUTES)
        await self.store.add_link(digest(token), user_id, locale, now, expires)
        return LoginLink(token, LINK_MINUTES, locale)

    async def open_link(self, token: str) -> OpenedSession:
        """Spend the link and start a session; a used, expired or unknown link, or one of
        a person who lost the role since, is ``NotFound``."""
        session_id = secrets.token_urlsafe(32)
        opened = await self.store.use_link(
            digest(token), self.clock.now(), digest(session_id), secrets.token_urlsafe(32)
        )
        if opened is None:
            raise NotFound("link")
        user_id, locale = opened
        if (await self.staff.actor(user_id)).role not in STAFF_ROLES:
            await self.store.end(digest(session_id), self.clock.now())
            raise NotFound("link")
        return OpenedSession(session_id, user_id, locale)

    async def session(self, session_id: str) -> DeskSession:
        """The session behind a cookie, if it is still open, not idle for ``IDLE``, not older
        than ``LONGEST``, and its person still has a staff role; else it ends: ``NotFound``."""
        hashed = digest(session_id)
        row = await self.store.session(hashed)
        if row is None:
            raise NotFound("session")
        now = self.clock.now()
        actor = await self.staff.actor(row.user_id)
        if (
            now - row.last_seen > IDLE
            or now - row.created_at > LONGEST
            or actor.role not in STAFF_ROLES
        ):
            await self.store.end(hashed, now)
            raise NotFound("session")
        if now - row.last_seen >= TOUCH_EVERY:
            await self.store.touch(hashed, now)
        return DeskSession(
            actor, row.locale, row.csrf, await self.staff.timezone_of(actor.user_id)
        )

    async def logout(self, session_id: str) -> None:
        await self.store.end(digest(session_id), self.clock.now())
