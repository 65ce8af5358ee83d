"""Errors users can act on.

Every problem with user input becomes an :class:`InputError` that names the file (and line, when there is one)
and says what is wrong in one line. The CLI prints it and exits with code 2; nothing else ever reaches the user
as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class NarrascopeError(Exception):
    """Base class of every error narrascope reports to the user as a one-line message."""


class InputError(NarrascopeError):
    """A file (or one line of it) that narrascope cannot use."""

    def __init__(self, source: str | Path, problem: str, line: int | None = None) -> None:
        self.source = str(source)
        self.problem = problem
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.problem}"


class ModelError(NarrascopeError):
    """A shipped or trained model that is missing or unusable, with how to rebuild it."""
