"""CLI for deliveries to Danmarks Statistik: ``trappen dst build|validate|list|receipt|file``.

``validate`` builds the delta for a period without storing it and prints the validation report
(errors by measure id, never a CPR number), exit 1 when it has errors. ``build`` stores it in the
ledger (as ``--user``, who needs dst_delivery/create). ``receipt`` records DST's answer, ``file``
writes the XML (audited).
"""

from __future__ import annotations

from pathlib import Path

import typer

STATISTIC_HELP = "L201 (support for children at risk) or L231 (children with disabilities)."
PERIOD_HELP = "2025 (year), 2025M03 (month), 2025K2 (quarter) or 2025-01-01..2025-03-31."


def _user(username: str) -> object:
    from django.contrib.auth import get_user_model

    from trappen.cli._common import fail

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise fail(f"no active user {username!r}")
    return user


def _print_report(report: object) -> None:
    for line in report.lines():  # type: ignore[attr-defined]
        bad = line.startswith("ERROR") or "NOT valid" in line
        typer.secho(line, fg=typer.colors.RED if bad else None, err=bad)


def register(app: typer.Typer) -> None:
    """Add the ``dst`` command group to ``app``."""
    group = typer.Typer(help="Deliveries to Danmarks Statistik (L201, L231): validate, build, list, receipts.",
                        no_args_is_help=True)

    @group.command("validate")
    def validate(
        statistic: str = typer.Option("L201", "--statistic", help=STATISTIC_HELP),
        period: str = typer.Option(..., "--period", help=PERIOD_HELP),
        correction: bool = typer.Option(False, "--correction", help="A correction of an earlier period."),
        test: bool = typer.Option(False, "--test", help="A test delivery (T201/T231)."),
    ) -> None:
        """Build the delta for a period without storing it; print the validation report (exit 1 on errors)."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from trappen.exchange.dst import Period
            from trappen.web.dst import services as svc

            delivery = svc.dst_delivery_prepare(statistic=statistic, period=Period.parse(period),
                                                correction=correction, test=test)
            report = svc.report_with_settings(delivery.report)
            typer.echo(f"{delivery.form_id} {delivery.period.label} ({delivery.kind})")
            _print_report(report)
            if not report.ok:
                raise typer.Exit(code=1)

    @group.command("build")
    def build(
        user: str = typer.Option(..., "--user", help="Who builds it (needs dst_delivery/create)."),
        statistic: str = typer.Option("L201", "--statistic", help=STATISTIC_HELP),
        period: str = typer.Option(..., "--period", help=PERIOD_HELP),
        correction: bool = typer.Option(False, "--correction", help="A correction of an earlier period."),
        test: bool = typer.Option(False, "--test", help="A test delivery (T201/T231)."),
        out: Path | None = typer.Option(None, "--out", help="Also write the XML file here (audited)."),
    ) -> None:
        """Validate and store a delivery in the ledger; print its id and checksum."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from django.core.exceptions import PermissionDenied

            from trappen.cli._common import fail
            from trappen.exchange.dst import DeliveryInvalid, Period
            from trappen.web.dst import services as svc

            actor = _user(user)
            try:
                d = svc.dst_delivery_build(actor=actor, statistic=statistic, period=Period.parse(period),
                                           correction=correction, test=test)
            except DeliveryInvalid as exc:
                _print_report(exc.report)
                raise typer.Exit(code=1) from None
            except PermissionDenied as exc:
                raise fail(str(exc)) from None
            typer.echo(f"Delivery {d.pk}: {d.statistic} {d.period_label} ({d.kind}), new {d.counts['new']}, "
                       f"changed {d.counts['changed']}, cancelled {d.counts['cancelled']}")
            typer.echo(f"sha256 {d.sha256}  {d.file_name}")
            if out is not None:
                _name, xml = svc.dst_delivery_file(actor=actor, delivery_id=d.pk, endpoint="cli dst build")
                out.write_bytes(xml)
                typer.echo(f"Wrote {out}")

    @group.command("list")
    def list_(statistic: str | None = typer.Option(None, "--statistic", help=STATISTIC_HELP)) -> None:
        """The ledger: every delivery with its period, kind, records, status and checksum."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from django.utils import timezone

            from trappen.web.dst.selectors import dst_deliveries

            rows = list(dst_deliveries(statistic=statistic))
            if not rows:
                typer.echo("No deliveries yet.")
            for d in rows:
                form = ("T" if d.test else "L") + d.statistic[1:]
                built = timezone.localtime(d.created_at)
                typer.echo(f"{d.pk:>5}  {form}  {d.period_label:<18} {d.kind:<10} {d.status:<9} "
                           f"new {d.counts.get('new', 0):>6}  changed {d.counts.get('changed', 0):>6}  "
                           f"cancelled {d.counts.get('cancelled', 0):>5}  {built:%Y-%m-%d %H:%M}  "
                           f"{d.created_by_username}  {d.sha256[:16]}")

    @group.command("receipt")
    def receipt(
        delivery_id: int = typer.Argument(..., help="The delivery's id (from `trappen dst list`)."),
        user: str = typer.Option(..., "--user", help="Who records it (needs dst_delivery/change)."),
        accepted: bool = typer.Option(..., "--accepted/--rejected", help="What DST's receipt says."),
        note: str = typer.Option("", "--note", help="The receipt's reference, at most 300 characters."),
    ) -> None:
        """Record DST's receipt: an accepted delivery joins the ledger the next delta is computed from."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from django.core.exceptions import PermissionDenied
            from django.http import Http404

            from trappen.cli._common import fail
            from trappen.web.dst import services as svc

            try:
                d = svc.dst_delivery_decide(actor=_user(user), delivery_id=delivery_id, accepted=accepted, note=note)
            except (PermissionDenied, Http404) as exc:
                raise fail(str(exc)) from None
            typer.echo(f"Delivery {d.pk}: {d.status}")

    @group.command("file")
    def file(
        delivery_id: int = typer.Argument(..., help="The delivery's id."),
        user: str = typer.Option(..., "--user", help="Who downloads it (needs dst_delivery/export; audited)."),
        out: Path = typer.Option(..., "--out", help="The XML file to write."),
    ) -> None:
        """Write a stored delivery's XML file (rebuilt from its records; the checksum must match)."""
        from trappen.cli._common import setup_django, user_errors

        with user_errors():
            setup_django()
            from django.core.exceptions import PermissionDenied
            from django.http import Http404

            from trappen.cli._common import fail
            from trappen.web.dst import services as svc

            try:
                _name, xml = svc.dst_delivery_file(actor=_user(user), delivery_id=delivery_id,
                                                   endpoint="cli dst file")
            except (PermissionDenied, Http404) as exc:
                raise fail(str(exc)) from None
            out.write_bytes(xml)
            typer.echo(f"Wrote {out}")

    app.add_typer(group, name="dst")
