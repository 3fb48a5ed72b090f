"""Helpers shared by the CLI modules: turning core errors into messages and exit code 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from trappen.errors import TrappenError


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a Trappen error (or a missing file) as one clear message and exit with code 1."""
    try:
        yield
    except (TrappenError, FileNotFoundError, ValueError) as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def setup_django() -> None:
    """Configure Django lazily, for the commands that need the database."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    django.setup()
