"""Agreement of the experimental framing/genre rules with our hand-annotated set (docs/annotation-guidelines.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from narrascope.document import Analysis
from narrascope.errors import InputError
from narrascope.io.files import read_table_text


@dataclass(frozen=True, slots=True)
class FramingGold:
    genre: str
    frames: tuple[str, ...]  # primary first


@dataclass(frozen=True, slots=True)
class FramingScores:
    articles: int
    genre_accuracy: float
    top_frame_precision: float  # the first predicted frame is one of the gold frames
    primary_frame_recall: float  # the gold primary frame is among the predicted frames

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


def read_framing_gold(path: str | Path) -> dict[str, FramingGold]:
    gold = {}
    for number, line in enumerate(read_table_text(path).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise InputError(path, f"expected article<TAB>genre<TAB>frames, found {len(fields)} columns", number)
        gold[fields[0]] = FramingGold(fields[1], tuple(name for name in fields[2].split(";") if name))
    return gold


def score_framing(gold: Mapping[str, FramingGold], analyses: Iterable[Analysis]) -> FramingScores:
    found = {analysis.article.id: analysis for analysis in analyses if analysis.article.id in gold}
    count = max(len(found), 1)
    genre = top = primary = 0
    for article_id, analysis in found.items():
        expected = gold[article_id]
        predicted = [label.name for label in analysis.frames]
        genre += analysis.genre is not None and analysis.genre.name == expected.genre
        top += bool(predicted) and predicted[0] in expected.frames
        primary += bool(expected.frames) and expected.frames[0] in predicted
    return FramingScores(len(found), genre / count, top / count, primary / count)
