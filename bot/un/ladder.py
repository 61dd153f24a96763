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
from bot.i18n import N_
from bot.un.checklist import Checklist
from bot.un.procedures import DATA_FILE

LADDER_FILE = DATA_FILE.parent / "escalation.json"
OFFER = N_(
    "The UN route is open for this case too: /un {number} shows what a submission to "
    "the UN Working Group on Enforced or Involuntary Disappearances needs."
)
OFFER_AT_ONCE = N_(
    "The person may be held by the State and went missing less than three "
    "months ago: the UN Working Group's urgent procedure can be used at once, "
    "alongside the letters. /un {number} shows what it needs."
)


@lru_cache(maxsize=1)
def _rule() -> dict[str, Any]:
    data = json.loads(LADDER_FILE.read_text(encoding="utf-8"))
    return dict(data.get("international", {}).get("wgeid", {}))


def offer_after(step: NextStep | None) -> bool:
    """After a reply or a missed term, given the national ladder's next step (None: it has
    none left): does the ladder offer the Working Group now?"""
    rule = _rule()
    if step is None:
        return bool(rule.get("after_last_step"))
    return step.trigger in rule.get("after_triggers", ())


def offer_at_once(checklist: Checklist) -> bool:
    """Right after the report: only while the urgent window is open and the person is
    believed to be held by the State."""
    return (
        bool(_rule().get("at_once_if_urgent_and_held_by_state"))
        and checklist.urgent.open
        and checklist.held_by_state
    )
