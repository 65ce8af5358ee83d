"""HTTP API endpoints (mounted under ``/api``). Analyses are the same JSON as ``narrascope analyze --format json``."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Discriminator, Field, Tag

from narrascope.api.access import Credentials, StoreDep, require_read, require_write
from narrascope.api.limits import analysis_slot
from narrascope.document import Analysis, Article, content_hash
from narrascope.store import Store
from narrascope.store.schema import MAX_ROW
from narrascope.store.search import Filters, check_query, highlights, marked_html, search
from narrascope.store.stats import label_totals, top_actors
from narrascope.store.trends import trends, undated
from narrascope.tasks.entities.canonical import page_id
from narrascope.taxonomy import narratives, roles

MAX_TEXT_CHARS = 1_000_000


class ErrorOut(BaseModel):
    """Every error answer: `detail` says what is wrong (a list naming each bad field for 422)."""

    detail: str | list[dict[str, Any]]


#: What each error status means, for the OpenAPI documentation.
ERROR_MEANINGS = {
    401: "Missing or wrong bearer token.",
    403: "Writes are disabled on this server.",
    404: "No such article (or story).",
    409: "The article has no vector: analysed by the fast engine or before the reading engine.",
    413: "Request body over the size limit, or a text longer than this server analyses.",
    422: "A parameter or body field is invalid.",
    429: "Too many requests from this client, or too many analyses running (see `Retry-After`).",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut, "description": ERROR_MEANINGS[code]} for code in codes}


#: Every endpoint can be rate-limited, refused for a bad parameter, or (private servers) need the token.
router = APIRouter(responses=_errors(401, 422, 429))
#: Analyses are returned as built (``Analysis.to_dict``); the schema documents them without re-validating.
ANALYSIS_RESPONSE = {200: {"model": Analysis, "description": "The `Analysis` JSON (as `analyze --format json`)."}}
#: A stored article: its `Analysis` JSON with a `status` (the `Analysis` schema is there for `POST /api/analyze`).
STORED_ANALYSIS_RESPONSE = {
    200: {
        "description": "The `Analysis` JSON (as `analyze --format json`) with the article's `status`.",
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Analysis"},
                        {
                            "type": "object",
                            "properties": {
                                "status": {
                                    "enum": ["pending", "analysed", "failed"],
                                    "description": "`pending`: stored, not analysed yet (only the article is filled "
                                    "in); `analysed`: the stored analysis; `failed`: the background analyser could "
                                    "not analyse it (`error` says why; the server tries again when it restarts).",
                                },
                                "error": {"type": "string", "description": "With `failed`: why."},
                            },
                            "required": ["status"],
                        },
                    ]
                }
            }
        },
    }
}


class ArticleIn(BaseModel):
    """An article to analyse or store: plain text (first line may be the title) or an HTML page."""

    text: str = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        pattern=r"\w",  # a letter or digit somewhere: blank or invisible-only text has nothing to analyse
        description="Article text, or HTML with `html: true`.",
    )
    html: bool = Field(False, description="`text` is an HTML page: its main text is extracted first.")
    title: str | None = Field(None, max_length=1000)
    language: str | None = Field(None, pattern=r"^[a-z]{2}$", description="ISO 639-1 code; detected if absent.")
    id: str | None = Field(
        None,
        max_length=512,
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="Your id (no tabs or line breaks: ids go into TSV exports); default: from the text's digest.",
    )
    source: str | None = Field(None, max_length=256)
    url: str | None = Field(None, max_length=2000)
    published: date | None = None


MAX_ARTICLES_PER_REQUEST = 1000


def _one_or_many(body: Any) -> str:
    return "articles" if isinstance(body, list) else "article"


#: The body of ``POST /api/articles``: one article, or a list of them (422 names `article` or `articles` and the
#: position of the bad one in its errors).
ArticlesIn = Annotated[
    Annotated[ArticleIn, Tag("article")]
    | Annotated[list[ArticleIn], Field(min_length=1, max_length=MAX_ARTICLES_PER_REQUEST), Tag("articles")],
    Discriminator(_one_or_many),
    Body(description=f"One article, or a list of up to {MAX_ARTICLES_PER_REQUEST:,}."),
]

ArticleStatus = Literal["pending", "analysed"]


class IngestedOut(BaseModel):
    pk: int = Field(description="Row number in the store: /api/articles/{pk}.")
    id: str = Field(description="The id the article is stored under: for a duplicate, the id it was first stored with.")
    duplicate: bool = Field(
        description="The same text was stored before (or came earlier in this request): nothing was added."
    )
    status: ArticleStatus = Field(description="`pending` until the server's background analyser has analysed it.")


class IngestResultOut(BaseModel):
    added: int
    duplicates: int
    articles: list[IngestedOut] = Field(description="What became of each article sent, in the order sent.")


class ArticleRef(BaseModel):
    """A stored article as lists name it: search hits, similar articles, a story's articles."""

    pk: int = Field(description="Row number in the store: /api/articles/{pk}.")
    id: str
    title: str
    source: str | None
    language: str | None
    published: date | None

    @classmethod
    def fields_of(cls, row: Any) -> dict[str, Any]:
        """The reference fields of a store row (anything with pk, article_id, title, source, language, published)."""
        return {
            "pk": row.pk,
            "id": row.article_id,
            "title": row.title,
            "source": row.source,
            "language": row.language,
            "published": row.published,
        }


class Hit(ArticleRef):
    snippet: str = Field(description="Matching passage as plain text (without `q`: the start of the article).")
    highlights: list[tuple[int, int]] = Field(
        description="The matches in `snippet`: `[start, end]` character offsets, end exclusive "
        "(`snippet[start:end]` is the match)."
    )
    snippet_html: str = Field(description="`snippet` as HTML: matches in `<mark>`, everything else escaped.")
    score: float
    narratives: list[str]


class TrendPointOut(BaseModel):
    period: date
    group: str
    label: str
    count: int
    total: int
    share: float


class TrendsOut(BaseModel):
    points: list[TrendPointOut]
    undated: int = Field(
        description="Analysed articles without a publication date within the language, source and date filters "
        "(dates: the day they were ingested): left out of `points` unless `include_undated`, which counts them on "
        "the day they were ingested."
    )


class LabelOut(BaseModel):
    name: str
    description: str
    parent: str | None
    articles: int


class ActorOut(BaseModel):
    id: str = Field(description="The actor's id: /api/actors/{id}, its page /actors/{id}.")
    name: str
    main_role: str
    articles: int


def to_article(item: ArticleIn) -> Article:
    """The :class:`Article` of a request body (HTML → main text; the title line kept as SemEval files do)."""
    from narrascope.errors import InputError
    from narrascope.io.html import article_from_html
    from narrascope.io.txt import article_from_text, with_title

    article_id = item.id or f"api-{content_hash(item.text)[:16]}"
    try:
        if item.html:
            article = article_from_html(article_id, item.text, "request body")
        elif item.title:
            article = Article(article_id, with_title(item.title, item.text), title=item.title.strip())
        else:
            article = article_from_text(article_id, item.text)
    except InputError as error:
        raise HTTPException(422, error.problem) from None
    if item.title and item.html:  # the caller's title wins over the page's <title>
        article.title = item.title.strip()
    article.language = item.language or article.language
    article.source = item.source or article.source
    article.url = item.url or article.url
    article.published = item.published or article.published
    return article


def filters(
    narrative: Annotated[list[str], Query(description="Narrative or sub-narrative (part of the name will do).")] = [],  # noqa: B006
    entity: str | None = None,
    role: str | None = None,
    lang: Annotated[list[str], Query()] = [],  # noqa: B006
    source: Annotated[list[str], Query()] = [],  # noqa: B006
    since: date | None = None,
    until: date | None = None,
) -> Filters:
    try:
        names = tuple(narratives().resolve(name) for name in narrative)
        role_name = roles().resolve(role) if role else None
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return Filters(names, entity, role_name, tuple(x.lower() for x in lang), tuple(source), since, until)


FiltersDep = Annotated[Filters, Depends(filters)]


@router.post(
    "/analyze",
    tags=["analysis"],
    summary="Analyse one article (not stored)",
    dependencies=[Depends(require_read)],
    response_model=None,
    responses={**ANALYSIS_RESPONSE, **_errors(413)},
)
def analyze(
    item: ArticleIn,
    request: Request,
    credentials: Credentials,
    engine: Annotated[
        Literal["default", "fast"],
        Query(description="`default`: the multilingual encoder (scope, better labels); `fast`: n-gram models only."),
    ] = "default",
) -> dict[str, Any]:
    """Narratives with evidence, actors and roles of the article; the `Analysis` JSON.

    The server runs a bounded number of analyses of long texts (over 100,000 characters) at once, one per core
    unless configured, and one analysis per client without the token: beyond that it answers 429 with
    `Retry-After`. With a memory budget, analyses wait for room in it (429 meanwhile) and a text longer than one
    analysis can afford is answered 413."""
    from narrascope.pipeline import load

    article = to_article(item)
    with analysis_slot(request, credentials, len(article.text)):
        return load(engine=engine)(article).to_dict()


@router.post(
    "/articles",
    tags=["corpus"],
    summary="Store articles",
    dependencies=[Depends(require_write)],
    status_code=201,
    responses=_errors(403, 413),
)
def ingest(body: ArticlesIn, store: StoreDep) -> IngestResultOut:
    """Store one article or a list of them (deduplicated by text), committed before the answer; `narrascope serve`
    then analyses them in the background: `GET /api/articles/{pk}` says `pending` until then."""
    if isinstance(body, ArticleIn):
        articles = [to_article(body)]
    else:
        articles = [_nth_article(number, item) for number, item in enumerate(body)]
    ingested = store.ingest_each(articles)
    duplicates = sum(item.duplicate for item in ingested)
    return IngestResultOut(
        added=len(ingested) - duplicates,
        duplicates=duplicates,
        articles=[
            IngestedOut(
                pk=item.pk,
                id=item.article_id,
                duplicate=item.duplicate,
                status="analysed" if item.analysed else "pending",
            )
            for item in ingested
        ],
    )


def _nth_article(number: int, item: ArticleIn) -> Article:
    """:func:`to_article` of the article at ``number`` in a list, whose error says which one it is."""
    try:
        return to_article(item)
    except HTTPException as error:
        raise HTTPException(422, f"article {number}: {error.detail}") from None


def _hits(store: Store, query: str, found: Filters, limit: int, offset: int) -> list[Hit]:
    answer = []
    for hit in search(store, query, found, limit=limit, offset=offset):
        snippet, spans = highlights(hit.snippet)
        answer.append(
            Hit(
                **ArticleRef.fields_of(hit),
                snippet=snippet,
                highlights=spans,
                snippet_html=marked_html(hit.snippet),
                score=hit.score,
                narratives=list(hit.narratives),
            )
        )
    return answer


@router.get("/articles", tags=["corpus"], summary="List stored articles", dependencies=[Depends(require_read)])
def list_articles(
    found: FiltersDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
) -> list[Hit]:
    """Newest first, within the filters."""
    return _hits(store, "", found, limit, offset)


@router.get(
    "/articles/{pk}",
    tags=["corpus"],
    summary="One stored article",
    dependencies=[Depends(require_read)],
    response_model=None,
    responses={**STORED_ANALYSIS_RESPONSE, **_errors(404)},
)
def get_article(pk: Annotated[int, Path(ge=1, le=MAX_ROW)], store: StoreDep) -> dict[str, Any]:
    """The article with its stored `Analysis` and `status`: `pending` (only the article) until it is analysed,
    `failed` with the `error` when the background analyser could not analyse it."""
    found = store.stored_analysis(pk)
    if found is None:
        raise HTTPException(404, f"no article {pk}")
    analysis, analysed = found
    if analysed:
        return {**analysis.to_dict(), "status": "analysed"}
    error = store.analysis_failure(pk)
    if error is None:
        return {**analysis.to_dict(), "status": "pending"}
    return {**analysis.to_dict(), "status": "failed", "error": error}


@router.get("/search", tags=["corpus"], summary="Full-text search", dependencies=[Depends(require_read)])
def search_articles(
    found: FiltersDep,
    store: StoreDep,
    q: Annotated[
        str, Query(max_length=500, description='Words, "quoted phrases" and prefixes (`Ukrain*`); all must match.')
    ] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0,
) -> list[Hit]:
    try:
        check_query(q)
    except ValueError as error:
        raise HTTPException(422, str(error)) from None
    return _hits(store, q, found, limit, offset)


@router.get("/trends", tags=["corpus"], summary="Narratives over time", dependencies=[Depends(require_read)])
def get_trends(
    found: FiltersDep,
    store: StoreDep,
    by: Literal["day", "week", "month", "year"] = "week",
    per: Literal["source", "language"] | None = None,
    level: Annotated[
        Literal["narrative", "subnarrative"] | None,
        Query(description="Default: subnarrative when every `narrative` given is a sub-narrative, else narrative."),
    ] = None,
    include_undated: Annotated[
        bool, Query(description="Count articles without a publication date on the day they were ingested.")
    ] = False,
) -> TrendsOut:
    """Counts and shares (articles with the label / articles analysed) per period, within the language, source,
    narrative and date filters (trends are counted per day, so `entity` and `role` do not apply). Articles without
    a publication date are left out unless `include_undated` (all on their ingest day, they make a false spike);
    `undated` says how many there are."""
    if found.entity or found.role:
        raise HTTPException(422, "trends are kept per label and day: entity and role filters do not apply")
    if level is None:
        fine = found.narratives and all(narratives().parent(name) for name in found.narratives)
        level = "subnarrative" if fine else "narrative"
    within = (found.since, found.until, found.languages, found.sources)
    points = trends(store, by, per, level, found.narratives, *within, include_undated=include_undated)
    return TrendsOut(
        points=[
            TrendPointOut(period=p.period, group=p.group, label=p.label, count=p.count, total=p.total, share=p.share)
            for p in points
        ],
        undated=undated(store, *within),
    )


@router.get(
    "/narratives", tags=["taxonomy"], summary="Narratives and their corpus counts", dependencies=[Depends(require_read)]
)
def list_narratives(store: StoreDep) -> list[LabelOut]:
    taxonomy = narratives()
    counts = {**label_totals(store, "narrative"), **label_totals(store, "subnarrative")}
    labels = dict.fromkeys([*taxonomy.coarse, *taxonomy.fine])
    return [
        LabelOut(
            name=name,
            description=taxonomy.description(name),
            parent=taxonomy.parent(name),
            articles=counts.get(name, 0),
        )
        for name in labels
    ]


@router.get("/entities", tags=["corpus"], summary="Most named actors", dependencies=[Depends(require_read)])
def list_entities(
    found: FiltersDep,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ActorOut]:
    """Actors named in the most articles, by main role; `role` keeps actors cast in it (main or fine role)."""
    return [
        ActorOut(id=page_id(actor.key), name=actor.name, main_role=actor.main_role, articles=actor.articles)
        for actor in top_actors(store, replace(found, role=None), found.role, limit)
    ]
