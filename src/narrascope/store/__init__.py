"""The corpus store: SQLite by default (FTS5 full text), PostgreSQL by URL (tsvector/GIN), one code path."""

from narrascope.store.store import (
    DEFAULT_DATABASE,
    AnalysisRecord,
    Ingested,
    IngestResult,
    Store,
    StoredArticle,
    StoreError,
    analysis_record,
    database_url,
)

__all__ = [
    "DEFAULT_DATABASE",
    "AnalysisRecord",
    "IngestResult",
    "Ingested",
    "Store",
    "StoreError",
    "StoredArticle",
    "analysis_record",
    "database_url",
]
