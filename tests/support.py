"""Driving the real application like a user would, through the local Bot API stand-in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import Services, open_services
from bot.clock import ManualClock
from bot.config import Config
from bot.i18n import Translator
from bot.letters.translations import texts
from handlers.app import build_application
from handlers.localapi import Call, LocalBotAPI
from handlers.updates import UpdateFactory

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def make_iin(first11: str) -> str:
    """Append the check digit to 11 digits (an independent copy of the published rule)."""
    digits = [int(c) for c in first11]
    total = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
    assert total != 10, "pick other digits"
    return first11 + str(total)


@dataclass
class Bot:
    """One running application with its services; can be restarted on the same database."""

    config: Config
    clock: ManualClock
    services: Services
    api: LocalBotAPI
    app: Application
    chats: dict[int, Chat] = field(default_factory=dict)

    @classmethod
    async def start(
        cls,
        db_dir: Path,
        clock: ManualClock | None = None,
        admin_ids: frozenset[int] = frozenset({1}),
        key: str | None = None,
        old_keys: tuple[str, ...] = (),
        delay: float = 0.0,
        export_priority: str = "low",
    ) -> Bot:
        """The bot on a fresh stand-in Bot API; ``delay`` is its round trip (seconds).

        Exports run at the ``low`` priority: the test run keeps every CPU busy (one worker
        more than CPUs), the machine an idle-scheduled export waits on indefinitely
        (tests/test_export_process.py). The benchmark passes the shipped ``idle``."""
        config = Config(
            db_path=db_dir / "izdeu.sqlite3",
            data_dir=db_dir,
            admin_ids=admin_ids,
            encryption_key=key,
            old_encryption_keys=old_keys,
            export_priority=export_priority,
        )
        clock = clock or ManualClock(START)
        services = await open_services(config, clock)
        api = LocalBotAPI(delay)
        app = build_application(services, request=api)
        await app.initialize()
        return cls(config, clock, services, api, app)

    async def stop(self) -> None:
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await self.services.close()

    async def restart(self) -> Bot:
        await self.stop()
        return await Bot.start(
            self.config.db_path.parent,
            self.clock,
            self.config.admin_ids,
            self.config.encryption_key,
        )

    def chat(self, user_id: int, language_code: str | None = None) -> Chat:
        return Chat(self, UpdateFactory(self.app.bot, user_id, language_code))

    def t(self, locale: str) -> Translator:
        return self.services.catalogs.get(locale)


@dataclass
class Chat:
    bot: Bot
    make: UpdateFactory

    @property
    def user_id(self) -> int:
        return self.make.user.id

    async def process(self, update: Update) -> None:
        """As the running application does: through its update processor (which sends
        each update's replies when its handlers are done)."""
        app = self.bot.app
        await app.update_processor.process_update(update, app.process_update(update))

    async def send(self, text: str) -> None:
        await self.process(self.make.text(text))

    async def contact(self, phone: str) -> None:
        await self.process(self.make.contact(phone))

    def messages(self) -> list[Call]:
        return self.bot.api.messages(self.user_id)

    def last(self) -> Call:
        return self.bot.api.last_message(self.user_id)

    def last_text(self) -> str:
        return self.last().text

    def texts(self, since: int = 0) -> list[str]:
        return [c.text for c in self.messages()[since:]]

    def mark(self) -> int:
        return len(self.messages())

    def last_with_buttons(self) -> Call:
        for call in reversed(self.messages()):
            if call.buttons():
                return call
        raise AssertionError("no message with buttons")

    def button(self, wanted: str) -> tuple[str, Call]:
        """Callback data of the newest button whose data ends with ':wanted' or text is wanted."""
        call = self.last_with_buttons()
        for text, data in call.buttons():
            if data and (
                data.endswith(":" + wanted)
                or data == wanted
                or text == wanted
                or text.endswith(" " + wanted)
            ):
                return data, call
        raise AssertionError(f"no button {wanted!r} in {call.buttons()}")

    async def press(self, wanted: str) -> None:
        data, call = self.button(wanted)
        await self.process(self.make.press(data, call.result))

    async def press_data(self, data: str, source: dict[str, Any] | None = None) -> None:
        await self.process(self.make.press(data, source))


async def consent(chat: Chat, locale: str) -> None:
    await chat.send("/start")
    await chat.press(f"lang:{locale}")
    await chat.press(f"consent:{locale}:y")


KZ_REPORT: list[tuple[str, str]] = [
    # (action, value): "send" text, "press" button code, "contact", "photo", "doc"
    ("send", "Айгүл Төлөгөнова"),
    ("press", "mother"),
    ("press", "f"),
    ("contact", "+77011234567"),
    ("send", "Алматы қ., Абай даңғылы 1, 2-пәтер, 050000"),
    ("send", "aigul@example.kz"),
    ("send", make_iin("70031545012")),
    ("send", "Әлібек Құрманғазыұлы"),
    ("send", "ALIBEK KURMANGAZIULY"),
    ("send", "18.03.1994"),
    ("press", "m"),
    ("press", "KZ"),
    ("press", "skip"),
    ("send", "N12345678"),
    ("photo", ""),
    ("send", "5 наурыз 2026"),
    ("press", "call"),
    ("send", "ростовская"),
    ("press", "RU-ROS"),
    ("send", "Ростов-на-Дону, общежитие на ул. Текучёва"),
    ("press", "force"),
    ("press", "done"),  # "what happened" takes several answers
    ("send", "Его задержали в общежитии и увезли на автобусе."),
    ("press", "pmc"),
    ("send", "Вербовщик Иван, тел. +7 900 000 00 00"),
    ("press", "skip"),
    ("press", "skip"),
    ("press", "no"),
    ("press", "unk"),
    ("doc", "screenshot.pdf"),
    ("send", "Переписка с вербовщиком"),
    ("press", "done"),
    ("press", "embassy"),
    ("send", "10.03.2026"),
    ("press", "form"),
    ("send", "Ответили, что сведений нет"),
    ("press", "done"),
]


async def fill(chat: Chat, steps: list[tuple[str, str]]) -> None:
    for action, value in steps:
        if action == "send":
            await chat.send(value)
        elif action == "press":
            await chat.press(value)
        elif action == "contact":
            await chat.contact(value)
        elif action == "photo":
            await chat.process(chat.make.photo(value or None))
        elif action == "doc":
            await chat.process(chat.make.document(value))
        else:
            raise AssertionError(action)


# The free texts of KZ_REPORT as the family gives them again for letters in another language.
KZ_REPORT_TRANSLATIONS: dict[str, dict[str, str]] = {
    "Алматы қ., Абай даңғылы 1, 2-пәтер, 050000": {"ru": "г. Алматы, пр. Абая, 1, кв. 2, 050000"},
    "Ростов-на-Дону, общежитие на ул. Текучёва": {
        "kk": "Ростов-на-Дону қаласы, Текучев көшесіндегі жатақхана"
    },
    "Его задержали в общежитии и увезли на автобусе.": {
        "kk": "Оны жатақханада ұстап, автобуспен әкетті."
    },
    "Вербовщик Иван, тел. +7 900 000 00 00": {"kk": "Иван есімді адам, тел. +7 900 000 00 00"},
    "Переписка с вербовщиком": {"kk": "Сол адаммен хат алмасу"},
    "Ответили, что сведений нет": {"kk": "Мәлімет жоқ деп жауап берді"},
}


async def give_translations(chat: Chat, table: dict[str, dict[str, str]] | None = None) -> int:
    """Answer every request for a text in a letter's language, as the family would, from
    ``table`` (original text -> language -> text). Returns how many were asked."""
    table = KZ_REPORT_TRANSLATIONS if table is None else table
    services = chat.bot.services
    asked = 0
    while True:
        form = await services.followup.store.get_form(services.user_key(chat.user_id))
        if form is None or form.name != "translate":
            return asked
        case = await services.store.get_case_by_id(int(form.data["case_id"]))
        assert case is not None
        original = texts(case.report)[form.data["field"]]
        await chat.send(table[original][form.data["language"]])
        asked += 1
