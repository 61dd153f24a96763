"""Errors grouped for the administrators: what failed, how often, where; never whose data.

Every error the bot meets is counted here by its type and the place in our code it
came from, with the ids of a few updates it hit. The chat side sends the groups to
the administrators at most once per ``IZDEU_ERROR_REPORT_MINUTES`` (so a failing
Telegram or a full disk produces one message, not thousands) and only when there is
something new. The text of an exception is left out: it may quote what a family wrote.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

IDS_KEPT = 5  # update ids shown per group; the count says how many more there were
GROUPS_KEPT = 20  # distinct groups per report; the rest are counted together
_OUR_CODE = ("bot", "handlers")


@dataclass
class ErrorGroup:
    kind: str  # the exception's type name
    where: str  # "handlers/report.py:123", the innermost line of the bot's own code
    count: int = 0
    update_ids: list[int] = field(default_factory=list)


@dataclass
class ErrorDigest:
    """Errors since the last report, grouped; ``take`` hands them over and starts anew."""

    since: datetime | None = None
    groups: dict[tuple[str, str], ErrorGroup] = field(default_factory=dict)
    dropped: int = 0

    def record(self, error: BaseException, update_id: int | None, now: datetime) -> None:
        kind, where = type(error).__name__, place(error)
        group = self.groups.get((kind, where))
        if group is None:
            if len(self.groups) >= GROUPS_KEPT:
                self.dropped += 1
                return
            group = self.groups[(kind, where)] = ErrorGroup(kind, where)
        if self.since is None:
            self.since = now
        group.count += 1
        if (
            update_id is not None
            and len(group.update_ids) < IDS_KEPT
            and update_id not in group.update_ids
        ):
            group.update_ids.append(update_id)

    def take(self) -> tuple[datetime | None, list[ErrorGroup], int]:
        """(first error's time, groups by count, errors not grouped), then empty."""
        taken = (self.since, sorted(self.groups.values(), key=lambda g: -g.count), self.dropped)
        self.since, self.groups, self.dropped = None, {}, 0
        return taken


def place(error: BaseException) -> str:
    """Where in the bot's own packages it failed, as files and lines, never a value: the
    outermost frame (which handler or job) and the innermost (what failed in it)."""
    ours = []
    for frame in traceback.extract_tb(error.__traceback__):
        parts = Path(frame.filename).parts
        for i, part in enumerate(parts[:-1]):
            if part in _OUR_CODE:
                ours.append(f"{'/'.join(parts[i:])}:{frame.lineno}")
                break
    if not ours:
        return "?"
    return ours[0] if len(ours) == 1 else f"{ours[0]} → {ours[-1]}"
