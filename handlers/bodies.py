"""/bodies: the anonymised report on how the bodies answer, for caseworkers (PDF and CSV).

``/bodies`` gives it in the caseworker's language; ``/bodies en`` (or kk, ru, ky) in
another, e.g. English for publication abroad."""

from __future__ import annotations

from telegram import Update

from bot.i18n import Translator
from bot.replies.bodies import REPORT_LOCALES, bodies_report
from bot.staff import MANAGERS, Actor
from handlers.common import Context, chat_id, say, services
from handlers.staff import staff_only


@staff_only(MANAGERS)
async def bodies_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    s = services(context)
    wanted = (context.args or [t.locale])[0].strip().lower()
    locale = wanted if wanted in REPORT_LOCALES else t.locale
    csv_data, pdf = await bodies_report(s.db, s.catalogs, locale, s.clock.now(), actor.user_id)
    target = chat_id(update)
    assert target is not None
    stamp = s.clock.now().date().isoformat()
    await say(
        update,
        context,
        t(
            "How the bodies answer: counts per body only, small counts "
            "hidden so that no family can be recognised."
        ),
    )
    await context.bot.send_document(target, pdf, filename=f"izdeu-bodies-{locale}-{stamp}.pdf")
    await context.bot.send_document(
        target, csv_data, filename=f"izdeu-bodies-{locale}-{stamp}.csv"
    )
