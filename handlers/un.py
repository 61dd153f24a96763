"""The international route in the chat: the "ready for the UN" checklist for the family and
for staff, the family's consent, the English translations, the submission, and marking a
case as submitted.

The family reaches it with /un (or /un NUMBER) and the button under its case; staff with
/un NUMBER or the dossier's button. Buttons: U:<op>:<case id>[:value].
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.domain.models import Case
from bot.domain.validators import InvalidInput, check_past_date, clean_text, parse_date
from bot.i18n import N_, Translator
from bot.services.staff import MANAGERS, STAFF_ROLES, Actor, NotAllowed
from bot.services.un import FORMS, Form, Overview
from bot.un import procedures, translation
from bot.un.checklist import TITLES
from bot.un.submission import NotReady
from handlers import texts
from handlers.common import Context, chat_id, drop_buttons, parse_id, say, services
from handlers.keyboards import button
from handlers.staff import actor_and_t, not_available

PREFIX = "U"
__all__ = ["FORMS", "PREFIX", "handle_form", "on_un_button", "un_command"]
NO_REFERENCE = "-"

UN_INTRO = N_(
    "When national bodies give form replies or do not answer, the UN Working Group on "
    "Enforced or Involuntary Disappearances (WGEID) can ask the State about the person. It "
    "does not require that every national remedy was tried first, and it keeps the names "
    "of those who submit a case confidential."
)
CED_GENERAL = N_(
    "The UN Committee on Enforced Disappearances (CED) takes urgent requests only about a "
    "disappearance in a State that has joined the Convention against enforced "
    "disappearance, or of a citizen of such a State, and only if it began after the "
    "Convention took effect for that State. Source: {source}"
)
CED_STATE = {
    (True, "KZ"): N_(
        "Kazakhstan has joined the Convention (in force since {date}), so a CED urgent request "
        "about a citizen of Kazakhstan can be addressed to Kazakhstan, asking it to search for "
        "him or her. Whether it fits this case a lawyer should check. Source: {source}"
    ),
    (False, "RU"): N_(
        "Russia has, as far as we know, not joined the Convention, so CED cannot act against "
        "Russia. Source: {source}"
    ),
}
CED_UNKNOWN = N_(
    "Whether {country} has joined the Convention has not been checked, so do not count on a "
    "CED urgent request before a lawyer checks it. Where to check: {source}"
)
UNVERIFIED = N_("not verified")
YOUR_CHOICES = N_(
    "Your choices: the submission may name you: {named}; the organisation submits "
    "it on your behalf: {behalf}."
)
FAMILY_CHOICES = N_(
    "The family's choices: the submission may name them: {named}; the "
    "organisation submits it on their behalf: {behalf}."
)
COUNTRY_NAMES = {"KZ": N_("Kazakhstan"), "KG": N_("Kyrgyzstan"), "RU": N_("Russia")}


def _button(text: str, *parts: object) -> InlineKeyboardButton:
    return button(text, PREFIX, *parts)


def _yes_no(t: Translator, value: bool | None) -> str:
    return t("not answered yet") if value is None else (t("yes") if value else t("no"))


# --- the texts ----------------------------------------------------------------------
def checklist_text(t: Translator, case: Case, view: Overview, family: bool = True) -> str:
    """The checklist in the reader's language: what is there, what is missing and from where."""
    checklist = view.checklist
    lines = [t("Ready for the UN? Case {number}", number=case.number), "", t(UN_INTRO), ""]
    for element in checklist.elements:
        if element.present:
            lines.append("✅ " + t(element.title))
            continue
        sources = ", ".join(f"«{t(s)}»" for s in element.supplied_by)
        lines.append(
            "❌ " + t(element.title) + "\n   " + t("Supplied by: {sources}", sources=sources)
        )
    lines += ["", window_text(t, view)]
    if checklist.use_now:
        lines.append(t("The UN route can be used now."))
    else:
        lines.append(
            t(
                "Use it after national bodies have been contacted, or at once if the "
                "person is believed to be held by the State while the urgent window "
                "is open."
            )
        )
    choices = YOUR_CHOICES if family else FAMILY_CHOICES
    lines += [
        "",
        t(
            choices,
            named=_yes_no(t, view.consent.may_name),
            behalf=_yes_no(t, view.consent.on_behalf),
        ),
    ]
    return "\n".join(lines)


def window_text(t: Translator, view: Overview) -> str:
    window = view.checklist.urgent
    if window.closes is None:
        return t(
            "The three-month urgent window cannot be worked out: the date of the last "
            "contact is missing."
        )
    if window.open:
        return "⏰ " + t(
            "The three-month urgent window is open until {date}: the Working Group "
            "then sends the case to the State within one or two days.",
            date=t.date(window.closes, "long"),
        )
    return t(
        "The three-month urgent window closed on {date}; the case can still go under the "
        "standard procedure.",
        date=t.date(window.closes, "long"),
    )


async def dossier_summary(context: Context, actor: Actor, t: Translator, case: Case) -> str:
    """The UN checklist in short, for the caseworker's dossier."""
    view = await services(context).un.overview(actor, case, t.locale)
    elements = view.checklist.elements
    lines = [
        t(
            "UN (WGEID): {present} of {total} required elements.",
            present=sum(e.present for e in elements),
            total=len(elements),
        )
    ]
    lines += ["❌ " + t(e.title) for e in view.checklist.missing]
    lines.append(window_text(t, view))
    if view.record.submitted_on:
        lines.append(
            "✔ "
            + t(
                "Submitted to the UN on {date}, reference {reference}.",
                date=t.date(view.record.submitted_on, "long"),
                reference=view.record.reference or "—",
            )
        )
    return "\n".join(lines)


def _sourced(t: Translator, fact: procedures.Fact, mark: bool = True) -> str:
    """The source, marked when the fact was not read on an official page."""
    return fact.source + ("" if fact.verified or not mark else f" (⚠ {t(UNVERIFIED)})")


def ced_text(t: Translator, view: Overview) -> str:
    """When CED urgent action is available for this case and when it is not, with sources."""
    lines = [t(CED_GENERAL, source=_sourced(t, procedures.ced_urgent_action()))]
    status = view.ced
    template = (
        CED_STATE.get((bool(status.party), status.state)) if status.party is not None else None
    )
    if template is not None:
        when = t.date(status.in_force, "long") if status.in_force else ""
        lines.append(t(template, date=when, source=_sourced(t, status.fact)))
    else:
        name = COUNTRY_NAMES.get(status.state)
        lines.append(
            t(
                CED_UNKNOWN,
                country=t(name) if name else t("the person's country"),
                source=_sourced(t, status.fact, mark=False),
            )
        )
    russia = procedures.ced_status("RU")
    if status.state != "RU":
        lines.append(t(CED_STATE[(False, "RU")], source=_sourced(t, russia.fact)))
    return "\n\n".join(lines)


def procedure_text(t: Translator) -> str:
    email = procedures.wgeid("email")
    address = procedures.wgeid("postal_address")
    return "\n".join(
        [
            t("Where it goes: {email}; {address}", email=email.value, address=address.value),
            t("Source of the address: {source}", source=_sourced(t, address)),
            t(
                "Source of the procedure: {source}",
                source=_sourced(t, procedures.wgeid("procedure")),
            ),
        ]
    )


# --- the family ---------------------------------------------------------------------
async def un_command(update: Update, context: Context) -> None:
    """/un [NUMBER]: the family's checklist, or for staff the case's UN page."""
    actor, t = await actor_and_t(update, context)
    s = services(context)
    number = (context.args or [""])[0].strip().upper()[:40]
    if actor.role in STAFF_ROLES and number:
        case = await s.staff.open_case(actor, number=number)
        if case is None:
            await not_available(update, context, t)
            return
        await show_staff(update, context, actor, t, case)
        return
    cases = await s.store.cases_of(actor.user_id)
    if not cases and actor.role in STAFF_ROLES:
        await say(
            update,
            context,
            t("Send the case number after the command, for example /un KZ-2026-0042."),
        )
        return
    if not cases:
        await say(
            update, context, t("You have no cases yet. Send /start to report a missing person.")
        )
        return
    if number:
        cases = [c for c in cases if c.number == number]
    if not cases:
        await say(update, context, t("You have no case with the number {number}.", number=number))
        return
    await show_family(update, context, actor, t, cases[-1])


async def show_family(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case
) -> None:
    view = await services(context).un.overview(actor, case, t.locale)
    buttons = [
        [
            _button(
                ("✓ " if view.consent.may_name else "") + t("You may name me"), "n", case.id, 1
            ),
            _button(
                ("✓ " if view.consent.may_name is False else "") + t("Keep my name out"),
                "n",
                case.id,
                0,
            ),
        ],
        [
            _button(
                ("✓ " if view.consent.on_behalf else "") + t("The organisation submits for us"),
                "b",
                case.id,
                1,
            ),
            _button(
                ("✓ " if view.consent.on_behalf is False else "") + t("We submit ourselves"),
                "b",
                case.id,
                0,
            ),
        ],
    ]
    await say(update, context, checklist_text(t, case, view), InlineKeyboardMarkup(buttons))
    await say(update, context, ced_text(t, view))


async def _b_consent(
    update: Update,
    context: Context,
    actor: Actor,
    t: Translator,
    case: Case,
    which: str,
    value: str,
) -> None:
    if value not in ("0", "1"):
        raise ValueError(value)
    s = services(context)
    answer = value == "1"
    if which == "n":
        await s.un.set_consent(actor, case, may_name=answer)
    else:
        await s.un.set_consent(actor, case, on_behalf=answer)
    await drop_buttons(update)
    await say(update, context, t("Saved. You can change this at any time with /un."))
    await show_family(update, context, actor, t, case)


# --- staff --------------------------------------------------------------------------
async def show_staff(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case
) -> None:
    s = services(context)
    view = await s.un.overview(actor, case, t.locale)
    parts = [checklist_text(t, case, view, family=False)]
    pending = {p.key for p in view.untranslated}
    visible = await s.staff.visible_answers(actor, case)  # volunteers: not the account
    texts_all = [
        p for p in translation.texts_to_translate(case.answers) if p.key.split(".")[0] in visible
    ]
    if texts_all:
        parts.append(
            "\n".join(
                [t("Texts of the family to translate into English:")]
                + [("❌ " if p.key in pending else "✅ ") + t(p.label) for p in texts_all]
            )
        )
    if not view.organisation_known:
        parts.append(
            t(
                "The organisation's name and contact are not set "
                "(IZDEU_ORGANISATION_NAME, IZDEU_ORGANISATION_CONTACT)."
            )
        )
    if view.record.submitted_on:
        parts.append(
            "✔ "
            + t(
                "Submitted to the UN on {date}, reference {reference}.",
                date=t.date(view.record.submitted_on, "long"),
                reference=view.record.reference or "—",
            )
        )
    parts.append(procedure_text(t))
    buttons = [
        [
            _button(
                ("❌ " if p.key in pending else "✅ ") + t("Translate: {field}", field=t(p.label)),
                "t",
                case.id,
                p.key,
            )
        ]
        for p in texts_all
    ]
    if actor.role in MANAGERS:
        buttons.append([_button(t("Make the submission (PDF, DOCX)"), "p", case.id)])
        buttons.append([_button(t("Mark as submitted to the UN"), "m", case.id)])
    await say(update, context, "\n\n".join(parts), InlineKeyboardMarkup(buttons))
    await say(update, context, ced_text(t, view))


async def _b_staff(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, *_: str
) -> None:
    await show_staff(update, context, actor, t, case)


async def _b_translate(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, key: str, *_: str
) -> None:
    pending = await services(context).un.ask_translation(actor, case, key)
    await say(
        update,
        context,
        t("Write the English translation of «{field}». The family's text:", field=t(pending.label))
        + "\n\n"
        + pending.original
        + "\n\n"
        + t("Send - to leave this text out of the submission. /cancel stops."),
    )


async def _b_produce(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, *_: str
) -> None:
    s = services(context)
    family = await s.store.get_user(case.reporter_id)
    try:
        made = await s.un.produce(actor, case, family.locale if family else "ru")
    except NotReady as err:
        missing = [t(TITLES[code]) for code in err.elements]
        labels = {p.key: t(p.label) for p in translation.texts_to_translate(case.answers)}
        missing += [
            t("English translation of «{field}»", field=labels.get(k, k)) for k in err.texts
        ]
        await say(
            update,
            context,
            t("The submission cannot be made yet. Missing:")
            + "\n"
            + "\n".join("• " + m for m in missing),
        )
        return
    target = chat_id(update)
    assert target is not None
    await say(
        update,
        context,
        t(
            "The submission to the UN Working Group, in English. Check it, "
            "have the author sign it, and send it."
        )
        + "\n\n"
        + procedure_text(t),
    )
    await context.bot.send_document(target, made.pdf, filename=made.pdf_name)
    await context.bot.send_document(target, made.docx, filename=made.docx_name)


async def _b_mark(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, *_: str
) -> None:
    await services(context).un.ask_submission_date(actor, case)
    await say(
        update,
        context,
        t(
            "On what date was case {number} sent to the UN? For example 18.03.2026.",
            number=case.number,
        ),
    )


BUTTONS = {"s": _b_staff, "t": _b_translate, "p": _b_produce, "m": _b_mark}


async def on_un_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    parts = query.data.split(":")
    op, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
    actor, t = await actor_and_t(update, context)
    case_id = parse_id(args[0]) if args else None
    case = await services(context).staff.open_case(actor, case_id=case_id or 0)
    if case is None:
        await not_available(update, context, t)
        return
    try:
        if op == "f" and case.reporter_id == actor.user_id:
            await show_family(update, context, actor, t, case)
        elif op in ("n", "b") and len(args) > 1:
            await _b_consent(update, context, actor, t, case, op, args[1])
        elif op in BUTTONS and actor.role in STAFF_ROLES:
            await BUTTONS[op](update, context, actor, t, case, *args[1:])
        else:
            await not_available(update, context, t)
    except (NotAllowed, ValueError):
        await not_available(update, context, t)


# --- typed answers of the staff forms -------------------------------------------------
async def handle_form(update: Update, context: Context, form: Form) -> None:
    """A translation, or the date and reference of a submission."""
    s = services(context)
    actor, t = await actor_and_t(update, context)
    message = update.effective_message
    case = await s.staff.open_case(actor, case_id=int(form.data.get("case_id", 0)))
    if case is None or actor.role not in STAFF_ROLES:
        await s.un.close_form(actor)
        await not_available(update, context, t)
        return
    if message is None or not message.text:
        await say(update, context, texts.error(t, InvalidInput("need_text")))
        return
    try:
        if form.name == "un_tr":
            await _save_translation(update, context, actor, t, case, form, message.text)
        elif form.step == "date":
            await _submission_date(update, context, actor, t, case, form, message.text)
        else:
            await _submission_reference(update, context, actor, t, case, form, message.text)
    except InvalidInput as err:
        await say(update, context, texts.error(t, err))
    except NotAllowed:
        await s.un.close_form(actor)
        await not_available(update, context, t)


async def _save_translation(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, form: Form, raw: str
) -> None:
    s = services(context)
    text, _ = clean_text(raw, translation.MAX_LEN)
    try:
        pending = await s.un.translate(actor, case, str(form.data.get("key")), text)
    except ValueError:
        await say(
            update,
            context,
            t(
                "This text is needed in the submission; it cannot be left "
                "out. Write its English translation."
            ),
        )
        return
    await s.un.close_form(actor)
    await say(
        update,
        context,
        t("The translation is saved.") + " " + t("Still to translate: {n}.", n=len(pending)),
    )
    await show_staff(update, context, actor, t, case)


async def _submission_date(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, form: Form, raw: str
) -> None:
    s = services(context)
    on = check_past_date(parse_date(raw), s.clock.now().date())
    await s.un.ask_reference(actor, case, on)
    await say(
        update,
        context,
        t("The reference the Working Group gave, if any (send - if there is none yet):"),
    )


async def _submission_reference(
    update: Update, context: Context, actor: Actor, t: Translator, case: Case, form: Form, raw: str
) -> None:
    s = services(context)
    reference, _ = clean_text(raw, 100)
    reference = "" if reference.strip() == NO_REFERENCE else reference
    on = date.fromisoformat(str(form.data["on"]))
    await s.un.mark_submitted(actor, case, on, reference)
    await s.un.close_form(actor)
    await say(
        update,
        context,
        t(
            "Case {number} is marked as submitted to the UN on {date}.",
            number=case.number,
            date=t.date(on, "long"),
        ),
    )
    family = await s.store.get_user(case.reporter_id)
    if family is not None and family.blocked_at is None:
        ft = s.catalogs.get(family.locale)
        await context.bot.send_message(
            family.chat_id,
            ft(
                "Your case {number} was submitted to the UN Working Group on Enforced or "
                "Involuntary Disappearances on {date}.",
                number=case.number,
                date=ft.date(on, "long"),
            ),
        )
