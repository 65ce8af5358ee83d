"""Reading and writing files safely: size limits, binary detection, encoding detection, atomic writes."""

from __future__ import annotations

import codecs
import itertools
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from narrascope.errors import InputError
from narrascope.text.langid import SUPPORTED_LANGUAGES, detect_language

#: Default upper bound for one input file. News articles are a few KB; anything far larger is a mistake
#: (a dump, a binary) that would only waste memory. Override with ``max_bytes``.
MAX_FILE_BYTES = 10 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8"),  # the BOM stays in the text: SemEval offsets count it as a character
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Legacy encodings of our languages' news sites, always tried besides charset-normalizer's guesses.
_LEGACY_ENCODINGS = ("cp1251", "cp1252", "koi8-r", "iso8859-5")
_MAX_CANDIDATES = 5
#: Valid multi-byte UTF-8 characters needed per broken byte to read a file as damaged UTF-8 (legacy code pages
#: almost never form one by accident: a capital like "Ã" followed by a symbol byte like "©").
_UTF8_VALID_PER_ERROR = 1
#: Non-ASCII one-letter words of our languages (Portuguese, Russian, Bulgarian; Devanagari letters are common).
_ONE_LETTER_WORDS = frozenset("àéóаАвВиИкКоОсСуУяЯ") | {chr(code) for code in range(0x0900, 0x0980)}
#: Most accented letters a Latin-script text of ours has among its Latin letters (Portuguese: about 5 %).
_MAX_ACCENTED_SHARE = 0.3
_DASHES_TO_SPACES = str.maketrans("–—…/", "    ")  # "word—word" is two words
_COMMON_SYMBOLS = frozenset("“”‘’„«»–—…•€£¥₽₹№°º\u00a0\u00ad§©®™ª·½±×")
_WORD_EDGES = ".,;:!?'\"()[]«»„“”’‘…-–—®™©"
_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The decoded text of a file, newlines untouched (SemEval offsets count ``\\r\\n`` as two characters)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if not path.is_file():
        raise InputError(path, "not a regular file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(path, f"file is too large ({_megabytes(size)} MB; the limit is {_megabytes(max_bytes)} MB)")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read file ({error.strerror or error})") from None
    return decode(data, path)


#: Annotation and prediction files list a whole data set (raw-text entity predictions pass 10 MB at ~4,000
#: articles), so they get a larger limit than one article.
MAX_TABLE_BYTES = 512 * 1024 * 1024


def read_table_text(path: str | Path) -> str:
    """The text of an annotation or prediction file, without a leading byte-order mark (a BOM is not part of the
    first article id; in article files it stays, because SemEval offsets count it)."""
    return read_text(path, max_bytes=MAX_TABLE_BYTES).removeprefix("\ufeff")


def decode(data: bytes, source: str | Path) -> str:
    """Decode bytes of unknown encoding; refuses empty and binary content with an error naming ``source``."""
    if not data.strip():
        raise InputError(source, "file is empty")
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode_as(data, encoding, source, damage_ok=encoding == "utf-8")
            break
    if text is not None:
        _refuse_wordless(text, source)
        return text
    if b"\x00" in data[:65536] or _looks_binary(data[:65536]):
        raise InputError(source, "looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _damaged_utf8(data)
        if text is None:
            encoding = _guess_encoding(data)
            if encoding is None:
                raise InputError(
                    source, "cannot detect the text encoding (not UTF-8 and no known encoding fits)"
                ) from None
            text = _decode_as(data, encoding, source)
    _refuse_wordless(text, source)
    return text


def _refuse_wordless(text: str, source: str | Path) -> None:
    if not text.lstrip("\ufeff").strip():
        raise InputError(source, "file is empty")
    if not has_words(text):
        raise InputError(source, NO_WORDS)


def _damaged_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few broken bytes (a truncated copy, one stray byte), decoded with U+FFFD in their place.

    Legacy encodings almost never form valid multi-byte UTF-8 sequences, so many valid ones and few errors mean
    UTF-8; decoding the whole file as cp1251 because of one bad byte would garble every other letter.
    """
    text = data.decode("utf-8", errors="replace")
    errors = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = sum(1 for char in text if ord(char) > 127) - errors
    return text if valid >= _UTF8_VALID_PER_ERROR * max(errors, 1) else None


def _guess_encoding(data: bytes) -> str | None:
    """The legacy encoding under which the text reads most like real words of one of our languages.

    charset-normalizer ranks encodings by how clean the decoded text looks, but it mistakes cp1251 Russian for
    mac-cyrillic and latin-1 Portuguese for cp1250. A wrong decoding mixes scripts and symbols inside words and
    reads less like any language, so candidates are ranked by word purity, then by language-id confidence.
    """
    candidates = [match.encoding for match in from_bytes(data)][:_MAX_CANDIDATES]
    best, best_key = None, (-1.0, False, -1.0)
    for encoding in dict.fromkeys([*candidates, *_LEGACY_ENCODINGS]):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        language, confidence = detect_language(text)
        key = (
            round(_word_purity(text) + _common_share(text), 3),
            encoding in _LEGACY_ENCODINGS,  # on a tie, the code pages news sites use (not mac-roman or cp850)
            confidence if language in SUPPORTED_LANGUAGES else confidence / 2,
        )
        if key > best_key:
            best, best_key = encoding, key
    return best


def _common_share(text: str) -> float:
    """Share of the non-ASCII characters that our languages' news really use: Cyrillic and Devanagari letters,
    accented Latin letters, typographic quotes and dashes. Wrong code pages turn "–" into "¢" or a C1 control,
    "ö" into "ц" and "º" into "ẃ"; the word-purity test cannot see those when they sit between words.

    Accented Latin letters count only while they are a minority of the Latin letters: Portuguese has a few per
    sentence, while Russian read as Windows-1252 ("Ðàíåíûå ïðè") is nothing else."""
    sample = text[:20_000]
    latin = sum(1 for char in sample if char.isascii() and char.isalpha())
    accented = sum(1 for char in sample if _is_latin1_letter(char))
    accents_plausible = accented <= _MAX_ACCENTED_SHARE * (latin + accented)
    unusual = total = 0
    for char in sample:
        if ord(char) > 127:
            total += 1
            common = char in _COMMON_SYMBOLS or _is_cyrillic_or_devanagari(char)
            unusual += not (common or (accents_plausible and _is_latin1_letter(char)))
    return 1.0 - unusual / total if total else 1.0


def _is_cyrillic_or_devanagari(char: str) -> bool:
    return 0x0400 <= ord(char) <= 0x045F or 0x0900 <= ord(char) <= 0x097F


def _is_latin1_letter(char: str) -> bool:
    """ã ç é ö ß …"""
    return 0x00C0 <= ord(char) <= 0x00FF and char not in "×÷"


def _word_purity(text: str) -> float:
    """Share of words that look real: letters of a single script (plus hyphens and apostrophes), no accented capital
    after a small letter ("ExxonMobilÆs"), and no lone accented letter that is not a word ("targeting û CO2")."""
    words = [word.strip(_WORD_EDGES) for word in text[:20_000].translate(_DASHES_TO_SPACES).split()]
    words = [word for word in words if any(char.isalpha() for char in word)]
    if not words:
        return 0.0
    pure = 0
    for word in words:
        scripts = {_script(char) for char in word if char.isalpha()}
        pure += (
            len(scripts) == 1
            and all(char.isalpha() or char in "-'’." for char in word)
            and not any(a.islower() and b.isupper() and ord(b) > 127 for a, b in itertools.pairwise(word))
            and not (len(word) == 1 and ord(word) > 127 and word not in _ONE_LETTER_WORDS)
        )
    return pure / len(words)


def _script(letter: str) -> str:
    """The script of a letter, from its Unicode name ("LATIN SMALL LETTER A"); ª and º count as Latin."""
    return "LATIN" if letter in "ªº" else unicodedata.name(letter, "?").split(" ")[0]


def _decode_as(data: bytes, encoding: str, source: str | Path, damage_ok: bool = False) -> str:
    """``data`` in ``encoding``; ``damage_ok``: a file that declares UTF-8 may have a few broken bytes."""
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        damaged = _damaged_utf8(data) if damage_ok else None
        if damaged is None:
            raise InputError(source, f"cannot decode the file as {encoding}") from None
        text = damaged
    if "\x00" in text:
        raise InputError(source, "looks like a binary file, not text")
    return text


def _looks_binary(sample: bytes) -> bool:
    controls = sum(sample.count(byte) for byte in _CONTROL_BYTES)
    return controls > max(8, len(sample) // 100)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


@contextmanager
def atomic_writer(path: str | Path, encoding: str = "utf-8", binary: bool = False) -> Iterator[Any]:
    """Write a file all at once or not at all: a crash or error leaves the old file (or none) in place.

    The new file gets the old file's permissions, or the umask's for a new one (``mkstemp`` alone makes it 0600,
    which would hide results from the rest of a team). A path that cannot be written is an :class:`InputError`.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.is_file() else 0o666 & ~current_umask())
    except OSError as error:
        raise InputError(path, f"cannot write here ({error.strerror or error})") from None
    try:
        if binary:
            with os.fdopen(handle, "wb") as stream:
                yield stream
        else:
            with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
                yield stream
        try:
            os.replace(temporary, path)
        except OSError as error:
            raise InputError(path, f"cannot write here ({error.strerror or error})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


#: The problem of a text that is not empty but has nothing to analyse.
NO_WORDS = "no words in it (only spaces, punctuation or invisible characters)"


def has_words(text: str) -> bool:
    """Whether ``text`` holds a letter or digit: text of only punctuation or zero-width characters has nothing to
    analyse, and an analysis of it (language guessed from nothing, "Other") would only mislead."""
    return any(char.isalnum() for char in text)


def valid_unicode(text: str) -> bool:
    """False for strings holding lone surrogates: JSON escapes and Python strings allow them, no file or database
    can store them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def current_umask() -> int:
    """The process's umask (reading it means setting it, so it is set back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_tsv(path: str | Path, rows: Iterable[Iterable[str | int]]) -> None:
    """One tab-separated line per row, written atomically: the shape of every task file narrascope writes."""
    with atomic_writer(path) as stream:
        for row in rows:
            stream.write("\t".join(str(field) for field in row) + "\n")
