"""Mention candidates that are no actor: function words, single letters, lower-case words, and in languages the
models never learnt, lone capitalised words.

The capitalisation rule takes a capitalised word for a name unless training saw it written lower-case; that
knowledge covers the five supported languages only, so German and French sentence starts ("Doch", "Les", "Il")
and German nouns ("Jahr", "Menschen") became actors, and lower-case words that equal a gazetteer acronym ("eu",
"us", "un", "es" for EU, US, UN, ЕС) did too. Pruning works on the detector's output, whatever found it.
"""

from __future__ import annotations

from functools import lru_cache

from narrascope.tasks.entities.canonical import canonical
from narrascope.text.langid import SUPPORTED_LANGUAGES
from narrascope.text.tokens import WORD, token_spans

#: Articles, pronouns, conjunctions, prepositions and sentence-opening adverbs of the languages seen in news
#: (the five supported ones, and German, French and Spanish, which arrive all the same).
FUNCTION_WORDS = frozenset(
    """a an the and or but if so as at by for from in into of on onto to with without about after before during
    i you he she it we they me him her us them my your his its our their this that these those there here
    who whom whose which what when where why how all any both each few many more most some such no not only
    also however meanwhile moreover then now yet still thus today yesterday tomorrow while although because
    der die das den dem des ein eine einer eines einem einen und oder aber doch denn sondern wie wenn als ob
    dass ich du er sie es wir ihr mich mir dich dir sich uns euch ihn ihm ihnen sein seine ihre unser dieser
    diese dieses jener man auch noch schon nur nach vor bei mit von zu zum zur im am um auf aus für über unter
    durch gegen ohne seit bis so da dann hier dort heute gestern nun jetzt was wer wo warum nicht kein keine
    le la les l un une des du de d au aux et ou mais donc or ni car que qui quoi dont où ce cet cette ces
    c je j tu il elle on nous vous ils elles me m te t se s lui leur leurs mon ma mes ton ta tes son sa ses
    notre nos votre vos en y dans par pour sur sous avec sans chez vers entre depuis pendant avant après
    ainsi alors aussi comme quand si puis enfin déjà encore selon lors tout tous toute toutes deux
    o os as um uma uns umas e ou mas que quem se não sim eu tu ele ela nós vós eles elas me te lhe nos vos
    lhes meu minha seu sua nosso nossa este esta isto esse essa isso aquele aquela aquilo em no na nos nas
    do da dos das ao aos à às pelo pela pelos pelas por para com sem sob sobre entre até desde após também
    já ainda então assim quando como onde porque segundo mais muito muitos você vocês
    el los las una unos unas y pero del al yo él ella nosotros ellos ellas su sus este esta esto ese esa
    и а но или да нет не ни что кто как где когда почему потому это этот эта эти тот та те то так также
    таким образом однако кроме при по в во на с со к ко у о об от до из за для без под над между через после
    перед я ты он она оно мы вы они его ее её их ему ей им нам вам мне меня тебя себя свой своя свои наш ваш
    весь вся все всё уже еще ещё только даже тоже вот там тут здесь теперь сейчас сегодня вчера напомним
    отметим впрочем
    и а но или да не ни че що кой как къде кога защото това този тази тези онзи там тук сега днес вчера
    също така обаче освен при по в във на с със към у от до из за без под над между през след преди аз ти
    той тя то ние вие те го му й им ни ви ги си свой своя свои наш ваш всички всичко вече още само дори
    और या लेकिन कि जो तो भी ही यह वह ये वे इस उस इन उन इसे उसे इन्हें उन्हें मैं हम तुम आप मेरा हमारा
    उसका उनका अपना अपने अपनी का के की को में से पर ने तक लिए साथ बाद पहले अब जब तब यहां वहां ऐसे ऐसा
    ऐसी कैसे क्यों क्या कौन कुछ सभी सब कई अधिक बहुत दे दी दिया है हैं था थे थी होगा""".split()
)


def actor_span(text: str, language: str | None, start: int, end: int, known: bool = False) -> tuple[int, int] | None:
    """The part of a candidate mention that can be an actor, leading function words trimmed ("Doch Merkel" →
    "Merkel"), or None.

    None for what is left empty or is one letter; for a lone lower-case word ("eu", "estado") unless it names a
    canonical actor ("russos"); and for a lone capitalised word that is no acronym and no canonical actor when
    the article also writes it lower-case ("Новый" … "новый"), or capitalises it only at sentence starts ("Veja",
    "see") and the gazetteer does not know it (``known``), or the language is one the models never learnt
    ("Jahr", "Menschen"; "ÖVP" and "Paris" stay).
    """
    words = token_spans(text[start:end])
    while words and _function_word(words[0][2]):
        words = words[1:]
    if not words:
        return None
    start += words[0][0]
    if len(words) == 1 and not canonical(text[start:end]):
        word = words[0][2]
        cased = word.upper() != word.lower()
        if len(word) == 1 or (cased and word[:1].islower()):
            return None
        lower_case, mid_sentence = _article_words(text)
        if cased and word.lower() in lower_case:  # "Новый ..." where the article writes "новый"
            return None
        if cased and not known and _starts_sentence(text, start) and word not in mid_sentence:
            return None  # "Veja ..." (see): capitalised only where any word is
        unsupported = language is not None and language.lower() not in SUPPORTED_LANGUAGES
        if unsupported and cased and not word.isupper():
            return None
    return start, end


@lru_cache(maxsize=4)  # the mentions of one article are checked one after another
def _article_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words the article writes lower-case, and those it capitalises inside a sentence (read word by word: a
    long article's list of tokens would be millions of small objects)."""
    lower, capitalised = set(), set()
    for match in WORD.finditer(text):
        token = match.group()
        if token[:1].islower():
            lower.add(token)
        elif token[:1].isupper() and not _starts_sentence(text, match.start()):
            capitalised.add(token)
    return frozenset(lower), frozenset(capitalised)


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip(" \t\"'«“„([")
    return not before or before[-1] in ".!?:\n"


def _function_word(word: str) -> bool:
    """A function word, written any way but as an acronym ("us" and "Us" are, "US" is not)."""
    return word.casefold() in FUNCTION_WORDS and not (len(word) > 1 and word.isupper())
