"""Letters core: directory, recommendations, and every template's text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.domain.deadlines import next_step
from bot.domain.models import PriorAction, Report
from bot.letters import (
    REASONS,
    EarlierLetter,
    Letter,
    RenderOptions,
    TemplateMissing,
    available_languages,
    file_name,
    form_chunks,
    kinds_for,
    load_directory,
    recommend,
    render_letter,
)
from bot.letters.directory import DEADLINE_RULES, DirectoryError, get_addressee
from bot.letters.render import FOLLOW_UP_KINDS, letter_kinds, template_languages
from bot.letters.sample import SAMPLE_TODAY, sample_reports
from bot.letters.translations import ForeignText, localize, needed

DIRECTORY = load_directory()
SAMPLES = sample_reports()
TODAY = SAMPLE_TODAY
TODAY_TEXT = "16.03.2026"
FIRST_KINDS = {
    "consular_request",
    "mfa_request",
    "ombudsman_request",
    "prosecutor_request",
    "crime_report",
    "search_request",
    "tracing_request",
    "missing_person_report",
    "prison_request",
    "migration_request",
    "commissariat_request",
}

# (addressee, kind, language) for every letter the bot can produce.
# The regional offices of one region and one district stand for every region's (the
# names differ, the templates and rules do not).
REGIONAL_SAMPLE = [
    get_addressee(i)
    for i in (
        "region_prosecutor_ru_tom",
        "region_investigative_ru_tom",
        "region_commissariat_ru_tom",
        "district_military_prosecutor_central",
    )
]
MATRIX = [
    (a.id, kind, lang)
    for a in (*DIRECTORY.values(), *REGIONAL_SAMPLE)
    for kind in kinds_for(a)
    for lang in available_languages(kind, a)
]

EARLIER = (
    EarlierLetter("embassy_kz", date(2025, 12, 1), "ВХ-0071", "none"),
    EarlierLetter(
        "investigative_committee", date(2026, 1, 12), "ОГ-12345", "form", kind="crime_report"
    ),
)

# Consent to processing of personal data, in each language.
CONSENT = {
    "ru": "Даю согласие на обработку моих персональных данных",
    "kk": "келісім беремін",
    "ky": "макулдугумду берем",
}
# How each body's answer term is cited.
RULE_CITATION = {
    "ru_59fz": ("59-ФЗ",),
    "ru_prosecutor": ("№ 45", "59-ФЗ"),
    "ru_crime_report": ("статьёй 144",),
    "ru_ombudsman": ("1-ФКЗ",),
    "kz_appk": ("статьёй 76", "76-бабында", "76-беренесинде"),
    "kg_law67": ("№ 67",),
    "icrc": ("о результатах розыска",),
}
SIGNATURE_WORD = {"ru": "(подпись)", "kk": "(қолы)", "ky": "(колу)"}
# Wording that would describe a voluntary decision to go or to sign (legal-risk rule).
VOLUNTARY = {
    "ru": r"добровольн|по собственн\w* (?:желани|вол)|по своей воле|сам\w* решил|"
    r"(?<!не )подписал\w* контракт|заключил\w* контракт|завербовал|записал\w* в|"
    r"вступил\w* в|поехал\w* воевать|уехал\w* воевать|пошёл\w* воевать|наёмник",
    "kk": r"өз еркімен|өз қалауымен|ерікті түрде|өз еркі бойынша|келісімшартқа қол қойды\b|"
    r"жалдамалы",
    "ky": r"өз эрки менен|өз каалоосу менен|ыктыярдуу|келишимге кол койду\b|жалданма",
}


def render(kind: str, addressee_id: str, report: Report, language: str, **kw) -> Letter:
    kw.setdefault("case_number", "KZ-2026-0042")
    kw.setdefault("today", TODAY)
    return render_letter(kind, addressee_id, report, language, **kw)


def earlier_for(kind: str) -> tuple[EarlierLetter, ...]:
    return () if kind in FIRST_KINDS else EARLIER


# ----------------------------------------------------------------- directory


def test_directory_has_every_body_with_names_languages_rule_and_source() -> None:
    assert set(DIRECTORY) == {
        "embassy_kz",
        "embassy_kg",
        "mfa_kz",
        "mfa_kg",
        "ombudsman_kz",
        "ombudsman_kg",
        "ombudsman_ru",
        "prosecutor_general",
        "military_prosecutor",
        "investigative_committee",
        "defence_ministry",
        "icrc",
        "police_kz",
        "police_kg",
        "fsin",
        "migration_ru",
        "military_investigative",
    }
    for a in (*DIRECTORY.values(), *REGIONAL_SAMPLE):
        assert a.id.isascii()
        for lang in ("ru", "kk", "ky"):
            assert a.name(lang) and a.dative(lang), (a.id, lang)
        assert a.languages and a.deadline_rule in DEADLINE_RULES and a.source
        assert a.verified == (a.address_mark == "V")
        assert "ru" in available_languages(a.letter_kind, a)
        expected = {"KZ": ("kk", "ru"), "KG": ("ky", "ru")}.get(a.country, ("ru",))
        assert a.languages == expected, a.id
        assert a.online_form_limit is None or a.online_form_limit >= 1000
        assert a.online_form_limit_note
    assert DIRECTORY["prosecutor_general"].online_form_limit == 2000
    assert "[U]" in DIRECTORY["prosecutor_general"].online_form_limit_note
    assert (
        DIRECTORY["embassy_kz"].dative("ru") == "Послу Республики Казахстан в Российской Федерации"
    )


def test_only_verified_addresses_are_marked_verified() -> None:
    verified = {a.id for a in DIRECTORY.values() if a.verified}
    assert verified == {"investigative_committee"}


def test_a_new_body_needs_only_data(tmp_path: Path) -> None:
    raw = json.loads(Path("bot/data/addressees.json").read_text(encoding="utf-8"))
    extra = dict(raw["addressees"][0], id="consulate_kz_novosibirsk")
    extra["dative"] = dict(
        extra["dative"], ru="Генеральному консулу Республики Казахстан в Новосибирске"
    )
    raw["addressees"].append(extra)
    path = tmp_path / "addressees.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    directory = load_directory(path)
    assert "consulate_kz_novosibirsk" in directory
    assert directory["consulate_kz_novosibirsk"].dative("ru").startswith("Генеральному консулу")


def test_a_malformed_body_is_refused(tmp_path: Path) -> None:
    raw = json.loads(Path("bot/data/addressees.json").read_text(encoding="utf-8"))
    raw["addressees"][0]["deadline_rule"] = "whenever"
    path = tmp_path / "addressees.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DirectoryError):
        load_directory(path)


# ------------------------------------------------------------ recommendations


def ids(report: Report) -> list[str]:
    return [r.addressee_id for r in recommend(report)]


def test_kazakh_citizen_taken_by_force_gets_the_first_wave() -> None:
    assert ids(SAMPLES["kz_male"]) == [
        "embassy_kz",
        "mfa_kz",
        "police_kz",
        "prosecutor_general",
        "military_prosecutor",
        "investigative_committee",
        "defence_ministry",
        "icrc",
    ]


def test_ombudsmen_come_later_through_the_ladder() -> None:
    for report in SAMPLES.values():
        assert not any(x.startswith("ombudsman") for x in ids(report))
    assert next_step("embassy_kz", "silence", 2).to == "ombudsman_kz"
    assert next_step("prosecutor_general", "silence", 1).to == "ombudsman_ru"


def test_went_to_work_without_contract_gets_no_military_prosecutor_nor_crime_report() -> None:
    assert ids(SAMPLES["kz_female"]) == [
        "embassy_kz",
        "mfa_kz",
        "police_kz",
        "prosecutor_general",
        "icrc",
    ]


def test_kyrgyz_citizen_gets_the_kyrgyz_side() -> None:
    got = ids(SAMPLES["kg_male"])
    assert got[:3] == ["embassy_kg", "mfa_kg", "police_kg"]
    assert "military_prosecutor" in got  # contract == yes
    assert "investigative_committee" in got  # migration centre, police
    assert not any(x.endswith("_kz") for x in got)


def test_other_citizenship_gets_only_the_russian_side() -> None:
    got = ids(SAMPLES["other"])
    assert not any(x.endswith(("_kz", "_kg")) for x in got)
    assert got[0] == "prosecutor_general"
    assert {"defence_ministry", "icrc", "investigative_committee", "military_prosecutor"} <= set(
        got
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit", "в/ч 00000"),
        ("contract", "yes"),
        ("what_happened", "mobilised"),
        ("responsible", "pmc"),
        ("responsible", "unit"),
    ],
)
def test_military_prosecutor_when_the_army_is_involved(field: str, value: str) -> None:
    base = SAMPLES["kz_female"]
    assert "military_prosecutor" not in ids(base)
    assert "military_prosecutor" in ids(replace(base, **{field: value}))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("what_happened", "force"),
        ("what_happened", "migration"),
        ("what_happened", "signed"),
        ("what_happened", "prison"),
        ("responsible", "pmc"),
        ("responsible", "recruiters"),
        ("responsible", "police"),
    ],
)
def test_crime_report_when_facts_point_to_a_crime(field: str, value: str) -> None:
    base = SAMPLES["kz_female"]
    assert "investigative_committee" not in ids(base)
    assert "investigative_committee" in ids(replace(base, **{field: value}))


def test_recommendations_carry_the_letter_kind_and_a_known_reason() -> None:
    for report in SAMPLES.values():
        for rec in recommend(report):
            assert rec.kind == DIRECTORY[rec.addressee_id].letter_kind
            assert rec.reason_code in REASONS and rec.reason_code.isascii()
    assert all(isinstance(v, str) and v for v in REASONS.values())


# --------------------------------------------------------- every template's text


def assert_well_formed(letter: Letter) -> None:
    text = letter.text
    for bad in ("{{", "}}", "{%", "%}", "{#", "None", "Undefined", "\n\n\n", " \n", "  "):
        assert bad not in text, (bad, letter.kind, letter.language)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        assert not line.startswith("@"), line
        if line.rstrip().endswith(":"):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            assert following.strip(), f"dangling label: {line!r} ({letter.kind}/{letter.language})"
    assert not re.search(r"\s[,.;:]", text.replace(" — ", "")), letter.kind


def assert_required_elements(letter: Letter, report: Report, addressee_id: str) -> None:
    addressee = DIRECTORY[addressee_id]
    lang = letter.language
    text = letter.text
    assert letter.to_lines[0] == addressee.dative(lang)
    assert report.reporter_name in letter.from_lines[0]
    assert report.reporter_address in text
    if report.reporter_id_number and addressee.country == "KZ":
        assert report.reporter_id_number in "\n".join(letter.from_lines)
    assert report.missing_name in text
    assert letter.title and letter.requests
    assert "\n1. " in text and "\n2. " in text
    assert TODAY_TEXT in letter.place_date
    assert report.reporter_name in letter.signature and SIGNATURE_WORD[lang] in letter.signature
    assert CONSENT[lang] in text
    if letter.kind in FIRST_KINDS:
        assert any(c in text for c in RULE_CITATION[addressee.deadline_rule]), (
            letter.kind,
            lang,
            addressee_id,
        )
    if letter.kind == "crime_report":
        assert "статье 306 Уголовного кодекса Российской Федерации" in text
        assert "заведомо ложный донос" in text
    assert not re.search(VOLUNTARY[lang], text, flags=re.I), (letter.kind, lang)


@pytest.mark.parametrize(
    ("addressee_id", "kind", "language"), MATRIX, ids=[f"{a}-{k}-{lang}" for a, k, lang in MATRIX]
)
def test_every_letter_has_its_required_elements(
    addressee_id: str, kind: str, language: str
) -> None:
    rendered = 0
    for name, report in SAMPLES.items():
        for options in (RenderOptions(), RenderOptions(False, False)):
            if needed(report, language, options):  # text in another language, untranslated
                with pytest.raises(ForeignText):
                    render(
                        kind,
                        addressee_id,
                        report,
                        language,
                        options=options,
                        earlier=earlier_for(kind),
                    )
                continue
            letter = render(
                kind, addressee_id, report, language, options=options, earlier=earlier_for(kind)
            )
            rendered += 1
            assert letter.kind == kind and letter.language == language
            assert_well_formed(letter)
            assert_required_elements(letter, localize(report, language, options), addressee_id)
            if kind not in FIRST_KINDS:
                for e in EARLIER:
                    assert e.sent_on is not None
                    assert e.sent_on.strftime("%d.%m.%Y") in letter.text, (name, kind)
                    assert e.reference in letter.text, (name, kind)
    assert rendered >= 2


def test_the_matrix_covers_every_kind_and_language() -> None:
    kinds = set(letter_kinds())
    assert FIRST_KINDS | set(FOLLOW_UP_KINDS) == kinds
    for kind in kinds:
        assert "ru" in template_languages(kind)
    for kind in (
        "consular_request",
        "mfa_request",
        "ombudsman_request",
        "repeat_request",
        "complaint_silence",
        "complaint_form_reply",
        "complaint_refusal",
    ):
        assert {"ru", "kk", "ky"} <= set(template_languages(kind))
    covered = {(k, lang) for _, k, lang in MATRIX}
    assert covered == {(k, lang) for k in kinds for lang in template_languages(k)}


def empty_report(report: Report) -> Report:
    """Every optional answer left empty."""
    return replace(
        report,
        reporter_email="",
        reporter_id_number="",
        missing_name_latin="",
        missing_birth_date=None,
        missing_id_number="",
        missing_passport="",
        missing_photo=None,
        last_contact_date=None,
        last_contact_how="other",
        last_place="",
        story="",
        responsible="unknown",
        responsible_text="",
        unit="",
        contract="",
        renounced="",
        citizenship_other="",
        evidence=(),
        actions=(),
        what_happened="",
        reporter_relation="other",
        # The one free text left, the postal address, as given for letters in each language.
        translations={
            "r_addr": {
                "kk": "Шымкент қ., Тәуке хан даңғылы, 12",
                "ky": "Шымкент ш., Тәуке хан проспекти, 12",
                "ru": "г. Шымкент, пр. Тауке хана, 12",
            }
        },
    )


@pytest.mark.parametrize(
    ("addressee_id", "kind", "language"), MATRIX, ids=[f"{a}-{k}-{lang}" for a, k, lang in MATRIX]
)
def test_empty_optional_fields_leave_no_gaps(addressee_id: str, kind: str, language: str) -> None:
    for report in (empty_report(SAMPLES["kz_female"]), empty_report(SAMPLES["other"])):
        letter = render(kind, addressee_id, report, language)
        assert_well_formed(letter)
        assert "None" not in letter.text


def test_nothing_is_written_to_the_letter_that_the_family_left_out() -> None:
    report = SAMPLES["kz_male"]
    full = render("prosecutor_request", "prosecutor_general", report, "ru")
    assert report.responsible_text in full.text and report.unit in full.text
    story = report.translations["e_story"]["ru"]  # the family's account, given in Russian
    assert story in full.text and "частной военной компании" in full.text
    bare = render(
        "prosecutor_request",
        "prosecutor_general",
        report,
        "ru",
        options=RenderOptions(include_perpetrator=False, include_story=False),
    )
    for left_out in (
        report.responsible_text,
        report.unit,
        story,
        "частной военной компании",
        "причастн",
    ):
        assert left_out not in bare.text
    for lang in ("kk", "ru"):
        kk = render(
            "consular_request",
            "embassy_kz",
            report,
            lang,
            options=RenderOptions(include_perpetrator=False, include_story=True),
        )
        story = report.translations.get("e_story", {}).get(lang, report.story)
        assert report.unit not in kk.text and story in kk.text


# ------------------------------------------------------------------- grammar


def test_russian_grammar_follows_both_genders() -> None:
    son = render("prosecutor_request", "prosecutor_general", SAMPLES["kz_male"], "ru").text
    assert "вынуждена обратиться" in son and "мать пропавшего без вести" in son
    assert "мой сын" in son and "пропал без вести" in son and "моего сына" in son
    assert "гражданином Республики Казахстан" in son
    assert "моя дочь" not in son and "пропала" not in son and "вынужден обратиться" not in son

    daughter = render("prosecutor_request", "prosecutor_general", SAMPLES["kz_female"], "ru").text
    assert "вынужден обратиться" in daughter and "отец пропавшей без вести" in daughter
    assert "моя дочь" in daughter and "пропала без вести" in daughter
    assert "гражданкой Республики Казахстан" in daughter
    assert "она не подписывала" in daughter
    assert "мой сын" not in daughter and "вынуждена" not in daughter

    report = render("crime_report", "investigative_committee", SAMPLES["kz_female"], "ru").text
    assert "предупреждён." in report
    assert (
        "предупреждена."
        in render("crime_report", "investigative_committee", SAMPLES["kz_male"], "ru").text
    )

    wife = render("search_request", "defence_ministry", SAMPLES["other"], "ru").text
    assert "жена пропавшего без вести" in wife and "мой муж" in wife
    assert "иностранным гражданином (Республика Таджикистан)" in wife

    repeat = render(
        "repeat_request", "embassy_kz", SAMPLES["kz_female"], "ru", earlier=EARLIER
    ).text
    assert "я обращался" in repeat
    assert (
        "я обращалась"
        in render("repeat_request", "embassy_kz", SAMPLES["kz_male"], "ru", earlier=EARLIER).text
    )


def test_kazakh_and_kyrgyz_follow_the_missing_persons_gender() -> None:
    son = render("consular_request", "embassy_kz", SAMPLES["kz_male"], "kk").text
    assert "Менің ұлым" in son and "азаматтың анасы" in son and "азаматы" in son
    daughter = render("consular_request", "embassy_kz", SAMPLES["kz_female"], "kk").text
    # Kazakh legal usage: "азамат" for both sexes, never "азаматша".
    assert "Менің қызым" in daughter and "азаматтың әкесі" in daughter
    assert "азаматы" in daughter and "азаматты іздестіруге" in daughter
    assert "азаматша" not in daughter
    # The reason comes first, the main clause last (not Russian word order with "себебі").
    assert "хабарсыз жоғалғандықтан, мен," in son and "себебі" not in son

    uulum = render("consular_request", "embassy_kg", SAMPLES["kg_male"], "ky").text
    assert "менин уулум" in uulum and "жарандын энеси" in uulum
    kyzym = render(
        "consular_request",
        "embassy_kg",
        replace(SAMPLES["kg_female"], reporter_relation="mother", reporter_gender="f"),
        "ky",
    ).text
    assert "менин кызым" in kyzym and "уулум" not in kyzym


def test_legal_risk_wording_states_facts_only() -> None:
    no_contract = render("consular_request", "embassy_kz", SAMPLES["kz_female"], "ru").text
    assert "Насколько известно семье, никакого контракта она не подписывала." in no_contract
    unknown = render("consular_request", "embassy_kz", SAMPLES["kz_male"], "ru").text
    assert "Семье неизвестно, оформлялся ли от его имени какой-либо контракт." in unknown
    signed = render("consular_request", "embassy_kg", SAMPLES["kg_male"], "ky").text
    assert "кол койдуруп алышкан" in signed  # "they made him sign", never "he signed"
    kk = render(
        "consular_request", "embassy_kz", replace(SAMPLES["kz_male"], contract="yes"), "kk"
    ).text
    assert "қол қойдырып алынған" in kk
    for lang, report in (("ru", SAMPLES["other"]), ("kk", SAMPLES["kz_male"])):
        for kind in ("consular_request",):
            text = render(kind, "embassy_kz", report, lang).text
            assert not re.search(VOLUNTARY[lang], text, flags=re.I)


def test_prior_actions_and_their_answers_are_listed() -> None:
    report = replace(
        SAMPLES["kz_female"],
        actions=(
            PriorAction(body="police", on=date(2025, 8, 1), outcome="refused"),
            PriorAction(body="other", body_text="Акимат города Шымкент", outcome="none"),
        ),
    )
    text = render("ombudsman_request", "ombudsman_kz", report, "ru").text
    assert "Полиция (органы внутренних дел) (01.08.2025): в рассмотрении отказано" in text
    assert "Акимат города Шымкент: ответ не получен" in text
    assert "не дали ответа по существу" in text  # the inaction request


def test_earlier_letters_are_cited_in_a_first_letter_and_in_complaints() -> None:
    text = render(
        "prosecutor_request", "prosecutor_general", SAMPLES["kz_male"], "ru", earlier=EARLIER
    ).text
    assert (
        "Посольство Республики Казахстан в Российской Федерации, обращение от 01.12.2025, "
        "рег. № ВХ-0071: ответ не получен"
    ) in text
    complaint = render(
        "complaint_crime_report_refusal",
        "prosecutor_general",
        SAMPLES["kz_male"],
        "ru",
        earlier=(replace(EARLIER[1], outcome="refused"),),
    )
    assert (
        "Следственный комитет Российской Федерации: сообщение о преступлении от 12.01.2026, "
        "рег. № ОГ-12345 — вынесено постановление об отказе в возбуждении уголовного дела"
    ) in complaint.text
    assert "в порядке статьи 124" in complaint.subtitle
    kk = render("complaint_silence", "mfa_kz", SAMPLES["kz_male"], "kk", earlier=EARLIER[:1]).text
    assert "01.12.2025 ж. өтініш, тіркеу № ВХ-0071" in kk and "76-бабында" in kk


def test_an_unknown_kind_or_language_is_refused() -> None:
    with pytest.raises(TemplateMissing):
        render("crime_report", "investigative_committee", SAMPLES["kz_male"], "kk")
    with pytest.raises(KeyError):
        render("consular_request", "embassy_xx", SAMPLES["kz_male"], "ru")


def test_available_languages_follow_the_body() -> None:
    assert available_languages("consular_request", DIRECTORY["embassy_kz"]) == ["kk", "ru"]
    assert available_languages("consular_request", DIRECTORY["embassy_kg"]) == ["ky", "ru"]
    assert available_languages("crime_report", DIRECTORY["investigative_committee"]) == ["ru"]
    assert available_languages("crime_report", DIRECTORY["embassy_kz"]) == ["ru"]
    assert "complaint_crime_report_inaction" in kinds_for(DIRECTORY["prosecutor_general"])
    assert "complaint_crime_report_inaction" not in kinds_for(DIRECTORY["ombudsman_kz"])


# --------------------------------------------------------- forms and file names


@pytest.mark.parametrize("limit", [300, 700, 1500, 2000])
def test_form_chunks_fit_the_limit_and_lose_nothing(limit: int) -> None:
    letter = render("crime_report", "investigative_committee", SAMPLES["kz_male"], "ru")
    chunks = form_chunks(letter, limit)
    assert len(chunks) > 1
    total = len(chunks)
    body = []
    for i, chunk in enumerate(chunks, 1):
        assert len(chunk) <= limit
        prefix = f"({i}/{total}) "
        assert chunk.startswith(prefix)
        body.append(chunk[len(prefix) :])
    squash = re.compile(r"\s+")
    assert squash.sub("", "".join(body)) == squash.sub("", letter.text)
    # Cuts fall at paragraph or sentence ends whenever the limit allows.
    if limit >= 700:
        assert all(
            b.rstrip()[-1] in ".:;)»" or b.rstrip()[-1].isdigit() or b.endswith(")")
            for b in body[:-1]
        ), body


def test_a_short_letter_is_one_unnumbered_chunk() -> None:
    letter = render("tracing_request", "icrc", SAMPLES["kz_female"], "ru")
    assert form_chunks(letter, 100_000) == [letter.text.strip()]
    with pytest.raises(ValueError):
        form_chunks(letter, 10)


def test_file_names_are_ascii() -> None:
    assert file_name("KZ-2026-0042", "embassy_kz", "ru", "pdf") == "KZ-2026-0042_embassy-kz_ru.pdf"
    assert file_name("KG-2026-0007", "mfa_kg", "ky", ".docx") == "KG-2026-0007_mfa-kg_ky.docx"
    odd = file_name("ҚЗ/2026 №42", "ombudsman_kz", "kk", "pdf", kind="repeat_request")
    assert odd.isascii() and " " not in odd and "/" not in odd
    assert odd.endswith("_ombudsman-kz_repeat-request_kk.pdf")
