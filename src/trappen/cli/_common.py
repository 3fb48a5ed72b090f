"""Helpers shared by the CLI modules: turning errors into one-line messages and exit code 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from trappen.errors import TrappenError


def _django_errors() -> tuple[type[BaseException], ...]:
    """Django's configuration and database errors, once Django is imported (never imports it)."""
    exceptions, db = sys.modules.get("django.core.exceptions"), sys.modules.get("django.db")
    found: list[type[BaseException]] = []
    if exceptions is not None:
        found.append(exceptions.ImproperlyConfigured)
    if db is not None:
        found.append(db.DatabaseError)
    return tuple(found)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def fail(message: str) -> typer.Exit:
    """Print ``message`` as one red line on stderr; the caller raises the returned exit (code 1)."""
    typer.secho(f"Error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a Trappen error, a missing file, a bad value, a configuration or a database error as
    one clear line and exit with code 1 (a user never sees a traceback)."""
    try:
        yield
    except (TrappenError, FileNotFoundError, ValueError) as exc:
        raise fail(_one_line(exc)) from None
    except _django_errors() as exc:
        from django.db import DatabaseError

        if isinstance(exc, DatabaseError):
            raise fail(f"cannot use the database ({_one_line(exc)}); run `trappen migrate` (or `trappen demo`) "
                       "first, or check DATABASE_URL") from None
        raise fail(_one_line(exc)) from None


def setup_django() -> None:
    """Configure Django lazily, for the commands that need the database; a configuration error
    (no SECRET_KEY, a bad value) becomes one line and exit code 1."""
    import os

    import django
    from django.core.exceptions import ImproperlyConfigured

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise fail(_one_line(exc)) from None
