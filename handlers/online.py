"""Running against Telegram (or a self-hosted Bot API server): polling or webhook."""

from __future__ import annotations

import asyncio
import logging
import secrets

from telegram import Update
from telegram.ext import Application

from bot.app import Services, open_services
from bot.config import Config
from handlers.app import build_application, default_rate_limiter, publish_commands

log = logging.getLogger(__name__)


def run_online(config: Config) -> None:
    """Open the core, build the bot and run it until interrupted."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    services: Services = loop.run_until_complete(open_services(config))
    app = build_application(services, rate_limiter=default_rate_limiter())

    async def post_init(application: Application) -> None:
        await publish_commands(application)
        await services.settle()

    async def post_shutdown(application: Application) -> None:
        await services.close()

    app.post_init = post_init
    app.post_shutdown = post_shutdown
    if config.webhook_url:
        # Without a secret anyone who finds the URL could post updates in any user's name:
        # make one for this run (Telegram receives it with setWebhook).
        secret = config.webhook_secret or secrets.token_urlsafe(32)
        log.info("starting webhook on %s:%s", config.webhook_listen, config.webhook_port)
        app.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            url_path="telegram",
            webhook_url=config.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
        )
    else:
        log.info("starting long polling")
        app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
