"""Which of Kazakh, Kyrgyz or Russian a piece of Cyrillic text is written in.

A letter must be in its addressee's language down to the family's own words, so every
free-text answer that goes into a letter is checked before the letter is made. The three
languages share the Cyrillic script, which makes a small rule-based detector enough and
keeps it explainable (no model, no download):

1. Letters only Kazakh has (ә ғ қ ұ һ і) mean Kazakh.
2. Letters Kazakh and Kyrgyz share but Russian lacks (ң ө ү) mean Kyrgyz, unless Kazakh
   function words and genitives in -ның/-дың/-тың outnumber Kyrgyz function words (a
   Kazakh phrase can lack rule-1 letters).
3. Otherwise common function words and a few typical endings decide: Russian words
   ("и", "в", "на", "что", "области"...) and endings ("-ого", "-ский", "-щик") against
   Kyrgyz and Kazakh ones ("жана", "менен", "шаары"...; "және", "облысы"...) and Turkic
   endings ("-ган", "-гон", "-дын", "-инде").
   In a phrase of two or more words with no Kazakh or Kyrgyz sign at all, weaker Russian
   endings ("-ки", "-ия", "-ов") count too.
4. Text without Cyrillic letters (numbers, Latin codes) or without any clue (a lone place
   name such as "Москва") is neutral: ``None``. It reads the same in all three.

Russian loanwords inside Kazakh or Kyrgyz text stay Kazakh or Kyrgyz by rules 1-2. A
Kyrgyz or Kazakh phrase with none of the signs above can be taken for neutral; the family
sees the text they typed in the letter's preview in any case.
"""

from __future__ import annotations

import re

LANGUAGES = ("kk", "ky", "ru")

KK_LETTERS = frozenset("әғқұһі")
KK_KY_LETTERS = frozenset("ңөү")

RU_WORDS = frozenset(
    """
и в во на не что он она они его её ее их с со по из за к ко от у о об был была было были
это как когда после через до для при под над году год года области область край края
города город село селе ул улица улице д дом кв мой моя мою мне меня сын сына брат брата
муж мужа отец отца его ему где также затем потом уехал уехала работал работала работы
забрали увезли задержали сказали сообщили позвонил позвонила больше нет ни или но а же
""".split()
)

KY_WORDS = frozenset(
    """
жана менен деп болуп анын бул эле үчүн кийин шаары шаарында облусу облусунда айылы айылында
уулум кызым менин биз ал жок бар аны дагы экен болгон бирок же тууралуу жөнүндө аркылуу
кетти алып барып келип иштеп иштеген окуган окуп мамлекеттик университетинде аскер
""".split()
)

KK_WORDS = frozenset(
    """
және мен деп болып оның бұл үшін кейін қаласы қаласында облысы облысында ауылы ауылында
ұлым қызым менің біз ол жоқ бар оны тағы екен болған бірақ немесе туралы арқылы
кетті алып барып келіп жұмыс істеген оқыған мемлекеттік университетінде әскер
""".split()
)

# Endings frequent in Kyrgyz and Kazakh words and rare in Russian ones.
TURKIC_ENDING = re.compile(
    r"(?:ган|ген|гон|кан|кен|кон|дын|дин|дун|нын|нин|нун|тын|тин|ынан|инен|унан|инде|ында"
    r"|унда|ыбыз|ибиз|сыз|сиз|быз|биз|луу|лүү|дуу|түү|тук|дык|дик|ып|ип|пай|бай|ышка|ишке"
    r"|лды|лди|лду|нды|нди)$"
)
# Endings frequent in Russian words and rare in Kyrgyz and Kazakh ones.
RU_ENDING = re.compile(
    r"(?:ого|ому|ыми|ими|ться|тся|ость|ение|ание|щик|чик|ская|ский|ское|ской|ских|ных|ный"
    r"|ная|ное|ует|ают|яют|ешь|ишь|ями|ами)$"
)
# The Kazakh genitive ends in -ның/-дың/-тың (Kyrgyz: -нын/-дын/-тын).
KK_GENITIVE = re.compile(r"(?:ның|нің|дың|дің|тың|тің)$")
# Weaker Russian endings, counted only in phrases of two or more words without any
# Kazakh or Kyrgyz sign ("Скриншот переписки"): a single word may be a shared place name.
RU_WEAK_ENDING = re.compile(r"(?:ки|ии|ия|ой|ей|ом|ем|ах|ях|ов|ев|ть|ые|ий)$")
RU_FALSE_TURKIC = re.compile(r"(?:стан|орган|ган[аеуы]?|кан[аеуы]?)$")
WORD = re.compile(r"[а-яёәғқңөұүһі]+", re.IGNORECASE)


def words(text: str) -> list[str]:
    """Lower-case Cyrillic words of ``text``."""
    return [w.lower() for w in WORD.findall(text)]


def _turkic_endings(tokens: list[str]) -> int:
    return sum(
        1
        for t in tokens
        if len(t) > 4 and TURKIC_ENDING.search(t) and not RU_FALSE_TURKIC.search(t)
    )


def detect(text: str) -> str | None:
    """ "kk", "ky" or "ru" for ``text``, or None when it gives no clue (see the module doc)."""
    tokens = words(text)
    if not tokens:
        return None
    letters = set("".join(tokens))
    kk_words = sum(1 for t in tokens if t in KK_WORDS)
    ky_words = sum(1 for t in tokens if t in KY_WORDS)
    if letters & KK_LETTERS:
        return "kk"
    if letters & KK_KY_LETTERS:
        kk_words += sum(1 for t in tokens if KK_GENITIVE.search(t))
        return "kk" if kk_words > ky_words else "ky"
    ru = sum(1 for t in tokens if t in RU_WORDS or (len(t) > 4 and RU_ENDING.search(t)))
    turkic = ky_words + kk_words + _turkic_endings(tokens)
    if ru == 0 and turkic == 0 and len(tokens) > 1:
        ru = sum(1 for t in tokens if len(t) > 4 and RU_WEAK_ENDING.search(t))
    if ru == 0 and turkic == 0:
        return None
    if ru > turkic:
        return "ru"
    return "kk" if kk_words > ky_words else "ky"


def fits(text: str, language: str) -> bool:
    """True when ``text`` may stand in a letter in ``language``: written in it, or neutral."""
    found = detect(text)
    return found is None or found == language
