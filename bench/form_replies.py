"""Carbon-copy matching at scale: the cost of logging one reply with its text when the
database already holds N replies with signatures (100,000 by default).

    python -m bench.form_replies                      # 100k replies, about a minute on 2 CPUs
    python -m bench.form_replies --replies 10000 --samples 100

The database is made once in a temporary folder: synthetic cases and letters
(``bot.exports.synthetic.generate``), then N replies spread over those letters, 70%
of them copies of 40 form texts per body (names, dates and numbers varied) and 30%
individual texts, each with its MinHash signature and LSH bands. Then ``--samples``
new replies are logged through the real storage call (``FollowupStore.add_reply``,
which finds the candidates through the band index, compares their signatures and
writes the reply, its signature and its bands in one transaction), and, for
comparison, the same number of matches by reading every signature of the body (the
scan the index avoids). Printed: the time to make a signature, the index path and
the scan path (median and p99, milliseconds), and the share of copies recognised.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from bot.exports.synthetic import generate
from bot.replies.matching import Signature, is_copy, signature
from bot.storage.database import Database
from bot.storage.followup import FollowupStore
from bot.storage.store import LetterStore

NAMES = [
    "Айгуль Сериковна",
    "Бакыт Асанович",
    "Гульнара Токтогуловна",
    "Ерлан Маратович",
    "Нургуль Жумабаевна",
    "Талант Кубатович",
    "Сауле Ермековна",
    "Азамат Бекович",
]
PHRASES = [
    "сообщаем что сведениями о нахождении указанного лица не располагаем",
    "ваше обращение рассмотрено в установленном порядке",
    "розыск граждан осуществляют органы внутренних дел по месту жительства",
    "рекомендуем обратиться в территориальный орган по месту последнего пребывания",
    "информация о прохождении службы относится к сведениям ограниченного доступа",
    "разъясняем что обращение направлено по принадлежности для рассмотрения",
    "в случае несогласия с ответом вы вправе обжаловать его в вышестоящий орган",
    "проверка по вашему заявлению продолжается о результатах вам будет сообщено",
    "по учётам сведений о задержании указанного гражданина не имеется",
    "запрос направлен в воинскую часть ответ будет направлен дополнительно",
    "установлено что указанное лицо проходит лечение в медицинском учреждении",
    "свидание возможно по разрешению следователя в производстве которого находится дело",
]


def form_text(rng: random.Random, body: str, template: int) -> str:
    """One of a body's form texts, addressed to one family."""
    t = random.Random(f"{body}-{template}")
    sentences = t.sample(PHRASES, 6)
    return (
        f"Уважаемая {rng.choice(NAMES)}! На Ваше обращение от "
        f"{rng.randint(1, 28)}.{rng.randint(1, 12):02d}.2026 № ОГ-{rng.randint(1, 9999)} "
        + ". ".join(sentences)
        + f". Исполнитель {rng.choice(NAMES)}"
    )


def individual_text(rng: random.Random) -> str:
    words = " ".join(rng.choice(PHRASES) for _ in range(6)).split()
    rng.shuffle(words)
    return " ".join(words)


def build(path: Path, cases: int, replies: int, seed: int) -> list[tuple[int, int, str]]:
    """Cases and letters, then ``replies`` replies with their signatures and bands."""
    db = Database(path)

    async def make() -> None:
        await db.open()
        await generate(db, cases, seed=seed)
        await db.close()

    asyncio.run(make())
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    letters = conn.execute("SELECT id, case_id, addressee_id FROM letters").fetchall()
    rows, sigs, bands = [], [], []
    first = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM replies").fetchone()[0]) + 1
    for i in range(replies):
        letter_id, case_id, body = rng.choice(letters)
        text = (
            form_text(rng, body, rng.randrange(40)) if rng.random() < 0.7 else individual_text(rng)
        )
        sig = signature(text)
        reply_id = first + i
        rows.append(
            (
                reply_id,
                letter_id,
                case_id,
                "2026-11-01",
                "answered",
                None,
                "",
                None,
                "2026-11-01T00:00:00+00:00",
                text,
                0,
            )
        )
        if sig is not None:
            sigs.append((reply_id, body, sig.to_bytes()))
            bands += [(body, b, h, reply_id) for b, h in enumerate(sig.bands)]
    conn.executemany(
        "INSERT INTO replies(id, letter_id, case_id, received_on, outcome, "
        "forwarded_to, summary, file, created_at, text, copies) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("INSERT INTO reply_signatures VALUES (?, ?, ?)", sigs)
    conn.executemany("INSERT INTO reply_bands VALUES (?, ?, ?, ?)", bands)
    conn.commit()
    conn.close()
    return letters


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def measure(
    path: Path, letters: list[tuple[int, int, str]], samples: int, seed: int
) -> dict[str, float]:
    db = Database(path)
    await db.open()
    store, letter_store = FollowupStore(db), LetterStore(db)
    rng = random.Random(seed + 1)
    make, indexed, scanned, found = [], [], [], 0
    now = datetime.now(UTC)
    try:
        for _ in range(samples):
            letter_id, _case, body = rng.choice(letters)
            row = await letter_store.get_letter(letter_id)
            assert row is not None
            text = form_text(rng, body, rng.randrange(40))
            began = time.perf_counter()
            sig = signature(text)
            make.append(time.perf_counter() - began)
            assert sig is not None
            began = time.perf_counter()
            reply_id = await store.add_reply(
                row,
                date(2026, 11, 20),
                "answered",
                None,
                "",
                None,
                False,
                now,
                0,
                text=text,
                signature=sig,
            )
            indexed.append(time.perf_counter() - began)
            found += bool(
                next(
                    r for r in await store.replies_of_case(row.case_id) if r.id == reply_id
                ).copies
            )
            began = time.perf_counter()
            async with db.reading() as conn:
                every = await conn.execute_fetchall(
                    "SELECT minhash FROM reply_signatures WHERE addressee_id = ?", (body,)
                )
            sum(is_copy(sig, Signature.from_bytes(r["minhash"])) for r in every)
            scanned.append(time.perf_counter() - began)
    finally:
        await db.close()
    ms = 1000.0
    return {
        "signature_median_ms": statistics.median(make) * ms,
        "index_median_ms": statistics.median(indexed) * ms,
        "index_p99_ms": percentile(indexed, 0.99) * ms,
        "scan_median_ms": statistics.median(scanned) * ms,
        "scan_p99_ms": percentile(scanned, 0.99) * ms,
        "copies_recognised": found / samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "replies.sqlite3"
        began = time.perf_counter()
        letters = build(path, args.cases, args.replies, args.seed)
        print(
            f"built {args.replies} replies over {len(letters)} letters "
            f"in {time.perf_counter() - began:.0f} s"
        )
        figures = asyncio.run(measure(path, letters, args.samples, args.seed))
    for name, value in figures.items():
        print(f"{name:>22}: {value:.3f}")


if __name__ == "__main__":
    main()
