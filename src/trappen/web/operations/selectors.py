"""Reads for operations: rows per table, the audit chain of any database alias, and the
records the retention report needs (ids and end dates only)."""

from __future__ import annotations

import polars as pl
from django.db import connections
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, TruncDate

from trappen.privacy.chain import ChainBreak, verify_chain
from trappen.web.operations import _databases as dbs


def database_table_counts(*, alias: str = "default") -> dict[str, int]:
    """Rows per table of the database ``alias``."""
    conn = connections[alias]
    with conn.cursor() as cursor:
        return dbs.table_counts(cursor, conn.vendor)


def audit_chain_breaks(*, alias: str = "default", expected_head: str | None = None) -> tuple[int, list[ChainBreak]]:
    """(events, breaks) of the audit chain in the database ``alias``; with ``expected_head`` the
    chain must also end at that hash (a restore that lost or gained events fails)."""
    from trappen.web.audit.models import AuditEvent
    from trappen.web.audit.services import HASHED_FIELDS

    events = AuditEvent.objects.using(alias)
    rows = events.order_by("id").values("id", "previous_hash", "entry_hash", *HASHED_FIELDS)
    breaks = verify_chain(rows.iterator(), fields=HASHED_FIELDS, expected_head=expected_head)
    return events.count(), breaks


_EMPTY = pl.DataFrame(schema={"id": pl.Int64, "ended_on": pl.Date})


def _frame(rows: list[tuple[int, object]]) -> pl.DataFrame:
    if not rows:
        return _EMPTY
    return pl.DataFrame(rows, schema={"id": pl.Int64, "ended_on": pl.Date}, orient="row")


def retention_records() -> dict[str, pl.DataFrame]:
    """Per kind of record (:data:`trappen.privacy.retention.KINDS`), every record's id and end
    date (null = not ended), as the rules' ``ends`` describe. Aggregated in the database; ids
    and dates only, never a name."""
    from trappen.web.accounts.models import User
    from trappen.web.audit.models import AuditEvent
    from trappen.web.register.models import Case, Child, Notification

    cases = pl.DataFrame(
        list(Case.objects.values("child_id").annotate(open=Count("id", filter=Q(closed_on__isnull=True)),
                                                      last=Max("closed_on")).values_list("child_id", "open", "last")),
        schema={"id": pl.Int64, "open": pl.Int64, "last_case": pl.Date}, orient="row")
    notes = pl.DataFrame(
        list(Notification.objects.annotate(day=TruncDate("received_at")).values("child_id")
             .annotate(last=Max("day")).values_list("child_id", "last")),
        schema={"id": pl.Int64, "last_note": pl.Date}, orient="row")
    children = pl.DataFrame(list(Child.objects.values_list("id", "exit_date")),
                            schema={"id": pl.Int64, "exit_date": pl.Date}, orient="row")
    with_file = cases.join(notes, on="id", how="full", coalesce=True)
    case_files = with_file.select(
        "id",
        pl.when(pl.col("open").fill_null(0) > 0).then(None)
        .otherwise(pl.max_horizontal("last_case", "last_note")).alias("ended_on"),
    )
    identities = children.join(with_file.select("id"), on="id", how="anti").select(
        "id", pl.col("exit_date").alias("ended_on"))
    audit = _frame(list(AuditEvent.objects.annotate(day=TruncDate("at")).values_list("id", "day")))
    users = _frame(list(User.objects.filter(is_active=False)
                        .annotate(day=TruncDate(Coalesce("last_login", "date_joined"))).values_list("id", "day")))
    active = _frame([(pk, None) for pk in User.objects.filter(is_active=True).values_list("id", flat=True)])
    return {"child_case_file": case_files.sort("id"), "child_identity": identities.sort("id"),
            "audit_event": audit, "user_account": pl.concat([users, active]).sort("id")}
