"""Building the PTB Application: handlers, update processing, errors.

The same function builds the real bot, the offline terminal chat, the tests'
application and the benchmark's: only the request object differs.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable
from typing import Any

from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.app import Services
from bot.i18n import LOCALES
from bot.services.operations import DuplicateUpdate, StorageUnavailable
from bot.services.staff import STAFF_ROLES
from handlers import (
    bodies,
    commands,
    exports,
    followup,
    jobs,
    letters,
    operations,
    outbox,
    report,
    review,
    routing,
    staff,
    un,
)
from handlers import keyboards as kb
from handlers.botclient import client
from handlers.common import (
    Context,
    current_user,
    keep_data_out_of_logs,
    say,
    services,
    translator,
    user_key,
)
from handlers.ratelimit import RepliesFirstRateLimiter
from handlers.views import followup as followup_views
from handlers.views import letters as letter_views
from handlers.views import un as un_views
from handlers.web.chat import web_command

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "7000000001:offline-local-token"


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently, one chat strictly in order.

    PTB's default handles one update at a time for the whole bot, which with a
    real round trip to Telegram caps it far below Telegram's own limits. A
    lock per chat keeps each conversation sequential (a double tap is handled
    after the first tap's answer is stored) while other chats proceed.

    Each update gets an outbox (``handlers.outbox``): its replies go out as one call
    when its handlers are done, still inside the chat's turn.
    """

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self.application: Application | None = None  # for errors while sending the replies

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await self._with_outbox(update, coroutine)
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        async with lock:
            await self._with_outbox(update, coroutine)

    async def _with_outbox(self, update: object, coroutine: Awaitable[Any]) -> None:
        box = outbox.Outbox()
        token = outbox.CURRENT.set(box)
        try:
            await coroutine
            try:
                await box.flush()
            except Exception as error:  # noqa: BLE001 - reported like a handler's error
                box.closed = True
                if self.application is None:
                    raise
                await self.application.process_error(update, error)
        finally:
            box.closed = True
            outbox.CURRENT.reset(token)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


# --- update bookkeeping -------------------------------------------------------
# bot_data key: ids of updates a previous run stored and did not finish (handlers.inbox).
RECOVERED = "recovered_updates"


async def skip_duplicates(update: Update, context: Context) -> None:
    """Telegram re-sends updates that were not acknowledged before a crash: apply each once."""
    if await services(context).operations.already_handled(update.update_id):
        log.info("update %s was already handled; ignored", update.update_id)
        if update.update_id in context.bot_data.get(RECOVERED, ()):
            await repeat_question(update, context)
        raise ApplicationHandlerStop


async def repeat_question(update: Update, context: Context) -> None:
    """The bot stopped after an answer was stored and perhaps before the next question went
    out: ask it now. The person may see it twice, but is never left without it. With a
    form open (the same one, or the next one its action opened) its question is asked; an
    answer to a form closed by its action was not an answer to the report."""
    s = services(context)
    key = user_key(update, context)
    form = await s.followup.forms.current(key) if key is not None else None
    if form is not None:  # the open form's question, whichever form it is
        await routing.ask_again(update, context, form)
        return
    user = await current_user(update, context)
    if user is None:  # nothing is stored before consent: the first step is the language
        if key is None or (await s.staff.actor(key)).role not in STAFF_ROLES:
            await report.start(update, context)
        return
    draft = await services(context).report.draft(user.user_id)
    if draft is not None:
        await report.show_step(update, context, translator(update, context, user), draft)


async def mark_handled(update: Update, context: Context) -> None:
    await services(context).operations.handled(update.update_id)


async def on_edited_message(update: Update, context: Context) -> None:
    user = await current_user(update, context)
    t = translator(update, context, user)
    await say(
        update,
        context,
        t(
            "Edited messages are not read. If you want to change an "
            "answer, send it again as a new message or use /back."
        ),
    )


async def on_unknown_button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is not None:
        user = await current_user(update, context)
        t = translator(update, context, user)
        await query.answer(t("This button no longer works."))


async def on_error(update: object, context: Context) -> None:
    """Log without personal data and tell the user, in their language, that nothing is lost."""
    error = context.error
    if isinstance(error, DuplicateUpdate):
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.warning("update %s: the user blocked the bot (%s)", update_id, type(error).__name__)
        key = user_key(update, context) if isinstance(update, Update) else None
        if key is not None:
            await services(context).operations.user_blocked(key)
        return
    log.error(
        "update %s failed: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        user = await current_user(update, context)
    except StorageUnavailable:
        user = None
    except Exception:  # noqa: BLE001 - the database itself may be what failed
        user = None
    t = translator(update, context, user)
    sorry = t(
        "Sorry, something went wrong on our side. What you entered before is saved; "
        "please try again in a moment."
    )
    box = outbox.current()
    if box is not None:  # said with the update's reply, once
        if not box.said(sorry):
            await say(update, context, sorry)
        return
    try:
        await context.bot.send_message(update.effective_chat.id, sorry)
    except TelegramError:
        log.warning("update %s: could not send the error notice", update_id)


# --- building -----------------------------------------------------------------
def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, skip_duplicates), group=-1)
    command_handlers = {
        "start": report.start,
        "help": routing.help_command,
        "language": commands.language_command,
        "new": report.new_command,
        "mycases": commands.mycases_command,
        "case": routing.case_command,
        "cancel": commands.cancel_command,
        "delete": commands.delete_command,
        "back": routing.back_command,
        "skip": routing.skip_command,
        "letters": letters.letters_command,
        "track": followup.track_command,
        "timeline": followup.timeline_command,
        "settings": routing.settings_command,
        "cases": staff.cases_command,
        "my": staff.my_command,
        "due": staff.due_command,
        "invite": staff.invite_command,
        "invites": staff.invites_command,
        "staff": staff.staff_command,
        "audit": staff.audit_command,
        "export": exports.export_command,
        "stats": exports.stats_command,
        "bodies": bodies.bodies_command,
        "un": un.un_command,
        "review": review.review_command,
        "web": web_command,
    }
    for name, callback in command_handlers.items():
        app.add_handler(CommandHandler(name, callback, filters=private))
    app.add_handler(
        CallbackQueryHandler(report.on_language_picked, pattern=rf"^{kb.PICK_LANGUAGE}:")
    )
    app.add_handler(CallbackQueryHandler(report.on_consent, pattern=rf"^{kb.CONSENT}:"))
    app.add_handler(CallbackQueryHandler(report.on_answer_button, pattern=rf"^{kb.ANSWER}:"))
    app.add_handler(CallbackQueryHandler(report.on_nav_button, pattern=rf"^{kb.NAV}:"))
    app.add_handler(CallbackQueryHandler(report.on_edit_button, pattern=rf"^{kb.EDIT}:"))
    app.add_handler(CallbackQueryHandler(commands.on_delete_button, pattern=rf"^{kb.DELETE}:"))
    app.add_handler(CallbackQueryHandler(routing.on_menu_button, pattern=rf"^{kb.MENU}:"))
    app.add_handler(
        CallbackQueryHandler(letters.on_letters_button, pattern=rf"^{letter_views.PREFIX}:")
    )
    app.add_handler(
        CallbackQueryHandler(followup.on_followup_button, pattern=rf"^{followup_views.PREFIX}:")
    )
    app.add_handler(CallbackQueryHandler(staff.on_staff_button, pattern=rf"^{staff.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(exports.on_export_button, pattern=rf"^{exports.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(un.on_un_button, pattern=rf"^{un_views.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(review.on_review_button, pattern=rf"^{review.PREFIX}:"))
    app.add_handler(CallbackQueryHandler(on_unknown_button))
    app.add_handler(
        MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.COMMAND, commands.unknown_command
        )
    )
    app.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, routing.route_message))
    app.add_handler(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, on_edited_message))
    app.add_handler(TypeHandler(Update, mark_handled), group=1)
    app.add_error_handler(on_error)
    operations.register(app)


def build_application(
    services_: Services,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter[Any] | None = None,
    concurrent: int = 64,
) -> Application:
    """The bot. ``request`` replaces the network (offline chat, tests, benchmark)."""
    keep_data_out_of_logs()
    config = services_.config
    bot = client(
        config.token or OFFLINE_TOKEN,
        base_url=config.api_base_url,
        base_file_url=config.api_file_url,
        request=request,
        updates_request=updates_request,
        rate_limiter=rate_limiter,
    )
    # No Updater: updates come from handlers.polling or handlers.webhook, which store
    # each one before Telegram is told it arrived (or from the offline chat and tests).
    processor = PerChatUpdateProcessor(concurrent)
    app = ApplicationBuilder().bot(bot).updater(None).concurrent_updates(processor).build()
    processor.application = app
    app.bot_data["services"] = services_
    register(app)
    jobs.schedule(app)
    return app


def default_rate_limiter() -> RepliesFirstRateLimiter:
    """Stay under Telegram's limits (30/s overall, 1/s per chat, 20/min per group), replies
    to people first; retry a 429 a few times honouring its retry_after."""
    return RepliesFirstRateLimiter()


async def publish_commands(app: Application) -> None:
    """The command menu in each language (Telegram shows the one matching the user's app)."""
    catalogs = app.bot_data["services"].catalogs
    for loc in LOCALES:
        t = catalogs.get(loc)
        cmds = [BotCommand(name, t(desc)) for name, desc in commands.COMMANDS]
        await app.bot.set_my_commands(cmds, language_code=loc)
    t = catalogs.get(None)
    await app.bot.set_my_commands([BotCommand(n, t(d)) for n, d in commands.COMMANDS])
