"""Synthetic cases for measuring exports, and the measurement itself.

    python -m bot.exports.synthetic generate --db /tmp/bench.sqlite3 --cases 100000
    python -m bot.exports.synthetic bench --db /tmp/bench.sqlite3 [--formats csv xlsx json]

``generate`` adds N made-up cases (with letters, replies, events, notes and
assignments; names and numbers are invented) through ``ExportStore`` in large
``executemany`` transactions. Never run it against the real database.
``bench`` runs each export in a fresh process and prints its wall time, its
peak resident memory and the longest stall of the event loop meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot import regions
from bot.storage.database import Database
from bot.storage.exports import ExportStore, SyntheticRows

USER_BASE = 10**15  # far above Telegram's ids: a synthetic reporter is recognisable
VOLUNTEERS = tuple(USER_BASE - i for i in range(1, 6))
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

_FIRST = (
    "Әлібек",
    "Нұрлан",
    "Айбек",
    "Ерлан",
    "Қайрат",
    "Бекзат",
    "Азамат",
    "Үмітжан",
    "Марат",
    "Ғалым",
    "Нурбек",
    "Эрмек",
    "Улан",
    "Бакыт",
    "Чынгыз",
    "Төлөгөн",
)
_LAST = (
    "Құрманғазыұлы",
    "Сейітов",
    "Жұмабаев",
    "Оспанов",
    "Асанов",
    "Токтогулов",
    "Мамытов",
    "Өмірзақов",
    "Бектұров",
    "Жээнбеков",
    "Үсенов",
    "Һашимов",
)
_MOTHERS = ("Айгүл", "Гүлнара", "Жаңыл", "Сәуле", "Нургүл", "Бүбүсара", "Ұлжан", "Айжан")
_PLACES = (
    "Ростов-на-Дону, Ростовская область",
    "Москва, Москва",
    "Белгород, Белгородская область",
    "Новосибирск, Новосибирская область",
    "Екатеринбург, Свердловская область",
    "Донецк, ДНР",
    "Курск, Курская область",
    "Самара, Самарская область",
    "Казань, Республика Татарстан",
    "неизвестно",
    "Санкт-Петербург, Санкт-Петербург",
    "Краснодар, Краснодарский край",
    "",
)
_SENTENCES = (
    "Он уехал на заработки и перестал выходить на связь.",
    "Его задержали в общежитии и увезли на автобусе.",
    "Последний раз он звонил с чужого номера и сказал, что его заставили подписать контракт.",
    "Ол жұмысқа кетіп, хабарсыз кетті.",
    "Біз елшілікке хабарластық, бірақ жауап болмады.",
    "Ал кабарлашпай калды, телефону өчүк.",
    "Вербовщик обещал работу на стройке с хорошей зарплатой.",
    "Ему угрожали уголовным делом, если он не подпишет документы.",
    "Товарищ по комнате рассказал, что его забрали полицейские.",
)
_STATUSES = (
    "reported",
    "letters_ready",
    "letters_sent",
    "waiting",
    "answer_received",
    "located",
    "in_contact",
    "returned",
    "dead",
    "closed",
)
_STATUS_WEIGHTS = (8, 10, 12, 30, 20, 6, 5, 4, 2, 3)
_OUTCOMES = ("answered", "form", "forwarded", "extension", "refused", "found")
_OUTCOME_WEIGHTS = (20, 40, 10, 10, 15, 5)
_CLOSING = {"answered", "form", "refused", "found", "forwarded"}


def _bodies(citizenship: str) -> list[tuple[str, str]]:
    from bot.letters.directory import load_directory

    directory = load_directory()
    country = citizenship if citizenship in ("KZ", "KG") else "KZ"
    return [
        (a.id, a.letter_kind) for a in directory.values() if a.country in (country, "RU", "INT")
    ]


def _answers(rng: random.Random, citizenship: str, created: datetime) -> dict[str, Any]:
    name = f"{rng.choice(_LAST)} {rng.choice(_FIRST)}"
    story = " ".join(rng.choice(_SENTENCES) for _ in range(rng.randint(2, 25)))
    if rng.random() < 0.01:  # the occasional text a spreadsheet would take for a formula
        story = '=HYPERLINK("http://example.com","x") ' + story
    answers: dict[str, Any] = {
        "r_name": f"{rng.choice(_MOTHERS)} {rng.choice(_LAST)}",
        "r_rel": rng.choice(("mother", "father", "wife", "sister", "brother")),
        "r_gender": rng.choice(("m", "f")),
        "r_phone": f"+7701{rng.randrange(10**7):07d}",
        "r_addr": "Алматы қ., Абай даңғылы 1, 050000",
        "m_name": name,
        "m_latin": "SYNTHETIC PERSON",
        "m_birth": date(
            rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat(),
        "m_gender": "m",
        "m_cit": citizenship,
        "e_date": (created.date() - timedelta(days=rng.randint(5, 400))).isoformat(),
        "e_how": rng.choice(("call", "message", "meeting", "other")),
        "e_place": (place := rng.choice(_PLACES)),
        "e_region": regions.guess(place),  # as if picked from the list
        "e_what": rng.choice(("force", "prison", "migration", "signed", "mobilised", "work")),
        "e_story": story[:3000],
        "e_resp": rng.choice(("pmc", "unit", "police", "recruiters", "unknown")),
        "e_contract": rng.choice(("yes", "no", "unk")),
        "e_renounced": rng.choice(("no", "unk")),
        "evidence": [
            {
                "kind": rng.choice(("photo", "document", "voice")),
                "file_id": f"SYN{i}",
                "file_unique_id": f"SYNU{i}",
                "description": "Скриншот переписки",
                "file_name": f"file{i}.pdf",
            }
            for i in range(rng.randint(0, 4))
        ],
        "actions": [{"body": "embassy", "date": "2026-01-10", "outcome": "form"}]
        if rng.random() < 0.3
        else [],
    }
    if citizenship == "other":
        answers["m_cit_other"] = "Таджикистан"
    if rng.random() < 0.6:
        answers["r_email"] = f"family{rng.randrange(10**6)}@example.kz"
    if rng.random() < 0.7:
        answers["r_id"] = f"{rng.randrange(10**12):012d}"
    if rng.random() < 0.5:
        answers["m_id"] = f"{rng.randrange(10**12):012d}"
    if rng.random() < 0.4:
        answers["m_passport"] = f"N{rng.randrange(10**8):08d}"
    if answers["e_resp"] != "unknown" and rng.random() < 0.4:
        answers["e_resp_text"] = "Вербовщик, тел. +7 900 000 00 00"
    if rng.random() < 0.2:
        answers["e_unit"] = "в/ч 00000"
    return answers


async def generate(
    db: Database, n: int, *, seed: int = 1, start: datetime = START, chunk: int = 5000
) -> int:
    """Insert ``n`` synthetic cases (about 3 letters, 1 reply and 8 events each); returns n."""
    store = ExportStore(db)
    rng = random.Random(seed)
    ids = await store.last_ids()
    next_id = {k: v + 1 for k, v in ids.items()}
    done = 0
    staff_rows = [(v, "volunteer", "ru", start) for v in VOLUNTEERS]
    while done < n:
        size = min(chunk, n - done)
        rows = SyntheticRows(staff=staff_rows if done == 0 else [])
        per_prefix: dict[tuple[str, int], list[int]] = {}
        plans: list[tuple[str, datetime, str]] = []  # citizenship, created, number prefix
        for _ in range(size):
            citizenship = rng.choices(("KZ", "KG", "other"), (55, 40, 5))[0]
            created = start - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
            prefix = {"KZ": "KZ", "KG": "KG"}.get(citizenship, "XX")
            per_prefix.setdefault((prefix, created.year), []).append(len(plans))
            plans.append((citizenship, created, prefix))
        numbers: dict[int, str] = {}
        for (prefix, year), members in per_prefix.items():
            first = await store.reserve_case_numbers(prefix, year, len(members))
            for k, index in enumerate(members):
                numbers[index] = f"{prefix}-{year}-{first + k:04d}"
        for index, (citizenship, created, _prefix) in enumerate(plans):
            case_id = next_id["cases"]
            next_id["cases"] += 1
            reporter = USER_BASE + case_id
            rows.users.append((reporter, reporter, rng.choice(("kk", "ru", "ky")), created))
            status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
            answers = _answers(rng, citizenship, created)
            updated = created + timedelta(days=rng.randint(0, 60))
            rows.cases.append(
                (
                    case_id,
                    numbers[index],
                    reporter,
                    status,
                    citizenship,
                    answers,
                    rng.random() < 0.5,
                    created,
                    updated,
                )
            )
            events: list[tuple[datetime, str, int, dict[str, Any]]] = [
                (created, "created", reporter, {})
            ]
            bodies = _bodies(citizenship)
            for addressee, kind in rng.sample(bodies, k=min(len(bodies), rng.randint(2, 4))):
                letter_id = next_id["letters"]
                next_id["letters"] += 1
                generated = created + timedelta(days=rng.randint(0, 5))
                sent = (
                    generated.date() + timedelta(days=rng.randint(0, 10))
                    if rng.random() < 0.7
                    else None
                )
                due = sent + timedelta(days=30) if sent else None
                closed = False
                events.append(
                    (
                        generated,
                        "letter",
                        reporter,
                        {
                            "letter_id": letter_id,
                            "addressee": addressee,
                            "kind": kind,
                            "language": "ru",
                        },
                    )
                )
                if sent:
                    events.append(
                        (
                            generated + timedelta(days=1),
                            "sent",
                            reporter,
                            {
                                "letter_id": letter_id,
                                "addressee": addressee,
                                "channel": "registered",
                                "on": sent.isoformat(),
                                "due": due.isoformat() if due else None,
                            },
                        )
                    )
                    if rng.random() < 0.5:
                        outcome = rng.choices(_OUTCOMES, _OUTCOME_WEIGHTS)[0]
                        received = sent + timedelta(days=rng.randint(3, 60))
                        reply_id = next_id["replies"]
                        next_id["replies"] += 1
                        at = datetime.combine(received, datetime.min.time(), UTC)
                        rows.replies.append(
                            (
                                reply_id,
                                letter_id,
                                case_id,
                                received,
                                outcome,
                                "Сведениями не располагаем" if outcome == "form" else "",
                                at,
                            )
                        )
                        events.append(
                            (
                                at,
                                "reply",
                                reporter,
                                {
                                    "letter_id": letter_id,
                                    "addressee": addressee,
                                    "outcome": outcome,
                                    "on": received.isoformat(),
                                },
                            )
                        )
                        closed = outcome in _CLOSING
                rows.letters.append(
                    (
                        letter_id,
                        case_id,
                        addressee,
                        kind,
                        "synthetic",
                        None,
                        None,
                        "ru",
                        generated,
                        sent,
                        "registered" if sent else None,
                        f"№{rng.randrange(10**5)}" if sent and rng.random() < 0.3 else None,
                        due,
                        closed,
                        created,
                    )
                )
            events.append((updated, "status", reporter, {"status": status}))
            for at, kind, actor, detail in events:
                rows.events.append((next_id["case_events"], case_id, at, kind, actor, detail))
                next_id["case_events"] += 1
            if rng.random() < 0.3:
                rows.assignments.append((case_id, rng.choice(VOLUNTEERS), updated))
            if rng.random() < 0.1:
                rows.notes.append(
                    (
                        next_id["notes"],
                        case_id,
                        VOLUNTEERS[0],
                        "Позвонили семье, ждём документы.",
                        updated,
                    )
                )
                next_id["notes"] += 1
        await store.insert_synthetic(rows)
        done += size
    return n


# --- measuring -------------------------------------------------------------------------------
def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


async def measure_one(
    db_path: Path, fmt: str, out: Path, batch_size: int | None = None, full: bool = False
) -> dict[str, Any]:
    """Run one export in this process; its time, peak memory, rows and longest loop stall."""
    from bot.exports.service import Exporter
    from bot.storage.exports import BATCH_SIZE

    db = Database(db_path)
    await db.open(check=False)
    exporter = Exporter(db, batch_size=batch_size or BATCH_SIZE)
    stall = 0.0
    running = True

    async def ticker() -> None:
        nonlocal stall
        loop = asyncio.get_running_loop()
        while running:
            before = loop.time()
            await asyncio.sleep(0.005)
            stall = max(stall, loop.time() - before - 0.005)

    rss_before = _rss_mb()
    tick = asyncio.create_task(ticker())
    began = time.perf_counter()
    try:
        if fmt == "xlsx":
            result = await exporter.xlsx(out, actor_id=0, full=full)
        elif fmt == "csv":
            result = await exporter.csv(out, actor_id=0, full=full)
        elif fmt == "json":
            result = await exporter.json(out, actor_id=0, full=full)
        else:
            raise ValueError(fmt)
        seconds = time.perf_counter() - began
    finally:
        running = False
        await tick
        await db.close()
    return {
        "format": fmt,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_mb": round(rss_before, 1),
        "max_loop_stall_ms": round(stall * 1000, 1),
        "rows": result.total,
        "cases": result.rows.get("cases", 0),
        "bytes": out.stat().st_size,
        "batches": sum(exporter.store.fetches.values()),
    }


def time_exports(
    db_path: Path, formats: tuple[str, ...] = ("csv", "xlsx", "json"), out_dir: Path | None = None
) -> list[dict[str, Any]]:
    """Time each export in a fresh process (so peak memory is the export's own) and print it."""
    results = []
    with tempfile.TemporaryDirectory(prefix="izdeu-bench-") as tmp:
        target = out_dir or Path(tmp)
        for fmt in formats:
            out = target / f"export.{'zip' if fmt == 'csv' else fmt}"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bot.exports.synthetic",
                    "one",
                    "--db",
                    str(db_path),
                    "--format",
                    fmt,
                    "--out",
                    str(out),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(proc.stdout.strip().splitlines()[-1])
            results.append(figures)
            print(
                f"{fmt:5} {figures['cases']:>7} cases {figures['rows']:>8} rows "
                f"{figures['seconds']:>7.2f} s  peak RSS {figures['peak_rss_mb']:>6.1f} MB "
                f"(before {figures['rss_before_mb']:.1f})  loop stall "
                f"{figures['max_loop_stall_ms']:>5.1f} ms  {figures['bytes'] / 1e6:.1f} MB "
                f"file",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.exports.synthetic",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="add synthetic cases to a database")
    gen.add_argument("--db", type=Path, required=True)
    gen.add_argument("--cases", type=int, required=True)
    gen.add_argument("--seed", type=int, default=1)
    bench = sub.add_parser("bench", help="time each export in a fresh process")
    bench.add_argument("--db", type=Path, required=True)
    bench.add_argument(
        "--formats", nargs="+", default=["csv", "xlsx", "json"], choices=["csv", "xlsx", "json"]
    )
    one = sub.add_parser("one", help="run one export and print its figures as JSON")
    one.add_argument("--db", type=Path, required=True)
    one.add_argument("--format", required=True, choices=["csv", "xlsx", "json"])
    one.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "generate":

        async def run() -> None:
            db = Database(args.db)
            await db.open(check=False)
            try:
                began = time.perf_counter()
                await generate(db, args.cases, seed=args.seed)
                print(f"{args.cases} cases added in {time.perf_counter() - began:.1f} s")
            finally:
                await db.close()

        asyncio.run(run())
    elif args.command == "bench":
        time_exports(args.db, tuple(args.formats))
    else:
        print(json.dumps(asyncio.run(measure_one(args.db, args.format, args.out))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
