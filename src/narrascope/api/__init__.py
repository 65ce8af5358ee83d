"""The HTTP API and web pages (``narrascope serve``)."""

from narrascope.api.app import Settings, create_app

__all__ = ["Settings", "create_app"]
