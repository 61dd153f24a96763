"""What keeps an operator informed and the data safe: error reports to the administrators
in the chat, and backups on a schedule (settings in ``bot.config``, README "Operating")."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.alerts import ErrorGroup
from bot.app import Services
from bot.backups import scheduled_backup
from bot.i18n import Translator
from bot.services.followup import DEFAULT_TZ
from bot.storage.store import DuplicateUpdate

log = logging.getLogger(__name__)

FIRST_BACKUP_SECONDS = 300  # not in the rush of start-up


def register(app: Application) -> None:
    """PTB's error handler mechanism: this one runs beside the one that answers the user."""
    app.add_error_handler(note_error)
    services: Services = app.bot_data["services"]
    config = services.config
    if app.job_queue is None:
        return
    if config.error_report_minutes > 0 and config.admin_ids:
        app.job_queue.run_repeating(
            error_report_job,
            interval=config.error_report_minutes * 60,
            first=60,
            name="error-report",
        )
    if config.backup_hours > 0:
        app.job_queue.run_repeating(
            backup_job,
            interval=config.backup_hours * 3600,
            first=FIRST_BACKUP_SECONDS,
            name="backup",
        )


async def note_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    # A family that blocked the bot is its choice, not the operator's problem.
    if error is None or isinstance(error, (DuplicateUpdate, Forbidden)):
        return
    services: Services = context.application.bot_data["services"]
    update_id = update.update_id if isinstance(update, Update) else None
    services.errors.record(error, update_id, services.clock.now())


async def error_report_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_error_report(context.application)


async def send_error_report(app: Application) -> int:
    """Send the errors grouped since the last report to every administrator; returns how
    many administrators received it (none when there was nothing to report)."""
    services: Services = app.bot_data["services"]
    since, groups, dropped = services.errors.take()
    if since is None:
        return 0
    sent = 0
    for admin in sorted(services.config.admin_ids):
        try:
            user = await services.store.get_user(services.user_key(admin))
        except Exception:  # noqa: BLE001 - the database may be what fails: report anyway
            user = None
        t = services.catalogs.get(user.locale if user else None)
        try:
            await app.bot.send_message(admin, error_report(t, since, groups, dropped))
            sent += 1
        except TelegramError as exc:  # a report must never raise into the error handler
            log.warning("error report not delivered: %s", type(exc).__name__)
    return sent


def error_report(t: Translator, since: datetime, groups: list[ErrorGroup], dropped: int) -> str:
    lines = [
        t(
            "Errors since {time} (error types and update ids only):",
            time=t.datetime(since, "short", tz=DEFAULT_TZ),
        )
    ]
    for g in groups:
        ids = ", ".join(str(i) for i in g.update_ids)
        line = t(
            "{count} × {kind} at {place}", count=t.number(g.count), kind=g.kind, place=g.where
        )
        lines.append(f"• {line}" + (" — " + t("updates {ids}", ids=ids) if ids else ""))
    if dropped:
        lines.append(t("Other errors, not grouped: {count}", count=t.number(dropped)))
    lines.append(t("Details without personal data are in the bot's log."))
    return "\n".join(lines)


async def backup_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.application.bot_data["services"]
    config = services.config
    path = await scheduled_backup(
        config.db_path, config.backups, config.backup_keep, services.clock.now()
    )
    log.info("backup written: %s", path.name)
