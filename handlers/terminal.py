"""The offline mode: the real application, chatting in a terminal instead of Telegram.

Messages the bot sends are printed; buttons are numbered. What you type is
turned into real Telegram ``Update`` objects and processed by the same
``Application`` the real bot runs, against the local Bot API stand-in.

Typing:
  text          a message (``/help`` and other commands work as in Telegram)
  3             press button 3 of the last message that had buttons (a number with no
                such button is refused, so it is never stored as an answer by mistake)
  \\3            send the text "3" instead of pressing a button
  A line longer than a Telegram message (4096 characters) is refused, not cut.
  !photo [caption], !doc NAME [caption], !voice, !video, !sticker, !location,
  !contact PHONE   send that kind of message
  !quit         leave (Ctrl-D too)
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from telegram import Update
from telegram.ext import Application

from bot.app import Services
from handlers.app import build_application
from handlers.localapi import Call, LocalBotAPI
from handlers.updates import UpdateFactory
from handlers.web.desk import start_desk

USER_ID = 1000001
# The most a Telegram message holds; the apps split longer text into several messages.
MAX_MESSAGE = 4096
# A terminal in line mode keeps at most this many bytes of a line and drops the rest
# without a word (Linux's N_TTY buffer is 4096 bytes, one of them for the newline).
TTY_LINE_BYTES = 4095


class TerminalChat:
    """Turns typed lines into updates and prints what the bot sends."""

    def __init__(
        self,
        app: Application,
        api: LocalBotAPI,
        out: TextIO = sys.stdout,
        downloads: Path = Path("data/offline-files"),
        language_code: str | None = None,
        tty: bool = False,
    ) -> None:
        self.app = app
        self.tty = tty  # lines come from a terminal, which cuts them at TTY_LINE_BYTES
        self.api = api
        self.out = out
        self.downloads = downloads
        self.updates = UpdateFactory(app.bot, USER_ID, language_code, "Offline")
        self.buttons: list[dict[str, Any]] = []
        self.buttons_message: dict[str, Any] | None = None
        self.albums = 0  # media groups shown so far, for their files' names
        api.listeners.append(self._on_call)

    # --- output ----------------------------------------------------------------
    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def _on_call(self, call: Call) -> None:
        """Print what Telegram would show for each kind of call the bot makes."""
        if call.method == "answerCallbackQuery":
            if call.params.get("text"):  # a short notice over the chat in the app
                self._print(f"  [notice] {call.params['text']}")
            return
        if call.chat_id != USER_ID:
            return
        if call.method == "sendMessage":
            self._show(call.text, call)
        elif call.method in ("editMessageText", "editMessageCaption"):
            self._show(call.text, call, "[edited] ")
        elif call.method == "editMessageReplyMarkup":
            self._edited_buttons(call)
        elif call.method in ("sendDocument", "sendPhoto"):
            kind = "document" if call.method == "sendDocument" else "photo"
            self._print("")
            self._save_files(call, kind)
            if call.text:
                self._show(call.text, call)
        elif call.method == "sendMediaGroup":
            self._album(call)

    def _show(self, text: str, call: Call, mark: str = "") -> None:
        self._print("")
        for i, line in enumerate(text.split("\n")):
            self._print(f"  {mark if i == 0 else ''}{line}")
        markup = call.reply_markup or {}
        if "inline_keyboard" in markup or "keyboard" in markup:
            rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
            self.buttons = [b for row in rows for b in row]
            self.buttons_message = call.result if isinstance(call.result, dict) else None
            for i, button in enumerate(self.buttons, 1):
                self._print(f"   [{i}] {button.get('text', '')}")
        elif markup.get("remove_keyboard"):
            self.buttons = []

    def _edited_buttons(self, call: Call) -> None:
        """Buttons changed or removed under an earlier message (after a tap, mostly)."""
        markup = call.reply_markup or {}
        rows = markup.get("inline_keyboard") or []
        shown = (self.buttons_message or {}).get("message_id")
        if str(call.params.get("message_id")) == str(shown):
            self.buttons = [b for row in rows for b in row]
        if rows:
            self._print("  [edited] new buttons:")
            for i, button in enumerate(b for row in rows for b in row):
                self._print(f"   [{i + 1}] {button.get('text', '')}")
        else:
            self._print("  [edited] buttons removed")

    def _album(self, call: Call) -> None:
        """A media group (the /stats charts): every picture with its caption, saved."""
        media = call.params.get("media")
        items = json.loads(media) if isinstance(media, str) else (media or [])
        self._print("")
        self._print(f"  [album of {len(items)}]")
        self.albums += 1
        for i, item in enumerate(items, 1):
            ref = str(item.get("media", ""))
            name = ref.removeprefix("attach://")
            if name in call.files:
                _, data, mime = call.files[name]
                ext = mimetypes.guess_extension(mime) or ".bin"
                self._save(f"album{self.albums}-{i}{ext}", data, item.get("type", "photo"))
            caption = item.get("caption")
            if caption:
                self._print(f"    {caption}")

    def _save_files(self, call: Call, kind: str) -> None:
        for name, data, _mime in call.files.values():
            self._save(name, data, kind)

    def _save(self, name: str, data: bytes, kind: str) -> None:
        self.downloads.mkdir(parents=True, exist_ok=True)
        target = self.downloads / Path(name).name
        target.write_bytes(data)
        self._print(f"  [{kind}] {target}")

    # --- input -----------------------------------------------------------------
    def refusal(self, line: str) -> str | None:
        """Why a typed line is not sent, or None: too long for one Telegram message, or
        probably cut by the terminal, whose line buffer silently drops what is beyond."""
        text = line.rstrip("\n")
        if len(text) > MAX_MESSAGE:
            return (
                f"(not sent: {len(text)} characters; a Telegram message holds at most "
                f"{MAX_MESSAGE}. Send it in parts.)"
            )
        if self.tty and len(text.encode("utf-8")) >= TTY_LINE_BYTES:
            return (
                f"(not sent: the terminal keeps only {TTY_LINE_BYTES} bytes of a line "
                "and may have cut this one. Send it in parts, or pipe the text in.)"
            )
        return None

    def update_for(self, line: str) -> Update | None:
        """The update a typed line stands for, or None when it means nothing."""
        stripped = line.strip()
        if not stripped:
            return None
        if stripped.isdigit() and self.buttons:
            if 1 <= int(stripped) <= len(self.buttons):
                return self._press(self.buttons[int(stripped) - 1])
            self._print(
                f"  (there is no button {stripped[:12]}: the last buttons are 1 to "
                f"{len(self.buttons)}; to send the text, type \\{stripped[:12]})"
            )
            return None
        if stripped.startswith("\\"):
            stripped = stripped[1:]
        elif stripped.startswith("!"):
            return self._special(stripped[1:])
        return self.updates.text(stripped)

    def _press(self, button: dict[str, Any]) -> Update | None:
        if button.get("request_contact"):
            return self.updates.contact(input_phone())
        data = button.get("callback_data")
        if data is None:  # a plain reply-keyboard button sends its text
            return self.updates.text(button.get("text", ""))
        return self.updates.press(data, self.buttons_message)

    def _special(self, spec: str) -> Update | None:
        words = shlex.split(spec) if spec else [""]
        kind, rest = words[0].lower(), words[1:]
        caption = " ".join(rest) or None
        name = rest[0] if rest else "file.pdf"
        builders: dict[str, Callable[[], Update]] = {
            "photo": lambda: self.updates.photo(caption),
            "doc": lambda: self.updates.document(
                name, _mime(name), caption=" ".join(rest[1:]) or None
            ),
            "voice": self.updates.voice,
            "video": self.updates.video,
            "sticker": self.updates.sticker,
            "location": self.updates.location,
            "contact": lambda: self.updates.contact(rest[0] if rest else "+77010000000"),
        }
        builder = builders.get(kind)
        if builder is None:
            self._print(
                "  (unknown: use !photo, !doc NAME, !voice, !video, !sticker, "
                "!location, !contact PHONE, !quit)"
            )
            return None
        return builder()

    async def feed(self, line: str) -> None:
        refused = self.refusal(line)
        if refused is not None:
            self._print(f"  {refused}")
            return
        update = self.update_for(line)
        if update is None:
            return
        await self.app.update_queue.put(update)
        await self.app.update_queue.join()


def _mime(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {
        "pdf": "application/pdf",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
        "txt": "text/plain",
        "exe": "application/x-msdownload",
        "zip": "application/zip",
    }.get(ext, "application/octet-stream")


def input_phone() -> str:
    try:
        return input("  (offline) phone number to share: ").strip() or "+77010000000"
    except EOFError:
        return "+77010000000"


async def run_terminal(services: Services, language_code: str | None = None) -> None:
    api = LocalBotAPI()
    app = build_application(services, request=api)
    chat = TerminalChat(
        app,
        api,
        downloads=services.config.data_dir / "offline-files",
        language_code=language_code,
        tty=sys.stdin.isatty(),
    )
    print(
        "Izdeu offline chat: the real bot, no Telegram. Type /start. "
        "Numbers press buttons, !quit leaves.",
        flush=True,
    )
    sealed = (
        "sealed with IZDEU_ENCRYPTION_KEY"
        if services.db.cipher.enabled
        else "NOT encrypted (no IZDEU_ENCRYPTION_KEY)"
    )
    print(f"(database: {services.config.db_path}; personal data {sealed})", flush=True)
    async with app:
        await app.start()
        await services.settle()
        desk = await start_desk(services, app.bot, app.bot_data)
        if desk is not None:
            print(f"(the organisation's desk: {desk.url}; log in with /web)", flush=True)
        try:
            while True:
                try:
                    line = await asyncio.to_thread(_read_line)
                except EOFError:
                    break
                if line.strip() in ("!quit", "!exit"):
                    break
                await chat.feed(line)
        finally:
            if desk is not None:
                await desk.stop()
            await app.stop()


def _read_line() -> str:
    sys.stdout.write("> ")
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line
