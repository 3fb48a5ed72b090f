"""CLI command for the JSON API: ``trappen createtoken USERNAME`` prints a new API token.

Only a SHA-256 hash of the token is stored; the printed token cannot be shown again.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the API commands to ``app``."""

    @app.command("createtoken")
    def createtoken(
        username: str = typer.Argument(..., help="The user the token acts as."),
        days: int | None = typer.Option(None, help="Days until it expires (default TRAPPEN_API_TOKEN_DAYS)."),
        read_only: bool = typer.Option(False, "--read-only", help="Only GET: no writes."),
        name: str = typer.Option("", help="What the token is for (shown on the user's tokens page)."),
    ) -> None:
        """Create an API token for USERNAME and print it (use: Authorization: Bearer <token>).

        For an operator on the server; users make their own on the tokens page, right after a
        second factor. The token expires and is limited to TRAPPEN_API_RATE calls.
        """
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from trappen.web.api.services import token_create

            scopes = ("read",) if read_only else ("read", "write")
            typer.echo(token_create(username=username, days=days, scopes=scopes, name=name))
