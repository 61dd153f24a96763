"""Where the escalation ladder offers the UN route (``escalation.json``, "international").

The national ladder (``bot.domain.deadlines``) goes from body to body; the Working Group
is the step that remains when they answer with form replies or refusals, or the first step
when the person is believed to be held by the State and the urgent window is open.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from bot.domain.deadlines import NextStep
from bot.un.checklist import Checklist
from bot.un.procedures import DATA_FILE

LADDER_FILE = DATA_FILE.parent / "escalation.json"


@lru_cache(maxsize=1)
def _rule() -> dict[str, Any]:
    data = json.loads(LADDER_FILE.read_text(encoding="utf-8"))
    return dict(data.get("international", {}).get("wgeid", {}))


def offer_after(trigger: str | None, step: NextStep | None) -> bool:
    """After a reply or a missed term: does the ladder offer the Working Group now?"""
    rule = _rule()
    if trigger is None:
        return False
    if trigger in rule.get("after_triggers", ()):
        return True
    return step is None and bool(rule.get("after_last_step"))


def offer_at_once(checklist: Checklist) -> bool:
    """Right after the report: only while the urgent window is open and the person is
    believed to be held by the State."""
    return bool(_rule().get("at_once_if_urgent_and_held_by_state")) and \
        checklist.urgent.open and checklist.held_by_state
