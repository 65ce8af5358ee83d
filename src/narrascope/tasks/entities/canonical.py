"""One id and one display name per actor, across name forms and languages.

"Russia", "Russian", "Russia's", "Moscow", "Россия", "России", "Русия", "रूस" and "Rússia" all name Russia, so
merging actors, storing them and filtering by them must see one actor. Country names in the five languages come
from CLDR (``babel``); ``canonical.tsv`` adds demonyms, capitals used for governments, organisations and people.

Matching is precise rather than clever: a mention matches a form only as a whole sequence of words, each word
equal to the form's word or the form's word plus an inflection ending (see :func:`_word_matches`), so "us" never
matches Russia and "Francis" never matches France. A name the table does not know keeps :func:`entity_key`.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

import babel

from narrascope.tasks.entities.context import entity_key
from narrascope.text.tokens import token_spans

#: Titles that introduce a name and can later stand for it ("President Macron" ... "the president").
TITLES = frozenset(
    """president prime minister chancellor mr mrs ms dr general secretary spokesman spokeswoman
    президент премьер министр канцлер генерал г-н господин
    presidente primeiro-ministro ministro chanceler
    राष्ट्रपति प्रधानमंत्री मंत्री श्री""".split()
)
LANGUAGES = ("en", "bg", "hi", "pt", "ru")
#: CLDR territory codes that are no actor's name (pseudo-locales, "Unknown Region", currency areas).
_NOT_ACTORS = frozenset(("EZ", "QO", "XA", "XB", "ZZ"))
#: CLDR names that are common words as well (Russian/Bulgarian "Того" is "of that").
_AMBIGUOUS_NAMES = frozenset(("Того",))
#: Case and article endings of Russian and Bulgarian nouns and adjectives (Путин-а, Росси-и, Русия-та).
_CYRILLIC_ENDINGS = frozenset(
    """а я у ю е и ы й ой ей ом ем ым им ого его ому ему ая яя ое ее ие ые их ых ими ыми ую юю ия ии ию ией ами ями
    ах ях ов ев ам ям ът ят та то те ите ата ото ият""".split()
)
#: Plural, possessive-free and adjective endings of Latin-script names (Russian-s, America-n).
_LATIN_ENDINGS = frozenset(("s", "n", "ns"))
#: Adjectival Russian endings dropped whole before an ending is added (русск-ий → русск-ого).
_ADJECTIVE_ENDINGS = ("ий", "ый", "ой", "ая", "ое", "ие", "ые")
_MIN_STEM = 4
_ARTICLES = frozenset(("the", "o", "a", "os", "as"))
#: Words that may stand before a person's name without changing who it is ("Russian President Vladimir Putin").
_OFFICE_WORDS = TITLES | frozenset("foreign defence defense state affairs of the министр иностранных дел".split())


@dataclass(frozen=True, slots=True)
class CanonicalActor:
    """An actor's identity: ``key`` is what the store keeps and filters by (``entity_key`` of the name)."""

    name: str
    kind: str  # country, organisation, group or person

    @property
    def key(self) -> str:
        return entity_key(self.name)


def actor_key(name: str, any_case: bool = False) -> str:
    """The key of the actor ``name`` names: its canonical actor's, else :func:`entity_key` of the name itself."""
    found = canonical(name, any_case)
    return found.key if found else entity_key(name)


def display_name(name: str) -> str:
    """The canonical name of the actor ``name`` names, else ``name`` itself."""
    found = canonical(name)
    return found.name if found else name


def page_id(key: str) -> str:
    """The URL path segment of an actor key (keys hold no hyphens: tokens are word characters)."""
    return key.replace(" ", "-")


def key_of_page_id(identifier: str) -> str:
    return identifier.replace("-", " ")


def canonical(mention: str, any_case: bool = False) -> CanonicalActor | None:
    """The canonical actor a mention names, or None. ``any_case``: capitals are not required, not even by short
    acronyms (a user's query "us" means the US; in an article, "us" is a pronoun)."""
    words = _words(mention)
    while words and words[0].casefold() in _ARTICLES:
        words = words[1:]
    if not words:
        return None
    table = _table()
    found = _lookup(table, words, any_case, people_only=False)
    if found:
        return found
    for start in range(1, len(words)):  # "Russian President Vladimir Putin", "Президент России Владимир Путин"
        before = words[:start]
        if all(_is_office_word(word) or _names_a_place_or_body(table, word, any_case) for word in before):
            found = _lookup(table, words[start:], any_case, people_only=True)
            if found:
                return found
    return None


# -- the table -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Form:
    words: tuple[str, ...]  # as written
    folded: tuple[str, ...]
    actor: CanonicalActor


@cache
def _table() -> dict[str, list[_Form]]:
    """Forms by the first three letters of their first word (case- and accent-folded). A hand-written form wins
    over a CLDR name; a CLDR name two territories share names neither."""
    hand: dict[tuple[str, ...], CanonicalActor] = {}
    cldr: dict[tuple[str, ...], set[CanonicalActor]] = defaultdict(set)
    for name, kind, forms, own in _rows().values():
        actor = CanonicalActor(name, kind)
        for form in forms:
            words = tuple(_words(form))
            if words and form in own:
                hand.setdefault(words, actor)
            elif words:
                cldr[words].add(actor)
    chosen = {words: next(iter(actors)) for words, actors in cldr.items() if len(actors) == 1}
    chosen.update(hand)
    table: dict[str, list[_Form]] = defaultdict(list)
    for words, actor in chosen.items():
        folded = tuple(_fold(word) for word in words)
        table[folded[0][:3]].append(_Form(words, folded, actor))
    return dict(table)


def _rows() -> dict[str, tuple[str, str, list[str], set[str]]]:
    """id → (display name, kind, forms, the hand-written forms): CLDR territories merged with ``canonical.tsv``."""
    rows: dict[str, tuple[str, str, list[str], set[str]]] = {}
    names = {language: babel.Locale.parse(language).territories for language in LANGUAGES}
    for code, english in names["en"].items():
        if len(code) == 2 and code.isalpha() and code not in _NOT_ACTORS:
            kind = "organisation" if code in ("EU", "UN") else "country"
            forms = [names[language][code] for language in LANGUAGES if code in names[language]]
            rows[code] = (english, kind, [form for form in forms if form not in _AMBIGUOUS_NAMES], set())
    text = resources.files(__package__).joinpath("canonical.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        identifier, kind, name, forms = line.split("\t")
        own = [name, *forms.split("|")]
        cldr = rows[identifier][2] if identifier in rows else []
        rows[identifier] = (name, kind, [*own, *cldr], set(own))
    return rows


# -- matching --------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    text = text.strip()
    for possessive in ("'s", "’s"):
        text = text.removesuffix(possessive)
    return [token for _, _, token in token_spans(unicodedata.normalize("NFC", text))]


def _fold(word: str) -> str:
    """Lower case; Latin accents dropped (Rússia → russia); other scripts kept (й is not и)."""
    word = word.casefold()
    if all(ord(char) < 0x250 for char in word):
        word = "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))
    return word


def _is_office_word(word: str) -> bool:
    return word.casefold() in _OFFICE_WORDS


def _names_a_place_or_body(table: dict[str, list[_Form]], word: str, any_case: bool) -> bool:
    found = _lookup(table, [word], any_case, people_only=False)
    return found is not None and found.kind != "person"


def _lookup(
    table: dict[str, list[_Form]], words: list[str], any_case: bool, people_only: bool
) -> CanonicalActor | None:
    folded = [_fold(word) for word in words]
    for form in table.get(folded[0][:3], ()):
        if len(form.words) != len(words) or (people_only and form.actor.kind != "person"):
            continue
        if all(
            _word_matches(written, mine, theirs, own, any_case)
            for written, mine, theirs, own in zip(words, folded, form.folded, form.words, strict=True)
        ):
            return form.actor
    return None


def _word_matches(written: str, folded: str, form: str, form_written: str, any_case: bool) -> bool:
    """``written`` (folded: ``folded``) is the form's word, or its inflection; capitals as the form demands."""
    letters = [char for char in form_written if char.isalpha()]
    if form_written.isupper() and len(letters) <= 3:  # an acronym: US is not "us", ЕС is not "ес"
        return folded == form if any_case else written == form_written
    if not any_case and form_written[:1].isupper() and not written[:1].isupper():
        return False
    if folded == form:
        return True
    if _is_cyrillic(form):
        stem = form
        if form.endswith(_ADJECTIVE_ENDINGS):
            stem = form[:-2]
        elif form[-1] in "аяеоиыйь":
            stem = form[:-1]
        return any(
            len(base) >= _MIN_STEM and folded.startswith(base) and folded[len(base) :] in _CYRILLIC_ENDINGS
            for base in {form, stem}
        )
    if form.isascii():
        return folded.startswith(form) and folded[len(form) :] in _LATIN_ENDINGS
    return False


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in word)
