"""CLI command for the JSON API: ``trappen createtoken USERNAME`` prints a new API token.

Only a SHA-256 hash of the token is stored; the printed token cannot be shown again.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the API commands to ``app``."""

    @app.command("createtoken")
    def createtoken(username: str = typer.Argument(..., help="The user the token acts as.")) -> None:
        """Create an API token for USERNAME and print it (use: Authorization: Bearer <token>)."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from trappen.web.api.services import token_create

            typer.echo(token_create(username=username))
