"""Letters to the bodies that can help find a missing person.

Data in, documents out: ``recommend`` picks the bodies from a ``Report``,
``render_letter`` fills the template for a body and language, and ``letter_pdf``,
``letter_docx`` and ``form_chunks`` turn the result into a printable PDF, an
editable Word file or pieces for an online reception form. Nothing here talks to
Telegram or to the database.
"""

from bot.letters.directory import Addressee, get_addressee, load_directory, regional_offices
from bot.letters.model import EarlierLetter, Letter, RenderOptions
from bot.letters.recommend import REASONS, Recommendation, recommend
from bot.letters.render import (
    FOLLOW_UP_KINDS,
    TemplateMissing,
    available_languages,
    file_name,
    form_chunks,
    kinds_for,
    letter_docx,
    letter_kinds,
    letter_pdf,
    render_letter,
)

__all__ = [
    "Addressee",
    "EarlierLetter",
    "FOLLOW_UP_KINDS",
    "Letter",
    "REASONS",
    "Recommendation",
    "RenderOptions",
    "TemplateMissing",
    "available_languages",
    "file_name",
    "form_chunks",
    "get_addressee",
    "kinds_for",
    "letter_docx",
    "letter_kinds",
    "letter_pdf",
    "load_directory",
    "regional_offices",
    "recommend",
    "render_letter",
]
