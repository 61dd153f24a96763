"""The text of a reply from the file a family sends: a PDF's own text, or OCR of a photo.

OCR engine: Debian's ``tesseract-ocr`` with the ``rus``, ``kaz`` and ``kir`` data. It is
free, packaged in the distribution (no model download at run time), reads Cyrillic with
the Kazakh and Kyrgyz letters, and runs as a separate program: a subprocess, so a slow
page never blocks the bot's event loop and a crash in it cannot take the bot down. PDFs
carry their text; pypdf reads it in a worker thread, no OCR needed.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from dataclasses import dataclass

OCR_LANGUAGES = ("rus", "kaz", "kir")
OCR_SECONDS = 120
# Text longer than this is cut: a reply is a page or two, not a book.
MAX_CHARS = 8000
# The Bot API lets a bot download files up to 20 MB.
MAX_DOWNLOAD = 20 * 1024 * 1024


@dataclass(frozen=True)
class Reading:
    """What the bot could read from a file: the text (maybe empty), and whether an OCR
    engine was there to try (``no_engine``: the family is asked to type the text)."""

    text: str
    no_engine: bool = False


def ocr_engine() -> str | None:
    """The tesseract program, or None when it is not installed."""
    return shutil.which("tesseract")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages[:20])
    except (PyPdfError, ValueError, KeyError, OSError):
        return ""


async def pdf_text(data: bytes) -> str:
    """The text a PDF carries, read in a thread (a large PDF takes a while)."""
    return tidy(await asyncio.to_thread(_pdf_text, data))


async def ocr_text(data: bytes) -> Reading:
    """OCR of an image in Russian, Kazakh and Kyrgyz, in a subprocess."""
    engine = ocr_engine()
    if engine is None:
        return Reading("", no_engine=True)
    proc = await asyncio.create_subprocess_exec(
        engine,
        "stdin",
        "stdout",
        "-l",
        "+".join(OCR_LANGUAGES),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(data), OCR_SECONDS)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return Reading("")
    if proc.returncode != 0:
        return Reading("")
    return Reading(tidy(out.decode("utf-8", "replace")))


async def read_file(data: bytes, is_pdf: bool) -> Reading:
    if is_pdf:
        text = await pdf_text(data)
        if text:
            return Reading(text)
        return Reading("", no_engine=ocr_engine() is None)  # a scanned PDF has no text
    return await ocr_text(data)


def tidy(text: str) -> str:
    """Blank lines and spaces squeezed, cut to ``MAX_CHARS``."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()[:MAX_CHARS]
