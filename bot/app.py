"""Wiring of the core: the services one running bot shares.

The Telegram side (``handlers``) receives a ``Services`` object and never
builds storage or catalogs itself, so tests, the offline terminal chat and the
real bot all run the same core.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock, SystemClock, local_today
from bot.config import Config
from bot.correspondence import LetterService
from bot.domain import deadlines
from bot.followup import FollowupService
from bot.staff import StaffService
from bot.i18n import Catalogs, default_catalogs
from bot.reporting import ReportService
from bot.services.delivery import Delivery
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.inbox import InboxStore
from bot.storage.maintenance import purge_closed
from bot.storage.followup import FollowupStore
from bot.storage.staff import AuditStore, StaffStore
from bot.storage.store import LetterStore, Store


# Python's default (700 new objects) runs a young collection in the middle of nearly every
# update, which moves the update's short-lived objects into the older generations; those
# then trigger full collections that paused every chat for 20-50 ms under a backlog of
# updates. With 20,000, an update's objects are freed by reference counting first.
YOUNG_COLLECTION_AFTER = 20_000


@dataclass
class Services:
    config: Config
    clock: Clock
    db: Database
    store: Store
    catalogs: Catalogs
    report: ReportService
    letters: LetterService
    followup: FollowupService
    staff: StaffService
    delivery: Delivery

    async def close(self) -> None:
        await self.db.close()

    async def settle(self) -> None:
        """After start-up: fonts parsed, deadline calendars loaded, what was loaded kept
        out of garbage collection (a full collection of a started bot otherwise pauses every
        chat for ~70 ms), and young collections made rarer (``YOUNG_COLLECTION_AFTER``)."""
        await self.letters.warm_up()
        deadlines.warm_up(local_today(self.clock, None))
        self.catalogs.warm_up(self.clock.now())
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_AFTER, *gc.get_threshold()[1:])

    async def purge_expired(self) -> int:
        """Closed cases keep personal data only for the retention period."""
        now = self.clock.now()
        before = now - timedelta(days=self.config.retention_days)
        return await purge_closed(self.db, before, now)


async def open_services(config: Config, clock: Clock | None = None) -> Services:
    """Open the database (checking and migrating it) and load the catalogs."""
    clock = clock or SystemClock()
    keys = [k for k in (config.encryption_key, *config.old_encryption_keys) if k]
    db = Database(config.db_path, synchronous=config.sqlite_synchronous, cipher=Cipher(*keys))
    await db.open()
    store = Store(db)
    return Services(
        config=config,
        clock=clock,
        db=db,
        store=store,
        catalogs=default_catalogs(),
        report=ReportService(store, clock),
        staff=StaffService(StaffStore(db), AuditStore(db), store, FollowupStore(db), clock,
                           config.admin_ids, config.invite_hours),
        letters=LetterService(LetterStore(db), clock, FollowupStore(db)),
        followup=FollowupService(FollowupStore(db), LetterStore(db), clock,
                                 {"kg_law67": config.kg_answer_days} if config.kg_answer_days else None),
        delivery=Delivery(InboxStore(db), clock),
    )
