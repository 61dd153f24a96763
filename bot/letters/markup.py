"""The small markup letter templates produce, and its plain-text layout.

A rendered template is plain text cut into blocks by marker lines. A marker line
starts with ``@`` followed by a block name; anything after the name on the same
line is the block's lead-in (e.g. ``@requests Прошу:``).

==============  ==========================================================
``@to``         addressee block: one printed line per line
``@from``       applicant block: one printed line per line
``@title``      first line is the title, further lines the subtitle
``@body``       paragraphs, separated by blank lines
``@requests``   list items, numbered 1., 2., ... when printed
``@closing``    paragraphs after the requests (answer term, consent, ...)
``@attachments``  list items, numbered
``@date``       the date line
``@sign``       the signature line
==============  ==========================================================

Inside paragraphs and list items, consecutive lines are joined with a space, so
a template may wrap long sentences. In ``@body`` and ``@closing`` a line starting
with ``- `` begins a new printed line of a list inside the paragraph (shown with
a dash); in ``@requests`` and ``@attachments`` it begins a new item. Blank lines
never reach the output twice: empty conditionals leave no gaps. A block may
appear more than once; its content is appended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LINE_BLOCKS = ("to", "from", "title", "date", "sign")
PARAGRAPH_BLOCKS = ("body", "closing")
LIST_BLOCKS = ("requests", "attachments")
BLOCKS = frozenset(LINE_BLOCKS + PARAGRAPH_BLOCKS + LIST_BLOCKS)

_MARKER = re.compile(r"^@([a-z]+)(?:\s+(.*))?$")
_SPACES = re.compile(r"[ \t]+")
LIST_DASH = "— "


class MarkupError(ValueError):
    pass


@dataclass
class Parsed:
    lines: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    items: dict[str, list[str]] = field(default_factory=dict)
    intros: dict[str, str] = field(default_factory=dict)


def parse(rendered: str) -> Parsed:
    raw: dict[str, list[str]] = {}
    intros: dict[str, str] = {}
    current: str | None = None
    for line in rendered.splitlines():
        stripped = _SPACES.sub(" ", line.strip())
        match = _MARKER.match(stripped)
        if match and match.group(1) in BLOCKS:
            current = match.group(1)
            raw.setdefault(current, [])
            if match.group(2):
                intros[current] = match.group(2).strip()
            continue
        if stripped.startswith("@"):
            raise MarkupError(f"unknown block marker: {stripped.split()[0]!r}")
        if current is None:
            if stripped:
                raise MarkupError(f"text before the first block: {stripped[:40]!r}")
            continue
        raw[current].append(stripped)

    out = Parsed(intros=intros)
    for name, lines in raw.items():
        if name in LINE_BLOCKS:
            out.lines[name] = [x for x in lines if x]
        elif name in PARAGRAPH_BLOCKS:
            out.paragraphs[name] = _paragraphs(lines)
        else:
            out.items[name] = _items(lines)
    return out


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if not line:
            if current:
                paragraphs.append("\n".join(current))
                current = []
        elif line.startswith("- "):
            current.append(LIST_DASH + line[2:].strip())
        elif current:
            current[-1] = f"{current[-1]} {line}"
        else:
            current.append(line)
    return [_tidy(p) for p in paragraphs if p.strip()]


def _items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if not line:
            continue
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif items:
            items[-1] = f"{items[-1]} {line}"
        else:
            raise MarkupError(f"list text outside an item: {line[:40]!r}")
    return [_tidy(x) for x in items if x.strip()]


def _tidy(text: str) -> str:
    """Remove spaces left before punctuation by empty conditionals."""
    text = re.sub(r" +([,.;:)»])", r"\1", text)
    text = re.sub(r"([(«]) +", r"\1", text)
    return text.strip()


def numbered(items: list[str] | tuple[str, ...]) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)]


def layout_text(
    *,
    to_lines: tuple[str, ...],
    from_lines: tuple[str, ...],
    title: str,
    subtitle: str,
    body: tuple[str, ...],
    requests_intro: str,
    requests: tuple[str, ...],
    closing: tuple[str, ...],
    attachments_intro: str,
    attachments: tuple[str, ...],
    place_date: str,
    signature: str,
) -> str:
    """The letter as plain text: blocks separated by exactly one blank line."""
    blocks: list[str] = []
    blocks.append("\n".join(to_lines))
    blocks.append("\n".join(from_lines))
    blocks.append("\n".join(x for x in (title, subtitle) if x))
    blocks.extend(body)
    if requests:
        head = [requests_intro] if requests_intro else []
        blocks.append("\n".join(head + numbered(requests)))
    blocks.extend(closing)
    if attachments:
        head = [attachments_intro] if attachments_intro else []
        blocks.append("\n".join(head + numbered(attachments)))
    blocks.append("\n".join(x for x in (place_date, signature) if x))
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"
