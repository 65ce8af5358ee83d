"""The HTTP API and web pages (``narrascope serve``)."""

from narrascope.api.access import Settings
from narrascope.api.app import create_app

__all__ = ["Settings", "create_app"]
