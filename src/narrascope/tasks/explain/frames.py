"""The frame of an explanation: whom the article casts in which role, and what it claims, in the five languages.

An analyst's explanation says who does what to whom ("The text casts NATO, the UK and France as aggressors and
claims that …"). The actors and their roles come from the entity head, the claim from the narrative's name; the
words around them are fixed per language. Sentences are built so that no actor's name has to be inflected
("В статье НАТО и Франция — агрессоры"); outside English a country is named by CLDR in the nominative.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import babel

from narrascope.tasks.entities.canonical import canonical
from narrascope.taxonomy import narratives

FRAME_LANGUAGES = ("en", "bg", "hi", "pt", "ru")


@cache
def role_words() -> dict[str, dict[str, tuple[str, str]]]:
    """How each role reads in a frame, per language: (one actor, several actors) — ``taxonomy/role_words.json``."""
    data = json.loads(resources.files("narrascope").joinpath("taxonomy/role_words.json").read_text("utf-8"))
    return {
        role: {language: (one, several) for language, (one, several) in words.items()}
        for role, words in data["roles"].items()
    }


@dataclass(frozen=True, slots=True)
class Grammar:
    """The fixed words of a frame in one language.

    ``first``/``first_several``: the first role group (one actor / several), ``then``: a further group, ``claim``:
    what follows the groups ({x} the claim; English only restates the narrative), ``bare``: the claim without
    actors; ``and_``: the last joint of a list of names.
    """

    first: str
    first_several: str
    then: str
    claim: str
    bare: str
    and_: str


GRAMMARS: dict[str, Grammar] = {
    "en": Grammar("The text presents {actors} as {role}", "The text presents {actors} as {role}",
                  " and {actors} as {role}", ", and {x}:", "The text {x}:", " and "),
    "ru": Grammar("В статье {actors} — {role}", "В статье {actors} — {role}", ", а {actors} — {role}",
                  ". Говорится о том, что", "В статье говорится о том, что", " и "),
    "bg": Grammar("В статията {actors} е {role}", "В статията {actors} са {role}", ", а {actors} като {role}",
                  ". Коментира се, че", "Коментира се, че", " и "),
    "pt": Grammar("O texto apresenta {actors} como {role}", "O texto apresenta {actors} como {role}",
                  " e {actors} como {role}", ". O autor do texto afirma que", "O autor do texto afirma que", " e "),
    "hi": Grammar("लेख {actors} को {role} के रूप में प्रस्तुत करता है", "लेख {actors} को {role} के रूप में प्रस्तुत करता है",
                  " और {actors} को {role} के रूप में", "। इस लेख में चर्चा की गई है कि", "इस लेख में चर्चा की गई है कि",
                  " और "),
}  # fmt: skip

_PROPER = frozenset({"Ukraine", "Ukrainian", "Ukraine’s", "Russia", "Russian", "NATO", "CO2", "EU", "UA", "West"})
_CLAIM = re.compile(r" (is|are|will|do|does|has|have|cannot|should|risk|belongs|shows)\b|/will ")
#: Names that read with "the" in an English sentence.
_THE = re.compile(r"^(United |European |Russian Federation|Netherlands|Philippines|Czech Republic|Kremlin|West\b)")
_THE_SHORT = frozenset({"US", "UK", "EU", "UN", "USA"})
#: The narratives (short names) as what the text does.
NARRATIVE_CLAIMS = {
    "Blaming the war on others rather than the invader": "blames the war on others rather than the invader",
    "Discrediting Ukraine": "discredits Ukraine",
    "Russia is the Victim": "claims that Russia is the victim",
    "Praise of Russia": "praises Russia",
    "Overpraising the West": "overpraises the West",
    "Speculating war outcomes": "speculates about the outcome of the war",
    "Discrediting the West, Diplomacy": "discredits the West and diplomacy",
    "Negative Consequences for the West": "warns of negative consequences for the West",
    "Distrust towards Media": "sows distrust towards the media",
    "Amplifying war-related fears": "amplifies war-related fears",
    "Hidden plots by secret schemes of powerful groups": "points to hidden plots by powerful groups",
    "Criticism of climate policies": "criticises climate policies",
    "Criticism of institutions and authorities": "criticises institutions and authorities",
    "Climate change is beneficial": "claims that climate change is beneficial",
    "Downplaying climate change": "downplays climate change",
    "Questioning the measurements and science": "questions the measurements and the science",
    "Criticism of climate movement": "criticises the climate movement",
    "Controversy about green technologies": "stirs controversy about green technologies",
    "Amplifying Climate Fears": "amplifies climate fears",
    "Green policies are geopolitical instruments": "claims that green policies are geopolitical instruments",
}
#: Sub-narratives named as a noun phrase, as what the text does: their first words → a verb.
_NOMINAL = (
    ("Discrediting ", "discredits "),
    ("Praise of ", "praises "),
    ("Criticism of ", "criticises "),
    ("Rewriting ", "rewrites "),
    ("Blaming ", "blames "),
    ("Amplifying ", "amplifies "),
    ("Ad hominem attacks on ", "attacks "),
    ("Doomsday scenarios for ", "paints doomsday scenarios for "),
)


@dataclass(frozen=True, slots=True)
class Cast:
    """An actor as a frame may name it: canonical (English) name, the article's own spelling, its role."""

    name: str
    spelling: str
    role: str  # fine role, or the main role when there is none
    main_role: str


def claim(narrative: str, subnarrative: str | None) -> str:
    """What the text does, in English: the sub-narrative as "claims that X" ("warns that X" for the narratives of
    fear) or, named by a noun phrase, as a verb ("praises Russian military might"); else the narrative's own."""
    taxonomy = narratives()
    name = taxonomy.short_name(subnarrative) if subnarrative else "Other"
    if name == "Other":
        name = taxonomy.short_name(narrative)
        if name in NARRATIVE_CLAIMS:
            return NARRATIVE_CLAIMS[name]
    for prefix, verb in _NOMINAL:
        if name.startswith(prefix):
            return verb + name[len(prefix) :]
    phrase = name if name.split()[0] in _PROPER else name[0].lower() + name[1:]
    if not _CLAIM.search(" " + name):
        return f"pushes the narrative of {phrase}"
    return f"{'warns' if 'fears' in narrative.lower() else 'claims'} that {phrase}"


def frame(language: str, narrative: str, subnarrative: str | None, cast: Sequence[Cast]) -> str:
    """The words before the quotes: the role groups of ``cast`` (in order, one per role, two at most; a name
    once) and the claim."""
    grammar = GRAMMARS.get(language, GRAMMARS["en"])
    x = claim(narrative, subnarrative) if language == "en" else ""
    groups: dict[str, list[str]] = {}
    for actor in cast:
        name = name_in(actor, language)
        if (actor.role in groups or len(groups) < 2) and all(name not in names for names in groups.values()):
            groups.setdefault(actor.role, []).append(name)
    parts, table = [], role_words()
    for position, (role, names) in enumerate(groups.items()):
        words = table.get(role, table["Antagonist"])[language if language in FRAME_LANGUAGES else "en"]
        several = len(names) > 1
        template = grammar.then if position else grammar.first_several if several else grammar.first
        parts.append(template.format(actors=_join(names, grammar.and_), role=words[several]))
    if not parts:
        return grammar.bare.format(x=x)
    return "".join(parts) + grammar.claim.format(x=x)


def name_in(actor: Cast, language: str) -> str:
    """The actor's name in a frame of ``language``: the article's own abbreviation when it uses one most ("the UK",
    "САЩ"), else the canonical name in English ("the United Kingdom"), a country's own name in the other languages
    (nominative, from CLDR), else the article's spelling."""
    if actor.spelling.isupper() and len(actor.spelling) > 1:  # the article's own short name: US, САЩ, НАТО, EUA
        return f"the {actor.spelling}" if language == "en" and actor.spelling in _THE_SHORT else actor.spelling
    if language == "en":
        kind = getattr(canonical(actor.name), "kind", None)
        definite = _THE.match(actor.name) or (kind in ("organisation", "group") and " " in actor.name)
        return f"the {actor.name}" if definite and not actor.name.startswith("the ") else actor.name
    code = _territories().get(actor.name)
    if code is not None:
        return babel.Locale(language).territories.get(code, actor.spelling)
    return actor.spelling


@cache
def _territories() -> dict[str, str]:
    """CLDR English country names → territory codes (canonical country actors are named by CLDR)."""
    return {name: code for code, name in babel.Locale("en").territories.items() if code.isalpha()}


def _join(names: Sequence[str], and_: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + and_ + names[-1]
