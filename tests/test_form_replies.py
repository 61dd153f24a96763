"""Carbon-copy replies: the matching core (fast, no Telegram) and its index in SQLite."""

from __future__ import annotations

from datetime import date

import pytest

from bot.letters.directory import load_directory
from bot.letters.model import RenderOptions
from bot.letters.render import available_languages, render_letter
from bot.letters.sample import sample_earlier, sample_reports
from bot.letters.translations import needed
from bot.replies.evidence import FormEvidence
from bot.replies.matching import FORM_THRESHOLD, is_copy, jaccard, normalise, shingles, signature

TEMPLATE = (
    "{name}! На Ваше обращение от {date} № {num} сообщаем, что Министерство обороны "
    "Российской Федерации не располагает сведениями о нахождении гражданина {missing} "
    "в рядах Вооружённых Сил. Розыск граждан, связь с которыми утрачена, в соответствии "
    "с законодательством осуществляют органы внутренних дел по месту жительства. "
    "Рекомендуем Вам обратиться в территориальный орган МВД России по адресу: "
    "г. {city}, ул. {street}. Начальник отдела {officer}"
)
FAMILIES = [
    dict(
        name="Уважаемая Айгуль Сериковна",
        date="12.10.2026",
        num="ОГ-4417/25",
        missing="Нурланова Ерлана Маратовича",
        city="Москва",
        street="Знаменка, д. 19",
        officer="И. П. Сидоров",
    ),
    dict(
        name="Уважаемый Бакыт Асанович",
        date="3 ноября 2026 г.",
        num="12/7-338",
        missing="Асанова Талантбека",
        city="Ростов-на-Дону",
        street="Пушкинская, 7",
        officer="А. В. Кузнецов",
    ),
    dict(
        name="Уважаемая Гульнара Токтогуловна",
        date="21.11.2026",
        num="ОГ-5120/25",
        missing="Жумабаева Азамата Кубанычбековича",
        city="Москва",
        street="Арбат, 1",
        officer="И. П. Сидоров",
    ),
]
INDIVIDUAL = (
    "Уважаемая Айгуль Сериковна! По Вашему обращению от 12.10.2026 проведена проверка. "
    "Установлено, что Нурланов Ерлан Маратович 14 сентября 2026 года был задержан "
    "сотрудниками полиции в Подольске и помещён в изолятор временного содержания, откуда "
    "переведён в СИЗО-2 города Москвы. Свидание с ним возможно по разрешению следователя; "
    "адвокат может запросить копию протокола задержания в следственном отделе."
)


def test_three_families_with_one_template_are_matched_an_individual_answer_is_not() -> None:
    sigs = [signature(TEMPLATE.format(**f)) for f in FAMILIES]
    assert all(s is not None for s in sigs)
    a, b, c = sigs
    assert a and b and c
    assert is_copy(b, a) and is_copy(c, a) and is_copy(c, b)
    own = signature(INDIVIDUAL)
    assert own is not None
    assert not any(is_copy(own, s) for s in (a, b, c))
    assert own.similarity(a) < FORM_THRESHOLD


def test_names_dates_numbers_and_addresses_are_removed() -> None:
    words = normalise(TEMPLATE.format(**FAMILIES[1]), ["Бакыт Асанович"])
    text = " ".join(words)
    for gone in ("бакыт", "ноября", "2026", "338", "пушкинская", "кузнецов", "талантбека"):
        assert gone not in text
    assert "не располагает сведениями" in text
    exact = [shingles(normalise(TEMPLATE.format(**f))) for f in FAMILIES]
    assert jaccard(exact[0], exact[1]) >= FORM_THRESHOLD


def test_a_short_reply_is_not_compared() -> None:
    assert signature("Сведениями не располагаем.") is None


@pytest.mark.parametrize("language", ["ru", "kk", "ky"])
def test_the_form_reply_paragraphs_are_in_the_letter_s_language(language: str) -> None:
    """Every word of the added paragraphs is in the addressee's language."""
    directory = load_directory()
    body = next(
        a for a in directory.values() if language in available_languages("complaint_form_reply", a)
    )
    report = next(
        r
        for r in sample_reports().values()  # one whose texts fit the language
        if not needed(r, language, RenderOptions())
    )
    evidence = FormEvidence(("Сообщить, где находится мой сын.",), copies=7)
    done = []
    for kind in ("repeat_request", "complaint_form_reply"):
        if language not in available_languages(kind, body):
            continue
        plain = render_letter(
            kind,
            body.id,
            report,
            language,
            case_number="KZ-2026-000001",
            today=date(2026, 12, 1),
            earlier=sample_earlier(body),
        )
        cited = render_letter(
            kind,
            body.id,
            report,
            language,
            case_number="KZ-2026-000001",
            today=date(2026, 12, 1),
            earlier=sample_earlier(body),
            form_evidence=evidence,
        )
        extra = " ".join(
            line for line in cited.text.splitlines() if line not in plain.text.splitlines()
        )
        assert ": 7)" in extra and "«Сообщить, где находится мой сын.»" in extra, extra
        words = set(extra.replace("«Сообщить, где находится мой сын.»", "").split())
        if language != "ru":
            assert not words & {"просила", "просил", "семьи", "ответ"}, words
        done.append(kind)
    assert done == ["repeat_request", "complaint_form_reply"]
