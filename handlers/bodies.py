"""/bodies: the anonymised report on how the bodies answer, for caseworkers (PDF and CSV).

``/bodies`` gives it in the caseworker's language; ``/bodies en`` (or kk, ru, ky) in
another, e.g. English for publication abroad."""

from __future__ import annotations

from telegram import Update

from bot.i18n import Translator
from bot.replies.bodies import REPORT_LOCALES
from bot.services.staff import MANAGERS, Actor
from handlers.common import Context, say, services
from handlers.views.exports import send_document
from handlers.views.staff import staff_only


@staff_only(MANAGERS)
async def bodies_command(update: Update, context: Context, actor: Actor, t: Translator) -> None:
    wanted = (context.args or [t.locale])[0].strip().lower()
    locale = wanted if wanted in REPORT_LOCALES else t.locale
    report = await services(context).exports.bodies(actor, locale)
    await say(
        update,
        context,
        t(
            "How the bodies answer: counts per body only, small counts "
            "hidden so that no family can be recognised."
        ),
    )
    await send_document(update, context, report.pdf)
    await send_document(update, context, report.csv)
