"""SemEval-2025 Task 10 annotation files: read and write the subtask 1, 2 and 3 formats.

All three are tab-separated, one line per item, sometimes with CRLF line endings:

* subtask 1 (entity framing): ``article  mention  start  end  main_role  fine_role[  fine_role...]``; the input
  file ``subtask-1-entity-mentions.txt`` has only the first four columns. **End offsets are inclusive** in the
  files; in memory we use half-open spans like everywhere else in narrascope.
* subtask 2 (narratives): ``article  narrative;narrative  subnarrative;subnarrative``.
* subtask 3 (explanations): ``article  narrative  subnarrative-or-none  explanation``; the input file
  ``subtask-3-dominant-narratives.txt`` has only the first three columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from narrascope.errors import InputError
from narrascope.io.files import read_table_text, write_tsv
from narrascope.taxonomy import Taxonomy

NO_SUBNARRATIVE = "none"


@dataclass(frozen=True, slots=True)
class EntityAnnotation:
    """One entity mention (half-open ``[start, end)``) and, in annotation files, its roles."""

    article_id: str
    mention: str
    start: int
    end: int
    main_role: str | None = None
    fine_roles: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)  # where it was read, for error messages


@dataclass(frozen=True, slots=True)
class NarrativeAnnotation:
    """The narratives (coarse) and sub-narratives (fine) of one article."""

    article_id: str
    narratives: tuple[str, ...]
    subnarratives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExplanationAnnotation:
    """The dominant narrative of one article and, in annotation files, its explanation."""

    article_id: str
    narrative: str
    subnarrative: str | None
    explanation: str | None = None


def _rows(path: str | Path, min_columns: int, max_columns: int | None) -> Iterator[tuple[int, list[str]]]:
    """The tab-separated fields of each non-empty line, with its 1-based line number."""
    text = read_table_text(path)
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split("\t")]
        if len(fields) < min_columns or (max_columns is not None and len(fields) > max_columns):
            expected = f"{min_columns}" if max_columns == min_columns else f"at least {min_columns}"
            if max_columns is not None and max_columns != min_columns:
                expected = f"{min_columns} to {max_columns}"
            raise InputError(path, f"expected {expected} tab-separated columns, found {len(fields)}", number)
        if not fields[0]:
            raise InputError(path, "the article id (first column) is empty", number)
        yield number, fields


def read_entity_annotations(
    path: str | Path, roles: Taxonomy | None = None, *, with_roles: bool | None = None
) -> list[EntityAnnotation]:
    """Subtask-1 annotations (with roles) or entity mentions (without); offsets converted to half-open.

    ``with_roles`` forces one of the two formats; by default each line's column count decides. Role names are
    checked against ``roles`` when given.
    """
    min_columns = 6 if with_roles else 4
    max_columns = 4 if with_roles is False else None
    annotations = []
    for number, fields in _rows(path, min_columns, max_columns):
        if len(fields) == 5:
            raise InputError(path, "a main role needs at least one fine-grained role (found 5 columns)", number)
        start, end = _offset(fields[2], path, number, "start"), _offset(fields[3], path, number, "end")
        if end < start:
            raise InputError(path, f"end offset {end} is before start offset {start}", number)
        if not fields[1]:
            raise InputError(path, "the mention text (second column) is empty", number)
        main_role, fine_roles = (fields[4], tuple(fields[5:])) if len(fields) > 4 else (None, ())
        if roles is not None and main_role is not None:
            _check_roles(roles, main_role, fine_roles, path, number)
        annotations.append(EntityAnnotation(fields[0], fields[1], start, end + 1, main_role, fine_roles, number))
    return annotations


#: How far (characters) a lenient check looks for a mention whose offsets are off.
REPAIR_DISTANCE = 300


def check_mentions(
    annotations: Sequence[EntityAnnotation],
    texts: Mapping[str, str],
    source: str | Path,
    lenient: bool = False,
    warnings: list[str] | None = None,
) -> list[EntityAnnotation]:
    """Mentions whose offsets are checked against their article texts.

    Strict: an unknown article, offsets outside the text or a mention that differs from ``text[start:end]`` is an
    error naming the file and line. Lenient: a misplaced mention is moved to its nearest occurrence within
    ``REPAIR_DISTANCE`` characters (the SemEval training files have a dozen such lines) and anything else is left out,
    each with a message appended to ``warnings``.
    """
    checked = []
    for item in annotations:
        text = texts.get(item.article_id)
        problem = None
        if text is None:
            problem = f"article {item.article_id!r} is not among the documents"
        elif item.end > len(text):
            problem = f"offsets {item.start}-{item.end - 1} are outside the article ({len(text)} characters)"
        elif text[item.start : item.end] != item.mention:
            found = _nearest(text, item.mention, item.start) if lenient else None
            if found is not None:
                if warnings is not None:
                    warnings.append(
                        f"{source}:{item.line}: moved {item.mention!r} from {item.start}-{item.end - 1} "
                        f"to {found}-{found + len(item.mention) - 1}"
                    )
                item = replace(item, start=found, end=found + len(item.mention))
            else:
                problem = f"mention {item.mention!r} does not match the text at {item.start}-{item.end - 1} " + (
                    f"({text[item.start : item.end]!r})"
                )
        if problem is None:
            checked.append(item)
        elif lenient:
            if warnings is not None:
                warnings.append(f"{source}:{item.line}: not located: {problem}")
        else:
            raise InputError(source, problem, item.line)
    return checked


def where_to_read(
    given: Sequence[EntityAnnotation], located: Sequence[EntityAnnotation], texts: Mapping[str, str]
) -> tuple[list[tuple[str, int, int]], dict[str, str]]:
    """Where each given mention is read ``(article id, start, end)``: where :func:`check_mentions` located it, else
    (lenient) at its given offsets within its article, else alone — its text as an article of its own, whose
    made-up ids come second. Official files count some characters (emoji) as two, so offsets drift."""
    by_line = {item.line: item for item in located}
    places, alone = [], {}
    for item in given:
        text = texts.get(item.article_id, "")
        found = by_line.get(item.line)
        start, end = (found.start, found.end) if found else (min(item.start, len(text)), min(item.end, len(text)))
        if found or start < end:
            places.append((item.article_id, start, end))
        else:
            own_id = f"{item.article_id}\t{item.line}"  # no article id holds a tab: ids are file names
            alone[own_id] = item.mention
            places.append((own_id, 0, len(item.mention)))
    return places, alone


def rows_as_given(
    given: Sequence[EntityAnnotation], places: Sequence[tuple[str, int, int]], rows: Sequence[EntityAnnotation]
) -> list[EntityAnnotation]:
    """One predicted row per given mention, in input order, with the input's id, text and offsets (an official
    scorer matches lines by them) and the roles predicted where :func:`where_to_read` read it."""
    by_place = {(row.article_id, row.start, row.end): row for row in rows}
    return [
        replace(by_place[place], article_id=item.article_id, mention=item.mention, start=item.start, end=item.end)
        for item, place in zip(given, places, strict=True)
    ]


def _nearest(text: str, mention: str, start: int) -> int | None:
    low, high = max(0, start - REPAIR_DISTANCE), min(len(text), start + REPAIR_DISTANCE + len(mention))
    hits, position = [], text.find(mention, low, high)
    while position != -1:
        hits.append(position)
        position = text.find(mention, position + 1, high)
    return min(hits, key=lambda hit: abs(hit - start)) if hits else None


def _offset(value: str, path: str | Path, number: int, name: str) -> int:
    if not value.isdigit():
        raise InputError(path, f"{name} offset {value!r} is not a non-negative integer", number)
    return int(value)


def _check_roles(roles: Taxonomy, main_role: str, fine_roles: tuple[str, ...], path: str | Path, number: int) -> None:
    if main_role not in roles.coarse:
        raise InputError(path, f"unknown main role {main_role!r}", number)
    for fine_role in fine_roles:
        if fine_role not in roles.fine:
            raise InputError(path, f"unknown fine-grained role {fine_role!r}", number)
        if roles.parent(fine_role) != main_role:
            raise InputError(path, f"fine-grained role {fine_role!r} is not a kind of {main_role!r}", number)


def read_narrative_annotations(path: str | Path, taxonomy: Taxonomy | None = None) -> list[NarrativeAnnotation]:
    """Subtask-2 lines; with a taxonomy, unknown labels are errors naming the line."""
    annotations = []
    seen: set[str] = set()
    for number, fields in _rows(path, 3, 3):
        narratives, subnarratives = _split_labels(fields[1]), _split_labels(fields[2])
        if taxonomy is not None:
            for label in narratives:
                if label not in taxonomy.coarse:
                    raise InputError(path, f"unknown narrative {label!r}", number)
            for label in subnarratives:
                if label not in taxonomy.fine:
                    raise InputError(path, f"unknown sub-narrative {label!r}", number)
        if fields[0] in seen:
            raise InputError(path, f"article {fields[0]!r} appears twice", number)
        seen.add(fields[0])
        annotations.append(NarrativeAnnotation(fields[0], narratives, subnarratives))
    return annotations


def _split_labels(column: str) -> tuple[str, ...]:
    return tuple(label.strip() for label in column.split(";") if label.strip())


def read_explanation_annotations(path: str | Path, taxonomy: Taxonomy | None = None) -> list[ExplanationAnnotation]:
    """Subtask-3 annotations (with explanations) or dominant-narrative inputs (without); with a taxonomy, unknown
    labels and a sub-narrative of another narrative are errors naming the line."""
    annotations = []
    for number, fields in _rows(path, 3, 4):
        subnarrative = None if fields[2].lower() == NO_SUBNARRATIVE else fields[2]
        if taxonomy is not None:
            if fields[1] not in taxonomy.coarse:
                raise InputError(path, f"unknown narrative {fields[1]!r}", number)
            if subnarrative is not None and subnarrative not in taxonomy.fine:
                raise InputError(path, f"unknown sub-narrative {subnarrative!r}", number)
            if subnarrative is not None and taxonomy.parent(subnarrative) != fields[1]:
                raise InputError(path, f"{subnarrative!r} is not a sub-narrative of {fields[1]!r}", number)
        explanation = fields[3] if len(fields) == 4 else None
        annotations.append(ExplanationAnnotation(fields[0], fields[1], subnarrative, explanation))
    return annotations


def write_entity_annotations(path: str | Path, annotations: Iterable[EntityAnnotation]) -> None:
    """Subtask-1 format with inclusive end offsets; written atomically."""
    write_tsv(path, (_entity_fields(item) for item in annotations))


def _entity_fields(item: EntityAnnotation) -> list[str]:
    mention = " ".join(item.mention.split())  # a tab or newline inside would break the line format
    fields = [item.article_id, mention, str(item.start), str(item.end - 1)]
    if item.main_role is not None:
        fields += [item.main_role, *item.fine_roles]
    return fields


def write_narrative_annotations(path: str | Path, annotations: Iterable[NarrativeAnnotation]) -> None:
    """Subtask-2 format; written atomically."""
    write_tsv(
        path, ((item.article_id, ";".join(item.narratives), ";".join(item.subnarratives)) for item in annotations)
    )


def write_explanation_annotations(path: str | Path, annotations: Iterable[ExplanationAnnotation]) -> None:
    """Subtask-3 format (``none`` for a missing sub-narrative); written atomically."""
    write_tsv(path, (_explanation_fields(item) for item in annotations))


def _explanation_fields(item: ExplanationAnnotation) -> list[str]:
    fields = [item.article_id, item.narrative, item.subnarrative or NO_SUBNARRATIVE]
    if item.explanation is not None:
        fields.append(" ".join(item.explanation.split()))
    return fields


def read_explanation_predictions(path: str | Path) -> dict[str, str]:
    """Subtask-3 output files: ``article<TAB>explanation``."""
    predictions = {}
    for number, fields in _rows(path, 2, 2):
        if fields[0] in predictions:
            raise InputError(path, f"article {fields[0]!r} is explained twice", number)
        predictions[fields[0]] = fields[1]
    return predictions


def write_explanation_predictions(path: str | Path, explanations: Iterable[tuple[str, str]]) -> None:
    """``article<TAB>explanation`` lines (tabs and newlines inside an explanation become spaces); atomic."""
    write_tsv(path, ((article_id, " ".join(text.split())) for article_id, text in explanations))
