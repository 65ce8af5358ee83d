"""The corpus store: SQLite by default (FTS5 full text), PostgreSQL by URL (tsvector/GIN), one code path."""

from narrascope.store.store import DEFAULT_DATABASE, IngestResult, Store, StoredArticle, StoreError, database_url

__all__ = ["DEFAULT_DATABASE", "IngestResult", "Store", "StoreError", "StoredArticle", "database_url"]
