"""What every command shares: consoles, click settings, common options, the one-line error format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console

EXIT_INPUT_ERROR = 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}

stdout = Console(soft_wrap=False)
# Messages on stderr are read by scripts and log readers line by line: they never wrap, whatever the width
# (rich wraps at 80 columns when stderr is not a terminal).
stderr = Console(stderr=True, soft_wrap=True)

existing_path = click.Path(exists=False, path_type=Path)


class OutputFile(click.Path):
    """An output file: not empty and not a folder (whether it can be written is found out when writing it)."""

    def __init__(self, folder: bool = False) -> None:
        super().__init__(dir_okay=folder, file_okay=not folder, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("the name is empty", param, ctx)
        return super().convert(value, param, ctx)


output_file = OutputFile()
output_folder = OutputFile(folder=True)
output_format_option = click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a readable report; json: machine-readable output.",
)


def fail(message: str) -> None:
    stderr.print(f"narrascope: error: {message}", highlight=False, markup=False)


def warn(message: str) -> None:
    stderr.print(f"narrascope: warning: {message}", highlight=False, markup=False)


def others_skipped(others: list[Path]) -> str:
    """For summary lines: how many files of the input folders were skipped for their extension, and which ones (a
    folder of .htm pages or .text files would otherwise look empty without saying why)."""
    suffixes = sorted({file.suffix.lower() or "(none)" for file in others})
    shown = ", ".join(suffixes[:5]) + (", …" if len(suffixes) > 5 else "")
    return f"{len(others)} file(s) with other extensions skipped ({shown})"
