"""CLI commands for the web layer: demo, serve, migrate, createuser, rotate-key.

Django is set up lazily inside each command, so ``trappen --help`` stays fast and the pure
core never imports Django.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer


def _setup() -> None:
    """Set Django up; a configuration error becomes one message and exit code 1."""
    from trappen.cli._common import setup_django

    setup_django()


DEMO_SETTINGS = """# Written by `trappen demo`: later commands run here (migrate, kpi, export, serve, ...)
# read these settings when the variable is not set in the environment.
# Synthetic data on 127.0.0.1 ONLY: demo mode uses fixed development keys.
TRAPPEN_DEMO=1
"""


def _write_demo_settings() -> str:
    """Write the demo's settings file (``.env`` in the data directory) unless one exists; say where."""
    from trappen.web import settings

    path = settings.settings_file()  # from the environment now (the demo may have set TRAPPEN_DATA_DIR)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DEMO_SETTINGS, encoding="utf-8")
        return f"Settings for later commands written to {path} (TRAPPEN_DEMO=1)."
    if settings.read_env_file(path).get("TRAPPEN_DEMO", "").strip().lower() in {"1", "true", "yes", "on"}:
        return f"Settings for later commands: {path} (TRAPPEN_DEMO=1)."
    return f"{path} exists and does not set TRAPPEN_DEMO=1: left unchanged; later commands need TRAPPEN_DEMO=1."


def _migrate() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)


def _whole(name: str, default: int) -> int:
    configured = os.environ.get(name, "").strip()
    if not configured:
        return default
    if not configured.isdigit() or int(configured) < 1:
        raise typer.BadParameter(f"{name}={configured!r}: a whole number of 1 or more")
    return int(configured)


def default_workers() -> int:
    """gunicorn worker processes: ``TRAPPEN_WEB_WORKERS``, else the cores + 1 (benchmarks/load.py
    measured 2 cores + 1 against 2 and 2 x cores + 1 under 50 users)."""
    return _whole("TRAPPEN_WEB_WORKERS", (os.cpu_count() or 1) + 1)


def default_threads() -> int:
    """Threads per worker: ``TRAPPEN_WEB_THREADS``, else 2. The pages are CPU-bound Python, so
    more threads in one process mostly wait for each other's interpreter lock: under 50 users on
    2 cores (benchmarks/load.py), 2 threads per worker gave a p95 of 368 ms over all pages where 4
    gave 586 ms, at the same CPU per page."""
    return _whole("TRAPPEN_WEB_THREADS", 2)


def worker_environment() -> None:
    """Settings the worker processes inherit: Polars on one thread per process
    (``POLARS_MAX_THREADS``, unless set) — a page's frames are small, and its pool's threads
    competed with the requests' own (p95 over all pages 291 ms with one, 368 ms with two, same
    load). Call before the first Polars operation of the process."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")


def _no_server_banner() -> None:
    """gunicorn names itself and its version in a ``Server`` header on every response: a map for
    an attacker. It has no setting for it, so the header line is left out of its defaults."""
    from gunicorn.http import wsgi

    if getattr(wsgi.Response.default_headers, "trappen", False):
        return
    original = wsgi.Response.default_headers

    def default_headers(self: object) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers.trappen = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


def _serve(*, host: str, port: int, workers: int, threads: int = 2) -> None:
    """Serve with gunicorn (runserver only when DEBUG is on, never in production)."""
    from django.conf import settings

    if settings.DEBUG:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}", use_reloader=False)
        return
    from gunicorn.app.base import BaseApplication

    from trappen.web.wsgi import application

    _no_server_banner()

    class _Gunicorn(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # threads, not the sync worker: a browser's idle pre-opened connection would block
            # a sync worker until its timeout
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")

        def load(self) -> object:
            return application

    _Gunicorn().run()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""

    @app.command("demo")
    def demo_command(
        children: int = typer.Option(20_000, "--children", min=1, help="Children 0-17 in the synthetic municipality."),
        years: int = typer.Option(10, "--years", min=1, help="Years of history."),
        end_date: str = typer.Option(
            "", "--end-date", help="Last day of the history, YYYY-MM-DD (default: today, so the demo's "
            "dashboards, deadlines and forecasts reach the present)."),
        seed: int = typer.Option(1, "--seed", help="Random seed."),
        pilot_districts: int = typer.Option(
            3, "--pilot-districts", min=0, help="Districts that adopted the Herning way of working (0 = none)."),
        pilot_from: int = typer.Option(2021, "--pilot-from", help="Year the pilot districts adopted it."),
        no_serve: bool = typer.Option(False, "--no-serve", help="Load and print logins, do not serve."),
        host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to serve on."),
    ) -> None:
        """Run the demo: a synthetic municipality in SQLite, one login per role, served locally.

        Demo logins use the password <username>-demo: synthetic data on 127.0.0.1 ONLY.
        """
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from trappen.cli._common import user_errors

        with user_errors():
            os.environ["TRAPPEN_DEMO"] = "1"
            os.environ.setdefault("TRAPPEN_DATA_DIR", "var")
            _setup()
            from trappen.synthetic import generate
            from trappen.web.accounts.services import demo_database_replace
            from trappen.web.register.services import register_load_order

            _migrate()
            from datetime import date

            from django.utils import timezone

            try:
                end = date.fromisoformat(end_date) if end_date else timezone.localdate()
            except ValueError:
                raise ValueError(f"--end-date must be a date like 2026-12-07, got {end_date!r}") from None
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                          transient=True) as progress:
                simulate = progress.add_task("simulating months", total=None)
                register = generate(children=children, years=years, seed=seed, end_date=end,
                                    pilot_districts=pilot_districts,
                                    pilot_from=pilot_from if pilot_districts else None,
                                    progress=lambda done, total: progress.update(simulate, completed=done, total=total))
                load = progress.add_task("loading tables", total=len(register_load_order()))
                started = time.perf_counter()
                # the register and the demo users in one transaction: all of it or none
                counts, users = demo_database_replace(register, seed=seed,
                                                      progress=lambda name, rows: progress.update(
                                                          load, advance=1, description=f"loaded {name}"))
                seconds = time.perf_counter() - started
                from trappen.web.collaboration.demo import demo_collaboration_load

                collab = demo_collaboration_load(seed=seed)  # organisations, consents, meetings (#16)
                from trappen.web.investments.demo import demo_investments_load

                invest = demo_investments_load()  # investment cases for /investments/, idempotent
                progress.add_task("a synthetic nation for the national analyst", total=None)
                from django.conf import settings

                from trappen.national import nation_demo

                nation = nation_demo(Path(settings.TRAPPEN_DATA_DIR) / "national", seed=seed)  # the national view (#20)
            typer.echo(f"Loaded {counts['children']:,} children, {counts['episodes']:,} episodes "
                       f"up to {end.isoformat()} in {seconds:.1f} s (seed {seed})")
            typer.echo("Collaboration: " + ", ".join(f"{n:,} {what}" for what, n in collab.items()))
            typer.echo("Investment cases: " + ", ".join(f"{n} {what}" for what, n in invest.items()))
            typer.echo(f"National store: {nation.municipalities} synthetic municipalities, "
                       f"{nation.years[0]}-{nation.years[-1]}, {len(nation.adopting)} adopting the model")
            typer.secho("Demo logins (synthetic data only; these passwords are for the demo):", bold=True)
            for username, role, password in users:
                typer.echo(f"  {username:<12} password {password:<17} role {role}")
            typer.echo(_write_demo_settings())
        if no_serve:
            return
        typer.echo(f"Serving on http://{host}:{port}/  (Ctrl-C to stop)")
        # A fresh process: Polars' thread pool, started by the load, does not survive the
        # fork of gunicorn's workers (they would hang on their first Polars call).
        import sys

        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-c", "from trappen.cli import main; main()",
                                  "serve", "--host", host, "--port", str(port)])

    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to bind."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to bind."),
        workers: int | None = typer.Option(None, "--workers", min=1,
                                           help="gunicorn worker processes (default TRAPPEN_WEB_WORKERS, "
                                           "else cores + 1)."),
    ) -> None:
        """Serve the web application with gunicorn (configuration from the environment)."""
        from trappen.cli._common import user_errors

        worker_environment()
        with user_errors():
            _setup()
            count, threads = workers or default_workers(), default_threads()
        _serve(host=host, port=port, workers=count, threads=threads)

    @app.command("migrate")
    def migrate_command() -> None:
        """Create or update the database tables."""
        from trappen.cli._common import user_errors

        with user_errors():
            _setup()
            _migrate()
            typer.echo("Database is up to date.")

    @app.command("createuser")
    def createuser_command(
        username: str = typer.Argument(..., help="Login name."),
        role: str = typer.Option(..., "--role", help="caseworker, teamleader, partner, analyst, economist or admin."),
        district: list[str] = typer.Option([], "--district", help="District code (repeat for several)."),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                     help="Password (prompted when not given)."),
    ) -> None:
        """Create a user with a role and districts."""
        from trappen.cli._common import user_errors

        with user_errors():
            _setup()
            from trappen.web.accounts.services import user_create

            user = user_create(username=username, role=role, password=password, district_codes=district)
            typer.echo(f"Created {user.username} ({role}).")

    @app.command("rotate-key")
    def rotate_key_command() -> None:
        """Re-encrypt every CPR number under TRAPPEN_CPR_KEY (old keys in TRAPPEN_CPR_PREVIOUS_KEYS)."""
        from trappen.cli._common import user_errors

        with user_errors():
            _setup()
            from trappen.web.register.services import child_cpr_rotate

            typer.echo(f"Re-encrypted {child_cpr_rotate():,} CPR numbers under the current key.")
