"""The letter worker process: letters come back whole, and a dead worker is replaced."""

from __future__ import annotations

import os
import signal
from dataclasses import replace

from bot.letters.directory import load_directory
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from bot.letters.worker import LetterWorker, make_letter


def letter_arguments() -> tuple[tuple[object, ...], dict[str, object]]:
    report = next(iter(sample_reports().values()))
    addressee = next(iter(load_directory().values()))
    return (
        (addressee.letter_kind, addressee.id, report, "ru"),
        {"case_number": "KZ-2026-0001", "today": SAMPLE_TODAY},
    )


async def test_a_letter_is_made_in_another_process_and_comes_back_whole() -> None:
    worker = LetterWorker()
    try:
        assert await worker.run(os.getpid) != os.getpid()
        letter, pdf, docx = await worker.run(make_letter, *letter_arguments())
        assert "Сейітова Зуһра" in letter.text and letter.addressee_id == "embassy_kz"
        assert pdf.startswith(b"%PDF") and docx.startswith(b"PK")
    finally:
        worker.close()


async def test_a_killed_worker_is_replaced_and_the_letter_still_made() -> None:
    worker = LetterWorker()
    try:
        first = await worker.run(os.getpid)
        os.kill(first, signal.SIGKILL)
        letter, pdf, _ = await worker.run(make_letter, *letter_arguments())
        assert pdf.startswith(b"%PDF") and letter.language == "ru"
        assert await worker.run(os.getpid) not in (first, os.getpid())
    finally:
        worker.close()


def test_after_the_worker_prepares_no_letter_compiles_a_template(monkeypatch) -> None:
    """A template compiled on first use would cost the first family 30-40 ms."""
    from bot.letters.render import _environment, render_letter
    from bot.letters.worker import prepare

    prepare()
    env = _environment()
    compiled: list[object] = []
    original = env.compile

    def counting(*args: object, **kwargs: object) -> object:
        compiled.append(kwargs.get("name"))
        return original(*args, **kwargs)

    monkeypatch.setattr(env, "compile", counting)
    # Without free text, so that every body's letter can be made in every language it takes.
    report = replace(
        next(iter(sample_reports().values())),
        reporter_address="",
        story="",
        responsible_text="",
        unit="",
        evidence=(),
        actions=(),
    )
    for addressee in load_directory().values():
        for language in addressee.languages:
            render_letter(
                addressee.letter_kind,
                addressee.id,
                report,
                language,
                case_number="KZ-2026-0001",
                today=SAMPLE_TODAY,
            )
    assert compiled == []
