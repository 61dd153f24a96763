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
from datetime import date
from pathlib import Path

from bot.config import Config, ConfigError
from bot.storage.crypto import KeyError_
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
    if not config.encryption_key:
        raise ConfigError(
            "set IZDEU_ENCRYPTION_KEY to the new key (and the old ones in "
            "IZDEU_OLD_ENCRYPTION_KEYS)"
        )
    print(asyncio.run(move_to_key(config, encrypt=False)))
    return 0


def cmd_encrypt(args: argparse.Namespace, config: Config) -> int:
    """Seal a database that was run without a key, with IZDEU_ENCRYPTION_KEY."""
    if not config.encryption_key:
        raise ConfigError(
            "set IZDEU_ENCRYPTION_KEY to the key to seal the database with "
            "(make one with `python -m bot new-key`)"
        )
    print(asyncio.run(move_to_key(config, encrypt=True)))
    return 0


async def move_to_key(config: Config, encrypt: bool) -> str:
    """Move the database to IZDEU_ENCRYPTION_KEY: from clear (``encrypt``) or from the key
    that sealed it (``rotate-key``, that key among IZDEU_OLD_ENCRYPTION_KEYS)."""
    from bot.storage.crypto import Cipher
    from bot.storage.database import Database
    from bot.storage.maintenance import reseal
    from bot.storage.sealing import ENCRYPT, ROTATE, KeyMismatch, recorded

    if not config.db_path.exists():
        raise StorageUnavailable(f"no database at {config.db_path}")
    keys = [k for k in (*config.old_encryption_keys, config.encryption_key) if k]
    db = Database(config.db_path, config.sqlite_synchronous, Cipher(*keys))
    await db.open()
    try:
        exists, kid, _ = await recorded(db)
        if encrypt and kid is not None:
            raise KeyMismatch(
                f"the database is already sealed (key id {kid}): to change the key, run `{ROTATE}`"
            )
        if not encrypt and exists and kid is None:
            raise KeyMismatch(f"the database was written unencrypted: seal it with `{ENCRYPT}`")
        if kid is not None and not db.cipher.opens(kid):
            raise KeyMismatch(
                f"none of the keys given opens the database (sealed with key id "
                f"{kid}): put that key in IZDEU_OLD_ENCRYPTION_KEYS"
            )
        # The key that sealed comes first: the ids' old keyed form is computed with it.
        keys.sort(key=lambda k: Cipher(k).key_id != kid)
        old = Cipher(*keys) if kid is not None else Cipher(*config.old_encryption_keys)
        new = Cipher(config.encryption_key or "")
        rows = await reseal(db, old, new, config.admin_ids)
    finally:
        await db.close()
    return f"{rows} rows sealed with key id {new.key_id}; start the bot with this key only"


def cmd_backup(args: argparse.Namespace, config: Config) -> int:
    from bot.storage.maintenance import backup

    if not config.db_path.exists():
        raise StorageUnavailable(f"no database at {config.db_path}")
    pages = backup(config.db_path, args.path)
    print(f"backup written to {args.path} ({pages} pages)")
    return 0


def cmd_health(args: argparse.Namespace, config: Config) -> int:
    """Whether the bot on this database receives updates, the database takes writes and
    the letter worker answers, from the heartbeat the running bot writes every 15 s.
    Exit code 0 when all hold, 1 otherwise (for a process manager or a monitor)."""
    from bot.services.delivery import check_health

    if not config.db_path.exists():
        raise StorageUnavailable(f"no database at {config.db_path}")
    health = asyncio.run(check_health(config.db_path))
    print("\n".join(health.lines))
    print("healthy" if health.ok else "NOT healthy")
    return 0 if health.ok else 1


def cmd_export(args: argparse.Namespace, config: Config) -> int:
    """Export the database for the organisation, as the caseworkers' /export does.

    python -m bot export --format xlsx|csv|json|dossier|stats|bodies --out PATH
        [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--status S ...] [--citizenship KZ|KG|other]
        [--region CODE] [--full] [--case NUMBER] [--locale kk|ru|ky] [--table NAME]

    xlsx     a workbook with the sheets cases, letters, replies, events, audit, stats
    csv      a ZIP of one CSV per table (UTF-8); with --table cases|letters|replies|
             events|audit|stats, that one CSV
    json     one JSON document with every table, the notes and the statistics
    dossier  the PDF dossier of the case --case NUMBER, in --locale (default ru)
    stats    a PDF report of the statistics with charts, in --locale
    bodies   the anonymised report on how each body answers (PATH.pdf and PATH.csv), in
             --locale kk|ru|ky|en; counts below 5 are hidden (bot/replies/bodies.py)

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
        flt = ExportFilter(
            date_from=args.date_from,
            date_to=args.date_to,
            statuses=frozenset(args.status or ()),
            citizenship=args.citizenship,
            region=args.region,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.locale == "en" and args.format != "bodies":
        print("error: --locale en is for --format bodies only", file=sys.stderr)
        return 2
    if args.format == "dossier" and not args.case:
        print("error: --format dossier needs --case NUMBER", file=sys.stderr)
        return 2

    async def export() -> str:
        services = await open_services(config)
        try:
            exporter = Exporter(services.db, services.clock, services.catalogs)
            if args.format == "xlsx":
                result = await exporter.xlsx(
                    args.out,
                    flt,
                    actor_id=0,
                    full=args.full,
                    locale=args.locale,
                    tz=config.timezone,
                )
            elif args.format == "csv":
                result = await exporter.csv(
                    args.out, flt, actor_id=0, full=args.full, table=args.table
                )
            elif args.format == "json":
                result = await exporter.json(args.out, flt, actor_id=0, full=args.full)
            elif args.format == "bodies":
                from bot.replies.bodies import bodies_report

                csv_data, pdf = await bodies_report(
                    services.db, services.catalogs, args.locale, services.clock.now(), actor_id=0
                )
                _write_private(args.out.with_suffix(".pdf"), pdf)
                _write_private(args.out.with_suffix(".csv"), csv_data)
                return (
                    f"report on the bodies written to {args.out.with_suffix('.pdf')} and "
                    f"{args.out.with_suffix('.csv')}"
                )
            elif args.format == "dossier":
                dossier = await exporter.dossier(
                    args.case, args.locale, actor_id=0, full=args.full, tz=config.timezone
                )
                if dossier is None:
                    raise LookupError(f"no case {args.case}")
                _write_private(args.out, dossier)
                return f"dossier of {args.case} written to {args.out}"
            else:
                pdf = await exporter.stats_pdf(args.locale, flt, actor_id=0, tz=config.timezone)
                _write_private(args.out, pdf)
                return f"statistics written to {args.out}"
            counts = ", ".join(f"{name} {n}" for name, n in result.rows.items())
            masked = (
                "identity numbers masked" if result.masked else "FULL: identity numbers in clear"
            )
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


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


MAINTENANCE = {
    "new-key": cmd_new_key,
    "rotate-key": cmd_rotate_key,
    "encrypt": cmd_encrypt,
    "backup": cmd_backup,
    "export": cmd_export,
    "health": cmd_health,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the bot (offline terminal chat without a token)")
    run.add_argument("--offline", action="store_true", help="offline even if a token is set")
    letters = sub.add_parser("letters", help="render letters for review")
    letters.add_argument(
        "--sample",
        type=Path,
        required=True,
        metavar="OUT_DIR",
        help="render every letter kind in every language for sample cases",
    )
    sub.add_parser("new-key", help="print a new encryption key for IZDEU_ENCRYPTION_KEY")
    sub.add_parser(
        "rotate-key",
        help="re-seal all personal data with IZDEU_ENCRYPTION_KEY "
        "(old keys in IZDEU_OLD_ENCRYPTION_KEYS); bot stopped",
    )
    sub.add_parser(
        "encrypt",
        help="seal a database that was run without a key, with IZDEU_ENCRYPTION_KEY; bot stopped",
    )
    backup = sub.add_parser("backup", help="consistent copy of the database, also while it runs")
    backup.add_argument("path", type=Path)
    sub.add_parser(
        "health",
        help="does the running bot receive updates, is the database "
        "writable, is the letter worker alive (exit code 0 if so)",
    )
    export = sub.add_parser(
        "export",
        help="export cases, a dossier or statistics (audited)",
        description=cmd_export.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "--format", required=True, choices=["xlsx", "csv", "json", "dossier", "stats", "bodies"]
    )
    export.add_argument("--out", type=Path, required=True, metavar="PATH")
    export.add_argument("--from", dest="date_from", type=_day, metavar="YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", type=_day, metavar="YYYY-MM-DD")
    export.add_argument("--status", nargs="+", metavar="S")
    export.add_argument("--citizenship", choices=["KZ", "KG", "other"])
    export.add_argument("--region", help="ISO 3166-2 code of the last known region, e.g. RU-KDA")
    export.add_argument(
        "--full", action="store_true", help="identity numbers in clear (masked by default)"
    )
    export.add_argument("--case", metavar="NUMBER", help="the case of a dossier")
    export.add_argument(
        "--locale",
        default="ru",
        choices=["kk", "ru", "ky", "en"],
        help="en: the report on the bodies only",
    )
    export.add_argument(
        "--table",
        choices=["cases", "letters", "replies", "events", "audit", "stats"],
        help="with csv: this one table",
    )
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
    except (StorageUnavailable, ConfigError, KeyError_) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser.print_help()
    return 1
