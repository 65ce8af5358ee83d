"""Lenient parsing of publication dates found in metadata."""

from __future__ import annotations

from datetime import date, datetime


def parse_date(value: object) -> date | None:
    """The calendar date of an ISO-8601 date or timestamp; ``None`` when absent or unreadable."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
