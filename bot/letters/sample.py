"""Sample reports and a renderer that writes every letter for review.

The people, numbers and addresses are invented. ``render_samples`` writes each
letter kind in each language as .txt, .pdf and .docx, so a lawyer can read the
templates as letters.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.domain.models import EvidenceItem, PriorAction, Report
from bot.letters.directory import Addressee, load_directory
from bot.letters.model import EarlierLetter, RenderOptions
from bot.letters.render import (
    available_languages,
    file_name,
    kinds_for,
    letter_docx,
    letter_pdf,
    render_letter,
)

SAMPLE_TODAY = date(2026, 3, 16)


def _evidence(kind: str, n: int, description: str) -> EvidenceItem:
    return EvidenceItem(
        kind=kind, file_id=f"sample-{n}", file_unique_id=f"u{n}", description=description
    )


def sample_reports() -> dict[str, Report]:
    """A spread of cases: both citizenships, both genders, with and without ids."""
    return {
        # Kazakh citizen, male, IIN and unit known; mother writes.
        "kz_male": Report(
            reporter_name="Сейітова Зуһра Әбілқызы",
            reporter_relation="mother",
            reporter_gender="f",
            reporter_phone="+77011234567",
            reporter_address="Қазақстан, 050000, Алматы қ., Төле би к-сі, 100, 25-пәтер",
            reporter_email="zuhra.seitova@example.kz",
            reporter_id_number="700312450015",
            missing_name="Әлібек Құрманғазыұлы",
            missing_name_latin="ALIBEK KURMANGAZYULY",
            missing_birth_date=date(1994, 3, 18),
            missing_gender="m",
            citizenship="KZ",
            citizenship_other="",
            missing_id_number="940318350010",
            missing_passport="N12345678",
            missing_photo=_evidence("photo", 0, "Фото"),
            last_contact_date=date(2025, 3, 5),
            last_contact_how="call",
            last_place="Москва, Сахарово",
            what_happened="force",
            story=(
                "Ұлым 2025 жылдың наурызында құрылыста жұмыс істеген. 5 наурызда "
                "телефонмен хабарласып, оны полиция ұстағанын айтты. Содан кейін "
                "телефоны өшіп қалды."
            ),
            responsible="pmc",
            responsible_text="вербовщик по имени Руслан, тел. +7 900 000-00-00",
            unit="в/ч 00000, Ростовская область",
            contract="unk",
            renounced="no",
            evidence=(
                _evidence("photo", 1, "Скриншот переписки от 02.03.2025"),
                _evidence("voice", 2, ""),
            ),
            actions=(
                PriorAction(
                    body="embassy",
                    on=date(2025, 4, 10),
                    outcome="form",
                    reply="Сообщили, что запрос направлен в компетентные органы.",
                ),
            ),
            # As a caseworker or the family would give them for letters in the other language.
            translations={
                "r_addr": {"ru": "Казахстан, 050000, г. Алматы, ул. Толе би, 100, кв. 25"},
                "e_story": {
                    "ru": "Мой сын в марте 2025 года работал на стройке. 5 марта он "
                    "позвонил и сказал, что его задержала полиция. После этого "
                    "его телефон отключился."
                },
                "e_resp_text": {"kk": "Руслан есімді адам, тел. +7 900 000-00-00"},
                "e_unit": {"kk": "00000 әскери бөлімі, Ростов облысы"},
                "evidence.0": {"kk": "2025 жылғы 2 наурыздағы хат алмасудың скриншоты"},
                "actions.0.reply": {"kk": "Сұрау құзыретті органдарға жіберілгені хабарланды."},
            },
        ),
        # Kazakh citizen, female, no IIN, no unit; father writes, no e-mail.
        "kz_female": Report(
            reporter_name="Жақсыбеков Нұрсұлтан Әміржанұлы",
            reporter_relation="father",
            reporter_gender="m",
            reporter_phone="+77771234567",
            reporter_address="Қазақстан, 160000, Шымкент қ., Тәуке хан даңғылы, 12",
            reporter_email="",
            reporter_id_number="",
            missing_name="Жақсыбекова Айгерім Нұрсұлтанқызы",
            missing_name_latin="",
            missing_birth_date=date(1999, 11, 2),
            missing_gender="f",
            citizenship="KZ",
            citizenship_other="",
            missing_id_number="",
            missing_passport="",
            missing_photo=None,
            last_contact_date=date(2025, 7, 21),
            last_contact_how="message",
            last_place="Санкт-Петербург",
            what_happened="work",
            story="",
            responsible="unknown",
            responsible_text="",
            unit="",
            contract="no",
            renounced="unk",
            translations={
                "r_addr": {"ru": "Казахстан, 160000, г. Шымкент, пр. Тауке хана, 12"},
            },
        ),
        # Kyrgyz citizen, male, PIN known; mother writes.
        "kg_male": Report(
            reporter_name="Төлөгөнова Айгүл Асановна",
            reporter_relation="mother",
            reporter_gender="f",
            reporter_phone="+996555123456",
            reporter_address="Кыргыз Республикасы, 720001, Бишкек ш., Чүй пр., 100, 12-батир",
            reporter_email="aigul.tologonova@example.kg",
            reporter_id_number="11208197000456",
            missing_name="Төлөгөнов Эрлан Бакытбекович",
            missing_name_latin="ERLAN TOLOGONOV",
            missing_birth_date=date(1996, 3, 15),
            missing_gender="m",
            citizenship="KG",
            citizenship_other="",
            missing_id_number="21503199600123",
            missing_passport="AC1234567",
            missing_photo=None,
            last_contact_date=date(2025, 1, 28),
            last_contact_how="call",
            last_place="Московская область",
            what_happened="migration",
            story=(
                "Уулум миграциялык борборго алынып кеткен. Телефон аркылуу ага "
                "кагаздарга кол коюуну талап кылышканын айтты."
            ),
            responsible="police",
            responsible_text="",
            unit="",
            contract="yes",
            renounced="unk",
            evidence=(_evidence("document", 3, "Патент на работу"),),
            translations={
                "r_addr": {"ru": "Кыргызская Республика, 720001, г. Бишкек, пр. Чуй, 100, кв. 12"},
                "e_place": {"ky": "Москва облусу"},
                "e_story": {
                    "ru": "Моего сына забрали в миграционный центр. По телефону он "
                    "сказал, что от него требуют подписать бумаги."
                },
                "evidence.0": {"ky": "Иштөөгө патент"},
            },
        ),
        # Kyrgyz citizen, female; brother writes.
        "kg_female": Report(
            reporter_name="Асанов Мирлан Бакирович",
            reporter_relation="brother",
            reporter_gender="m",
            reporter_phone="+996700654321",
            reporter_address="Кыргыз Республикасы, 723500, Ош ш., Ленин көч., 5",
            reporter_email="mirlan.asanov@example.kg",
            reporter_id_number="",
            missing_name="Асанова Жаңыл Бакировна",
            missing_name_latin="ZHANYL ASANOVA",
            missing_birth_date=date(2001, 6, 9),
            missing_gender="f",
            citizenship="KG",
            citizenship_other="",
            missing_id_number="",
            missing_passport="",
            missing_photo=None,
            last_contact_date=date(2025, 9, 14),
            last_contact_how="message",
            last_place="Екатеринбург",
            what_happened="signed",
            story="Ага жумуш убада кылып, орус тилинде кагаздарга кол койдурушкан.",
            responsible="recruiters",
            responsible_text="",
            unit="Луганск",
            contract="unk",
            renounced="unk",
            translations={
                "r_addr": {"ru": "Кыргызская Республика, 723500, г. Ош, ул. Ленина, 5"},
                "e_story": {
                    "ru": "Ей обещали работу и заставили подписать бумаги на русском языке."
                },
            },
        ),
        # Another citizenship; wife writes; recruited in prison.
        "other": Report(
            reporter_name="Рахимова Зарина Юсуфовна",
            reporter_relation="wife",
            reporter_gender="f",
            reporter_phone="+992900112233",
            reporter_address="Республика Таджикистан, 734000, Душанбе, ул. Рудаки, 10, кв. 4",
            reporter_email="",
            reporter_id_number="",
            missing_name="Рахимов Фаррух Саидович",
            missing_name_latin="FARRUKH RAKHIMOV",
            missing_birth_date=date(1988, 1, 30),
            missing_gender="m",
            citizenship="other",
            citizenship_other="Республика Таджикистан",
            missing_id_number="",
            missing_passport="",
            missing_photo=None,
            last_contact_date=date(2024, 12, 1),
            last_contact_how="meeting",
            last_place="ИК-2, Свердловская область",
            what_happened="prison",
            story="",
            responsible="pmc",
            responsible_text="",
            unit="",
            contract="no",
            renounced="unk",
        ),
    }


def sample_earlier(addressee: Addressee) -> tuple[EarlierLetter, ...]:
    """An earlier letter fitting ``addressee``, for rendering follow-up kinds."""
    return (
        EarlierLetter(
            addressee_id=addressee.id,
            sent_on=date(2026, 1, 12),
            reference="ОГ-12345",
            outcome="none",
        ),
    )


def _sample_for(addressee: Addressee, language: str) -> str:
    """Pick the sample whose citizenship fits the body and the language."""
    if addressee.country == "KZ" or language == "kk":
        return "kz_male"
    if addressee.country == "KG" or language == "ky":
        return "kg_male"
    return {
        "prosecutor_general": "kz_female",
        "military_prosecutor": "kg_female",
        "investigative_committee": "kz_male",
        "defence_ministry": "kg_female",
        "ombudsman_ru": "other",
        "icrc": "other",
    }.get(addressee.id, "kz_male")


def render_samples(out_dir: Path) -> list[Path]:
    """Write every kind x language x body as .txt, .pdf and .docx; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = sample_reports()
    written: list[Path] = []
    for addressee in load_directory().values():
        for kind in kinds_for(addressee):
            for language in available_languages(kind, addressee):
                report = reports[_sample_for(addressee, language)]
                earlier = () if kind == addressee.letter_kind else sample_earlier(addressee)
                letter = render_letter(
                    kind,
                    addressee.id,
                    report,
                    language,
                    case_number="SAMPLE-2026-0001",
                    today=SAMPLE_TODAY,
                    options=RenderOptions(),
                    earlier=earlier,
                )
                for ext, data in (
                    ("txt", letter.text.encode("utf-8")),
                    ("pdf", letter_pdf(letter)),
                    ("docx", letter_docx(letter)),
                ):
                    path = out_dir / file_name(
                        "SAMPLE-2026-0001", addressee.id, language, ext, kind=kind
                    )
                    path.write_bytes(data)
                    written.append(path)
    return written
