"""Top actors of ordinary news in seven languages: none may be a function word, pronoun or lower-case word.

    python benchmarks/bench_actors_offtopic.py [--data ../shared/data/offtopic-news] [--top 20]

Runs what makes the actors — the default engine's mention detection (the detector's candidates that the mention
tagger keeps, read from the encoder's pass; ``--fast``: the detector alone) and actor grouping/naming (the roles
do not change which actors there are) — over every article of each language folder, and prints the ``--top``
actors by the number of articles naming them (the encoder's pass is cached by ``training/encoded.py``: the first
run encodes the ~1,600 articles, about ten minutes on one core). A top actor fails when it is one letter, in the
function-word list, starts lower-case, or is a single word that the language's articles write lower-case at least
as often as capitalised inside a sentence (a sentence start or a common word, judged from the corpus itself, not
from the lists the detector uses). Issue 17: no failure in any language. Exit code 1 on a failure.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from narrascope.encoder.encoding import Encoding
from narrascope.io.files import read_text
from narrascope.io.txt import article_from_text
from narrascope.ml.artifacts import shipped_model_dir
from narrascope.tasks.entities.actors import actor_name, merge_actors
from narrascope.tasks.entities.canonical import canonical
from narrascope.tasks.entities.model import EntityModel
from narrascope.tasks.entities.not_actors import FUNCTION_WORDS
from narrascope.text.segment import sentences
from narrascope.text.tokens import token_spans
from narrascope.training.encoded import encode_tokens, load_tokens

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "offtopic-news"


def article_actors(model: EntityModel, text: str, language: str, encoding: Encoding | None) -> set[str]:
    """The display names of the actors of one article (``encoding``: the default engine's detection)."""
    spans = model.detect(text, language, None, encoding, whole_actors=True)
    groups: dict[int, list[str]] = {}
    for (start, end), group in zip(spans, merge_actors(text, spans), strict=True):
        groups.setdefault(group, []).append(text[start:end])
    return {actor_name(spellings)[0] for spellings in groups.values()}


def case_counts(texts: list[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is written lower-case, and capitalised not at a sentence start."""
    lower, capital = Counter(), Counter()
    for text in texts:
        for sentence in sentences(text):
            for position, (_, _, token) in enumerate(token_spans(sentence.text)):
                if token[:1].islower():
                    lower[token.lower()] += 1
                elif position > 0 and token[:1].isupper():
                    capital[token.lower()] += 1
    return lower, capital


def problem(name: str, lower: Counter[str], capital: Counter[str]) -> str | None:
    if canonical(name):
        return None  # the curated table's name ("the West")
    words = [token for _, _, token in token_spans(name)]
    if len(name) == 1 or (len(words) == 1 and len(words[0]) == 1):
        return "one letter"
    if name.casefold() in FUNCTION_WORDS:
        return "function word"
    if name[:1].islower():
        return "lower-case"
    word = words[0].lower() if len(words) == 1 else None
    if word and word != words[0] and lower[word] >= max(capital[word], 1):
        return f"written lower-case {lower[word]}× vs capitalised {capital[word]}×"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--fast", action="store_true", help="the fast engine's detection (no encoder)")
    options = parser.parse_args()
    model = EntityModel.load(shipped_model_dir("entities"))
    failures = 0
    for folder in sorted(path for path in options.data.iterdir() if path.is_dir()):
        language = folder.name
        articles = [article_from_text(path.name, read_text(path)) for path in sorted(folder.glob("*.txt"))]
        texts = [article.text for article in articles]
        paths = [None] * len(articles) if options.fast else encode_tokens(articles)
        counts: Counter[str] = Counter()
        for text, path in zip(texts, paths, strict=True):
            counts.update(article_actors(model, text, language, path and load_tokens(path)))
        lower, capital = case_counts(texts)
        top = counts.most_common(options.top)
        bad = [(name, found) for name, _ in top if (found := problem(name, lower, capital))]
        failures += len(bad)
        print(f"{language} ({len(texts)} articles): " + ", ".join(f"{name} {count}" for name, count in top))
        for name, found in bad:
            print(f"  FAIL {name!r}: {found}")
    print("PASS" if not failures else f"FAIL: {failures} top actor(s) are no actor")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
