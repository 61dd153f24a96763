"""Wiring of the core: the services one running bot shares.

The Telegram side (``handlers``) receives a ``Services`` object and never
builds storage or catalogs itself, so tests, the offline terminal chat and the
real bot all run the same core.
"""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from bot.alerts import ErrorDigest
from bot.clock import Clock, SystemClock, local_today
from bot.config import Config
from bot.domain import deadlines
from bot.exports import Exporter
from bot.exports.stats import case_region
from bot.i18n import Catalogs, default_catalogs
from bot.services.delivery import Delivery
from bot.services.dossier import DossierScreens
from bot.services.exports import ExportService
from bot.services.followup import FollowupService
from bot.services.forms import FormRunner
from bot.services.letters import LetterService
from bot.services.notices import NoticeService
from bot.services.operations import Operations
from bot.services.privacy import PrivacyService
from bot.services.reminders import Reminders
from bot.services.report import ReportService
from bot.services.review import ReviewService
from bot.services.search import NameSearch
from bot.services.staff import StaffService
from bot.services.un import UnService
from bot.services.weblogin import WebLogin
from bot.services.weboffice import DeskOffice
from bot.storage.crypto import Cipher
from bot.storage.database import Database
from bot.storage.followup import FollowupStore
from bot.storage.inbox import InboxStore
from bot.storage.maintenance import (
    fill_regions,
    leave_checkpoints_to_a_job,
    passive_checkpoint,
    purge_closed,
)
from bot.storage.names import fill_name_index
from bot.storage.notices import NoticeStore
from bot.storage.review import ReviewStore
from bot.storage.sealing import check_key
from bot.storage.staff import AuditStore, StaffStore
from bot.storage.store import LetterStore, Store
from bot.storage.un import UnStore
from bot.storage.web import WebStore
from bot.un.submission import Organisation

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
    un: UnService
    exports: ExportService
    delivery: Delivery
    review: ReviewService
    search: NameSearch  # the desk's search by the missing person's name
    office: DeskOffice  # the desk's statistics, kept a few minutes
    privacy: PrivacyService
    weblogin: WebLogin
    dossiers: DossierScreens = field(init=False)  # the dossier screens, one read each
    errors: ErrorDigest = field(default_factory=ErrorDigest)  # for the administrators

    def user_key(self, telegram_id: int) -> int:
        """The form a Telegram user id is stored in (``Cipher.pseudonym``): handlers turn
        the sender's id into it before calling the core."""
        return self.db.cipher.pseudonym(telegram_id)

    warming: asyncio.Future[None] | None = None  # the letter worker getting ready

    @cached_property
    def notices(self) -> NoticeService:
        """Notices to other people waiting to be sent (``bot.services.notices``)."""
        return NoticeService(NoticeStore(self.db))

    @cached_property
    def operations(self) -> Operations:
        """The runtime's use cases (updates handled, a blocked bot, an admin's language)."""
        return Operations(self.store, self.followup.store, self.clock)

    @cached_property
    def reminders(self) -> Reminders:
        """The reminders job's use cases (what is due, what each says, what follows)."""
        return Reminders(
            self.followup, self.letters, self.staff, self.store, self.clock, self.review
        )

    async def close(self) -> None:
        if self.warming is not None:
            self.warming.cancel()
        await self.db.close()

    async def settle(self) -> None:
        """After start-up: the letter worker started (it parses the fonts in its own
        process, meanwhile: the bot does not wait for it, so start-up stays short),
        deadline calendars loaded, what was loaded kept out of garbage collection (a full
        collection of a started bot otherwise pauses every chat for ~70 ms), and young
        collections made rarer (``YOUNG_COLLECTION_AFTER``)."""
        self.warming = asyncio.ensure_future(self.letters.warm_up())
        deadlines.warm_up(local_today(self.clock, None))
        self.catalogs.warm_up(self.clock.now())
        gc.collect()
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_AFTER, *gc.get_threshold()[1:])

    async def purge_expired(self) -> int:
        """Closed cases keep personal data only for the retention period."""
        now = self.clock.now()
        before = now - timedelta(days=self.config.retention_days)
        return await purge_closed(self.db, before, now, case_region)

    def checkpoint_by_job(self) -> None:
        """From now on the log is copied into the database by ``checkpoint`` (a job of the
        bot), in a thread, never inside a family's commit."""
        leave_checkpoints_to_a_job(self.db)

    async def checkpoint(self) -> None:
        await passive_checkpoint(self.db)

    async def fill_regions(self) -> int:
        """Write the region of cases that have none yet, for statistics counted in SQL."""
        return await fill_regions(self.db, case_region)

    async def fill_name_index(self) -> int:
        """Index the names of cases not in the name search yet, in small batches."""
        return await fill_name_index(self.db)


async def open_services(config: Config, clock: Clock | None = None) -> Services:
    """Open the database (checking and migrating it) and load the catalogs."""
    clock = clock or SystemClock()
    keys = [k for k in (config.encryption_key, *config.old_encryption_keys) if k]
    db = Database(config.db_path, synchronous=config.sqlite_synchronous, cipher=Cipher(*keys))
    await db.open()
    try:
        await check_key(db)
    except BaseException:
        await db.close()
        raise
    store = Store(db)
    catalogs = default_catalogs()
    admins = {db.cipher.pseudonym(a): a for a in config.admin_ids}
    staff = StaffService(
        StaffStore(db),
        AuditStore(db),
        store,
        FollowupStore(db),
        clock,
        frozenset(admins),
        config.invite_hours,
        admins,
        config.timezone,
    )
    letters = LetterService(
        LetterStore(db),
        clock,
        FollowupStore(db),
        cite_form_copies=config.cite_form_copies,
        staff=staff,
    )
    staff.translations = letters  # the staff translation form writes through the letters
    un = UnService(
        UnStore(db),
        LetterStore(db),
        FollowupStore(db),
        staff,
        clock,
        Organisation(config.organisation_name, config.organisation_contact),
    )
    exporter = Exporter(db, clock, catalogs, priority=config.export_priority)
    exports = ExportService(staff, exporter, un, keys)
    services = Services(
        config=config,
        clock=clock,
        db=db,
        store=store,
        catalogs=catalogs,
        report=ReportService(
            store, clock, FormRunner(FollowupStore(db), clock), letters=letters, un=un
        ),
        staff=staff,
        un=un,
        exports=exports,
        letters=letters,
        followup=FollowupService(
            FollowupStore(db),
            LetterStore(db),
            clock,
            {"kg_law67": config.kg_answer_days} if config.kg_answer_days else None,
            cases=store,
        ),
        delivery=Delivery(InboxStore(db), clock),
        review=ReviewService(
            ReviewStore(db),
            store,
            letters,
            staff,
            FollowupStore(db),
            clock,
            enabled=config.letter_review,
            timezone=config.timezone,
        ),
        search=NameSearch(db, clock),
        office=DeskOffice(db, exports, clock),
        privacy=PrivacyService(store, clock),
        weblogin=WebLogin(WebStore(db), store, staff, clock),
    )
    letters.review_gate = services.review.hold
    services.followup.make_letter = letters.prepare_letter
    services.dossiers = DossierScreens(staff, un, letters, services.review)
    return services
