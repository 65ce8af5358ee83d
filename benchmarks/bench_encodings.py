"""How often the reader decodes legacy-encoded and damaged articles right (SemEval-2025 Task 10 articles, re-encoded).

    python benchmarks/bench_encodings.py [--data ../shared/data/semeval2025-t10] [--split dev] [--per-language 20]

Each article is encoded in the code pages its language's sites used (EN/PT: Windows-1252 and Latin-1; RU:
Windows-1251 and KOI8-R; BG: Windows-1251) and decoded by narrascope's reader, which is not told the encoding.
Articles that stay pure ASCII prove nothing and are skipped. A case is right when the decoded text equals the
text decoded with the true code page. "UTF-8 + 1 bad byte" inserts one stray byte into a UTF-8 file that is not
pure ASCII: right when everything but that byte decodes as the original. Prints the wrong cases and the error
rate per kind.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from common import DEFAULT_DATA

CODE_PAGES = {"EN": ("cp1252", "latin-1"), "PT": ("cp1252", "latin-1"), "RU": ("cp1251", "koi8-r"), "BG": ("cp1251",)}
DAMAGED = "UTF-8 + 1 bad byte"


def with_stray_byte(text: str) -> bytes:
    """The UTF-8 bytes of ``text`` with ``0xFF`` inserted at a character boundary near the middle."""
    raw = text.encode("utf-8")
    middle = len(raw) // 2
    while raw[middle] & 0xC0 == 0x80:  # not inside a multi-byte character
        middle += 1
    return raw[:middle] + b"\xff" + raw[middle:]


def read_back(data: bytes, file: Path) -> str | None:
    """The reader's text for ``data``, or None when it refuses the bytes (counted as wrong)."""
    from narrascope.errors import InputError
    from narrascope.io.files import decode

    try:
        return decode(data, file)
    except InputError as error:
        print(f"refused: {error}")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="dev", choices=("train", "dev"))
    parser.add_argument("--per-language", type=int, default=20, help="articles per language")
    args = parser.parse_args()

    folder = "subtask-2-documents" if args.split == "dev" else "raw-documents"
    tried, wrong = Counter(), Counter()
    started = time.perf_counter()
    for language, code_pages in CODE_PAGES.items():
        files = sorted((args.data / language / args.split / folder).glob("*.txt"))[: args.per_language]
        for file in files:
            text = file.read_text(encoding="utf-8")
            for code_page in code_pages:
                expected = text.encode(code_page, errors="replace").decode(code_page)
                if expected.isascii():
                    continue
                tried[code_page] += 1
                if read_back(expected.encode(code_page), file) != expected:
                    wrong[code_page] += 1
                    print(f"wrong: {file.name} as {code_page}")
            if text.isascii():  # a stray byte in ASCII text may just as well be Latin-1: nothing to judge
                continue
            tried[DAMAGED] += 1
            if (read_back(with_stray_byte(text), file) or "").replace("\ufffd", "") != text:
                wrong[DAMAGED] += 1
                print(f"wrong: {file.name} ({DAMAGED})")
    seconds = time.perf_counter() - started
    print(f"\nEncoding detection on {args.split} articles ({seconds:.1f} s)")
    for kind in tried:
        print(f"  {kind:<22} {wrong[kind]:>3} wrong of {tried[kind]:>3}")
    print(f"  {'all':<22} {sum(wrong.values()):>3} wrong of {sum(tried.values()):>3}")


if __name__ == "__main__":
    main()
