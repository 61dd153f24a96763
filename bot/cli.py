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


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    """Export the database for the organisation, as the caseworkers' /export does.

    python -m bot export --format xlsx|csv|json|dossier|stats --out PATH
        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--status S ...] [--citizenship KZ|KG|other]
        [--full] [--case NUMBER] [--locale kk|ru|ky] [--table NAME]

    xlsx     a workbook with the sheets cases, letters, replies, events, audit, stats
    csv      a ZIP of one CSV per table (UTF-8); with --table cases|letters|replies|
             events|audit|stats, that one CSV
    json     one JSON document with every table, the notes and the statistics
    dossier  the PDF dossier of the case --case NUMBER, in --locale (default ru)
    stats    a PDF report of the statistics with charts, in --locale

    --from/--to bound the day a case was created (UTC, both inclusive); --status
    takes one or more statuses (reported, waiting, ...); letters, replies and
    events follow their cases, the audit log follows the dates only. Identity
    numbers (IIN/PIN, passport) are masked unless --full is given. The database
    is the one the bot uses (IZDEU_DB_PATH / IZDEU_DATA_DIR, opened with
    IZDEU_ENCRYPTION_KEY); the export is written to PATH readable by its owner
    only, and recorded in the audit log with actor 0 (the command line).
    """
    from bot.app import open_services
    from bot.exports import Exporter, ExportFilter

    try:
        flt = ExportFilter(date_from=args.date_from, date_to=args.date_to,
                           statuses=frozenset(args.status or ()), citizenship=args.citizenship)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.format == "dossier" and not args.case:
        print("error: --format dossier needs --case NUMBER", file=sys.stderr)
        return 2

    async def export() -> str:
        services = await open_services(config)
        try:
            exporter = Exporter(services.db, services.clock, services.catalogs)
            if args.format == "xlsx":
                result = await exporter.xlsx(args.out, flt, actor_id=0, full=args.full)
            elif args.format == "csv":
                result = await exporter.csv(args.out, flt, actor_id=0, full=args.full,
                                            table=args.table)
            elif args.format == "json":
                result = await exporter.json(args.out, flt, actor_id=0, full=args.full)
            elif args.format == "dossier":
                pdf = await exporter.dossier(args.case, args.locale, actor_id=0, full=args.full)
                if pdf is None:
                    raise LookupError(f"no case {args.case}")
                _write_private(args.out, pdf)
                return f"dossier of {args.case} written to {args.out}"
            else:
                pdf = await exporter.stats_pdf(args.locale, flt, actor_id=0)
                _write_private(args.out, pdf)
                return f"statistics written to {args.out}"
            counts = ", ".join(f"{name} {n}" for name, n in result.rows.items())
            masked = "identity numbers masked" if result.masked else "FULL: identity numbers in clear"
            return f"{args.out}: {counts} ({masked})"
        finally:
            await services.close()

    try:
        print(asyncio.run(export()))
    except (LookupError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (it holds personal data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(data)


def _day(value: str) -> "date":
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


MAINTENANCE = {"new-key": cmd_new_key, "rotate-key": cmd_rotate_key, "backup": cmd_backup,
               "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
    export = sub.add_parser("export", help="export cases, a dossier or statistics (audited)",
                            description=cmd_export.__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--format", required=True,
                        choices=["xlsx", "csv", "json", "dossier", "stats"])
    export.add_argument("--out", type=Path, required=True, metavar="PATH")
    export.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD")
    export.add_argument("--status", nargs="+", metavar="S")
    export.add_argument("--citizenship", choices=["KZ", "KG", "other"])
    export.add_argument("--full", action="store_true",
                        help="identity numbers in clear (masked by default)")
    export.add_argument("--case", metavar="NUMBER", help="the case of a dossier")
    export.add_argument("--locale", default="ru", choices=["kk", "ru", "ky"])
    export.add_argument("--table", choices=["cases", "letters", "replies", "events", "audit",
                                            "stats"], help="with csv: this one table")
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
