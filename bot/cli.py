"""The command line: ``python -m bot run`` and the maintenance commands.

Without ``TELEGRAM_BOT_TOKEN`` the bot runs as an offline terminal chat; with
it, for real (long polling, or a webhook when ``IZDEU_WEBHOOK_URL`` is set).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import Config, ConfigError
from bot.storage.database import StorageUnavailable


def _setup_logging(level: str, offline: bool) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL, and URLs carry the bot token; fontTools logs
    # every glyph it subsets while a letter is made.
    for noisy in ("httpx", "fontTools", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if offline:  # keep the terminal chat readable
        logging.getLogger().setLevel(logging.WARNING)


def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.app import open_services

    async def offline() -> None:
        from handlers.terminal import run_terminal

        services = await open_services(config)
        try:
            await run_terminal(services, language_code=os.environ.get("IZDEU_OFFLINE_LANGUAGE"))
        finally:
            await services.close()

    if config.offline or args.offline:
        asyncio.run(offline())
        return 0
    from handlers.online import run_online

    config.check_for_online()
    run_online(config)
    return 0


def cmd_new_key(args: argparse.Namespace, config: Config) -> int:
    from bot.storage.crypto import new_key

    print(new_key())
    return 0


def cmd_rotate_key(args: argparse.Namespace, config: Config) -> int:
    """Open with every configured key, seal everything again with the current one."""
    from bot.storage.crypto import Cipher
    from bot.storage.database import Database
    from bot.storage.maintenance import reseal

    if not config.encryption_key:
        raise ConfigError("set IZDEU_ENCRYPTION_KEY to the new key (and the old ones in "
                          "IZDEU_OLD_ENCRYPTION_KEYS)")

    async def rotate() -> int:
        old = Cipher(*config.old_encryption_keys, config.encryption_key)
        db = Database(config.db_path, config.sqlite_synchronous, old)
        await db.open()
        try:
            return await reseal(db, old, Cipher(config.encryption_key))
        finally:
            await db.close()

    print(f"{asyncio.run(rotate())} rows sealed with the new key")
    return 0


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from bot.storage.maintenance import backup

    if not config.db_path.exists():
        raise StorageUnavailable(f"no database at {config.db_path}")
    pages = backup(config.db_path, args.path)
    print(f"backup written to {args.path} ({pages} pages)")
    return 0


MAINTENANCE = {"new-key": cmd_new_key, "rotate-key": cmd_rotate_key, "backup": cmd_backup}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (offline terminal chat without a token)")
    run.add_argument("--offline", action="store_true", help="offline even if a token is set")
    letters = sub.add_parser("letters", help="render letters for review")
    letters.add_argument("--sample", type=Path, required=True, metavar="OUT_DIR",
                         help="render every letter kind in every language for sample cases")
    sub.add_parser("new-key", help="print a new encryption key for IZDEU_ENCRYPTION_KEY")
    sub.add_parser("rotate-key", help="re-seal all personal data with IZDEU_ENCRYPTION_KEY "
                                      "(old keys in IZDEU_OLD_ENCRYPTION_KEYS); bot stopped")
    backup = sub.add_parser("backup", help="consistent copy of the database, also while it runs")
    backup.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _setup_logging(config.log_level, config.offline and args.command in (None, "run"))
    try:
        if args.command in MAINTENANCE:
            return MAINTENANCE[args.command](args, config)
        if args.command in (None, "run"):
            if args.command is None:
                args.offline = False
            return cmd_run(args, config)
        if args.command == "letters":
            from bot.letters.sample import render_samples

            paths = render_samples(args.sample)
            print(f"{len(paths)} files written to {args.sample}")
            return 0
    except (StorageUnavailable, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 1
