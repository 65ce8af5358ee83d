"""Rough Latin transliteration of Cyrillic (BG, RU) and Devanagari (HI) words.

Not for display: it lets features of different languages meet, so НАТО, नाटो and NATO share character n-grams,
and one model learns from all five languages at once.
"""

from __future__ import annotations

import unicodedata

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "e", "ґ": "g",
}  # fmt: skip
_CYRILLIC_TABLE = str.maketrans({**_CYRILLIC, **{key.upper(): value for key, value in _CYRILLIC.items()}})

_DEVANAGARI_CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j", "झ": "jh", "ञ": "n",
    "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t", "थ": "th", "द": "d", "ध": "dh", "न": "n",
    "प": "p", "फ": "f", "ब": "b", "भ": "bh", "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh",
    "ष": "sh", "स": "s", "ह": "h", "क़": "k", "ख़": "kh", "ग़": "g", "ज़": "z", "ड़": "r", "ढ़": "rh", "फ़": "f",
}  # fmt: skip
_DEVANAGARI_VOWELS = {
    "अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ऋ": "ri", "ए": "e", "ऐ": "ai", "ओ": "o",
    "औ": "au", "ऑ": "o",
}  # fmt: skip
_DEVANAGARI_SIGNS = {
    "ा": "a", "ि": "i", "ी": "i", "ु": "u", "ू": "u", "ृ": "ri", "े": "e", "ै": "ai", "ो": "o", "ौ": "au",
    "ॉ": "o", "ं": "n", "ँ": "n", "ः": "h", "्": "", "़": "",
}  # fmt: skip
_DEVANAGARI_DIGITS = {chr(0x966 + digit): str(digit) for digit in range(10)}
_NUKTA = "़"


def to_latin(word: str) -> str:
    """The word with Cyrillic and Devanagari letters replaced by Latin approximations."""
    word = word.translate(_CYRILLIC_TABLE)
    if any("\u0900" <= char <= "\u097f" for char in word):
        word = _devanagari_to_latin(unicodedata.normalize("NFC", word))
    return word


def _devanagari_to_latin(word: str) -> str:
    """Consonants carry an inherent "a", dropped before a vowel sign or virama and at the end of a word."""
    out = []
    index, length = 0, len(word)
    while index < length:
        char = word[index]
        if index + 1 < length and word[index + 1] == _NUKTA and char + _NUKTA in _DEVANAGARI_CONSONANTS:
            char += _NUKTA
            index += 1
        if char in _DEVANAGARI_CONSONANTS:
            out.append(_DEVANAGARI_CONSONANTS[char])
            following = word[index + 1] if index + 1 < length else ""
            if following and following not in _DEVANAGARI_SIGNS and "\u0900" <= following <= "\u097f":
                out.append("a")
        elif char in _DEVANAGARI_VOWELS:
            out.append(_DEVANAGARI_VOWELS[char])
        elif char in _DEVANAGARI_SIGNS:
            out.append(_DEVANAGARI_SIGNS[char])
        else:
            out.append(_DEVANAGARI_DIGITS.get(char, char))
        index += 1
    return "".join(out)
