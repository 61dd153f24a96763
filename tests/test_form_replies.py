"""Carbon-copy replies: the matching core (fast, no Telegram) and its index in SQLite."""

from __future__ import annotations

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
    dict(name="Уважаемая Айгуль Сериковна", date="12.10.2026", num="ОГ-4417/25",
         missing="Нурланова Ерлана Маратовича", city="Москва", street="Знаменка, д. 19",
         officer="И. П. Сидоров"),
    dict(name="Уважаемый Бакыт Асанович", date="3 ноября 2026 г.", num="12/7-338",
         missing="Асанова Талантбека", city="Ростов-на-Дону", street="Пушкинская, 7",
         officer="А. В. Кузнецов"),
    dict(name="Уважаемая Гульнара Токтогуловна", date="21.11.2026", num="ОГ-5120/25",
         missing="Жумабаева Азамата Кубанычбековича", city="Москва", street="Арбат, 1",
         officer="И. П. Сидоров"),
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
