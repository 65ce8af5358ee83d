"""Article vectors in the store (both backends), the nearest-vector index, similar articles and stories."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from narrascope.document import Analysis, Article
from narrascope.store import Store
from narrascope.store.schema import article_vectors, schema_version

ENCODER = "e5-test"


@pytest.fixture
def store(database_url):
    with Store(database_url) as opened:
        yield opened


def unit(*values: float, dims: int = 8) -> np.ndarray:
    """A unit vector whose first components are ``values``."""
    vector = np.zeros(dims, np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def stored_corpus(
    store: Store, items: list[tuple[str, str, date | None, np.ndarray | None]], models: str = "m-1"
) -> dict[str, int]:
    """Store articles ``(id, language, published, vector)`` with analyses carrying those vectors; id → pk."""
    store.ingest(
        [
            Article(i, f"Title {i}\n\nText of {i}.", title=f"Title {i}", language=lang, published=day)
            for i, lang, day, _ in items
        ]
    )
    vectors = {i: vector for i, _, _, vector in items}
    pks = {}
    for batch in store.pending(models):
        results = []
        for stored in batch:
            vector = vectors[stored.article.id]
            analysis = Analysis(
                article=stored.article,
                language=stored.article.language,
                vector=vector,
                models={"encoder": ENCODER} if vector is not None else {},
            )
            results.append((stored, analysis))
            pks[stored.article.id] = stored.pk
        store.save_analyses(results, models)
    return pks


def stored_vectors_by_pk(store: Store) -> dict[int, tuple[str, np.ndarray]]:
    rows = store.execute(select(article_vectors))
    return {row["article"]: (row["encoder"], np.frombuffer(row["vector"], "<f2")) for row in rows}


def test_vectors_are_stored_as_float16_with_the_encoder_and_dropped_by_a_fast_reanalysis(store):
    pks = stored_corpus(store, [("a", "en", None, unit(3, 4)), ("b", "ru", None, unit(1)), ("c", "en", None, None)])
    found = stored_vectors_by_pk(store)
    assert set(found) == {pks["a"], pks["b"]}  # "c" was analysed by the fast engine: no vector
    encoder, vector = found[pks["a"]]
    assert encoder == ENCODER and vector.dtype == np.float16
    assert np.allclose(vector[:2], [0.6, 0.8], atol=1e-3) and not vector[2:].any()
    stored_corpus(store, [("a", "en", None, None), ("b", "ru", None, None), ("c", "en", None, None)], models="fast-2")
    assert stored_vectors_by_pk(store) == {}  # re-analysed by the fast engine: the old vectors are gone


def test_opening_a_store_from_schema_5_adds_the_vector_table(database_url):
    with Store(database_url) as store:
        store.transaction(lambda c: c.execute(article_vectors.delete()))
        store.transaction(lambda c: article_vectors.drop(c))
        store.transaction(lambda c: c.execute(schema_version.delete().where(schema_version.c.version >= 6)))
    with Store(database_url) as reopened:
        pks = stored_corpus(reopened, [("a", "en", None, unit(1))])
        assert list(stored_vectors_by_pk(reopened)) == [pks["a"]]
